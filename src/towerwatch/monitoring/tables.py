from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
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
