"""Each channel against a real local receiver: WeCom and DingTalk robots, an SMS gateway, SMTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest
from django.core import signing

from towerwatch.core.testing.world import World
from towerwatch.notifications.actions import notify_building_chain, notify_level
from towerwatch.notifications.models import DeliveryAttempt, OutboxMessage
from towerwatch.notifications.outbox import deliver_pending
from towerwatch.notifications.transports import ack_message_id

pytestmark = pytest.mark.django_db


def confirmed_fire(world: World, case) -> None:
    notify_building_chain(
        world.buildings["res_a1"],
        f"Confirmed fire at 滨江花园1栋: {case.description}",
        case.get_absolute_url(),
        case=case,
        kind="confirmed_fire",
        urgent=True,
    )


def ack_id_in(text: str) -> int:
    token = text.split("/notifications/ack/")[1].split("/")[0]
    return ack_message_id(token)


def test_wecom_robot_gets_markdown_with_open_and_acknowledge_links(
    world: World, http, endpoint, make_case
) -> None:
    endpoint(kind="wecom", url=http.url("/cgi-bin/webhook/send", "key=abc"))
    case = make_case()
    confirmed_fire(world, case)
    assert deliver_pending() == 1
    [got] = http.received
    message = OutboxMessage.objects.get()
    assert got.path == "/cgi-bin/webhook/send" and got.query == {"key": "abc"}
    assert got.body["msgtype"] == "markdown"
    content = got.body["markdown"]["content"]
    assert "滨江花园1栋" in content and f"/monitoring/cases/{case.pk}/" in content
    assert ack_id_in(content) == message.pk
    assert got.headers["x-towerwatch-message"] == str(message.pk)
    assert message.state == "sent" and DeliveryAttempt.objects.get().ok


def test_a_robot_error_code_is_a_failed_attempt_retried_later(
    world: World, http, endpoint, make_case
) -> None:
    http.answer = {"errcode": 45009, "errmsg": "api freq out of limit"}
    endpoint(kind="wecom", url=http.url())
    confirmed_fire(world, make_case())
    assert deliver_pending() == 0
    attempt = DeliveryAttempt.objects.get()
    assert not attempt.ok and attempt.status == 200 and "45009" in attempt.error
    message = OutboxMessage.objects.get()
    assert message.state == "pending" and message.attempts == 1


def test_dingtalk_robot_is_signed_with_timestamp_and_hmac(
    world: World, http, endpoint, make_case
) -> None:
    secret = "SEC0123456789abcdef"
    endpoint(kind="dingtalk", url=http.url("/robot/send", "access_token=tok"), secret=secret)
    confirmed_fire(world, make_case())
    assert deliver_pending() == 1
    [got] = http.received
    timestamp = got.query["timestamp"]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert got.query["access_token"] == "tok" and got.query["sign"] == expected
    assert abs(int(timestamp) / 1000 - time.time()) < 60
    assert got.body["msgtype"] == "markdown" and got.body["markdown"]["title"]
    assert "滨江花园1栋" in got.body["markdown"]["text"]


def test_sms_gateway_gets_phone_text_and_bearer_token_for_each_mobile(
    world: World, http, endpoint, make_case
) -> None:
    endpoint(kind="sms", url=http.url("/sms"), secret="gateway-token")
    # the town's person has a landline only: nothing is texted there
    endpoint("town_a", kind="sms", url=http.url("/sms"))
    confirmed_fire(world, make_case())
    assert deliver_pending() == 1
    [got] = http.received
    message = OutboxMessage.objects.get()
    assert got.headers["authorization"] == "Bearer gateway-token"
    assert got.body["phone"] == "13812345678" and got.body["message_id"] == message.pk
    assert "滨江花园1栋" in got.body["text"] and ack_id_in(got.body["text"]) == message.pk
    assert len(got.body["text"]) <= 300


def test_email_goes_through_smtp_with_a_stable_message_id(
    world: World, smtp, endpoint, make_case
) -> None:
    user = world.users["property"]
    user.email = "property@example.com"
    user.save()
    endpoint(kind="email", addresses="")
    confirmed_fire(world, make_case())
    assert deliver_pending() == 1
    [mail] = smtp.messages
    message = OutboxMessage.objects.get()
    assert mail["To"] == "property@example.com" and smtp.envelopes[0][1] == ["property@example.com"]
    assert mail["Message-ID"] == f"<towerwatch.{message.pk}@localhost>"
    body = mail.get_payload(decode=True).decode()
    assert "滨江花园1栋" in body and ack_id_in(body) == message.pk


def test_an_unreachable_smtp_server_is_logged_and_retried(
    world: World, settings, endpoint, make_case, unused_port
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", unused_port
    endpoint(kind="email", addresses="duty@example.com")
    confirmed_fire(world, make_case())
    assert deliver_pending() == 0
    message = OutboxMessage.objects.get()
    assert message.state == "pending" and message.last_error
    assert not DeliveryAttempt.objects.get().ok


def test_one_address_registered_by_two_organizations_hears_once(
    world: World, http, endpoint, make_case
) -> None:
    endpoint("property", url=http.url())
    endpoint("town_a", url=http.url())
    confirmed_fire(world, make_case())
    assert OutboxMessage.objects.count() == 1


def test_an_endpoint_for_confirmed_fires_only_hears_nothing_else(
    world: World, http, endpoint, make_case
) -> None:
    endpoint(url=http.url(), only_urgent=True)
    notify_level("building", make_case())  # an unhandled alarm: not urgent
    assert not OutboxMessage.objects.exists()
    confirmed_fire(world, make_case())
    assert OutboxMessage.objects.count() == 1


def test_escalation_reaches_the_level_organizations_endpoints(
    world: World, http, endpoint, make_case
) -> None:
    endpoint("detachment", url=http.url("/detachment"))
    endpoint("property", url=http.url("/property"))
    case = make_case()
    notify_level("detachment", case)
    assert deliver_pending() == 1
    assert [r.path for r in http.received] == ["/detachment"]
    assert OutboxMessage.objects.get().kind == "unhandled_fire"


def test_a_tampered_ack_token_is_rejected(world: World) -> None:
    with pytest.raises(signing.BadSignature):
        ack_message_id("1:abc:def")
