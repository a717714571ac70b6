from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "towerwatch.rules"
    label = "rules"
    verbose_name = _("Rule sets")

    def ready(self) -> None:
        from .loader import sync_rules_after_migrate

        post_migrate.connect(sync_rules_after_migrate, sender=self)
