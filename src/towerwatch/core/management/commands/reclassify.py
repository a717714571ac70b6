"""`towerwatch reclassify`: recompute every building's class after the rule set changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from towerwatch.buildings.actions import reclassify_all
from towerwatch.core.context import change_context


class Command(BaseCommand):
    help = "Recompute building classes from the rule set in force today."

    def handle(self, *args: Any, **opts: Any) -> None:
        with change_context(None):
            changed = reclassify_all()
        self.stdout.write(f"{changed} buildings changed class.")
