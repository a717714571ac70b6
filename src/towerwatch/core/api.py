"""API base classes: scoped viewsets, strict serializers, limit/offset pagination."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from towerwatch.accounts.scope import scope_for


class StrictModelSerializer(serializers.ModelSerializer):
    """Rejects unknown fields instead of silently ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = {name for name, f in self.fields.items() if not f.read_only}
            unknown = sorted(set(data) - known)
            if unknown:
                raise ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Lists and objects come from `visible_to(request.user)`: outside the scope is 404.

    Writes go through `perform_save` / `perform_destroy`, which subclasses point at actions;
    only organizations whose role may edit get past `check_write`.
    """

    queryset: Any  # declared by subclasses: the model and default ordering

    def get_queryset(self) -> Any:
        return (
            self.queryset.model.objects.visible_to(self.request.user)
            .select_related(*getattr(self, "select_related", ()))
            .prefetch_related(*getattr(self, "prefetch_related", ()))
            .order_by(*self.queryset.query.order_by or ["pk"])
        )

    def check_write(self) -> None:
        scope = scope_for(self.request.user)
        if scope is None or not scope.can_edit:
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied("Your role may not change records.")

    def perform_create(self, serializer: Any) -> None:
        self.check_write()
        with transaction.atomic():
            self.perform_save(serializer)

    def perform_update(self, serializer: Any) -> None:
        self.check_write()
        with transaction.atomic():
            self.perform_save(serializer)

    def perform_save(self, serializer: Any) -> None:
        """Serializers write through the app's actions (see their create/update)."""
        serializer.save()
