"""HTTP ingestion: a device posts a batch of messages with its own token; idempotent by message id.

    POST /api/ingest/
    Authorization: Device <token>
    {"messages": [{"message_id": "…", "at": "…", "signals": [...]}, ...]}

The body has the MQTT payload's shape, batched (docs/mqtt.md). Every message is checked first:
if any is invalid the answer is 400 listing each bad message by index and field, and nothing is
stored. Otherwise all are stored in one transaction and the answer (200) comes after the commit.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .choices import DeviceKind
from .models import Device, ReceivedFrame
from .mqtt import Message, Rejected, parse, store_messages

MAX_MESSAGES = 1000
MAX_BODY = 2 * 1024 * 1024


def _device(request: HttpRequest) -> Device | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Device" or not token:
        return None
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    return Device.objects.filter(kind=DeviceKind.IOT_SENSOR, token_hash=digest).first()


@csrf_exempt
@require_POST
def ingest(request: HttpRequest) -> JsonResponse:
    device = _device(request)
    if device is None:
        return JsonResponse(
            {"detail": "Send 'Authorization: Device <token>' with a valid device token."},
            status=401,
        )
    if len(request.body) > MAX_BODY:
        return JsonResponse({"detail": f"The body is larger than {MAX_BODY} bytes."}, status=413)
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return JsonResponse({"detail": f"The body is not JSON: {exc}"}, status=400)
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not messages or len(messages) > MAX_MESSAGES:
        return JsonResponse({"messages": [f"A list of 1 to {MAX_MESSAGES} messages."]}, status=400)
    now = timezone.now()
    topic = f"http/devices/{device.address}/events"
    batch = [Message(topic, json.dumps(m, ensure_ascii=False).encode(), now) for m in messages]
    errors: list[dict[str, Any]] = []
    for index, message in enumerate(batch):
        try:
            parse(message)
        except Rejected as exc:
            errors.append({"index": index, "error": str(exc)})
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    before = ReceivedFrame.objects.filter(device=device).count()
    store_messages(batch)  # committed when this returns
    stored = ReceivedFrame.objects.filter(device=device).count() - before
    return JsonResponse({"stored": stored, "duplicates": len(batch) - stored})
