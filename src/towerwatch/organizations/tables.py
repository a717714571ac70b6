from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from towerwatch.core.tables import Column, Table


class OrganizationTable(Table):
    default_order = "name"
    columns = (
        Column("name", _("name"), lambda o: o.name, order_by="name", link=True),
        Column("kind", _("kind"), lambda o: o.get_kind_display(), order_by="kind"),
        Column(
            "credit_code",
            _("unified social credit code"),
            lambda o: o.credit_code,
            order_by="credit_code",
        ),
        Column("region", _("Region"), lambda o: o.region.name if o.region_id else ""),
        Column("phone", _("phone"), lambda o: o.phone),
    )


class PersonTable(Table):
    default_order = "name"

    def __init__(self, queryset: Any, query: QueryDict, *, show_phones: bool = False) -> None:
        phone = (lambda p: p.phone) if show_phones else (lambda p: p.masked_phone)
        self.columns = (
            Column("name", _("name"), lambda p: p.name, order_by="name", link=True),
            Column("title", _("title / post"), lambda p: p.title, order_by="title"),
            Column(
                "organization",
                _("Organization"),
                lambda p: p.organization.name if p.organization_id else "",
                order_by="organization__name",
            ),
            Column("phone", _("Phone"), phone),
        )
        super().__init__(queryset, query)


class RegionTable(Table):
    default_order = "path"
    columns = (
        Column("code", _("code"), lambda r: r.code, order_by="code"),
        Column("name", _("name"), lambda r: r.name, order_by="name", link=True),
        Column("kind", _("kind"), lambda r: r.get_kind_display(), order_by="kind"),
        Column("parent", _("Parent"), lambda r: r.parent.name if r.parent_id else ""),
        Column(
            "buildings",
            _("Buildings"),
            lambda r: r.building_count,
            order_by="building_count",
            css="text-end",
        ),
    )
