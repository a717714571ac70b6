"""kill -9 of the worker in the middle of a 10,000-frame burst: nothing confirmed is lost.

A real `towerwatch worker` process on its own SQLite file, a real TCP connection, SIGKILL while
frames are in flight, a restart, and the device resending every frame it has no confirm for.
Afterwards every confirmed frame is stored exactly once and every fire alarm is there.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from towerwatch.monitoring.gb26875 import Adu, encode_frame
from towerwatch.monitoring.gb26875.adu import ComponentStatus, adu_frame
from towerwatch.monitoring.gb26875.frame import CHINA_TIME, Command, Frame, FrameReader, TimeLabel

FRAMES = 10_000
UITD = bytes.fromhex("0a0b0c0d0e0f")
AT = datetime(2026, 11, 29, 10, 0, tzinfo=CHINA_TIME)


def frame(serial: int) -> tuple[bytes, bool]:
    alarm = serial % 100 == 0
    obj = ComponentStatus(
        system_type=1,
        system_address=1,
        component_type=40,
        component_address=serial.to_bytes(4, "little"),
        status=0x0002 if alarm else 0x0004,
        description=f"点位{serial}",
        at=TimeLabel.from_datetime(AT),
    )
    return encode_frame(
        adu_frame(
            Adu(type=2, objects=(obj,)),
            serial=serial,
            source=UITD,
            destination=bytes(6),
            sent_at=AT,
        )
    ), alarm


def start_worker(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "towerwatch.cli", "worker", "--gb26875", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return worker
        except OSError:
            time.sleep(0.1)
    worker.kill()
    raise AssertionError("the worker did not start listening")


def send_all(
    port: int,
    serials: list[int],
    confirmed: set[int],
    kill_after: int | None,
    worker: subprocess.Popen[bytes],
) -> None:
    """Pipeline `serials`, record every confirm; SIGKILL the worker after `kill_after` confirms."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    done = threading.Event()

    def read() -> None:
        reader = FrameReader()
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                for event in reader.feed(data):
                    if isinstance(event, Frame) and event.command == Command.CONFIRM:
                        confirmed.add(event.serial)
                        if (
                            kill_after is not None
                            and len(confirmed) >= kill_after
                            and worker.poll() is None
                        ):
                            os.kill(worker.pid, signal.SIGKILL)
        except OSError:
            pass
        finally:
            done.set()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        for start in range(0, len(serials), 200):
            sock.sendall(b"".join(frame(s)[0] for s in serials[start : start + 200]))
    except OSError:
        pass  # the worker died under us: that is the point
    wanted = set(serials)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not done.is_set() and not wanted <= confirmed:
        time.sleep(0.05)
    sock.close()
    thread.join(5)


def test_kill_9_mid_burst_loses_nothing_that_was_confirmed(
    worker_db: tuple[dict[str, str], Any], unused_port: int
) -> None:
    env, query = worker_db
    subprocess.run([sys.executable, "-m", "towerwatch.cli", "migrate", "-v0"], env=env, check=True)

    serials = list(range(1, FRAMES + 1))
    confirmed_before_kill: set[int] = set()
    worker = start_worker(env, unused_port)
    send_all(unused_port, serials, confirmed_before_kill, kill_after=FRAMES // 3, worker=worker)
    worker.wait(10)
    assert worker.returncode == -signal.SIGKILL
    assert 0 < len(confirmed_before_kill) < FRAMES  # killed mid-burst

    stored = {row[0] for row in query("SELECT serial FROM monitoring_receivedframe")}
    assert confirmed_before_kill <= stored  # confirmed means stored

    # Restart; the device resends everything it has no confirm for (GB/T 26875.3 §6.5).
    worker = start_worker(env, unused_port)
    try:
        confirmed_after: set[int] = set()
        send_all(
            unused_port,
            [s for s in serials if s not in confirmed_before_kill],
            confirmed_after,
            kill_after=None,
            worker=worker,
        )
    finally:
        worker.terminate()
        worker.wait(10)
    assert confirmed_before_kill | confirmed_after == set(serials)

    rows = query("SELECT serial, COUNT(*) FROM monitoring_receivedframe GROUP BY serial")
    assert len(rows) == FRAMES and all(count == 1 for _serial, count in rows)  # exactly once
    alarms = query("SELECT COUNT(*) FROM monitoring_event WHERE kind = 'fire_alarm'")[0][0]
    assert alarms == sum(1 for s in serials if frame(s)[1])  # no fire alarm missing


@pytest.fixture
def worker_db(tmp_path: Path) -> Iterator[tuple[dict[str, str], Any]]:
    """The worker's own database: a SQLite file, or a fresh PostgreSQL database in the PG half."""
    env = dict(
        os.environ, TOWERWATCH_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="towerwatch.settings"
    )
    env.pop("TOWERWATCH_TEST_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    pg = os.environ.get("TOWERWATCH_TEST_DATABASE_URL")
    if not pg:
        path = tmp_path / "towerwatch.sqlite3"
        yield env, lambda sql: sqlite3.connect(path).execute(sql).fetchall()
        return
    import psycopg

    name = f"tw_reliability_{os.getpid()}"
    admin = pg.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    url = pg.rsplit("/", 1)[0] + "/" + name
    env["DATABASE_URL"] = url

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(url) as conn:
            return conn.execute(sql).fetchall()

    yield env, query
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
