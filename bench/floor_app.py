"""The floor for bench_server: a minimal Litestar app answering the guarantee lookup with the
same SQL as ours (token check, guarantee row, history) on a raw psycopg 3 pool.

    uvicorn bench.floor_app:create_app --factory   # FLOOR_DSN=postgresql://… FLOOR_POOL=10,15

No settings, no dependency injection, no read model, no validation: one sync handler in a
worker thread (the same threading model as ours), one pooled connection in autocommit, the
rows turned into the same JSON ours returns (euros from cents, aware UTC datetimes, the cover
from the claims' amounts as ours computes it, the renewals left, a landlord's projection and
actions for a landlord).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from litestar import Litestar, Request, get
from litestar.exceptions import NotAuthorizedException, NotFoundException
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from guarantee.adapters import accounts
from guarantee.adapters.clock import SystemClock
from guarantee.adapters.db.raw import _driver_sql
from guarantee.adapters.reference_data import load_products
from guarantee.domain.actors import Actor, Role
from guarantee.domain.claims import COMMITTED_STATES
from guarantee.domain.cover import CoverState, ItemKind
from guarantee.domain.guarantees import LIFECYCLE, GuaranteeStatus
from guarantee.read import guarantees as read
from guarantee.read.access import LANDLORD_TIMELINE, VISIBLE, Audience, actions_for
from guarantee.read.cover import cover_lines
from guarantee.read.renewals import renewal_state
from guarantee.settings import Settings

TOKEN_SQL = _driver_sql(accounts._ACTOR_FOR_TOKEN, "postgresql")
DETAIL_SQL = _driver_sql(read._DETAIL_SQL, "postgresql")
HISTORY_SQL = _driver_sql(read._HISTORY_SQL, "postgresql")
# What read.cover.cover_state asks: the approved amounts per claim state and line (cents).
COVER_SQL = """
SELECT cl.status, cl.paid_at IS NOT NULL AS was_paid, ci.kind, sum(ci.approved) AS approved
FROM claim_items ci JOIN claims cl ON cl.id = ci.claim_id
WHERE cl.guarantee_id = %(guarantee_id)s AND ci.approved IS NOT NULL
GROUP BY cl.status, was_paid, ci.kind
"""
COMMITTED = frozenset(state.value for state in COMMITTED_STATES)
LANDLORD_DETAIL_SQL = DETAIL_SQL + " AND g.landlord_id = %(landlord_id)s"
CENTS = {name for name, kind in read._DETAIL_KINDS.items() if kind == "cents"}
LANDLORD_FIELDS = VISIBLE["guarantee"][Audience.LANDLORD] or frozenset()


def _timeline(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The milestones in words, as ours shows them to everyone."""
    return [
        {"occurred_at": event["occurred_at"], "label": LANDLORD_TIMELINE[event["action"]]}
        for event in history
        if event["action"] in LANDLORD_TIMELINE
    ]


def _cover(rows: list[dict[str, Any]], row: dict[str, Any], product: Any) -> list[Any]:
    paid: dict[ItemKind, Decimal] = {}
    committed: dict[ItemKind, Decimal] = {}
    for found in rows:
        target = paid if found["was_paid"] else committed if found["status"] in COMMITTED else None
        if target is not None:
            kind = ItemKind(found["kind"])
            target[kind] = target.get(kind, Decimal(0)) + Decimal(found["approved"]).scaleb(-2)
    return cover_lines(CoverState.of(product, row["monthly_rent"], paid, committed))


def _for_landlord(
    row: dict[str, Any], history: list[dict[str, Any]], landlord_id: str
) -> dict[str, Any]:
    """What ours shows a landlord: its fields, its own actions (a renewal), the milestones in
    words."""
    timeline = _timeline(history)
    shaped = {name: value for name, value in row.items() if name in LANDLORD_FIELDS}
    hidden = dict.fromkeys(row.keys() - LANDLORD_FIELDS - {"history"})  # null, as ours
    landlord = Actor("floor", Role.LANDLORD, landlord_id=landlord_id)
    actions = actions_for(landlord, "guarantee", row["allowed_actions"])
    return hidden | shaped | {"allowed_actions": actions, "timeline": timeline, "history": []}


def create_app() -> Litestar:
    low, high = (int(n) for n in os.environ.get("FLOOR_POOL", "10,15").split(","))
    products = load_products(Settings().policies_dir)
    clock = SystemClock()
    pool = ConnectionPool(
        os.environ["FLOOR_DSN"],
        min_size=low,
        max_size=high,
        timeout=3,
        # UTC session: the datetimes come back as ours serialises them.
        kwargs={"autocommit": True, "options": "-c TimeZone=UTC"},
        open=False,
    )

    @get("/api/v1/guarantees/{number:str}", sync_to_thread=True)
    def detail(number: str, request: Request[Any, Any, Any]) -> dict[str, Any]:
        token = request.headers.get("authorization", "").partition(" ")[2]
        digest = hashlib.sha256(token.encode()).hexdigest()
        with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            now = datetime.now(UTC)
            actor = cursor.execute(TOKEN_SQL, {"token_hash": digest, "now": now}).fetchone()
            if actor is None:
                raise NotAuthorizedException("token non valido o scaduto")
            landlord = actor["role"] == "landlord"
            if landlord:  # the same row filter as ours: another landlord's does not exist
                parameters = {"number": number, "landlord_id": actor["landlord_id"]}
                row = cursor.execute(LANDLORD_DETAIL_SQL, parameters).fetchone()
            else:
                row = cursor.execute(DETAIL_SQL, {"number": number}).fetchone()
            if row is None:
                raise NotFoundException("garanzia non trovata")
            history = cursor.execute(HISTORY_SQL, {"entity_id": row["id"]}).fetchall()
            claimed = cursor.execute(COVER_SQL, {"guarantee_id": row["id"]}).fetchall()
        for name in CENTS:
            row[name] = Decimal(row[name]).scaleb(-2)
        row["allowed_actions"] = LIFECYCLE.allowed_actions(GuaranteeStatus(row["status"]))
        product = products.get(row["product_code"], row["product_version"]).product
        row["cover"] = _cover(claimed, row, product)
        # The bench's guarantees are in their first term: no past terms, and ours makes no
        # query for them either.
        row["terms"] = []
        row |= renewal_state(row, product, clock.today())
        if landlord:
            return _for_landlord(row, history, actor["landlord_id"])
        row["history"] = history
        row["timeline"] = _timeline(history)
        return row

    async def open_pool() -> None:
        pool.open(wait=True)

    async def close_pool() -> None:
        pool.close()

    return Litestar([detail], on_startup=[open_pool], on_shutdown=[close_pool])
