"""Many guarantees quickly, on PostgreSQL: one issued through the bus, cloned by SQL with its
landlord, dwelling, household and history (the benches and the EXPLAIN checks use it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from guarantee.adapters.db import tables
from guarantee.bootstrap import System
from tests.support import builders

NUMBER = "B{:07d}"  # the cloned guarantees' numbers: B0000001 … B0100000
_UUID = "md5('{}' || i)::uuid::text"
# Cloned applications cycle through these (the back office's queues read them).
_APPLICATION_STATUSES = ("submitted", "needs_review", "eligible", "approved", "ineligible")


@dataclass(frozen=True)
class Loaded:
    landlords: int
    template_id: str
    operators: tuple[str, ...]


def clone(conn: Connection, table: str, overrides: dict[str, str], count: int, key: str) -> None:
    """Insert ``count`` copies of the template row ``key`` with some columns computed from i."""
    columns = [c.name for c in tables.metadata.tables[table].columns]
    if table == "audit_events":
        columns.remove("seq")
    values = ", ".join(overrides.get(c, f't."{c}"') for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    conn.execute(
        text(
            f"INSERT INTO {table} ({names}) SELECT {values} "
            f"FROM {table} t, generate_series(1, :count) i WHERE {key}"
        ),
        {"count": count},
    )


def load_guarantees(
    system: System,
    fund_id: str,
    count: int,
    *,
    applications: int = 0,
    operators: int = 0,
    per_landlord: int = 100,
    extra_landlords: int = 0,
) -> Loaded:
    """``count`` issued guarantees (numbers B0000001…), ``per_landlord`` to a landlord, and
    ``applications`` applications in the queues' statuses; with ``operators``, the clones are
    spread over that many operators' referrals (created_by ``operatore-N``); with
    ``extra_landlords``, that many more landlords who own nothing yet (enrolled before their
    first application). Then ANALYZE."""
    template = builders.issued_guarantee(system, fund_id)
    landlords = max(1, count // per_landlord)
    landlord_of = f"md5('l' || (1 + i % {landlords}))::uuid::text"
    created_by = f"'operatore-' || (i % {operators})" if operators else 't."created_by"'
    with system.engine.begin() as conn:
        clone(
            conn,
            "landlords",
            {
                "id": _UUID.format("l"),
                "name": "t.name || ' ' || i",
                "tax_code": "'BL' || lpad(i::text, 14, '0')",
            },
            landlords + extra_landlords,
            f"t.id = '{template.landlord_id}'",
        )
        clone(
            conn,
            "properties",
            {"id": _UUID.format("p"), "landlord_id": landlord_of},
            count + applications,
            f"t.id = '{template.property_id}'",
        )
        clone(
            conn,
            "households",
            {"id": _UUID.format("h")},
            count + applications,
            f"t.id = '{template.household_id}'",
        )
        clone(
            conn,
            "guarantees",
            {
                "id": _UUID.format("g"),
                "number": "'B' || lpad(i::text, 7, '0')",
                "application_number": "'BA' || lpad(i::text, 7, '0')",
                "certificate_code": "substr(md5('c' || i), 1, 19)",
                "landlord_id": landlord_of,
                "property_id": _UUID.format("p"),
                "household_id": _UUID.format("h"),
                "issued_at": "t.issued_at - (i || ' minutes')::interval",
                "created_at": "t.created_at - (i || ' minutes')::interval",
                "ends_on": "t.ends_on - (i % 1200)",
                "created_by": created_by,
            },
            count,
            f"t.id = '{template.id}'",
        )
        if applications:
            statuses = ", ".join(f"'{s}'" for s in _APPLICATION_STATUSES)
            n = len(_APPLICATION_STATUSES)
            clone(
                conn,
                "guarantees",
                {
                    "id": f"md5('g' || ({count} + i))::uuid::text",
                    "number": "NULL",
                    "application_number": "'BD' || lpad(i::text, 7, '0')",
                    "certificate_code": "NULL",
                    "status": f"(ARRAY[{statuses}])[1 + i % {n}]",
                    "landlord_id": landlord_of,
                    "property_id": f"md5('p' || ({count} + i))::uuid::text",
                    "household_id": f"md5('h' || ({count} + i))::uuid::text",
                    "fund_id": "NULL",
                    "issued_at": "NULL",
                    "starts_on": "NULL",
                    "ends_on": "NULL",
                    "reserve_amount": "0",
                    "created_at": "t.created_at - (i || ' minutes')::interval",
                    "created_by": created_by,
                },
                applications,
                f"t.id = '{template.id}'",
            )
        clone(
            conn,
            "audit_events",
            {
                "id": "md5('a' || i || '-' || t.seq)::uuid::text",
                "entity_id": _UUID.format("g"),
            },
            count,
            f"t.entity_type = 'guarantee' AND t.entity_id = '{template.id}'",
        )
    with system.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    names = tuple(f"operatore-{n}" for n in range(operators))
    return Loaded(landlords, template.id, names)


def load_claims_cases_and_attestations(system: System, count: int, *, operators: int = 1) -> None:
    """A claim and a mediation case on each of the first ``count`` bulk guarantees, and an
    attestation for each of their households (issued by ``operators`` help desks in turn);
    then ANALYZE."""
    guarantee = "md5('g' || i)::uuid::text"
    # As in a fund that has run for years: most claims paid and most cases closed.
    open_claims = "'submitted', 'under_review', 'approved', 'partially_approved'"
    claim_statuses = f"coalesce((ARRAY[{open_claims}])[1 + mod(i, 50)], 'paid')"
    case_statuses = "coalesce((ARRAY['assigned', 'in_progress'])[1 + mod(i, 10)], 'closed')"
    with system.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO claims (id, number, guarantee_id, guarantee_number, product_code, "
            "product_version, status, filed_on, filed_at, filed_by, paid_amount, "
            "recovered_amount, written_off_amount, updated_at, version) "
            f"SELECT md5('c' || i)::uuid::text, 'SIN-2026-' || lpad(i::text, 6, '0'), "
            f"{guarantee}, 'B' || lpad(i::text, 7, '0'), g.product_code, g.product_version, "
            f"{claim_statuses}, date '2026-01-01' + mod(i, 300), now(), 'locatore', 0, 0, 0, "
            f"now(), 1 FROM generate_series(1, {count}) i JOIN guarantees g ON g.id = {guarantee}"
        )
        conn.exec_driver_sql(
            "INSERT INTO mediation_cases (id, number, guarantee_id, status, reason, opened_on, "
            "opened_at, opened_by, first_contact_due, updated_at, version) "
            f"SELECT md5('m' || i)::uuid::text, 'MED-2026-' || lpad(i::text, 6, '0'), "
            f"{guarantee}, {case_statuses}, 'morosità', date '2026-01-01' + mod(i, 300), now(), "
            "'locatore', date '2026-01-08' + mod(i, 300), now(), 1 "
            f"FROM generate_series(1, {count}) i"
        )
        conn.exec_driver_sql(
            "INSERT INTO attestations (id, number, code, status, household_id, maximum_rent, "
            "issued_on, valid_until, product_code, product_version, ruleset_version, "
            "eligibility, created_at, created_by, updated_at, version) "
            f"SELECT md5('t' || i)::uuid::text, 'ATT-2026-' || lpad(i::text, 6, '0'), "
            "substr(md5('v' || i), 1, 19), 'issued', g.household_id, 65000, "
            "date '2026-01-01', date '2026-07-01', g.product_code, g.product_version, '1', "
            f"'{{}}', now() - (i || ' minutes')::interval, 'operatore-' || (mod(i, {operators})), "
            f"now(), 1 FROM generate_series(1, {count}) i JOIN guarantees g ON g.id = {guarantee}"
        )
    with system.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "ANALYZE claims; ANALYZE mediation_cases; ANALYZE attestations"
        )
