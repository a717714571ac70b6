"""100,000 random and mutated frames at the running GB/T 26875.3 server (issue 3, reliability).

Hypothesis draws, per stream, a set of well-formed frame templates (any command byte, any ADU
type with random objects, random ADU bytes, heartbeats) and a seed; the stream interleaves
well-formed frames with mutations of them (bit flips, truncation, garbage in front, random
bytes, resends) and, in some streams, an oversized length that must close the connection.
The server runs for real (TCP, the real database).

Asserted for every stream that the server did not close on purpose: every well-formed frame
was answered as the standard says (发送数据 → 确认, an unknown command → 否认), and after the
last stream the server still answers, holds no pending frames or dead connections, and its
resident memory grew by less than a bound. `TOWERWATCH_FUZZ_FRAMES` sets the total (default
100,000; the count used is printed).
"""

from __future__ import annotations

import gc
import os
import random
import resource
import socket
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from towerwatch.monitoring.gb26875 import Frame, FrameReader, encode_adu, encode_frame
from towerwatch.monitoring.gb26875.frame import Command, TimeLabel
from towerwatch.monitoring.gb26875.server import ACCEPTED_COMMANDS, GB26875Server

from ..monitoring.test_gb26875_properties import adus
from ..monitoring.test_ingest_server import server  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)

TOTAL = int(os.environ.get("TOWERWATCH_FUZZ_FRAMES", "100000"))
PER_STREAM = 1000
STREAMS = max(1, TOTAL // PER_STREAM)
LABEL = TimeLabel(0, 0, 10, 29, 11, 26)
CENTRE = bytes(6)
MUTANT_SERIALS = 0x8000  # well-formed frames use serials below, mutants at or above


@st.composite
def templates(draw: st.DrawFn) -> list[tuple[int, bytes]]:
    """(command, ADU bytes) of well-formed frames: mostly uploads, some other commands."""
    out = []
    for _ in range(draw(st.integers(3, 12))):
        command = draw(
            st.one_of(
                st.just(int(Command.SEND)),
                st.just(int(Command.SEND)),
                st.sampled_from(sorted(ACCEPTED_COMMANDS)),
                st.integers(0, 0xFF),
            )
        )
        adu = draw(
            st.one_of(
                st.just(b""),  # heartbeat
                adus().map(encode_adu),
                st.binary(max_size=60),  # undecodable: stored raw, still confirmed
            )
        )
        out.append((command, adu))
    return out


def _frame(command: int, adu: bytes, serial: int, source: bytes) -> bytes:
    return encode_frame(
        Frame(
            serial=serial,
            command=command,
            source=source,
            destination=CENTRE,
            sent_at=LABEL,
            adu=adu,
        )
    )


def _junk(rng: random.Random, size: int, hostile: bool) -> bytes:
    """Random bytes; outside hostile streams without "@" (junk ending in "@" right before a
    frame's "@@" makes a misaligned header whose length is oversized, which closes)."""
    data = rng.randbytes(size)
    return data if hostile else data.replace(b"@", b"?")


def _mutate(rng: random.Random, data: bytes, hostile: bool) -> bytes:
    b = bytearray(data)
    match rng.randrange(4):
        case 0:  # flip one bit, not in the length field (an oversized length closes)
            position = rng.choice([i for i in range(len(b)) if i not in (24, 25)])
            b[position] ^= 1 << rng.randrange(8)
        case 1:  # truncated (within the header only in hostile streams: the next frame's
            # bytes then make the length field)
            del b[rng.randrange(1 if hostile else 27, len(b)) :]
        case 2:  # garbage in front
            b[:0] = _junk(rng, rng.randrange(1, 40), hostile)
        case _:  # random bytes only
            b = bytearray(_junk(rng, rng.randrange(1, 80), hostile))
    return bytes(b)


def _stream(
    rng: random.Random, parts: list[tuple[int, bytes]], source: bytes, oversized: bool
) -> tuple[bytes, dict[int, int]]:
    """The stream's bytes and, per well-formed frame's serial, the answer it must get."""
    chunks: list[bytes] = []
    expected: dict[int, int] = {}
    good: list[bytes] = []
    mutant_source = bytes(a ^ 0xFF for a in source)
    for i in range(1, PER_STREAM):
        command, adu = rng.choice(parts)
        roll = rng.random()
        if roll < 0.65 or not good:
            chunks.append(_frame(command, adu, i, source))
            good.append(chunks[-1])
            if command == Command.SEND:
                expected[i] = Command.CONFIRM
            elif command not in ACCEPTED_COMMANDS:
                expected[i] = Command.DENY
        elif roll < 0.7:
            chunks.append(rng.choice(good))  # a resend: confirmed again, stored once
        else:
            mutant = _frame(command, adu, MUTANT_SERIALS + i, mutant_source)
            chunks.append(_mutate(rng, mutant, oversized))
    if oversized:
        header = bytearray(_frame(Command.SEND, b"", MUTANT_SERIALS, mutant_source)[:27])
        header[24:26] = (5000).to_bytes(2, "little")
        chunks.insert(rng.randrange(len(chunks)), bytes(header))
    # The tail: once its confirm arrives, everything before it has been answered.
    chunks.append(_frame(Command.SEND, b"", PER_STREAM, source))
    expected[PER_STREAM] = Command.CONFIRM
    return b"".join(chunks), expected


def _exchange(address: tuple[str, int], data: bytes, source: bytes) -> dict[int, set[int]] | None:
    """Send the stream (from a thread) and collect answers to `source` until the tail's confirm.

    None when the server closed the connection first.
    """
    answers: dict[int, set[int]] = {}
    with socket.create_connection(address, timeout=30) as sock:
        sender = threading.Thread(target=_send_all, args=(sock, data), daemon=True)
        sender.start()
        reader = FrameReader()
        while PER_STREAM not in answers.get(Command.CONFIRM, set()):
            chunk = sock.recv(65536)
            if not chunk:
                return None
            for event in reader.feed(chunk):
                if isinstance(event, Frame) and event.destination == source:
                    answers.setdefault(event.command, set()).add(event.serial)
        sender.join(10)
    return answers


def _send_all(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except OSError:
        pass  # closed by the server: the oversized length


def _memory() -> tuple[int, int]:
    """(resident set in kB, Python heap blocks in use) after a full collection."""
    gc.collect()
    return _rss_kb(), sys.getallocatedblocks()


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.fixture
def fuzz_server(server: GB26875Server) -> Iterator[GB26875Server]:  # noqa: F811
    yield server


def test_100k_random_and_mutated_frames(fuzz_server: GB26875Server) -> None:
    started = time.monotonic()
    counts = {"streams": 0, "completed": 0, "closed": 0, "frames": 0, "checked": 0}
    address = fuzz_server.address
    # Warm-up: imports, caches and the first device rows are not growth.
    _exchange(address, _frame(Command.SEND, b"", PER_STREAM, b"warmup"), b"warmup")
    memory: dict[str, tuple[int, int]] = {"start": _memory()}

    @settings(
        max_examples=STREAMS,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),  # a failure is reported as found, unshrunk
        print_blob=True,
    )
    @given(parts=templates(), seed=st.integers(0, 2**32 - 1))
    def one_stream(parts: list[tuple[int, bytes]], seed: int) -> None:
        rng = random.Random(seed)
        n = counts["streams"] = counts["streams"] + 1
        if n == STREAMS // 2 + 1:
            memory["half"] = _memory()
        source = b"\xfa" + n.to_bytes(5, "big")
        oversized = rng.random() < 0.1
        data, expected = _stream(rng, parts, source, oversized)
        counts["frames"] += PER_STREAM
        closed_before = fuzz_server.stats["closed_bad_stream"]
        answers = _exchange(address, data, source)
        if answers is None:
            # Closed on purpose: an oversized length (or a run of garbage), counted as such.
            assert fuzz_server.stats["closed_bad_stream"] > closed_before
            counts["closed"] += 1
            return
        assert not oversized, "an oversized length must close the connection"
        counts["completed"] += 1
        for serial, command in expected.items():
            assert serial in answers.get(command, set()), (serial, command, seed)
        counts["checked"] += len(expected)

    one_stream()

    # Still serving, nothing left behind, memory bounded.
    assert _exchange(address, _frame(Command.SEND, b"", PER_STREAM, b"after!"), b"after!")
    deadline = time.monotonic() + 5
    while fuzz_server._live and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not fuzz_server._live and not fuzz_server._pending
    memory["end"] = _memory()
    start, half, end = memory["start"], memory.get("half", memory["start"]), memory["end"]
    elapsed = time.monotonic() - started
    print(
        f"\nfuzz: {counts['frames']:,} frames in {counts['streams']} streams"
        f" ({counts['completed']} read to the end, {counts['closed']} closed on purpose),"
        f" {counts['checked']:,} well-formed frames answered as required; {elapsed:.1f} s."
        f" Python heap blocks {start[1]:,} → {half[1]:,} (half) → {end[1]:,};"
        f" RSS {start[0] / 1024:.0f} → {half[0] / 1024:.0f} → {end[0] / 1024:.0f} MB"
    )
    assert counts["completed"] >= STREAMS // 2
    # Bounded: the second half of the streams adds (almost) nothing to the Python heap, and the
    # process grows by less than SQLite's page cache (64 MB) plus the codec's bounded memos.
    assert end[1] - half[1] < 60_000
    assert (end[0] - start[0]) / 1024 < 96
