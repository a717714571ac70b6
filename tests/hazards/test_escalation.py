"""Reminders before the deadline and escalation up the chain after it, with frozen time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from towerwatch.hazards import actions
from towerwatch.hazards.jobs import remind_and_escalate
from towerwatch.hazards.models import Hazard, HazardStep
from towerwatch.notifications.models import Notification
from towerwatch.rules.models import Rule

from .helpers import make_hazard

pytestmark = pytest.mark.django_db(transaction=True)

CST = ZoneInfo("Asia/Shanghai")
FOUND = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # a Monday; default deadline 15 days later


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=CST)


def steps(hazard: Hazard, kind: str) -> list[HazardStep]:
    return list(HazardStep.objects.filter(hazard=hazard, kind=kind))


def inbox(world, name: str) -> int:
    return Notification.objects.filter(user=world.users[name]).count()


@pytest.fixture
def hazard(world):
    with time_machine.travel(FOUND, tick=False):
        h = make_hazard(world, category="electrical", found_at=FOUND)
    assert h.deadline == dt.date(2026, 3, 17)  # 15 days (rule hazards.rectification_days)
    return h


def test_reminder_exactly_48_hours_before_the_end_of_the_deadline_day(world, hazard):
    # The deadline runs to 2026-03-18 00:00; the reminder is due from 2026-03-16 00:00.
    with time_machine.travel(at(15, 23, 59), tick=False):
        assert remind_and_escalate() == 0
    with time_machine.travel(at(16, 0, 0), tick=False):
        assert remind_and_escalate() == 1
        assert remind_and_escalate() == 0  # once
    (step,) = steps(hazard, "reminder")
    assert "第三十六条" in step.data["rule"] and step.data["confidence"] == "UNCONFIRMED"
    assert inbox(world, "property") == 1 and inbox(world, "town_a") == 0


def test_escalation_steps_up_the_chain_at_the_configured_hours(world, hazard):
    expected = [
        (at(18, 0, 0), "unit", {"property"}),
        (at(19, 0, 0), "property_company", {"property"}),
        (at(21, 0, 0), "grid", set()),  # res_a1 is in grid a1, which has no officer
        (at(25, 0, 0), "town", {"town_a"}),
        (dt.datetime(2026, 4, 2, 0, 0, tzinfo=CST), "department", {"housing"}),
        (dt.datetime(2026, 4, 17, 0, 0, tzinfo=CST), "detachment", {"detachment", "operator"}),
    ]
    for when, level, told in expected:
        before = {name: inbox(world, name) for name in world.users}
        with time_machine.travel(when - dt.timedelta(seconds=1), tick=False):
            assert remind_and_escalate() in (0, 1)  # (the reminder, on the first pass)
        assert (
            steps(hazard, "escalation")[-1:] == []
            or steps(hazard, "escalation")[-1].data["level"] != level
        )
        with time_machine.travel(when, tick=False):
            assert remind_and_escalate() == 1
            assert remind_and_escalate() == 0
        assert steps(hazard, "escalation")[-1].data["level"] == level
        after = {name: inbox(world, name) for name in world.users}
        gained = {name for name in after if after[name] > before[name]}
        assert gained == told, level
    hazard.refresh_from_db()
    assert hazard.escalation_level == 6
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=CST), tick=False):
        assert remind_and_escalate() == 0


def test_a_job_that_was_down_catches_up_every_level(world, hazard):
    with time_machine.travel(at(25, 12), tick=False):
        assert remind_and_escalate() == 4 + 0  # unit, property, grid, town (reminder missed)
    levels = [s.data["level"] for s in steps(hazard, "escalation")]
    assert levels == ["unit", "property_company", "grid", "town"]


def test_timings_are_rule_set_data(world, hazard):
    rule = Rule.objects.get(key="hazards.escalation_chain")
    rule.value = [{"level": "town", "after_h": 2}]
    rule.value_overridden = True
    rule.save()
    with time_machine.travel(at(18, 1, 59), tick=False):
        assert remind_and_escalate() == 0
    with time_machine.travel(at(18, 2, 0), tick=False):
        assert remind_and_escalate() == 1
    assert steps(hazard, "escalation")[0].data["level"] == "town"


def test_submitted_or_closed_hazards_are_not_escalated(world, hazard):
    Hazard.objects.filter(pk=hazard.pk).update(state="submitted")
    with time_machine.travel(at(30), tick=False):
        assert remind_and_escalate() == 0


def test_change_deadline_needs_a_reason_and_restarts_escalation(world, hazard):
    town = world.users["town_a"]
    with time_machine.travel(at(20), tick=False):
        remind_and_escalate()
        hazard.refresh_from_db()
        assert hazard.escalation_level == 2
        with pytest.raises(ValidationError) as exc:
            actions.change_deadline(hazard, acting_user=town, deadline=at(30).date(), reason=" ")
        assert "reason" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            actions.change_deadline(hazard, acting_user=town, deadline=at(19).date(), reason="x")
        assert "past" in exc.value.message_dict["deadline"][0]
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            actions.change_deadline(
                hazard, acting_user=world.users["property"], deadline=at(30).date(), reason="x"
            )
        actions.change_deadline(
            hazard, acting_user=town, deadline=at(30).date(), reason="需采购配件，延期至30日"
        )
    hazard.refresh_from_db()
    assert hazard.deadline == at(30).date() and hazard.escalation_level == 0
    assert hazard.reminded_at is None
    (step,) = steps(hazard, "deadline")
    assert step.data == {"old": "2026-03-17", "new": "2026-03-30"}
    with time_machine.travel(at(29, 0), tick=False):
        assert remind_and_escalate() == 1  # a new reminder for the new deadline
    assert timezone.localdate(at(29)) == dt.date(2026, 3, 29)
