"""`towerwatch personas`: the demo logins, one per organization kind."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from towerwatch.demo import DEMO_PASSWORD, personas_info


class Command(BaseCommand):
    help = "List the demo logins (run `towerwatch demo` first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="print a JSON list and nothing else"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        info = personas_info()
        if options["json"]:
            self.stdout.write(json.dumps(info, ensure_ascii=False, indent=2))
            return
        if not info:
            self.stderr.write("No demo logins: run `towerwatch demo` first.")
            return
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}) — http://127.0.0.1:8000/")
        width = max(len(p["username"]) for p in info)
        for p in info:
            org = _pad(p["organization_name"], 34)
            self.stdout.write(
                f"  {p['username']:<{width}}  {org}  {p['organization_kind']:<20}  {p['role']}"
            )


def _pad(text: str, width: int) -> str:
    """Left-align text whose CJK characters take two columns on a terminal."""
    columns = sum(2 if ord(c) > 0x2E80 else 1 for c in text)
    return text + " " * max(width - columns, 0)
