"""Filter-set base: Bootstrap widgets, and yes/no filters that read 'any' rather than 'unknown'."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _


class AnyYesNoWidget(forms.Select):
    """A yes/no filter whose empty choice means 'any'."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=(("", _("any")), ("true", _("yes")), ("false", _("no"))))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool | None:
        value = data.get(name)
        return {"true": True, "false": False}.get(str(value).lower()) if value else None


class YesNoFilter(df.BooleanFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", AnyYesNoWidget)
        super().__init__(*args, **kwargs)


class StyledFilterSet(df.FilterSet):
    """A FilterSet whose form is dressed for Bootstrap and whose multi-selects stay small."""

    @property
    def form(self) -> forms.Form:
        form = super().form
        if not getattr(form, "_tw_styled", False):
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, forms.SelectMultiple):
                    widget.attrs.update({"class": "form-select form-select-sm", "size": "4"})
                elif isinstance(widget, forms.Select):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                else:
                    widget.attrs.setdefault("class", "form-control form-control-sm")
                    if field.help_text:
                        widget.attrs.setdefault("placeholder", str(field.help_text))
            form._tw_styled = True
        return form
