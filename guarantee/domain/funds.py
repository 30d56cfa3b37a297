"""The fund (fondo di garanzia): its running balances and the rule that it never overcommits.

Business events (the postings of each are in ``guarantee.domain.ledger``): contributions,
reserving for and releasing a guarantee, paying a claim (which also lowers the guarantee's
reserve to what is still at risk), recoveries from the tenant and write-offs. Each returns
its journal entry; new entries and the day totals they change wait in ``new_entries`` and
``new_day_totals`` until the unit of work writes them in the same transaction as the fund.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import (
    BooksOutOfBalance,
    DomainError,
    InsufficientCapacity,
    InvalidField,
)
from guarantee.domain.formats import amount_it
from guarantee.domain.fund_figures import DayTotals, Figures
from guarantee.domain.ledger import Account, EntryKind, JournalEntry, Posting, transfer
from guarantee.domain.money import ZERO, money, percent_of


def reserve_at_risk(maximum_exposure: Decimal, paid: Decimal, reserve_ratio: Decimal) -> Decimal:
    """ratio × (maximum exposure − paid so far), half-up to the cent, never below zero.

    Recoveries do not enter: money back from the tenant does not restore cover (SPEC §3).
    """
    return percent_of(max(maximum_exposure - paid, ZERO), reserve_ratio)


class Fund(Aggregate):
    """Keeps running balances next to the entries so figures never scan the whole ledger."""

    entity_type = "fund"

    def __init__(
        self,
        *,
        name: str,
        territory: str,
        created_at: datetime,
        id: str | None = None,
        scheme: str = "garanzia-casa",
    ) -> None:
        self.id = id or str(uuid.uuid4())
        if not name.strip():
            raise InvalidField("name", "campo obbligatorio")
        self.name = name.strip()
        self.territory = territory
        # The scheme (misura) whose rules this fund applies: it backs only applications
        # evaluated under that scheme.
        self.scheme = scheme
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
    def figures(self) -> Figures:
        return Figures(
            balance=self.balance,
            reserved=self.reserved,
            exposure=self.exposure,
            contributions=self.contributions,
            claims_paid=self.claims_paid,
            recoveries=self.recoveries,
            write_offs=self.write_offs,
            live_guarantees=self.live_guarantees,
        )

    # ORM loading bypasses __init__, hence the lazily created lists.
    @property
    def new_entries(self) -> list[JournalEntry]:
        try:
            return self._new_entries
        except AttributeError:
            self._new_entries: list[JournalEntry] = []
            return self._new_entries

    @property
    def new_day_totals(self) -> dict[date, DayTotals]:
        """Deltas per day of the changes not yet written (the unit of work drains them)."""
        try:
            return self._new_day_totals
        except AttributeError:
            self._new_day_totals: dict[date, DayTotals] = {}
            return self._new_day_totals

    def ensure_books_agree(self, days: DayTotals) -> None:
        """Refuse to trust running balances that the day totals (written in the same
        transactions as the entries) do not confirm: a plain UPDATE of the fund row would
        otherwise let it promise money the ledger does not hold."""
        if Figures.from_totals(days) != self.figures:
            raise BooksOutOfBalance(self.name)

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
            description=_fit(f"Contributo di {donor.strip()}"),
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
        self._count(on, exposure=exposure, live=1)
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
        """A guarantee ended: its reserve returns to free capital, and what was still at risk
        (``exposure``: maximum exposure − paid) leaves the fund's exposure."""
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
        self._count(on, exposure=-exposure, live=-1)
        return entry

    def adjust_reserve_for(
        self,
        *,
        guarantee_id: str,
        guarantee_number: str,
        reserve_before: Decimal,
        reserve_after: Decimal,
        exposure_change: Decimal,
        on: date,
        now: datetime,
        by: str,
    ) -> JournalEntry | None:
        """A renewed guarantee's reserve follows its new exposure, in one balanced entry: more
        is taken from free capacity (refused, with nothing changed, if there is not enough),
        less goes back to it. No entry when the reserve does not change."""
        delta = money(reserve_after) - money(reserve_before)
        entry = None
        if delta > 0:
            self.ensure_capacity(delta)
            entry = self._post(
                EntryKind.RESERVE,
                transfer(Account.CAPITAL, Account.RESERVES, delta),
                on=on,
                description=f"Adeguamento dell'accantonamento per il rinnovo della garanzia "
                f"{guarantee_number}",
                reference=guarantee_number,
                guarantee_id=guarantee_id,
                now=now,
                by=by,
            )
        elif delta < 0:
            entry = self._post(
                EntryKind.RELEASE,
                transfer(Account.RESERVES, Account.CAPITAL, -delta),
                on=on,
                description=f"Svincolo parziale dell'accantonamento per il rinnovo della "
                f"garanzia {guarantee_number}",
                reference=guarantee_number,
                guarantee_id=guarantee_id,
                now=now,
                by=by,
            )
        self._count(on, exposure=exposure_change)
        return entry

    def pay_claim(
        self,
        *,
        guarantee_id: str,
        guarantee_number: str,
        amount: Decimal,
        maximum_exposure: Decimal,
        paid_before: Decimal,
        reserve_before: Decimal,
        reserve_ratio: Decimal,
        live: bool,
        on: date,
        now: datetime,
        by: str,
        reference: str | None = None,
    ) -> JournalEntry:
        """Pay a claim on a guarantee: money out, and in the same entry its reserve follows
        what is still at risk (ratio × (maximum exposure − paid so far)).

        The reserve never grows on a payment, so a guarantee that already ended (reserve
        released) stays at zero; only a live guarantee's payment lowers the fund's exposure.
        Refused if the payment exceeds the cover left, or if afterwards the fund would no
        longer cover every reserve still standing (balance − payment ≥ reserved − released).
        """
        value = _exact("amount", amount)
        remaining = maximum_exposure - paid_before
        if value > remaining:
            raise DomainError(
                f"il pagamento di {amount_it(value)} € supera la copertura residua della "
                f"garanzia {guarantee_number} ({amount_it(max(remaining, ZERO))} €)",
                code="above_remaining_cover",
            )
        target = reserve_at_risk(maximum_exposure, paid_before + value, reserve_ratio)
        reserve_after = min(reserve_before, target) if live else ZERO
        released = reserve_before - reserve_after
        still_reserved = self.reserved - released
        if self.balance - value < still_reserved:
            raise InsufficientCapacity(amount_it(value), amount_it(self.balance - still_reserved))
        postings = transfer(Account.CLAIMS_PAID, Account.CASH, value)
        if released > 0:
            postings += transfer(Account.RESERVES, Account.CAPITAL, released)
        # Paying gives the fund its right of recourse against the tenant: open it (memo pair).
        postings += transfer(Account.RECOVERIES_RECEIVABLE, Account.RECOVERABLE_CLAIMS, value)
        entry = self._post(
            EntryKind.CLAIM_PAYMENT,
            postings,
            on=on,
            description=f"Pagamento sinistro sulla garanzia {guarantee_number}",
            reference=reference or guarantee_number,
            guarantee_id=guarantee_id,
            now=now,
            by=by,
        )
        if live:
            self._count(on, exposure=-value)
        return entry

    def record_recovery(
        self,
        *,
        guarantee_id: str,
        guarantee_number: str,
        amount: Decimal,
        outstanding: Decimal,
        on: date,
        reference: str,
        now: datetime,
        by: str,
    ) -> JournalEntry:
        """Money back from the tenant (rivalsa): cash in, and the tenant's debt shrinks.

        ``outstanding`` is what the tenant still owes on this guarantee. Cover and reserve
        stay as they are: recovered money does not restore them.
        """
        value = _exact("amount", amount)
        if value > outstanding:
            raise InvalidField(
                "amount",
                f"il recupero di {amount_it(value)} € supera quanto ancora dovuto sulla "
                f"garanzia {guarantee_number} ({amount_it(outstanding)} €)",
            )
        return self._post(
            EntryKind.RECOVERY,
            transfer(Account.CASH, Account.RECOVERIES, value)
            + transfer(Account.RECOVERABLE_CLAIMS, Account.RECOVERIES_RECEIVABLE, value),
            on=on,
            description=f"Recupero (rivalsa) sulla garanzia {guarantee_number}",
            reference=reference,
            guarantee_id=guarantee_id,
            now=now,
            by=by,
        )

    def write_off(
        self,
        *,
        guarantee_id: str,
        guarantee_number: str,
        amount: Decimal,
        outstanding: Decimal,
        reason: str,
        on: date,
        now: datetime,
        by: str,
    ) -> JournalEntry:
        """Give up what will not come back: close that part of the tenant's debt (no cash)."""
        value = _exact("amount", amount)
        if not reason.strip():
            raise InvalidField("reason", "lo stralcio richiede una motivazione")
        if value > outstanding:
            raise InvalidField(
                "amount",
                f"lo stralcio di {amount_it(value)} € supera quanto ancora dovuto sulla "
                f"garanzia {guarantee_number} ({amount_it(outstanding)} €)",
            )
        return self._post(
            EntryKind.WRITE_OFF,
            transfer(Account.WRITE_OFFS, Account.RECOVERIES_RECEIVABLE, value),
            on=on,
            description=_fit(
                f"Stralcio del credito di rivalsa sulla garanzia {guarantee_number}: "
                f"{reason.strip()}"
            ),
            reference=guarantee_number,
            guarantee_id=guarantee_id,
            now=now,
            by=by,
            reason=reason.strip(),
        )

    # -- internals ---------------------------------------------------------------------------

    def _post(
        self,
        kind: EntryKind,
        postings: tuple[Posting, ...],
        *,
        on: date,
        description: str,
        reference: str | None,
        now: datetime,
        by: str,
        guarantee_id: str | None = None,
        reason: str | None = None,
    ) -> JournalEntry:
        entry = JournalEntry(
            fund_id=self.id,
            kind=kind,
            occurred_on=on,
            description=description,
            postings=postings,
            recorded_at=now,
            recorded_by=by,
            reference=reference,
            guarantee_id=guarantee_id,
        )
        before = self._figures()
        day = self._day(on)
        for posting in entry.postings:
            self._apply(posting.account, posting.signed)
            day.accounts[posting.account] += posting.signed
        day.entries += 1
        self.new_entries.append(entry)
        after = {**self._figures(), "entry_id": entry.id}
        self._record(kind.value, before, after, reason or description)
        return entry

    def _count(self, on: date, *, exposure: Decimal = ZERO, live: int = 0) -> None:
        """Statistics that are not postings: exposure still at risk and live guarantees."""
        self.exposure += exposure
        self.live_guarantees += live
        day = self._day(on)
        day.exposure += exposure
        day.live_guarantees += live

    def _day(self, on: date) -> DayTotals:
        return self.new_day_totals.setdefault(on, DayTotals(on))

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
        # capital mirrors reserves (the earmark pair), and the tenants' debt is a memo pair:
        # neither needs a running total on the fund row; the day totals keep every account.

    def _figures(self) -> dict[str, str]:
        return {
            "balance": str(self.balance),
            "reserved": str(self.reserved),
            "exposure": str(self.exposure),
        }


def _fit(description: str, limit: int = 300) -> str:
    """A description the ledger can hold; the audit record keeps the full reason."""
    return description if len(description) <= limit else description[: limit - 1] + "…"


def _exact(name: str, amount: Decimal) -> Decimal:
    """A positive amount in whole cents: money out or in is never silently rounded."""
    if isinstance(amount, float) or money(amount) != amount:
        raise InvalidField(name, f"importo non valido: {amount}")
    if amount <= 0:
        raise InvalidField(name, "l'importo deve essere positivo")
    return money(amount)
