"""Enqueue in the caller's transaction; deliver from the worker with retries and backoff.

Claiming is compare-and-swap on `attempts` (one winner even with several workers, on SQLite
and PostgreSQL alike); a failed attempt is rescheduled with exponential backoff, capped, and
retried until it succeeds: a receiver that is down for an hour gets everything when it is
back, each message once per success (at-least-once on the wire if it acked but we timed out).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from .models import Channel, DeliveryAttempt, OutboxMessage

BACKOFF_START_S = 5
BACKOFF_MAX_S = 600
TIMEOUT_S = 5


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


def deliver_pending(now: datetime | None = None, limit: int = 100) -> int:
    """Try every due message once; returns how many were delivered."""
    now = now or timezone.now()
    delivered = 0
    due = OutboxMessage.objects.filter(sent_at=None, next_attempt_at__lte=now).order_by(
        "next_attempt_at"
    )[:limit]
    for message in list(due):
        claimed = OutboxMessage.objects.filter(
            pk=message.pk, attempts=message.attempts, sent_at=None
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + backoff(message.attempts + 1))
        if claimed != 1:
            continue  # another worker has it
        ok, status, error, ms = _send(message)
        DeliveryAttempt.objects.create(
            message=message,
            at=timezone.now(),
            ok=ok,
            status=status,
            error=error[:300],
            duration_ms=ms,
        )
        if ok:
            OutboxMessage.objects.filter(pk=message.pk).update(
                sent_at=timezone.now(), last_error=""
            )
            delivered += 1
        else:
            OutboxMessage.objects.filter(pk=message.pk).update(last_error=error[:300])
    return delivered


def _send(message: OutboxMessage) -> tuple[bool, int | None, str, int]:
    started = time.perf_counter()
    body = json.dumps(message.payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310  (the URL is configured by the administrator)
        message.target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-TowerWatch-Message": str(message.pk),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            status = response.status
        ok, error = 200 <= status < 300, "" if 200 <= status < 300 else f"HTTP {status}"
    except urllib.error.HTTPError as exc:
        ok, status, error = False, exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        ok, status, error = False, None, str(getattr(exc, "reason", exc))
    return ok, status, error, round((time.perf_counter() - started) * 1000)
