"""Public report pages (no login: report, follow a ticket) and the triage pages (scoped)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from towerwatch.buildings.models import Building
from towerwatch.buildings.search import search as search_buildings
from towerwatch.core.models import AuditEvent, AuditKind
from towerwatch.core.tables import Column, Table
from towerwatch.core.views import ObjectListView, require_scope
from towerwatch.organizations.validators import mask_phone

from . import reports
from .models import Hazard, PublicReport, ReportState
from .report_forms import (
    AcceptForm,
    BuildingSearchForm,
    DuplicateForm,
    PublicReportFilterSet,
    PublicReportForm,
    RejectForm,
    ReplyForm,
    RewardForm,
    style,
)

BUILDING_SALT = "towerwatch.report.building"
SEARCH_LIMIT = 20


def hazard_url(hazard: Hazard | None) -> str | None:
    return hazard.get_absolute_url() if hazard is not None else None


# --- public pages -----------------------------------------------------------------------------


def report_start(request: HttpRequest) -> HttpResponse:
    """The general link: find the building by name or address, or report without one."""
    form = BuildingSearchForm(request.GET or None)
    results: list[dict[str, str]] = []
    if form.is_bound and form.is_valid():
        found = search_buildings(Building.objects.all(), form.cleaned_data["q"]).order_by(
            "name", "pk"
        )[:SEARCH_LIMIT]
        results = [
            {
                "name": b.name,
                "address": b.address,
                # A signed id, not the QR token: the search does not hand out building pages.
                "ref": signing.dumps(b.pk, salt=BUILDING_SALT),
            }
            for b in found.only("pk", "name", "address")
        ]
    return render(
        request,
        "hazards/report_start.html",
        {"form": form, "results": results, "searched": form.is_bound},
    )


def report_for_building(request: HttpRequest, token: str) -> HttpResponse:
    """Reached from the building's QR page: the building is known."""
    building = Building.objects.select_related("region").filter(public_token=token).first()
    if building is None:
        raise Http404
    return _report_form(request, building, ref="")


def report_new(request: HttpRequest) -> HttpResponse:
    """From the search (`?b=` signed building) or "not sure which building" (address)."""
    ref = request.POST.get("b") or request.GET.get("b") or ""
    building = None
    if ref:
        try:
            pk = signing.loads(ref, salt=BUILDING_SALT)
        except signing.BadSignature:
            raise Http404 from None
        building = Building.objects.select_related("region").filter(pk=pk).first()
        if building is None:
            raise Http404
    return _report_form(request, building, ref=ref)


def _report_form(request: HttpRequest, building: Building | None, ref: str) -> HttpResponse:
    form = PublicReportForm(request.POST or None, with_building=building is not None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = reports.submit_report(
                    category=data["category"],
                    description=data["description"],
                    building=building,
                    town=data.get("town"),
                    address=data.get("address", ""),
                    phone=data["phone"],
                    photos=request.FILES.getlist("photos"),
                    client_ip=reports.client_ip(request),
                    honeypot=data["website"],
                )
            except reports.TooManyReports as exc:
                form.add_error(None, exc.messages)
                status = 429
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                return HttpResponseRedirect(report.follow_url + "?new=1")
    return render(
        request,
        "hazards/report_form.html",
        {
            "form": form,
            "building": building,
            "ref": ref,
            "max_photos": settings.TOWERWATCH_REPORT_MAX_PHOTOS,
        },
        status=status,
    )


def follow(request: HttpRequest, code: str) -> HttpResponse:
    """A ticket's status and the official reply; nothing personal, the reporter's included."""
    report = (
        PublicReport.objects.select_related("building", "hazard")
        .filter(ticket=reports.normalize_ticket(code))
        .first()
    )
    if report is None:
        return render(request, "hazards/report_follow.html", {"missing": code}, status=404)
    return render(
        request,
        "hazards/report_follow.html",
        {"report": report, "is_new": request.GET.get("new") == "1", "hazard": report.hazard},
    )


def follow_lookup(request: HttpRequest) -> HttpResponse:
    code = reports.normalize_ticket(request.GET.get("code", ""))
    if not code:
        return HttpResponseRedirect(reverse("reports:start"))
    return HttpResponseRedirect(reverse("reports:follow", args=[code]))


# --- triage -----------------------------------------------------------------------------------


def _when(value: Any) -> str:
    return date_format(value, "Y-m-d H:i") if value else ""


def _due_cell(report: PublicReport) -> Any:
    text = date_format(report.triage_due, "Y-m-d H:i") if report.state == ReportState.NEW else ""
    if report.is_triage_overdue:
        return format_html('<span class="badge text-bg-danger">{} {}</span>', _("overdue"), text)
    return text


def _reply_cell(report: PublicReport) -> Any:
    if report.replied_at:
        return _("replied")
    if report.is_reply_overdue:
        return format_html(
            '<span class="badge text-bg-warning">{} {}</span>', _("overdue"), report.reply_due
        )
    return str(report.reply_due)


class PublicReportTable(Table):
    default_order = "-received_at"
    columns = (
        Column("ticket", gettext_lazy("ticket code"), lambda r: r.ticket, "ticket", link=True),
        Column("received", gettext_lazy("received"), lambda r: _when(r.received_at), "received_at"),
        Column(
            "category", gettext_lazy("category"), lambda r: r.get_category_display(), "category"
        ),
        Column(
            "where",
            gettext_lazy("where"),
            lambda r: r.building.name if r.building_id else r.address,
        ),
        Column(
            "town", gettext_lazy("town/street/platform"), lambda r: r.town.name if r.town_id else ""
        ),
        Column("state", gettext_lazy("state"), lambda r: r.get_state_display(), "state"),
        Column("triage_due", gettext_lazy("triage due"), _due_cell, "triage_due"),
        Column("reply_due", gettext_lazy("reply due"), _reply_cell, "reply_due"),
    )


class PublicReportListView(ObjectListView):
    model = PublicReport
    filterset_class = PublicReportFilterSet
    table_class = PublicReportTable
    export_basename = "public-reports"
    export_columns = (
        (gettext_lazy("ticket code"), lambda r: r.ticket),
        (gettext_lazy("received"), lambda r: r.received_at),
        (gettext_lazy("category"), lambda r: r.get_category_display()),
        (gettext_lazy("building"), lambda r: r.building.name if r.building_id else ""),
        (gettext_lazy("address given"), lambda r: r.address),
        (gettext_lazy("town/street/platform"), lambda r: r.town.name if r.town_id else ""),
        (gettext_lazy("state"), lambda r: r.get_state_display()),
        (gettext_lazy("triage due"), lambda r: r.triage_due),
        (gettext_lazy("triaged"), lambda r: r.triaged_at),
        (gettext_lazy("reply due"), lambda r: r.reply_due),
        (gettext_lazy("replied"), lambda r: r.replied_at),
        (gettext_lazy("hazard"), lambda r: r.hazard.code if r.hazard_id else ""),
    )

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().select_related("building", "town", "hazard")

    def can_add(self) -> bool:
        return False


def _visible_report(request: HttpRequest, pk: int) -> PublicReport:
    require_scope(request)
    report = (
        PublicReport.objects.visible_to(request.user)
        .select_related("building", "town", "hazard", "triaged_by", "replied_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def _forms(report: PublicReport, data: Any = None, which: str = "") -> dict[str, Any]:
    reward = getattr(report, "reward", None) if report.state == ReportState.VALID else None
    initial_reward = (
        {
            "amount_yuan": reward.amount_yuan,
            "approved_on": reward.approved_on,
            "paid_on": reward.paid_on,
            "note": reward.note,
        }
        if reward
        else None
    )
    classes = {
        "accept": (
            AcceptForm,
            {"category": report.category, "title": report.get_category_display()},
        ),
        "duplicate": (DuplicateForm, None),
        "reject": (RejectForm, None),
        "reply": (ReplyForm, {"reply": report.reply}),
        "reward": (RewardForm, initial_reward),
    }
    return {
        f"{name}_form": style(cls(data if name == which else None, initial=initial, prefix=name))
        for name, (cls, initial) in classes.items()
    }


@login_required
def triage_detail(
    request: HttpRequest, pk: int, forms: dict[str, Any] | None = None
) -> HttpResponse:
    report = _visible_report(request, pk)
    scope = require_scope(request)
    phone = report.phone
    if phone and scope.sees_phones:
        AuditEvent.objects.create(
            user=request.user,
            request_id=getattr(request, "id", ""),
            kind=AuditKind.UNMASK,
            detail={"public_report": report.pk},
        )
    elif phone:
        phone = mask_phone(phone)
    context = {
        "report": report,
        "phone": phone,
        "photos": list(report.photos.all()),
        "hazard_url": hazard_url(report.hazard),
        "may_triage": reports.may_triage(request.user),
        "reward": getattr(report, "reward", None),
        "reward_cap": reports.reward_cap(),
        "title": _("Public report %(ticket)s") % {"ticket": report.ticket},
        **(forms or _forms(report)),
    }
    return render(request, "hazards/report_triage.html", context, status=400 if forms else 200)


@login_required
@require_POST
def triage_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the triage decisions, the reply or the reward; errors re-render the page (400)."""
    report = _visible_report(request, pk)
    if not reports.may_triage(request.user):
        raise PermissionDenied(_("Your role may not triage public reports."))
    forms = _forms(report, request.POST, which=action)
    form = forms.get(f"{action}_form")
    if form is None:
        raise Http404
    if form.is_valid():
        try:
            done = _apply(request, report, action, form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(report.get_absolute_url())
    return triage_detail(request, pk, forms=forms)


def _apply(request: HttpRequest, report: PublicReport, action: str, data: dict[str, Any]) -> str:
    user = request.user
    if action == "accept":
        building = None
        if data["building_code"]:
            building = Building.objects.visible_to(user).filter(code=data["building_code"]).first()
            if building is None:
                raise ValidationError(
                    {"building_code": _("No building with this code in your area.")}
                )
        hazard = reports.accept_report(
            report,
            acting_user=user,
            title=data["title"],
            building=building,
            category=data["category"],
            severity=data["severity"],
            floor=data["floor"],
            location=data["location"],
            note=data["note"],
        )
        return _("The report became hazard %(code)s.") % {"code": hazard.code}
    if action == "duplicate":
        hazard = Hazard.objects.visible_to(user).filter(code=data["hazard_code"].strip()).first()
        if hazard is None:
            raise ValidationError({"hazard_code": _("No hazard with this number in your area.")})
        reports.mark_duplicate(report, acting_user=user, hazard=hazard, note=data["note"])
        return _("Recorded as a duplicate of %(code)s.") % {"code": hazard.code}
    if action == "reject":
        reports.reject_report(report, acting_user=user, reason=data["reason"])
        return _("Recorded as not accepted.")
    if action == "reply":
        reports.reply_to_reporter(report, acting_user=user, reply=data["reply"])
        return _("The reply is on the ticket's page.")
    reports.record_reward(
        report,
        acting_user=user,
        amount_yuan=data["amount_yuan"],
        approved_on=data["approved_on"],
        paid_on=data["paid_on"],
        note=data["note"],
    )
    return _("Reward decision recorded.")


@login_required
def triage_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A report's photo, for those who may see the report (media is not served publicly)."""
    report = _visible_report(request, pk)
    photo = report.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    return FileResponse(photo.image.open("rb"))
