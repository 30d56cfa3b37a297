"""One classification of personal data, used by logs, exports and statistics."""

from __future__ import annotations

from guarantee.adapters.db.tables import metadata
from guarantee.adapters.logging import redact_personal
from guarantee.domain.personal_data import (
    PERSONAL_COLUMNS,
    REDACTED,
    is_personal_column,
    publishable,
    redact,
)
from guarantee.read.statistics import GENERALISED


def test_every_classified_column_exists() -> None:
    for table, columns in PERSONAL_COLUMNS.items():
        assert table in metadata.tables, table
        assert columns <= set(metadata.tables[table].columns.keys()), table


def test_the_obviously_personal_columns_are_classified() -> None:
    for table, column in (
        ("household_members", "full_name"),
        ("household_members", "tax_code"),
        ("household_members", "birth_date"),
        ("households", "main_tenant_tax_code"),
        ("landlords", "address"),
        ("properties", "address"),
        ("mediation_notes", "text"),
    ):
        assert is_personal_column(table, column)
    assert not is_personal_column("properties", "municipality_istat_code")
    assert all(is_personal_column(t, c) for t, c in GENERALISED)


def test_json_values_and_log_lines_are_redacted_at_any_depth() -> None:
    value = {"status": "active", "tenant": {"tax_code": "X", "members": [1]}, "notes": "n"}
    assert redact(value) == {
        "status": "active",
        "tenant": {"tax_code": REDACTED, "members": REDACTED},
        "notes": REDACTED,
    }
    assert publishable("landlords", {"id": "1", "name": "Rossi", "kind": "person"}) == {
        "id": "1",
        "kind": "person",
    }
    line = redact_personal(None, "info", {"event": "login", "username": "anna", "email": "a@b"})
    assert line == {"event": "login", "username": REDACTED, "email": REDACTED}
