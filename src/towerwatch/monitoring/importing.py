"""Excel import of a device's point list (panels are created as the rows name them)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from towerwatch.core.actions import save_object
from towerwatch.core.importing import Column, Importer, import_page, template_download
from towerwatch.core.views import require_scope

from .models import Device, Panel, Point

HEX8 = re.compile(r"^[0-9a-fA-F]{8}$")


class PointImporter(Importer):
    sheet_title = "points"
    audit_name = "points"
    columns = [
        Column(
            "系统类型",
            "system_type",
            required=True,
            help="GB/T 26875.3 表4 系统类型代码",
            example=1,
        ),
        Column("系统地址", "system_address", required=True, example=1),
        Column(
            "部件类型",
            "component_type",
            required=True,
            help="GB/T 26875.3 表5 部件类型代码",
            example=40,
        ),
        Column(
            "部件地址",
            "address",
            required=True,
            help="4 字节，十六进制，按传输顺序（8 位）",
            example="03001100",
        ),
        Column("说明", "description", example="三楼烟感"),
        Column("楼层", "floor", help="地下为负数", example=3),
        Column("位置", "location", example="三楼东侧走廊"),
    ]

    def __init__(self, user: Any, device: Device) -> None:
        super().__init__(user)
        self.device = device

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        self.panels = {(p.system_type, p.system_address): p for p in self.device.panels.all()}
        self.points = {
            (p.panel_id, p.address): p for p in Point.objects.filter(panel__device=self.device)
        }
        self.seen: set[tuple[int, int, str]] = set()

    def build_row(self, r: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        numbers = {}
        for key, low, high in (
            ("system_type", 0, 255),
            ("system_address", 0, 255),
            ("component_type", 0, 255),
            ("floor", -20, 250),
        ):
            value = r.get(key)
            if value in (None, ""):
                if key != "floor":
                    errors.setdefault(key, []).append(_("This field is required."))
                numbers[key] = None
                continue
            try:
                number = int(float(value))
            except (TypeError, ValueError):
                errors.setdefault(key, []).append(_("Not a whole number: %(v)s") % {"v": value})
                continue
            if not low <= number <= high:
                errors.setdefault(key, []).append(
                    _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}
                )
            numbers[key] = number
        address = str(r.get("address") or "").strip().lower()
        if not HEX8.match(address):
            errors.setdefault("address", []).append(
                _("Four bytes as 8 hex digits, in wire order, e.g. 03001100.")
            )
        key = (numbers.get("system_type"), numbers.get("system_address"), address)
        if key in self.seen:
            errors.setdefault("address", []).append(_("This point appears twice in the file."))
        self.seen.add(key)  # type: ignore[arg-type]
        if errors:
            raise ValidationError(errors)
        return {
            "numbers": numbers,
            "address": address,
            "description": str(r.get("description") or "")[:64],
            "location": str(r.get("location") or "")[:100],
        }

    def write_row(self, item: dict[str, Any]) -> bool:
        n = item["numbers"]
        panel = self.panels.get((n["system_type"], n["system_address"]))
        if panel is None:
            panel = save_object(
                Panel(
                    device=self.device,
                    system_type=n["system_type"],
                    system_address=n["system_address"],
                ),
                acting_user=self.user,
            )
            self.panels[(panel.system_type, panel.system_address)] = panel
        point = self.points.get((panel.pk, item["address"])) or Point(
            panel=panel, address=item["address"]
        )
        created = point.pk is None
        point.component_type, point.floor = n["component_type"], n["floor"]
        point.description, point.location = item["description"], item["location"]
        save_object(point, acting_user=self.user)
        self.points[(panel.pk, point.address)] = point
        return created


def _device_for(request: HttpRequest, pk: int) -> Device:
    from .views import may_bind

    scope = require_scope(request)
    try:
        device = Device.objects.visible_to(request.user).get(pk=pk)
    except Device.DoesNotExist:
        raise Http404 from None
    if not (may_bind(scope) or scope.can_edit):
        raise PermissionDenied(_("Your role may not change these records."))
    return device


@login_required
def import_points(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device_for(request, pk)
    return import_page(
        request,
        PointImporter(request.user, device),
        title=_("Import the point list of %(device)s") % {"device": device},
        template_url=reverse("monitoring:points_template", args=[device.pk]),
    )


@login_required
def points_template(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device_for(request, pk)
    return template_download(PointImporter(request.user, device), "towerwatch-points-template.xlsx")
