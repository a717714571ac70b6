"""Unhandled fire alarms escalate step by step, on the timings of the rule set (frozen time)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from towerwatch.core.testing.world import World
from towerwatch.monitoring.jobs import escalate_cases
from towerwatch.monitoring.models import AlarmCase, Device
from towerwatch.notifications.models import Notification
from towerwatch.rules.models import Rule

from .test_pages import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world: World) -> AlarmCase:
    Device.objects.create(address="aabbccddeeff", building=world.buildings["res_a1"])
    receive("aabbccddeeff", 1, status=0x0002)
    return AlarmCase.objects.get()


def told() -> set[str]:
    return set(Notification.objects.values_list("user__username", flat=True))


def test_steps_follow_the_rule_timings_and_are_taken_once(case: AlarmCase) -> None:
    t0 = case.opened_at
    assert escalate_cases(now=t0 + timedelta(seconds=59)) == 0 and told() == set()
    assert escalate_cases(now=t0 + timedelta(seconds=61)) == 1
    assert {"property", "owner"} <= told() and "detachment" not in told()
    assert escalate_cases(now=t0 + timedelta(seconds=70)) == 0  # already taken
    assert escalate_cases(now=t0 + timedelta(seconds=301)) == 2  # town, then detachment
    assert {"detachment", "operator"} <= told()
    case.refresh_from_db()
    assert case.escalation_level == 3
    assert [f.note.split(":")[0] for f in case.flips.order_by("id")][1:] == ["escalated"] * 3


def test_a_handled_case_does_not_escalate(case: AlarmCase, login) -> None:
    login("operator").post(
        reverse("monitoring:case_handle", args=[case.pk]), {"state": "false_alarm"}
    )
    assert escalate_cases(now=case.opened_at + timedelta(hours=1)) == 0


def test_timings_are_configurable(case: AlarmCase) -> None:
    rule = Rule.objects.get(key="monitoring.fire_alarm_escalation")
    assert rule.confidence == "UNCONFIRMED"  # local policy, flagged as configurable
    rule.value = [{"after_s": 10, "level": "detachment"}]
    rule.save()
    assert escalate_cases(now=case.opened_at + timedelta(seconds=11)) == 1
    assert "detachment" in told() and "property" not in told()
