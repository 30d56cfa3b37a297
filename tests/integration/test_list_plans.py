"""Every list the API and the back office show walks an index, never the whole table: the SQL
each list runs (page, next page by cursor, bounded count), as each role's row scope shapes it,
is EXPLAINed on PostgreSQL over 20,000 guarantees and 2,000 applications, with a claim, a
mediation case and an attestation per guarantee, after ANALYZE, and no plan may read any of
those tables, ``landlords`` or ``properties`` sequentially.

PostgreSQL only: SQLite's planner is not the one production runs. The search by part of a
name (the landlords' ``q``, the back office's search) is a LIKE '%…%', which no b-tree
answers: a trigram index does (migration 0016), checked on 20,000 landlords.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, event

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.claims import ClaimStatus
from guarantee.domain.guarantees import GuaranteeStatus
from guarantee.domain.mediation import MediationStatus
from guarantee.read import attestations as attestations_read
from guarantee.read import backoffice_queues as queues
from guarantee.read import claims as claims_read
from guarantee.read import funds as funds_read
from guarantee.read import guarantees as read
from guarantee.read import people_search
from tests.support import builders
from tests.support.bulk import load_claims_cases_and_attestations, load_guarantees

pytestmark = pytest.mark.skipif(
    not os.environ.get("GARANZIA_TEST_POSTGRES_URL"),
    reason="the plans checked are PostgreSQL's",
)

BIG = {"guarantees", "landlords", "properties", "claims", "mediation_cases", "attestations"}
TODAY = date(2026, 11, 25)
List = Callable[[Connection], Any]


def seq_scans(plan: dict[str, Any]) -> Iterator[str]:
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in BIG:
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from seq_scans(child)


STAFF = Actor("gestore", Role.FUND_MANAGER)


def scoped(actor: Actor) -> dict[str, Any]:
    """The read functions narrow the rows to what the actor reaches themselves."""
    return {"actor": actor}


def with_next_page(listing: Callable[..., Any]) -> List:
    """The list's first page, then the next one by its cursor."""

    def both(conn: Connection) -> None:
        first = listing(conn, page=1, page_size=5)
        assert first.has_more and first.after, "the seed should fill more than one page"
        listing(conn, page=2, page_size=5, after=first.after)

    return both


def lists(system: System, fund_id: str, landlord_id: str, operator: str) -> dict[str, List]:
    roles = {
        "staff": STAFF,
        "landlord": Actor("locatore", Role.LANDLORD, landlord_id=landlord_id),
        "operator": Actor(operator, Role.OPERATOR),
        "mediator": Actor("mediatore", Role.MEDIATOR, account_id="m-1"),
    }
    found: dict[str, List] = {}
    for role, actor in roles.items():
        scope = scoped(actor)
        found[f"guarantees as {role}"] = lambda conn, scope=scope: read.list_guarantees(
            conn, **scope
        )
        found[f"applications as {role}"] = lambda conn, scope=scope: read.list_guarantees(
            conn, applications_only=True, **scope
        )
    for role in ("staff", "landlord", "operator"):
        scope = scoped(roles[role])
        found[f"guarantees as {role}, next page"] = with_next_page(
            lambda conn, scope=scope, **paging: read.list_guarantees(conn, **scope, **paging)
        )
    for role in ("staff", "operator"):  # a landlord of the seed has one application
        scope = scoped(roles[role])
        found[f"applications as {role}, next page"] = with_next_page(
            lambda conn, scope=scope, **paging: read.list_guarantees(
                conn, applications_only=True, **scope, **paging
            )
        )
    found |= {
        "guarantees of a fund": lambda conn: read.list_guarantees(
            conn, actor=STAFF, fund_id=fund_id
        ),
        "guarantees of a landlord (staff filter)": lambda conn: read.list_guarantees(
            conn, actor=STAFF, landlord_id=landlord_id
        ),
        "guarantees by status": lambda conn: read.list_guarantees(
            conn, actor=STAFF, statuses=[GuaranteeStatus.ISSUED, GuaranteeStatus.SUSPENDED]
        ),
        "applications by status": lambda conn: read.list_guarantees(
            conn, actor=STAFF, statuses=[GuaranteeStatus.SUBMITTED], applications_only=True
        ),
        "landlords": with_next_page(
            lambda conn, **paging: read.list_landlords(conn, q=None, **paging)
        ),
        "properties": with_next_page(
            lambda conn, **paging: read.list_properties(
                conn, actor=STAFF, landlord_id=None, **paging
            )
        ),
        "properties of a landlord": lambda conn: read.list_properties(
            conn, actor=STAFF, landlord_id=landlord_id, page=1, page_size=50
        ),
        "queue: applications to check": with_next_page(queues.applications_to_check),
        "queue: approved to issue": with_next_page(queues.approved_to_issue),
        "queue: expiring": with_next_page(
            lambda conn, **paging: queues.expiring_guarantees(conn, today=TODAY, **paging)
        ),
        "queue: claims to decide": lambda conn: queues.claims_to_decide(conn, page=1, page_size=20),
        "queue: payments to authorise": lambda conn: queues.payments_to_authorise(
            conn, roles["staff"], page=1, page_size=20
        ),
        "queue: claims to pay": lambda conn: queues.claims_to_pay(conn, page=1, page_size=20),
        "mediation cases of a landlord": lambda conn: claims_read.list_cases(
            conn, actor=roles["landlord"], today=TODAY
        ),
        "mediation cases of a mediator": lambda conn: claims_read.list_cases(
            conn, actor=roles["mediator"], today=TODAY
        ),
        "mediation cases": with_next_page(
            lambda conn, **paging: claims_read.list_cases(conn, actor=STAFF, today=TODAY, **paging)
        ),
        "mediation cases by status": with_next_page(
            lambda conn, **paging: claims_read.list_cases(
                conn, actor=STAFF, today=TODAY, status=MediationStatus.ASSIGNED, **paging
            )
        ),
        "mediation cases overdue": lambda conn: claims_read.list_cases(
            conn, actor=STAFF, today=TODAY, overdue=True
        ),
        "mediation cases of a guarantee": lambda conn: claims_read.list_cases(
            conn, actor=STAFF, today=TODAY, guarantee_number="B0000007"
        ),
        "claims of a landlord": lambda conn: claims_read.list_claims(conn, actor=roles["landlord"]),
        "claims": with_next_page(
            lambda conn, **paging: claims_read.list_claims(conn, actor=STAFF, **paging)
        ),
        "claims by status": with_next_page(
            lambda conn, **paging: claims_read.list_claims(
                conn, actor=STAFF, status=ClaimStatus.UNDER_REVIEW, **paging
            )
        ),
        "claims of a guarantee": lambda conn: claims_read.list_claims(
            conn, actor=STAFF, guarantee_number="B0000007"
        ),
        "attestations": with_next_page(
            lambda conn, **paging: attestations_read.list_attestations(
                conn, TODAY, actor=STAFF, **paging
            )
        ),
        "attestations of a help desk": with_next_page(
            lambda conn, **paging: attestations_read.list_attestations(
                conn, TODAY, actor=roles["operator"], **paging
            )
        ),
        "ledger of a fund": lambda conn: funds_read.ledger_page(
            conn, fund_id, date_from=None, date_to=None, account=None, page=1, page_size=100
        ),
    }
    return found


def test_no_list_reads_a_big_table_sequentially(system: System) -> None:
    fund = builders.fund_with(system, Decimal("1000000"))
    loaded = load_guarantees(
        system, fund.id, 20_000, applications=2_000, operators=20, per_landlord=10
    )
    load_claims_cases_and_attestations(system, 20_000, operators=20)
    landlord_id = str(
        system.engine.connect().exec_driver_sql("SELECT md5('l' || 7)::uuid::text").scalar()
    )
    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not statement.lstrip().upper().startswith("EXPLAIN"):
            captured.append((statement, parameters))

    offenders: dict[str, list[str]] = {}
    checked = 0
    with system.engine.connect() as conn:
        for name, listing in lists(system, fund.id, landlord_id, loaded.operators[3]).items():
            captured.clear()
            event.listen(system.engine, "before_cursor_execute", capture)
            try:
                listing(conn)
            except AssertionError as error:
                raise AssertionError(f"{name}: {error}") from error
            finally:
                event.remove(system.engine, "before_cursor_execute", capture)
            assert captured, name
            for statement, parameters in captured:
                plan = conn.exec_driver_sql(
                    f"EXPLAIN (FORMAT JSON) {statement}", parameters
                ).scalar()
                checked += 1
                scans = sorted(set(seq_scans(plan[0]["Plan"])))
                if scans:
                    offenders.setdefault(name, []).append(f"{', '.join(scans)}: {statement}")
    assert checked > 40
    assert not offenders, "\n\n".join(f"{k}: {v}" for k, v in offenders.items())


def test_a_long_list_counts_up_to_a_bound_then_estimates(system: System) -> None:
    fund = builders.fund_with(system, Decimal("1000000"))
    load_guarantees(system, fund.id, 3_000)
    with system.engine.connect() as conn:
        first = read.list_guarantees(conn, actor=STAFF, page=1, page_size=50)
        assert first.has_more and first.total_estimated
        assert first.total > 1000  # at least the bound; about 3,001 by the planner
        last = read.list_guarantees(conn, actor=STAFF, landlord_id=first.items[0]["landlord_id"])
        assert not last.total_estimated and last.total == len(last.items)
        seen: set[str] = set()
        page, after = 1, None
        while True:  # walking the cursors visits every guarantee once, newest first
            found = read.list_guarantees(conn, actor=STAFF, page=page, page_size=500, after=after)
            numbers = [row["number"] for row in found.items]
            assert not seen & set(numbers)
            seen |= set(numbers)
            if not found.has_more:
                break
            page, after = page + 1, found.after
    assert len(seen) == 3_001


def plans_of(system: System, conn: Connection, reading: Callable[[], Any]) -> list[str]:
    """The JSON plan of every statement ``reading`` runs, EXPLAINed on ``conn``."""
    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("EXPLAIN", "SET")):
            captured.append((statement, parameters))

    event.listen(system.engine, "before_cursor_execute", capture)
    try:
        reading()
    finally:
        event.remove(system.engine, "before_cursor_execute", capture)
    assert captured
    return [
        str(conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar())
        for statement, parameters in captured
    ]


def test_a_search_by_part_of_a_name_uses_the_trigram_index(system: System) -> None:
    fund = builders.fund_with(system, Decimal("1000000"))
    load_guarantees(system, fund.id, 1_000, per_landlord=1, extra_landlords=20_000)
    with system.engine.connect() as conn:
        some = conn.exec_driver_sql("SELECT name FROM landlords ORDER BY id LIMIT 1").scalar()
        part = str(some).split()[-1][-4:]  # four letters inside a name, not its start
        found = read.list_landlords(conn, q=part.upper(), page=1, page_size=50)
        assert some in [row["name"] for row in found.items]

        plans = plans_of(
            system, conn, lambda: read.list_landlords(conn, q=part, page=1, page_size=50)
        )
        assert all("ix_landlords_name_trgm" in plan for plan in plans[:1]), plans[0]
        assert not any('"Seq Scan", "Relation Name": "landlords"' in p for p in plans), plans

    # and among 20,000 household members, for the back office's search
    with system.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO household_members (id, household_id, full_name, tax_code, "
            "is_main_tenant) SELECT md5('m' || i)::uuid::text, (SELECT household_id FROM "
            "household_members LIMIT 1), 'Persona ' || translate(md5('n' || i), '0123456789', "
            "'ghijklmnop'), 'PRS' || lpad(i::text, 13, '0'), "
            "false FROM generate_series(1, 20000) AS i"
        )
        conn.exec_driver_sql("ANALYZE household_members")
    with system.engine.connect() as conn:
        name = conn.exec_driver_sql(
            "SELECT full_name FROM household_members WHERE full_name LIKE 'Persona %%' LIMIT 1"
        ).scalar()
        part = str(name)[-6:]  # six letters from inside one made-up surname
        assert people_search.search(conn, part).households
        plans = plans_of(system, conn, lambda: people_search.search(conn, part))
    assert any("ix_household_members_name_trgm" in plan for plan in plans), plans
