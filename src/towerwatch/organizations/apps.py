from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "towerwatch.organizations"
    label = "organizations"
    verbose_name = _("Territory and organizations")

    def ready(self) -> None:
        from .actions import sync_sectors_after_migrate

        post_migrate.connect(sync_sectors_after_migrate, sender=self)
