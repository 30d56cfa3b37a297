"""Running Alembic from code (the CLI and the tests share it)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, Engine, Index, text

from guarantee.adapters.db.tables import metadata
from guarantee.settings import PROJECT_ROOT


def alembic_config(engine: Engine) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    _migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str = "base") -> None:
    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, step: Callable[[Config], None]) -> None:
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it; foreign keys would refuse the DROP of the
            # old copy. The pragma only works outside a transaction, hence the raw connection.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                config = alembic_config(engine)
                config.attributes["connection"] = conn
                step(config)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migrazione: riferimenti non validi {broken[:5]}")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def differences(engine: Engine) -> list[object]:
    """What the models have that the migrated database lacks (empty when they agree).

    SQLAlchemy cannot reflect an index on an expression (the review-first order of the
    applications queue): it says so and skips it on both sides, so it is compared by name
    instead (``_expression_indexes_missing``)."""
    with engine.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Skipped unsupported reflection of expression-based index"
        )
        warnings.filterwarnings("ignore", message="autogenerate skipping .*expression-based index")
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "target_metadata": metadata}
        )
        found: list[object] = list(compare_metadata(context, metadata))
        expression = {index for _, index in _expression_indexes(conn.dialect.name)}
        # Alembic cannot tell two spellings of one expression apart: it proposes to drop
        # and re-create the index. Those are compared by name below instead.
        comparable = [
            diff
            for diff in found
            if not (
                isinstance(diff, tuple)
                and diff[0] in ("add_index", "remove_index")
                and str(getattr(diff[1], "name", "")) in expression
            )
        ]
        return comparable + _expression_indexes_missing(conn)


def _expression_indexes_missing(conn: Connection) -> list[object]:
    """The models' expression indexes the database lacks, by name."""
    wanted = _expression_indexes(conn.dialect.name)
    present = {(table, index) for table, index in wanted if _named_index_exists(conn, index)}
    return [("add_index", table, index) for table, index in sorted(wanted - present)]


def _expression_indexes(dialect: str) -> set[tuple[str, str]]:
    """By name, the expression indexes a database of ``dialect`` should have (an index kept
    for one database, ``Index(…).ddl_if(dialect=…)``, is not asked of the others)."""
    return {
        (table.name, str(index.name))
        for table in metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(e, Column) for e in index.expressions) and _meant_for(index, dialect)
    }


def _meant_for(index: Index, dialect: str) -> bool:
    condition = getattr(index, "_ddl_if", None)
    wanted = getattr(condition, "dialect", None)
    return wanted is None or dialect in ((wanted,) if isinstance(wanted, str) else wanted)


def _named_index_exists(conn: Connection, name: str) -> bool:
    if conn.dialect.name == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name"
    else:
        sql = "SELECT 1 FROM pg_indexes WHERE indexname = :name"
    return conn.execute(text(sql), {"name": name}).first() is not None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
