"""How each channel puts a message on the wire; one function per channel (Healthchecks' way).

Human channels (e-mail, WeCom, DingTalk, SMS) are formatted at send time from the message's
payload (`title`, `text`, `url`, `items`), so every message and every retry carries its own
signed acknowledgement link and its dedupe id (the outbox message id). A generic webhook gets
the payload as it was queued.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils.translation import gettext as _

from .choices import Channel
from .models import OutboxMessage

ACK_SALT = "towerwatch.notifications.ack"
#: WeCom robot markdown content is limited to 4096 bytes, DingTalk's text to about 20,000;
#: SMS gateways bill per 70 characters, so SMS text is kept short.
WECOM_MAX_BYTES = 4000
SMS_MAX_CHARS = 300


@dataclass(frozen=True)
class Result:
    ok: bool
    status: int | None = None
    error: str = ""


def ack_token(message_id: int) -> str:
    """A signed, expiring token naming one outbox message (django.core.signing)."""
    return signing.dumps(message_id, salt=ACK_SALT, compress=True)


def ack_message_id(token: str) -> int:
    """The message id a token names; raises `signing.BadSignature` (or `SignatureExpired`)."""
    max_age = settings.TOWERWATCH_NOTIFY_ACK_MAX_AGE_H * 3600
    return int(signing.loads(token, salt=ACK_SALT, max_age=max_age))


def ack_url(message: OutboxMessage) -> str:
    base = settings.TOWERWATCH_PUBLIC_URL.rstrip("/")
    return base + reverse("notifications:ack", args=[ack_token(message.pk)])


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.TOWERWATCH_PUBLIC_URL.rstrip("/") + url


def _lines(message: OutboxMessage) -> tuple[str, str, list[str]]:
    payload = message.payload
    title = str(payload.get("title") or _("TowerWatch notification"))
    text = str(payload.get("text") or "")
    items = [str(i.get("text", "")) for i in payload.get("items") or []]
    return title, text, items


def plain_text(message: OutboxMessage, *, limit: int | None = None) -> str:
    """The message as plain text (SMS, e-mail body): title, text, links, reference."""
    title, text, items = _lines(message)
    link = absolute(message.payload.get("url", ""))
    parts = [f"【{title}】{text}"]
    parts += [f"- {i}" for i in items[:20]]
    if len(items) > 20:
        parts.append(_("… and %(n)d more") % {"n": len(items) - 20})
    tail = []
    if link:
        tail.append(_("Open: %(url)s") % {"url": link})
    tail.append(_("Acknowledge: %(url)s") % {"url": ack_url(message)})
    tail.append(f"#{message.pk}")
    body = "\n".join(parts)
    if limit is not None:
        room = limit - sum(len(t) + 1 for t in tail)
        body = body[: max(room, 20)]
    return "\n".join([body, *tail])


def markdown(message: OutboxMessage, *, wecom: bool) -> str:
    title, text, items = _lines(message)
    link = absolute(message.payload.get("url", ""))
    colour = "warning" if message.urgent else "info"
    head = f'**<font color="{colour}">{title}</font>**' if wecom else f"#### {title}"
    lines = [head, "", text]
    lines += [f"> {i}" for i in items[:30]]
    if len(items) > 30:
        lines.append(_("… and %(n)d more") % {"n": len(items) - 30})
    links = []
    if link:
        links.append(f"[{_('Open')}]({link})")
    links.append(f"[{_('Acknowledge')}]({ack_url(message)})")
    lines += ["", "  ".join(links), f"#{message.pk}"]
    content = "\n".join(lines)
    if wecom:
        encoded = content.encode()
        if len(encoded) > WECOM_MAX_BYTES:
            content = encoded[: WECOM_MAX_BYTES - 3].decode(errors="ignore") + "…"
    return content


def post_json(
    url: str, body: dict[str, Any], *, message: OutboxMessage, headers: dict[str, str] | None = None
) -> tuple[Result, bytes]:
    """POST JSON; any 2xx status is delivered. The outbox message id travels as a dedupe id."""
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310  (URLs are configured by administrators)
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-TowerWatch-Message": str(message.pk),
            **(headers or {}),
        },
    )
    try:
        timeout = settings.TOWERWATCH_NOTIFY_TIMEOUT_S
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, answer = response.status, response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        return Result(False, exc.code, f"HTTP {exc.code}"), b""
    except (urllib.error.URLError, OSError) as exc:
        return Result(False, None, str(getattr(exc, "reason", exc)) or type(exc).__name__), b""
    if not 200 <= status < 300:
        return Result(False, status, f"HTTP {status}"), answer
    return Result(True, status), answer


def _robot_answer(result: Result, answer: bytes) -> Result:
    """WeCom and DingTalk answer HTTP 200 with {"errcode": 0} on success, another code else
    (e.g. 45009 / 130101: sent too fast; 310000: bad signature)."""
    if not result.ok:
        return result
    try:
        code = json.loads(answer or b"{}").get("errcode", 0)
        errmsg = json.loads(answer or b"{}").get("errmsg", "")
    except (ValueError, AttributeError):
        return Result(False, result.status, "unreadable answer")
    if code != 0:
        return Result(False, result.status, f"errcode {code}: {errmsg}")
    return result


def send_webhook(message: OutboxMessage) -> Result:
    payload = dict(message.payload)
    payload.setdefault("message_id", message.pk)
    return post_json(message.target, payload, message=message)[0]


def send_wecom(message: OutboxMessage) -> Result:
    """WeCom group robot: POST {"msgtype": "markdown", "markdown": {"content": …}} to its
    webhook URL (…/cgi-bin/webhook/send?key=…)."""
    body = {"msgtype": "markdown", "markdown": {"content": markdown(message, wecom=True)}}
    return _robot_answer(*post_json(message.target, body, message=message))


def dingtalk_signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk's signature: HMAC-SHA256 over "timestamp\\nsecret" keyed by the secret, Base64,
    added as `timestamp` and `sign` query parameters (valid for one hour, so every attempt signs
    afresh)."""
    if not secret:
        return url
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def send_dingtalk(message: OutboxMessage) -> Result:
    """DingTalk group robot: POST {"msgtype": "markdown", "markdown": {"title", "text"}} to
    …/robot/send?access_token=…, signed when the robot has a secret."""
    title, _text, _items = _lines(message)
    body = {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": markdown(message, wecom=False)},
    }
    secret = message.endpoint.secret if message.endpoint else ""
    url = dingtalk_signed_url(message.target, secret)
    return _robot_answer(*post_json(url, body, message=message))


def send_sms(message: OutboxMessage) -> Result:
    """A generic SMS gateway: POST {"phone", "text", "message_id"} with an optional bearer
    token; the gateway's URL and token come from the organization's endpoint."""
    endpoint = message.endpoint
    if endpoint is None or not endpoint.url:
        return Result(False, None, "no SMS gateway configured")
    headers = {"Authorization": f"Bearer {endpoint.secret}"} if endpoint.secret else {}
    body = {
        "phone": message.target,
        "text": plain_text(message, limit=SMS_MAX_CHARS),
        "message_id": message.pk,
    }
    return post_json(endpoint.url, body, message=message, headers=headers)[0]


def send_email(message: OutboxMessage) -> Result:
    """E-mail through Django's configured backend (SMTP settings from the environment). The
    Message-ID is stable per outbox message, so a resent copy is recognisable as the same mail."""
    import smtplib

    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "towerwatch"
    title, _text, _items = _lines(message)
    mail = EmailMessage(
        subject=title,
        body=plain_text(message),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.target],
        headers={
            "Message-ID": f"<towerwatch.{message.pk}@{domain}>",
            "X-TowerWatch-Message": str(message.pk),
        },
    )
    try:
        sent = get_connection(fail_silently=False).send_messages([mail])
    except smtplib.SMTPResponseException as exc:
        return Result(False, exc.smtp_code, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:300])
    except (smtplib.SMTPException, OSError) as exc:
        return Result(False, None, str(exc) or type(exc).__name__)
    return Result(True) if sent else Result(False, None, "not accepted")


TRANSPORTS: dict[str, Callable[[OutboxMessage], Result]] = {
    Channel.WEBHOOK: send_webhook,
    Channel.WECOM: send_wecom,
    Channel.DINGTALK: send_dingtalk,
    Channel.SMS: send_sms,
    Channel.EMAIL: send_email,
}
