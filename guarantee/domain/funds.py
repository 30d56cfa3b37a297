"""The fund (fondo di garanzia): its running balances and the rule that it never overcommits."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import InsufficientCapacity, InvalidField
from guarantee.domain.formats import amount_it
from guarantee.domain.ledger import Account, EntryKind, JournalEntry, transfer
from guarantee.domain.money import ZERO, money


class Fund(Aggregate):
    """Keeps running balances next to the entries so figures never scan the whole ledger."""

    entity_type = "fund"

    def __init__(
        self, *, name: str, territory: str, created_at: datetime, id: str | None = None
    ) -> None:
        self.id = id or str(uuid.uuid4())
        if not name.strip():
            raise InvalidField("name", "campo obbligatorio")
        self.name = name.strip()
        self.territory = territory
        self.created_at = created_at
        self.balance = ZERO
        self.reserved = ZERO
        self.contributions = ZERO
        self.claims_paid = ZERO
        self.recoveries = ZERO
        self.write_offs = ZERO
        self.exposure = ZERO
        self.live_guarantees = 0

    @property
    def free_capacity(self) -> Decimal:
        return self.balance - self.reserved

    @property
    def new_entries(self) -> list[JournalEntry]:
        try:
            return self._new_entries
        except AttributeError:
            self._new_entries: list[JournalEntry] = []
            return self._new_entries

    def ensure_capacity(self, reserve: Decimal) -> None:
        if reserve > self.free_capacity:
            raise InsufficientCapacity(amount_it(reserve), amount_it(self.free_capacity))

    # -- business events ---------------------------------------------------------------------

    def record_contribution(
        self,
        *,
        amount: Decimal,
        donor: str,
        on: date,
        reference: str,
        now: datetime,
        by: str,
    ) -> JournalEntry:
        value = money(amount)
        if value <= 0:
            raise InvalidField("amount", "il contributo deve essere positivo")
        if not donor.strip():
            raise InvalidField("donor", "indicare il donatore")
        entry = self._post(
            EntryKind.CONTRIBUTION,
            transfer(Account.CASH, Account.CONTRIBUTIONS, value),
            on=on,
            description=f"Contributo di {donor.strip()}",
            reference=reference,
            now=now,
            by=by,
        )
        return entry

    def reserve_for(
        self,
        *,
        guarantee_id: str,
        guarantee_number: str,
        reserve: Decimal,
        exposure: Decimal,
        on: date,
        now: datetime,
        by: str,
    ) -> JournalEntry:
        """Set aside a new guarantee's reserve, refusing if free capacity does not cover it."""
        self.ensure_capacity(reserve)
        entry = self._post(
            EntryKind.RESERVE,
            transfer(Account.CAPITAL, Account.RESERVES, reserve),
            on=on,
            description=f"Accantonamento per la garanzia {guarantee_number}",
            reference=guarantee_number,
            guarantee_id=guarantee_id,
            now=now,
            by=by,
        )
        self.exposure += exposure
        self.live_guarantees += 1
        return entry

    def release_for(
        self,
        *,
        guarantee_id: str,
        guarantee_number: str,
        reserve: Decimal,
        exposure: Decimal,
        on: date,
        now: datetime,
        by: str,
    ) -> JournalEntry | None:
        """A guarantee ended: its reserve returns to free capital."""
        entry = None
        if reserve > 0:
            entry = self._post(
                EntryKind.RELEASE,
                transfer(Account.RESERVES, Account.CAPITAL, reserve),
                on=on,
                description=f"Svincolo dell'accantonamento della garanzia {guarantee_number}",
                reference=guarantee_number,
                guarantee_id=guarantee_id,
                now=now,
                by=by,
            )
        self.exposure -= exposure
        self.live_guarantees -= 1
        return entry

    # -- internals ---------------------------------------------------------------------------

    def _post(
        self,
        kind: EntryKind,
        postings: tuple[object, ...],
        *,
        on: date,
        description: str,
        reference: str | None,
        now: datetime,
        by: str,
        guarantee_id: str | None = None,
    ) -> JournalEntry:
        entry = JournalEntry(
            fund_id=self.id,
            kind=kind,
            occurred_on=on,
            description=description,
            postings=postings,  # type: ignore[arg-type]
            recorded_at=now,
            recorded_by=by,
            reference=reference,
            guarantee_id=guarantee_id,
        )
        before = self._figures()
        for posting in entry.postings:
            self._apply(posting.account, posting.signed)
        self.new_entries.append(entry)
        self._record(kind.value, before, {**self._figures(), "entry_id": entry.id}, description)
        return entry

    def _apply(self, account: Account, signed: Decimal) -> None:
        if account is Account.CASH:
            self.balance += signed
        elif account is Account.RESERVES:
            self.reserved += signed
        elif account is Account.CONTRIBUTIONS:
            self.contributions += signed
        elif account is Account.CLAIMS_PAID:
            self.claims_paid += signed
        elif account is Account.RECOVERIES:
            self.recoveries += signed
        elif account is Account.WRITE_OFFS:
            self.write_offs += signed
        # capital mirrors reserves (the earmark pair) and needs no running total of its own

    def _figures(self) -> dict[str, str]:
        return {
            "balance": str(self.balance),
            "reserved": str(self.reserved),
            "exposure": str(self.exposure),
        }
