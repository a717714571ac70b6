from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "towerwatch.inspections"
    label = "inspections"
    verbose_name = _("Patrols and inspections")

    def ready(self) -> None:
        from .loader import sync_templates_after_migrate

        post_migrate.connect(sync_templates_after_migrate, sender=self)
