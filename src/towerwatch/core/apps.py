from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "towerwatch.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import changelog, checks  # noqa: F401  (signal handlers, system checks)
