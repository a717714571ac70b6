"""Generic writes shared by the apps' actions: validate, save atomically, re-check scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models, transaction
from django.http import Http404

from .context import change_context, current_change_context

M = TypeVar("M", bound=models.Model)


@contextmanager
def acting(acting_user: Any) -> Iterator[None]:
    """Attribute the changes of the block to `acting_user` unless a request context exists."""
    if current_change_context.get() is not None:
        yield
    else:
        with change_context(acting_user):
            yield


@transaction.atomic
def save_object(
    instance: M,
    *,
    acting_user: Any,
    m2m: dict[str, Any] | None = None,
    validate: bool = True,
) -> M:
    """Validate and save `instance` (and its many-to-many values) in one transaction.

    When `acting_user` is given the object must still be visible to them after the write
    (NetBox's rule): an edit that would move it out of their scope is refused with 404 and
    rolled back.
    """
    with acting(acting_user):
        if validate:
            instance.full_clean()
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
    if acting_user is not None:
        require_visible(type(instance), instance.pk, acting_user)
    return instance


@transaction.atomic
def delete_object(instance: models.Model, *, acting_user: Any) -> None:
    """Delete `instance` in one transaction (the change log keeps its last state)."""
    with acting(acting_user):
        instance.delete()


def require_visible(model: type[models.Model], pk: Any, user: Any) -> None:
    manager = model._default_manager
    if hasattr(manager, "visible_to") and not manager.visible_to(user).filter(pk=pk).exists():
        raise Http404("outside your scope")
