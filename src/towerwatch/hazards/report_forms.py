"""Forms of the public report pages and their triage (validation proper is in `reports`)."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.core.filtersets import StyledFilterSet, YesNoFilter
from towerwatch.organizations.choices import TOWN_LEVEL
from towerwatch.organizations.models import Region

from .choices import HazardCategory, Severity
from .models import PublicReport, ReportState


class PublicReportForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is the hazard?"), choices=HazardCategory.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What did you see, and where exactly?"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control", "maxlength": 2000}),
        max_length=2000,
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    town = forms.ModelChoiceField(
        label=_("Town or street (if you know it)"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        required=False,
        max_length=30,
        help_text=_("Only the officers handling the report see it, to call you back."),
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
    )
    # The honeypot: hidden from people, filled in by form-filling robots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: object, with_building: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if with_building:
            del self.fields["address"], self.fields["town"]
        else:
            self.fields["town"].queryset = Region.objects.filter(kind__in=TOWN_LEVEL).order_by(
                "name"
            )


class BuildingSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Building name or address"),
        min_length=2,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class AcceptForm(forms.Form):
    title = forms.CharField(label=_("Hazard title"), max_length=120)
    category = forms.ChoiceField(label=_("hazard category"), choices=HazardCategory.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    building_code = forms.CharField(
        label=_("building code"),
        required=False,
        max_length=20,
        help_text=_("Needed when the reporter did not pick a building, e.g. 500116-000123."),
    )
    floor = forms.CharField(label=_("floor"), required=False, max_length=20)
    location = forms.CharField(label=_("location in the building"), required=False, max_length=120)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea({"rows": 2}))


class DuplicateForm(forms.Form):
    hazard_code = forms.CharField(
        label=_("hazard number"), max_length=24, help_text=_("e.g. YH2025-000012")
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea({"rows": 2}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea({"rows": 2}))


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("reply to the reporter"),
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Shown on the ticket's public page: no names or phone numbers."),
    )


class RewardForm(forms.Form):
    amount_yuan = forms.DecimalField(label=_("amount (yuan)"), max_digits=9, decimal_places=2)
    approved_on = forms.DateField(
        label=_("approved on"), initial=timezone.localdate, widget=forms.DateInput({"type": "date"})
    )
    paid_on = forms.DateField(
        label=_("paid on"), required=False, widget=forms.DateInput({"type": "date"})
    )
    note = forms.CharField(label=_("note"), required=False, max_length=200)


def style(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxInput)):
            continue
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
        )
    return form


class PublicReportFilterSet(StyledFilterSet):
    q = df.CharFilter(method="search", label=_("search"), help_text=_("ticket, address, building"))
    state = df.MultipleChoiceFilter(label=_("workflow state"), choices=ReportState.choices)
    category = df.MultipleChoiceFilter(label=_("hazard category"), choices=HazardCategory.choices)
    triage_overdue = YesNoFilter(label=_("triage overdue"), method="filter_triage_overdue")
    reply_overdue = YesNoFilter(label=_("reply overdue"), method="filter_reply_overdue")

    class Meta:
        model = PublicReport
        fields = ["q", "state", "category"]

    def search(self, qs, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()
        return qs.filter(
            Q(ticket__iexact=value.replace("-", ""))
            | Q(address__icontains=value)
            | Q(building__name__icontains=value)
            | Q(building__code__startswith=value)
        )

    def filter_triage_overdue(self, qs, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return qs
        overdue = Q(state=ReportState.NEW, triage_due__lt=timezone.now())
        return qs.filter(overdue) if value else qs.exclude(overdue)

    def filter_reply_overdue(self, qs, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return qs
        overdue = Q(replied_at__isnull=True, reply_due__lt=timezone.localdate())
        return qs.filter(overdue) if value else qs.exclude(overdue)
