"""The rule-change impact page: a fund manager picks a draft rule set and sees, in Italian,
which open applications would change outcome, because of which rule, and what it would do
to the fund (reserve taken or freed, free capacity after); the same table as
`garanzia rules impact`, downloadable as CSV. It changes nothing, so it is only GETs.

Drafts are the rule-set files in ``<rules>/drafts/`` (GARANZIA_RULES_DIR): a draft is
written there, looked at here, and moved to ``eligibility/`` when decided. Only fund
managers see the page; to anyone else it does not exist (404), as the back office does.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Redirect

from guarantee.adapters.data_files import DataFileError, DataFiles
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.domain.errors import DomainError
from guarantee.read.eligibility import free_capacity, open_applications
from guarantee.services import eligibility
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages.backoffice import NotLoggedIn, NotStaff, _not_found, _refused, _staff
from guarantee.web.pages.rendering import render
from guarantee.web.request_db import RequestDb

MANAGERS = frozenset({Role.FUND_MANAGER})
# The page shows this many changes; the CSV has them all.
SHOWN = 500


def draft_files(rules_dir: Path) -> dict[str, Path]:
    """Draft name (the file name without .yaml) → file, in name order."""
    folder = rules_dir / "drafts"
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


class ImpactController(Controller):
    path = "/backoffice/impatto-regole"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def impact_page(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        bozza: str | None = None,
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, MANAGERS)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        drafts = draft_files(system.settings.rules_dir)
        if bozza is not None and bozza not in drafts:
            return _not_found(system)
        money: eligibility.ImpactInMoney | None = None
        problems: list[str] = []
        if bozza is not None:
            try:
                money = _impact(system, db, drafts[bozza])
            except DataFileError as exc:
                problems = [str(problem) for problem in exc.problems]
            except DomainError as exc:
                problems = [exc.message]
        rows = money.rows() if money else []
        return render(
            system,
            "backoffice/impact.html.j2",
            actor=actor,
            token=token,
            drafts=list(drafts),
            chosen=bozza,
            money=money,
            rows=rows[:SHOWN],
            hidden=max(0, len(rows) - SHOWN),
            problems=problems,
        )

    @get("/csv", sync_to_thread=True)
    def impact_csv(
        self, request: Request[Any, Any, Any], system: SystemDep, db: DbDep, bozza: str
    ) -> Response[Any]:
        try:
            _staff(request, system, db, MANAGERS)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        drafts = draft_files(system.settings.rules_dir)
        if bozza not in drafts:
            return _not_found(system)
        try:
            money = _impact(system, db, drafts[bozza])
        except (DataFileError, DomainError):
            # The page explains what is wrong with the draft; the download has nothing to give.
            return Redirect(path=f"/backoffice/impatto-regole/?bozza={bozza}", status_code=303)
        return Response(
            eligibility.IMPACT_CSV_BOM + money.csv_text(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="impatto-{bozza}.csv"',
                "Cache-Control": "no-store",
            },
        )


def _impact(system: System, db: RequestDb, draft: Path) -> eligibility.ImpactInMoney:
    with db.reading() as conn:
        return eligibility.impact_in_money(
            draft,
            system.settings.rules_dir,
            open_applications(conn, system.deps.products),
            DataFiles(),
            on=system.deps.clock.today(),
            free_capacity=partial(free_capacity, conn),
        )
