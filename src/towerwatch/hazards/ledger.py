"""The hazard ledger (隐患台账): one row per hazard of any filtered list, for .xlsx and CSV.

Rows are read as plain values in chunks (no model instances: building the change log's
before-image of 50,000 hazards cost more than the query) and written by `core.xlsx`'s
streaming writer, so a 50,000-row ledger takes seconds and constant memory apart from the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.rules.ruleset import MissingRule, RuleSet

from .choices import OPEN_STATES, HazardCategory, HazardSource, HazardState, Severity

FIELDS = (
    "code",
    "building__code",
    "building__name",
    "building__address",
    "building__region__town__name",
    "source",
    "category",
    "severity",
    "title",
    "floor",
    "location",
    "found_at",
    "responsible_org__name",
    "responsible_person__name",
    "interim_measures",
    "deadline",
    "deadline_rule",
    "deadline_reason",
    "state",
    "submitted_at",
    "closed_at",
)


def _days_overdue(r: dict[str, Any]) -> int | None:
    if r["state"] in OPEN_STATES and r["deadline"] < r["today"]:
        return int((r["today"] - r["deadline"]).days)
    return None


def _closed_on_time(r: dict[str, Any]) -> bool | None:
    if r["closed_at"] is None or r["state"] != HazardState.CLOSED:
        return None
    return bool(timezone.localdate(r["closed_at"]) <= r["deadline"])


def _label(choices: Any) -> Any:
    labels = dict(choices.choices)
    return lambda value: str(labels.get(value, value))


_source, _category, _severity, _state = (
    _label(HazardSource),
    _label(HazardCategory),
    _label(Severity),
    _label(HazardState),
)

LEDGER_COLUMNS = [
    (_("hazard number"), lambda r: r["code"]),
    (_("building code"), lambda r: r["building__code"]),
    (_("building"), lambda r: r["building__name"]),
    (_("address"), lambda r: r["building__address"]),
    (_("town / street / platform"), lambda r: r["building__region__town__name"]),
    (_("source"), lambda r: _source(r["source"])),
    (_("hazard category"), lambda r: _category(r["category"])),
    (_("severity"), lambda r: _severity(r["severity"])),
    (_("title"), lambda r: r["title"]),
    (_("floor"), lambda r: r["floor"]),
    (_("location in the building"), lambda r: r["location"]),
    (_("found"), lambda r: r["found_at"]),
    (_("responsible unit"), lambda r: r["responsible_org__name"]),
    (_("responsible person"), lambda r: r["responsible_person__name"]),
    (_("interim measures"), lambda r: r["interim_measures"]),
    (_("deadline"), lambda r: r["deadline"]),
    (_("deadline rule"), lambda r: r["citation"]),
    (_("reason for the deadline"), lambda r: r["deadline_reason"]),
    (_("workflow state"), lambda r: _state(r["state"])),
    (_("days overdue"), _days_overdue),
    (_("submitted"), lambda r: r["submitted_at"]),
    (_("closed"), lambda r: r["closed_at"]),
    (_("closed on time"), _closed_on_time),
]


class LedgerRows:
    """The filtered hazards as ledger rows (dicts), read in chunks."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset.order_by("found_at", "pk")
        self._citations: dict[str, str] = {}
        self._rules = RuleSet.current()

    def count(self) -> int:
        return int(self.queryset.count())

    def _citation(self, key: str) -> str:
        if key not in self._citations:
            try:
                self._citations[key] = self._rules.rule(key).citation if key else ""
            except MissingRule:
                self._citations[key] = key
        return self._citations[key]

    def iterator(self, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
        today = timezone.localdate()
        for row in self.queryset.values(*FIELDS).iterator(chunk_size=chunk_size):
            row["today"] = today
            row["citation"] = self._citation(row["deadline_rule"])
            yield row

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.iterator()


def ledger_rows(queryset: Any) -> LedgerRows:
    return LedgerRows(queryset)
