"""`make bench` (ingest part): GB/T 26875.3 frames stored and confirmed per second.

A `towerwatch worker` process serves a fresh database; `towerwatch simulate` plays 2,000
stop-and-wait UITDs at it (both on this machine, so they share its cores). Printed beside it:
the raw insert rate of the same database (executemany of rows shaped like stored frames),
the ceiling any ingest path on that database has.

    python -m towerwatch.bench_ingest --db sqlite --uitds 2000 --seconds 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from towerwatch.bench import PG_ADMIN_URL, PG_BENCH_DB, _recreate_pg_db


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--uitds", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=5.0, help="frames a second per device")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=19026)
    args = parser.parse_args()
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        env = dict(os.environ, TOWERWATCH_DATA_DIR=tempfile.mkdtemp(prefix=f"tw-ingest-{db}-"))
        env.pop("DATABASE_URL", None)
        if db == "postgres":
            _recreate_pg_db()
            env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB
        towerwatch = [sys.executable, "-m", "towerwatch.cli"]
        subprocess.run([*towerwatch, "migrate", "-v0"], env=env, check=True)
        ceiling = _ceiling(env)
        worker = subprocess.Popen(
            [*towerwatch, "worker", "--gb26875", f"127.0.0.1:{args.port}"], env=env
        )
        try:
            time.sleep(2)
            out = subprocess.run(
                [
                    *towerwatch,
                    "simulate",
                    "--target",
                    f"127.0.0.1:{args.port}",
                    "--uitds",
                    str(args.uitds),
                    "--rate",
                    str(args.rate),
                    "--seconds",
                    str(args.seconds),
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            worker.terminate()
            worker.wait(10)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"## {db}: {args.uitds} UITDs at {args.rate}/s each for {args.seconds:.0f} s")
        for key, value in result.items():
            print(f"  {key:<22} {value}")
        print(f"  {'raw insert ceiling':<22} {ceiling:,.0f} rows/s (executemany, same row shape)")


def _ceiling(env: dict[str, str]) -> float:
    code = (
        "import os,time,django;os.environ.setdefault('DJANGO_SETTINGS_MODULE','towerwatch.settings');django.setup()\n"
        "from django.db import connection, transaction\n"
        "rows=[(1,'2026-01-01 00:00:00',i,2,b'x'*76,'%032x'%i,'{}') for i in range(50000)]\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE bench_rows (device_id int, received_at text, serial int, command int, raw bytea, fp varchar(32), decoded text)'.replace('bytea','blob' if connection.vendor=='sqlite' else 'bytea'))\n"
        "    t=time.perf_counter()\n"
        "    with transaction.atomic():\n"
        "        c.executemany('INSERT INTO bench_rows VALUES (%s,%s,%s,%s,%s,%s,%s)', rows)\n"
        "    print(len(rows)/(time.perf_counter()-t))\n"
        "    c.execute('DROP TABLE bench_rows')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
