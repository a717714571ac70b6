"""Forms of the hazard pages. Validation that needs the rule set or the workflow is the
actions' job; their `ValidationError`s come back onto these forms field by field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from towerwatch.buildings.models import Building
from towerwatch.core.forms import ScopedFormMixin
from towerwatch.core.widgets import organization_picker
from towerwatch.organizations.choices import OrganizationKind
from towerwatch.organizations.models import Organization

from .choices import HazardCategory, HazardSource, Severity


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one input; each is validated by the action (real image, size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class BuildingInput(forms.TextInput):
    """A text box with suggestions of the visible buildings (code and name)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = {**self.attrs, **(attrs or {})}
        field_id = attrs.get("id", f"id_{name}")
        return format_html(
            '<input type="search" name="{name}" id="{id}" value="{value}" class="form-control"'
            ' list="{id}_list" autocomplete="off" placeholder="{placeholder}"'
            ' hx-get="{url}" hx-trigger="input changed delay:250ms" hx-target="#{id}_list"'
            ' hx-params="{name}" hx-push-url="false"><datalist id="{id}_list"></datalist>',
            name=name,
            id=field_id,
            value=value or "",
            placeholder=_("building code or name"),
            url=reverse_lazy("hazards:building_suggest"),
        )


class HazardForm(ScopedFormMixin, forms.Form):
    building = forms.CharField(label=_("Building"), max_length=200, widget=BuildingInput)
    source = forms.ChoiceField(label=_("Source"), choices=HazardSource.choices)
    category = forms.ChoiceField(label=_("hazard category"), choices=HazardCategory.choices)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    floor = forms.CharField(label=_("Floor"), max_length=20, required=False)
    location = forms.CharField(label=_("Location in the building"), max_length=120, required=False)
    interim_measures = forms.CharField(
        label=_("Interim measures"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DateInput,
        help_text=_("Left empty, the rule set's deadline applies."),
    )
    deadline_reason = forms.CharField(
        label=_("Reason for a different deadline"),
        max_length=200,
        required=False,
        help_text=_("Required when the deadline differs from the rule set."),
    )
    photos = MultipleFileField(
        label=_("Photos"), help_text=_("JPEG, PNG or WebP; several at once.")
    )

    def clean_building(self) -> Building:
        text = self.cleaned_data["building"].strip()
        code = text.split()[0] if text else ""
        visible = Building.objects.visible_to(self.user)
        building = visible.filter(code=code).first() if code else None
        if building is None and code.isdigit():
            building = visible.filter(pk=int(code)).first()
        if building is None:
            raise forms.ValidationError(_("No building you may see has this code."))
        return building


class TransitionForm(ScopedFormMixin, forms.Form):
    new_state = forms.CharField(widget=forms.HiddenInput)
    assignee = forms.ModelChoiceField(
        label=_("Unit that must rectify"),
        queryset=Organization.objects.none(),
        required=False,
        widget=organization_picker(),
        help_text=_("Left empty, the unit named by the building's responsibility chain."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = MultipleFileField(label=_("Evidence photos"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = Organization.objects.visible_to(self.user)


class DeadlineForm(ScopedFormMixin, forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CommentForm(ScopedFormMixin, forms.Form):
    note = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class ReferForm(ScopedFormMixin, forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Referral note"), widget=forms.Textarea(attrs={"rows": 2}))
    reply_by = forms.DateField(label=_("Reply by"), widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Organization.objects.visible_to(self.user).filter(
            kind=OrganizationKind.DEPARTMENT
        )


class AnswerForm(ScopedFormMixin, forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))
