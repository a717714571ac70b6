from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from towerwatch.core.forms import ScopedFormMixin
from towerwatch.core.widgets import organization_picker, person_picker
from towerwatch.organizations.choices import COMMUNITY_LEVEL, RegionKind
from towerwatch.organizations.labels import person_label
from towerwatch.organizations.models import Organization, Person, Region, Sector

from .choices import ORGANIZATION_ROLES, ResponsibilityRole
from .models import Building, FireSystem


class BuildingForm(ScopedFormMixin, forms.ModelForm):
    sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Occupancy sectors"),
    )

    class Meta:
        model = Building
        fields = [
            "name",
            "address",
            "region",
            "lon",
            "lat",
            "height_m",
            "storeys_above",
            "storeys_below",
            "use",
            "sectors",
            "important_public",
            "library_volumes",
            "total_area_m2",
            "largest_storey_area_m2",
            "year_completed",
            "stage",
            "is_old_residential",
            "managing_arrangement",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.visible_to(self.user)
            .filter(kind__in=[RegionKind.GRID, *COMMUNITY_LEVEL])
            .select_related("town")
            .order_by("path")
        )
        self.fields["region"].label_from_instance = lambda r: (
            f"{r.town.name if r.town else ''} › {r.name}"
        )
        if self.instance.pk:
            self.initial["sectors"] = list(self.instance.sectors.values_list("pk", flat=True))


class FireSystemForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = FireSystem
        fields = ["present", "state", "last_tested", "note"]
        widgets = {"last_tested": forms.DateInput(attrs={"type": "date"})}


class ResponsibilityForm(ScopedFormMixin, forms.Form):
    """Add a link: pick an organization, pick a known person, or name a new person.

    A plain form: the action builds the link and validates it with the model's rules.
    """

    role = forms.ChoiceField(label=_("Role"), choices=ResponsibilityRole.choices)
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    new_person_name = forms.CharField(
        label=_("or a new person: name"), required=False, max_length=60
    )
    new_person_phone = forms.CharField(label=_("phone"), required=False, max_length=30)
    new_person_title = forms.CharField(label=_("post"), required=False, max_length=60)

    def __init__(self, *args: Any, building: Building, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.building = building
        org = self.fields["organization"]
        org.widget = organization_picker()
        org.queryset = Organization.objects.visible_to(self.user)
        person = self.fields["person"]
        person.widget = person_picker()
        person.queryset = Person.objects.visible_to(self.user).select_related("organization")
        person.label_from_instance = person_label
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role = data.get("role")
        if role in ORGANIZATION_ROLES:
            if not data.get("organization"):
                self.add_error("organization", _("This role is filled by an organization."))
            data["person"] = None
        elif role:
            data["organization"] = None
            if not data.get("person") and not data.get("new_person_name"):
                self.add_error("person", _("Pick a person or enter a new person's name."))
        return data
