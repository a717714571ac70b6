"""The hazard ledger (隐患台账): one row per hazard of any filtered list, for .xlsx and CSV.

Rows stream from the database in chunks (`core.exports` writes the workbook in write-only
mode), so a 50,000-row ledger stays within constant memory apart from the finished file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.rules.ruleset import MissingRule, RuleSet

from .models import Hazard


def _days_overdue(h: Hazard) -> int | None:
    today = timezone.localdate()
    if h.is_open and h.deadline < today:
        return (today - h.deadline).days
    return None


def _closed_on_time(h: Hazard) -> bool | None:
    if h.closed_at is None:
        return None
    return timezone.localdate(h.closed_at) <= h.deadline


LEDGER_COLUMNS = [
    (_("hazard number"), lambda h: h.code),
    (_("building code"), lambda h: h.building.code),
    (_("building"), lambda h: h.building.name),
    (_("address"), lambda h: h.building.address),
    (
        _("town / street / platform"),
        lambda h: h.building.region.town.name if h.building.region.town_id else "",
    ),
    (_("source"), lambda h: h.get_source_display()),
    (_("category"), lambda h: h.get_category_display()),
    (_("severity"), lambda h: h.get_severity_display()),
    (_("title"), lambda h: h.title),
    (_("floor"), lambda h: h.floor),
    (_("location in the building"), lambda h: h.location),
    (_("found"), lambda h: h.found_at),
    (_("responsible unit"), lambda h: h.responsible_org.name if h.responsible_org_id else ""),
    (
        _("responsible person"),
        lambda h: h.responsible_person.name if h.responsible_person_id else "",
    ),
    (_("interim measures"), lambda h: h.interim_measures),
    (_("deadline"), lambda h: h.deadline),
    (_("deadline rule"), lambda h: h.ledger_citation),
    (_("reason for the deadline"), lambda h: h.deadline_reason),
    (_("state"), lambda h: h.get_state_display()),
    (_("days overdue"), _days_overdue),
    (_("submitted"), lambda h: h.submitted_at),
    (_("closed"), lambda h: h.closed_at),
    (_("closed on time"), _closed_on_time),
]


class LedgerRows:
    """The filtered hazards with what the ledger shows, read in chunks."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset.select_related(
            "building", "building__region__town", "responsible_org", "responsible_person"
        ).order_by("found_at", "pk")
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

    def iterator(self, chunk_size: int = 2000) -> Iterator[Hazard]:
        for h in self.queryset.iterator(chunk_size=chunk_size):
            h.ledger_citation = self._citation(h.deadline_rule)
            yield h

    def __iter__(self) -> Iterator[Hazard]:
        return self.iterator()


def ledger_rows(queryset: Any) -> LedgerRows:
    return LedgerRows(queryset)
