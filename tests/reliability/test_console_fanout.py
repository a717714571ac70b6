"""A case opened by a separate `towerwatch worker` process reaches a console served by a separate
`towerwatch serve` process: real processes, a real device socket, a real SSE connection.

On PostgreSQL the serve process's safety poll is set to a minute, so only LISTEN/NOTIFY can
deliver within the asserted time; on SQLite (the same two processes on one database file) the
serve process polls the case timeline (`TOWERWATCH_STREAM_POLL_MS`). The case → console latency is printed.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from towerwatch.monitoring.gb26875 import Adu, encode_frame
from towerwatch.monitoring.gb26875.adu import ComponentStatus, adu_frame
from towerwatch.monitoring.gb26875.frame import CHINA_TIME, TimeLabel

from .test_kill_worker import worker_db  # noqa: F401  (a database of the processes' own)

UITD = "0a0b0c0d0e01"
AT = datetime(2026, 11, 29, 10, 0, tzinfo=CHINA_TIME)
ALARMS = 30

SEED = """
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from towerwatch.core.testing.world import build_world
from towerwatch.monitoring.models import Device

w = build_world()
Device.objects.create(address="UITD_ADDRESS", building=w.buildings["res_a1"])
user = w.users["operator"]
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(s.session_key)
""".replace("UITD_ADDRESS", UITD)


def fire_alarm(serial: int) -> bytes:
    obj = ComponentStatus(
        system_type=1,
        system_address=1,
        component_type=40,
        component_address=serial.to_bytes(4, "little"),  # a new point: a new case each time
        status=0x0002,
        description=f"{serial}楼手报",
        at=TimeLabel.from_datetime(AT),
    )
    return encode_frame(
        adu_frame(
            Adu(type=2, objects=(obj,)),
            serial=serial,
            source=bytes.fromhex(UITD),
            destination=bytes(6),
            sent_at=AT,
        )
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the process exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def processes(
    worker_db: tuple[dict[str, str], Any],  # noqa: F811
    tmp_path: Path,
) -> Iterator[tuple[int, int, str, Path]]:
    env, _query = worker_db
    postgres = "DATABASE_URL" in env
    run = [sys.executable, "-m", "towerwatch.cli"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
    session = subprocess.run(
        [sys.executable, "-c", SEED], env=env, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    web_port, device_port = free_port(), free_port()
    web_env = dict(env, TOWERWATCH_STREAM_SAFETY_POLL_S="60")
    web_log = tmp_path / "serve.log"
    web = subprocess.Popen(
        [*run, "serve", "--port", str(web_port)],
        env=web_env,
        stdout=subprocess.DEVNULL,
        stderr=web_log.open("wb"),
    )
    worker = subprocess.Popen(
        [*run, "worker", "--gb26875", f"127.0.0.1:{device_port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(web_port, web)
        wait_listening(device_port, worker)
        yield web_port, device_port, session, web_log if postgres else None
    finally:
        for proc in (web, worker):
            proc.terminate()
        for proc in (web, worker):
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_case_opened_by_the_worker_reaches_the_console_of_the_web_process(
    processes: tuple[int, int, str, Path | None],
) -> None:
    web_port, device_port, session, web_log = processes
    postgres = web_log is not None
    console = http.client.HTTPConnection("127.0.0.1", web_port, timeout=30)
    console.request(
        "GET", "/monitoring/console/stream/", headers={"Cookie": f"sessionid={session}"}
    )
    response = console.getresponse()
    assert response.status == 200, response.status
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    assert response.readline().startswith(b"retry:")
    response.readline()

    device = socket.create_connection(("127.0.0.1", device_port), timeout=10)
    latencies = []
    for serial in range(1, ALARMS + 1):
        device.sendall(fire_alarm(serial))
        sent = time.perf_counter()
        while True:
            line = response.readline()
            assert line, "the stream ended"
            if line.startswith(b"event: cases"):
                break
        latencies.append(1000 * (time.perf_counter() - sent))
        response.readline()  # data: <id>
        response.readline()  # blank line ending the event
        time.sleep(0.05)
    device.close()
    console.close()

    latencies.sort()
    median = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    print(
        f"\ncase -> console over two processes ({'PostgreSQL LISTEN/NOTIFY' if postgres else 'SQLite poll'}), "
        f"{ALARMS} fire alarms: median {median:.0f} ms, p99 {p99:.0f} ms, max {latencies[-1]:.0f} ms"
    )
    # On PostgreSQL the web process would re-read the timeline only every 60 s: NOTIFY did it
    # (and its log shows it listened and never fell back to polling).
    assert p99 < (1500 if postgres else 2500)
    if web_log is not None:
        log = web_log.read_text()
        assert "LISTEN towerwatch_cases" in log and "polling instead" not in log
