from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "towerwatch.monitoring"
    label = "monitoring"
    verbose_name = _("Remote monitoring")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the retention check)
