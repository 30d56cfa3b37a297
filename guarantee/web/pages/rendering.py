"""One Jinja2 environment for every page, with the Italian formats of the documents."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Response
from litestar.enums import MediaType

from guarantee.adapters.formatting import FILTERS, date_it
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.web.pages.sessions import csrf_token

ROME = ZoneInfo("Europe/Rome")


def day_it(value: date | datetime) -> str:
    """A date, or a moment told as the day it was in Italy: ``24 novembre 2026``."""
    if isinstance(value, datetime):
        value = value.astimezone(ROME).date()
    return date_it(value)


STATUS_LABELS = {
    "draft": "Bozza",
    "submitted": "Presentata",
    "eligible": "Ammissibile",
    "needs_review": "Da verificare",
    "ineligible": "Non ammissibile",
    "approved": "Approvata",
    "issued": "Emessa",
    "active": "In vigore",
    "suspended": "Sospesa",
    "expired": "Scaduta",
    "terminated": "Cessata",
    "cancelled": "Annullata",
    "exhausted": "Esaurita",
}
CLAIM_LABELS = {
    "submitted": "Ricevuta",
    "under_review": "In istruttoria",
    "awaiting_mediation": "In attesa della mediazione",
    "approved": "Accolta",
    "partially_approved": "Accolta in parte",
    "rejected": "Respinta",
    "paid": "Pagata",
    "in_recovery": "Pagata (recupero in corso)",
    "recovered": "Pagata (recuperata)",
    "written_off": "Pagata",
    "closed": "Chiusa",
}


@lru_cache(maxsize=4)
def environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir / "pages"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.filters["date_it"] = day_it
    env.globals.update(status_label=STATUS_LABELS, claim_label=CLAIM_LABELS)
    return env


def page(
    templates_dir: Path, template: str, *, status_code: int = 200, **context: Any
) -> Response[str]:
    html = environment(templates_dir).get_template(template).render(**context)
    return Response(
        html,
        media_type=MediaType.HTML,
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def render(
    system: System,
    template: str,
    *,
    actor: Actor | None = None,
    token: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response[str]:
    """A page of the portal or the back office: the fund's name, who is logged in, and the
    CSRF token its forms carry (derived from the session)."""
    return page(
        system.settings.templates_dir,
        template,
        status_code=status_code,
        fund_name=system.settings.fund_name,
        user=actor,
        csrf=csrf_token(token) if token else "",
        **context,
    )
