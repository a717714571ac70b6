"""Rates per building computed in the database: false alarms, duty-check answers.

False-alarm rate: of the fire-alarm cases opened in the window and already decided (closed in
any way), the share closed as false alarm. Open cases are left out: they are not decided yet.
Everything is one aggregate query, whether for one building, a page of the API or the ranking
of a town's buildings (`GROUP BY building` on the case table, served by the
`alarmcase_kind_opened` index).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from .choices import CaseState, EventKind

MAX_WINDOW_DAYS = 3660


def window_days(raw: Any = None) -> int:
    """The window asked for (`?days=`), else `TOWERWATCH_FALSE_ALARM_WINDOW_DAYS` (90)."""
    default = settings.TOWERWATCH_FALSE_ALARM_WINDOW_DAYS
    try:
        days = int(raw)
    except (TypeError, ValueError):
        return default
    return days if 1 <= days <= MAX_WINDOW_DAYS else default


def since(days: int, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=days)


#: Every state but `open`: a positive list, so that across a relation it stays a plain join
#: condition (a negation there becomes an anti-join over the whole case table).
DECIDED = [s for s in CaseState.values if s != CaseState.OPEN]


def _decided(prefix: str, start: datetime) -> Q:
    return Q(
        **{
            f"{prefix}kind": EventKind.FIRE_ALARM,
            f"{prefix}opened_at__gte": start,
            f"{prefix}state__in": DECIDED,
        }
    )


def _rate(part: str, whole: str) -> Any:
    return ExpressionWrapper(
        Cast(F(part), FloatField()) / Cast(F(whole), FloatField()), output_field=FloatField()
    )


def ranked(buildings: QuerySet[Any], start: datetime) -> QuerySet[Any]:
    """One row per building of `buildings` with a decided fire alarm since `start`:
    `{"building": id, "fa_cases", "fa_false", "fa_rate" (0–1)}`, sortable by any of them.

    The case table alone is grouped by building (narrow rows, the `alarmcase_kind_opened`
    index); the buildings' own columns are fetched for the page shown only.
    """
    from .models import AlarmCase

    return (
        AlarmCase.objects.filter(_decided("", start), building__in=buildings.values("pk"))
        .order_by()
        .values("building")
        .annotate(
            fa_cases=Count("pk"),
            fa_false=Count("pk", filter=Q(state=CaseState.FALSE_ALARM)),
        )
        .annotate(fa_rate=_rate("fa_false", "fa_cases"))
    )


def with_rates(buildings: QuerySet[Any], start: datetime) -> QuerySet[Any]:
    """Every building of `buildings` annotated `fa_cases` and `fa_false` (zero when none),
    by correlated subqueries: for a page of buildings (the API), in the same query."""
    from .models import AlarmCase

    def count(extra: Q) -> Any:
        sub = (
            AlarmCase.objects.filter(_decided("", start) & extra, building=OuterRef("pk"))
            .order_by()
            .values("building")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))

    return buildings.annotate(fa_cases=count(Q()), fa_false=count(Q(state=CaseState.FALSE_ALARM)))


@dataclass(frozen=True)
class FalseAlarms:
    days: int
    cases: int
    false: int

    @property
    def rate(self) -> float | None:
        return self.false / self.cases if self.cases else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(100 * self.rate, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "window_days": self.days,
            "fire_alarm_cases": self.cases,
            "false_alarms": self.false,
            "rate": None if self.rate is None else round(self.rate, 4),
        }


def for_building(building: Any, days: int | None = None) -> FalseAlarms:
    from .models import AlarmCase

    days = days or window_days()
    row = AlarmCase.objects.filter(_decided("", since(days)), building=building).aggregate(
        cases=Count("pk"), false=Count("pk", filter=Q(state=CaseState.FALSE_ALARM))
    )
    return FalseAlarms(days, row["cases"], row["false"])


def duty_ranked(buildings: QuerySet[Any], start: datetime) -> QuerySet[Any]:
    """One row per building of `buildings` with duty checks asked since `start`:
    `{"building": id, "dc_asked", "dc_answered", "dc_rate" (0–1)}`. Asked: answered, not
    answered in time, or the device was not connected (pending and sent ones are not yet)."""
    from .choices import DutyCheckState as D
    from .models import DutyCheck

    return (
        DutyCheck.objects.filter(
            requested_at__gte=start,
            state__in=[D.ANSWERED, D.UNANSWERED, D.UNREACHABLE],
            device__building__in=buildings.values("pk"),
        )
        .order_by()
        .values(building=F("device__building"))
        .annotate(
            dc_asked=Count("pk"),
            dc_answered=Count("pk", filter=Q(state=D.ANSWERED)),
        )
        .annotate(dc_rate=_rate("dc_answered", "dc_asked"))
    )


def duty_for_building(building: Any, days: int | None = None) -> dict[str, Any]:
    from .choices import DutyCheckState as D
    from .models import DutyCheck

    days = days or window_days()
    row = DutyCheck.objects.filter(
        device__building=building,
        requested_at__gte=since(days),
        state__in=[D.ANSWERED, D.UNANSWERED, D.UNREACHABLE],
    ).aggregate(asked=Count("pk"), answered=Count("pk", filter=Q(state=D.ANSWERED)))
    asked, answered = row["asked"], row["answered"]
    return {
        "days": days,
        "asked": asked,
        "answered": answered,
        "percent": round(100 * answered / asked, 1) if asked else None,
    }
