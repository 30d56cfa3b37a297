"""Real servers under wrk: `garanzia serve` against a minimal Litestar floor, same SQL, same JSON.

    python -m bench.bench_server                       # local PostgreSQL, ~4 minutes
    python -m bench.bench_server --seconds 3 --repeats 2 --database-url postgresql://…
    python -m bench.bench_server --only lists          # the list pages at scale alone

Needs wrk on the PATH (Debian: `apt-get install -y wrk`). In a throwaway PostgreSQL database
(created, migrated, dropped after) it loads 100,000 guarantees (one made through the service
layer, cloned by SQL with its landlord, dwelling, household and history; a landlord per
guarantee, a hundredth of them owning a hundred each and the rest nothing yet), then starts, on
loopback and on the same server software (uvicorn, one process each):
- ours: `garanzia serve` with its default pool, the Redis broker when one answers;
- the floor: bench/floor_app.py, the same token check and guarantee SQL on a raw psycopg pool.
wrk asks for random guarantees by number at 8, 32 and 128 connections, rounds of ours and the
floor interleaved (the first of each pair alternates), each repeated: as a fund manager (any
of the 100,000), then as a landlord (its own 100: the landlord's status lookup; both apps add
its row filter, and the floor shapes the same landlord projection; `--as landlord` runs one).
Printed per level:
min/median/max req/s, p99, errors (answers other than 2xx and 503, and socket errors, which
mean a request got no answer), 503s, the ratios ours/floor of median req/s and median p99,
and the p99 of /health polled during ours' rounds. Then ours on 1,000 guarantees against ours
on 100,000 at 32 connections (does the lookup cost depend on the table's size?).
The goals (at 32 connections ≥ 0.5 of the floor's req/s, p99 ≤ 1.5× the floor's, never stops
answering) are reported, never asserted: two cores shared with wrk and PostgreSQL are noisy.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import text

from bench._postgres import DEFAULT_URL, ROOT, throwaway_database
from guarantee.adapters.logging import configure_logging
from guarantee.bootstrap import System, bootstrap
from guarantee.domain.actors import Actor, Role
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.support import builders
from tests.support.bulk import NUMBER, load_claims_cases_and_attestations, load_guarantees
from tests.support.servers import free_port

MANAGER = Actor("bench", Role.FUND_MANAGER)
USERNAME, PASSWORD = "bench-load", "una-password-lunga-42"
LANDLORD_USERNAME = "bench-locatore"
LEVELS = (8, 32, 128)

WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  statuses = {}
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
  wrk.headers["Authorization"] = "Bearer TOKEN"
end
function request()
  return wrk.format("GET", string.format("/api/v1/guarantees/B%07d", STEP * math.random(1, COUNT)))
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do io.write(string.format("STATUS %d %d\\n", status, count)) end
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %d %d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(99), e.connect + e.read + e.write + e.timeout))
end
"""


# The same counters as WRK_SCRIPT, one fixed path (a list page, the fund's figures).
PATH_SCRIPT = WRK_SCRIPT.replace(
    'return wrk.format("GET", string.format("/api/v1/guarantees/B%07d", '
    "STEP * math.random(1, COUNT)))",
    'return wrk.format("GET", "PATH")',
)
assert PATH_SCRIPT != WRK_SCRIPT


# -- data --------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """Bearer tokens of a fund manager and of a landlord, and which numbers the landlord owns:
    the cloned guarantee ``i`` belongs to landlord ``1 + i % landlords``, so landlord 1 owns
    every ``landlords``-th number."""

    token: str
    landlord_token: str
    landlords: int
    fund_id: str


def _token(system: System, username: str) -> str:
    done = system.bus.handle(c.Login(username, PASSWORD, "127.0.0.1"), Actor.anonymous("127.0.0.1"))
    assert done.token is not None
    return str(done.token)


def load(url: str, count: int, folder: Path) -> Loaded:
    """``count`` guarantees cloned from one issued through the bus, a tenth as many
    applications, a claim, a mediation case and an attestation per guarantee, and two accounts.

    As many landlords as guarantees, as there are dwellings, at either size: with only the
    hundred-guarantee owners, the small database's landlord list would be 11 rows — a short
    page, counted exactly — and the scale comparison would set it against a full page
    counted to the bound and estimated beyond, not the same list at two sizes."""
    settings = Settings(
        database_url=url, outbox_dir=folder / "outbox", storage_dir=folder / "storage"
    )
    system = bootstrap(settings)
    try:
        fund = builders.fund_with(system, Decimal(1_000_000), MANAGER)
        landlords = load_guarantees(
            system,
            fund.id,
            count,
            applications=count // 10,
            extra_landlords=count - count // 100,
        ).landlords
        load_claims_cases_and_attestations(system, count)
        system.bus.handle(
            c.CreateAccount(
                username=USERNAME,
                full_name="Carico",
                role=Role.FUND_MANAGER,
                password=PASSWORD,
            ),
            Actor.system("bench"),
        )
        with system.engine.connect() as conn:
            landlord_id = conn.execute(text("SELECT md5('l1')::uuid::text")).scalar_one()
        system.bus.handle(
            c.CreateAccount(
                username=LANDLORD_USERNAME,
                full_name="Locatore di carico",
                role=Role.LANDLORD,
                password=PASSWORD,
                landlord_id=landlord_id,
            ),
            Actor.system("bench"),
        )
        return Loaded(
            _token(system, USERNAME), _token(system, LANDLORD_USERNAME), landlords, fund.id
        )
    finally:
        system.close()


# -- servers -----------------------------------------------------------------------------------


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def server(command: list[str], env: dict[str, str], probe: str, log: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [part.replace("PORT", str(port)) for part in command],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + probe, process, log)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print(f"  ! {command[2]} ignored SIGTERM for 30 s: killed", flush=True)
            process.kill()
            process.wait()


def ours(url: str, broker: str | None, folder: Path) -> AbstractContextManager[str]:
    env = {
        "GARANZIA_DATABASE_URL": url,
        "GARANZIA_STORAGE_DIR": str(folder / "storage"),
        "GARANZIA_OUTBOX_DIR": str(folder / "outbox"),
    }
    if broker:
        env["GARANZIA_BROKER_URL"] = broker
    command = [sys.executable, "-m", "guarantee.cli", "serve", "--port", "PORT"]
    return server(command, env, "/health", folder / "ours.log")


def floor(url: str, folder: Path) -> AbstractContextManager[str]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.floor_app:create_app",
        "--factory",
        "--port",
        "PORT",
        "--log-level",
        "info",
        "--proxy-headers",
    ]  # the same uvicorn options as `garanzia serve`
    settings = Settings()
    env = {
        "FLOOR_DSN": url,
        "FLOOR_POOL": f"{settings.db_pool_size},{settings.db_pool_size + settings.db_max_overflow}",
    }
    return server(command, env, "/api/v1/guarantees/none", folder / "floor.log")


def redis_broker() -> str | None:
    url = "redis://127.0.0.1:6379/15"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


# -- load --------------------------------------------------------------------------------------


@dataclass
class Round:
    rate: float
    p99_ms: float
    errors: int
    unavailable: int
    health_p99_ms: float | None = None
    health_failures: int = 0


@dataclass
class Series:
    rounds: list[Round] = field(default_factory=list)

    def rates(self) -> list[float]:
        return [r.rate for r in self.rounds]

    def median_p99(self) -> float:
        return statistics.median(r.p99_ms for r in self.rounds)


class HealthWatch:
    """Polls /health 5 times a second on its own connection while a round runs (faster
    polling would load ours with work the floor does not have)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seconds: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=10) as http:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    ok = http.get(f"{self.base}/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.seconds.append(time.perf_counter() - started)
                self.failures += 0 if ok else 1
                time.sleep(0.2)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def p99_ms(self) -> float | None:
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def wrk(base: str, script: Path, connections: int, seconds: int) -> Round:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    statuses = {int(s): int(n) for s, n in re.findall(r"^STATUS (\d+) (\d+)$", out, re.M)}
    found = re.search(r"^RESULT (\d+) ([\d.]+) (\d+) (\d+)$", out, re.M)
    if found is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    requests, duration, p99_us, socket_errors = found.groups()
    other = sum(n for s, n in statuses.items() if not (200 <= s < 300 or s == 503))
    return Round(
        rate=int(requests) / float(duration),
        p99_ms=int(p99_us) / 1000,
        errors=other + int(socket_errors),
        unavailable=statuses.get(503, 0),
    )


def measured(base: str, script: Path, connections: int, seconds: int, health: bool) -> Round:
    if not health:
        return wrk(base, script, connections, seconds)
    with HealthWatch(base) as watch:
        result = wrk(base, script, connections, seconds)
    result.health_p99_ms, result.health_failures = watch.p99_ms(), watch.failures
    return result


def same_json(ours_base: str, floor_base: str, token: str, number: int) -> bool:
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/guarantees/" + NUMBER.format(number)
    mine = httpx.get(ours_base + path, headers=headers, timeout=10)
    theirs = httpx.get(floor_base + path, headers=headers, timeout=10)
    if mine.status_code != 200 or theirs.status_code != 200:
        print(f"  ! lookup answered {mine.status_code} (ours), {theirs.status_code} (floor)")
        return False
    a, b = mine.json(), theirs.json()
    if a != b:
        keys = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"  ! the two JSON answers differ in: {', '.join(keys)}")
    return bool(a == b)


# -- lists at scale ----------------------------------------------------------------------------


def landlord_id(n: int) -> str:
    """The id the bulk loader gives its n-th landlord (PostgreSQL's md5('l' || n)::uuid)."""
    return str(uuid.UUID(hashlib.md5(f"l{n}".encode()).hexdigest()))


def list_paths(base: str, loaded: Loaded) -> dict[str, str]:
    """What the list pages and the dashboard ask for; the deep page by following ``next``."""
    headers = {"Authorization": f"Bearer {loaded.token}"}
    link: str | None = "/api/v1/guarantees?page_size=50"
    for _ in range(10):
        assert link is not None
        link = httpx.get(base + link, headers=headers, timeout=30).json()["next"]
    assert link is not None, "fewer than 11 pages of guarantees"
    return {
        "guarantees, first page": "/api/v1/guarantees?page_size=50",
        "guarantees, 11th page by cursor": link,
        "guarantees of one landlord": f"/api/v1/guarantees?landlord_id={landlord_id(7)}",
        "guarantees, status filter": "/api/v1/guarantees?status=issued&page_size=50",
        "applications": "/api/v1/applications?page_size=50",
        "landlords": "/api/v1/landlords?page_size=50",
        "properties": "/api/v1/properties?page_size=50",
        "claims": "/api/v1/claims?page_size=50",
        "claims, status filter": "/api/v1/claims?status=paid&page_size=50",
        "mediation cases": "/api/v1/mediation-cases?page_size=50",
        "attestations": "/api/v1/attestations?page_size=50",
        "fund figures": f"/api/v1/funds/{loaded.fund_id}",
    }


def lists_at_scale(
    small: tuple[str, Loaded], big: tuple[str, Loaded], folder: Path, args: argparse.Namespace
) -> dict[str, float]:
    """Each list page and the fund's figures on the small and the big database, rounds
    interleaved at 8 connections: the time ratio big/small (median req/s small ÷ big)."""
    paths = {size: list_paths(base, loaded) for size, (base, loaded) in (("s", small), ("b", big))}
    print(
        f"\nlists at 8 connections, {args.small:,} vs {args.guarantees:,} guarantees "
        f"({args.repeats} × {args.seconds} s, interleaved)\n"
        f"{'page':<34}| small req/s min med max | big req/s min med max | "
        "p99 ms small big | errors | time ratio"
    )
    ratios: dict[str, float] = {}
    for name in paths["s"]:
        scripts = {}
        for size, (_, loaded) in (("s", small), ("b", big)):
            script = folder / f"list-{size}-{len(ratios)}.lua"
            lua = PATH_SCRIPT.replace("TOKEN", loaded.token).replace("PATH", paths[size][name])
            script.write_text(lua)
            scripts[size] = script
        series = {"s": Series(), "b": Series()}
        for repeat in range(args.repeats):
            order = [("s", small[0]), ("b", big[0])]
            for size, base in order if repeat % 2 == 0 else order[::-1]:
                series[size].rounds.append(wrk(base, scripts[size], 8, args.seconds))
        s_rates, b_rates = series["s"].rates(), series["b"].rates()
        ratio = statistics.median(s_rates) / statistics.median(b_rates)
        ratios[name] = ratio
        errors = sum(r.errors for r in series["s"].rounds + series["b"].rounds)
        print(
            f"{name:<34}| {spread(s_rates)} | {spread(b_rates)} | "
            f"{series['s'].median_p99():7.1f} {series['b'].median_p99():7.1f} | {errors:6d} | "
            f"{ratio:5.2f}",
            flush=True,
        )
    return ratios


# -- report ------------------------------------------------------------------------------------


def spread(values: list[float]) -> str:
    return f"{min(values):6.0f} {statistics.median(values):6.0f} {max(values):6.0f}"


def report(level: int, mine: Series, theirs: Series) -> tuple[float, float]:
    ratio = statistics.median(mine.rates()) / statistics.median(theirs.rates())
    p99_ratio = mine.median_p99() / theirs.median_p99()
    health = [r.health_p99_ms for r in mine.rounds if r.health_p99_ms is not None]
    health_failures = sum(r.health_failures for r in mine.rounds)
    print(
        f"{level:>5} | {spread(mine.rates())} | {spread(theirs.rates())} | {ratio:5.2f} | "
        f"{mine.median_p99():7.1f} {theirs.median_p99():7.1f} {p99_ratio:5.2f} | "
        f"{sum(r.errors for r in mine.rounds):4d} {sum(r.errors for r in theirs.rounds):4d} | "
        f"{sum(r.unavailable for r in mine.rounds):5d} "
        f"{sum(r.unavailable for r in theirs.rounds):5d} | "
        f"{max(health) if health else float('nan'):7.1f} {health_failures:3d}",
        flush=True,
    )
    return ratio, p99_ratio


ROLES = ("fund_manager", "landlord")


@dataclass
class Lookup:
    """One role's lookup under load: its token and which numbers wrk asks for."""

    role: str
    token: str
    step: int  # every step-th number (the landlord's own), 1 for staff

    def script(self, folder: Path, count: int) -> Path:
        path = folder / f"lookup-{self.role}-{count}.lua"
        lua = WRK_SCRIPT.replace("TOKEN", self.token).replace("STEP", str(self.step))
        path.write_text(lua.replace("COUNT", str(count // self.step)))
        return path


def compare(
    lookup: Lookup, mine_base: str, floor_base: str, script: Path, args: argparse.Namespace
) -> tuple[dict[int, tuple[float, float]], int]:
    """Ours against the floor at every level for one role; the goals' ratios and our errors."""
    same = same_json(mine_base, floor_base, lookup.token, lookup.step * 42)
    print(f"\nas {lookup.role}: same JSON from both: {'yes' if same else 'NO'}")
    for base in (mine_base, floor_base):  # warm both: pools, caches, JIT-less imports
        wrk(base, script, 8, 2)
    print(
        f"GET /api/v1/guarantees/{{random of {args.guarantees // lookup.step:,}}} as "
        f"{lookup.role}, wrk -t2, {args.repeats} × {args.seconds} s rounds, interleaved\n"
        "conns |   ours req/s min med max |  floor req/s min med max | ratio | "
        "p99 ms ours   floor ratio | errors o f |  503s o f | /health p99 ms, not 200"
    )
    goals: dict[int, tuple[float, float]] = {}
    errors = 0
    for level in LEVELS:
        mine, theirs = Series(), Series()
        for repeat in range(args.repeats):
            pair = [(mine, mine_base, True), (theirs, floor_base, False)]
            for series, base, health in pair if repeat % 2 == 0 else pair[::-1]:
                series.rounds.append(measured(base, script, level, args.seconds, health))
        goals[level] = report(level, mine, theirs)
        errors += sum(r.errors for r in mine.rounds)
    return goals, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL server")
    parser.add_argument("--guarantees", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000, help="the scale comparison's size")
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk round")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--as", dest="roles", choices=ROLES, action="append", help="whose lookup (default both)"
    )
    parser.add_argument("--no-scale", action="store_true", help="skip the scale comparison")
    parser.add_argument(
        "--only",
        choices=("lists",),
        help="lists: only the list pages on the small and the big database (no floor, no lookups)",
    )
    args = parser.parse_args()
    if args.only and args.no_scale:
        parser.error("--only lists is the scale comparison's lists: drop --no-scale")
    roles = args.roles or list(ROLES)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: on Debian `apt-get install -y wrk`, then run this again.")
    configure_logging(json=False)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per /health poll otherwise
    broker = redis_broker()
    folder = Path(tempfile.mkdtemp(prefix="garanzia-bench-server-"))
    jobs = "the Redis broker" if broker else "in-process jobs"
    print(f"servers' logs in {folder}; ours with {jobs}")

    with (
        throwaway_database(args.database_url, "garanzia_bench") as big_url,
        throwaway_database(args.database_url, "garanzia_bench_small") as small_url,
    ):
        started = time.perf_counter()
        big = load(big_url, args.guarantees, folder)
        small_loaded = None if args.no_scale else load(small_url, args.small, folder)
        print(
            f"loaded {args.guarantees:,} guarantees (and {args.small:,} for the scale) in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        lookups = {
            "fund_manager": Lookup("fund_manager", big.token, 1),
            "landlord": Lookup("landlord", big.landlord_token, big.landlords),
        }
        results: dict[str, tuple[dict[int, tuple[float, float]], int]] = {}
        list_ratios: dict[str, float] = {}
        if args.only == "lists":
            assert small_loaded is not None
            with (
                ours(small_url, broker, folder) as small_base,
                ours(big_url, broker, folder) as big_base,
            ):
                list_ratios = lists_at_scale(
                    (small_base, small_loaded), (big_base, big), folder, args
                )
        else:
            with ours(big_url, broker, folder) as mine_base, floor(big_url, folder) as floor_base:
                for role in roles:
                    lookup = lookups[role]
                    script = lookup.script(folder, args.guarantees)
                    results[role] = compare(lookup, mine_base, floor_base, script, args)
        if small_loaded is not None and args.only is None:
            list_ratios = scale(
                big_url, small_url, broker, folder, lookups["fund_manager"], big, small_loaded, args
            )
    if list_ratios:
        worst = max(list_ratios.values())
        print(
            f"lists and fund figures at {args.guarantees:,} vs {args.small:,}: worst time ratio "
            f"{worst:.2f} (goal ≤ 1.5: {'met' if worst <= 1.5 else 'NOT met'})"
        )
    for role, (goals, errors) in results.items():
        ratio, p99_ratio = goals[32]
        print(
            f"\ngoals as {role} (reported, not asserted): at 32 connections "
            f"req/s ratio {ratio:.2f} (goal ≥ 0.5: {'met' if ratio >= 0.5 else 'NOT met'}), "
            f"p99 ratio {p99_ratio:.2f} (goal ≤ 1.5: {'met' if p99_ratio <= 1.5 else 'NOT met'}); "
            f"errors other than 503 at any level: {errors}"
        )


def scale(
    big_url: str,
    small_url: str,
    broker: str | None,
    folder: Path,
    staff: Lookup,
    big_loaded: Loaded,
    small_loaded: Loaded,
    args: argparse.Namespace,
) -> dict[str, float]:
    """Ours on the small table against ours on the big one (does the lookup cost depend on
    the table's size?), then each list page and the fund's figures; their time ratios."""
    script = staff.script(folder, args.guarantees)
    small_script = Lookup("fund_manager", small_loaded.token, 1).script(folder, args.small)
    with (
        ours(small_url, broker, folder) as small_base,
        ours(big_url, broker, folder) as big_base,
    ):
        for base, lua in ((small_base, small_script), (big_base, script)):
            wrk(base, lua, 8, 2)
        small, big = Series(), Series()
        for repeat in range(args.repeats):
            sizes = [(small, small_base, small_script), (big, big_base, script)]
            for size, at, lua in sizes if repeat % 2 == 0 else sizes[::-1]:
                size.rounds.append(wrk(at, lua, 32, args.seconds))
        print(
            f"\nscale, ours at 32 connections: {args.small:,} guarantees "
            f"{spread(small.rates())} req/s, p99 {small.median_p99():.1f} ms; "
            f"{args.guarantees:,}: {spread(big.rates())} req/s, p99 {big.median_p99():.1f} ms; "
            f"ratio big/small "
            f"{statistics.median(big.rates()) / statistics.median(small.rates()):.2f}"
        )
        return lists_at_scale((small_base, small_loaded), (big_base, big_loaded), folder, args)


if __name__ == "__main__":
    main()
