"""`make bench`: latency and load figures at city scale (50,000 buildings), SQLite and PostgreSQL.

Each database runs in its own subprocess (Django settings are per process):

    python -m towerwatch.bench                       # both databases, 50,000 buildings
    python -m towerwatch.bench --db sqlite --buildings 5000 --requests 20

Requests go through Django's test client in-process, so the figures are server time (routing,
scope, queries, rendering), without network or browser time. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

PG_ADMIN_URL = os.environ.get(
    "TOWERWATCH_BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres"
)
PG_BENCH_DB = "towerwatch_bench"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--buildings", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per endpoint")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--one", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args)))
        return
    results = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        env = dict(os.environ)
        workdir = tempfile.mkdtemp(prefix=f"tw-bench-{db}-")
        env["TOWERWATCH_DATA_DIR"] = workdir
        if db == "postgres":
            env["DATABASE_URL"] = recreate_pg_db(PG_BENCH_DB)
        else:
            env.pop("DATABASE_URL", None)
        cmd = [
            sys.executable,
            "-m",
            "towerwatch.bench",
            "--one",
            db,
            "--buildings",
            str(args.buildings),
            "--requests",
            str(args.requests),
            "--import-rows",
            str(args.import_rows),
        ]
        print(
            f"… {db}: loading {args.buildings:,} buildings and measuring",
            file=sys.stderr,
            flush=True,
        )
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print_report(results, args)


def recreate_pg_db(name: str) -> str:
    """Drop and create the bench database `name`; return its DATABASE_URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def run_one(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "towerwatch.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from towerwatch.accounts.models import User
    from towerwatch.buildings.models import Building
    from towerwatch.core.runtime import tune_gc
    from towerwatch.demo import load_demo

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    load_demo(buildings=args.buildings)
    load_s = time.perf_counter() - t0
    buildings = Building.objects.count()
    tune_gc()  # as the server processes do (towerwatch.asgi)

    sample = Building.objects.order_by("pk")[args.buildings // 2]
    town_id = sample.region.town_id
    word = sample.name[:2]
    timings: dict[str, dict[str, Any]] = {}
    for persona in ("detachment", "town"):
        client = Client()
        client.force_login(User.objects.get(username=persona))
        visible = Building.objects.visible_to(User.objects.get(username=persona))
        detail = visible.order_by("pk")[visible.count() // 2]
        endpoints = {
            "list page, town filter": (reverse("buildings:building_list"), {"town": town_id}),
            "list page, full-text search": (reverse("buildings:building_list"), {"q": word}),
            "building file page": (detail.get_absolute_url(), {}),
            "API list (limit 50)": (reverse("api:building-list"), {"limit": 50}),
            "API list, class filter": (
                reverse("api:building-list"),
                {"fire_class": "class1", "limit": 50},
            ),
            "map data (all visible)": (reverse("buildings:building_map_data"), {}),
        }
        for name, (url, params) in endpoints.items():
            client.get(url, params)  # warm up
            samples = []
            for _ in range(args.requests):
                t = time.perf_counter()
                response = client.get(url, params)
                samples.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            timings[f"{persona}: {name}"] = _stats(samples)

    import_s = _bench_import(args.import_rows)
    return {
        "db": connection.vendor,
        "buildings": buildings,
        "load_s": round(load_s, 1),
        "import_rows": args.import_rows,
        "import_s": round(import_s, 1),
        "timings": timings,
    }


def _bench_import(rows: int) -> float:
    """Time the Excel import of `rows` new buildings by the town persona."""
    import io

    from openpyxl import Workbook

    from towerwatch.accounts.models import User
    from towerwatch.buildings.importing import BuildingImporter
    from towerwatch.core.context import change_context
    from towerwatch.organizations.models import Region

    user = User.objects.get(username="town")
    town = Region.objects.visible_to(user).towns().first()
    grids = list(Region.objects.filter(town=town, kind="grid").select_related("community")[:20])
    importer = BuildingImporter(user)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    headers = [c.header for c in importer.columns]
    ws.append(headers)
    for i in range(rows):
        g = grids[i % len(grids)]
        height = 28 + (i % 70)
        values = {
            "建筑名称": f"基准楼{i}",
            "地址": f"基准路{i}号",
            "镇街/平台": town.code,
            "社区/村": g.community.code,
            "网格": g.code,
            "经度": 106.26,
            "纬度": 29.29,
            "建筑高度(m)": height,
            "地上层数": max(2, round(height / 3)),
            "主要用途": "residential",
            "行业领域": "residential",
        }
        ws.append([values.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    t = time.perf_counter()
    with change_context(user):
        result = importer.run(buf.getvalue())
    elapsed = time.perf_counter() - t
    assert result.written and result.created == rows, (result.fatal, result.errors[:3])
    return elapsed


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "n": len(ordered),
    }


def print_report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\nTowerWatch benchmark — {args.buildings:,} buildings, {args.requests} requests per endpoint, "
        f"{os.cpu_count()} CPUs\n"
    )
    for r in results:
        print(f"## {r['db']} ({r['buildings']:,} buildings)")
        print(
            f"demo load: {r['load_s']} s    xlsx import of {r['import_rows']:,} rows: {r['import_s']} s"
        )
        print(f"{'endpoint':<50} {'median ms':>10} {'p95 ms':>10}")
        for name, t in r["timings"].items():
            flag = "" if t["p95_ms"] < 100 else "  (over the 100 ms target)"
            print(f"{name:<50} {t['median_ms']:>10} {t['p95_ms']:>10}{flag}")
        print()


if __name__ == "__main__":
    main()
