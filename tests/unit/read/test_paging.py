"""A page cursor gives back the sort key it was made from, and a made-up one is refused by
name (``after``), never a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from guarantee.domain.errors import InvalidField
from guarantee.read.paging import decode_cursor, encode_cursor


def test_a_cursor_gives_back_its_sort_key() -> None:
    key = (0, datetime(2026, 11, 25, 9, 30, 0, 123456, tzinfo=UTC), date(2027, 1, 31), "GC-1")
    cursor = encode_cursor(key)
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor  # safe in a URL
    assert tuple(decode_cursor(cursor, 4)) == key


@pytest.mark.parametrize("cursor", ["bm90LWEtY3Vyc29y", "%%%", "W1sieCIsMV1d", ""])
def test_a_cursor_not_made_here_is_refused_by_name(cursor: str) -> None:
    with pytest.raises(InvalidField) as refused:
        decode_cursor(cursor, 2)
    assert refused.value.field == "after"


def test_a_cursor_of_another_list_is_refused() -> None:
    with pytest.raises(InvalidField):
        decode_cursor(encode_cursor(("a", "b", "c")), 2)
