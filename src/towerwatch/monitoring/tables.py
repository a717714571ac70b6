from __future__ import annotations

from typing import Any

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


class FalseAlarmTable(Table):
    """Buildings ranked by the share of their fire alarms closed as false alarms."""

    default_order = "-fa_rate"
    columns = (
        Column("code", _("building code"), lambda b: b.code, order_by="code", link=True),
        Column("name", _("name"), lambda b: b.name, order_by="name"),
        Column(
            "town", _("town / street"), lambda b: b.region.town.name if b.region.town_id else ""
        ),
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


class DutyRateTable(Table):
    default_order = "dc_rate"
    columns = (
        Column("code", _("building code"), lambda b: b.code, order_by="code"),
        Column(
            "name",
            _("name"),
            lambda b: format_html(
                '<a href="{}?tab=monitoring">{}</a>', b.get_absolute_url(), b.name
            ),
            order_by="name",
        ),
        Column(
            "town", _("town / street"), lambda b: b.region.town.name if b.region.town_id else ""
        ),
        Column("dc_asked", _("checks asked"), lambda b: b.dc_asked, order_by="dc_asked"),
        Column("dc_answered", _("answered"), lambda b: b.dc_answered, order_by="dc_answered"),
        Column("dc_rate", _("answer rate"), lambda b: _percent(b.dc_rate), order_by="dc_rate"),
    )
