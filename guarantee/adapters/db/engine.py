"""Engines from the plain URL in GARANZIA_DATABASE_URL; the app picks the drivers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def normalise_url(url: str) -> str:
    """`postgresql://…` → psycopg 3; `sqlite:///…` stays the standard library driver."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# A new server connection that takes longer than this is a server in trouble: fail, don't queue.
CONNECT_TIMEOUT_SECONDS = 5


def build_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    pool_timeout: float = 3.0,
    pool_recycle: int = 1800,
    prepared_statements: bool = True,
) -> Engine:
    """The app's engine. ``max_overflow`` defaults to ``pool_size`` (the former behaviour).

    No pre-ping: it costs a round trip on every checkout. A connection the server closed is
    replaced after ``pool_recycle`` seconds or, if it dies sooner, invalidated on first use
    (with the rest of the pool) and answered as 503 by the web layer.
    """
    real_url = normalise_url(url)
    if is_sqlite(real_url):
        engine = create_engine(
            real_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=NullPool if ":memory:" not in real_url else None,
        )
        _configure_sqlite(engine)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    if not prepared_statements:
        # Behind a transaction-pooling PgBouncer the next statement may reach another server
        # session, where a statement prepared on this one does not exist.
        connect_args["prepare_threshold"] = None
    return create_engine(
        real_url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_timeout=pool_timeout,
        pool_recycle=pool_recycle,
        connect_args=connect_args,
    )


def build_probe_engine(url: str, *, timeout_seconds: int = 2) -> Engine:
    """A one-connection engine for health probes, apart from the app's pool: a probe never
    queues behind requests, and a database that hangs is reported within the timeout."""
    real_url = normalise_url(url)
    if is_sqlite(real_url):
        return create_engine(
            real_url, connect_args={"check_same_thread": False, "timeout": timeout_seconds}
        )
    return create_engine(
        real_url,
        pool_size=1,
        max_overflow=0,
        pool_timeout=timeout_seconds,
        pool_recycle=300,
        connect_args={
            "connect_timeout": timeout_seconds,
            "prepare_threshold": None,
            "options": f"-c statement_timeout={timeout_seconds * 1000}",
        },
    )


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks locking; take it over so
    # every unit of work starts with BEGIN IMMEDIATE: writers queue instead of deadlocking,
    # and a check-then-write (fund capacity) cannot interleave with another writer.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Read-only connections (the read side) take no write lock and never wait for one.
        readonly = connection.get_execution_options().get("readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
