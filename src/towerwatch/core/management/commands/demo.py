"""`towerwatch demo`: load the deterministic demo district (Jiangjin, Chongqing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from towerwatch.buildings.models import Building
from towerwatch.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Wipe the buildings, territory, organizations, people, non-superuser accounts and change "
        "log, then load the demo district of Jiangjin with synthetic buildings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--buildings", type=int, default=1500, help="how many buildings (default 1500)"
        )
        parser.add_argument(
            "--seed", type=int, default=20200424, help="random seed (default 20200424)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when any building exists already"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Building.objects.exists():
            self.stdout.write("Buildings exist already: the demo district was not loaded.")
            return
        summary = load_demo(
            buildings=options["buildings"], seed=options["seed"], stdout=self.stdout
        )
        self.stdout.write(self.style.SUCCESS(f"Demo district loaded in {summary['seconds']:.1f} s"))
        rows = [
            ("buildings", summary["buildings"]),
            ("  by class", _pairs(summary["fire_classes"])),
            ("  residential", summary["residential"]),
            ("  complete files", summary["complete"]),
            ("regions", _pairs(summary["regions"])),
            ("  generated community names", summary["generated_communities"]),
            ("organizations", _pairs(summary["organizations"])),
            ("people", summary["people"]),
            ("certificates", summary["certificates"]),
            ("responsibility links", summary["responsibilities"]),
            ("fire systems", summary["fire_systems"]),
            ("service contracts", summary["service_contracts"]),
            (
                "demo logins",
                f"{summary['users']} (password: {DEMO_PASSWORD}; `towerwatch personas`)",
            ),
        ]
        for label, value in rows:
            self.stdout.write(f"{label:<28} {value}")


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
