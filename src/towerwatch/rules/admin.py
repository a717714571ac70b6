from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = (
        "key",
        "value",
        "unit",
        "standard",
        "edition",
        "clause",
        "confidence",
        "value_overridden",
    )
    list_filter = ("confidence", "standard", "jurisdiction")
    search_fields = ("key", "title", "clause")
    readonly_fields = (
        "key",
        "standard",
        "edition",
        "clause",
        "source",
        "confidence",
        "effective_from",
        "superseded_on",
    )

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        if "value" in form.changed_data:
            obj.value_overridden = True
        super().save_model(request, obj, form, change)
