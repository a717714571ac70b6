from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from towerwatch.core.tables import Column, Table


def _when(value: object) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i:s") if value else ""


class DeviceTable(Table):
    default_order = "-last_seen"
    columns = (
        Column("address", _("address"), lambda d: d.address, order_by="address", link=True),
        Column("name", _("name"), lambda d: d.name),
        Column(
            "building",
            _("building"),
            lambda d: d.building.name if d.building_id else _("not bound"),
        ),
        Column("last_seen", _("last seen"), lambda d: _when(d.last_seen), order_by="last_seen"),
        Column("first_seen", _("first seen"), lambda d: _when(d.first_seen), order_by="first_seen"),
    )


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


class BuildingRateTable(Table):
    """A ranking whose rows are aggregates keyed by `building` (see `stats.ranked`): sorted
    and paginated in the database, then the page's buildings are fetched in one query."""

    def __init__(self, queryset: Any, query: Any) -> None:
        self.query = query
        sort = query.get("sort", "")
        key = sort.lstrip("-")
        orderable = {c.name: c.order_by for c in self.columns if c.order_by}
        self.sort = sort if key in orderable else ""
        if self.sort:
            field = orderable[key]
            first = f"-{field}" if sort.startswith("-") else field
        else:
            first = self.default_order
        # Ties by building (never by a case's pk, which would split the groups).
        self.queryset = queryset.order_by(first, "building")
        self.paginator = Paginator(self.queryset, self.per_page)

    def rows(self, page: Any) -> list[list[tuple[str, Any]]]:
        from towerwatch.buildings.models import Building

        rows = list(page.object_list)
        buildings = Building.objects.select_related("region__town").in_bulk(
            [r["building"] for r in rows]
        )
        objects = []
        for r in rows:
            b = buildings[r["building"]]
            for k, v in r.items():
                if k != "building":
                    setattr(b, k, v)
            objects.append(b)
        page.object_list = objects
        return super().rows(page)


def _town(b: Any) -> str:
    return b.region.town.name if b.region.town_id else ""


class FalseAlarmTable(BuildingRateTable):
    """Buildings ranked by the share of their fire alarms closed as false alarms."""

    default_order = "-fa_rate"
    columns = (
        Column("code", _("building code"), lambda b: b.code, order_by="building__code", link=True),
        Column("name", _("name"), lambda b: b.name, order_by="building__name"),
        Column("town", _("town / street"), _town),
        Column("fa_cases", _("decided fire alarms"), lambda b: b.fa_cases, order_by="fa_cases"),
        Column("fa_false", _("false alarms"), lambda b: b.fa_false, order_by="fa_false"),
        Column("fa_rate", _("false-alarm rate"), lambda b: _percent(b.fa_rate), order_by="fa_rate"),
    )


def _seconds(check: Any) -> Any:
    seconds = check.answer_seconds
    return "" if seconds is None else round(seconds)


class DutyCheckTable(Table):
    default_order = "-requested_at"
    columns = (
        Column(
            "requested_at", _("requested"), lambda c: _when(c.requested_at), order_by="requested_at"
        ),
        Column(
            "building",
            _("building"),
            lambda c: (
                format_html(
                    '<a href="{}?tab=monitoring">{}</a>',
                    c.device.building.get_absolute_url(),
                    c.device.building.name,
                )
                if c.device.building_id
                else ""
            ),
        ),
        Column(
            "device",
            _("device"),
            lambda c: format_html('<a href="{}">{}</a>', c.device.get_absolute_url(), c.device),
        ),
        Column(
            "origin",
            _("asked by"),
            lambda c: c.requested_by or (_("schedule") if c.scheduled_for else ""),
        ),
        Column("state", _("state"), lambda c: c.get_state_display(), order_by="state"),
        Column("sent_at", _("sent"), lambda c: _when(c.sent_at)),
        Column("answered_at", _("answered"), lambda c: _when(c.answered_at)),
        Column("seconds", _("seconds to answer"), _seconds),
    )


class DutyRateTable(BuildingRateTable):
    default_order = "dc_rate"
    columns = (
        Column("code", _("building code"), lambda b: b.code, order_by="device__building__code"),
        Column(
            "name",
            _("name"),
            lambda b: format_html(
                '<a href="{}?tab=monitoring">{}</a>', b.get_absolute_url(), b.name
            ),
            order_by="device__building__name",
        ),
        Column("town", _("town / street"), _town),
        Column("dc_asked", _("checks asked"), lambda b: b.dc_asked, order_by="dc_asked"),
        Column("dc_answered", _("answered"), lambda b: b.dc_answered, order_by="dc_answered"),
        Column("dc_rate", _("answer rate"), lambda b: _percent(b.dc_rate), order_by="dc_rate"),
    )
