"""Pages of a list that cost the same at 1,000 rows as at 100,000.

- **Keyset**: a page is read by walking an index on the sort key from where the previous page
  ended (``after``: an opaque cursor of that row's sort key), never by skipping rows; ``page``
  without a cursor still works (OFFSET), for clients that number pages.
- **One row more** than the page says whether there is a next one (``has_more``).
- **A bounded count**: the total is counted exactly up to ``EXACT_UP_TO`` rows (reading at most
  that many); beyond it, on PostgreSQL, the planner's estimate is given and marked
  ``total_estimated`` (on SQLite, a development database, the exact count).

The sort key must be the same direction on every column (a row comparison walks one index),
end with a unique column, and hold no NULLs on the listed rows.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, Subquery, func, literal, select, tuple_

from guarantee.domain.errors import InvalidField

EXACT_UP_TO = 1000
_KEY = "_key{}"
_TOTAL = "_total"


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    has_more: bool = False
    # The cursor of the next page (the last row's sort key), None on the last page.
    after: str | None = None
    total_estimated: bool = False
    # Counted up to EXACT_UP_TO and no further (``total`` is that bound): "more than".
    total_capped: bool = False

    def shaped(self, view: Callable[[dict[str, Any]], dict[str, Any]]) -> Page:
        """The same page, each row as its reader may see it (see ``read.access``)."""
        return Page(
            [view(row) for row in self.items],
            self.total,
            self.page,
            self.page_size,
            self.has_more,
            self.after,
            self.total_estimated,
            self.total_capped,
        )


def keyset_page(
    conn: Connection,
    statement: Select[Any],
    keys: Sequence[Any],
    *,
    page: int,
    page_size: int,
    after: str | None = None,
    descending: bool = False,
    expand: Callable[[Subquery], Select[Any]] | None = None,
    estimate: bool = True,
    ordered_count: bool = True,
) -> Page:
    """One page of ``statement`` sorted by ``keys`` (see the module's docstring); with
    ``expand``, the page's rows (a subquery) joined to the columns the list shows. Without
    ``estimate`` a total beyond the bound is not estimated but said to be more than it
    (``total_capped``): a work queue needs "over 1,000", not the planner's guess. Without
    ``ordered_count`` the bounded count reads any 1,001 rows of the filter (no sort to pay
    for when the sort key is an expression the planner would rather sort than walk)."""
    listed = statement.add_columns(*(key.label(_KEY.format(i)) for i, key in enumerate(keys)))
    ordered = listed.order_by(None).order_by(
        *(key.desc() if descending else key.asc() for key in keys)
    )
    skipped = 0
    if after is not None:
        values = decode_cursor(after, len(keys))
        row_key = tuple_(*keys)
        # Bound with each key's own type, so a time compares as the column stores it.
        bound = tuple_(*(literal(v, key.type) for key, v in zip(keys, values, strict=True)))
        ordered = ordered.where(row_key < bound if descending else row_key > bound)
    else:
        skipped = (page - 1) * page_size
    page_sql = ordered.limit(page_size + 1).offset(skipped)
    if expand is not None:
        # The page is chosen on the listed table alone, then joined to what it shows: the
        # joins touch the page's rows, never the whole of the other tables.
        chosen = page_sql.subquery("page")
        labels = [chosen.c[_KEY.format(i)] for i in range(len(keys))]
        page_sql = (
            expand(chosen)
            .add_columns(*labels)
            .order_by(*(label.desc() if descending else label.asc() for label in labels))
        )
    # The bounded count rides on the page's own statement: one round trip. It is counted in
    # the list's order, so the bound walks the same index as the page.
    in_order = statement.order_by(None)
    if ordered_count:
        in_order = in_order.order_by(*(k.desc() if descending else k for k in keys))
    page_sql = page_sql.add_columns(_bounded_count(in_order).label(_TOTAL))
    rows = [dict(r) for r in conn.execute(page_sql).mappings()]
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    sort_keys = [tuple(row.pop(_KEY.format(i)) for i in range(len(keys))) for row in rows]
    cursor = encode_cursor(sort_keys[-1]) if has_more and None not in sort_keys[-1] else None
    counted = [row.pop(_TOTAL) for row in rows][:1]
    exact = int(counted[0]) if counted else int(conn.scalar(select(_bounded_count(in_order))) or 0)
    if not estimate and exact > EXACT_UP_TO:
        return Page(rows, EXACT_UP_TO, page, page_size, has_more, cursor, total_capped=True)
    total, estimated = _beyond_bound(conn, in_order, exact)
    return Page(rows, total, page, page_size, has_more, cursor, estimated)


def _bounded_count(statement: Select[Any]) -> Any:
    bounded = statement.limit(EXACT_UP_TO + 1).subquery()
    return select(func.count()).select_from(bounded).scalar_subquery()


def count(conn: Connection, statement: Select[Any]) -> tuple[int, bool]:
    """Rows of ``statement``: exact up to EXACT_UP_TO (reading at most one more), else the
    planner's estimate on PostgreSQL; and whether it is an estimate."""
    exact = int(conn.scalar(select(_bounded_count(statement))) or 0)
    return _beyond_bound(conn, statement, exact)


def _beyond_bound(conn: Connection, statement: Select[Any], exact: int) -> tuple[int, bool]:
    if exact <= EXACT_UP_TO:
        return exact, False
    if conn.dialect.name != "postgresql":
        whole = statement.order_by(None).subquery()
        return int(conn.scalar(select(func.count()).select_from(whole)) or 0), False
    return max(exact, _estimate(conn, statement.order_by(None))), True


def _estimate(conn: Connection, statement: Select[Any]) -> int:
    sql = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    plan: Any = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}".replace("%", "%%")).scalar()
    document = json.loads(plan) if isinstance(plan, str) else plan
    return int(document[0]["Plan"]["Plan Rows"])


# -- cursors -----------------------------------------------------------------------------------


def encode_cursor(values: Sequence[Any]) -> str:
    tagged = [_tag(v) for v in values]
    raw = json.dumps(tagged, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    """The sort key a cursor holds; a cursor not made here is a 400 naming ``after``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tagged = json.loads(raw)
        values = [_untag(item) for item in tagged]
    except (binascii.Error, ValueError, TypeError, KeyError, IndexError) as exc:
        raise InvalidField("after", "cursore di pagina non valido") from exc
    if len(values) != length:
        raise InvalidField("after", "cursore di pagina non valido")
    return values


def _tag(value: Any) -> list[Any]:
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, bool | int):
        return ["i", int(value)]
    return ["s", str(value)]


def _untag(item: list[Any]) -> Any:
    kind, value = item
    if kind == "t":
        return datetime.fromisoformat(value)
    if kind == "d":
        return date.fromisoformat(value)
    if kind == "i":
        return int(value)
    if kind == "s":
        return str(value)
    raise ValueError(kind)
