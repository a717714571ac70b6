"""ASGI entry point: `towerwatch serve` and `towerwatch run` serve this with uvicorn."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "towerwatch.settings")
application = get_asgi_application()

from towerwatch.core.runtime import tune_gc  # noqa: E402  (needs the apps loaded)

tune_gc()
