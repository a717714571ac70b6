"""Signed acknowledgement links: who, when, which channel, on the case timeline; reminders stop."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from towerwatch.core.testing.world import World
from towerwatch.monitoring.models import AlarmFlip
from towerwatch.notifications.actions import notify_building_chain, notify_level
from towerwatch.notifications.jobs import send_reminders
from towerwatch.notifications.models import Acknowledgement, OutboxMessage
from towerwatch.notifications.outbox import deliver_pending

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _timings(settings) -> None:
    settings.TOWERWATCH_NOTIFY_REMIND_EVERY_S = 300
    settings.TOWERWATCH_NOTIFY_REMINDERS = 3
    settings.TOWERWATCH_NOTIFY_DIGEST_WINDOW_S = 60


def fire(world: World, case) -> None:
    notify_building_chain(
        world.buildings["res_a1"],
        "Confirmed fire: " + case.description,
        case.get_absolute_url(),
        case=case,
        kind="confirmed_fire",
        urgent=True,
    )


def link_in(text: str) -> str:
    return "/notifications/ack/" + text.split("/notifications/ack/")[1].split("/")[0] + "/"


def test_the_link_alone_acknowledges_its_message_and_the_case_timeline_shows_it(
    world: World, client, login, http, endpoint, make_case
) -> None:
    endpoint(kind="sms", url=http.url("/sms"))
    case = make_case()
    fire(world, case)
    assert deliver_pending() == 1
    link = link_in(http.received[0].body["text"])
    page = client.get(link)
    assert page.status_code == 200 and case.description in page.content.decode()
    assert 'id="tw-ack"' in page.content.decode()
    assert not Acknowledgement.objects.exists()  # opening the page changes nothing
    assert client.post(link).status_code == 302
    ack = Acknowledgement.objects.get()
    assert ack.user is None and ack.channel == "sms" and ack.case == case
    assert 'id="tw-ack-done"' in client.get(link).content.decode()
    flip = AlarmFlip.objects.get(case=case)
    assert "138****5678" in flip.note and flip.actor is None
    detail = login("operator").get(reverse("monitoring:case_detail", args=[case.pk]))
    assert "138****5678" in detail.content.decode()


def test_a_logged_in_user_is_recorded_and_twice_changes_nothing(
    world: World, login, http, endpoint, make_case
) -> None:
    endpoint(url=http.url())
    case = make_case()
    fire(world, case)
    deliver_pending()
    link = link_in(http.received[0].body["markdown"]["content"])
    client = login("property")
    client.post(link)
    client.post(link)
    ack = Acknowledgement.objects.get()
    assert ack.user == world.users["property"] and ack.channel == "wecom"
    assert AlarmFlip.objects.get(case=case).actor == world.users["property"]


def test_an_expired_or_forged_link_acknowledges_nothing(
    world: World, client, http, endpoint, make_case, clock
) -> None:
    endpoint(url=http.url())
    fire(world, make_case())
    deliver_pending()
    link = link_in(http.received[0].body["markdown"]["content"])
    assert client.get(link[:-3] + "xx/").status_code == 404
    clock.shift(timedelta(hours=73))
    assert client.get(link).status_code == 410
    assert client.post(link).status_code == 410
    assert not Acknowledgement.objects.exists()


def test_reminders_repeat_until_the_address_acknowledges(
    world: World, client, http, endpoint, make_case, clock
) -> None:
    endpoint("property", url=http.url("/property"))
    endpoint("owner", url=http.url("/owner"))
    case = make_case()
    fire(world, case)
    assert deliver_pending() == 2
    clock.shift(timedelta(seconds=200))
    assert send_reminders() == 0  # not yet
    clock.shift(timedelta(seconds=101))
    assert send_reminders() == 2 and deliver_pending() == 2
    reminder = [r for r in http.received if r.path == "/property"][-1].body["markdown"]["content"]
    assert "#" in reminder and case.description in reminder
    client.post(link_in(reminder))  # the property company's robot acknowledges
    clock.shift(timedelta(seconds=301))
    assert send_reminders() == 1 and deliver_pending() == 1  # only the owner's robot
    assert [r.path for r in http.received][-1] == "/owner"
    for _ in range(3):
        clock.shift(timedelta(seconds=301))
        send_reminders()
        deliver_pending()
    owner = OutboxMessage.objects.filter(target__endswith="/owner")
    assert owner.filter(kind="reminder").count() == 3  # at most three reminders


def test_an_unhandled_alarm_stops_being_reminded_once_handled(
    world: World, http, endpoint, make_case, clock
) -> None:
    endpoint(url=http.url())
    case = make_case()
    notify_level("building", case)
    deliver_pending()
    clock.shift(timedelta(seconds=301))
    assert send_reminders() == 1
    deliver_pending()
    case.state = "false_alarm"
    case.save()
    clock.shift(timedelta(seconds=301))
    assert send_reminders() == 0


def test_no_reminder_piles_up_while_the_address_is_unreachable(
    world: World, http, endpoint, make_case, clock
) -> None:
    endpoint(url=http.url())
    fire(world, make_case())
    deliver_pending()
    http.mode = "500"
    clock.shift(timedelta(seconds=301))
    assert send_reminders() == 1
    deliver_pending()  # fails
    for _ in range(5):
        clock.shift(timedelta(seconds=301))
        assert send_reminders() == 0


def test_acknowledging_a_digest_acknowledges_every_case_in_it(
    world: World, client, http, endpoint, make_case, clock
) -> None:
    endpoint(url=http.url())
    notify_level("building", make_case())
    deliver_pending()
    cases = [make_case() for _ in range(4)]
    for c in cases:
        notify_level("building", c)
    clock.shift(timedelta(seconds=61))
    assert deliver_pending() == 1
    client.post(link_in(http.received[-1].body["markdown"]["content"]))
    assert set(Acknowledgement.objects.values_list("case", flat=True)) == {c.pk for c in cases}
    assert AlarmFlip.objects.filter(case__in=cases).count() == 4
