from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, ObjectChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """The change log and audit events can be read, never changed."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ObjectChange)
class ObjectChangeAdmin(ReadOnlyAdmin):
    list_display = ("time", "user_name", "action", "content_type", "object_repr", "request_id")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "user_name", "request_id")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("time", "user", "kind", "detail")
    list_filter = ("kind",)
