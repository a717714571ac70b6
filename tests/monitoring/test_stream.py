"""The console's Server-Sent Events stream announces new and changed cases."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient
from django.urls import reverse

from towerwatch.core.testing.world import World
from towerwatch.monitoring.models import Device

from .test_pages import receive

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_fire_alarm_is_announced_on_the_stream(world: World) -> None:
    Device.objects.create(address="aabbccddeeff", building=world.buildings["res_a1"])
    operator = world.users["operator"]

    async def scenario() -> list[str]:
        client = AsyncClient()
        await client.aforce_login(operator)
        response = await client.get(reverse("monitoring:console_stream"))
        assert response["Content-Type"] == "text/event-stream"
        chunks = aiter(response.streaming_content)
        first = await anext(chunks)
        await sync_to_async(receive)("aabbccddeeff", 1, 0x0002)  # a fire alarm arrives
        second = await asyncio.wait_for(anext(chunks), 3)
        await sync_to_async(connections.close_all)()  # this thread's connection, for teardown
        return [_text(first), _text(second)]

    with ThreadPoolExecutor(1) as pool:  # a loop of its own (Playwright may own this thread's)
        first, second = pool.submit(asyncio.run, scenario()).result(10)
    assert first.startswith("retry:")
    assert second.startswith("id: ") and "event: cases" in second


def test_a_case_opened_before_the_stream_is_announced_as_soon_as_it_opens(world: World) -> None:
    """The page lists the cases it rendered and opens the stream from there (``?since``): a fire
    alarm that arrives in between is announced at once, not at the next refresh."""
    from towerwatch.monitoring.stream import newest_flip

    Device.objects.create(address="aabbccddeeff", building=world.buildings["res_a1"])
    operator = world.users["operator"]
    rendered = newest_flip()  # what the console page put in its stream address
    receive("aabbccddeeff", 1, 0x0002)  # the alarm arrives before the browser opens the stream

    async def scenario() -> list[str]:
        client = AsyncClient()
        await client.aforce_login(operator)
        response = await client.get(reverse("monitoring:console_stream"), {"since": rendered})
        chunks = aiter(response.streaming_content)
        first = await anext(chunks)
        second = await asyncio.wait_for(anext(chunks), 3)
        await sync_to_async(connections.close_all)()
        return [_text(first), _text(second)]

    with ThreadPoolExecutor(1) as pool:
        first, second = pool.submit(asyncio.run, scenario()).result(10)
    assert first.startswith("retry:")
    assert f"data: {newest_flip()}" in second and newest_flip() > rendered


def test_the_console_page_opens_its_stream_from_the_cases_it_rendered(world: World, login) -> None:  # type: ignore[no-untyped-def]
    from towerwatch.monitoring.stream import newest_flip

    Device.objects.create(address="aabbccddeeff", building=world.buildings["res_a1"])
    receive("aabbccddeeff", 1, 0x0002)
    page = login("operator").get(reverse("monitoring:console")).content.decode()
    assert f"/monitoring/console/stream/?since={newest_flip()}" in page


def test_the_stream_needs_a_member(world: World) -> None:
    from towerwatch.accounts.models import User

    nobody = User.objects.get(username="nobody")

    async def scenario() -> int:
        client = AsyncClient()
        await client.aforce_login(nobody)
        status = (await client.get(reverse("monitoring:console_stream"))).status_code
        await sync_to_async(connections.close_all)()
        return status

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, scenario()).result(10) == 403


def _text(chunk: bytes | str) -> str:
    return chunk.decode() if isinstance(chunk, bytes) else chunk
