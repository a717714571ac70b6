"""An organization's administrator manages its endpoints, tests them, and reads its delivery log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from towerwatch.core.models import ObjectChange
from towerwatch.core.testing.world import World
from towerwatch.notifications.actions import send_test_message
from towerwatch.notifications.models import DeliveryAttempt, NotificationEndpoint
from towerwatch.notifications.outbox import deliver_pending, enqueue_webhook

pytestmark = pytest.mark.django_db

URL = reverse("notifications:endpoints")


def test_only_administrators_reach_the_page(world: World, client, login) -> None:
    assert client.get(URL).status_code == 302  # to the login page
    assert login("property").get(URL).status_code == 403  # staff
    assert login("town_a").get(URL).status_code == 200


def test_an_administrator_registers_a_signed_dingtalk_robot(world: World, login) -> None:
    client = login("town_a")
    bad = client.post(URL, {"kind": "dingtalk", "name": "值班群", "url": ""})
    assert bad.status_code == 400 and 'data-field-error="url"' in bad.content.decode()
    ok = client.post(
        URL,
        {
            "kind": "dingtalk",
            "name": "值班群",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
            "secret": "SECsecret",
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    e = NotificationEndpoint.objects.get()
    assert e.organization == world.orgs["town_a"] and e.secret == "SECsecret"
    change = ObjectChange.objects.for_object(e).get()
    assert "secret" not in change.postchange_data and "SECsecret" not in str(change.postchange_data)
    page = client.get(URL).content.decode()
    assert "值班群" in page and "SECsecret" not in page


def test_editing_with_an_empty_secret_keeps_it(world: World, login, endpoint) -> None:
    e = endpoint(
        "town_a",
        kind="dingtalk",
        url="https://oapi.dingtalk.com/robot/send",
        secret="SEC-kept-secret",
    )
    client = login("town_a")
    page = client.get(reverse("notifications:endpoint_edit", args=[e.pk])).content.decode()
    assert "SEC-kept-secret" not in page  # (a short secret could occur in the CSRF token)
    client.post(
        reverse("notifications:endpoint_edit", args=[e.pk]),
        {"kind": "dingtalk", "name": "renamed", "url": e.url, "secret": "", "is_active": "on"},
    )
    e.refresh_from_db()
    assert e.name == "renamed" and e.secret == "SEC-kept-secret"


def test_addresses_are_validated(world: World, login) -> None:
    client = login("town_a")
    r = client.post(
        URL, {"kind": "sms", "name": "x", "url": "http://smsgw:8080/send", "addresses": "12345"}
    )
    assert r.status_code == 400 and 'data-field-error="addresses"' in r.content.decode()
    r = client.post(URL, {"kind": "email", "name": "x", "addresses": "a@example.com\nnot-mail"})
    assert r.status_code == 400 and not NotificationEndpoint.objects.exists()


def test_another_organizations_endpoint_does_not_exist(world: World, login, endpoint) -> None:
    theirs = endpoint("town_b", url="http://127.0.0.1:9/")
    client = login("town_a")
    assert client.get(reverse("notifications:endpoint_edit", args=[theirs.pk])).status_code == 404
    for name in ("endpoint_test", "endpoint_delete"):
        assert client.post(reverse(f"notifications:{name}", args=[theirs.pk])).status_code == 404
    assert NotificationEndpoint.objects.filter(pk=theirs.pk).exists()


def test_the_test_button_delivers_at_once_and_logs_it(world: World, login, endpoint, http) -> None:
    e = endpoint("town_a", url=http.url())
    client = login("town_a")
    r = client.post(reverse("notifications:endpoint_test", args=[e.pk]), follow=True)
    assert r.status_code == 200 and len(http.received) == 1
    assert "town_a" in http.received[0].body["markdown"]["content"]
    assert DeliveryAttempt.objects.get().ok
    http.mode = "500"
    r = client.post(reverse("notifications:endpoint_test", args=[e.pk]), follow=True)
    assert "HTTP 500" in r.content.decode()
    assert DeliveryAttempt.objects.filter(ok=False, status=500).count() == 1


def test_deleting_an_endpoint(world: World, login, endpoint) -> None:
    e = endpoint("town_a", url="http://127.0.0.1:9/")
    login("town_a").post(reverse("notifications:endpoint_delete", args=[e.pk]))
    assert not NotificationEndpoint.objects.exists()


def test_the_delivery_log_is_scoped_and_filterable(world: World, login, endpoint, http) -> None:
    mine = endpoint("town_a", url=http.url("/mine"))
    theirs = endpoint("town_b", url=http.url("/theirs"))
    send_test_message(mine, acting_user=world.users["town_a"])
    send_test_message(theirs, acting_user=world.users["town_b"])
    enqueue_webhook("confirmed_fire", "http://127.0.0.1:9/119", {"n": 1})
    deliver_pending()
    log = reverse("notifications:deliveries")
    page = login("town_a").get(log).content.decode()
    assert page.count("<tr") - 1 == 1  # its own attempt only; not town B's, not the 119 forward
    assert login("property").get(log).status_code == 403
    centre = login("detachment")
    assert centre.get(log).content.decode().count("<tr") - 1 == 3
    failed = centre.get(log, {"ok": "false"}).content.decode()
    assert failed.count("<tr") - 1 == 1 and "127.0.0.1:9/119" in failed
    assert centre.get(log, {"channel": "wecom"}).content.decode().count("<tr") - 1 == 2
