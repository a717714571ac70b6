from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from towerwatch.core.forms import ScopedFormMixin
from towerwatch.core.widgets import organization_picker, region_picker

from .choices import RegionKind, ServiceKind
from .models import Certificate, Organization, Person, Region, Sector


class OrganizationForm(ScopedFormMixin, forms.ModelForm):
    sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Supervised sectors"),
    )
    service_kinds = forms.MultipleChoiceField(
        choices=ServiceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Services offered"),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "kind",
            "credit_code",
            "region",
            "parent",
            "sectors",
            "service_kinds",
            "utility_kind",
            "is_business",
            "address",
            "phone",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget = region_picker(
            "district,street,town,platform,community,village"
        )
        self.fields["region"].queryset = Region.objects.visible_to(self.user).exclude(
            kind=RegionKind.GRID
        )
        self.fields["parent"].widget = organization_picker()
        self.fields["parent"].queryset = Organization.objects.visible_to(self.user)
        if self.instance.pk:
            self.initial["sectors"] = list(self.instance.sectors.values_list("pk", flat=True))


class PersonForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "organization", "title", "phone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].widget = organization_picker()
        self.fields["organization"].queryset = Organization.objects.visible_to(self.user)


class RegionForm(ScopedFormMixin, forms.ModelForm):
    boundary = forms.JSONField(
        required=False,
        label=_("Boundary (GeoJSON geometry, WGS84)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Region
        fields = [
            "name",
            "code",
            "kind",
            "parent",
            "centre_lon",
            "centre_lat",
            "boundary",
            "boundary_approximate",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].widget = region_picker(
            "district,street,town,platform,community,village"
        )
        self.fields["parent"].queryset = Region.objects.visible_to(self.user).exclude(
            kind=RegionKind.GRID
        )


class CertificateForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ["kind", "level", "number", "valid_until"]
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"})}
