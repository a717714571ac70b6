"""Registration pages: devices, control panels, points and thresholds of a building.

A building's editors and the monitoring centre register them; everything is looked up through
`visible_to(user)` (404 outside the scope) and written through `actions` (change log).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _

from towerwatch.accounts.scope import Scope
from towerwatch.buildings.models import Building
from towerwatch.core.views import ObjectDeleteView, ObjectEditView, require_scope

from . import actions
from .forms import DeviceForm, PanelForm, PointForm, ThresholdForm
from .models import Device, Panel, Point, Threshold


def may_register(scope: Scope) -> bool:
    """Editors of an organization that sees the building, and the monitoring centre."""
    from .views import may_bind

    return scope.can_edit or may_bind(scope)


class RegistryEditMixin:
    request: HttpRequest

    def may_write(self, scope: Scope) -> bool:
        return may_register(scope)


class DeviceEditView(RegistryEditMixin, ObjectEditView):
    model = Device
    form_class = DeviceForm

    def get_form(self, data: Any = None, files: Any = None) -> Any:
        initial = {}
        building = self.request.GET.get("building")
        if self.object is None and building and building.isdigit():
            found = Building.objects.visible_to(self.request.user).filter(pk=int(building)).first()
            if found is not None:
                initial["building"] = found
        return self.form_class(
            data=data, files=files, instance=self.object, user=self.request.user, initial=initial
        )

    def save(self, form: DeviceForm) -> Device:
        return actions.save_device(form.save(commit=False), acting_user=self.request.user)


class DeviceDeleteView(ObjectDeleteView):
    model = Device

    def may_delete(self, scope: Scope) -> bool:
        return may_register(scope)

    @property
    def success_url(self) -> str:  # type: ignore[override]
        if self.object.building_id:
            return reverse("buildings:building_detail", args=[self.object.building_id]) + (
                "?tab=monitoring"
            )
        return reverse("monitoring:device_list")

    def delete(self, obj: Device) -> None:
        actions.delete_device(obj, acting_user=self.request.user)


class _UnderDevice(RegistryEditMixin, ObjectEditView):
    """Create under a device (`device` in the URL) or edit one (`pk`), in the same scope."""

    device: Device

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and "device" in kwargs:
            require_scope(request)
            found = Device.objects.visible_to(request.user).filter(pk=kwargs["device"]).first()
            if found is None:
                raise Http404
            self.device = found
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk: Any) -> Any:
        obj = super().get_object(pk)
        if obj is not None:
            self.device = self.parent_device(obj)
        return obj

    def parent_device(self, obj: Any) -> Device:
        return obj.device

    def new_instance(self) -> Any:
        """Abstract: each page under a device makes its own kind of object there."""
        raise NotImplementedError

    def get_form(self, data: Any = None, files: Any = None) -> Any:
        if not hasattr(self, "device"):
            raise Http404
        return self.form_class(
            data=data,
            files=files,
            instance=self.object or self.new_instance(),
            user=self.request.user,
            **self.form_kwargs(),
        )

    def form_kwargs(self) -> dict[str, Any]:
        return {}


class PanelEditView(_UnderDevice):
    model = Panel
    form_class = PanelForm

    def new_instance(self) -> Panel:
        return Panel(device=self.device)

    def save(self, form: PanelForm) -> Panel:
        return actions.save_panel(form.save(commit=False), acting_user=self.request.user)


class PointEditView(_UnderDevice):
    model = Point
    form_class = PointForm

    def parent_device(self, obj: Point) -> Device:
        return obj.panel.device

    def new_instance(self) -> Point:
        return Point()

    def form_kwargs(self) -> dict[str, Any]:
        return {"device": self.device}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if hasattr(self, "device") and not self.device.panels.exists():
            from django.contrib import messages
            from django.http import HttpResponseRedirect

            messages.info(request, _("Register the control panel the point is on first."))
            return HttpResponseRedirect(reverse("monitoring:panel_add", args=[self.device.pk]))
        return super().get(request, *args, **kwargs)

    def save(self, form: PointForm) -> Point:
        return actions.save_point(form.save(commit=False), acting_user=self.request.user)


class ThresholdEditView(_UnderDevice):
    model = Threshold
    form_class = ThresholdForm

    def new_instance(self) -> Threshold:
        return Threshold(device=self.device)

    def form_kwargs(self) -> dict[str, Any]:
        return {"device": self.device}

    def save(self, form: ThresholdForm) -> Threshold:
        return actions.save_threshold(form.save(commit=False), acting_user=self.request.user)


class _DeleteUnderDevice(ObjectDeleteView):
    action: Any

    def may_delete(self, scope: Scope) -> bool:
        return may_register(scope)

    @property
    def success_url(self) -> str:  # type: ignore[override]
        return self.object.get_absolute_url()

    def delete(self, obj: Any) -> None:
        type(self).action(obj, acting_user=self.request.user)


class PanelDeleteView(_DeleteUnderDevice):
    model = Panel
    action = actions.delete_panel


class PointDeleteView(_DeleteUnderDevice):
    model = Point
    action = actions.delete_point


class ThresholdDeleteView(_DeleteUnderDevice):
    model = Threshold
    action = actions.delete_threshold
