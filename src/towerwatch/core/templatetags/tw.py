"""Small template helpers."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def tw_json(value: Any) -> str:
    """Show a change-log value compactly."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@register.simple_tag(takes_context=True)
def querystring_without(context: Any, *keys: str) -> str:
    query = context["request"].GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()
