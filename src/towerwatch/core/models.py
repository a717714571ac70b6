"""Framework models: timestamps, change-logged registry objects, the change log itself."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every TowerWatch table: creation and update timestamps."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ChangeLoggedModel(BaseModel):
    """A registry object whose every create, update and delete is written to `ObjectChange`.

    The before-image is taken when the row is loaded (`from_db`), so application code never
    takes snapshots; the signal handlers in `core.changelog` write the rows.
    """

    # Fields left out of the change log (noise, or derived state recomputed on save).
    changelog_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at")
    # The row as loaded (the before-image), and many-to-many values before a change.
    _loaded_values: tuple[Any, ...] | None = None
    _m2m_before: dict[str, list[Any]]

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> ChangeLoggedModel:
        instance = super().from_db(db, field_names, values)
        if len(values) == len(cls._meta.concrete_fields):
            # Keep the loaded values; the before-image is built only if the row is saved.
            instance._loaded_values = values
        return instance

    def snapshot(self) -> dict[str, Any]:
        """The row's concrete field values as JSON-safe data (foreign keys as ids)."""
        return _snapshot(
            self._meta.concrete_fields,
            (f.value_from_object(self) for f in self._meta.concrete_fields),
            self.changelog_exclude,
        )

    def prechange_snapshot(self) -> dict[str, Any] | None:
        """The row as it was loaded from the database (None for a new or partly loaded row)."""
        values = getattr(self, "_loaded_values", None)
        if values is None:
            return None
        return _snapshot(self._meta.concrete_fields, values, self.changelog_exclude)


def _snapshot(fields: Any, values: Any, exclude: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f, value in zip(fields, values, strict=True):
        if f.name in exclude:
            continue
        if isinstance(f, models.DecimalField) and value is not None:
            # The same as the database returns it, so an unchanged value never differs.
            value = f"{Decimal(value):.{f.decimal_places}f}"
        data[f.attname if f.is_relation else f.name] = value
    return _json_safe(data)


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


class ChangeAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")


class ObjectChangeQuerySet(models.QuerySet["ObjectChange"]):
    def for_object(self, obj: models.Model) -> ObjectChangeQuerySet:
        ct = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=ct, object_id=str(obj.pk))

    def update(self, **kwargs: Any) -> int:  # the log is append-only
        raise PermissionError("the change log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the change log is append-only")


class ObjectChange(models.Model):
    """One create, update or delete of a registry object: who, when, request id, before/after.

    Append-only: saving an existing row or deleting one raises.
    """

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    prechange_data = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    postchange_data = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = ObjectChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change log")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not getattr(self, "_amending", False):
            raise PermissionError("the change log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the change log is append-only")

    def diff(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field that differs."""
        before, after = self.prechange_data or {}, self.postchange_data or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditKind(models.TextChoices):
    EXPORT = "export", _("export")
    UNMASK = "unmask", _("personal data shown")
    IMPORT = "import", _("import")


class AuditEvent(models.Model):
    """Reads that the law cares about: exports and unmasked personal data (architecture §4.6)."""

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True
    )
    request_id = models.UUIDField(_("request id"), null=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AuditKind.choices)
    detail = models.JSONField(_("detail"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.time:%Y-%m-%d %H:%M}"


class Counter(models.Model):
    """A named monotonic counter (building codes); `next()` is atomic on SQLite and PostgreSQL."""

    name = models.CharField(_("name"), max_length=60, primary_key=True)
    value = models.PositiveBigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"

    @classmethod
    def next(cls, name: str) -> int:
        """Increment and return the counter. Call inside a transaction."""
        return cls.reserve(name, 1)

    @classmethod
    def reserve(cls, name: str, count: int) -> int:
        """Advance the counter by `count` and return the first of the reserved values."""
        cls.objects.get_or_create(name=name)
        cls.objects.filter(name=name).update(value=models.F("value") + count)
        return cls.objects.get(name=name).value - count + 1
