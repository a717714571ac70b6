from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from towerwatch.core.forms import ScopedFormMixin
from towerwatch.core.widgets import region_picker
from towerwatch.organizations.choices import RegionKind
from towerwatch.organizations.models import Region

from .choices import Role
from .models import Membership


class MemberForm(ScopedFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        regex=r"^[\w.@+-]{3,150}$",
        max_length=150,
        help_text=_("Letters, digits and . @ + - _ only."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, min_length=8
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    grid = forms.ModelChoiceField(
        label=_("Grid (grid officers)"), queryset=Region.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].widget = region_picker("grid")
        self.fields["grid"].queryset = Region.objects.visible_to(self.user).filter(
            kind=RegionKind.GRID
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") == Role.GRID_OFFICER and not data.get("grid"):
            self.add_error("grid", _("A grid officer must be given a grid."))
        return data


class MembershipForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "grid", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].widget = region_picker("grid")
        self.fields["grid"].queryset = Region.objects.visible_to(self.user).filter(
            kind=RegionKind.GRID
        )
