"""`make bench` (ingest part): GB/T 26875.3 frames stored and confirmed, and how fast.

Per database (SQLite, PostgreSQL), on a fresh database with a demo district of a building per
simulated UITD, each UITD registered and bound to its building (`--unregistered` leaves them
for the unregistered-devices queue instead):

1. the raw insert ceiling: rows shaped like stored frames inserted as fast as the database
   takes them (executemany on SQLite, COPY on PostgreSQL), the limit of any ingest path;
2. sustained throughput: a `towerwatch worker` process, and `towerwatch simulate` in a process
   of its own playing 2,000 UITDs back to back (stop-and-wait, each sends its next frame when
   the last is confirmed): frames stored and confirmed per second;
3. latency at fixed offered rates (1,000, 2,500 and 5,000 frames/s by default: 2,000 UITDs
   at 0.5, 1.25 and 2.5 frames/s): p50/p99 from a frame's last byte to its confirm, and of
   the fire alarms among them, leaving out the first `--warmup` seconds (2 s: all 2,000 devices
   connecting and sending their first frame at once);
4. fire alarm → console: under each of those loads, a probe UITD sends fire alarms while a
   `towerwatch serve` process serves the console's Server-Sent Events stream to a logged-in
   client; the time from each alarm frame to the first stream event that announces its case.

Everything runs on this machine (worker, simulator, web server and database share its cores).

    python -m towerwatch.bench_ingest --db both --uitds 2000 --seconds 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from typing import Any

from towerwatch.bench import recreate_pg_db

TOWERWATCH = [sys.executable, "-m", "towerwatch.cli"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--uitds", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument(
        "--offered",
        type=lambda text: [float(rate) for rate in text.split(",")],
        default=[1000.0, 2500.0, 5000.0],
        help="frames/s offered in phase 3, comma-separated (one run each)",
    )
    parser.add_argument("--probes", type=int, default=30, help="fire alarms for phase 4")
    parser.add_argument("--port", type=int, default=19026)
    parser.add_argument("--web-port", type=int, default=8190)
    parser.add_argument(
        "--pg-db",
        default=os.environ.get("TOWERWATCH_BENCH_INGEST_PG_DB", "towerwatch_bench_ingest"),
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="seconds at the start of each phase left out of the latency percentiles",
    )
    parser.add_argument("--skip-console", action="store_true")
    parser.add_argument(
        "--jobs-apart",
        action="store_true",
        help="run the periodic jobs in a worker of their own (`--role jobs`), as at city scale",
    )
    parser.add_argument(
        "--unregistered",
        action="store_true",
        help="leave the simulated UITDs unregistered (the unregistered-devices queue path)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes sharing the port (SO_REUSEPORT)"
    )
    args = parser.parse_args()
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        run(db, args)


def run(db: str, args: argparse.Namespace) -> None:
    env = dict(os.environ, TOWERWATCH_DATA_DIR=tempfile.mkdtemp(prefix=f"tw-ingest-{db}-"))
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = recreate_pg_db(args.pg_db)
    subprocess.run([*TOWERWATCH, "migrate", "-v0"], env=env, check=True)
    if not args.unregistered:
        # A monitoring centre's devices are registered: a demo district with a building per
        # simulated UITD, each UITD bound to its building (a fire alarm opens a case there).
        subprocess.run(
            [*TOWERWATCH, "demo", "--buildings", str(args.uitds)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        _django(
            env,
            "from towerwatch.buildings.models import Building\n"
            "from towerwatch.monitoring.models import Device\n"
            "from towerwatch.monitoring.simulator import device_address\n"
            "pks=list(Building.objects.order_by('pk').values_list('pk',flat=True))\n"
            "Device.objects.bulk_create([Device(kind='uitd',address=device_address(i).hex(),"
            f"building_id=pks[i%len(pks)],name=f'UITD {{i}}') for i in range({args.uitds})])\n"
            "print(len(pks))",
        )
    ceiling = _ceiling(env)
    print(
        f"## {db}: {args.uitds} UITDs, {args.seconds:.0f} s per phase, {args.workers} worker(s)"
        + (", periodic jobs in a worker of their own" if args.jobs_apart else ""),
        flush=True,
    )
    print(f"  raw insert ceiling        {ceiling:>10,.0f} rows/s", flush=True)
    listen = ["worker", "--gb26875", f"127.0.0.1:{args.port}"]
    if args.workers > 1:
        listen.append("--reuse-port")
    if args.jobs_apart:
        listen += ["--role", "listen"]
    workers = [subprocess.Popen([*TOWERWATCH, *listen], env=env) for _ in range(args.workers)]
    # The periodic jobs in a process of their own (`--jobs-apart`); not counted per frame.
    jobs = (
        subprocess.Popen([*TOWERWATCH, "worker", "--role", "jobs"], env=env)
        if args.jobs_apart
        else None
    )
    web = None
    try:
        _wait_port(args.port)
        # The periodic jobs' first pass over the demo district (reminders and escalations of
        # its overdue hazards and inspections) is not ingest work: let it finish first.
        _wait_idle([w.pid for w in workers] + ([jobs.pid] if jobs else []))
        # Sustained: every device back to back.
        cpu = sum(_cpu_seconds(w.pid) for w in workers)
        saturated = _simulate(env, args, rate=1.0, burst=1.0)
        cpu = sum(_cpu_seconds(w.pid) for w in workers) - cpu
        per_frame = cpu / saturated["confirmed"] * 1e6 if saturated["confirmed"] else 0.0
        print(
            f"  sustained stored+confirmed {saturated['confirmed_per_s']:>9,.0f} frames/s"
            f"  (p50 {saturated['confirm_p50_ms']} ms, p99 {saturated['confirm_p99_ms']} ms"
            f" under saturation)",
            flush=True,
        )
        print(
            f"  worker CPU per frame       {per_frame:>9,.0f} µs (one core: ~{1e6 / per_frame:,.0f}"
            f" frames/s); simulator {saturated['cpu_s'] / saturated['confirmed'] * 1e6:,.0f} µs"
            f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
            flush=True,
        )
        session = ""
        if not args.skip_console:
            web = subprocess.Popen(
                [*TOWERWATCH, "serve", "--port", str(args.web_port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _wait_port(args.web_port)
            session = _session(env)
        for run, offered in enumerate(args.offered):
            console: dict[str, Any] = {}
            probe_thread = None
            if session:
                # Each run's probe alarms come from points of their own (each opens a case).
                probe_thread = threading.Thread(
                    target=lambda found=console, base=10_000 * (run + 1): found.update(
                        _console_probe(env, args, session, base)
                    ),
                    daemon=True,
                )
                probe_thread.start()
            fixed = _simulate(env, args, rate=offered / args.uitds, burst=0.0)
            if probe_thread is not None:
                probe_thread.join(args.seconds + 30)
            print(
                f"  offered {offered:>6,.0f}/s: {fixed['confirmed_per_s']:>6,.0f} frames/s confirmed;"
                f" frame→confirm p50 {fixed['confirm_p50_ms']} ms, p99 {fixed['confirm_p99_ms']}"
                f" ms; fire alarm→confirm p99 {fixed['alarm_confirm_p99_ms']} ms",
                flush=True,
            )
            if console:
                print(
                    f"  {'':>17} fire alarm→console (SSE) p50 {console['p50']} ms,"
                    f" p99 {console['p99']} ms ({console['n']} alarms; the web process learns"
                    f" of cases by {console['watch']})",
                    flush=True,
                )
    finally:
        for proc in (*workers, jobs, web):
            if proc is not None:
                proc.terminate()
                proc.wait(10)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_idle(pids: list[int], timeout: float = 180.0) -> None:
    """Wait until the processes use under 5 % of a core for a whole second."""
    deadline = time.monotonic() + timeout
    last = sum(_cpu_seconds(pid) for pid in pids)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = sum(_cpu_seconds(pid) for pid in pids)
        if now - last < 0.05:
            return
        last = now


def _simulate(env: dict[str, str], args: argparse.Namespace, *, rate: float, burst: float) -> Any:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [
            *TOWERWATCH,
            "simulate",
            "--target",
            f"127.0.0.1:{args.port}",
            "--uitds",
            str(args.uitds),
            "--rate",
            str(rate),
            "--seconds",
            str(args.seconds),
            "--burst-share",
            str(burst),
            "--warmup",
            str(args.warmup),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["cpu_s"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return result


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def _django(env: dict[str, str], code: str) -> str:
    prelude = (
        "import os,django;os.environ.setdefault('DJANGO_SETTINGS_MODULE','towerwatch.settings');"
        "django.setup()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", prelude + code], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def _session(env: dict[str, str]) -> str:
    """A logged-in session of a superuser (the monitoring centre sees every case)."""
    return _django(
        env,
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY,"
        " HASH_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "u=get_user_model().objects.create_superuser('bench','bench@example.invalid','x')\n"
        "s=SessionStore();s[SESSION_KEY]=str(u.pk);"
        "s[BACKEND_SESSION_KEY]='django.contrib.auth.backends.ModelBackend';"
        "s[HASH_SESSION_KEY]=u.get_session_auth_hash();s.create();print(s.session_key)",
    )


def _console_probe(
    env: dict[str, str], args: argparse.Namespace, session: str, base: int
) -> dict[str, Any]:
    """Fire alarms from a probe UITD (points ``base`` + 1, 2, …), timed to the console stream
    event that announces each."""
    return asyncio.run(_probe(env, args, session, base))


async def _probe(
    env: dict[str, str], args: argparse.Namespace, session: str, base: int
) -> dict[str, Any]:
    from towerwatch.monitoring.gb26875.frame import CHINA_TIME, FrameReader
    from towerwatch.monitoring.simulator import reference_frame

    announced: list[tuple[float, int]] = []
    reader, writer = await asyncio.open_connection("127.0.0.1", args.web_port)
    writer.write(
        (
            "GET /monitoring/console/stream/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: sessionid={session}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )

    async def listen() -> None:
        while True:
            line = await reader.readline()
            if not line:
                return
            text = line.decode(errors="replace").strip()
            if text.startswith("data:"):
                announced.append((time.perf_counter(), int(text[5:].strip() or 0)))

    listener = asyncio.create_task(listen())
    await asyncio.sleep(1.0)  # the simulator has connected; the stream is open
    probe = bytes.fromhex("5f0000000001")
    dev_reader, dev_writer = await asyncio.open_connection("127.0.0.1", args.port)
    frames = FrameReader()
    sent: dict[int, float] = {}
    gap = max(0.2, (args.seconds - 2) / args.probes)
    for n in range(1, args.probes + 1):
        data = reference_frame(probe, n, base + n, 0x0003, datetime.now(CHINA_TIME), 40)
        sent[n] = time.perf_counter()
        dev_writer.write(data)
        confirmed = False
        while not confirmed:
            chunk = await asyncio.wait_for(dev_reader.read(4096), 10)
            confirmed = any(getattr(e, "serial", None) == n for e in frames.feed(chunk))
        await asyncio.sleep(gap)
    await asyncio.sleep(1.0)
    listener.cancel()
    writer.close()
    dev_writer.close()
    # Which timeline entry opened each probe case: the first stream event at or past it counts.
    flips = json.loads(
        _django(
            env,
            "import json\nfrom towerwatch.monitoring.models import AlarmFlip\n"
            "print(json.dumps({int.from_bytes(bytes.fromhex(f.case.component_address), 'little')"
            f" - {base}: f.pk for f in AlarmFlip.objects.filter(case__device__address='5f0000000001',"
            " old_state='').select_related('case')}))",
        )
    )
    delays = []
    for n, started in sent.items():
        flip = flips.get(str(n))
        seen = next((t for t, newest in announced if newest >= flip), None) if flip else None
        if seen is not None:
            delays.append((seen - started) * 1000)
    delays.sort()
    return {
        "n": len(delays),
        "p50": round(statistics.median(delays), 1) if delays else 0.0,
        "p99": round(delays[min(len(delays) - 1, int(0.99 * (len(delays) - 1)))], 1)
        if delays
        else 0.0,
        "watch": _django(
            env,
            "from django.db import connection\nfrom towerwatch.monitoring import stream\n"
            "print('LISTEN/NOTIFY' if connection.vendor == 'postgresql' else"
            " f'a poll every {stream.poll_seconds() * 1000:.0f} ms')",
        ),
    }


def _ceiling(env: dict[str, str]) -> float:
    """Rows/s of a bare insert of frame-shaped rows: executemany (SQLite) or COPY (PostgreSQL)."""
    code = (
        "import time\n"
        "from django.db import connection, transaction\n"
        "rows=[(1,'2026-01-01 00:00:00+00',i,2,b'x'*76,'%032x'%i,'{}') for i in range(50000)]\n"
        "with connection.cursor() as c:\n"
        "    pg=connection.vendor=='postgresql'\n"
        "    c.execute('CREATE TABLE bench_rows (device_id int, received_at text, serial int,"
        " command int, raw '+('bytea' if pg else 'blob')+', fp varchar(32), decoded text)')\n"
        "    t=time.perf_counter()\n"
        "    with transaction.atomic():\n"
        "        if pg:\n"
        "            with c.cursor.copy('COPY bench_rows FROM STDIN') as cp:\n"
        "                for r in rows: cp.write_row(r)\n"
        "        else:\n"
        "            c.executemany('INSERT INTO bench_rows VALUES (%s,%s,%s,%s,%s,%s,%s)', rows)\n"
        "    print(len(rows)/(time.perf_counter()-t))\n"
        "    c.execute('DROP TABLE bench_rows')\n"
    )
    return float(_django(env, code))


if __name__ == "__main__":
    main()
