from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from towerwatch.buildings.models import Building
from towerwatch.core.forms import ScopedFormMixin
from towerwatch.core.widgets import Autocomplete
from towerwatch.organizations.choices import TOWN_LEVEL

from .choices import SENSOR_UNITS, DeviceKind
from .models import Device, DutyCheckSchedule, Panel, Point, Threshold


def _building_field(field: forms.ModelChoiceField, user: Any) -> None:
    field.widget = Autocomplete(url=reverse_lazy("buildings:building_suggest"))
    field.widget.attrs.setdefault("class", "form-control")
    field.queryset = Building.objects.visible_to(user)
    field.label_from_instance = lambda b: f"{b.code} {b.name}"


class BindDeviceForm(ScopedFormMixin, forms.Form):
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _building_field(self.fields["building"], self.user)


class DeviceForm(ScopedFormMixin, forms.ModelForm):
    """A UITD (6-byte address, vendor profile) or an IoT sensor (id and kind) of a building."""

    class Meta:
        model = Device
        fields = ["building", "kind", "sensor_kind", "address", "name", "profile"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["building"]
        field.required = True
        _building_field(field, self.user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, address = data.get("kind"), (data.get("address") or "").strip()
        if kind == DeviceKind.UITD:
            address = address.lower().replace(" ", "")  # as the model's clean() stores it
        if kind == DeviceKind.IOT_SENSOR and not data.get("sensor_kind"):
            self.add_error("sensor_kind", _("Say what the sensor measures or watches."))
        # One device per kind and address (the constraint would only say so for the form).
        if kind and address and "address" not in self.errors:
            clash = Device.objects.filter(kind=kind, address=address).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("address", _("A device with this address is already registered."))
        return data


class PanelForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Panel
        fields = ["system_type", "system_address", "name"]
        help_texts = {
            "system_type": _("GB/T 26875.3 Table 4 code, e.g. 1 = fire alarm system."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        p = self.instance
        if not self.errors and (
            Panel.objects.filter(
                device_id=p.device_id,
                system_type=data.get("system_type"),
                system_address=data.get("system_address"),
            )
            .exclude(pk=p.pk)
            .exists()
        ):
            self.add_error(
                "system_address", _("This device already has a panel with this type and address.")
            )
        return data


class PointForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Point
        fields = ["panel", "component_type", "address", "description", "floor", "location"]
        help_texts = {
            "component_type": _("GB/T 26875.3 Table 5 code, e.g. 40 = manual call point."),
            "address": _("4 bytes as 8 hex digits, in wire order."),
        }

    def __init__(self, *args: Any, device: Device, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = Panel.objects.filter(device=device)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        p = self.instance
        if (
            not self.errors
            and Point.objects.filter(
                panel=data.get("panel"), address=(data.get("address") or "").strip().lower()
            )
            .exclude(pk=p.pk)
            .exists()
        ):
            self.add_error("address", _("This panel already has a point at this address."))
        return data


class ThresholdForm(ScopedFormMixin, forms.ModelForm):
    rule_key = forms.ChoiceField(label=_("From the rule"), required=False)

    class Meta:
        model = Threshold
        fields = ["point", "low", "high", "unit", "rule_key"]

    def __init__(self, *args: Any, device: Device, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from towerwatch.rules.ruleset import RuleSet

        rules = RuleSet.current()
        choices: list[tuple[str, str]] = [("", _("— the building's own value —"))]
        for key in sorted(k for k in rules._rules if k.startswith("monitoring.threshold.")):
            rule = rules.rule(key)
            mark = " ⚠" if rule.is_unconfirmed else ""
            choices.append((key, f"{rule.title} · {rule.citation}{mark}"))
        self.fields["rule_key"].choices = choices
        self.fields["rule_key"].help_text = _(
            "Bounds left empty are taken from the rule; unconfirmed values are marked ⚠."
        )
        if not self.instance.pk and device.sensor_kind in SENSOR_UNITS:
            self.initial["unit"] = self.initial.get("unit") or SENSOR_UNITS[device.sensor_kind]
        self.fields["low"].required = self.fields["high"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        t = self.instance
        key = data.get("rule_key")
        if key and data.get("low") is None and data.get("high") is None:
            # Bounds left empty beside a rule are the rule's (actions.save_threshold does the same).
            from towerwatch.rules.ruleset import RuleSet

            value = RuleSet.current().value(key)
            if isinstance(value, dict):
                data["low"], data["high"] = value.get("low"), value.get("high")
                data["unit"] = data.get("unit") or value.get("unit") or ""
        if (
            "point" not in self.errors
            and Threshold.objects.filter(device_id=t.device_id, point=data.get("point"))
            .exclude(pk=t.pk)
            .exists()
        ):
            self.add_error("point", _("This point already has a threshold."))
        return data


class DutyScheduleForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = DutyCheckSchedule
        fields = [
            "region",
            "building",
            "mode",
            "checks_per_day",
            "start_hour",
            "end_hour",
            "fixed_times",
            "timeout_minutes",
            "enabled",
        ]

    def __init__(self, *args: Any, centre: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from towerwatch.organizations.choices import RegionKind
        from towerwatch.organizations.models import Region

        _building_field(self.fields["building"], self.user)
        self.fields["building"].required = False
        if centre:
            self.fields["region"].queryset = (
                Region.objects.visible_to(self.user)
                .filter(kind__in=[RegionKind.DISTRICT, *TOWN_LEVEL])
                .order_by("path")
            )
        else:  # a building's editors set their building's own schedule only
            del self.fields["region"]
