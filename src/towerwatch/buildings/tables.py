from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from towerwatch.core.tables import Column, Table

from .models import Building

CLASS_BADGE = {"class1": "danger", "class2": "warning", "none": "secondary"}


def _class_badge(b: Building) -> str:
    extra = (
        format_html(' <span class="badge text-bg-dark">{}</span>', _("super"))
        if b.is_super_high_rise
        else ""
    )
    return format_html(
        '<span class="badge text-bg-{}">{}</span>{}',
        CLASS_BADGE.get(b.fire_class, "secondary"),
        b.get_fire_class_display(),
        extra,
    )


def _completeness(b: Building) -> str:
    colour = (
        "success" if b.completeness == 100 else ("warning" if b.completeness >= 50 else "danger")
    )
    return format_html('<span class="text-{}">{}%</span>', colour, b.completeness)


class BuildingTable(Table):
    default_order = "code"
    columns = (
        Column("code", _("Code"), lambda b: b.code, order_by="code", link=True),
        Column("name", _("name"), lambda b: b.name, order_by="name", link=True),
        Column(
            "town",
            _("Town / street"),
            lambda b: b.region.town.name if b.region.town_id else "",
            order_by="region__town__code",
        ),
        Column(
            "height", _("Height (m)"), lambda b: b.height_m, order_by="height_m", css="text-end"
        ),
        Column(
            "storeys",
            _("Storeys"),
            lambda b: b.storeys_above,
            order_by="storeys_above",
            css="text-end",
        ),
        Column("class", _("Class"), _class_badge, order_by="fire_class"),
        Column("use", _("main use"), lambda b: b.get_use_display(), order_by="use"),
        Column(
            "manager",
            _("Managing company"),
            lambda b: "、".join(r.organization.name for r in b.managers),
        ),
        Column(
            "completeness",
            _("Registration"),
            _completeness,
            order_by="completeness",
            css="text-end",
        ),
    )
