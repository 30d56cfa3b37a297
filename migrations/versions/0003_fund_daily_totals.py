"""fund daily totals: per fund and day, the change of every account, exposure and live count

Revision ID: 0003
Revises: 0002

Backfilled from the books already written: before this revision no claim could be paid, so a
guarantee's exposure was its maximum exposure from its reserve entry to its release entry.

A column per ledger account: an account added later needs a revision adding its column
(tests/integration/test_database.py fails until models and migrations agree).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The accounts as they stood at this revision, with their natural side.
ACCOUNTS = {
    "cash": "debit",
    "contributions": "credit",
    "capital": "debit",
    "reserves": "credit",
    "claims_paid": "debit",
    "recoveries": "credit",
    "write_offs": "debit",
    "recoveries_receivable": "debit",
    "recoverable_claims": "credit",
}


def upgrade() -> None:
    op.create_table(
        "fund_daily_totals",
        sa.Column("fund_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in ACCOUNTS),
        sa.Column("exposure", sa.BigInteger(), nullable=False),
        sa.Column("live_guarantees", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_fund_daily_totals_fund_id_funds")
        ),
        sa.PrimaryKeyConstraint("fund_id", "day", name=op.f("pk_fund_daily_totals")),
    )
    op.execute(sa.text(_BACKFILL))


def downgrade() -> None:
    op.drop_table("fund_daily_totals")


def _account_sum(name: str, natural: str) -> str:
    return (
        f"coalesce(sum(CASE WHEN p.account = '{name}' THEN "
        f"CASE WHEN p.side = '{natural}' THEN p.amount ELSE -p.amount END END), 0)"
    )


_SUMS = ",\n       ".join(f"{_account_sum(n, s)} AS {n}" for n, s in ACCOUNTS.items())
_COLUMNS = ", ".join(ACCOUNTS)

# Money from the postings, grouped by fund and day; exposure and live count from the reserve
# (+) and release (−) entries of each guarantee. Days with entries only: a day with no entry
# changed nothing.
_BACKFILL = f"""
INSERT INTO fund_daily_totals (fund_id, day, entries, {_COLUMNS}, exposure, live_guarantees)
SELECT m.fund_id, m.day, m.entries, {", ".join(f"m.{n}" for n in ACCOUNTS)},
       coalesce(s.exposure, 0), coalesce(s.live_guarantees, 0)
FROM (
  SELECT j.fund_id AS fund_id, j.occurred_on AS day, count(DISTINCT j.id) AS entries,
       {_SUMS}
  FROM journal_entries j JOIN postings p ON p.entry_id = j.id
  GROUP BY j.fund_id, j.occurred_on
) m
LEFT JOIN (
  SELECT j.fund_id AS fund_id, j.occurred_on AS day,
         sum(CASE j.kind WHEN 'reserve' THEN g.maximum_exposure ELSE -g.maximum_exposure END)
           AS exposure,
         sum(CASE j.kind WHEN 'reserve' THEN 1 ELSE -1 END) AS live_guarantees
  FROM journal_entries j JOIN guarantees g ON g.id = j.guarantee_id
  WHERE j.kind IN ('reserve', 'release')
  GROUP BY j.fund_id, j.occurred_on
) s ON s.fund_id = m.fund_id AND s.day = m.day
"""
