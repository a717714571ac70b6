"""Excel import of building files (with the managing company and owner)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from towerwatch.core.importing import (
    Column,
    Importer,
    ImportResult,
    RowError,
    import_page,
    parse_bool,
    template_download,
)
from towerwatch.core.views import require_scope
from towerwatch.organizations.choices import TOWN_LEVEL, RegionKind, SectorCode
from towerwatch.organizations.models import Organization, Region
from towerwatch.rules.ruleset import RuleSet

from . import actions
from .choices import BuildingUse, ManagingArrangement, ResponsibilityRole, Stage
from .models import Building, Responsibility


def choice_lookup(choices: Any) -> dict[str, str]:
    """Accept a choice's code or its label (Chinese or English) in a cell."""
    from django.utils import translation

    lookup: dict[str, str] = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for value, label in choices.choices:
                lookup[str(label).strip().lower()] = value
    for value in choices.values:
        lookup[value.lower()] = value
    return lookup


class BuildingImporter(Importer):
    sheet_title = "buildings"
    audit_name = "buildings"
    columns = [
        Column(
            "建筑编码",
            "code",
            help=gettext_lazy(
                "Leave empty for a new building; an existing code updates that building."
            ),
            example="",
        ),
        Column("建筑名称", "name", required=True, example="滨江花园3栋"),
        Column("地址", "address", required=True, example="几江街道滨江路88号"),
        Column(
            "镇街/平台",
            "town",
            required=True,
            help=gettext_lazy("Name or code of the town, street or platform."),
            example="几江街道",
        ),
        Column("社区/村", "community", help=gettext_lazy("Name or code; optional."), example=""),
        Column("网格", "grid", help=gettext_lazy("Name or code; optional."), example=""),
        Column("经度", "lon", help=gettext_lazy("WGS84 decimal degrees."), example=106.2551),
        Column("纬度", "lat", help=gettext_lazy("WGS84 decimal degrees."), example=29.2912),
        Column("建筑高度(m)", "height_m", required=True, example=78.5),
        Column("地上层数", "storeys_above", required=True, example=26),
        Column("地下层数", "storeys_below", example=2),
        Column(
            "主要用途",
            "use",
            required=True,
            help=gettext_lazy("One of the use names, e.g. 住宅, 办公, 商店/商场."),
            example="住宅",
        ),
        Column(
            "行业领域",
            "sectors",
            help=gettext_lazy("Sector names separated by commas."),
            example="住宅",
        ),
        Column("总建筑面积(m²)", "total_area_m2", example=23000),
        Column("24m以上最大楼层面积(m²)", "largest_storey_area_m2", example=880),
        Column("竣工年份", "year_completed", example=2012),
        Column("阶段", "stage", example="使用中"),
        Column("老旧住宅", "is_old_residential", help=gettext_lazy("是 / 否"), example="否"),
        Column("重要公共建筑", "important_public", help=gettext_lazy("是 / 否"), example="否"),
        Column("藏书(册)", "library_volumes", example=""),
        Column("管理方式", "managing_arrangement", example="物业服务企业"),
        Column(
            "物业服务企业/管理单位",
            "manager",
            help=gettext_lazy("Name or unified social credit code of a registered organization."),
            example="",
        ),
        Column(
            "业主单位",
            "owner",
            help=gettext_lazy("Name or unified social credit code of a registered organization."),
            example="",
        ),
    ]

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        self.rules = RuleSet.current()
        regions = list(Region.objects.visible_to(self.user).select_related("town", "community"))
        self.towns: dict[str, Region] = {}
        self.below: dict[tuple[int, str], Region] = {}
        for r in regions:
            if r.kind in TOWN_LEVEL:
                self.towns[r.name] = self.towns[r.code] = r
            elif r.town_id:
                self.below[(r.town_id, r.name)] = self.below[(r.town_id, r.code)] = r
        orgs = Organization.objects.visible_to(self.user).only("pk", "name", "credit_code")
        self.orgs: dict[str, Organization] = {}
        for o in orgs:
            self.orgs.setdefault(o.name, o)
            if o.credit_code:
                self.orgs[o.credit_code] = o
        codes = [r["code"] for _n, r in rows if r.get("code")]
        self.existing = {
            b.code: b for b in Building.objects.visible_to(self.user).filter(code__in=codes)
        }
        self.taken = set(Building.objects.filter(code__in=codes).values_list("code", flat=True))
        self.uses = choice_lookup(BuildingUse)
        self.sector_lookup = choice_lookup(SectorCode)
        self.stages = choice_lookup(Stage)
        self.arrangements = choice_lookup(ManagingArrangement)
        self.seen_codes: set[str] = set()

    def build_row(self, r: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}

        def err(key: str, message: str) -> None:
            errors.setdefault(key, []).append(message)

        code = str(r["code"]).strip() if r.get("code") else ""
        if code:
            if code in self.seen_codes:
                err(
                    "code",
                    _("The building code %(code)s appears twice in this file.") % {"code": code},
                )
            self.seen_codes.add(code)
            if code in self.taken and code not in self.existing:
                err(
                    "code",
                    _("The building code %(code)s is already used by another building.")
                    % {"code": code},
                )
        building = self.existing.get(code) or Building(code=code)
        region = self._region(r, err)
        if region is not None:
            building.region = region
        for key in ("name", "address"):
            setattr(building, key, str(r.get(key) or ""))
        for key in ("lon", "lat", "height_m", "total_area_m2", "largest_storey_area_m2"):
            setattr(building, key, _decimal(r.get(key), key, err))
        for key in ("storeys_above", "storeys_below", "year_completed", "library_volumes"):
            setattr(building, key, _integer(r.get(key), key, err))
        if building.storeys_below is None:
            building.storeys_below = 0
        building.use = self._choice(self.uses, r.get("use"), "use", err, required=True)
        building.stage = self._choice(self.stages, r.get("stage"), "stage", err) or Stage.IN_USE
        building.managing_arrangement = (
            self._choice(
                self.arrangements, r.get("managing_arrangement"), "managing_arrangement", err
            )
            or ManagingArrangement.NONE
        )
        building.is_old_residential = parse_bool(r.get("is_old_residential"))
        building.important_public = parse_bool(r.get("important_public"))
        sectors = []
        for part in str(r.get("sectors") or "").replace("，", ",").replace("、", ",").split(","):
            if part.strip():
                value = self.sector_lookup.get(part.strip().lower())
                if value is None:
                    err("sectors", _("Unknown sector: %(s)s") % {"s": part.strip()})
                else:
                    sectors.append(value)
        links = {}
        for key, role in (
            ("manager", ResponsibilityRole.MANAGER),
            ("owner", ResponsibilityRole.OWNER),
        ):
            if r.get(key):
                org = self.orgs.get(str(r[key]).strip())
                if org is None:
                    err(
                        key,
                        _(
                            "No registered organization named %(n)s (register it first, or import organizations)."
                        )
                        % {"n": r[key]},
                    )
                else:
                    links[role] = org
        try:
            building.full_clean(
                # The region was resolved from the user's visible regions above; the height
                # range constraint is the same as the field validators, which do run.
                exclude=["code", "region"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for key, msgs in exc.message_dict.items():
                if key not in errors:  # the cell's own error already says it
                    for m in msgs:
                        err(key, m)
        if errors:
            raise ValidationError(errors)
        return {"building": building, "sectors": sectors, "links": links}

    def _region(self, r: dict[str, Any], err: Any) -> Region | None:
        town = self.towns.get(str(r.get("town") or "").strip())
        if town is None:
            err(
                "town",
                _("Unknown town, street or platform (or outside your area): %(t)s")
                % {"t": r.get("town")},
            )
            err("region", "")
            return None
        region = town
        for key, what in (
            ("community", RegionKind.COMMUNITY.label),
            ("grid", RegionKind.GRID.label),
        ):
            if r.get(key):
                found = self.below.get((town.pk, str(r[key]).strip()))
                if found is None:
                    err(
                        key,
                        _("%(name)s is not a %(what)s of %(town)s")
                        % {"name": r[key], "what": what, "town": town.name},
                    )
                    return None
                region = found
        return region

    def _choice(
        self, lookup: dict[str, str], value: Any, key: str, err: Any, required: bool = False
    ) -> str:
        if value in (None, ""):
            if required:
                err(key, _("This field is required."))
            return ""
        found = lookup.get(str(value).strip().lower())
        if found is None:
            err(key, _("Unknown value: %(v)s") % {"v": value})
            return ""
        return found

    def write(
        self, built: list[tuple[int, Any]], result: ImportResult, *, valid_only: bool
    ) -> bool:
        """New buildings in one set-based step; changes to existing ones row by row."""
        new = [(n, item) for n, item in built if item["building"].pk is None]
        existing = [(n, item) for n, item in built if item["building"].pk is not None]
        entries = [
            (
                item["building"],
                item["sectors"],
                [
                    Responsibility(role=role, organization=org)
                    for role, org in item["links"].items()
                ],
            )
            for _n, item in new
        ]
        try:
            actions.register_buildings(entries, acting_user=self.user, rules=self.rules)
        except Http404:
            for number, _item in new:
                result.errors.append(
                    RowError(number, "镇街/平台", _("This building would be outside your area."))
                )
            return False
        result.created += len(new)
        return super().write(existing, result, valid_only=valid_only)

    def write_row(self, item: dict[str, Any]) -> bool:
        building: Building = item["building"]
        created = building.pk is None
        try:
            actions.save_building(
                building, sectors=item["sectors"], acting_user=self.user, rules=self.rules
            )
        except Http404:
            raise ValidationError(
                {"town": _("This building would be outside your area.")}
            ) from None
        for role, org in item["links"].items():
            if not building.responsibilities.filter(role=role, organization=org).exists():
                actions.assign_responsibility(
                    Responsibility(building=building, role=role, organization=org),
                    acting_user=self.user,
                )
        return created


def _decimal(value: Any, key: str, err: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return (
            Decimal(str(value)).quantize(Decimal("0.000001"))
            if key in ("lon", "lat")
            else Decimal(str(value))
        )
    except InvalidOperation:
        err(key, _("Not a number: %(v)s") % {"v": value})
        return None


def _integer(value: Any, key: str, err: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        err(key, _("Not a whole number: %(v)s") % {"v": value})
        return None
    if number != int(number) or number < 0:
        err(key, _("Not a whole number: %(v)s") % {"v": value})
        return None
    return int(number)


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    if not require_scope(request).can_register_buildings:
        raise PermissionDenied(_("Your role may not import building files."))
    return import_page(
        request,
        BuildingImporter(request.user),
        title=_("Import building files from Excel"),
        template_url=reverse("buildings:building_import_template"),
    )


@login_required
def template_view(request: HttpRequest) -> HttpResponse:
    require_scope(request)
    return template_download(BuildingImporter(request.user), "towerwatch-buildings-template.xlsx")
