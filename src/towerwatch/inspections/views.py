"""Phone pages for patrols and inspections, the building tab, compliance pages and templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from towerwatch.buildings.models import Building, Responsibility
from towerwatch.core.exports import export_response
from towerwatch.core.views import require_scope
from towerwatch.organizations.models import Organization, Region

from . import actions
from .choices import SCHEDULED_KINDS, Due, RecordState, WorkKind
from .compliance import Schedule, compute, managers_of, scheduled_buildings, tally
from .forms import AnswerForm, CheckpointForm, ItemFormSet
from .models import ChecklistTemplate, Checkpoint, InspectionRecord, RecordItem
from .sheets import checkpoint_sheet_pdf

SESSION_KEY = "tw_current_record"


def _building(request: HttpRequest, pk: int) -> Building:
    require_scope(request)
    try:
        return Building.objects.visible_to(request.user).select_related("region__town").get(pk=pk)
    except Building.DoesNotExist:
        raise Http404 from None


def _record(request: HttpRequest, pk: int) -> InspectionRecord:
    require_scope(request)
    try:
        return (
            InspectionRecord.objects.visible_to(request.user)
            .select_related("building", "template", "started_by", "signed_by")
            .get(pk=pk)
        )
    except InspectionRecord.DoesNotExist:
        raise Http404 from None


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def checkpoint_url(cp: Checkpoint) -> str:
    return settings.TOWERWATCH_PUBLIC_URL.rstrip("/") + cp.get_absolute_url()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My open records and the latest records in my scope."""
    require_scope(request)
    records = InspectionRecord.objects.visible_to(request.user).select_related(
        "building", "started_by"
    )
    mine = records.filter(state=RecordState.OPEN, started_by=request.user)[:20]
    latest = records.annotate(failed=Count("items", filter=Q(items__result="fail")))[:50]
    return render(request, "inspections/home.html", {"mine": mine, "latest": latest})


def _building_context(request: HttpRequest, building: Building) -> dict[str, Any]:
    schedule = Schedule.from_rules()
    statuses = compute(Building.objects.filter(pk=building.pk), schedule=schedule)
    cells = statuses[0].cells if statuses else {}
    rows = []
    for kind in SCHEDULED_KINDS:
        cell = cells.get(kind)
        rows.append(
            {
                "kind": kind,
                "label": WorkKind(kind).label,
                "cell": cell,
                "rule": schedule.rule_for(kind),
            }
        )
    return {
        "building": building,
        "schedule_rows": rows,
        "in_schedule": bool(statuses),
        "patrol_notes": [
            schedule.rules["inspections.patrol_crowded_venue_h"],
            schedule.rules["inspections.patrol_day_and_night"],
        ],
        "kinds": actions.startable_kinds(request.user),
        "selected_kind": request.GET.get("kind", ""),
        "checkpoints": list(building.checkpoints.filter(active=True)),
        "records": building.inspection_records.select_related("started_by")[:20],
        "can_record": bool(actions.startable_kinds(request.user)),
    }


@login_required
def building_page(request: HttpRequest, pk: int) -> HttpResponse:
    building = _building(request, pk)
    return render(request, "inspections/building.html", _building_context(request, building))


@login_required
def building_tab(request: HttpRequest, pk: int) -> HttpResponse:
    """The same, as the fragment the building page loads into its tab."""
    building = _building(request, pk)
    return render(
        request, "inspections/partials/_building_tab.html", _building_context(request, building)
    )


@login_required
def start_from_public(request: HttpRequest, token: str) -> HttpResponse:
    """From the building's public QR page: staff pick what to start."""
    require_scope(request)
    try:
        building = Building.objects.visible_to(request.user).get(public_token=token)
    except Building.DoesNotExist:
        raise Http404 from None
    return HttpResponseRedirect(reverse("inspections:building", args=[building.pk]))


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    building = _building(request, pk)
    try:
        record = actions.start_record(
            acting_user=request.user, building=building, kind=request.POST.get("kind", "")
        )
    except ValidationError as exc:
        _errors(request, exc)
        return HttpResponseRedirect(reverse("inspections:building", args=[pk]))
    request.session[SESSION_KEY] = record.pk
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    if record.is_open and record.started_by_id == request.user.pk:
        request.session[SESSION_KEY] = record.pk
    items = list(record.items.select_related("hazard").prefetch_related("photos"))
    for item in items:
        item.hazard_url = item.hazard.get_absolute_url() if item.hazard else ""
    scanned = {s.checkpoint_id: s for s in record.scans.select_related("checkpoint")}
    checkpoints = list(record.building.checkpoints.filter(active=True))
    return render(
        request,
        "inspections/record.html",
        {
            "record": record,
            "items": items,
            "unanswered": sum(1 for i in items if not i.result),
            "checkpoints": [(cp, scanned.get(cp.pk)) for cp in checkpoints],
            "results": AnswerForm.base_fields["result"].choices,
        },
    )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    record = _record(request, pk)
    try:
        item = record.items.get(pk=item_pk)
    except RecordItem.DoesNotExist:
        raise Http404 from None
    try:
        actions.answer_item(
            item,
            acting_user=request.user,
            result=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
            photos=request.FILES.getlist("photos"),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return HttpResponseRedirect(record.get_absolute_url() + f"#item-{item.pk}")


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    try:
        actions.sign_off(record, acting_user=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        request.session.pop(SESSION_KEY, None)
        messages.success(request, _("Signed off."))
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
def checkpoint_scan(request: HttpRequest, token: str) -> HttpResponse:
    """What a checkpoint's QR code opens: records presence in the patrol under way."""
    require_scope(request)
    try:
        cp = Checkpoint.objects.visible_to(request.user).select_related("building").get(token=token)
    except Checkpoint.DoesNotExist:
        raise Http404 from None
    open_records = InspectionRecord.objects.visible_to(request.user).filter(
        state=RecordState.OPEN, started_by=request.user
    )
    record = open_records.filter(pk=request.session.get(SESSION_KEY) or 0).first()
    record = record or open_records.order_by("-started_at").first()
    if record is None:
        messages.warning(
            request,
            _("No patrol under way: start one at %(building)s, then scan again.")
            % {"building": cp.building.name},
        )
        return HttpResponseRedirect(reverse("inspections:building", args=[cp.building_id]))
    try:
        scan = actions.scan_checkpoint(record, acting_user=request.user, checkpoint=cp)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("Checkpoint %(name)s scanned at %(time)s.")
            % {"name": cp.name, "time": timezone.localtime(scan.at).strftime("%H:%M")},
        )
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
def checkpoints(request: HttpRequest, pk: int) -> HttpResponse:
    building = _building(request, pk)
    scope = require_scope(request)
    form = CheckpointForm(request.POST or None)
    if request.method == "POST":
        if not scope.can_edit:
            raise PermissionDenied(_("Your role may not change these records."))
        if form.is_valid():
            try:
                actions.add_checkpoint(
                    acting_user=request.user, building=building, **form.cleaned_data
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                return HttpResponseRedirect(request.path)
    cps = list(building.checkpoints.all())
    return render(
        request,
        "inspections/checkpoints.html",
        {
            "building": building,
            "checkpoints": [(c, checkpoint_url(c)) for c in cps],
            "form": form,
            "can_edit": scope.can_edit,
        },
    )


@login_required
def checkpoint_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    building = _building(request, pk)
    pdf = checkpoint_sheet_pdf(
        building, list(building.checkpoints.filter(active=True)), checkpoint_url
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="checkpoints-{building.code}.pdf"'
    return response


# Compliance ---------------------------------------------------------------------------------


def _kind_columns() -> list[tuple[str, str]]:
    return [(k, str(WorkKind(k).label)) for k in SCHEDULED_KINDS]


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    """Counts per town and per property company of what is due and overdue."""
    require_scope(request)
    visible = Building.objects.visible_to(request.user)
    statuses = compute(visible)
    by = request.GET.get("by", "town")
    if by == "company":
        managed = managers_of(scheduled_buildings(visible).values("pk"))
        groups = tally(statuses, lambda s: managed.get(s.building_id) or [None])
        names = dict(
            Organization.objects.filter(pk__in=[g for g in groups if g]).values_list("pk", "name")
        )
    else:
        groups = tally(statuses, lambda s: [s.town_id])
        names = dict(
            Region.objects.filter(pk__in=[g for g in groups if g]).values_list("pk", "name")
        )
    rows = []
    for gid, counts in groups.items():
        rows.append(
            {
                "id": gid,
                "name": names.get(gid, _("none")),
                "buildings": counts[""]["buildings"],
                "overdue_buildings": counts[""]["overdue_buildings"],
                "kinds": [
                    (counts[k][Due.OVERDUE] + counts[k][Due.NEVER], counts[k][Due.DUE_SOON])
                    for k, _label in _kind_columns()
                ],
            }
        )
    rows.sort(key=lambda r: (-r["overdue_buildings"], str(r["name"])))
    if request.GET.get("export") == "xlsx":
        columns = [
            (_("name"), lambda r: str(r["name"])),
            (_("buildings"), lambda r: r["buildings"]),
            (_("buildings with overdue work"), lambda r: r["overdue_buildings"]),
        ]
        for n, (_k, label) in enumerate(_kind_columns()):
            columns.append((f"{label} · {_('overdue')}", lambda r, n=n: r["kinds"][n][0]))
            columns.append((f"{label} · {_('due soon')}", lambda r, n=n: r["kinds"][n][1]))
        return export_response(
            fmt="xlsx",
            basename=f"compliance-{by}",
            title=_("Compliance"),
            columns=columns,
            objects=iter(rows),
            user=request.user,
            filters={"by": by},
        )
    totals = tally(statuses, lambda s: ["all"]).get("all")
    return render(
        request,
        "inspections/compliance.html",
        {
            "by": by,
            "rows": rows,
            "kind_columns": _kind_columns(),
            "total_buildings": totals[""]["buildings"] if totals else 0,
            "total_overdue": totals[""]["overdue_buildings"] if totals else 0,
        },
    )


@login_required
def compliance_list(request: HttpRequest, by: str, pk: int) -> HttpResponse:
    """The buildings of one town or one property company, with each kind's state."""
    require_scope(request)
    visible = Building.objects.visible_to(request.user)
    if by == "town":
        group = Region.objects.filter(pk=pk).first()
        buildings = visible.filter(region__town_id=pk)
    elif by == "company":
        group = Organization.objects.filter(pk=pk).first()
        managed = Responsibility.objects.filter(role="manager", organization_id=pk)
        buildings = visible.filter(pk__in=managed.values("building_id"))
    else:
        raise Http404
    statuses = compute(buildings)
    if group is None or not statuses:
        raise Http404
    only = request.GET.get("state", "")
    if only == "overdue":
        statuses = [s for s in statuses if s.overdue]
        kind = request.GET.get("kind", "")
        if kind in SCHEDULED_KINDS:  # from "my work": overdue for this kind of work
            late = (Due.OVERDUE, Due.NEVER)
            statuses = [s for s in statuses if s.cells[kind].state in late]
    info = {b.pk: b for b in scheduled_buildings(buildings).only("pk", "code", "name", "address")}
    rows = [
        {
            "b": info[s.building_id],
            "cells": [s.cells[k] for k, _l in _kind_columns()],
            "overdue": len(s.overdue),
        }
        for s in statuses
    ]
    rows.sort(key=lambda r: (-r["overdue"], r["b"].code))
    if request.GET.get("export") == "xlsx":
        columns = [(_("building code"), lambda r: r["b"].code), (_("name"), lambda r: r["b"].name)]
        for n, (_k, label) in enumerate(_kind_columns()):
            columns.append((f"{label} · {_('last done')}", lambda r, n=n: r["cells"][n].last))
            columns.append((f"{label} · {_('due')}", lambda r, n=n: r["cells"][n].due))
            columns.append(
                (f"{label} · {_('state')}", lambda r, n=n: str(Due(r["cells"][n].state).label))
            )
        return export_response(
            fmt="xlsx",
            basename=f"compliance-{by}-{pk}",
            title=str(group),
            columns=columns,
            objects=iter(rows),
            user=request.user,
            filters={"by": by, "id": pk, "state": only},
        )
    return render(
        request,
        "inspections/compliance_list.html",
        {
            "group": group,
            "by": by,
            "rows": rows,
            "kind_columns": _kind_columns(),
            "only": only,
        },
    )


# Templates ----------------------------------------------------------------------------------


def _may_edit_templates(request: HttpRequest) -> bool:
    scope = require_scope(request)
    return scope.is_superuser or (scope.sees_everything and scope.can_edit)


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    require_scope(request)
    templates = ChecklistTemplate.objects.filter(is_current=True).annotate(n=Count("items"))
    return render(
        request,
        "inspections/template_list.html",
        {
            "templates": templates,
            "can_edit": _may_edit_templates(request),
        },
    )


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_scope(request)
    # Checklist templates are district-wide data every member may read (not scoped per building).
    template = ChecklistTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise Http404
    versions = ChecklistTemplate.objects.filter(key=template.key).annotate(used=Count("records"))
    return render(
        request,
        "inspections/template_detail.html",
        {
            "template": template,
            "items": template.items.all(),
            "versions": versions,
            "can_edit": _may_edit_templates(request) and template.is_current,
        },
    )


@login_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not _may_edit_templates(request):
        raise Http404
    template = ChecklistTemplate.objects.filter(pk=pk, is_current=True).first()
    if template is None:
        raise Http404
    initial = [
        {"code": i.code, "text": i.text, "clause": i.clause, "hazard_category": i.hazard_category}
        for i in template.items.all()
    ]
    formset = ItemFormSet(request.POST or None, initial=initial)
    title = request.POST.get("title", template.title)
    if request.method == "POST" and formset.is_valid():
        items = [
            {k: f.cleaned_data[k] for k in ("code", "text", "clause", "hazard_category")}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            new = actions.edit_template(
                template, acting_user=request.user, title=title, items=items
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Saved as version %(v)d.") % {"v": new.version})
            return HttpResponseRedirect(new.get_absolute_url())
    return render(
        request,
        "inspections/template_edit.html",
        {
            "template": template,
            "formset": formset,
            "title": title,
        },
    )
