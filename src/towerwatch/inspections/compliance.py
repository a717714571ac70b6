"""What is due and overdue, for every building and every scheduled kind of work.

Set-based: one query reads the buildings' class, one aggregate reads the last signed record per
building and kind, and the period arithmetic runs over plain tuples. The periods come from the
rule set (`rules/data/inspections.yaml`); each answer carries its rule for the citation.

A building that never had a record counts from the day it was registered: it has one period to
get its first one.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import BigIntegerField, Count, Exists, Func, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from towerwatch.buildings.choices import ResponsibilityRole, Stage
from towerwatch.rules.models import Rule
from towerwatch.rules.ruleset import RuleSet

from .choices import CARE_USES, SCHEDULED_KINDS, Due, WorkKind

RULE_OF_KIND = {
    WorkKind.PATROL: "inspections.patrol_days",
    WorkKind.INSPECTION: "inspections.inspection_days",
    WorkKind.FULL_TEST: "inspections.full_test_days",
    WorkKind.ASSESSMENT: "inspections.assessment_days",
    WorkKind.DRILL: "inspections.drill_days",
    WorkKind.GRID_WALK: "inspections.grid_walk_days",
}


@dataclass(frozen=True)
class Schedule:
    """The periods in force: days per (kind, building class), and reminder/escalation days."""

    patrol: dict[str, int]
    inspection: dict[str, int]
    full_test: int
    assessment: int
    drill: dict[str, int]
    lead: dict[str, int]
    escalate: dict[str, int]
    rules: dict[str, Rule]
    grid_walk: int = 0
    escalate_town: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_rules(cls, rules: RuleSet | None = None) -> Schedule:
        rules = rules or RuleSet.current()
        keys = [*RULE_OF_KIND.values(), "inspections.patrol_crowded_venue_h"]
        keys += ["inspections.patrol_day_and_night", "inspections.reminder_lead_days"]
        keys += ["inspections.escalation_after_days", "inspections.town_escalation_after_days"]
        return cls(
            patrol=rules.value("inspections.patrol_days"),
            inspection=rules.value("inspections.inspection_days"),
            full_test=int(rules.value("inspections.full_test_days")),
            assessment=int(rules.value("inspections.assessment_days")),
            drill=rules.value("inspections.drill_days"),
            lead=rules.value("inspections.reminder_lead_days"),
            escalate=rules.value("inspections.escalation_after_days"),
            rules={k: rules.rule(k) for k in keys},
            grid_walk=int(rules.value("inspections.grid_walk_days")),
            escalate_town=rules.value("inspections.town_escalation_after_days"),
        )

    def period_days(self, kind: str, residential: bool, care: bool, super_high: bool) -> int:
        if kind == WorkKind.PATROL:
            key = "care" if care else ("residential" if residential else "public")
            return int(self.patrol[key])
        if kind == WorkKind.INSPECTION:
            return int(self.inspection["residential" if residential else "public"])
        if kind == WorkKind.FULL_TEST:
            return self.full_test
        if kind == WorkKind.ASSESSMENT:
            return self.assessment
        if kind == WorkKind.DRILL:
            if super_high and not residential:
                return int(self.drill["public_super_high_rise"])
            return int(self.drill["default"])
        if kind == WorkKind.GRID_WALK:
            return self.grid_walk
        raise KeyError(kind)

    def rule_for(self, kind: str) -> Rule:
        return self.rules[RULE_OF_KIND[WorkKind(kind)]]


@dataclass(frozen=True)
class Cell:
    """One building, one kind of work: last done, next due, where it stands."""

    kind: str
    period_days: int
    last: dt.date | None
    due: dt.date
    state: str


@dataclass
class BuildingStatus:
    building_id: int
    town_id: int | None
    residential: bool
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def overdue(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.state in (Due.OVERDUE, Due.NEVER)]


def scheduled_buildings(buildings: QuerySet[Any]) -> QuerySet[Any]:
    """The buildings the schedule applies to: high-rise civil buildings in use (Art. 2)."""
    return buildings.filter(is_high_rise=True, stage=Stage.IN_USE)


class EpochSeconds(Func):
    """Seconds since 1970 of a datetime expression, as an integer (no per-row datetime parsing)."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST((julianday(%(expressions)s) - 2440587.5) * 86400.0 AS INTEGER)",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::bigint", **extra
        )


def last_done(building_ids: QuerySet[Any], kinds: Sequence[str]) -> dict[tuple[int, str], int]:
    """{(building id, kind): last signed_at in epoch seconds} in one aggregate query."""
    from .models import InspectionRecord

    rows = (
        # signed_at is set only at sign-off and MAX skips NULLs, so no filter on the state is
        # needed and the index (building, kind, signed_at) answers the query alone.
        InspectionRecord.objects.filter(kind__in=list(kinds), building_id__in=building_ids)
        .values_list("building_id", "kind")
        .annotate(last=EpochSeconds(Max("signed_at")))
        .order_by()
    )
    return {(b, k): last for b, k, last in rows if last is not None}


def compute(
    buildings: QuerySet[Any],
    *,
    now: dt.datetime | None = None,
    schedule: Schedule | None = None,
    kinds: Sequence[str] = SCHEDULED_KINDS,
) -> list[BuildingStatus]:
    """The status of every scheduled building in `buildings` for each kind in `kinds`.

    Dates are whole local days counted from 1970 (integers) until a cell is built; the
    local offset is taken at `now` (China keeps one offset all year).
    """
    now = now or timezone.now()
    today_date = timezone.localdate(now)
    schedule = schedule or Schedule.from_rules(RuleSet.current(today_date))
    offset = int(timezone.localtime(now).utcoffset().total_seconds())  # type: ignore[union-attr]
    today = today_date.toordinal() - EPOCH_ORDINAL
    scoped = scheduled_buildings(buildings)
    rows = (
        scoped.annotate(created_s=EpochSeconds("created_at"))
        .values_list("pk", "region__town_id", "category", "use", "is_super_high_rise", "created_s")
        .order_by()
    )
    last = last_done(scoped.values("pk"), kinds)
    care_uses = set(CARE_USES)
    leads = [(k, int(schedule.lead.get(k, 0))) for k in kinds]
    periods: dict[tuple[bool, bool, bool], list[int]] = {}
    date_of = _date_of
    out = []
    for pk, town_id, category, use, super_high, created in rows:
        residential = category == "residential"
        care = use in care_uses
        key = (residential, care, bool(super_high))
        days = periods.get(key)
        if days is None:
            days = periods[key] = [schedule.period_days(k, *key) for k in kinds]
        status = BuildingStatus(pk, town_id, residential)
        cells = status.cells
        for (kind, lead), period in zip(leads, days, strict=True):
            done = last.get((pk, kind))
            base = ((done if done is not None else created) + offset) // 86400
            due = base + period
            if today > due:
                state = Due.OVERDUE if done is not None else Due.NEVER
            elif due - today <= lead:
                state = Due.DUE_SOON
            else:
                state = Due.OK
            cells[kind] = Cell(
                kind, period, date_of(base) if done is not None else None, date_of(due), state
            )
        out.append(status)
    return out


EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

#: The building classes the periods depend on: (residential, care, super high-rise).
CLASSES = [(r, c, s) for r in (False, True) for c in (False, True) for s in (False, True)]


def _class_filter(residential: bool, care: bool, super_high: bool) -> Q:
    q = Q(category="residential") if residential else ~Q(category="residential")
    q &= Q(use__in=list(CARE_USES)) if care else ~Q(use__in=list(CARE_USES))
    return q & Q(is_super_high_rise=super_high)


def overdue_counts(
    buildings: QuerySet[Any],
    *,
    now: dt.datetime | None = None,
    schedule: Schedule | None = None,
    kinds: Sequence[str] = SCHEDULED_KINDS,
) -> dict[str, int]:
    """{kind: scheduled buildings overdue or never done} in one aggregate query.

    For summaries over a whole town or district, where `compute` would read every building:
    a building is overdue for a kind when no record was signed since local midnight of
    (today - period) and it was registered before then, which is `compute`'s OVERDUE/NEVER.
    Each test is an EXISTS probe on the (building, kind, signed_at) index.
    """
    from .models import InspectionRecord

    now = now or timezone.now()
    today = timezone.localdate(now)
    schedule = schedule or Schedule.from_rules(RuleSet.current(today))
    tz = timezone.localtime(now).tzinfo

    def cutoff(period: int) -> dt.datetime:
        return dt.datetime.combine(today - dt.timedelta(days=period), dt.time(), tzinfo=tz)

    counts = {}
    for kind in kinds:
        by_period: dict[int, list[Q]] = defaultdict(list)
        for key in CLASSES:
            by_period[schedule.period_days(kind, *key)].append(_class_filter(*key))
        parts = []
        for period, classes in by_period.items():
            since = cutoff(period)
            done = InspectionRecord.objects.filter(
                building_id=OuterRef("pk"), kind=kind, signed_at__gte=since
            )
            which = reduce(operator.or_, classes) if len(by_period) > 1 else Q()
            parts.append(which & Q(created_at__lt=since) & ~Exists(done))
        counts[kind] = Count("pk", filter=reduce(operator.or_, parts))
    return dict(scheduled_buildings(buildings).order_by().aggregate(**counts))


def _date_of(day: int) -> dt.date:
    return dt.date.fromordinal(EPOCH_ORDINAL + day)


def managers_of(building_ids: Iterable[int] | QuerySet[Any]) -> dict[int, list[int]]:
    """{building id: [managing organization ids]} in one query."""
    from towerwatch.buildings.models import Responsibility

    out: dict[int, list[int]] = defaultdict(list)
    rows = Responsibility.objects.filter(
        role=ResponsibilityRole.MANAGER, building_id__in=building_ids
    ).values_list("building_id", "organization_id")
    for b, org in rows:
        if org:
            out[b].append(org)
    return out


def tally(statuses: Iterable[BuildingStatus], key: Any) -> dict[Any, dict[str, Counter[str]]]:
    """{group: {kind: Counter(state)}} plus a "buildings" count per group under kind ""."""
    out: dict[Any, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for s in statuses:
        for group in key(s):
            out[group][""]["buildings"] += 1
            if s.overdue:
                out[group][""]["overdue_buildings"] += 1
            for kind, cell in s.cells.items():
                out[group][kind][cell.state] += 1
    return out
