"""HTTP batch ingestion with a per-device token; idempotent by message id; all or nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from towerwatch.core.testing.world import World
from towerwatch.monitoring.actions import issue_ingest_token
from towerwatch.monitoring.models import AlarmCase, Device, Event, ReceivedFrame

pytestmark = pytest.mark.django_db
SIGNAL = {
    "point": "p-1",
    "kind": "analog",
    "value": 0.32,
    "unit": "MPa",
    "description": "屋顶水箱出水压力",
}


@pytest.fixture
def token(world: World) -> str:
    device = Device.objects.create(
        kind="iot_sensor", address="wp-7", building=world.buildings["res_a1"]
    )
    return issue_ingest_token(device, acting_user=None)


def post(client, token: str, body: object):
    return client.post(
        reverse("api:ingest"),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {token}",
    )


def test_batch_is_stored_and_resending_changes_nothing(client, token: str) -> None:
    body = {
        "messages": [
            {"message_id": "a", "signals": [SIGNAL]},
            {"message_id": "b", "signals": [{"point": "p-2", "kind": "fault"}]},
        ]
    }
    assert post(client, token, body).json() == {"stored": 2, "duplicates": 0}
    assert post(client, token, body).json() == {"stored": 0, "duplicates": 2}
    assert ReceivedFrame.objects.count() == 2 and Event.objects.count() == 2
    assert Event.objects.get(kind="analog").value == 0.32
    assert AlarmCase.objects.get().kind == "fault"


def test_one_bad_message_rejects_the_batch_with_its_index(client, token: str) -> None:
    body = {
        "messages": [
            {"message_id": "a", "signals": [SIGNAL]},
            {"message_id": "b", "signals": [{**SIGNAL, "value": "high"}]},
        ]
    }
    response = post(client, token, body)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"index": 1, "error": "signals[0].value: must be a number"}]
    }
    assert ReceivedFrame.objects.count() == 0


def test_tokens_are_checked(client, token: str) -> None:
    body = {"messages": [{"message_id": "a", "signals": [SIGNAL]}]}
    assert post(client, "wrong", body).status_code == 401
    assert (
        client.post(reverse("api:ingest"), body, content_type="application/json").status_code == 401
    )
    assert post(client, token, {"messages": []}).status_code == 400
    assert Device.objects.get().token_hash != token  # only the hash is kept


def test_a_reading_out_of_range_opens_a_case_and_back_in_range_closes_it(
    client, token: str
) -> None:
    from towerwatch.monitoring.models import Threshold

    device = Device.objects.get(address="wp-7")
    Threshold.objects.create(device=device, point="p-1", low=0.10, high=1.00, unit="MPa")

    def reading(mid: str, value: float) -> dict:
        return {"messages": [{"message_id": mid, "signals": [{**SIGNAL, "value": value}]}]}

    post(client, token, reading("r1", 0.35))  # normal: a reading, no case, no restore noise
    assert not AlarmCase.objects.exists() and Event.objects.filter(kind="restore").count() == 0
    post(client, token, reading("r2", 0.05))  # below 0.10 MPa
    post(client, token, reading("r3", 0.04))  # still low: folded into the same case
    case = AlarmCase.objects.get()
    assert (case.kind, case.state, case.event_count) == ("out_of_range", "open", 2)
    post(client, token, reading("r4", 0.30))  # back in range
    case.refresh_from_db()
    assert case.state == "resolved"
