"""Shared fixtures: a migrated database per run (SQLite by default, PostgreSQL on request).

Set GARANZIA_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres) to run
the whole suite against PostgreSQL: a fresh database is created for the run and dropped after.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import migrate
from guarantee.adapters.db.engine import build_engine, normalise_url
from guarantee.adapters.db.tables import metadata
from guarantee.bootstrap import System, bootstrap
from guarantee.settings import Settings

POSTGRES_URL = os.environ.get("GARANZIA_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("GARANZIA_TEST_REDIS_URL")


def pytest_report_header() -> str:
    return (
        f"database: {'PostgreSQL' if POSTGRES_URL else 'SQLite'}; broker: {REDIS_URL or 'embedded'}"
    )


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per run: a template file, or a fresh PG database."""
    if POSTGRES_URL:
        name = f"garanzia_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        try:
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        template = tmp_path_factory.mktemp("db") / "template.db"
        engine = build_engine(f"sqlite:///{template}")
        migrate.upgrade(engine)
        engine.dispose()
        yield f"sqlite:///{template}"


@pytest.fixture
def database_url(migrated_url: str, tmp_path: Path) -> str:
    """An empty, migrated database for one test."""
    if POSTGRES_URL:
        engine = build_engine(migrated_url)
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return migrated_url
    template = Path(make_url(migrated_url).database or "")
    copy = tmp_path / "test.db"
    shutil.copyfile(template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 9, 30, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        outbox_dir=tmp_path / "outbox",
        storage_dir=tmp_path / "storage",
        # Hashing is not what these tests are about: the cheapest argon2id that is still one.
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        # The one setting letters cannot do without (repayment plans say where to pay).
        fund_iban="IT60X0542811101000000123456",
    )


@pytest.fixture
def system(settings: Settings, clock: FixedClock) -> Iterator[System]:
    system = bootstrap(settings, clock=clock)
    try:
        yield system
    finally:
        system.close()
