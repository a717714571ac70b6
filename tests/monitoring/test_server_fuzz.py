"""Random and mutated frames at the real server: it never crashes, and every well-formed frame in
the stream is answered (confirmed or denied) while the connection stays usable."""

from __future__ import annotations

import random
import socket

import pytest

from towerwatch.monitoring.gb26875 import decode_frame
from towerwatch.monitoring.gb26875.frame import Command, Frame, FrameReader
from towerwatch.monitoring.gb26875.server import GB26875Server

from .test_ingest_server import alarm_frame, server  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def mutate(rng: random.Random, data: bytes) -> bytes:
    kind = rng.randrange(4)
    b = bytearray(data)
    if kind == 0:  # flip a byte
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == 1:  # truncate
        del b[rng.randrange(len(b)) :]
    elif kind == 2:  # garbage in front
        b[:0] = rng.randbytes(rng.randrange(1, 40))
    else:  # random bytes only
        b = bytearray(rng.randbytes(rng.randrange(1, 80)))
    return bytes(b)


def test_mutated_streams_never_crash_the_server(server: GB26875Server) -> None:  # noqa: F811
    rng = random.Random(26875)
    completed = 0
    for round_ in range(60):
        chunks, expected = [], set()
        serial = round_ * 1000
        for _ in range(40):
            serial += 1
            good = alarm_frame(serial, address=f"{serial:08x}")
            if rng.random() < 0.85:
                chunks.append(good)
                expected.add(serial)
            else:
                chunks.append(mutate(rng, good))
        tail = serial + 1
        closed_before = server.stats["closed_bad_stream"]
        with socket.create_connection(server.address, timeout=10) as sock:
            sock.sendall(b"".join(chunks) + alarm_frame(tail, address=f"{tail:08x}"))
            answered = _answers(sock, tail)
        if tail in answered:
            # The stream was read to its end: every intact frame was answered.
            completed += 1
            assert expected <= answered
        else:
            # The server chose to close the connection (an oversized length or too much garbage).
            assert server.stats["closed_bad_stream"] > closed_before
        # Whatever happened on that connection, the server answers the next one.
        with socket.create_connection(server.address, timeout=5) as sock:
            sock.sendall(alarm_frame(1))
            assert Command.CONFIRM in {e.command for e in FrameReader().feed(sock.recv(30))}
    assert completed >= 10


def _answers(sock: socket.socket, last: int) -> set[int]:
    reader, got = FrameReader(), set()
    while last not in got:
        data = sock.recv(65536)
        if not data:
            break
        for event in reader.feed(data):
            if isinstance(event, Frame) and event.command in (Command.CONFIRM, Command.DENY):
                got.add(event.serial)
    return got


def test_the_server_still_answers_after_the_fuzzing(server: GB26875Server) -> None:  # noqa: F811
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(alarm_frame(1))
        data = sock.recv(30)
        assert decode_frame(data).command == Command.CONFIRM
