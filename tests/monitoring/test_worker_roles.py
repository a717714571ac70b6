"""`towerwatch worker --role`: the device listeners and the periodic jobs can run apart."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from towerwatch.monitoring.worker import Worker


@pytest.mark.django_db(transaction=True)  # start() checks the retention setting in a thread
@pytest.mark.parametrize(
    ("role", "listens", "jobs"), [("all", True, 9), ("listen", True, 0), ("jobs", False, 9)]
)
def test_each_role_runs_its_part(role: str, listens: bool, jobs: int, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TOWERWATCH_MQTT_BROKER = ""

    async def run() -> tuple[bool, int]:
        worker = Worker("127.0.0.1:0", role=role)
        await worker.start()
        try:
            names = [t.get_coro().__qualname__ for t in worker.tasks]  # type: ignore[union-attr]
            return worker.server is not None, sum(name == "every" for name in names)
        finally:
            await worker.stop()

    # In a thread of its own: the browser tests' Playwright loop may be running in this one.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, run()).result() == (listens, jobs)


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="role must be one of"):
        Worker(role="everything")
