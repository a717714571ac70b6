"""Who is acting, and in which request: ContextVars read by the change log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ChangeContext:
    """The actor and request id of the current unit of work, plus the change rows it wrote."""

    user: Any = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    # (content type id, object pk) -> ObjectChange written in this context; m2m changes amend it.
    changes: dict[tuple[int, Any], Any] = field(default_factory=dict)


current_change_context: ContextVar[ChangeContext | None] = ContextVar(
    "towerwatch_change_context", default=None
)


@contextmanager
def change_context(
    user: Any = None, request_id: uuid.UUID | None = None
) -> Iterator[ChangeContext]:
    """Attribute every change made inside the block to `user` (None for system work)."""
    ctx = ChangeContext(user=user, request_id=request_id or uuid.uuid4())
    token = current_change_context.set(ctx)
    try:
        yield ctx
    finally:
        current_change_context.reset(token)


def get_change_context() -> ChangeContext:
    """The current context, or a fresh system context when none is set (scripts, shells)."""
    ctx = current_change_context.get()
    if ctx is None:
        ctx = ChangeContext()
        current_change_context.set(ctx)
    return ctx
