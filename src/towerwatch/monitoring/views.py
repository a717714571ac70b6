"""Monitoring pages: devices (with the unregistered queue), one device's traffic, binding."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.db.models import F
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from towerwatch.accounts.choices import Role
from towerwatch.accounts.scope import Scope, scope_for
from towerwatch.buildings.models import Building
from towerwatch.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    require_scope,
)
from towerwatch.organizations.models import Region

from . import actions, stats, stream, workflow
from .choices import CASE_KINDS, CaseState, EventKind
from .filtersets import (
    DeviceFilterSet,
    DutyCheckFilterSet,
    DutyRateFilterSet,
    FalseAlarmFilterSet,
)
from .forms import BindDeviceForm, DutyScheduleForm
from .models import AlarmCase, Device, DutyCheck, DutyCheckSchedule, Event, Point
from .tables import DeviceTable, DutyCheckTable, DutyRateTable, FalseAlarmTable
from .workflow import TRANSITIONS


def may_bind(scope: Scope) -> bool:
    """The monitoring centre binds devices: operators, and editors of organizations that see all."""
    return scope.sees_everything and (scope.can_edit or scope.role == Role.OPERATOR)


class DeviceListView(ObjectListView):
    model = Device
    table_class = DeviceTable
    filterset_class = DeviceFilterSet

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().select_related("building")

    def can_add(self) -> bool:
        from .registry import may_register

        return may_register(require_scope(self.request))

    def get_add_url(self) -> str:
        return reverse("monitoring:device_add")


class DeviceDetailView(ObjectDetailView):
    model = Device

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().select_related("building")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["events"] = self.object.events.all()[:100]
        ctx["frames"] = self.object.frames.order_by("-received_at")[:50]
        from .registry import may_register

        scope = require_scope(self.request)
        ctx["can_bind"] = may_bind(scope)
        ctx["can_register"] = may_register(scope)
        ctx["duty_checks"] = self.object.duty_checks.all()[:20]
        ctx["panels"] = list(self.object.panels.all())
        ctx["points"] = Point.objects.filter(panel__device=self.object).select_related("panel")[
            :500
        ]
        ctx["thresholds"] = list(self.object.thresholds.order_by("point"))
        return ctx


@login_required
def bind(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_scope(request)
    try:
        device = Device.objects.visible_to(request.user).get(pk=pk)
    except Device.DoesNotExist:
        raise Http404 from None
    if not may_bind(scope):
        raise PermissionDenied(_("Only the monitoring centre binds devices to buildings."))
    form = BindDeviceForm(request.POST or None, user=request.user, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        actions.bind_device(
            device,
            building=form.cleaned_data["building"],
            name=form.cleaned_data["name"],
            acting_user=request.user,
        )
        messages.success(
            request,
            _("%(device)s is bound to %(building)s. Complete its registration below.")
            % {"device": device, "building": form.cleaned_data["building"]},
        )
        # Binding leads into the registration: kind, profile, then panels, points, thresholds.
        return HttpResponseRedirect(reverse("monitoring:device_edit", args=[device.pk]))
    return render(
        request,
        "core/object_edit.html",
        {
            "form": form,
            "object": device,
            "title": _("Bind %(device)s to a building") % {"device": device},
        },
        status=400 if request.method == "POST" else 200,
    )


def _open_cases(request: HttpRequest) -> Any:
    cases = (
        AlarmCase.objects.visible_to(request.user)
        .open()
        .select_related("building", "building__region__town", "device")
    )
    kind = request.GET.get("kind")
    if kind in CASE_KINDS:
        cases = cases.filter(kind=kind)
    town = request.GET.get("town")
    if town and town.isdigit():
        cases = cases.filter(building__region__town_id=int(town))
    # Fire alarms first, then the newest.
    return sorted(
        cases[:500], key=lambda c: (c.kind != EventKind.FIRE_ALARM, -c.opened_at.timestamp())
    )


@login_required
def console(request: HttpRequest) -> HttpResponse:
    """The operator console: open cases, fire alarms first, refreshed in place every 2 s."""
    require_scope(request)
    context = {
        "cases": _open_cases(request),
        "kinds": CASE_KINDS,
        "towns": Region.objects.visible_to(request.user).towns().order_by("code"),
    }
    if getattr(request, "htmx", None):
        return render(request, "monitoring/partials/_cases.html", context)
    # The page's stream announces what comes after the list rendered here, even a case that
    # arrives before the browser has opened the stream.
    context["newest_flip"] = stream.newest_flip()
    return render(request, "monitoring/console.html", context)


class CaseDetailView(ObjectDetailView):
    model = AlarmCase

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().select_related("building", "device", "first_event")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        case = self.object
        ctx["flips"] = case.flips.select_related("actor")
        ctx["events"] = Event.objects.filter(
            device=case.device, component_address=case.component_address, at__gte=case.opened_at
        ).order_by("at")[:200]
        ctx["point"] = Point.objects.filter(
            panel__device=case.device, address=case.component_address
        ).first()
        ctx["choices"] = [
            (new, CaseState(new).label) for (old, new) in TRANSITIONS if old == case.state
        ]
        if case.building_id:
            ctx["chain"] = case.building.responsibilities.select_related("organization", "person")
            ctx["systems"] = case.building.fire_systems.filter(present=True)
        return ctx


@login_required
@require_POST
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    require_scope(request)
    try:
        case = AlarmCase.objects.visible_to(request.user).get(pk=pk)
    except AlarmCase.DoesNotExist:
        raise Http404 from None
    try:
        workflow.transition(
            case,
            request.POST.get("state", ""),
            acting_user=request.user,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(
            request, _("Case marked: %(state)s.") % {"state": case.get_state_display()}
        )
    return HttpResponseRedirect(request.POST.get("next") or case.get_absolute_url())


STREAM_HEARTBEAT_S = 15


async def console_stream(request: HttpRequest) -> StreamingHttpResponse | HttpResponse:
    """Server-Sent Events for the console: an event whenever an alarm case opens or changes.

    The process's `stream.Hub` watches the case timeline (LISTEN/NOTIFY on PostgreSQL, so a case
    a separate worker process opens arrives as soon as it is committed; a 50 ms poll on
    SQLite) and wakes every open stream; the page then reloads its scoped list. A comment line
    every 15 s keeps proxies from closing the stream.
    """
    user = await request.auser()
    if not user.is_authenticated or await sync_to_async(scope_for)(user) is None:
        return HttpResponse(status=403)

    # Where the client is: the last event it saw (a reconnect) or the list it rendered (?since).
    since = _int_or_none(request.headers.get("Last-Event-ID")) or _int_or_none(
        request.GET.get("since")
    )

    async def events() -> Any:
        hub = stream.hub()
        queue = await hub.subscribe()
        last = hub.newest if since is None else since
        try:
            yield "retry: 2000\n\n"
            if hub.newest > last:  # committed after the page rendered, before this stream
                last = hub.newest
                yield f"id: {last}\nevent: cases\ndata: {last}\n\n"
            while True:
                try:
                    newest = await asyncio.wait_for(queue.get(), STREAM_HEARTBEAT_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if newest > last:
                    last = newest
                    yield f"id: {newest}\nevent: cases\ndata: {newest}\n\n"
        finally:
            hub.unsubscribe(queue)

    # Under ASGI (uvicorn) the stream is async; a WSGI deployment gets the same stream from a
    # plain generator (a WSGI server would otherwise buffer an endless async iterator).
    stream_body = (
        events()
        if isinstance(request, ASGIRequest)
        else _sync_events(await _newest_flip() if since is None else since)
    )
    response = StreamingHttpResponse(stream_body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


_newest_flip = sync_to_async(stream.newest_flip)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _sync_events(last: int) -> Any:
    import time

    yield "retry: 2000\n\n"
    quiet, poll = 0.0, stream.poll_seconds()
    while True:
        time.sleep(poll)
        newest = stream.newest_flip()
        if newest != last:
            last, quiet = newest, 0.0
            yield f"id: {newest}\nevent: cases\ndata: {newest}\n\n"
        else:
            quiet += poll
            if quiet >= STREAM_HEARTBEAT_S:
                quiet = 0.0
                yield ": keep-alive\n\n"


@login_required
@require_POST
def duty_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the device's control room to answer (查岗); the worker sends it within a second."""
    scope = require_scope(request)
    try:
        device = Device.objects.visible_to(request.user).get(pk=pk)
    except Device.DoesNotExist:
        raise Http404 from None
    if not may_bind(scope):
        raise PermissionDenied(_("Only the monitoring centre runs duty checks."))
    from django.conf import settings

    DutyCheck.objects.create(
        device=device,
        requested_by=request.user,
        timeout_minutes=settings.TOWERWATCH_DUTY_CHECK_TIMEOUT_MIN,
    )
    messages.success(request, _("Duty check queued for %(device)s.") % {"device": device})
    return HttpResponseRedirect(device.get_absolute_url())


class _BuildingRankingView(ObjectListView):
    """Buildings ranked by a rate over a window of `?days=` (one grouped query); exports read
    plain rows (no model instances: 40,000 buildings in a second, not ten)."""

    model = Building
    #: Where the ranked rows reach their building, and the export's order.
    building_path = "building"
    export_order: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return stats.window_days(self.request.GET.get("days"))

    def can_add(self) -> bool:
        return False

    def export(self, fmt: str, objects: Any) -> Any:
        path = self.building_path
        rows = objects.annotate(
            code=F(f"{path}__code"),
            name=F(f"{path}__name"),
            town=F(f"{path}__region__town__name"),
        ).order_by(*self.export_order)
        return super().export(fmt, rows)


class FalseAlarmListView(_BuildingRankingView):
    """Buildings ranked by false-alarm rate over a window, per town; exports to .xlsx."""

    table_class = FalseAlarmTable
    filterset_class = FalseAlarmFilterSet
    template_name = "monitoring/false_alarms.html"
    export_basename = "false-alarms"
    export_order = ("-fa_rate", "-fa_cases", "building")
    export_columns = (
        (_lazy("building code"), lambda r: r["code"]),
        (_lazy("name"), lambda r: r["name"]),
        (_lazy("town / street"), lambda r: r["town"] or ""),
        (_lazy("decided fire alarms"), lambda r: r["fa_cases"]),
        (_lazy("false alarms"), lambda r: r["fa_false"]),
        (_lazy("false-alarm rate (%)"), lambda r: round(100 * r["fa_rate"], 1)),
    )

    @property
    def title(self) -> str:
        return _("False alarms by building, last %(days)s days") % {"days": self.days}

    def scoped_queryset(self) -> Any:
        visible = Building.objects.visible_to(self.request.user)
        return stats.ranked(visible, stats.since(self.days))


class DutyCheckListView(ObjectListView):
    """Every duty check in scope: when asked, by whom (or the schedule), when answered."""

    model = DutyCheck
    table_class = DutyCheckTable
    filterset_class = DutyCheckFilterSet
    template_name = "monitoring/duty_checks.html"
    export_basename = "duty-checks"
    export_columns = (
        (_lazy("requested"), lambda c: c.requested_at),
        (_lazy("building code"), lambda c: c.device.building.code if c.device.building_id else ""),
        (_lazy("building"), lambda c: c.device.building.name if c.device.building_id else ""),
        (_lazy("device"), lambda c: c.device.address),
        (_lazy("scheduled for"), lambda c: c.scheduled_for),
        (_lazy("state"), lambda c: c.get_state_display()),
        (_lazy("sent"), lambda c: c.sent_at),
        (_lazy("answered"), lambda c: c.answered_at),
        (_lazy("seconds to answer"), lambda c: c.answer_seconds),
    )

    def scoped_queryset(self) -> Any:
        return (
            super()
            .scoped_queryset()
            .select_related("device", "device__building", "requested_by", "schedule")
        )

    def can_add(self) -> bool:
        return False


class DutyRateListView(_BuildingRankingView):
    """Answer rate of duty checks per building over a window (one grouped query)."""

    building_path = "device__building"
    export_order = ("dc_rate", "building")
    table_class = DutyRateTable
    filterset_class = DutyRateFilterSet
    template_name = "monitoring/duty_checks.html"
    export_basename = "duty-check-answer-rates"
    export_columns = (
        (_lazy("building code"), lambda r: r["code"]),
        (_lazy("name"), lambda r: r["name"]),
        (_lazy("town / street"), lambda r: r["town"] or ""),
        (_lazy("checks asked"), lambda r: r["dc_asked"]),
        (_lazy("answered"), lambda r: r["dc_answered"]),
        (_lazy("answer rate (%)"), lambda r: round(100 * r["dc_rate"], 1)),
    )

    @property
    def title(self) -> str:
        return _("Duty-check answer rate by building, last %(days)s days") % {"days": self.days}

    def scoped_queryset(self) -> Any:
        visible = Building.objects.visible_to(self.request.user)
        return stats.duty_ranked(visible, stats.since(self.days)).prefetch_related("region__town")


class DutyScheduleEditView(ObjectEditView):
    """A region's default duty-check schedule (the centre) or a building's own (its editors)."""

    model = DutyCheckSchedule
    form_class = DutyScheduleForm

    def may_write(self, scope: Scope) -> bool:
        from .registry import may_register

        if self.object is not None and self.object.region_id:
            return may_bind(scope)
        return may_register(scope)

    def get_form(self, data: Any = None, files: Any = None) -> Any:
        initial = {}
        building = self.request.GET.get("building")
        if self.object is None and building and building.isdigit():
            initial["building"] = (
                Building.objects.visible_to(self.request.user).filter(pk=int(building)).first()
            )
        return self.form_class(
            data=data,
            files=files,
            instance=self.object,
            user=self.request.user,
            initial=initial,
            centre=may_bind(require_scope(self.request)),
        )

    def save(self, form: DutyScheduleForm) -> DutyCheckSchedule:
        return actions.save_duty_schedule(form.save(commit=False), acting_user=self.request.user)

    def get_success_url(self, obj: DutyCheckSchedule) -> str:
        return reverse("monitoring:duty_check_list")


@login_required
def duty_schedules(request: HttpRequest) -> HttpResponse:
    scope = require_scope(request)
    from .registry import may_register

    schedules = (
        DutyCheckSchedule.objects.visible_to(request.user)
        .select_related("region", "building")
        .order_by("building", "region__path")
    )
    return render(
        request,
        "monitoring/duty_schedules.html",
        {
            "schedules": schedules,
            "can_add": may_register(scope),
            "title": _("Duty check schedules"),
        },
    )
