"""What happens after an event: the documents it produces and the notices it sends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import structlog
from sqlalchemy import Engine, select, update

from guarantee.adapters.db import tables
from guarantee.adapters.mailer import Mailer
from guarantee.adapters.storage import FileStore
from guarantee.bootstrap import System
from guarantee.domain.documents import DocumentKind
from guarantee.domain.formats import date_it
from guarantee.jobs import claim_contexts, contexts
from guarantee.jobs.archive import DocumentArchive
from guarantee.jobs.notices import queue_mail, send_mail

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 10


class Reactions:
    def __init__(
        self, system: System, archive: DocumentArchive, store: FileStore, mailer: Mailer
    ) -> None:
        self.system = system
        self.engine: Engine = system.engine
        self.archive = archive
        self.store = store
        self.mailer = mailer
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "guarantee_issued": self._guarantee_issued,
            "eligibility_recorded": self._eligibility_recorded,
            "expiry_reminder_due": self._expiry_reminder_due,
            "claim_submitted": self._claim_submitted,
            "claim_decided": self._claim_decided,
            "claim_paid": self._claim_paid,
            "recovery_plan_created": self._recovery_plan_created,
            "mediation_meeting_scheduled": self._meeting_scheduled,
            "claim_withdrawn": self._claim_withdrawn,
            "claim_decision_revoked": self._decision_revoked,
            "guarantee_exhausted": self._guarantee_exhausted,
            "account_invited": self._account_link,
            "password_reset_requested": self._account_link,
        }

    def handle(self, outbox_id: str) -> None:
        """Handle one outbox event; idempotent, so a redelivered message changes nothing."""
        o = tables.outbox.c
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(tables.outbox).where(o.id == outbox_id))
                .mappings()
                .one_or_none()
            )
        if row is None or row["status"] == "done":
            return
        handler = self.handlers.get(row["topic"])
        try:
            if handler is not None:
                handler(dict(row))
        except Exception as exc:
            self._failed(outbox_id, row["attempts"], exc)
            raise
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.outbox)
                .where(o.id == outbox_id)
                .values(status="done", done_at=self._now(), last_error=None)
            )

    # -- reactions ---------------------------------------------------------------------------

    def _guarantee_issued(self, event: dict[str, Any]) -> None:
        guarantee_id = event["entity_id"]
        product = self._product_of(guarantee_id)
        today, rules_dir = self.system.deps.clock.today(), self.system.settings.rules_dir
        with self.engine.connect() as conn:
            contract = contexts.contract_context(conn, guarantee_id, product, rules_dir, today)
            certificate = contexts.certificate_context(
                conn, guarantee_id, product, rules_dir, today
            )
        documents = [
            self.archive.create(
                DocumentKind.GUARANTEE_CONTRACT,
                contract,
                by=event["actor_id"],
                guarantee_id=guarantee_id,
                source_event_id=event["id"],
            ),
            self.archive.create(
                DocumentKind.CERTIFICATE,
                certificate,
                by=event["actor_id"],
                guarantee_id=guarantee_id,
                source_event_id=event["id"],
            ),
        ]
        self._notify_landlord(
            event,
            guarantee_id,
            subject="Garanzia {number} emessa",
            body=(
                "Gentile {name},\n\nla garanzia {number} è stata emessa. In allegato il "
                "contratto di garanzia e il certificato, verificabile online con il codice "
                "riportato.\n\nFondo Garanzia Casa"
            ),
            documents=documents,
        )

    def _eligibility_recorded(self, event: dict[str, Any]) -> None:
        guarantee_id = event["entity_id"]
        with self.engine.connect() as conn:
            context = contexts.eligibility_context(
                conn, guarantee_id, self.system.deps.clock.today()
            )
        self.archive.create(
            DocumentKind.ELIGIBILITY_OUTCOME,
            context,
            by=event["actor_id"],
            guarantee_id=guarantee_id,
            source_event_id=event["id"],
        )

    def _expiry_reminder_due(self, event: dict[str, Any]) -> None:
        guarantee_id = event["entity_id"]
        product = self._product_of(guarantee_id)
        today, rules_dir = self.system.deps.clock.today(), self.system.settings.rules_dir
        with self.engine.connect() as conn:
            context = contexts.expiry_reminder_context(
                conn, guarantee_id, product, rules_dir, today
            )
        self._letter_to_landlord(
            event,
            guarantee_id,
            DocumentKind.EXPIRY_REMINDER,
            context,
            subject="La garanzia {number} scade tra 60 giorni",
            body=(
                "Gentile {name},\n\nle ricordiamo che la garanzia {number} è in scadenza. "
                "In allegato il promemoria con le date utili.\n\nFondo Garanzia Casa"
            ),
        )

    def _claim_submitted(self, event: dict[str, Any]) -> None:
        guarantee_id = event["payload"]["guarantee_id"]
        with self.engine.connect() as conn:
            context = claim_contexts.claim_acknowledgement_context(
                conn, event["entity_id"], self._today()
            )
        self._letter_to_landlord(
            event,
            guarantee_id,
            DocumentKind.CLAIM_ACKNOWLEDGEMENT,
            context,
            subject="Ricevuta della richiesta di escussione {claim}",
            body="Gentile {name},\n\nabbiamo ricevuto la sua richiesta {claim} sulla garanzia "
            "{number}. In allegato la ricevuta.\n\nFondo Garanzia Casa",
            claim=context["claim"]["number"],
        )

    def _claim_decided(self, event: dict[str, Any]) -> None:
        guarantee_id = event["payload"]["guarantee_id"]
        product = self._product_of(guarantee_id)
        with self.engine.connect() as conn:
            context = claim_contexts.claim_decision_context(
                conn, event["entity_id"], event["payload"]["status"], product, self._today()
            )
        self._letter_to_landlord(
            event,
            guarantee_id,
            DocumentKind.CLAIM_DECISION,
            context,
            subject="Decisione sulla richiesta {claim}",
            body="Gentile {name},\n\nin allegato la decisione del Fondo sulla richiesta {claim} "
            "(garanzia {number}), con le motivazioni.\n\nFondo Garanzia Casa",
            claim=context["claim"]["number"],
        )

    def _claim_paid(self, event: dict[str, Any]) -> None:
        guarantee_id = event["payload"]["guarantee_id"]
        protocol, decided_on = self._latest_decision(guarantee_id)
        with self.engine.connect() as conn:
            context = claim_contexts.payment_notice_context(
                conn, event["entity_id"], protocol, decided_on, self._today()
            )
        self._letter_to_landlord(
            event,
            guarantee_id,
            DocumentKind.PAYMENT_NOTICE,
            context,
            subject="Avviso di pagamento {claim}",
            body="Gentile {name},\n\nil Fondo ha disposto il pagamento per la richiesta {claim} "
            "(garanzia {number}). In allegato l'avviso.\n\nFondo Garanzia Casa",
            claim=context["claim_number"],
        )

    def _recovery_plan_created(self, event: dict[str, Any]) -> None:
        settings = self.system.settings
        with self.engine.connect() as conn:
            context = claim_contexts.repayment_plan_context(
                conn,
                event["entity_id"],
                settings.fund_iban or "da comunicare",
                settings.rules_dir,
                self._today(),
            )
        # The plan is for the tenant, who has no address on file: archived for the fund and
        # the social services that accompany the household.
        self.archive.create(
            DocumentKind.REPAYMENT_PLAN,
            context,
            by=event["actor_id"],
            guarantee_id=event["payload"]["guarantee_id"],
            source_event_id=event["id"],
        )

    def _meeting_scheduled(self, event: dict[str, Any]) -> None:
        guarantee_id = event["payload"]["guarantee_id"]
        with self.engine.connect() as conn:
            context = claim_contexts.convocation_context(
                conn, event["entity_id"], event["payload"]["meeting_id"], self._today()
            )
        self._letter_to_landlord(
            event,
            guarantee_id,
            DocumentKind.MEDIATION_CONVOCATION,
            context,
            subject="Convocazione all'incontro di mediazione {claim}",
            body="Gentile {name},\n\nla invitiamo all'incontro di mediazione per la pratica "
            "{claim} (garanzia {number}). In allegato la convocazione.\n\nFondo Garanzia Casa",
            claim=context["case"]["number"],
        )

    def _claim_withdrawn(self, event: dict[str, Any]) -> None:
        reason = event["payload"]["reason"]
        self._notice(
            event,
            event["payload"]["guarantee_id"],
            "Richiesta di escussione n. {claim} ritirata",
            [
                f"Prendiamo atto che il {date_it(self._today())} la richiesta di escussione "
                f"n. {{claim}} è stata ritirata, con la motivazione: {reason}.",
                "La richiesta è chiusa senza pagamenti. Gli importi eventualmente riconosciuti "
                "e non pagati tornano disponibili sui massimali della garanzia.",
            ],
        )

    def _decision_revoked(self, event: dict[str, Any]) -> None:
        reason = event["payload"]["reason"]
        self._notice(
            event,
            event["payload"]["guarantee_id"],
            "Richiesta di escussione n. {claim}: decisione revocata",
            [
                "Le comunichiamo che il Fondo ha revocato la decisione sulla richiesta di "
                f"escussione n. {{claim}}, che non era ancora stata pagata. Motivo: {reason}.",
                "La richiesta torna in istruttoria e sarà decisa di nuovo: riceverà la nuova "
                "decisione con le motivazioni. Nessun pagamento sarà disposto prima di allora.",
            ],
        )

    def _guarantee_exhausted(self, event: dict[str, Any]) -> None:
        self._notice(
            event,
            event["entity_id"],
            "Massimale esaurito",
            [
                "Con i pagamenti disposti il Fondo ha corrisposto l'intero massimale della "
                "garanzia in oggetto, che è pertanto esaurita e cessa di produrre effetti.",
                "Per eventuali nuove morosità o danni non potranno essere disposti ulteriori "
                "pagamenti a valere su questa garanzia.",
            ],
        )

    def _account_link(self, event: dict[str, Any]) -> None:
        """The link to choose a password, to the account's own address. The token is in the
        event only until the mail is stored: then the outbox row forgets it."""
        payload = dict(event["payload"])
        token = payload.get("token")
        if not token or not payload.get("email"):
            return
        invited = event["topic"] == "account_invited"
        link = f"{self.system.settings.base_url}/portal/password?token={token}"
        hours = "7 giorni" if invited else "un'ora"
        subject = "Il suo account Garanzia Casa" if invited else "Reimpostare la password"
        opening = (
            f"è stato aperto per lei l'account «{payload['username']}» di Garanzia Casa."
            if invited
            else f"è stato chiesto di reimpostare la password dell'account «{payload['username']}»."
        )
        body = (
            f"Gentile utente,\n\n{opening}\nPer scegliere la password apra questo collegamento "
            f"(valido {hours}, una sola volta):\n\n{link}\n\nSe non ne sa nulla, ignori questo "
            "messaggio e avvisi il Fondo.\n\nFondo Garanzia Casa"
        )
        now = self._now()
        with self.engine.begin() as conn:
            mail_id = queue_mail(
                conn,
                outbox_id=event["id"],
                to_address=payload["email"],
                subject=subject,
                body_text=body,
                document_ids=[],
                now=now,
            )
            # The secret has reached the mail; it need not stay in the outbox.
            conn.execute(
                update(tables.outbox)
                .where(tables.outbox.c.id == event["id"])
                .values(payload={**payload, "token": "inviato"})
            )
        send_mail(
            self.engine, self.store, self.mailer, mail_id, self.system.settings.mail_from, now
        )
        # Once sent, the stored copy of the mail keeps no usable link either.
        mails = tables.outgoing_mails.c
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.outgoing_mails)
                .where(mails.id == mail_id, mails.status == "sent")
                .values(body_text=body.replace(token, "…"))
            )

    def _notice(
        self, event: dict[str, Any], guarantee_id: str, subject: str, paragraphs: list[str]
    ) -> None:
        product = self._product_of(guarantee_id)
        with self.engine.connect() as conn:
            claim = (
                claim_contexts.claim_number_of(conn, event["entity_id"])
                if event["entity_type"] == "claim"
                else ""
            )
            context = claim_contexts.guarantee_notice_context(
                conn,
                guarantee_id,
                subject.replace("{claim}", claim),
                [p.replace("{claim}", claim) for p in paragraphs],
                product,
                self._today(),
            )
        self._letter_to_landlord(
            event,
            guarantee_id,
            DocumentKind.GUARANTEE_NOTICE,
            context,
            subject="Garanzia {number}: " + context["subject"],
            # Typed reasons may hold braces: they must not reach str.format below.
            body="Gentile {name},\n\n"
            + "\n\n".join(p.replace("{", "{{").replace("}", "}}") for p in context["paragraphs"])
            + "\n\nIn allegato la comunicazione.\n\nFondo Garanzia Casa",
        )

    # -- helpers -----------------------------------------------------------------------------

    def _notify_landlord(
        self,
        event: dict[str, Any],
        guarantee_id: str,
        *,
        subject: str,
        body: str,
        documents: list[str],
    ) -> None:
        now = self._now()
        with self.engine.begin() as conn:
            email, name, number = contexts.landlord_email(conn, guarantee_id)
            mail_id = queue_mail(
                conn,
                outbox_id=event["id"],
                to_address=email,
                subject=subject.format(number=number, name=name),
                body_text=body.format(number=number, name=name),
                document_ids=documents,
                now=now,
            )
        send_mail(
            self.engine, self.store, self.mailer, mail_id, self.system.settings.mail_from, now
        )

    def _letter_to_landlord(
        self,
        event: dict[str, Any],
        guarantee_id: str,
        kind: DocumentKind,
        context: dict[str, Any],
        *,
        subject: str,
        body: str,
        claim: str = "",
    ) -> None:
        document = self.archive.create(
            kind,
            context,
            by=event["actor_id"],
            guarantee_id=guarantee_id,
            source_event_id=event["id"],
        )
        self._notify_landlord(
            event,
            guarantee_id,
            subject=subject.replace("{claim}", claim),
            body=body.replace("{claim}", claim),
            documents=[document],
        )

    def _latest_decision(self, guarantee_id: str) -> tuple[str, date]:
        d = tables.documents.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(d.protocol_year, d.protocol_sequence, d.created_at)
                .where(d.guarantee_id == guarantee_id, d.kind == DocumentKind.CLAIM_DECISION.value)
                .order_by(d.created_at.desc(), d.protocol_sequence.desc())
                .limit(1)
            ).one_or_none()
        if row is None:
            return "non ancora protocollata", self._today()
        return f"{row.protocol_year}/{row.protocol_sequence:06d}", row.created_at.date()

    def _today(self) -> date:
        return self.system.deps.clock.today()

    def _product_of(self, guarantee_id: str) -> Any:
        g = tables.guarantees.c
        with self.engine.connect() as conn:
            code, version = conn.execute(
                select(g.product_code, g.product_version).where(g.id == guarantee_id)
            ).one()
        return self.system.deps.products.get(code, version).product

    def _failed(self, outbox_id: str, attempts: int, exc: Exception) -> None:
        o = tables.outbox.c
        status = "failed" if attempts + 1 >= MAX_ATTEMPTS else "dispatched"
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.outbox)
                .where(o.id == outbox_id)
                .values(status=status, last_error=f"{type(exc).__name__}: {exc}"[:2000])
            )
        log.warning("outbox event failed", outbox_id=outbox_id, error=str(exc), status=status)

    def _now(self) -> datetime:
        return self.system.deps.clock.now()
