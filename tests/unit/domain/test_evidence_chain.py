"""The canonical form is the same whatever order, database flavour or NULL columns; a link
breaks when anything it covers changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from guarantee.domain.evidence_chain import (
    AUDIT_EVENT,
    GENESIS,
    canonical,
    check_link,
    next_links,
    record_hash,
)

ROW = {
    "id": "e1",
    "occurred_at": datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
    "before": {"b": 1, "a": [1.0, "x"]},
    "after": {"amount": Decimal("12.50")},
    "reason": None,
    "on": date(2026, 1, 2),
}


def test_the_canonical_form_ignores_key_order_nulls_and_the_json_number_flavour() -> None:
    other = {
        "on": date(2026, 1, 2),
        "after": {"amount": Decimal("12.50")},
        "before": {"a": [1, "x"], "b": 1},
        # the same instant, read back in another zone
        "occurred_at": datetime(2026, 11, 25, 10, 30, tzinfo=timezone(timedelta(hours=1))),
        "id": "e1",
        "new_nullable_column": None,
    }
    assert canonical(ROW) == canonical(other)
    assert b'"amount":"12.50"' in canonical(ROW)
    assert b"2026-11-25T09:30:00.000000Z" in canonical(ROW)


def test_a_link_names_an_edited_or_missing_record_and_a_broken_previous_hash() -> None:
    first, second = next_links(
        None, [(AUDIT_EVENT, "e1", record_hash(ROW)), (AUDIT_EVENT, "e2", record_hash(ROW))]
    )
    assert first.previous_hash == GENESIS and second.previous_hash == first.chain_hash
    assert check_link(GENESIS, first, ROW) == []
    assert [f.kind for f in check_link(GENESIS, first, {**ROW, "reason": "x"})] == [
        "record_altered"
    ]
    assert [f.kind for f in check_link(GENESIS, first, None)] == ["record_deleted"]
    assert [f.kind for f in check_link(GENESIS, second, ROW)] == ["chain_broken"]
