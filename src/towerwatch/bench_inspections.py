"""Compliance at city scale: what is due and overdue for every building, SQLite and PostgreSQL.

    python -m towerwatch.bench_inspections                      # both databases, 50,000 buildings
    python -m towerwatch.bench_inspections --db sqlite --buildings 5000

Loads the demo district (which signs records for every high-rise building in use), adds
`--history` older records per building and kind (so the aggregate reads a realistic table),
then times `compliance.compute` over all buildings, the per-town page and the reminder job's
scan. Printed, not asserted; the target is under 5 s for 50,000 buildings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from towerwatch.bench import recreate_pg_db

PG_BENCH_DB = "towerwatch_bench_inspections"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--buildings", type=int, default=50_000)
    parser.add_argument("--history", type=int, default=4, help="older records per kind")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--one", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args)))
        return
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        env = dict(os.environ)
        env["TOWERWATCH_DATA_DIR"] = tempfile.mkdtemp(prefix=f"tw-bench-insp-{db}-")
        if db == "postgres":
            env["DATABASE_URL"] = recreate_pg_db(PG_BENCH_DB)
        else:
            env.pop("DATABASE_URL", None)
        cmd = [sys.executable, "-m", "towerwatch.bench_inspections", "--one", db]
        cmd += ["--buildings", str(args.buildings), "--history", str(args.history)]
        cmd += ["--repeat", str(args.repeat)]
        print(f"… {db}: loading {args.buildings:,} buildings", file=sys.stderr, flush=True)
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['db']:<10} buildings {r['buildings']:,} (scheduled {r['scheduled']:,}), "
            f"records {r['records']:,}: compute median {r['compute_s']['median']:.2f} s "
            f"(max {r['compute_s']['max']:.2f}); compliance page {r['page_s']:.2f} s; "
            f"reminder scan {r['job_s']:.2f} s"
        )


def run_one(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "towerwatch.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from towerwatch.accounts.models import User
    from towerwatch.buildings.models import Building
    from towerwatch.core.db import refresh_statistics
    from towerwatch.demo import load_demo
    from towerwatch.inspections.compliance import compute
    from towerwatch.inspections.jobs import remind_and_escalate
    from towerwatch.inspections.models import InspectionRecord

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    load_demo(buildings=args.buildings)
    # Older history: copies of each signed record, one period further back each time.
    # Tuples first (small), then write: SQLite would show a live cursor the new rows.
    latest = list(
        InspectionRecord.objects.values_list("building_id", "kind", "template_id", "signed_at")
    )
    older: list[Any] = []
    for building_id, kind, template_id, signed in latest:
        step = dt.timedelta(days=1 if kind == "patrol" else 30)
        for n in range(1, args.history + 1):
            older.append(
                InspectionRecord(
                    building_id=building_id,
                    kind=kind,
                    template_id=template_id,
                    state="signed",
                    started_at=signed - n * step,
                    signed_at=signed - n * step,
                )
            )
        if len(older) >= 50_000:
            InspectionRecord.objects.bulk_create(older, batch_size=5000)
            older.clear()
    InspectionRecord.objects.bulk_create(older, batch_size=5000)
    if not connection.in_atomic_block:
        refresh_statistics()
    samples = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        statuses = compute(Building.objects.all())
        samples.append(time.perf_counter() - t)
    client = Client()
    client.force_login(User.objects.get(username="detachment"))
    t = time.perf_counter()
    assert client.get("/inspections/compliance/").status_code == 200
    page_s = time.perf_counter() - t
    t = time.perf_counter()
    remind_and_escalate(now=timezone.now(), limit=0)  # the scan alone; sends nothing
    job_s = time.perf_counter() - t
    samples.sort()
    return {
        "db": connection.vendor,
        "buildings": Building.objects.count(),
        "scheduled": len(statuses),
        "records": InspectionRecord.objects.count(),
        "compute_s": {"median": samples[len(samples) // 2], "max": samples[-1]},
        "page_s": page_s,
        "job_s": job_s,
    }


if __name__ == "__main__":
    main()
