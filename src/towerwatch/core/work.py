""" "My work": what a user must do today, gathered from every app that has work to hand out.

An app offers its items by defining `<app>/work.py` with functions decorated by
`@provider("key", label)`; each is called with the user, their scope and today's date and
returns `WorkItem`s (overdue first). The module is found by autodiscovery, as Django's admin
finds `admin.py`, so no app needs to know another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class WorkItem:
    """One thing to do: what, where, by when, and the page where it is done."""

    title: str
    url: str
    action: str
    due: dt.date | None = None
    overdue: bool = False
    place: str = ""
    badge: str = ""


@dataclass
class WorkSection:
    key: str
    label: Any
    items: list[WorkItem] = field(default_factory=list)
    total: int = 0
    more_url: str = ""


#: A provider returns (items, total count, link to the full list).
Provider = Callable[[Any, Any, dt.date], tuple[Iterable[WorkItem], int, str]]
PROVIDERS: dict[str, tuple[Any, Provider]] = {}
_discovered = False


def provider(key: str, label: Any) -> Callable[[Provider], Provider]:
    """Register a work provider under `key` (re-registering replaces it)."""

    def register(fn: Provider) -> Provider:
        PROVIDERS[key] = (label, fn)
        return fn

    return register


def work_for(user: Any, scope: Any, today: dt.date) -> list[WorkSection]:
    """Every provider's section for this user (empty sections are left out)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("work")
        _discovered = True
    sections = []
    for key, (label, fn) in PROVIDERS.items():
        items, total, more = fn(user, scope, today)
        items = sorted(items, key=lambda i: (not i.overdue, i.due or dt.date.max))
        if items:
            sections.append(WorkSection(key, label, items, total, more))
    return sections
