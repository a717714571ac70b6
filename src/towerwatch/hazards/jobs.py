"""Periodic work of the hazard loop: reminders before the deadline, escalation after it.

Run by the worker every minute (`monitoring/worker.py`). Timings are rule-set data:
`hazards.deadline_reminder_h` (hours before the end of the deadline day) and
`hazards.escalation_chain` (levels and hours after the end of the deadline day).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from towerwatch.notifications.actions import tell_users
from towerwatch.rules.ruleset import RuleSet

from . import notify
from .choices import HazardState, StepKind
from .models import Hazard, HazardStep

#: States in which the responsible unit still owes work (a submitted hazard waits on acceptance).
OWED_STATES = (HazardState.OPEN, HazardState.ASSIGNED, HazardState.RECTIFYING)


def deadline_end(deadline: dt.date) -> dt.datetime:
    """The deadline runs to the end of its day (local midnight after it)."""
    return timezone.make_aware(dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time.min))


def remind_and_escalate(now: dt.datetime | None = None) -> int:
    """Write due reminders and escalation steps; returns how many timeline steps were written."""
    now = now or timezone.now()
    rules = RuleSet.current(timezone.localdate(now))
    remind = rules.rule("hazards.deadline_reminder_h")
    chain_rule = rules.rule("hazards.escalation_chain")
    chain = [(str(s["level"]), float(s["after_h"])) for s in chain_rule.value or []]
    today = timezone.localdate(now)
    written = 0

    window_end = timezone.localdate(now + dt.timedelta(hours=float(remind.value or 0)))
    due = Hazard.objects.filter(
        state__in=OWED_STATES, reminded_at=None, deadline__gte=today, deadline__lt=window_end
    ).select_related("building")
    for hazard in due.iterator():
        written += _remind(hazard, now, remind)

    overdue = Hazard.objects.filter(
        state__in=OWED_STATES, deadline__lt=today, escalation_level__lt=len(chain)
    ).select_related("building", "building__region")
    for hazard in overdue.iterator():
        elapsed_h = (now - deadline_end(hazard.deadline)).total_seconds() / 3600
        target = sum(1 for _level, after in chain if after <= elapsed_h)
        if target > hazard.escalation_level:
            written += _escalate(hazard, target, chain, now, chain_rule)
    return written


@transaction.atomic
def _remind(hazard: Hazard, now: dt.datetime, rule: Any) -> int:
    won = Hazard.objects.filter(pk=hazard.pk, reminded_at=None, deadline=hazard.deadline).update(
        reminded_at=now
    )
    if won != 1:
        return 0
    HazardStep.objects.create(
        hazard=hazard,
        at=now,
        kind=StepKind.REMINDER,
        note="",
        data={
            "deadline": hazard.deadline.isoformat(),
            "rule": rule.citation,
            "confidence": rule.confidence,
        },
    )
    text = _("Hazard %(code)s at %(building)s must be rectified by %(date)s") % {
        "code": hazard.code,
        "building": hazard.building.name,
        "date": hazard.deadline.isoformat(),
    }
    transaction.on_commit(lambda: notify.notify_level("unit", hazard, text))
    return 1


@transaction.atomic
def _escalate(
    hazard: Hazard, target: int, chain: list[tuple[str, float]], now: dt.datetime, rule: Any
) -> int:
    old = hazard.escalation_level
    won = Hazard.objects.filter(
        pk=hazard.pk, escalation_level=old, deadline=hazard.deadline, state__in=OWED_STATES
    ).update(escalation_level=target)
    if won != 1:
        return 0
    days = (timezone.localdate(now) - hazard.deadline).days
    levels = [level for level, _after in chain[old:target]]
    for level in levels:
        HazardStep.objects.create(
            hazard=hazard,
            at=now,
            kind=StepKind.ESCALATION,
            data={
                "level": level,
                "deadline": hazard.deadline.isoformat(),
                "overdue_days": days,
                "rule": rule.citation,
                "confidence": rule.confidence,
            },
        )
    text = _(
        "Hazard %(code)s at %(building)s is overdue since %(date)s and has been escalated to you"
    ) % {"code": hazard.code, "building": hazard.building.name, "date": hazard.deadline.isoformat()}

    def tell() -> None:
        users: set[int] = set()
        for level in levels:
            users |= notify.level_recipients(level, hazard)
        tell_users(users, text, hazard.get_absolute_url())

    transaction.on_commit(tell)
    return len(levels)
