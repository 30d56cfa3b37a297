"""Shared fixtures: a migrated database per run (SQLite by default, PostgreSQL on request).

Set GARANZIA_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres) to run
the database tests against PostgreSQL: a fresh database is created for the run and dropped
after, and tests that never open a database (marked by `pytest_collection_modifyitems` below)
are deselected — they already ran on SQLite and would only repeat themselves.
"""

from __future__ import annotations

import os

# dramatiq's workers poll their queues with this timeout (ms) and only notice a stop between
# polls: at the default (1 s) every job runner a test stops costs about two seconds of
# waiting. Set before dramatiq is imported (it reads the variable once); processes the tests
# start inherit it.
os.environ.setdefault("dramatiq_worker_timeout", "100")

import functools
import inspect
import itertools
import shutil
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_bdd.steps import StepNamePrefix, step_function_context_registry
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import migrate
from guarantee.adapters.db.engine import build_engine, normalise_url
from guarantee.adapters.mail_templates import MailTemplates
from guarantee.adapters.reference_data import load_eligibility, load_products
from guarantee.adapters.templating import Branding, DocumentRenderer
from guarantee.bootstrap import System, bootstrap
from guarantee.jobs import actors, reactions, runner
from guarantee.settings import Settings
from tests.support.fake_pdf import FakePdf, fake_pdf_renderer
from tests.support.fake_uow import FakeStore, fake_uow_factory

POSTGRES_URL = os.environ.get("GARANZIA_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("GARANZIA_TEST_REDIS_URL")


# A test that requests one of these (directly or through another fixture) opens the run's
# database; a test that opens one another way says so with @pytest.mark.db.
DATABASE_FIXTURES = frozenset({"migrated_url", "database_url"})


def pytest_report_header() -> str:
    return (
        f"database: {'PostgreSQL' if POSTGRES_URL else 'SQLite'}; broker: {REDIS_URL or 'embedded'}"
    )


def _opens_database(item: pytest.Item, names: Iterable[str]) -> bool:
    """Whether any of the fixtures ``names``, or any fixture they request, is a database."""
    manager = item.session._fixturemanager
    todo, seen = list(names), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in DATABASE_FIXTURES:
            return True
        for fixturedef in manager.getfixturedefs(name, item) or ():
            todo.extend(fixturedef.argnames)
    return False


def _step_arguments(item: pytest.Item) -> set[str]:
    """What the steps a Gherkin scenario's module can run request (pytest-bdd resolves them
    while the scenario runs, so they are not among the item's fixture names)."""
    module = getattr(item, "module", None)
    if module is None:
        return set()
    manager = item.session._fixturemanager
    names: set[str] = set()
    for stepdef in (n for n in vars(module) if n.startswith(StepNamePrefix.step_def.value)):
        for fixturedef in manager.getfixturedefs(stepdef, item) or ():
            context = step_function_context_registry.get(fixturedef.func)
            if context is not None:
                names.update(inspect.signature(context.step_func).parameters)
    return names


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every database test `db`; on PostgreSQL keep only those (deselected, not skipped:
    the rest ran on SQLite and never open a database)."""
    for item in items:
        if _opens_database(item, getattr(item, "fixturenames", ())) or _opens_database(
            item, _step_arguments(item)
        ):
            item.add_marker(pytest.mark.db)
    if not POSTGRES_URL:
        return
    kept = [item for item in items if item.get_closest_marker("db")]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if not i.get_closest_marker("db")])
        items[:] = kept


def _pg_admin() -> Engine:
    return create_engine(normalise_url(POSTGRES_URL or ""), isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return make_url(POSTGRES_URL or "").set(database=name).render_as_string(hide_password=False)


def _pg_template(migrated: str) -> str:
    # The pristine copy each test's database is cloned from: nobody connects to it (CREATE
    # DATABASE … TEMPLATE needs that), whatever a test does with the run's database itself.
    return f"{make_url(migrated).database}_tpl"


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per run: a template file, or a fresh PG database."""
    if POSTGRES_URL:
        name = f"garanzia_test_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = _pg_url(name)
        engine = build_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{_pg_template(url)}" TEMPLATE "{name}"'))
        try:
            yield url
        finally:
            with admin.connect() as conn:
                for database in (name, _pg_template(url)):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
    else:
        template = tmp_path_factory.mktemp("db") / "template.db"
        engine = build_engine(f"sqlite:///{template}")
        migrate.upgrade(engine)
        engine.dispose()
        yield f"sqlite:///{template}"


_clones = itertools.count(1)


@pytest.fixture
def database_url(
    migrated_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """An empty, migrated database for one test: a copy of the run's migrated template (a file
    copy on SQLite; on PostgreSQL CREATE DATABASE … TEMPLATE, a fifth of the time of
    truncating every table), dropped after the test."""
    if request.node.get_closest_marker("db") is None:
        # Asked for while the test ran (getfixturevalue): collection could not see it, so the
        # PostgreSQL run would leave the test out. Say so instead of losing it silently.
        pytest.fail(f"{request.node.nodeid} opens a database: mark it @pytest.mark.db")
    if POSTGRES_URL:
        clone = f"{make_url(migrated_url).database}_{next(_clones)}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{clone}" TEMPLATE "{_pg_template(migrated_url)}"'))
        try:
            yield _pg_url(clone)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)'))
            admin.dispose()
        return
    template = Path(make_url(migrated_url).database or "")
    copy = tmp_path / "test.db"
    shutil.copyfile(template, copy)
    yield f"sqlite:///{copy}"


@pytest.fixture(autouse=True)
def _fake_pdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Job runners made in the test's process archive fake PDFs (tests/support/fake_pdf.py),
    unless the test is marked `real_pdf`. A renderer a test builds itself stays WeasyPrint."""
    if request.node.get_closest_marker("real_pdf"):
        return
    monkeypatch.setattr(runner, "PdfRenderer", FakePdf)
    monkeypatch.setattr(actors, "default_pdf_renderer", fake_pdf_renderer)


# Template environments by what they are built from: a DocumentRenderer compiles every
# document template when it is made (a third of a second), and a job runner makes one each
# time. Templates are versioned files the tests never edit in place (a test that changes one
# works on a copy, with its own directory), so one compiled set serves the run.
_renderers: dict[tuple[Branding, Path | None], DocumentRenderer] = {}
_mail_templates: dict[Path, MailTemplates] = {}


def _shared_renderer(branding: Branding, templates_dir: Path | None = None) -> DocumentRenderer:
    key = (branding, templates_dir)
    if key not in _renderers:
        _renderers[key] = DocumentRenderer(branding, templates_dir)
    return _renderers[key]


def _shared_mail_templates(templates_dir: Path) -> MailTemplates:
    if templates_dir not in _mail_templates:
        _mail_templates[templates_dir] = MailTemplates(templates_dir)
    return _mail_templates[templates_dir]


@pytest.fixture(autouse=True)
def _shared_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "DocumentRenderer", _shared_renderer)
    monkeypatch.setattr(reactions, "MailTemplates", _shared_mail_templates)


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


# The products and rule sets as read from their directories, once per run (reading and
# checking the rules takes a tenth of a second); a test with other files has other paths.
_products = functools.cache(load_products)
_rules = functools.cache(load_eligibility)


@pytest.fixture
def system(settings: Settings, clock: FixedClock) -> Iterator[System]:
    system = bootstrap(
        settings,
        clock=clock,
        products=_products(settings.policies_dir),
        eligibility=_rules(settings.rules_dir),
    )
    try:
        yield system
    finally:
        system.close()


@pytest.fixture
def store() -> FakeStore:
    """The fake unit of work's store: what the commands of a `fake_system` test committed."""
    return FakeStore()


@pytest.fixture
def fake_system(store: FakeStore, clock: FixedClock, tmp_path: Path) -> Iterator[System]:
    """The same composition root as `system` (bus, permissions, handlers), over the fake unit
    of work (tests/support/fake_uow.py): no database, so not a `db` test."""
    settings = Settings(
        # Never connected: anything that reached for the database would find an empty
        # in-memory one and fail loudly.
        database_url="sqlite://",
        outbox_dir=tmp_path / "outbox",
        storage_dir=tmp_path / "storage",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        fund_iban="IT60X0542811101000000123456",
    )
    system = bootstrap(
        settings,
        clock=clock,
        products=_products(settings.policies_dir),
        eligibility=_rules(settings.rules_dir),
        uow_factory=fake_uow_factory(store, clock),
    )
    try:
        yield system
    finally:
        system.close()
