from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from towerwatch.buildings.models import Building
from towerwatch.core.forms import ScopedFormMixin
from towerwatch.core.widgets import Autocomplete


class BindDeviceForm(ScopedFormMixin, forms.Form):
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.urls import reverse_lazy

        field = self.fields["building"]
        field.widget = Autocomplete(url=reverse_lazy("buildings:building_suggest"))
        field.queryset = Building.objects.visible_to(self.user)
        field.label_from_instance = lambda b: f"{b.code} {b.name}"
