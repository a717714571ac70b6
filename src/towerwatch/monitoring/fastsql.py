"""Set-based SQL for the ingest path: plain tuples in, one statement per table and batch.

The ORM stays out of the per-frame loop (architecture §5). Rows are plain tuples built once;
SQLite gets `executemany`, PostgreSQL gets `COPY … FROM STDIN` (psycopg 3 `cursor.copy`).
Primary keys are reserved up front (PostgreSQL: the table's sequence; SQLite: the table's
AUTOINCREMENT counter, read under the write lock that `transaction_mode=IMMEDIATE` takes at
BEGIN), so rows can point at each other (an event at its frame, a case at its first event)
without reading anything back.

Columns a table has but the ingest path does not fill (a field another app adds later, with a
default) are written with the field's default, so a new column with a default never breaks the
raw inserts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class Sql:
    """Vendor-specific pieces for one connection (inside the caller's transaction)."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.cursor = connection.cursor()
        # PostgreSQL: the batch's statements are the same every time; a server-side cursor
        # prepares each once per connection (Django's client-side binding would have the
        # server parse and plan them again in every batch).
        self._prepared: Any = None
        if self.postgres:
            import psycopg

            self._prepared = psycopg.Cursor(connection.connection)
        self._texts: dict[datetime, str] = {}  # time labels repeat within a batch

    # -- values ------------------------------------------------------------------------------
    def dt(self, value: datetime | None) -> Any:
        """A datetime as this database's driver takes it (SQLite: naive UTC text)."""
        if value is None or self.postgres:
            return value
        text = self._texts.get(value)
        if text is None:
            naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
            text = self._texts[value] = naive.isoformat(" ")
        return text

    # -- keys --------------------------------------------------------------------------------
    def reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        """`count` fresh primary keys of `model`'s table, in increasing order."""
        if count <= 0:
            return []
        table = model._meta.db_table
        if self.postgres:
            return [
                row[0]
                for row in self.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
            ]
        # The IMMEDIATE transaction holds SQLite's write lock: nobody else inserts meanwhile.
        self.cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
            f' COALESCE((SELECT MAX(id) FROM "{table}"), 0))',
            [table],
        )
        first = int(self.cursor.fetchone()[0]) + 1
        return list(range(first, first + count))

    # -- writes ------------------------------------------------------------------------------
    def insert(self, table: RawTable, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert rows whose values follow `table.columns` (defaults appended here)."""
        if not rows:
            return
        extra = table.extra_values(self)
        if self.postgres:
            copy_sql = f'COPY "{table.name}" ({table.column_list}) FROM STDIN'
            with self.cursor.cursor.copy(copy_sql) as copy:
                write = copy.write_row
                if extra:
                    for row in rows:
                        write(row + extra)
                else:
                    for row in rows:
                        write(row)
            return
        placeholders = ", ".join(["%s"] * len(table.all_columns))
        sql = f'INSERT INTO "{table.name}" ({table.column_list}) VALUES ({placeholders})'
        self.cursor.executemany(sql, [row + extra for row in rows] if extra else rows)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (prepared, on PostgreSQL); its rows, if it returns any."""
        if self._prepared is not None:
            cursor = self._prepared
            with self.connection.wrap_database_errors:
                cursor.execute(sql, params, prepare=True)
                return cursor.fetchall() if cursor.description else []
        self.cursor.execute(sql, params)
        return self.cursor.fetchall() if self.cursor.description else []

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(sql, rows)

    def lookup(
        self,
        keys: Sequence[tuple[Any, ...]],
        types: Sequence[str],
        table: str,
        columns: str,
        where: str,
        *,
        distinct: bool = False,
    ) -> list[tuple[Any, ...]]:
        """``SELECT columns FROM table t WHERE where`` for each key tuple, in one statement.

        ``where`` reads the key as ``k.c0``, ``k.c1``, … The keys travel as one parameter
        (PostgreSQL: arrays through `unnest`; SQLite: a JSON array through `json_each`), so the
        statement text is the same for every batch and the driver parses it once. Each key is
        looked up through the table's index whatever the planner believes of the table's size
        (a freshly filled table has no statistics yet): PostgreSQL runs the lookup as a LATERAL
        subquery per key, SQLite keeps a CROSS JOIN's key set outside.
        """
        if not keys:
            return []
        width = len(types)
        names = ", ".join(f"c{i}" for i in range(width))
        if self.postgres:
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            source = f"SELECT * FROM unnest({arrays})"
            params: list[Any] = [list(column) for column in zip(*keys, strict=True)]
            select = (
                f"SELECT {'DISTINCT ' if distinct else ''}x.* FROM k CROSS JOIN LATERAL"
                # OFFSET 0 keeps the planner from flattening the subquery into a join it
                # may plan as a scan of the whole table.
                f' (SELECT {columns} FROM "{table}" t WHERE {where} OFFSET 0) x'
            )
        else:
            source = "SELECT " + ", ".join(f"value->>{i}" for i in range(width))
            source += " FROM json_each(%s)"
            params = [json.dumps([list(key) for key in keys])]
            select = (
                f"SELECT {'DISTINCT ' if distinct else ''}{columns}"
                f' FROM k CROSS JOIN "{table}" t WHERE {where}'
            )
        return self.execute(f"WITH k({names}) AS ({source}) {select}", params)

    def any_of(self, column: str, values: Sequence[Any], type_: str = "bigint") -> tuple[str, Any]:
        """A condition "`column` is one of `values`" and its single parameter."""
        if self.postgres:
            return f"{column} = ANY(%s::{type_}[])", list(values)
        return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(list(values))

    def close(self) -> None:
        self.cursor.close()
        if self._prepared is not None:
            self._prepared.close()


class RawTable:
    """A model's table for raw inserts: the columns the caller fills, then defaults for the rest."""

    def __init__(self, model: type[models.Model], columns: Iterable[str]) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.columns = tuple(columns)
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(self.columns) - set(fields)
        if unknown:
            raise ValueError(f"{self.name} has no column(s) {sorted(unknown)}")
        # The primary key, when not given, comes from the database.
        self._extra = [
            f
            for column, f in fields.items()
            if column not in self.columns
            and not (f.primary_key and f.get_internal_type().endswith("AutoField"))
        ]
        self.all_columns = self.columns + tuple(f.column for f in self._extra)
        self.column_list = ", ".join(f'"{c}"' for c in self.all_columns)
        self._extra_values: dict[str, tuple[Any, ...]] = {}

    def extra_values(self, sql: Sql) -> tuple[Any, ...]:
        vendor = sql.connection.vendor
        if vendor not in self._extra_values:
            values = []
            for field in self._extra:
                value = field.get_default()
                if isinstance(field, models.JSONField):
                    value = json.dumps(value)
                else:
                    value = field.get_db_prep_save(value, sql.connection)
                values.append(value)
            self._extra_values[vendor] = tuple(values)
        return self._extra_values[vendor]
