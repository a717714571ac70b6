"""Retention: received frames (with their events and readings) and dead letters older than
`TOWERWATCH_RETENTION_DAYS` are deleted in small batches.

GB 50440-2007 §3.0.2-5 (rule `monitoring.record_retention_days_min`, 365 days): alarm and
status records are kept at least one year, so TowerWatch refuses to start with a shorter
retention (system check `towerwatch.E003`, and again when the worker starts, against the rule
set in force, which an administrator may have raised).

What is deleted: frames received before the cutoff, and with them (cascade) their events, and
dead letters received before it. What is kept whatever its age: a frame one of whose events
opened a case (`AlarmCase.first_event`), and a frame with an event on the point of an open case
since that case opened. Each batch is its own short transaction (`batch_size` rows), so no lock
is held for long and ingestion goes on in between; one run stops after `time_budget_s`.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .choices import CaseState
from .models import AlarmCase, DeadLetter, Event, ReceivedFrame

log = logging.getLogger("towerwatch.retention")
RULE = "monitoring.record_retention_days_min"
#: Open cases older than the cutoff whose points are protected one by one (more are rare).
MAX_OLD_OPEN_CASES = 500


def shipped_minimum_days() -> int:
    """The rule's value as shipped (YAML), for the start-up check that runs before the database."""
    from towerwatch.rules.loader import shipped_rules

    values = [r["value"] for r in shipped_rules() if r["key"] == RULE]
    return max(int(v) for v in values)


def minimum_days(rules: Any = None) -> int:
    """The rule's value in force (the rule set may hold a locally raised value)."""
    from towerwatch.rules.ruleset import RuleSet

    return int((rules or RuleSet.current()).value(RULE))


def check_setting(days: int | None = None, minimum: int | None = None) -> int:
    """Raise ImproperlyConfigured when the retention is shorter than the rule allows."""
    days = settings.TOWERWATCH_RETENTION_DAYS if days is None else days
    minimum = minimum_days() if minimum is None else minimum
    if days < minimum:
        raise ImproperlyConfigured(
            f"TOWERWATCH_RETENTION_DAYS is {days}; GB 50440-2007 §3.0.2-5 (rule {RULE}) "
            f"requires records to be kept at least {minimum} days."
        )
    return days


def purge_old_records(
    now: datetime | None = None,
    *,
    days: int | None = None,
    batch_size: int | None = None,
    time_budget_s: float = 20.0,
) -> dict[str, int]:
    """Delete what is older than the retention, batch by batch; returns the rows deleted."""
    days = check_setting(days)
    batch_size = batch_size or settings.TOWERWATCH_RETENTION_BATCH
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deadline = time.monotonic() + time_budget_s
    done = {"frames": 0, "events": 0, "dead_letters": 0}
    while time.monotonic() < deadline:
        frames, events = _purge_frames(cutoff, batch_size)
        done["frames"] += frames
        done["events"] += events
        if frames < batch_size:
            break
    while time.monotonic() < deadline:
        n = _purge_dead_letters(cutoff, batch_size)
        done["dead_letters"] += n
        if n < batch_size:
            break
    if any(done.values()):
        log.info("retention %s d: deleted %s", days, done)
    return done


def _kept_frames(cutoff: datetime) -> Q:
    """Frames whose events a case refers to (first event; an open case's point since it opened)."""
    first_events = AlarmCase.objects.filter(first_event__frame=OuterRef("pk"))
    keep = Q(Exists(first_events))
    old_open = AlarmCase.objects.filter(state=CaseState.OPEN, opened_at__lt=cutoff).values_list(
        "device_id", "component_address", "opened_at"
    )[:MAX_OLD_OPEN_CASES]
    points = Q()
    for device_id, address, opened_at in old_open:
        points |= Q(device_id=device_id, component_address=address, at__gte=opened_at)
    if points:
        keep |= Q(Exists(Event.objects.filter(points, frame=OuterRef("pk"))))
    return keep


@transaction.atomic
def _purge_frames(cutoff: datetime, batch_size: int) -> tuple[int, int]:
    ids = list(
        ReceivedFrame.objects.filter(received_at__lt=cutoff)
        .exclude(_kept_frames(cutoff))
        .order_by("received_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        return 0, 0
    _total, per_model = ReceivedFrame.objects.filter(pk__in=ids).delete()
    return per_model.get(ReceivedFrame._meta.label, 0), per_model.get(Event._meta.label, 0)


@transaction.atomic
def _purge_dead_letters(cutoff: datetime, batch_size: int) -> int:
    ids = list(
        DeadLetter.objects.filter(received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        return 0
    return DeadLetter.objects.filter(pk__in=ids).delete()[0]
