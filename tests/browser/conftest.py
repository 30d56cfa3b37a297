"""A real `garanzia serve` on a free port, a database with two landlords, and Chromium.

Browser tests drive Debian's Chromium (`make system-deps` installs it) with Playwright; the
server runs the embedded default (SQLite, jobs in-process, mails written as .eml files), so
what a landlord sees is what the shipped command serves.
"""

from __future__ import annotations

import email
import email.policy
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from guarantee.adapters.db import migrate
from guarantee.adapters.db.engine import build_engine
from guarantee.bootstrap import bootstrap
from guarantee.domain.actors import Role
from guarantee.services import commands as c
from guarantee.settings import PROJECT_ROOT, Settings
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account
from tests.support.jobs import run_jobs
from tests.support.servers import free_port

CHROMIUM = Path("/usr/bin/chromium")
GARANZIA = str(Path(sys.executable).parent / "garanzia")  # the command the README runs
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
# Screenshots are for people to look at, not checks: taken when asked (two full-page renders
# per page checked, a good part of a browser test's time).
TAKE_SCREENSHOTS = os.environ.get("GARANZIA_TEST_SCREENSHOTS") == "1"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # On CI the browser and the assets must be there: a missing one fails, never skips.
    if os.environ.get("CI") or (CHROMIUM.exists() and AXE.exists()):
        return
    reason = "Chromium or node_modules missing: run `make system-deps install` (root)"
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class Portal:
    url: str
    outbox: Path
    guarantee_a: str
    guarantee_b: str
    manager_token: str
    # A third landlord's guarantee, which only the renewal test changes.
    guarantee_c: str = ""

    def mails(self) -> list[str]:
        """Every mail written so far, headers and decoded text, as a person reads it."""
        texts = []
        for path in self.outbox.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            body = message.get_body(("plain",))
            content = body.get_content() if isinstance(body, EmailMessage) else ""
            texts.append(f"To: {message['To']}\nSubject: {message['Subject']}\n\n{content}")
        return texts


def _months_ago(today: date, months: int) -> date:
    year, month = today.year, today.month - months
    while month <= 0:
        month, year = month + 12, year - 1
    return date(year, month, 1)


def _xdist_shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run sees (the run's base folder), or this
    process's own when there are no workers. Never one from an earlier run: its seed would be
    of another day and other code."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _built_once(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """The run's folder ``name``, and whether the caller must build it (no process of the
    run has): it holds the run's lock for ``name`` meanwhile, and the folder is marked done
    when the caller's block ends without an error."""
    shared = _xdist_shared_dir(tmp_path_factory)
    folder = shared / name
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / "done").exists():
            yield folder, False
            return
        shutil.rmtree(folder, ignore_errors=True)  # a half-built one from a failed attempt
        folder.mkdir()
        yield folder, True
        (folder / "done").touch()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database migrated to head, built once per run: modules copy it.
    (Not the `migrated_url` of tests/conftest.py: the browser tests are SQLite-only, and
    that one is PostgreSQL when the run is.)"""
    with _built_once(tmp_path_factory, "browser-migrated") as (folder, build):
        if build:
            engine = build_engine(f"sqlite:///{folder / 'empty.db'}")
            migrate.upgrade(engine)
            engine.dispose()
    return folder / "empty.db"


@dataclass(frozen=True)
class _PortalSeed:
    folder: Path  # portal.db, storage/ and outbox/
    numbers: tuple[str, str, str]


@pytest.fixture(scope="session")
def _portal_seed(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> _PortalSeed:
    """Three landlords with a live guarantee each (contract and certificate archived, real
    PDFs), and a fund manager: built through the bus once per run, copied by each module."""
    with _built_once(tmp_path_factory, "portal-seed") as (folder, build):
        if build:
            shutil.copyfile(migrated_sqlite, folder / "portal.db")
            numbers = _seed_portal(folder)
            (folder / "numbers.json").write_text(json.dumps(numbers), encoding="utf-8")
    numbers = json.loads((folder / "numbers.json").read_text(encoding="utf-8"))
    return _PortalSeed(folder, (numbers[0], numbers[1], numbers[2]))


def _seed_portal(folder: Path) -> list[str]:
    settings = Settings(
        database_url=f"sqlite:///{folder / 'portal.db'}",
        storage_dir=folder / "storage",
        outbox_dir=folder / "outbox",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    system = bootstrap(settings)
    try:
        today = system.deps.clock.today()
        start = _months_ago(today, 7)
        lease = builders.lease(start=start, end=date(start.year + 3, start.month, 1))
        fund = builders.fund_with(system, Decimal("100000.00"))
        numbers = []
        for name in ("locatore-a", "locatore-b", "locatore-c"):
            issued = builders.issued_guarantee(system, fund.id, lease_data=lease)
            assert issued.number is not None
            system.bus.handle(c.ActivateGuarantee(number=issued.number), builders.MANAGER)
            open_account(
                system,
                name,
                Role.LANDLORD,
                landlord_id=issued.landlord_id,
                email=f"{name}@example.it",
            )
            numbers.append(issued.number)
        open_account(system, "gestore", Role.FUND_MANAGER, email="gestore@example.it")
        run_jobs(system)  # the contract and the certificate of each guarantee
    finally:
        system.close()
    return numbers


@contextmanager
def serve(folder: Path, database: Path, **settings: str) -> Iterator[str]:
    """`garanzia serve`, the command the README runs, on ``database`` with storage and outbox
    in ``folder`` (``settings`` are further GARANZIA_* values); its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "GARANZIA_DATABASE_URL": f"sqlite:///{database}",
        "GARANZIA_STORAGE_DIR": str(folder / "storage"),
        "GARANZIA_OUTBOX_DIR": str(folder / "outbox"),
        "GARANZIA_ARGON2_TIME_COST": "1",
        "GARANZIA_ARGON2_MEMORY_KIB": "1024",
        "GARANZIA_BASE_URL": url,
        **{f"GARANZIA_{name.upper()}": value for name, value in settings.items()},
    }
    server = subprocess.Popen(
        [GARANZIA, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("garanzia serve did not start")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, _portal_seed: _PortalSeed) -> Iterator[Portal]:
    """The run's portal seed, copied for this module (its tests add to it), served."""
    folder = tmp_path_factory.mktemp("portal")
    shutil.copytree(_portal_seed.folder, folder, dirs_exist_ok=True)
    with serve(folder, folder / "portal.db") as url:
        token = httpx.post(
            f"{url}/api/v1/auth/login", json={"username": "gestore", "password": PASSWORD}
        ).json()["access_token"]
        a, b, c_ = _portal_seed.numbers
        yield Portal(url, folder / "outbox", a, b, token, c_)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium per process for the run; every test gets a context of its own (`page`),
    so nothing of one test's session is left for another."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="it-IT", accept_downloads=True)
    browser_page = context.new_page()
    try:
        yield browser_page
    finally:
        context.close()


def check_page(page: Any, name: str) -> None:
    """axe-core finds no serious or critical violation; with GARANZIA_TEST_SCREENSHOTS=1,
    screenshots at both widths."""
    results = page.evaluate(
        AXE.read_text(encoding="utf-8") + "\n;axe.run(document, {resultTypes: ['violations']})"
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], f"{name}: " + json.dumps(serious, ensure_ascii=False, indent=1)
    if not TAKE_SCREENSHOTS:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width_name, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width_name}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def log_in(page: Any, portal: Portal, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{portal.url}/portal/accesso")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
