"""Building file pages: list, map, detail tabs, edit, responsibility chain, fire systems, QR."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import FloatField, Prefetch
from django.db.models.functions import Cast
from django.forms import modelformset_factory
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from towerwatch.core.geo import wgs84_to_gcj02
from towerwatch.core.models import AuditEvent, AuditKind
from towerwatch.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    require_scope,
)
from towerwatch.core.widgets import suggest_query
from towerwatch.organizations.models import Person
from towerwatch.organizations.validators import mask_phone

from . import actions, signs
from .choices import ResponsibilityRole
from .filtersets import BuildingFilterSet
from .forms import BuildingForm, FireSystemForm, ResponsibilityForm
from .models import Building, FireSystem, Responsibility
from .search import search
from .tables import BuildingTable

EXPORT_COLUMNS = [
    (_("building code"), lambda b: b.code),
    (_("name"), lambda b: b.name),
    (_("address"), lambda b: b.address),
    (_("town / street / platform"), lambda b: b.region.town.name if b.region.town else ""),
    (_("community"), lambda b: b.region.community.name if b.region.community else ""),
    (_("grid"), lambda b: b.region.name if b.region.kind == "grid" else ""),
    (_("longitude"), lambda b: float(b.lon) if b.lon is not None else None),
    (_("latitude"), lambda b: float(b.lat) if b.lat is not None else None),
    (_("height (m)"), lambda b: float(b.height_m)),
    (_("storeys above ground"), lambda b: b.storeys_above),
    (_("storeys below ground"), lambda b: b.storeys_below),
    (_("main use"), lambda b: b.get_use_display()),
    (_("category"), lambda b: b.get_category_display()),
    (_("class"), lambda b: b.get_fire_class_display()),
    (_("super high-rise"), lambda b: b.is_super_high_rise),
    (_("year completed"), lambda b: b.year_completed),
    (_("old residential"), lambda b: b.is_old_residential),
    (_("managing company"), lambda b: ", ".join(r.organization.name for r in b.managers)),
    (_("registration completeness (%)"), lambda b: b.completeness),
]


def with_managers(qs: Any) -> Any:
    managers = Responsibility.objects.filter(role=ResponsibilityRole.MANAGER).select_related(
        "organization"
    )
    return qs.select_related("region", "region__town", "region__community").prefetch_related(
        Prefetch("responsibilities", queryset=managers, to_attr="managers")
    )


class BuildingListView(ObjectListView):
    model = Building
    table_class = BuildingTable
    filterset_class = BuildingFilterSet
    template_name = "buildings/building_list.html"
    export_columns = EXPORT_COLUMNS
    export_basename = "buildings"

    def scoped_queryset(self) -> Any:
        return with_managers(super().scoped_queryset())

    def can_add(self) -> bool:
        return require_scope(self.request).can_register_buildings

    def get_add_url(self) -> str:
        return reverse("buildings:building_add")


class BuildingDetailView(ObjectDetailView):
    model = Building

    def scoped_queryset(self) -> Any:
        return (
            super().scoped_queryset().select_related("region", "region__town", "region__community")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        b = self.object
        scope = require_scope(self.request)
        links = list(
            b.responsibilities.select_related("organization", "person", "person__organization")
        )
        ctx["responsibilities"] = links
        ctx["missing_roles"] = [ResponsibilityRole(r).label for r in b.missing_roles]
        ctx["fire_systems"] = list(b.fire_systems.all())
        ctx["sectors"] = list(b.sectors.all())
        ctx["contracts"] = list(b.service_contracts.select_related("company"))
        ctx["devices"] = list(b.devices.all())
        ctx["events"] = list(b.events.order_by("-at", "-id")[:50])
        ctx["show_phones"] = scope.sees_phones
        ctx["can_delete"] = scope.can_delete
        ctx["responsibility_form"] = ResponsibilityForm(building=b, user=self.request.user)
        ctx["qr_svg"] = signs.qr_svg(public_link(b))
        ctx["public_link"] = public_link(b)
        people = [r.person.pk for r in links if r.person and r.person.phone]
        if scope.sees_phones and people:
            AuditEvent.objects.create(
                user=self.request.user,
                request_id=self.request.id,
                kind=AuditKind.UNMASK,
                detail={"building": b.pk, "people": people},
            )
        return ctx


def public_link(building: Building) -> str:
    return settings.TOWERWATCH_PUBLIC_URL.rstrip("/") + building.public_url


class BuildingEditView(ObjectEditView):
    model = Building
    form_class = BuildingForm
    template_name = "buildings/building_edit.html"

    def may_write(self, scope: Any) -> bool:
        return scope.can_edit if self.object else scope.can_register_buildings

    def save(self, form: BuildingForm) -> Building:
        building = form.save(commit=False)
        return actions.save_building(
            building, sectors=form.cleaned_data["sectors"], acting_user=self.request.user
        )


class BuildingDeleteView(ObjectDeleteView):
    model = Building

    @property
    def success_url(self) -> str:  # type: ignore[override]
        return reverse("buildings:building_list")

    def delete(self, obj: Building) -> None:
        actions.delete_building(obj, acting_user=self.request.user)


def _editable_building(request: HttpRequest, pk: int) -> Building:
    scope = require_scope(request)
    try:
        building = Building.objects.visible_to(request.user).get(pk=pk)
    except Building.DoesNotExist:
        raise Http404 from None
    if not scope.can_edit:
        raise PermissionDenied(_("Your role may not change these records."))
    return building


@login_required
@require_POST
def responsibility_add(request: HttpRequest, pk: int) -> HttpResponse:
    building = _editable_building(request, pk)
    form = ResponsibilityForm(request.POST, building=building, user=request.user)
    if form.is_valid():
        try:
            with transaction.atomic():
                data = form.cleaned_data
                link = Responsibility(
                    building=building,
                    role=data["role"],
                    organization=data["organization"],
                    person=data["person"],
                    note=data["note"],
                )
                if link.person is None and data.get("new_person_name"):
                    link.person = _new_person(request, data)
                actions.assign_responsibility(link, acting_user=request.user)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, _("Added: %(link)s") % {"link": link})
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return HttpResponseRedirect(building.get_absolute_url() + "?tab=responsibility")


def _new_person(request: HttpRequest, data: dict[str, Any]) -> Person:
    from towerwatch.organizations.actions import save_person

    scope = require_scope(request)
    person = Person(
        name=data["new_person_name"],
        phone=data.get("new_person_phone", ""),
        title=data.get("new_person_title", ""),
        registered_by_id=scope.organization_id,
    )
    return save_person(person, acting_user=request.user)


@login_required
@require_POST
def responsibility_remove(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    building = _editable_building(request, pk)
    try:
        link = building.responsibilities.get(pk=link_pk)
    except Responsibility.DoesNotExist:
        raise Http404 from None
    actions.remove_responsibility(link, acting_user=request.user)
    messages.success(request, _("Removed: %(link)s") % {"link": link})
    return HttpResponseRedirect(building.get_absolute_url() + "?tab=responsibility")


FireSystemFormSet = modelformset_factory(FireSystem, form=FireSystemForm, extra=0)


@login_required
def fire_systems_edit(request: HttpRequest, pk: int) -> HttpResponse:
    building = _editable_building(request, pk)
    qs = building.fire_systems.all()
    formset = FireSystemFormSet(
        request.POST or None, queryset=qs, form_kwargs={"user": request.user}
    )
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            for form in formset.forms:
                if form.has_changed():
                    actions.save_fire_system(form.save(commit=False), acting_user=request.user)
        messages.success(request, _("Fire systems saved."))
        return HttpResponseRedirect(building.get_absolute_url() + "?tab=systems")
    return render(
        request,
        "buildings/fire_systems_edit.html",
        {"object": building, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def building_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable QR sign (PDF, A4 or A5)."""
    require_scope(request)
    try:
        b = Building.objects.visible_to(request.user).get(pk=pk)
    except Building.DoesNotExist:
        raise Http404 from None
    size = request.GET.get("size", "A4").upper()
    if size not in {"A4", "A5"}:
        size = "A4"
    manager = _posted_manager(b)
    pdf = signs.sign_pdf(
        code=b.code,
        name=b.name,
        address=b.address,
        class_label=class_label(b),
        citation=class_citation(b),
        manager_name=manager.name if manager else "—",
        manager_phone_masked=mask_phone(manager.phone) if manager else "",
        url=public_link(b),
        district_name=_district_name(b),
        page_size=size,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{b.code}-{size}.pdf"'
    return response


def _posted_manager(b: Building) -> Person | None:
    link = (
        b.responsibilities.filter(role=ResponsibilityRole.SAFETY_MANAGER)
        .select_related("person")
        .first()
    )
    return link.person if link else None


def _district_name(b: Building) -> str:
    from towerwatch.organizations.models import Region

    district_id = int(b.region.path.strip("/").split("/")[0])
    return Region.objects.filter(pk=district_id).values_list("name", flat=True).first() or ""


def class_label(b: Building) -> str:
    if not b.is_high_rise:
        return _("%(cat)s building, not high-rise") % {"cat": b.get_category_display()}
    label = _("%(cls)s %(cat)s building") % {
        "cls": b.get_fire_class_display(),
        "cat": b.get_category_display(),
    }
    return f"{label}（{_('super high-rise')}）" if b.is_super_high_rise else label


def class_citation(b: Building) -> str:
    seen: list[str] = []
    for reason in b.classification_reasons:
        if reason["citation"] not in seen:
            seen.append(reason["citation"])
    return "；".join(seen)


def public_building(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code opens: public facts, no login (一楼一码)."""
    try:
        b = Building.objects.select_related("region", "region__town").get(public_token=token)
    except Building.DoesNotExist:
        raise Http404 from None
    manager = _posted_manager(b)
    return render(
        request,
        "buildings/public_building.html",
        {
            "b": b,
            "class_label": class_label(b),
            "reasons": b.classification_reasons,
            "manager": manager,
            "manager_phone": mask_phone(manager.phone) if manager else "",
            "systems": b.fire_systems.filter(present=True),
        },
    )


@login_required
def building_map(request: HttpRequest) -> HttpResponse:
    require_scope(request)
    filterset = BuildingFilterSet(
        request.GET or None, queryset=Building.objects.none(), request=request
    )
    return render(
        request,
        "buildings/building_map.html",
        {
            "filter": filterset,
            "tile_url": settings.TOWERWATCH_MAP_TILE_URL,
            "tile_attribution": settings.TOWERWATCH_MAP_ATTRIBUTION,
            "data_url": reverse("buildings:building_map_data")
            + ("?" + request.GET.urlencode() if request.GET else ""),
        },
    )


JSON_POINTS_SQL = {
    "sqlite": "SELECT json_group_array(json_array(t.pk, t.y, t.x, t.fire_class)) FROM ({}) t",
    "postgresql": "SELECT json_agg(json_build_array(t.pk, t.y, t.x, t.fire_class))::text FROM ({}) t",
}


@login_required
def building_map_data(request: HttpRequest) -> JsonResponse:
    """Compact map points [id, lat, lon, class] for the filtered, scoped buildings.

    Coordinates are stored in WGS84 and converted to GCJ-02 when the tile layer needs it.
    """
    require_scope(request)
    filterset = BuildingFilterSet(
        request.GET, queryset=Building.objects.visible_to(request.user), request=request
    )
    if not filterset.is_valid():
        return JsonResponse({"errors": filterset.errors}, status=400)
    # Raw rows straight from the cursor: at 50,000 points the ORM's per-value converters
    # cost more than the query itself.
    rows = (
        filterset.qs.exclude(lat=None)
        .annotate(y=Cast("lat", FloatField()), x=Cast("lon", FloatField()))
        .values_list("pk", "y", "x", "fire_class")
        .order_by()
    )
    sql, params = rows.query.sql_with_params()
    crs = settings.TOWERWATCH_MAP_TILE_CRS
    with connection.cursor() as cursor:
        if crs == "gcj02":
            cursor.execute(sql, params)
            points = json.dumps([(pk, *_gcj(y, x), cls) for pk, y, x, cls in cursor.fetchall()])
        else:
            # The database builds the JSON array itself (C speed in SQLite and PostgreSQL).
            cursor.execute(JSON_POINTS_SQL[connection.vendor].format(sql), params)
            points = cursor.fetchone()[0] or "[]"
    body = f'{{"crs":"{crs}","points":{points}}}'
    return HttpResponse(body, content_type="application/json")


@login_required
def building_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The small card a map marker opens."""
    require_scope(request)
    try:
        b = Building.objects.visible_to(request.user).select_related("region__town").get(pk=pk)
    except Building.DoesNotExist:
        raise Http404 from None
    return render(request, "buildings/partials/_card.html", {"b": b, "class_label": class_label(b)})


def _gcj(lat: float, lon: float) -> tuple[float, float]:
    x, y = wgs84_to_gcj02(lon, lat)
    return round(y, 6), round(x, 6)


@login_required
def building_suggest(request: HttpRequest) -> HttpResponse:
    """Autocomplete suggestions: visible buildings matching code, name or address."""
    from django.utils.html import format_html_join

    require_scope(request)
    query = suggest_query(request)
    qs = search(Building.objects.visible_to(request.user), query)
    rows = qs.order_by("code").values_list("pk", "code", "name")[:20]
    return HttpResponse(
        format_html_join(
            "",
            '<option value="{} {}" data-id="{}"></option>',
            ((code, name, pk) for pk, code, name in rows),
        )
    )
