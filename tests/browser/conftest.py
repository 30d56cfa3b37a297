"""A real `garanzia serve` on a free port, a database with two landlords, and Chromium.

Browser tests drive Debian's Chromium (`make system-deps` installs it) with Playwright; the
server runs the embedded default (SQLite, jobs in-process, mails written as .eml files), so
what a landlord sees is what the shipped command serves.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    folder = tmp_path_factory.mktemp("portal")
    url_db = f"sqlite:///{folder / 'portal.db'}"
    env = {
        **os.environ,
        "GARANZIA_DATABASE_URL": url_db,
        "GARANZIA_STORAGE_DIR": str(folder / "storage"),
        "GARANZIA_OUTBOX_DIR": str(folder / "outbox"),
        "GARANZIA_ARGON2_TIME_COST": "1",
        "GARANZIA_ARGON2_MEMORY_KIB": "1024",
    }
    engine = build_engine(url_db)
    migrate.upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=url_db,
        storage_dir=folder / "storage",
        outbox_dir=folder / "outbox",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    system = bootstrap(settings)
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
            system, name, Role.LANDLORD, landlord_id=issued.landlord_id, email=f"{name}@example.it"
        )
        numbers.append(issued.number)
    open_account(system, "gestore", Role.FUND_MANAGER, email="gestore@example.it")
    run_jobs(system)  # the contract and the certificate of each guarantee
    system.close()

    port = free_port()
    env["GARANZIA_BASE_URL"] = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [GARANZIA, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("garanzia serve did not start")
        token = httpx.post(
            f"{url}/api/v1/auth/login", json={"username": "gestore", "password": PASSWORD}
        ).json()["access_token"]
        yield Portal(url, folder / "outbox", numbers[0], numbers[1], token, numbers[2])
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
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
