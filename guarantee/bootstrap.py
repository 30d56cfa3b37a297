"""Composition root: the only place that knows every part and wires them together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from guarantee.adapters.clock import SystemClock
from guarantee.adapters.data_files import load_office_closures, office_closures_path
from guarantee.adapters.db.engine import build_engine
from guarantee.adapters.db.mapping import start_mappers
from guarantee.adapters.db.uow import SqlAlchemyUnitOfWork, UnitOfWorkFactory
from guarantee.adapters.passwords import Passwords
from guarantee.adapters.reference_data import load_eligibility, load_products
from guarantee.adapters.storage import FileStore
from guarantee.domain.actors import Actor
from guarantee.domain.calendar import WorkingCalendar
from guarantee.read.snapshots import LetterSnapshots
from guarantee.services.deps import AccessRules, Dependencies
from guarantee.services.messagebus import MessageBus
from guarantee.services.ports import Clock, EligibilityChecker, ProductCatalog
from guarantee.settings import Settings, get_settings

# SQLSTATEs of a lost race that a fresh attempt can win: serialization failure, deadlock,
# and the unique violation of two first inserts of the same row.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}


@dataclass
class System:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    bus: MessageBus
    deps: Dependencies
    letters: LetterSnapshots

    def close(self) -> None:
        self.engine.dispose()

    def broker_health(self) -> str:
        url = self.settings.broker_url
        if not url:
            return "embedded"
        try:
            if url.startswith("redis"):
                _redis_client(url).ping()
            else:
                import pika

                pika.BlockingConnection(pika.URLParameters(url)).close()
        except Exception as exc:  # a health probe reports, it never raises
            return f"error: {type(exc).__name__}"
        return "ok"


@lru_cache(maxsize=4)
def _redis_client(url: str) -> Any:
    """One client per broker for the health probe: a probe polled every second by a load
    balancer should not open a new connection each time."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, StaleDataError):
        return True
    if isinstance(exc, DBAPIError):
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if sqlstate in _RETRYABLE_SQLSTATES:
            return True
        # SQLite answers "database is locked" when a writer waited past its timeout.
        return "database is locked" in str(exc.orig) and not isinstance(exc, IntegrityError)
    return False


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    products: ProductCatalog | None = None,
    eligibility: EligibilityChecker | None = None,
    uow_factory: UnitOfWorkFactory | None = None,
) -> System:
    """Every part, wired once. ``uow_factory`` replaces the SQLAlchemy unit of work (tests
    run the same bus, permission checks and handlers over an in-memory one); the engine is
    still built, lazily: it connects only when something uses it."""
    settings = settings or get_settings()
    start_mappers()
    engine = build_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        prepared_statements=settings.db_prepared_statements,
    )
    session_factory = sessionmaker(bind=engine, expire_on_commit=False)
    deps = Dependencies(
        clock=clock or SystemClock(),
        products=products or load_products(settings.policies_dir),
        eligibility=eligibility
        or load_eligibility(settings.rules_dir, settings.rules_reload_seconds),
        calendar=WorkingCalendar(load_office_closures(office_closures_path(settings.rules_dir))),
        files=FileStore(settings.storage_dir),
        passwords=Passwords(
            time_cost=settings.argon2_time_cost, memory_cost_kib=settings.argon2_memory_kib
        ),
        access=AccessRules(
            token_ttl=timedelta(hours=settings.token_ttl_hours),
            reset_link_ttl=timedelta(hours=settings.password_reset_link_hours),
            account_failures=settings.login_max_failures_per_account,
            address_failures=settings.login_max_failures_per_address,
            failure_window=timedelta(minutes=settings.login_window_minutes),
            lock=timedelta(minutes=settings.login_lock_minutes),
            privacy_notice_version=settings.privacy_notice_version,
        ),
    )

    letters = LetterSnapshots(deps.products, settings, deps.calendar, deps.clock)

    def sql_uow(actor: Actor) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory, actor, deps.clock, letters)

    bus = MessageBus(uow_factory or sql_uow, deps, is_retryable)
    return System(settings, engine, session_factory, bus, deps, letters)


__all__ = ["System", "bootstrap"]
