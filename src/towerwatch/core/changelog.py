"""Signal handlers that write `ObjectChange` rows for every `ChangeLoggedModel`.

Bulk `update()` and `bulk_create()` bypass signals: use them on event tables only, or log
explicitly with `log_change()`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save

from .context import get_change_context
from .models import ChangeAction, ChangeLoggedModel, ObjectChange


def _actor() -> tuple[Any, str]:
    user = get_change_context().user
    if user is not None and hasattr(user, "resolve"):
        user = user.resolve()
    if user is None:
        return None, "system"
    return user, user.get_username()


def log_change(
    instance: models.Model,
    action: str,
    pre: dict[str, Any] | None,
    post: dict[str, Any] | None,
) -> ObjectChange:
    """Write one change row for `instance` in the current change context."""
    ctx = get_change_context()
    user, user_name = _actor()
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    change = ObjectChange.objects.create(
        user=user,
        user_name=user_name,
        request_id=ctx.request_id,
        action=action,
        content_type=ct,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        prechange_data=pre,
        postchange_data=post,
    )
    ctx.changes[(ct.pk, instance.pk)] = change
    return change


def log_creations(rows: list[tuple[models.Model, dict[str, Any]]]) -> None:
    """Change rows for objects inserted with `bulk_create` (which sends no signals).

    `rows` pairs each new object with its after-image (`snapshot()` plus many-to-many values).
    """
    if not rows:
        return
    ctx = get_change_context()
    user, user_name = _actor()
    ct = ContentType.objects.get_for_model(rows[0][0], for_concrete_model=True)
    ObjectChange.objects.bulk_create(
        [
            ObjectChange(
                user=user,
                user_name=user_name,
                request_id=ctx.request_id,
                action=ChangeAction.CREATE,
                content_type=ct,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                prechange_data=None,
                postchange_data=post,
            )
            for obj, post in rows
        ],
        batch_size=1000,
    )


def _on_save(
    sender: type[models.Model], instance: ChangeLoggedModel, created: bool, **kw: Any
) -> None:
    if not isinstance(instance, ChangeLoggedModel) or kw.get("raw"):
        return
    pre = None if created else instance.prechange_snapshot()
    post = instance.snapshot()
    if pre is not None and pre == post:
        return  # a save that changed nothing is not a change
    log_change(instance, ChangeAction.CREATE if created else ChangeAction.UPDATE, pre, post)
    # The saved state is the before-image of the next save of this instance.
    instance._loaded_values = tuple(
        f.value_from_object(instance) for f in instance._meta.concrete_fields
    )


def _on_delete(sender: type[models.Model], instance: ChangeLoggedModel, **kw: Any) -> None:
    if not isinstance(instance, ChangeLoggedModel):
        return
    pre = instance.prechange_snapshot() or instance.snapshot()
    log_change(instance, ChangeAction.DELETE, pre, None)


def _on_m2m(sender: Any, instance: Any, action: str, reverse: bool, **kw: Any) -> None:
    """Fold many-to-many changes into the change row this unit of work wrote for the object."""
    if reverse or not isinstance(instance, ChangeLoggedModel):
        return
    if action not in {
        "pre_add",
        "pre_remove",
        "pre_clear",
        "post_add",
        "post_remove",
        "post_clear",
    }:
        return
    field = next(f for f in instance._meta.many_to_many if f.remote_field.through is sender)
    ids = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    if action.startswith("pre_"):
        instance._m2m_before = {**getattr(instance, "_m2m_before", {}), field.name: ids}
        return
    before = getattr(instance, "_m2m_before", {}).get(field.name, ids)
    if before == ids:
        return
    ctx = get_change_context()
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    change = ctx.changes.get((ct.pk, instance.pk))
    if change is not None:
        change._amending = True
        if change.prechange_data is not None:
            change.prechange_data.setdefault(field.name, before)
        change.postchange_data = {**(change.postchange_data or {}), field.name: ids}
        change.save(update_fields=["prechange_data", "postchange_data"])
        change._amending = False
    else:
        pre = {**instance.snapshot(), field.name: before}
        log_change(instance, ChangeAction.UPDATE, pre, {**instance.snapshot(), field.name: ids})


post_save.connect(_on_save, dispatch_uid="towerwatch_changelog_save")
post_delete.connect(_on_delete, dispatch_uid="towerwatch_changelog_delete")
m2m_changed.connect(_on_m2m, dispatch_uid="towerwatch_changelog_m2m")
