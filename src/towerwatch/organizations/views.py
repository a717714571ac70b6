"""Pages for the territory, organizations, people and registration coverage."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q
from django.forms import inlineformset_factory
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from towerwatch.accounts.scope import Scope
from towerwatch.buildings.choices import REQUIRED_ROLES, ResponsibilityRole
from towerwatch.buildings.models import Building
from towerwatch.core.models import AuditEvent, AuditKind
from towerwatch.core.views import ObjectDetailView, ObjectEditView, ObjectListView, require_scope
from towerwatch.core.widgets import suggest_query

from . import actions
from .filtersets import OrganizationFilterSet, PersonFilterSet, RegionFilterSet
from .forms import CertificateForm, OrganizationForm, PersonForm, RegionForm
from .labels import person_label, region_label
from .models import Certificate, Organization, Person, Region
from .tables import OrganizationTable, PersonTable, RegionTable

ORG_EXPORT = [
    ("名称", lambda o: o.name),
    ("类型", lambda o: o.get_kind_display()),
    ("统一社会信用代码", lambda o: o.credit_code),
    ("所属区域", lambda o: o.region.name if o.region else ""),
    ("地址", lambda o: o.address),
    ("电话", lambda o: o.phone),
]


def _may_edit_org(scope: Scope, org: Organization | None) -> bool:
    if not scope.can_edit:
        return False
    if org is None or scope.is_public_body:
        return True
    return org.pk == scope.organization_id or org.registered_by_id == scope.organization_id


class OrganizationListView(ObjectListView):
    model = Organization
    table_class = OrganizationTable
    filterset_class = OrganizationFilterSet
    export_columns = ORG_EXPORT
    export_basename = "organizations"
    template_name = "organizations/organization_list.html"

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().select_related("region")

    def get_add_url(self) -> str:
        return reverse("organizations:organization_add")


class OrganizationDetailView(ObjectDetailView):
    model = Organization

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        scope = require_scope(self.request)
        org = self.object
        ctx["can_edit"] = _may_edit_org(scope, org)
        ctx["people"] = Person.objects.visible_to(self.request.user).filter(organization=org)
        ctx["show_phones"] = scope.sees_phones or org.pk == scope.organization_id
        ctx["buildings"] = (
            Building.objects.visible_to(self.request.user)
            .filter(Q(responsibilities__organization=org) | Q(service_contracts__company=org))
            .distinct()
            .order_by("code")[:200]
        )
        return ctx


class OrganizationEditView(ObjectEditView):
    model = Organization
    form_class = OrganizationForm

    def may_write(self, scope: Scope) -> bool:
        return _may_edit_org(scope, self.object)

    def save(self, form: OrganizationForm) -> Organization:
        org = form.save(commit=False)
        if not org.pk:
            org.registered_by_id = require_scope(self.request).organization_id
        return actions.save_organization(
            org, sectors=form.cleaned_data["sectors"], acting_user=self.request.user
        )


class PersonListView(ObjectListView):
    model = Person
    table_class = PersonTable
    filterset_class = PersonFilterSet
    export_basename = "people"

    @property
    def export_columns(self) -> Any:  # type: ignore[override]
        phones = require_scope(self.request).sees_phones
        return [
            ("姓名", lambda p: p.name),
            ("职务", lambda p: p.title),
            ("单位", lambda p: p.organization.name if p.organization_id else ""),
            ("电话", (lambda p: p.phone) if phones else (lambda p: p.masked_phone)),
        ]

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().select_related("organization")

    def get_table(self, objects: Any) -> PersonTable:
        return PersonTable(
            objects, self.request.GET, show_phones=require_scope(self.request).sees_phones
        )

    def get_add_url(self) -> str:
        return reverse("organizations:person_add")


class PersonDetailView(ObjectDetailView):
    model = Person

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        scope = require_scope(self.request)
        person = self.object
        ctx["can_edit"] = (
            _may_edit_org(scope, person.organization)
            or person.registered_by_id == scope.organization_id
        )
        ctx["show_phones"] = scope.sees_phones or person.organization_id == scope.organization_id
        if ctx["show_phones"] and person.phone:
            AuditEvent.objects.create(
                user=self.request.user,
                request_id=self.request.id,
                kind=AuditKind.UNMASK,
                detail={"person": person.pk},
            )
        ctx["links"] = person.responsibilities.filter(
            building__in=Building.objects.visible_to(self.request.user)
        ).select_related("building")
        ctx["certificates"] = person.certificates.all()
        return ctx


class PersonEditView(ObjectEditView):
    model = Person
    form_class = PersonForm

    def may_write(self, scope: Scope) -> bool:
        if self.object is None:
            return scope.can_edit
        return _may_edit_org(scope, self.object.organization) or (
            scope.can_edit and self.object.registered_by_id == scope.organization_id
        )

    def save(self, form: PersonForm) -> Person:
        person = form.save(commit=False)
        if not person.pk:
            person.registered_by_id = require_scope(self.request).organization_id
        return actions.save_person(person, acting_user=self.request.user)


CertificateFormSet = inlineformset_factory(
    Person, Certificate, form=CertificateForm, extra=2, can_delete=True
)


@login_required
def person_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a person's certificates (e.g. 消防设施操作员, with level) in one atomic save."""
    scope = require_scope(request)
    try:
        person = Person.objects.visible_to(request.user).select_related("organization").get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None
    if not (
        _may_edit_org(scope, person.organization)
        or (scope.can_edit and person.registered_by_id == scope.organization_id)
    ):
        raise PermissionDenied(_("Your role may not change these records."))
    formset = CertificateFormSet(
        request.POST or None, instance=person, form_kwargs={"user": request.user}
    )
    if request.method == "POST" and formset.is_valid():
        actions.save_certificates(formset, acting_user=request.user)
        messages.success(request, _("Certificates saved."))
        return HttpResponseRedirect(person.get_absolute_url())
    return render(
        request,
        "organizations/person_certificates.html",
        {"object": person, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )


class RegionListView(ObjectListView):
    model = Region
    table_class = RegionTable
    filterset_class = RegionFilterSet
    export_basename = "regions"
    export_columns = [
        ("代码", lambda r: r.code),
        ("名称", lambda r: r.name),
        ("类型", lambda r: r.get_kind_display()),
        ("上级", lambda r: r.parent.name if r.parent_id else ""),
        ("建筑数", lambda r: r.building_count),
        ("中心经度", lambda r: r.centre_lon),
        ("中心纬度", lambda r: r.centre_lat),
    ]

    def scoped_queryset(self) -> Any:
        return (
            super()
            .scoped_queryset()
            .select_related("parent")
            .annotate(building_count=Count("buildings"))
            .order_by("path")
        )

    def can_add(self) -> bool:
        return require_scope(self.request).can_register_buildings

    def get_add_url(self) -> str:
        return reverse("organizations:region_add")


class RegionDetailView(ObjectDetailView):
    model = Region

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_edit"] = require_scope(self.request).can_register_buildings
        ctx["children"] = Region.objects.visible_to(self.request.user).filter(parent=self.object)
        ctx["building_count"] = (
            Building.objects.visible_to(self.request.user)
            .filter(region__path__startswith=self.object.path)
            .count()
        )
        return ctx


class RegionEditView(ObjectEditView):
    model = Region
    form_class = RegionForm

    def may_write(self, scope: Scope) -> bool:
        return scope.can_register_buildings

    def save(self, form: RegionForm) -> Region:
        return actions.save_region(form.save(commit=False), acting_user=self.request.user)


SUGGESTIONS = 20


def _options(items: Any) -> HttpResponse:
    return HttpResponse(
        format_html_join(
            "", '<option value="{}" data-id="{}"></option>', ((label, pk) for pk, label in items)
        )
    )


@login_required
def suggest_organizations(request: HttpRequest) -> HttpResponse:
    """Autocomplete suggestions: visible organizations matching the text (name or credit code)."""
    require_scope(request)
    qs = Organization.objects.visible_to(request.user)
    if request.GET.get("kind"):
        qs = qs.filter(kind__in=request.GET["kind"].split(","))
    q = suggest_query(request)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(credit_code__iexact=q))
    return _options((o.pk, o.name) for o in qs.order_by("name")[:SUGGESTIONS])


@login_required
def suggest_people(request: HttpRequest) -> HttpResponse:
    require_scope(request)
    qs = Person.objects.visible_to(request.user).select_related("organization")
    q = suggest_query(request)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(organization__name__icontains=q))
    return _options((p.pk, person_label(p)) for p in qs.order_by("name")[:SUGGESTIONS])


@login_required
def suggest_regions(request: HttpRequest) -> HttpResponse:
    require_scope(request)
    qs = Region.objects.visible_to(request.user).select_related("town")
    if request.GET.get("kind"):
        qs = qs.filter(kind__in=request.GET["kind"].split(","))
    q = suggest_query(request)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return _options((r.pk, region_label(r)) for r in qs.order_by("path")[:SUGGESTIONS])


@login_required
def region_geojson(request: HttpRequest) -> JsonResponse:
    """Boundaries of the visible district and town-level regions (for maps without tiles)."""
    require_scope(request)
    regions = (
        Region.objects.visible_to(request.user)
        .filter(kind__in=["district", "street", "town", "platform"])
        .exclude(boundary=None)
    )
    features = [
        {
            "type": "Feature",
            "geometry": r.boundary,
            "properties": {
                "id": r.pk,
                "name": r.name,
                "code": r.code,
                "kind": r.kind,
                "approximate": r.boundary_approximate,
            },
        }
        for r in regions
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
def registration(request: HttpRequest) -> HttpResponse:
    """Registration completeness (户籍化 coverage) per town, and which links are missing."""
    require_scope(request)
    buildings = Building.objects.visible_to(request.user)
    per_town = list(
        buildings.values("region__town", "region__town__name", "region__town__code")
        .annotate(
            total=Count("pk"),
            complete=Count("pk", filter=Q(completeness=100)),
            avg=Avg("completeness"),
        )
        .order_by("region__town__code")
    )
    missing_counts: dict[int, dict[str, int]] = {}
    for town_id, missing in buildings.exclude(completeness=100).values_list(
        "region__town", "missing_roles"
    ):
        bucket = missing_counts.setdefault(town_id, {})
        for role in missing:
            bucket[role] = bucket.get(role, 0) + 1
    roles = [(r.value, r.label) for r in REQUIRED_ROLES]
    for row in per_town:
        counts = missing_counts.get(row["region__town"], {})
        row["missing"] = [counts.get(code, 0) for code, _label in roles]
        row["pct_complete"] = round(100 * row["complete"] / row["total"]) if row["total"] else 0
    totals = buildings.aggregate(
        total=Count("pk"), complete=Count("pk", filter=Q(completeness=100)), avg=Avg("completeness")
    )
    return render(
        request,
        "organizations/registration.html",
        {
            "rows": per_town,
            "roles": roles,
            "totals": totals,
            "title": "registration",
            "role_enum": ResponsibilityRole,
        },
    )
