"""Hazard pages: the list and its ledger, a hazard's page with its timeline and actions,
reporting a hazard, photos and the PDF documents. Dashboards, the map and "my work" are in
`dashboards.py`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from towerwatch.accounts.choices import Role
from towerwatch.accounts.scope import Scope
from towerwatch.buildings.models import Building
from towerwatch.buildings.search import search
from towerwatch.core.exports import export_response
from towerwatch.core.models import AuditEvent, AuditKind
from towerwatch.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    attach_errors,
    require_scope,
)
from towerwatch.core.widgets import suggest_query
from towerwatch.rules.ruleset import MissingRule, RuleSet

from . import actions, documents, workflow
from .choices import HazardState, PhotoStage
from .deadlines import default_deadline
from .filtersets import HazardFilterSet
from .forms import (
    AnswerForm,
    CommentForm,
    DeadlineForm,
    HazardForm,
    ReferForm,
    TransitionForm,
)
from .ledger import LEDGER_COLUMNS, ledger_rows
from .models import Hazard, HazardPhoto, Referral
from .tables import HazardTable


def may_report(scope: Scope) -> bool:
    """Who may record a hazard: every working role (viewers only read)."""
    return scope.is_superuser or scope.role != Role.VIEWER


def visible_hazards(request: HttpRequest) -> Any:
    require_scope(request)
    return Hazard.objects.visible_to(request.user)


def get_hazard(request: HttpRequest, pk: int) -> Hazard:
    try:
        return visible_hazards(request).select_related("building").get(pk=pk)
    except Hazard.DoesNotExist:
        raise Http404 from None


class HazardListView(ObjectListView):
    model = Hazard
    table_class = HazardTable
    filterset_class = HazardFilterSet
    template_name = "hazards/hazard_list.html"
    export_columns = LEDGER_COLUMNS
    export_basename = "hazard-ledger"

    def export(self, fmt: str, objects: Any) -> Any:
        filters = {k: v for k, v in self.request.GET.items() if k != "export" and v}
        return export_response(
            fmt=fmt,
            basename=self.export_basename,
            title=str(gettext_lazy("Hazard ledger")),
            columns=LEDGER_COLUMNS,
            objects=ledger_rows(objects),
            user=self.request.user,
            filters=filters,
            fast_xlsx=True,
        )

    def can_add(self) -> bool:
        return may_report(require_scope(self.request))

    def get_add_url(self) -> str:
        return reverse("hazards:hazard_add")


def workflow_choices(user: Any, hazard: Hazard) -> list[str]:
    """The states this user may move the hazard to now (the workflow table decides)."""
    return [str(state) for state in workflow.allowed_transitions(user, hazard)]


def deadline_citation(hazard: Hazard) -> str:
    if not hazard.deadline_rule:
        return ""
    try:
        return (
            RuleSet.current(timezone.localdate(hazard.found_at)).rule(hazard.deadline_rule).citation
        )
    except MissingRule:
        return hazard.deadline_rule


class HazardDetailView(ObjectDetailView):
    model = Hazard
    template_name = "hazards/hazard_detail.html"

    def scoped_queryset(self) -> Any:
        return (
            super()
            .scoped_queryset()
            .select_related(
                "building",
                "building__region__town",
                "responsible_org",
                "responsible_person",
                "found_by",
                "alarm_case",
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        h = self.object
        scope = require_scope(self.request)
        photos = list(h.photos.all())
        ctx["found_photos"] = [p for p in photos if p.stage == PhotoStage.FOUND]
        ctx["evidence_photos"] = [p for p in photos if p.stage == PhotoStage.EVIDENCE]
        labels = dict(HazardState.choices)
        ctx["steps"] = steps = list(h.steps.select_related("actor").order_by("at", "id"))
        for step in steps:
            step.old_label = labels.get(step.old_state, step.old_state)
            step.new_label = labels.get(step.new_state, step.new_state)
        ctx["citation"] = deadline_citation(h)
        ctx["transitions"] = self.transition_forms(h, kwargs.get("failed"))
        ctx["deadline_form"] = kwargs.get("deadline_form") or DeadlineForm(
            initial={"deadline": h.deadline}
        )
        ctx["comment_form"] = kwargs.get("comment_form") or CommentForm()
        ctx["refer_form"] = kwargs.get("refer_form") or ReferForm(user=self.request.user)
        ctx["answer_form"] = kwargs.get("answer_form") or AnswerForm()
        ctx["my_org"] = scope.organization_id
        ctx["may_manage"] = h.is_open and workflow.may_manage(self.request.user, h)
        ctx["referrals"] = list(h.referrals.select_related("department").order_by("referred_at"))
        ctx["today"] = timezone.localdate()
        ctx["show_phones"] = scope.sees_phones
        self.enforcement_context(ctx, h, scope, steps)
        person = h.responsible_person
        if scope.sees_phones and person is not None and person.phone:
            AuditEvent.objects.create(  # D1: every unmasked phone shown is logged
                user=self.request.user,
                request_id=getattr(self.request, "id", ""),
                kind=AuditKind.UNMASK,
                detail={"hazard": h.pk, "people": [person.pk]},
            )
        return ctx

    def enforcement_context(
        self, ctx: dict[str, Any], h: Hazard, scope: Scope, steps: list[Any]
    ) -> None:
        """Major-hazard assessments and enforcement cases of the hazard, and who may add them."""
        from .enforcement_views import assessment_rows, joinable_cases
        from .models import EnforcementCase, Verdict

        user = self.request.user
        ctx["may_assess"] = workflow.may_manage(user, h)
        ctx["may_enforce"] = actions.may_enforce(user)
        ctx["assessments"] = assessment_rows(h)
        ctx["cases"] = list(EnforcementCase.objects.visible_to(user).filter(hazard=h))
        ctx["joinable"] = joinable_cases(user, h, scope)
        urls = {c.code: c.get_absolute_url() for c in ctx["cases"]}
        verdicts = dict(Verdict.choices)
        for step in steps:
            data = step.data or {}
            step.verdict_label = verdicts.get(data.get("verdict", ""), "")
            step.case_url = urls.get(data.get("case", ""), "")

    def transition_forms(self, h: Hazard, failed: Any) -> list[dict[str, Any]]:
        out = []
        for state in workflow_choices(self.request.user, h):
            if failed is not None and failed.prefix == f"t-{state}":
                form = failed
            else:
                form = TransitionForm(
                    initial={"new_state": state}, prefix=f"t-{state}", user=self.request.user
                )
            rule = workflow.TRANSITIONS[(h.state, state)]
            out.append(
                {
                    "state": state,
                    "label": rule.verb or HazardState(state).label,
                    "form": form,
                    "needs_note": rule.needs_note,
                    "needs_evidence": rule.needs_evidence,
                    "names_unit": state == HazardState.ASSIGNED,
                }
            )
        return out


def _rerender(request: HttpRequest, hazard: Hazard, **forms: Any) -> HttpResponse:
    view = HazardDetailView()
    view.setup(request, pk=hazard.pk)
    view.object = view.get_queryset().get(pk=hazard.pk)
    ctx = view.get_context_data(object=view.object, **forms)
    return render(request, view.template_name, ctx, status=400)


def _post_form(
    request: HttpRequest,
    hazard: Hazard,
    form: Any,
    form_key: str,
    write: Any,
    done: str = "",
    anchor: str = "",
) -> HttpResponse:
    """Run `write(cleaned_data)` for a valid form in one transaction, then back to the hazard
    with `done` as the message; otherwise the hazard page again, the form showing its errors."""
    if form.is_valid():
        try:
            with transaction.atomic():
                write(form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if done:
                messages.success(request, done)
            return HttpResponseRedirect(hazard.get_absolute_url() + anchor)
    return _rerender(request, hazard, **{form_key: form})


def _acting_hazard(request: HttpRequest, pk: int) -> Hazard:
    hazard = get_hazard(request, pk)
    if not may_report(require_scope(request)):
        raise PermissionDenied(_("Your role may not change these records."))
    return hazard


@login_required
@require_POST
def hazard_transition(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _acting_hazard(request, pk)
    state = request.POST.get(next((k for k in request.POST if k.endswith("new_state")), ""), "")
    form = TransitionForm(request.POST, request.FILES, prefix=f"t-{state}", user=request.user)
    if state not in workflow_choices(request.user, hazard):
        raise PermissionDenied(_("This step is not open to you now."))
    return _post_form(
        request,
        hazard,
        form,
        "failed",
        lambda data: actions.transition(
            hazard,
            state,
            acting_user=request.user,
            note=data["note"],
            photos=data["photos"],
            assignee=data.get("assignee") if state == HazardState.ASSIGNED else None,
        ),
        _("%(code)s is now %(state)s.") % {"code": hazard.code, "state": HazardState(state).label},
    )


@login_required
@require_POST
def hazard_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = _acting_hazard(request, pk)
    form = DeadlineForm(request.POST)
    return _post_form(
        request,
        hazard,
        form,
        "deadline_form",
        lambda data: actions.change_deadline(
            hazard, acting_user=request.user, deadline=data["deadline"], reason=data["reason"]
        ),
        _("Deadline changed."),
    )


@login_required
@require_POST
def hazard_comment(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_hazard(request, pk)
    form = CommentForm(request.POST)
    return _post_form(
        request,
        hazard,
        form,
        "comment_form",
        lambda data: actions.add_comment(hazard, acting_user=request.user, note=data["note"]),
        anchor="#timeline",
    )


class HazardCreateView(ObjectEditView):
    model = Hazard
    form_class = HazardForm
    template_name = "hazards/hazard_form.html"

    def may_write(self, scope: Scope) -> bool:
        return may_report(scope)

    def get_form(self, data: Any = None, files: Any = None) -> HazardForm:
        initial: dict[str, Any] = {}
        building_id = self.request.GET.get("building", "")
        if building_id.isdigit():
            b = Building.objects.visible_to(self.request.user).filter(pk=building_id).first()
            if b is not None:
                initial["building"] = f"{b.code} {b.name}"
        return HazardForm(data=data, files=files, initial=initial, user=self.request.user)

    def save(self, form: HazardForm) -> Hazard:
        data = dict(form.cleaned_data)
        return actions.open_hazard(acting_user=self.request.user, **data)

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        category = form.data.get("category") or form["category"].value() or "other"
        severity = form.data.get("severity") or form["severity"].value() or "general"
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": _("Report a hazard"),
                "rule": default_deadline(category, severity, timezone.localdate()),
            },
            status=status,
        )


@login_required
def deadline_hint(request: HttpRequest) -> HttpResponse:
    """The rule set's deadline for the chosen category and severity (HTMX, on the form)."""
    require_scope(request)
    rule = default_deadline(
        request.GET.get("category") or "other",
        request.GET.get("severity") or "general",
        timezone.localdate(),
    )
    return render(request, "hazards/partials/_deadline_hint.html", {"rule": rule})


@login_required
def building_suggest(request: HttpRequest) -> HttpResponse:
    require_scope(request)
    query = request.GET.get("building", "").strip() or suggest_query(request)
    qs = (
        search(Building.objects.visible_to(request.user), query)
        if query
        else Building.objects.none()
    )
    rows = qs.order_by("code").values_list("code", "name")[:20]
    return HttpResponse(
        format_html_join("", '<option value="{} {}"></option>', ((c, n) for c, n in rows))
    )


@login_required
def hazard_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A hazard's photo, served only to those who may see the hazard."""
    photo = (
        HazardPhoto.objects.filter(hazard__in=visible_hazards(request).values("pk"), pk=pk)
        .only("image")
        .first()
    )
    if photo is None:
        raise Http404
    try:
        return FileResponse(photo.image.open("rb"))
    except FileNotFoundError:
        raise Http404 from None


DOCUMENTS = {
    "notice": (documents.notice_pdf, gettext_lazy("rectification-notice")),
    "acceptance": (documents.acceptance_pdf, gettext_lazy("acceptance-record")),
}


@login_required
def hazard_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The rectification notice or the acceptance record as PDF (scoped, audit-logged)."""
    if kind not in DOCUMENTS:
        raise Http404
    hazard = get_hazard(request, pk)
    hazard = (
        visible_hazards(request)
        .select_related(
            "building", "building__region__town", "responsible_org", "responsible_person"
        )
        .prefetch_related("steps__actor", "photos")
        .get(pk=hazard.pk)
    )
    make, _name = DOCUMENTS[kind]
    pdf = make(hazard, citation=deadline_citation(hazard), issuer=issuer_of(hazard))
    AuditEvent.objects.create(
        user=request.user,
        request_id=getattr(request, "id", ""),
        kind=AuditKind.EXPORT,
        detail={"what": f"hazard-{kind}", "format": "pdf", "hazard": hazard.pk},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{hazard.code}-{kind}.pdf"'
    return response


def issuer_of(hazard: Hazard) -> str:
    """The organization the hazard's finder acted for (it issues the notice)."""
    membership = getattr(hazard.found_by, "active_membership", None) if hazard.found_by_id else None
    return membership.organization.name if membership is not None else ""


@login_required
def building_hazards(request: HttpRequest, pk: int) -> HttpResponse:
    """The hazards tab of a building's page (HTMX fragment): open ones first."""
    require_scope(request)
    building = Building.objects.visible_to(request.user).filter(pk=pk).first()
    if building is None:
        raise Http404
    hazards = Hazard.objects.visible_to(request.user).filter(building=building)
    recent = list(hazards.select_related("responsible_org").order_by("-found_at", "-pk")[:100])
    open_first = [h for h in recent if h.is_open] + [h for h in recent if not h.is_open]
    return render(
        request,
        "hazards/partials/_building_hazards.html",
        {
            "building": building,
            "hazards": open_first,
            "total": hazards.count(),
            "may_report": may_report(require_scope(request)),
        },
    )


@login_required
@require_POST
def hazard_refer(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_hazard(request, pk)
    form = ReferForm(request.POST, user=request.user)
    return _post_form(
        request,
        hazard,
        form,
        "refer_form",
        lambda data: actions.refer(
            hazard,
            acting_user=request.user,
            departments=list(data["departments"]),
            note=data["note"],
            reply_by=data["reply_by"],
        ),
        _("Referred."),
    )


@login_required
@require_POST
def referral_answer(request: HttpRequest, pk: int) -> HttpResponse:
    require_scope(request)
    referral = Referral.objects.visible_to(request.user).filter(pk=pk).first()
    if referral is None:
        raise Http404
    hazard = get_hazard(request, referral.hazard_id)
    form = AnswerForm(request.POST)
    return _post_form(
        request,
        hazard,
        form,
        "answer_form",
        lambda data: actions.answer_referral(
            referral, acting_user=request.user, answer=data["answer"]
        ),
        _("Answer recorded."),
    )
