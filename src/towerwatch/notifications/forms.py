from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from towerwatch.core.forms import ScopedFormMixin

from .models import NotificationEndpoint


class NotificationEndpointForm(ScopedFormMixin, forms.ModelForm):
    secret = forms.CharField(
        label=_("secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "DingTalk: the robot's signing secret (SEC…). SMS gateway: its bearer token. "
            "Leave empty to keep the one saved."
        ),
    )

    class Meta:
        model = NotificationEndpoint
        fields = ["kind", "name", "url", "secret", "addresses", "only_urgent", "is_active"]
        widgets = {"addresses": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret"].initial = ""
        self.fields["url"].widget.attrs["autocomplete"] = "off"
        self.fields["secret"].widget.attrs["autocomplete"] = "new-password"

    def clean_secret(self) -> str:
        value = self.cleaned_data.get("secret", "").strip()
        if not value and self.instance.pk:
            return NotificationEndpoint.objects.get(pk=self.instance.pk).secret
        return value
