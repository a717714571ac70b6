"""Pages of joint enforcement (执法案件) and of the GB 35181 major-hazard assessment.

Enforcement: the scoped list with its filters and .xlsx export, opening a case (from a hazard
or for a building), the case page with its follow-up steps and a department's "join".
Assessment: the form reached from a hazard's page; the result shows on that page.
"""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from towerwatch.accounts.choices import EDITING_ROLES
from towerwatch.buildings.filtersets import visible_towns
from towerwatch.buildings.models import Building
from towerwatch.core.filtersets import StyledFilterSet
from towerwatch.core.tables import Column, Table
from towerwatch.core.views import ObjectDetailView, ObjectListView, attach_errors, require_scope
from towerwatch.organizations.choices import OrganizationKind as K
from towerwatch.organizations.models import Region

from . import actions, workflow
from .enforcement_forms import (
    SITE_TYPE_LABELS,
    AssessmentForm,
    EnforcementForm,
    EnforcementStepForm,
    JoinForm,
    ParticipantFormSet,
    legal_basis_rows,
)
from .models import EnforcementCase, EnforcementState, Hazard, PartyKind, Verdict
from .views import get_hazard


def _legal_basis_choices(request: Any = None) -> list[tuple[str, str]]:
    return [(r.key, r.citation) for r in actions.legal_bases()]


# --- list, filters, table, export ----------------------------------------------------------------


class EnforcementFilterSet(StyledFilterSet):
    state = df.ChoiceFilter(label=gettext_lazy("workflow state"), choices=EnforcementState.choices)
    legal_basis = df.ChoiceFilter(
        label=gettext_lazy("legal basis"),
        field_name="legal_basis_rule",
        choices=_legal_basis_choices,
    )
    town = df.ModelChoiceFilter(
        label=gettext_lazy("Town / street / platform"), queryset=visible_towns, method="in_region"
    )

    class Meta:
        model = EnforcementCase
        fields: list[str] = []

    def in_region(
        self, qs: QuerySet[EnforcementCase], name: str, value: Region | None
    ) -> QuerySet[EnforcementCase]:
        if not value:
            return qs
        return qs.filter(building__in=Building.objects.filter(region__path__startswith=value.path))


def _fine(case: EnforcementCase) -> str:
    return "—" if case.fine_yuan is None else f"{case.fine_yuan:,}"


def _state_badge(case: EnforcementCase) -> str:
    css = "warning" if case.state == EnforcementState.OPEN else "success"
    return format_html('<span class="badge text-bg-{}">{}</span>', css, case.get_state_display())


class EnforcementTable(Table):
    default_order = "-opened_at"
    columns = (
        Column("code", gettext_lazy("case number"), lambda c: c.code, order_by="code", link=True),
        Column(
            "building",
            gettext_lazy("Building"),
            lambda c: format_html(
                '<a href="{}">{}</a> <span class="text-muted small">{}</span>',
                c.building.get_absolute_url(),
                c.building.name,
                c.building.code,
            ),
            order_by="building__code",
        ),
        Column(
            "town",
            gettext_lazy("Town / street"),
            lambda c: c.building.region.town.name if c.building.region.town_id else "",
        ),
        Column(
            "hazard",
            gettext_lazy("hazard"),
            lambda c: (
                format_html('<a href="{}">{}</a>', c.hazard.get_absolute_url(), c.hazard.code)
                if c.hazard_id
                else ""
            ),
        ),
        Column("party", gettext_lazy("party"), lambda c: c.party_name),
        Column(
            "basis",
            gettext_lazy("legal basis"),
            lambda c: c.legal_basis_citation,
            order_by="legal_basis_rule",
        ),
        Column("fine", gettext_lazy("fine (yuan)"), _fine, order_by="fine_yuan", css="text-end"),
        Column("state", gettext_lazy("workflow state"), _state_badge, order_by="state"),
        Column(
            "opened",
            gettext_lazy("opened"),
            lambda c: timezone.localtime(c.opened_at).strftime("%Y-%m-%d"),
            order_by="opened_at",
        ),
    )


def _departments(case: EnforcementCase) -> str:
    return "、".join(d.name for d in case.departments.all())


EXPORT_COLUMNS: Any = (
    (gettext_lazy("case number"), lambda c: c.code),
    (gettext_lazy("opened"), lambda c: c.opened_at),
    (gettext_lazy("Building code"), lambda c: c.building.code),
    (gettext_lazy("Building"), lambda c: c.building.name),
    (
        gettext_lazy("Town / street"),
        lambda c: c.building.region.town.name if c.building.region.town_id else "",
    ),
    (gettext_lazy("hazard"), lambda c: c.hazard.code if c.hazard_id else ""),
    (gettext_lazy("party"), lambda c: c.party_name),
    (gettext_lazy("kind of party"), lambda c: c.get_party_kind_display()),
    (gettext_lazy("legal basis"), lambda c: c.legal_basis_citation),
    (gettext_lazy("confidence"), lambda c: c.legal_basis_confidence),
    (gettext_lazy("order"), lambda c: c.order_text),
    (gettext_lazy("fine (yuan)"), lambda c: c.fine_yuan),
    (gettext_lazy("lowest legal fine"), lambda c: c.fine_min_yuan),
    (gettext_lazy("highest legal fine"), lambda c: c.fine_max_yuan),
    (gettext_lazy("participating departments"), _departments),
    (gettext_lazy("workflow state"), lambda c: c.get_state_display()),
    (gettext_lazy("closed"), lambda c: c.closed_at),
)


class EnforcementListView(ObjectListView):
    model = EnforcementCase
    table_class = EnforcementTable
    filterset_class = EnforcementFilterSet
    export_columns = EXPORT_COLUMNS
    export_basename = "enforcement-cases"
    title = gettext_lazy("Enforcement cases")

    def scoped_queryset(self) -> Any:
        return (
            super()
            .scoped_queryset()
            .select_related("building", "building__region__town", "hazard")
            .prefetch_related("departments")
        )

    def can_add(self) -> bool:
        return actions.may_enforce(self.request.user)

    def get_add_url(self) -> str:
        return reverse("hazards:enforcement_add")


# --- opening a case ------------------------------------------------------------------------------


@login_required
def enforcement_add(request: HttpRequest) -> HttpResponse:
    """Open a case: `?hazard=<pk>` from a hazard's page, else for a building chosen on the form."""
    require_scope(request)
    hazard: Hazard | None = None
    hazard_id = request.GET.get("hazard", "")
    if hazard_id:
        if not hazard_id.isdigit():
            raise Http404
        hazard = get_hazard(request, int(hazard_id))
    if not actions.may_enforce(request.user):
        raise PermissionDenied(_("Your organization or role may not open enforcement cases."))
    initial: dict[str, Any] = {"party_kind": PartyKind.BUSINESS}
    org = hazard.responsible_org if hazard is not None else None
    if org is not None:
        initial["party"] = org.pk
        initial["party_kind"] = PartyKind.BUSINESS if org.is_business else PartyKind.NON_BUSINESS
    building_id = request.GET.get("building", "")
    if hazard is None and building_id.isdigit():
        b = Building.objects.visible_to(request.user).filter(pk=building_id).first()
        if b is not None:
            initial["building"] = f"{b.code} {b.name}"
    data = request.POST if request.method == "POST" else None
    form = EnforcementForm(data, initial=initial, hazard=hazard, user=request.user)
    if data is not None and form.is_valid():
        v = form.cleaned_data
        kind = v["party_kind"]
        try:
            with transaction.atomic():
                case = actions.open_enforcement(
                    acting_user=request.user,
                    building=hazard.building if hazard is not None else v["building"],
                    hazard=hazard,
                    legal_basis_rule=v["legal_basis_rule"],
                    order_text=v["order_text"],
                    fine_yuan=v["fine_yuan"],
                    is_business=kind == PartyKind.BUSINESS,
                    is_individual=kind == PartyKind.INDIVIDUAL,
                    party=v["party"],
                    party_name=v["party_name"],
                    departments=list(v["departments"]),
                    follow_up=v["follow_up"],
                    follow_up_due=v["follow_up_due"],
                )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Enforcement case %(code)s opened.") % {"code": case.code})
            return HttpResponseRedirect(case.get_absolute_url())
    return render(
        request,
        "hazards/enforcement_form.html",
        {"form": form, "hazard": hazard, "bases": legal_basis_rows()},
        status=400 if form.is_bound else 200,
    )


# --- the case page, steps, joining ---------------------------------------------------------------


def may_join(user: Any, case: EnforcementCase, scope: Any) -> bool:
    """An industry department's editors, not yet taking part, on an open case."""
    return (
        case.state == EnforcementState.OPEN
        and scope.kind == K.DEPARTMENT
        and scope.role in EDITING_ROLES
        and scope.organization_id is not None
        and not case.departments.filter(pk=scope.organization_id).exists()
    )


class EnforcementDetailView(ObjectDetailView):
    model = EnforcementCase
    template_name = "hazards/enforcement_detail.html"

    def scoped_queryset(self) -> Any:
        return (
            super()
            .scoped_queryset()
            .select_related("building", "building__region__town", "hazard", "party", "opened_by")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        case = self.object
        scope = require_scope(self.request)
        ctx["steps"] = list(case.steps.select_related("actor", "organization"))
        ctx["departments"] = list(case.departments.all())
        ctx["may_step"] = case.state == EnforcementState.OPEN and actions.may_enforce(
            self.request.user
        )
        ctx["may_join"] = may_join(self.request.user, case, scope)
        ctx["step_form"] = kwargs.get("step_form") or EnforcementStepForm()
        ctx["join_form"] = kwargs.get("join_form") or JoinForm()
        ctx["unconfirmed"] = case.legal_basis_confidence == "UNCONFIRMED"
        return ctx


def _visible_case(request: HttpRequest, pk: int) -> EnforcementCase:
    require_scope(request)
    case = EnforcementCase.objects.visible_to(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _rerender_case(request: HttpRequest, case: EnforcementCase, **forms: Any) -> HttpResponse:
    view = EnforcementDetailView()
    view.setup(request, pk=case.pk)
    view.object = view.get_queryset().get(pk=case.pk)
    ctx = view.get_context_data(object=view.object, **forms)
    return render(request, view.template_name, ctx, status=400)


@login_required
@require_POST
def enforcement_step(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    if not actions.may_enforce(request.user):
        raise PermissionDenied(_("Your organization or role may not work on enforcement cases."))
    form = EnforcementStepForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                actions.add_enforcement_step(
                    case,
                    acting_user=request.user,
                    note=form.cleaned_data["note"],
                    due=form.cleaned_data["due"],
                    close=form.cleaned_data["close"],
                )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("Case closed.") if form.cleaned_data["close"] else _("Step recorded.")
            )
            return HttpResponseRedirect(case.get_absolute_url())
    return _rerender_case(request, case, step_form=form)


def joinable_cases(user: Any, hazard: Hazard, scope: Any) -> list[EnforcementCase]:
    """Open cases on `hazard` a department it was referred to may join (and does not see yet)."""
    if scope.kind != K.DEPARTMENT or scope.role not in EDITING_ROLES:
        return []
    if not hazard.referrals.filter(department_id=scope.organization_id).exists():
        return []
    return list(
        hazard.enforcement_cases.filter(state=EnforcementState.OPEN).exclude(
            departments=scope.organization_id
        )
    )


@login_required
@require_POST
def enforcement_join(request: HttpRequest, pk: int) -> HttpResponse:
    """Join a case one sees, or a case on a hazard referred to one's department."""
    scope = require_scope(request)
    case = (
        EnforcementCase.objects.visible_to(request.user).filter(pk=pk).first()
        or EnforcementCase.objects.filter(
            pk=pk, hazard__in=Hazard.objects.visible_to(request.user).values("pk")
        ).first()
    )
    if case is None:
        raise Http404
    if scope.kind != K.DEPARTMENT or scope.role not in EDITING_ROLES:
        raise PermissionDenied(_("Only an industry department's editors may join a case."))
    form = JoinForm(request.POST)
    form.is_valid()
    try:
        with transaction.atomic():
            actions.join_enforcement(
                case, acting_user=request.user, note=form.cleaned_data.get("note", "")
            )
    except ValidationError as exc:  # closed, or already taking part
        messages.error(request, " ".join(exc.messages))
        if EnforcementCase.objects.visible_to(request.user).filter(pk=case.pk).exists():
            return HttpResponseRedirect(case.get_absolute_url())
        return HttpResponseRedirect(case.hazard.get_absolute_url())
    messages.success(request, _("Your department joined case %(code)s.") % {"code": case.code})
    return HttpResponseRedirect(case.get_absolute_url())


# --- major hazard assessment ---------------------------------------------------------------------


def catalogue_groups(rule: Any, form: AssessmentForm) -> list[dict[str, Any]]:
    """The catalogue's two groups with each element's checkbox, clause and confidence."""
    checked = set(form["elements"].value() or [])
    groups = []
    for part, label in (
        ("direct", _("Direct elements (any one makes a major hazard)")),
        ("comprehensive", _("Comprehensive elements (counted against the site type)")),
    ):
        section = rule.value[part]
        groups.append(
            {
                "part": part,
                "label": label,
                "clause": section.get("clause") or "",
                "confidence": section.get("confidence") or "",
                "elements": [
                    {
                        **e,
                        "checked": e["code"] in checked,
                        "unconfirmed": e.get("confidence") == "UNCONFIRMED",
                    }
                    for e in section["elements"]
                ],
            }
        )
    return groups


@login_required
def hazard_assess(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_hazard(request, pk)
    if not workflow.may_manage(request.user, hazard):
        raise PermissionDenied(_("Your organization or role may not assess major hazards."))
    rule = actions.major_catalogue()
    posted = request.method == "POST"
    form = AssessmentForm(request.POST if posted else None, catalogue=rule, user=request.user)
    people = ParticipantFormSet(request.POST if posted else None, prefix="p")
    participant_errors: list[str] = []
    if posted:
        form_ok, people_ok = form.is_valid(), people.is_valid()
        if form_ok and people_ok:
            rows = [
                {"name": f.cleaned_data.get("name", ""), "role": f.cleaned_data.get("role", "")}
                for f in people.forms
                if f.cleaned_data
            ]
            try:
                with transaction.atomic():
                    actions.assess_major(
                        hazard,
                        acting_user=request.user,
                        elements=form.cleaned_data["elements"],
                        participants=rows,
                        conclusion=form.cleaned_data["conclusion"],
                        site_type=form.cleaned_data["site_type"],
                        is_major=form.decision(),
                    )
                    if form.cleaned_data["note"].strip():
                        actions.add_comment(
                            hazard, acting_user=request.user, note=form.cleaned_data["note"]
                        )
            except ValidationError as exc:
                errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {}
                participant_errors = errors.pop("participants", [])
                if errors:
                    attach_errors(form, ValidationError(errors))
                elif not participant_errors:
                    attach_errors(form, exc)
            else:
                messages.success(request, _("Assessment recorded."))
                return HttpResponseRedirect(hazard.get_absolute_url() + "#tw-assessments")
    return render(
        request,
        "hazards/assessment_form.html",
        {
            "hazard": hazard,
            "form": form,
            "people": people,
            "participant_errors": participant_errors,
            "rule": rule,
            "groups": catalogue_groups(rule, form),
            "min_participants": rule.value.get("min_participants", 3),
            "site_type_labels": SITE_TYPE_LABELS,
        },
        status=400 if posted else 200,
    )


def assessment_rows(hazard: Hazard) -> list[dict[str, Any]]:
    """The hazard's assessments for its page: verdict, elements with their text, participants."""
    from towerwatch.rules.models import Rule

    out = []
    texts: dict[tuple[str, str], dict[str, str]] = {}
    verdicts = dict(Verdict.choices)
    for a in hazard.assessments.select_related("assessed_by"):
        key = (a.rule_key, a.edition)
        if key not in texts:
            rule = Rule.objects.filter(key=a.rule_key, edition=a.edition).first()
            value = (rule.value or {}) if rule is not None else {}
            texts[key] = {
                e["code"]: e["text"]
                for part in ("direct", "comprehensive")
                for e in (value.get(part) or {}).get("elements", [])
            }
        out.append(
            {
                "a": a,
                "verdict": verdicts.get(a.verdict, a.verdict),
                "site_type": SITE_TYPE_LABELS.get(a.site_type, a.site_type),
                "elements": [
                    {"code": c, "text": texts[key].get(c, ""), "direct": c in a.direct_elements}
                    for c in a.elements
                ],
                "unconfirmed": a.confidence == "UNCONFIRMED",
            }
        )
    return out
