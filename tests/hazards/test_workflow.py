"""The rectification state machine: every allowed and forbidden transition, per persona, and races."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from towerwatch.hazards import actions
from towerwatch.hazards.choices import HazardState as S
from towerwatch.hazards.models import Hazard, HazardPhoto, HazardStep
from towerwatch.hazards.workflow import TRANSITIONS, allowed_transitions

from .helpers import make_hazard, png

pytestmark = pytest.mark.django_db

PERSONAS = [
    "detachment",
    "operator",
    "leadership",
    "education",
    "housing",
    "town_a",
    "town_b",
    "grid_a2",
    "property",
    "owner",
    "service",
    "utility",
    "nobody",
]
#: Who sees a hazard in res_a1 (the building scope matrix) ...
SEES_RES_A1 = {"detachment", "operator", "leadership", "housing", "town_a", "property", "owner"}
#: ... and who may fire each kind of transition there.
PUBLIC = {"detachment", "town_a"}
UNIT = {"property", "owner"}
EXPECTED = {
    (S.OPEN, S.ASSIGNED): PUBLIC,
    (S.ASSIGNED, S.RECTIFYING): UNIT,
    (S.RECTIFYING, S.SUBMITTED): UNIT,
    (S.SUBMITTED, S.CLOSED): PUBLIC,
    (S.SUBMITTED, S.RECTIFYING): PUBLIC,
    (S.OPEN, S.VOID): PUBLIC,
    (S.ASSIGNED, S.VOID): PUBLIC,
    (S.RECTIFYING, S.VOID): PUBLIC,
    (S.SUBMITTED, S.VOID): PUBLIC,
}
ALL_PAIRS = [(a, b) for a, b in itertools.product(S.values, S.values) if a != b]


def test_table_is_what_the_tests_expect():
    assert set(TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize(("old", "new"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_every_transition_per_persona(world, settings, tmp_path, old, new):
    settings.MEDIA_ROOT = tmp_path
    hazard = make_hazard(world, state=old)
    allowed = EXPECTED.get((old, new), set())
    outcomes = {}
    for name in PERSONAS:
        user = world.users.get(name) or _nobody()
        fresh = Hazard.objects.get(pk=hazard.pk)
        assert (new in allowed_transitions(user, fresh)) == (name in allowed), name
        try:
            actions.transition(
                fresh,
                new,
                acting_user=user,
                note="原因：已核实",
                photos=[png()] if new == S.SUBMITTED else (),
            )
            outcomes[name] = "ok"
            Hazard.objects.filter(pk=hazard.pk).update(state=old)
        except Http404:
            outcomes[name] = "404"
        except PermissionDenied:
            outcomes[name] = "403"
        except ValidationError:
            outcomes[name] = "invalid"
    for name in PERSONAS:
        if name not in SEES_RES_A1:
            expected = "404"
        elif name in allowed:
            expected = "ok"
        elif (old, new) in TRANSITIONS:
            expected = "403"
        else:
            expected = "invalid"
        assert outcomes[name] == expected, (name, outcomes[name], expected)


def _nobody():
    from towerwatch.accounts.models import User

    return User.objects.get(username="nobody")


def test_full_loop_leaves_a_timeline(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    town, prop = world.users["town_a"], world.users["property"]
    hazard = make_hazard(world)
    actions.transition(hazard, S.ASSIGNED, acting_user=town, assignee=world.orgs["owner"])
    assert hazard.responsible_org == world.orgs["owner"] and hazard.assigned_at
    actions.transition(hazard, S.RECTIFYING, acting_user=prop)
    actions.transition(hazard, S.SUBMITTED, acting_user=prop, photos=[png()])
    hazard.refresh_from_db()
    assert hazard.reinspect_by is not None and hazard.submitted_at
    assert HazardPhoto.objects.filter(hazard=hazard, stage="evidence").count() == 1
    actions.transition(hazard, S.RECTIFYING, acting_user=town, note="照片不清晰，杂物仍在")
    hazard.refresh_from_db()
    assert hazard.reinspect_by is None
    actions.transition(hazard, S.SUBMITTED, acting_user=prop, note="已清理杂物并张贴警示")
    actions.transition(hazard, S.CLOSED, acting_user=town, note="复查合格")
    hazard.refresh_from_db()
    assert hazard.state == S.CLOSED and hazard.closed_at
    steps = list(HazardStep.objects.filter(hazard=hazard).values_list("kind", "new_state"))
    assert steps == [
        ("found", "open"),
        ("transition", "assigned"),
        ("transition", "rectifying"),
        ("transition", "submitted"),
        ("transition", "rectifying"),
        ("transition", "submitted"),
        ("transition", "closed"),
    ]
    last = HazardStep.objects.filter(hazard=hazard).last()
    assert last.data["reinspection"] is True and last.actor == town


def test_bad_input_is_refused_and_nothing_written(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    town, prop = world.users["town_a"], world.users["property"]
    hazard = make_hazard(world, state=S.RECTIFYING)
    with pytest.raises(ValidationError) as exc:
        actions.transition(hazard, S.SUBMITTED, acting_user=prop)
    assert "photos" in exc.value.message_dict
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        actions.transition(hazard, S.SUBMITTED, acting_user=prop, photos=[fake])
    assert "not an image" in exc.value.message_dict["photos"][0]
    hazard.refresh_from_db()
    assert hazard.state == S.RECTIFYING
    assert HazardStep.objects.filter(hazard=hazard).count() == 1
    assert not HazardPhoto.objects.filter(hazard=hazard).exists()

    submitted = make_hazard(world, state=S.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        actions.transition(submitted, S.RECTIFYING, acting_user=town, note="  ")
    assert "rejected" in exc.value.message_dict["note"][0]
    with pytest.raises(ValidationError) as exc:
        actions.transition(submitted, S.VOID, acting_user=town)
    assert "void" in exc.value.message_dict["note"][0]
    with pytest.raises(ValidationError):
        actions.transition(submitted, S.CLOSED, acting_user=town, assignee=world.orgs["owner"])
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


def test_stale_copy_loses_the_race(world):
    town, detachment = world.users["town_a"], world.users["detachment"]
    hazard = make_hazard(world, state=S.SUBMITTED)
    first, second = Hazard.objects.get(pk=hazard.pk), Hazard.objects.get(pk=hazard.pk)
    actions.transition(first, S.CLOSED, acting_user=town)
    with pytest.raises(ValidationError, match="Someone else"):
        actions.transition(second, S.RECTIFYING, acting_user=detachment, note="不合格")
    hazard.refresh_from_db()
    assert hazard.state == S.CLOSED
    assert HazardStep.objects.filter(hazard=hazard, kind="transition").count() == 1


def test_department_acts_only_on_what_was_referred(world):
    import datetime as dt

    from django.utils import timezone

    education = world.users["education"]
    hazard = make_hazard(world, building="school_a2")
    assert allowed_transitions(education, hazard) == []
    assert allowed_transitions(world.users["grid_a2"], hazard) == [S.ASSIGNED, S.VOID]
    actions.refer(
        hazard,
        acting_user=world.users["town_a"],
        departments=[world.orgs["education"]],
        note="请督促学校整改",
        reply_by=timezone.localdate() + dt.timedelta(days=5),
    )
    assert allowed_transitions(education, hazard) == [S.ASSIGNED, S.VOID]
    with pytest.raises(ValidationError, match="names no unit"):
        actions.transition(hazard, S.ASSIGNED, acting_user=education)
    actions.transition(hazard, S.ASSIGNED, acting_user=education, assignee=world.orgs["service"])
    assert hazard.responsible_org == world.orgs["service"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_accept_and_reject_one_wins(world):
    """Two public bodies act on the same submitted hazard at once, each on its own connection."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serializes the whole database)")
    hazard = make_hazard(world, state=S.SUBMITTED)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def act(name: str, new: str) -> None:
        try:
            copy = Hazard.objects.get(pk=hazard.pk)
            barrier.wait()
            actions.transition(copy, new, acting_user=world.users[name], note="复查意见")
            results[name] = "won"
        except ValidationError:
            results[name] = "lost"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("town_a", S.CLOSED)),
        threading.Thread(target=act, args=("detachment", S.RECTIFYING)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["lost", "won"]
    hazard.refresh_from_db()
    winner = next(n for n, r in results.items() if r == "won")
    assert hazard.state == (S.CLOSED if winner == "town_a" else S.RECTIFYING)
    assert HazardStep.objects.filter(hazard=hazard, kind="transition").count() == 1
