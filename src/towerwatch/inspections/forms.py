from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from towerwatch.hazards.choices import HazardCategory

from .choices import Result


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AnswerForm(forms.Form):
    result = forms.ChoiceField(label=_("result"), choices=Result.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class CheckpointForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=80)
    location = forms.CharField(label=_("where it is posted"), max_length=120, required=False)


class ItemForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=12)
    text = forms.CharField(label=_("what to check"), max_length=200)
    clause = forms.CharField(label=_("clause"), max_length=120, required=False)
    hazard_category = forms.ChoiceField(
        label=_("hazard category if failed"), choices=HazardCategory.choices
    )


ItemFormSet = forms.formset_factory(ItemForm, extra=2, can_delete=True)
