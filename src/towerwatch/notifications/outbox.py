"""Enqueue in the caller's transaction; deliver from the worker with retries, backoff, a rate
limit per recipient and digests during alarm storms.

Delivery works one channel address (`Recipient`) at a time. The worker locks the address's row
(`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite a compare-and-swap on its version
decides) and, inside that short transaction, decides what the address is sent now:

- urgent messages (a confirmed fire) and machine webhooks (the 119 forward) go at once, alone;
- for people's channels, the pending messages are held while the address is in its digest
  window (it was sent something less than `TOWERWATCH_NOTIFY_DIGEST_WINDOW_S` ago), its rate
  limit (`TOWERWATCH_NOTIFY_RATE_PER_MINUTE`) is spent, or one of them is backing off after a
  failure; when released, one message goes alone and several are folded into one digest.

Every chosen message is claimed (attempt count + 1, next attempt pushed back by the backoff)
before the transaction commits, then sent outside it; every attempt is a `DeliveryAttempt`. A
failure keeps the message pending, so it is retried with exponential backoff (5 s doubling, at
most 10 min) until it succeeds or `TOWERWATCH_NOTIFY_GIVE_UP_H` have passed.

The contract is at-least-once: a receiver that accepted a message but whose answer was lost gets
it again with the same dedupe id (`X-TowerWatch-Message` header, `message_id` in JSON bodies,
the e-mail Message-ID).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import HUMAN_CHANNELS, Channel, MessageKind, MessageState
from .models import DeliveryAttempt, OutboxMessage, Recipient, recipient_key
from .transports import TRANSPORTS, Result

BACKOFF_START_S = 5
BACKOFF_MAX_S = 600
RATE_WINDOW = timedelta(minutes=1)


class _Lost(Exception):
    """Another worker decided for this recipient first."""


def enqueue_webhook(kind: str, url: str, payload: dict[str, Any]) -> OutboxMessage:
    """Queue a JSON POST to `url` (call inside the transaction that makes it true)."""
    return OutboxMessage.objects.create(
        kind=kind,
        channel=Channel.WEBHOOK,
        target=url,
        payload=payload,
        next_attempt_at=timezone.now(),
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX_S, BACKOFF_START_S * 2 ** max(attempts - 1, 0)))


def digestible(message: OutboxMessage) -> bool:
    return not message.urgent and message.channel in HUMAN_CHANNELS


def deliver_pending(now: datetime | None = None, limit: int = 100) -> int:
    """Decide and send for up to `limit` recipients with due messages; returns how many
    messages were delivered."""
    now = now or timezone.now()
    keys: list[str] = []
    due = (
        OutboxMessage.objects.pending()
        .filter(next_attempt_at__lte=now)
        .order_by("-urgent", "next_attempt_at")
        .values_list("recipient_key", flat=True)
    )
    for key in due[: limit * 10].iterator():
        if key not in keys:
            keys.append(key)
            if len(keys) >= limit:
                break
    delivered = 0
    for key in keys:
        try:
            batch = _claim(key, now)
        except _Lost:
            continue
        for message in batch:
            delivered += attempt(message)
    return delivered


def deliver_messages(ids: list[int]) -> int:
    """Send these messages now, if still pending (the endpoint page's test button)."""
    keys = set(
        OutboxMessage.objects.pending().filter(pk__in=ids).values_list("recipient_key", flat=True)
    )
    delivered = 0
    for key in keys:
        try:
            batch = _claim(key, timezone.now(), only=set(ids))
        except _Lost:
            continue
        for message in batch:
            delivered += attempt(message)
    return delivered


@transaction.atomic
def _claim(key: str, now: datetime, only: set[int] | None = None) -> list[OutboxMessage]:
    """Lock the recipient, choose what it is sent now, claim those messages (see the module)."""
    pending = OutboxMessage.objects.pending().filter(recipient_key=key)
    if only is not None:
        pending = pending.filter(pk__in=only)
    first = pending.order_by("pk").first()
    if first is None:
        return []
    Recipient.objects.get_or_create(
        key=key, defaults={"channel": first.channel, "target": first.target}
    )
    recipient = Recipient.objects.select_for_update(skip_locked=True).filter(key=key).first()
    if recipient is None:
        raise _Lost
    messages = list(
        pending.select_for_update(skip_locked=True, of=("self",))
        .select_related("endpoint")
        .order_by("created_at", "pk")
    )
    if recipient.window_start is None or now - recipient.window_start >= RATE_WINDOW:
        recipient.window_start, recipient.window_count = now, 0
    batch = [m for m in messages if not digestible(m) and m.next_attempt_at <= now]
    held = [m for m in messages if digestible(m)]
    if held:
        release = _release_at(recipient, held, now, extra=len(batch))
        if release > now:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in held]).update(
                next_attempt_at=release
            )
        else:
            batch.append(held[0] if len(held) == 1 else fold(held, now))
    claimed = [m for m in batch if _claim_message(m, now)]
    won = Recipient.objects.filter(pk=recipient.pk, version=recipient.version).update(
        version=F("version") + 1,
        window_start=recipient.window_start,
        window_count=recipient.window_count + len(claimed),
        last_sent_at=now if claimed else recipient.last_sent_at,
    )
    if won != 1:
        raise _Lost  # rolls the claims back
    return claimed


def _release_at(
    recipient: Recipient, held: list[OutboxMessage], now: datetime, *, extra: int
) -> datetime:
    """When the held messages may go: after every backoff among them, after the digest window
    since the last send, and after the rate window if its budget is spent."""
    release = max(m.next_attempt_at for m in held)
    window = timedelta(seconds=settings.TOWERWATCH_NOTIFY_DIGEST_WINDOW_S)
    if recipient.last_sent_at is not None:
        release = max(release, recipient.last_sent_at + window)
    if recipient.window_count + extra >= settings.TOWERWATCH_NOTIFY_RATE_PER_MINUTE:
        assert recipient.window_start is not None
        release = max(release, recipient.window_start + RATE_WINDOW)
    return release


def _claim_message(message: OutboxMessage, now: datetime) -> bool:
    won = OutboxMessage.objects.filter(
        pk=message.pk, attempts=message.attempts, state=MessageState.PENDING
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + backoff(message.attempts + 1))
    if won == 1:
        message.attempts += 1
    return won == 1


def fold(messages: list[OutboxMessage], now: datetime) -> OutboxMessage:
    """One digest in place of several pending messages to the same address.

    The digest lists every original (a digest folded again is flattened), keeps the highest
    attempt count so an outage's backoff carries on, and the originals point at it.
    """
    originals: list[OutboxMessage] = []
    for m in messages:
        if m.kind == MessageKind.DIGEST:
            originals += list(m.folded.all())
        else:
            originals.append(m)
    originals.sort(key=lambda m: (m.created_at, m.pk))
    latest = messages[-1]
    buildings = Counter(str(m.payload.get("building") or "—") for m in originals)
    alarms = sum(1 for m in originals if m.case_id)
    summary = ", ".join(f"{name} ({n})" for name, n in buildings.most_common(5))
    if alarms == len(originals):
        text = ngettext(
            "%(n)d new alarm in %(b)d building: %(list)s",
            "%(n)d new alarms in %(b)d buildings: %(list)s",
            alarms,
        ) % {"n": alarms, "b": len(buildings), "list": summary}
    else:
        text = ngettext(
            "%(n)d new notification: %(list)s", "%(n)d new notifications: %(list)s", len(originals)
        ) % {"n": len(originals), "list": summary}
    digest = OutboxMessage.objects.create(
        kind=MessageKind.DIGEST,
        channel=latest.channel,
        target=latest.target,
        recipient_key=latest.recipient_key,
        payload={
            "title": _("TowerWatch: %(n)d notifications") % {"n": len(originals)},
            "text": text,
            "url": "/monitoring/console/" if alarms else "",
            "items": [
                {"message": m.pk, "case": m.case_id, "text": m.payload.get("text", "")}
                for m in originals
            ],
        },
        organization_id=latest.organization_id,
        endpoint_id=latest.endpoint_id,
        attempts=max(m.attempts for m in messages),
        next_attempt_at=now,
    )
    ids = [m.pk for m in messages] + [m.pk for m in originals]
    OutboxMessage.objects.filter(pk__in=ids).update(state=MessageState.FOLDED, digest=digest)
    return digest


def attempt(message: OutboxMessage) -> int:
    """Send a claimed message once and log the attempt; 1 if delivered."""
    started = time.perf_counter()
    transport = TRANSPORTS.get(message.channel)
    try:
        result = transport(message) if transport else Result(False, None, "unknown channel")
    except Exception as exc:  # a transport bug must not stop the other deliveries
        result = Result(False, None, f"{type(exc).__name__}: {exc}")
    at = timezone.now()
    DeliveryAttempt.objects.create(
        message=message,
        at=at,
        ok=result.ok,
        status=result.status,
        error=result.error[:300],
        duration_ms=round((time.perf_counter() - started) * 1000),
    )
    if result.ok:
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=MessageState.SENT, sent_at=at, last_error=""
        )
        OutboxMessage.objects.filter(digest=message).update(sent_at=at)
        return 1
    give_up = message.created_at + timedelta(hours=settings.TOWERWATCH_NOTIFY_GIVE_UP_H)
    changes: dict[str, Any] = {"last_error": result.error[:300]}
    if at >= give_up:
        changes["state"] = MessageState.FAILED
    OutboxMessage.objects.filter(pk=message.pk, state=MessageState.PENDING).update(**changes)
    return 0


__all__ = ["backoff", "deliver_pending", "enqueue_webhook", "fold", "recipient_key"]
