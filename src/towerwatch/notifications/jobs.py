"""Periodic notification work run by the worker: reminders until acknowledged."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import MessageKind, MessageState
from .models import Acknowledgement, OutboxMessage


def send_reminders(now: datetime | None = None) -> int:
    """Repeat an alarm's message to an address that has not acknowledged it.

    Every `TOWERWATCH_NOTIFY_REMIND_EVERY_S` after it was delivered, at most
    `TOWERWATCH_NOTIFY_REMINDERS` times; never while a message about the same case to the same
    address is still pending (an outage does not pile reminders up); an unhandled alarm stops
    being reminded when somebody handles it. Returns how many reminders were queued.
    """
    now = now or timezone.now()
    every = timedelta(seconds=settings.TOWERWATCH_NOTIFY_REMIND_EVERY_S)
    most = settings.TOWERWATCH_NOTIFY_REMINDERS
    roots = (
        OutboxMessage.objects.filter(
            remind=True,
            reminder_of=None,
            reminders_sent__lt=most,
            sent_at__lte=now - every,
        )
        .select_related("case")
        .order_by("sent_at")[:500]
    )
    queued = 0
    for root in roots:
        queued += _remind(root, now, every)
    return queued


@transaction.atomic
def _remind(root: OutboxMessage, now: datetime, every: timedelta) -> int:
    from towerwatch.monitoring.choices import CaseState

    case = root.case
    stop = (
        case is None
        or (root.kind == MessageKind.UNHANDLED_FIRE and case.state != CaseState.OPEN)
        or Acknowledgement.objects.filter(recipient_key=root.recipient_key, case=case).exists()
    )
    if stop:
        OutboxMessage.objects.filter(pk=root.pk).update(remind=False)
        return 0
    about_case = OutboxMessage.objects.filter(recipient_key=root.recipient_key, case=case)
    if about_case.filter(state=MessageState.PENDING).exists():
        return 0
    last = about_case.filter(sent_at__isnull=False).order_by("-sent_at").first()
    if last is not None and last.sent_at is not None and now - last.sent_at < every:
        return 0
    won = OutboxMessage.objects.filter(pk=root.pk, reminders_sent=root.reminders_sent).update(
        reminders_sent=F("reminders_sent") + 1
    )
    if won != 1:
        return 0
    n = root.reminders_sent + 1
    payload = dict(root.payload)
    payload["title"] = _("Reminder %(n)d: %(title)s") % {"n": n, "title": payload.get("title", "")}
    OutboxMessage.objects.create(
        kind=MessageKind.REMINDER,
        channel=root.channel,
        target=root.target,
        recipient_key=root.recipient_key,
        payload=payload,
        urgent=root.urgent,
        organization_id=root.organization_id,
        endpoint_id=root.endpoint_id,
        case=case,
        reminder_of=root,
        next_attempt_at=now,
    )
    return 1
