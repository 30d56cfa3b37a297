"""Letters snapshotted in the business transaction: the unit of work calls this for every event
it writes to the outbox, so what a letter says is what was true at the event."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from guarantee.domain.aggregate import DomainEvent
from guarantee.domain.calendar import WorkingCalendar
from guarantee.read.letter_catalogue import COMPOSERS, compose
from guarantee.read.letters import (
    Event,
    FundContacts,
    LetterEnv,
    MissingSetting,
    letters_to_json,
)
from guarantee.services.ports import Clock, ProductCatalog
from guarantee.settings import Settings

log = structlog.get_logger(__name__)


class LetterSnapshots:
    def __init__(
        self,
        products: ProductCatalog,
        settings: Settings,
        calendar: WorkingCalendar,
        clock: Clock,
    ) -> None:
        self.products = products
        self.rules_dir = settings.rules_dir
        self.fund = FundContacts(
            iban=settings.fund_iban,
            email=settings.fund_email,
            phone=settings.fund_phone,
            signatory_name=settings.signatory_name,
            signatory_role=settings.signatory_role,
        )
        self.calendar = calendar
        self.clock = clock
        self.base_url = settings.base_url.rstrip("/")

    def env(self) -> LetterEnv:
        return LetterEnv(
            self.products,
            self.rules_dir,
            self.fund,
            self.calendar,
            self.clock.today(),
            self.base_url,
        )

    def take(self, conn: Connection, event: Event) -> list[dict[str, Any]] | None:
        """The event's letters as JSON; None for a silent or unknown event (the job reports an
        unknown one) or if composing failed: then the job composes them and says so."""
        if event.topic not in COMPOSERS:
            return None
        try:
            letters = compose(conn, event, self.env())
        except MissingSetting as exc:
            log.warning("letter waits for a setting", topic=event.topic, missing=str(exc))
            return None
        except DBAPIError:
            # The database refused something: on PostgreSQL the transaction is aborted and
            # cannot commit, and on a pipelined commit the refusal may be an earlier append's
            # (guarantee.adapters.db.pipeline). The business change fails with that error.
            raise
        except Exception:
            # Never block the business change over a letter that cannot be composed (a
            # template, a missing fact): composers only read, so the transaction is intact;
            # the job composes from live data and the log says why.
            log.exception("letter snapshot failed; the job will compose it", topic=event.topic)
            return None
        return letters_to_json(letters) if letters else None

    def __call__(self, conn: Connection, event: DomainEvent) -> list[dict[str, Any]] | None:
        return self.take(
            conn, Event(event.name, event.entity_type, event.entity_id, dict(event.data))
        )
