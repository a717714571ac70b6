"""Hazard dashboards per town and per responsible unit, the hazard map and "my work".

Each dashboard is one aggregate query grouped by (town or unit, category); the per-row and
per-category figures are summed from its rows in Python, so averages stay exact.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, Count, F, FloatField, Func, Q, Sum
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from towerwatch.core.geo import wgs84_to_gcj02
from towerwatch.core.views import require_scope
from towerwatch.core.work import work_for
from towerwatch.organizations.models import Organization, Region

from .choices import OPEN_STATES, HazardCategory, HazardState, Severity
from .filtersets import HazardFilterSet
from .models import Hazard


@dataclass
class Figures:
    """Counts of one dashboard row (a town, a unit, a category or the total)."""

    key: Any = None
    name: str = ""
    total: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0
    on_time: int = 0
    close_days: float = 0.0
    by_category: dict[str, int] = field(default_factory=dict)

    def add(self, row: dict[str, Any]) -> None:
        self.total += row["total"]
        self.open += row["open"]
        self.overdue += row["overdue"]
        self.closed += row["closed"]
        self.on_time += row["on_time"]
        self.close_days += row["close_days"] or 0.0
        self.by_category[row["category"]] = self.by_category.get(row["category"], 0) + row["open"]

    @property
    def on_time_pct(self) -> float | None:
        return round(100 * self.on_time / self.closed, 1) if self.closed else None

    @property
    def avg_days(self) -> float | None:
        if not self.closed:
            return None
        return round(self.close_days / self.closed, 1)


class DaysBetween(Func):
    """`end - start` in days, as a float, in SQL (SQLite: julianday; PostgreSQL: epoch).

    Django's duration arithmetic on SQLite calls a Python function per row, which at 500,000
    hazards cost seconds; both databases do this natively.
    """

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)",
            arg_joiner=" - ",
            **extra,
        )


class ClosedOnTime(Func):
    """The hazard was closed on or before its deadline day (local time)."""

    output_field = BooleanField()

    def __init__(self) -> None:
        super().__init__(F("closed_at"), F("deadline"))

    def _parts(self, compiler: Any) -> tuple[str, str, tuple[Any, ...]]:
        closed, cparams = compiler.compile(self.source_expressions[0])
        deadline, dparams = compiler.compile(self.source_expressions[1])
        return closed, deadline, (*cparams, *dparams)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Stored in UTC; shift into the local day with the zone's current offset (China has
        # no daylight saving time).
        offset = timezone.localtime().utcoffset() or dt.timedelta()
        minutes = int(offset.total_seconds() // 60)
        closed, deadline, params = self._parts(compiler)
        return f"(date({closed}, '{minutes:+d} minutes') <= {deadline})", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        zone = timezone.get_current_timezone_name().replace("'", "")
        closed, deadline, params = self._parts(compiler)
        return f"(({closed} AT TIME ZONE '{zone}')::date <= {deadline})", params


def aggregate(qs: Any, group: str, today: dt.date) -> list[dict[str, Any]]:
    """One grouped query: per (group, category) totals, open, overdue, closed, on time, days."""
    closed = Q(state=HazardState.CLOSED)
    return list(
        qs.order_by()
        .values(group, "category")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(state__in=OPEN_STATES)),
            overdue=Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lt=today)),
            closed=Count("pk", filter=closed),
            on_time=Count("pk", filter=closed & Q(ClosedOnTime())),
            close_days=Sum(DaysBetween(F("closed_at"), F("found_at")), filter=closed),
        )
    )


def summarize(
    rows: list[dict[str, Any]], key: str, names: dict[Any, str]
) -> tuple[list[Figures], list[Figures], Figures]:
    """Rows per group (most open first), per category, and the total."""
    groups: dict[Any, Figures] = {}
    categories = {c: Figures(c, str(label)) for c, label in HazardCategory.choices}
    total = Figures(None, _("Total"))
    for row in rows:
        g = groups.setdefault(row[key], Figures(row[key], names.get(row[key]) or _("(none)")))
        g.add(row)
        categories[row["category"]].add(row)
        total.add(row)
    ordered = sorted(groups.values(), key=lambda f: (-f.open, -f.total, f.name))
    return ordered, [c for c in categories.values() if c.total], total


DASHBOARDS = {
    "town": ("building__region__town_id", Region, "town"),
    "unit": ("responsible_org_id", Organization, "unit"),
}


@login_required
def dashboard(request: HttpRequest, by: str = "town") -> HttpResponse:
    """Per town (or per responsible unit): open, overdue, closed on time, days to close."""
    require_scope(request)
    group, model, param = DASHBOARDS[by]
    filterset = HazardFilterSet(
        request.GET or None, queryset=Hazard.objects.visible_to(request.user), request=request
    )
    qs = filterset.qs if not filterset.is_bound or filterset.is_valid() else Hazard.objects.none()
    today = timezone.localdate()
    rows = aggregate(qs, group, today)
    # Names in a second, small query: joining them into the aggregate made it group by text.
    names = dict(
        model.objects.filter(pk__in={r[group] for r in rows if r[group]}).values_list("pk", "name")
    )
    groups, categories, total = summarize(rows, group, names)
    return render(
        request,
        "hazards/dashboard.html",
        {
            "title": _("Hazards by town") if by == "town" else _("Hazards by responsible unit"),
            "by": by,
            "param": param,
            "filter": filterset,
            "groups": groups,
            "categories": categories,
            "category_labels": dict(HazardCategory.choices),
            "total": total,
            "list_url": reverse("hazards:hazard_list"),
        },
    )


@login_required
def hazard_map(request: HttpRequest) -> HttpResponse:
    require_scope(request)
    filterset = HazardFilterSet(
        request.GET or None, queryset=Hazard.objects.none(), request=request
    )
    return render(
        request,
        "hazards/hazard_map.html",
        {
            "filter": filterset,
            "title": _("Hazard map"),
            "tile_url": settings.TOWERWATCH_MAP_TILE_URL,
            "tile_attribution": settings.TOWERWATCH_MAP_ATTRIBUTION,
            "data_url": reverse("hazards:hazard_map_data")
            + ("?" + request.GET.urlencode() if request.GET else ""),
        },
    )


@login_required
def hazard_map_data(request: HttpRequest) -> JsonResponse:
    """One point per building with open hazards: [id, lat, lon, open, major, overdue, name]."""
    require_scope(request)
    filterset = HazardFilterSet(
        request.GET, queryset=Hazard.objects.visible_to(request.user), request=request
    )
    if not filterset.is_valid():
        return JsonResponse({"errors": filterset.errors}, status=400)
    today = timezone.localdate()
    rows = (
        filterset.qs.filter(state__in=OPEN_STATES)
        .exclude(building__lat=None)
        .order_by()
        .values("building_id", "building__name")
        .annotate(
            y=Cast("building__lat", FloatField()),
            x=Cast("building__lon", FloatField()),
            n=Count("pk"),
            major=Count("pk", filter=Q(severity=Severity.MAJOR)),
            overdue=Count("pk", filter=Q(deadline__lt=today)),
        )
    )
    gcj = settings.TOWERWATCH_MAP_TILE_CRS == "gcj02"
    points = []
    for r in rows:
        y, x = r["y"], r["x"]
        if gcj:
            x, y = wgs84_to_gcj02(x, y)
        points.append(
            [
                r["building_id"],
                round(y, 6),
                round(x, 6),
                r["n"],
                r["major"],
                r["overdue"],
                r["building__name"],
            ]
        )
    body = json.dumps(
        {"crs": settings.TOWERWATCH_MAP_TILE_CRS, "points": points}, ensure_ascii=False
    )
    return HttpResponse(body, content_type="application/json")


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """What the user must do today, from every app's work provider (core.work)."""
    scope = require_scope(request)
    today = timezone.localdate()
    sections = work_for(request.user, scope, today)
    return render(
        request,
        "hazards/my_work.html",
        {"title": _("My work"), "sections": sections, "today": today},
    )
