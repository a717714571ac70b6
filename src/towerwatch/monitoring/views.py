"""Monitoring pages: devices (with the unregistered queue), one device's traffic, binding."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from towerwatch.accounts.choices import Role
from towerwatch.accounts.scope import Scope
from towerwatch.core.views import ObjectDetailView, ObjectListView, require_scope

from . import actions
from .filtersets import DeviceFilterSet
from .forms import BindDeviceForm
from .models import Device
from .tables import DeviceTable


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
        return False


class DeviceDetailView(ObjectDetailView):
    model = Device

    def scoped_queryset(self) -> Any:
        return super().scoped_queryset().select_related("building")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["events"] = self.object.events.all()[:100]
        ctx["frames"] = self.object.frames.order_by("-received_at")[:50]
        ctx["can_bind"] = may_bind(require_scope(self.request))
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
            _("%(device)s is bound to %(building)s.")
            % {"device": device, "building": form.cleaned_data["building"]},
        )
        return HttpResponseRedirect(device.get_absolute_url())
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
