"""Forms of the enforcement-case pages and the GB 35181 major-hazard assessment.

The legal bases, fine ranges, element catalogue and site types come from the rule set in force;
the range check, the participant minimum and the verdict are the actions' job, and their
`ValidationError`s come back onto these forms field by field.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from towerwatch.core.forms import ScopedFormMixin
from towerwatch.core.widgets import organization_picker
from towerwatch.organizations.choices import OrganizationKind
from towerwatch.organizations.models import Organization

from . import actions
from .forms import BuildingInput, DateInput, HazardForm
from .models import PartyKind

#: How a fine range's key in the rule set reads on the form.
RANGE_LABELS = {
    "business": PartyKind.BUSINESS.label,
    "non_business": PartyKind.NON_BUSINESS.label,
    "unit": _("any unit"),
    "individual": PartyKind.INDIVIDUAL.label,
}


def legal_basis_rows() -> list[dict[str, Any]]:
    """The rule-set entries an enforcement case may cite, with clause and fine ranges."""
    rows = []
    for rule in actions.legal_bases():
        ranges = (rule.value or {}).get("ranges", {})
        rows.append(
            {
                "key": rule.key,
                "title": rule.title,
                "citation": rule.citation,
                "confidence": rule.confidence,
                "unconfirmed": rule.is_unconfirmed,
                "ranges": [
                    {"label": RANGE_LABELS.get(k, k), "low": low, "high": high}
                    for k, (low, high) in ranges.items()
                ],
            }
        )
    return rows


class EnforcementForm(ScopedFormMixin, forms.Form):
    """Open a case: on a hazard's building (the hazard given) or standalone for a building."""

    building = forms.CharField(label=_("Building"), max_length=200, widget=BuildingInput)
    legal_basis_rule = forms.ChoiceField(
        label=_("legal basis"), widget=forms.RadioSelect, choices=()
    )
    party_kind = forms.ChoiceField(
        label=_("kind of party"), choices=PartyKind.choices, widget=forms.RadioSelect
    )
    party = forms.ModelChoiceField(
        label=_("party"),
        queryset=Organization.objects.none(),
        required=False,
        widget=organization_picker(),
        help_text=_("The unit sanctioned; leave empty for an individual."),
    )
    party_name = forms.CharField(
        label=_("party name"),
        max_length=200,
        required=False,
        help_text=_("The person's or unit's name when it is not registered."),
    )
    order_text = forms.CharField(
        label=_("order"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fine_yuan = forms.IntegerField(label=_("fine (yuan)"), min_value=0, required=False)
    departments = forms.ModelMultipleChoiceField(
        label=_("participating departments"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    follow_up = forms.CharField(
        label=_("Follow-up"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The next step, e.g. a re-check."),
    )
    follow_up_due = forms.DateField(label=_("Follow-up due"), required=False, widget=DateInput)

    def __init__(self, *args: Any, hazard: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hazard = hazard
        if hazard is not None:
            del self.fields["building"]
        cast(forms.ChoiceField, self.fields["legal_basis_rule"]).choices = [
            (r.key, r.citation) for r in actions.legal_bases()
        ]
        visible = Organization.objects.visible_to(self.user)
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = visible
        cast(forms.ModelMultipleChoiceField, self.fields["departments"]).queryset = visible.filter(
            kind=OrganizationKind.DEPARTMENT
        )

    clean_building = HazardForm.clean_building


class EnforcementStepForm(ScopedFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Step"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due = forms.DateField(label=_("due"), required=False, widget=DateInput)
    close = forms.BooleanField(label=_("Close the case with this step"), required=False)


class JoinForm(ScopedFormMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


# --- major hazard assessment ---------------------------------------------------------------------

DECISIONS = (
    ("", _("as the rules decide")),
    ("yes", _("major hazard")),
    ("no", _("not a major hazard")),
)


class AssessmentForm(ScopedFormMixin, forms.Form):
    """Elements of the catalogue in force as checkboxes, grouped in the template."""

    elements = forms.MultipleChoiceField(
        label=_("elements found"), required=False, widget=forms.CheckboxSelectMultiple
    )
    site_type = forms.ChoiceField(label=_("site type"))
    is_major = forms.ChoiceField(
        label=_("collective decision"),
        choices=DECISIONS,
        required=False,
        help_text=_("Required where the rule set's counting threshold is unconfirmed."),
    )
    conclusion = forms.CharField(
        label=_("collective conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded on the hazard's timeline after the assessment."),
    )

    def __init__(self, *args: Any, catalogue: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value = catalogue.value
        cast(forms.ChoiceField, self.fields["elements"]).choices = [
            (e["code"], e["text"])
            for part in ("direct", "comprehensive")
            for e in value[part]["elements"]
        ]
        cast(forms.ChoiceField, self.fields["site_type"]).choices = [("", "---------")] + [
            (t, SITE_TYPE_LABELS.get(t, t)) for t in value["site_types"]
        ]
        self.fields["site_type"].required = False

    def decision(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("is_major") or "")


SITE_TYPE_LABELS = {
    "crowded_venue": _("crowded venue"),
    "hazardous_goods": _("flammable or explosive goods"),
    "elderly_children": _("elderly care or children's facility"),
    "labour_intensive": _("labour-intensive workplace"),
    "mixed_use": _("mixed-use building"),
    "important_site": _("important site"),
    "other": _("other"),
}


class ParticipantForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"),
        max_length=60,
        required=False,
        widget=forms.TextInput({"class": "form-control"}),
    )
    role = forms.CharField(
        label=_("role / unit"),
        max_length=120,
        required=False,
        widget=forms.TextInput({"class": "form-control"}),
    )


ParticipantFormSet = forms.formset_factory(ParticipantForm, extra=5, max_num=30)
