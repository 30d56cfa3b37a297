"""The fund's figures, ledger and contributions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, Parameter
from litestar.response import Stream
from litestar.status_codes import HTTP_201_CREATED

from guarantee.domain.ledger import Account
from guarantee.read import funds as read
from guarantee.read.access import rows_of
from guarantee.read.ledger_csv import ledger_csv_chunks
from guarantee.services import commands as c
from guarantee.web.deps import ActorDep, ConnectionDep, DbDep, SystemDep
from guarantee.web.schemas import (
    ContributionIn,
    EntryOut,
    FundIn,
    FundOut,
    LedgerLineOut,
    Page,
    page_of,
)

PageNumber = Annotated[int, Parameter(ge=1, le=100_000)]
PageSize = Annotated[int, Parameter(ge=1, le=1000)]


class FundController(Controller):
    path = "/api/v1/funds"
    tags = ("funds",)

    @get("/", sync_to_thread=True)
    def list_funds(self, conn: ConnectionDep, actor: ActorDep) -> list[FundOut]:
        rows_of(actor).require_staff("i conti del fondo")
        return [FundOut.model_validate(f) for f in read.list_funds(conn)]

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create_fund(
        self, data: JSONBody[FundIn], system: SystemDep, actor: ActorDep, db: DbDep
    ) -> FundOut:
        fund = system.bus.handle(
            c.CreateFund(name=data.name, territory=data.territory, scheme=data.scheme), actor
        )
        with db.reading() as conn:
            found = read.fund_figures(conn, fund.id)
        return FundOut.model_validate(found)

    @get("/{fund_id:str}", sync_to_thread=True)
    def fund_figures(
        self, fund_id: str, conn: ConnectionDep, actor: ActorDep, as_of: date | None = None
    ) -> FundOut:
        """The fund's figures now, or at the end of the day ``as_of`` (YYYY-MM-DD)."""
        rows_of(actor).require_staff("i conti del fondo")
        figures = read.fund_figures(conn, fund_id, as_of)
        agree = as_of is not None or read.books_agree(conn, fund_id)
        return FundOut.model_validate({**figures, "books_agree": agree})

    @post("/{fund_id:str}/contributions", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def record_contribution(
        self, fund_id: str, data: JSONBody[ContributionIn], system: SystemDep, actor: ActorDep
    ) -> EntryOut:
        entry = system.bus.handle(
            c.RecordContribution(
                fund_id=fund_id,
                amount=data.amount,
                donor=data.donor,
                on=data.on,
                reference=data.reference,
            ),
            actor,
        )
        return EntryOut(
            id=entry.id,
            fund_id=entry.fund_id,
            kind=entry.kind.value,
            occurred_on=entry.occurred_on,
            description=entry.description,
            reference=entry.reference,
            amount=entry.amount,
        )

    @get("/{fund_id:str}/ledger", sync_to_thread=True)
    def ledger(
        self,
        fund_id: str,
        conn: ConnectionDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        date_from: date | None = None,
        date_to: date | None = None,
        account: Account | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 100,
        after: str | None = None,
    ) -> Page[LedgerLineOut]:
        rows_of(actor).require_staff("i conti del fondo")
        read.fund_figures(conn, fund_id)  # 404 for an unknown fund, not an empty page
        found = read.ledger_page(
            conn,
            fund_id,
            date_from=date_from,
            date_to=date_to,
            account=account.value if account else None,
            page=page,
            page_size=page_size,
            after=after,
        )
        return page_of(found, LedgerLineOut, request)

    @get("/{fund_id:str}/ledger.csv", sync_to_thread=True)
    def ledger_csv(
        self,
        fund_id: str,
        system: SystemDep,
        conn: ConnectionDep,
        actor: ActorDep,
        date_from: date | None = None,
        date_to: date | None = None,
        account: Account | None = None,
    ) -> Stream:
        """The ledger as CSV for a spreadsheet (`;`, decimal comma, UTF-8 with BOM), streamed."""
        rows_of(actor).require_staff("i conti del fondo")
        read.fund_figures(conn, fund_id)  # 404 before any byte is sent
        agree = read.books_agree(conn, fund_id)

        def chunks() -> Iterator[str]:
            # Its own connection: the stream outlives the request's dependencies.
            with system.engine.connect() as own:
                lines = read.ledger_lines(
                    own.execution_options(readonly=True),
                    fund_id,
                    date_from=date_from,
                    date_to=date_to,
                    account=account.value if account else None,
                )
                yield from ledger_csv_chunks(lines)

        return Stream(
            chunks,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="libro-giornale-{fund_id}.csv"',
                # A spreadsheet row would break the file's shape; the warning travels beside it.
                "X-Garanzia-Books-Agree": "true" if agree else "false",
            },
        )
