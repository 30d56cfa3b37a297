"""Plain SQL on the driver connection under a SQLAlchemy Connection, for hot read paths.

Building a Core statement and processing its result cost more than the database does for a
one-row lookup; here a read is one cursor call. The SQL names its parameters ``:name`` (turned
into psycopg's ``%(name)s`` on PostgreSQL) and a read decodes only the columns that need it,
into the same Python values the Core tables give (Decimal euros, aware UTC datetimes, dates,
parsed JSON), so a read model can switch between the two without its callers noticing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from psycopg.rows import dict_row
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from guarantee.domain.money import from_cents

Decoder = Callable[[Any], Any]
_PARAMETER = re.compile(r"(?<![:\w]):(\w+)")


def cents(value: Any) -> Any:
    return None if value is None else from_cents(int(value))


def _utc_pg(value: Any) -> Any:
    return None if value is None else value.astimezone(UTC)


def _utc_sqlite(value: Any) -> Any:
    # SQLAlchemy's SQLite DateTime stores 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, without zone.
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _date_sqlite(value: Any) -> Any:
    return None if value is None else date.fromisoformat(value)


def _json_sqlite(value: Any) -> Any:
    return None if value is None else json.loads(value)


def _bool_sqlite(value: Any) -> Any:
    return None if value is None else bool(value)


def _same(value: Any) -> Any:
    return value


# What each column kind needs per database: psycopg already returns dates, aware datetimes,
# booleans and parsed JSON; SQLite returns text and integers.
_DECODERS: dict[str, dict[str, Decoder]] = {
    "postgresql": {
        "cents": cents,
        "utc": _utc_pg,
        "date": _same,
        "json": _same,
        "bool": _same,
    },
    "sqlite": {
        "cents": cents,
        "utc": _utc_sqlite,
        "date": _date_sqlite,
        "json": _json_sqlite,
        "bool": _bool_sqlite,
    },
}


@lru_cache(maxsize=256)
def _driver_sql(sql: str, backend: str) -> str:
    if backend == "postgresql":
        return _PARAMETER.sub(r"%(\1)s", sql)
    return sql


def _rows(
    conn: Connection, backend: str, sql: str, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    # The pooled driver connection itself: psycopg's or sqlite3's cursor, nothing in between.
    driver: Any = conn.connection.driver_connection
    if backend == "postgresql":
        # psycopg builds the dicts itself, from the result's column names (no descriptions).
        with driver.cursor(row_factory=dict_row) as cursor:
            cursor.execute(_driver_sql(sql, backend), params)
            rows: list[dict[str, Any]] = cursor.fetchall()
            return rows
    cursor = driver.cursor()
    try:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _wrapped(conn: Connection, sql: str, params: Mapping[str, Any], exc: Any) -> Exception:
    """The driver's error as SQLAlchemy would have raised it (the web layer maps those).

    A connection the server closed is dropped, and so is every idle one in the pool: after a
    server restart they are all dead, and the next checkout should open a fresh one."""
    dead = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
    if dead:
        conn.invalidate(exc)
        conn.engine.dispose(close=True)
    wrapped = DBAPIError.instance(
        sql,
        dict(params),
        exc,
        conn.dialect.loaded_dbapi.Error,
        connection_invalidated=dead,
        dialect=conn.dialect,
    )
    return wrapped if isinstance(wrapped, Exception) else exc


def utc_parameter(conn: Connection, moment: datetime) -> Any:
    """An aware datetime as the column stores it (SQLite compares the stored text)."""
    if conn.dialect.name == "sqlite":
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def fetch(
    conn: Connection,
    sql: str,
    params: Mapping[str, Any],
    kinds: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Rows as dicts; ``kinds`` maps a column to cents, utc, date, json or bool."""
    backend = conn.dialect.name
    try:
        rows = _rows(conn, backend, sql, params)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, sql, params, exc) from exc
    if kinds and rows:
        decoders = _DECODERS[backend]
        present = [(name, decoders[kind]) for name, kind in kinds.items() if name in rows[0]]
        for row in rows:
            for name, decode in present:
                row[name] = decode(row[name])
    return rows
