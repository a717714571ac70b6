"""An autocomplete widget that never renders the whole choice list.

A ModelChoiceField keeps working with primary keys; the widget shows a search box whose
suggestions come from a scoped endpoint (HTMX fills a <datalist>), and a hidden input carries
the chosen id. At city scale (tens of thousands of organizations and people) a plain <select>
would render every option on every page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString


class Autocomplete(forms.Widget):
    template_name = ""  # rendered in Python: two inputs and a datalist

    def __init__(self, url: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url = url
        self.choices: Any = ()

    def label_for(self, value: Any) -> str:
        if value in (None, ""):
            return ""
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        if queryset is None:
            return str(value)
        obj = queryset.filter(pk=value).first()
        return iterator.field.label_from_instance(obj) if obj is not None else ""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = {**self.attrs, **(attrs or {})}
        field_id = attrs.get("id", f"id_{name}")
        css = attrs.get("class", "form-control")
        css = (
            "form-control form-control-sm"
            if "form-control-sm" in css or "form-select-sm" in css
            else "form-control"
        )
        return format_html(
            '<input type="hidden" name="{name}" id="{id}" value="{value}">'
            '<input type="search" class="{css} tw-autocomplete" id="{id}_search" list="{id}_list" autocomplete="off"'
            ' value="{label}" placeholder="{placeholder}" data-target="{id}"'
            ' hx-get="{url}" hx-trigger="input changed delay:250ms, focus once" hx-target="#{id}_list"'
            ' hx-swap="innerHTML" hx-params="{name}__q" hx-push-url="false" name="{name}__q">'
            '<datalist id="{id}_list"></datalist>',
            name=name,
            id=field_id,
            value="" if value is None else value,
            label=self.label_for(value),
            css=css,
            url=self.url,
            placeholder=attrs.get("placeholder", "…"),
        )

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = data.get(name)
        # Cleared search box: no choice, whatever the hidden input still holds.
        if name + "__q" in data and not data.get(name + "__q"):
            return None
        return value


def _url(name: str, kinds: str) -> Any:
    from django.urls import reverse_lazy
    from django.utils.text import format_lazy

    url = reverse_lazy(f"organizations:{name}")
    return format_lazy("{}?kind={}", url, kinds) if kinds else url


def organization_picker(kinds: str = "") -> Autocomplete:
    """Pick an organization the user may see (optionally of these comma-separated kinds)."""
    return Autocomplete(url=_url("suggest_organizations", kinds))


def person_picker() -> Autocomplete:
    return Autocomplete(url=_url("suggest_people", ""))


def region_picker(kinds: str = "") -> Autocomplete:
    return Autocomplete(url=_url("suggest_regions", kinds))


def suggest_query(request: Any) -> str:
    """The search text of a suggestion request: the box sends `<field>__q`, scripts send `q`."""
    for key, value in request.GET.items():
        if key.endswith("__q"):
            return str(value).strip()
    return str(request.GET.get("q", "")).strip()
