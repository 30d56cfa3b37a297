"""Plain SQL on the driver connection under a SQLAlchemy Connection, for hot paths.

Building a Core statement and processing its result cost more than the database does for a
one-row lookup or append; here a statement is one cursor call. Two ways in:

- ``fetch`` with SQL text naming its parameters ``:name`` (turned into psycopg's ``%(name)s``
  on PostgreSQL); it decodes only the columns ``kinds`` names, into the same Python values the
  Core tables give (Decimal euros, aware UTC datetimes, dates, parsed JSON), so a read model
  can switch between the two without its callers noticing.
- ``execute`` (an append nobody reads an answer from) and ``fetch`` / ``fetch_each`` (a select
  or a RETURNING) with an existing Core statement: it is compiled once per database into the
  driver's SQL, and its parameters and result columns go through the Core types' own
  processors, so a row is stored and read back exactly as SQLAlchemy's execute would.

The driver's errors come out as SQLAlchemy's (``DBAPIError`` and its subclasses). On a
pipelined PostgreSQL connection (guarantee.adapters.db.pipeline) ``execute`` only queues its
statement: a refusal is raised by the next statement whose answer is read, or by the COMMIT,
as the same SQLAlchemy exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from psycopg.rows import dict_row
from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

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


def _wrapped(conn: Connection, sql: str, params: Any, exc: Any) -> Exception:
    """The driver's error as SQLAlchemy would have raised it (the web layer maps those).

    A connection the server closed is dropped, and so is every idle one in the pool: after a
    server restart they are all dead, and the next checkout should open a fresh one."""
    dead = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
    if dead:
        conn.invalidate(exc)
        conn.engine.dispose(close=True)
    wrapped = DBAPIError.instance(
        sql,
        params,
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
    sql: str | ClauseElement,
    params: Mapping[str, Any],
    kinds: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Rows as dicts. With SQL text, ``kinds`` maps a column to cents, utc, date, json or
    bool; a Core statement's columns are decoded by their own types (``kinds`` unused)."""
    if not isinstance(sql, str):
        return fetch_each(conn, sql, [params])
    backend = conn.dialect.name
    try:
        rows = _rows(conn, backend, sql, params)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, sql, dict(params), exc) from exc
    if kinds and rows:
        decoders = _DECODERS[backend]
        present = [(name, decoders[kind]) for name, kind in kinds.items() if name in rows[0]]
        for row in rows:
            for name, decode in present:
                row[name] = decode(row[name])
    return rows


# -- Core statements on the driver -----------------------------------------------------------


Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Plan:
    """A Core statement compiled once for one database and one set of parameter names."""

    sql: str
    # A positional driver (SQLite's ``?``): the parameters in the order the SQL takes them.
    order: tuple[str, ...] | None
    # The Core types' bind processors (cents, UTC, enum values, JSON, SQLite's dates...).
    encoders: tuple[tuple[str, Processor], ...]
    # Values the statement itself carries (``.values(posted=True)``), already encoded.
    fixed: Mapping[str, Any]
    # The Core types' result processors, per result column.
    decoders: tuple[tuple[str, Processor], ...]

    def parameters(self, row: Mapping[str, Any]) -> Any:
        values = {**self.fixed, **row}
        for name, encode in self.encoders:
            values[name] = encode(values[name])
        if self.order is not None:
            return tuple(values[name] for name in self.order)
        return values

    def decode(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            for name, decode in self.decoders:
                row[name] = decode(row[name])
        return rows


_PLANS: dict[tuple[ClauseElement, str, tuple[str, ...]], _Plan] = {}


def _plan(statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]) -> _Plan:
    key = (statement, dialect.name, keys)
    found = _PLANS.get(key)
    if found is None:
        found = _PLANS[key] = _compile(statement, dialect, keys)
    return found


def _compile(statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]) -> _Plan:
    # for_executemany: no implicit RETURNING of a generated key that nobody would read.
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys), for_executemany=True)
    if (
        compiled.escaped_bind_names
        or compiled.literal_execute_params
        or compiled.post_compile_params
    ):
        raise ValueError(f"not plain enough for the driver: {compiled.string}")
    encoders: list[tuple[str, Processor]] = []
    fixed: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():
        encode = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.required or bind.callable is not None:
            if name not in keys:
                raise ValueError(f"no value for {name!r} in {compiled.string}")
            if encode is not None:
                encoders.append((name, encode))
        elif name not in keys:
            fixed[name] = bind.value if encode is None else encode(bind.value)
    decoders: list[tuple[str, Processor]] = []
    for name, _key, _objects, type_ in compiled._result_columns:
        decode = type_.dialect_impl(dialect).result_processor(dialect, None)
        if decode is not None:
            decoders.append((name, decode))
    order = tuple(compiled.positiontup) if compiled.positional else None
    return _Plan(compiled.string, order, tuple(encoders), fixed, tuple(decoders))


def _driver(conn: Connection) -> Any:
    """The pooled driver connection, inside the connection's transaction (a plain Connection
    begins one on its first statement: so does a statement sent around it)."""
    if not conn.in_transaction():
        conn.begin()
    return conn.connection.driver_connection


def execute(conn: Connection, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]) -> None:
    """A Core insert, update or upsert, once per row, whose answer nobody reads. Every row
    names the same parameters."""
    if not rows:
        return
    plan = _plan(statement, conn.dialect, tuple(rows[0]))
    parameters = [plan.parameters(row) for row in rows]
    driver = _driver(conn)
    try:
        cursor = driver.cursor()
        try:
            if len(parameters) == 1:
                cursor.execute(plan.sql, parameters[0])
            else:
                cursor.executemany(plan.sql, parameters)
        finally:
            cursor.close()
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, plan.sql, parameters[0], exc) from exc


def fetch_each(
    conn: Connection, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """A Core select or a statement with RETURNING, once per row: what each answered, in
    the order of ``rows``, decoded by the columns' types."""
    if not rows:
        return []
    plan = _plan(statement, conn.dialect, tuple(rows[0]))
    parameters = [plan.parameters(row) for row in rows]
    driver = _driver(conn)
    try:
        if conn.dialect.name == "postgresql":
            with driver.cursor(row_factory=dict_row) as cursor:
                if len(parameters) == 1:
                    cursor.execute(plan.sql, parameters[0])
                    answered: list[dict[str, Any]] = cursor.fetchall()
                else:
                    cursor.executemany(plan.sql, parameters, returning=True)
                    answered = []
                    while True:
                        answered.extend(cursor.fetchall())
                        if not cursor.nextset():
                            break
        else:
            answered = []
            cursor = driver.cursor()
            try:
                for values in parameters:
                    cursor.execute(plan.sql, values)
                    names = [column[0] for column in cursor.description]
                    answered.extend(dict(zip(names, r, strict=True)) for r in cursor.fetchall())
            finally:
                cursor.close()
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, plan.sql, parameters[0], exc) from exc
    return plan.decode(answered)
