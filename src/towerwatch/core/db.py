"""Database housekeeping helpers."""

from __future__ import annotations

from django.db import connection


def refresh_statistics() -> None:
    """Update planner statistics after a bulk load (what autovacuum does in steady state).

    On PostgreSQL, VACUUM also sets the visibility map, so counts over a town's buildings
    become index-only scans (measured: 29 ms → 1 ms at 50,000 buildings). Must run outside
    a transaction.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
