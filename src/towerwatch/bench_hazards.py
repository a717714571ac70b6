"""`make bench`, the hazard part: 500,000 hazards on the 50,000-building demo district.

Loads the demo district, bulk-inserts hazards up to `--hazards` (COPY on PostgreSQL, one
executemany on SQLite), refreshes planner statistics, then measures through Django's test
client (server time, no network):

- the hazard list with filters (town + open; overdue sorted by deadline; category + found
  date range; the text search) for the detachment and a town;
- the per-town dashboard (one aggregate query over every visible hazard);
- the map data (buildings with open hazards);
- the ledger export (.xlsx) of about `--ledger-rows` rows.

    python -m towerwatch.bench_hazards                     # both databases, full size
    python -m towerwatch.bench_hazards --db sqlite --buildings 5000 --hazards 50000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from typing import Any

from towerwatch.bench import _stats, recreate_pg_db

PG_BENCH_DB = "towerwatch_bench_hazards"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--buildings", type=int, default=50_000)
    parser.add_argument("--hazards", type=int, default=500_000)
    parser.add_argument("--ledger-rows", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=20, help="requests per endpoint")
    parser.add_argument("--one", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args)))
        return
    results = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        env = dict(os.environ)
        env["TOWERWATCH_DATA_DIR"] = tempfile.mkdtemp(prefix=f"tw-bench-hazards-{db}-")
        if db == "postgres":
            env["DATABASE_URL"] = recreate_pg_db(PG_BENCH_DB)
        else:
            env.pop("DATABASE_URL", None)
        cmd = [sys.executable, "-m", "towerwatch.bench_hazards", "--one", db]
        for flag in ("buildings", "hazards", "ledger_rows", "requests"):
            cmd += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
        print(f"… {db}: {args.buildings:,} buildings, {args.hazards:,} hazards", file=sys.stderr)
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print_report(results, args)


COLUMNS = [
    "created_at", "updated_at", "code", "building_id", "source", "category", "severity",
    "title", "description", "floor", "location", "interim_measures", "responsible_org_id",
    "responsible_person_id", "deadline", "deadline_rule", "deadline_reason", "state",
    "found_at", "assigned_at", "submitted_at", "closed_at", "escalation_level", "source_ref",
]  # fmt: skip


def insert_hazards(target: int, seed: int = 4) -> tuple[int, float]:
    """Bulk-insert synthetic hazards until there are `target`; returns (inserted, seconds)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from towerwatch.buildings.choices import ResponsibilityRole as R
    from towerwatch.buildings.models import Responsibility
    from towerwatch.hazards.choices import HazardCategory, HazardSource, HazardState
    from towerwatch.hazards.models import Hazard

    existing = Hazard.objects.count()
    missing = max(0, target - existing)
    rng = random.Random(seed)
    managers = dict(
        Responsibility.objects.filter(role=R.MANAGER).values_list("building_id", "organization_id")
    )
    buildings = list(managers) or list(
        __import__(
            "towerwatch.buildings.models", fromlist=["Building"]
        ).Building.objects.values_list("pk", flat=True)
    )
    categories, sources = HazardCategory.values, HazardSource.values
    now = timezone.now()
    open_states = [HazardState.OPEN, HazardState.ASSIGNED, HazardState.RECTIFYING,
                   HazardState.SUBMITTED]  # fmt: skip
    t0 = time.perf_counter()

    def rows() -> Any:
        for i in range(missing):
            building = buildings[rng.randrange(len(buildings))]
            age = rng.randint(0, 720)
            found = now - dt.timedelta(days=age, minutes=rng.randrange(1440))
            deadline = (found + dt.timedelta(days=rng.choice((1, 1, 15, 15, 15, 90)))).date()
            closed = rng.random() < (0.93 if age > 60 else 0.5)
            state = HazardState.CLOSED if closed else rng.choice(open_states)
            closed_at = found + dt.timedelta(hours=rng.randint(2, 24 * 40)) if closed else None
            yield (
                now, now, f"BH-{i + 1:07d}", building, rng.choice(sources),
                rng.choice(categories), "major" if rng.random() < 0.03 else "general",
                f"基准隐患{i}", "", str(rng.randint(1, 30)), "楼道", "",
                managers.get(building), None, deadline, "hazards.rectification_days", "",
                state, found, found if state != HazardState.OPEN else None,
                closed_at, closed_at, 0, "",
            )  # fmt: skip

    table = Hazard._meta.db_table
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(row)
        else:
            sql = (
                f"INSERT INTO {table} ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            )
            batch: list[tuple[Any, ...]] = []
            with connection.cursor() as cursor:
                for row in rows():
                    batch.append(row)
                    if len(batch) == 20_000:
                        cursor.executemany(sql, batch)
                        batch = []
                cursor.executemany(sql, batch)
    return missing, time.perf_counter() - t0


def run_one(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "towerwatch.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from towerwatch.accounts.models import User
    from towerwatch.core.db import refresh_statistics
    from towerwatch.core.runtime import tune_gc
    from towerwatch.demo import load_demo
    from towerwatch.hazards.models import Hazard

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    load_demo(buildings=args.buildings)
    load_s = time.perf_counter() - t0
    inserted, insert_s = insert_hazards(args.hazards)
    refresh_statistics()
    tune_gc()
    total = Hazard.objects.count()

    # The town whose hazard count is nearest the ledger size, for the export.
    per_town = (
        Hazard.objects.values("building__region__town_id")
        .annotate(n=Count("pk"))
        .order_by("building__region__town_id")
    )
    ledger_town, ledger_n = min(
        ((r["building__region__town_id"], r["n"]) for r in per_town),
        key=lambda t: abs(t[1] - args.ledger_rows),
    )
    busiest = max(per_town, key=lambda r: r["n"])["building__region__town_id"]
    since = str(timezone.localdate() - dt.timedelta(days=90))
    timings: dict[str, dict[str, Any]] = {}
    list_url = reverse("hazards:hazard_list")
    for persona in ("detachment", "town"):
        client = Client()
        client.force_login(User.objects.get(username=persona))
        endpoints: dict[str, tuple[str, dict[str, Any]]] = {
            "list, no filter": (list_url, {}),
            "list, town + open": (list_url, {"town": busiest, "is_open": "true"}),
            "list, overdue by deadline": (list_url, {"overdue": "true", "sort": "deadline"}),
            "list, category + found since": (
                list_url,
                {"category": ["ebike", "fire_lane"], "found_from": since},
            ),
            "list, text search": (list_url, {"q": "车道"}),
            "dashboard per town": (reverse("hazards:dashboard_town"), {}),
            "dashboard per unit": (reverse("hazards:dashboard_unit"), {}),
            "map data": (reverse("hazards:hazard_map_data"), {}),
            "my work": (reverse("hazards:my_work"), {}),
        }
        if persona == "town":
            endpoints.pop("list, town + open")
        for name, (url, params) in endpoints.items():
            client.get(url, params)
            samples = []
            for _ in range(args.requests):
                t = time.perf_counter()
                response = client.get(url, params)
                samples.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            timings[f"{persona}: {name}"] = _stats(samples)

    client = Client()
    client.force_login(User.objects.get(username="detachment"))
    samples = []
    for _ in range(3):
        t = time.perf_counter()
        response = client.get(list_url, {"town": ledger_town, "export": "xlsx"})
        body = response.content
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200 and body[:2] == b"PK"
    timings[f"detachment: ledger .xlsx of {ledger_n:,} rows"] = _stats(samples)
    return {
        "db": connection.vendor,
        "buildings": args.buildings,
        "hazards": total,
        "load_s": round(load_s, 1),
        "inserted": inserted,
        "insert_s": round(insert_s, 1),
        "timings": timings,
    }


def print_report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\nTowerWatch hazard benchmark — {args.buildings:,} buildings, {args.hazards:,} hazards,"
        f" {args.requests} requests per endpoint, {os.cpu_count()} CPUs\n"
    )
    for r in results:
        print(f"## {r['db']} ({r['buildings']:,} buildings, {r['hazards']:,} hazards)")
        print(
            f"demo load: {r['load_s']} s    bulk insert of {r['inserted']:,} hazards: "
            f"{r['insert_s']} s"
        )
        print(f"{'endpoint':<52} {'median ms':>10} {'p95 ms':>10}")
        for name, t in r["timings"].items():
            print(f"{name:<52} {t['median_ms']:>10} {t['p95_ms']:>10}")
        print()


if __name__ == "__main__":
    main()
