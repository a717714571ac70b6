"""WSGI entry point (for deployments behind a WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "towerwatch.settings")
application = get_wsgi_application()

from towerwatch.core.runtime import tune_gc  # noqa: E402  (needs the apps loaded)

tune_gc()
