"""The letters of each step, with the document the step produces (contract and certificate,
outcome, reminder, claim acknowledgement and decision, payment notice, convocation, repayment
plan). Composed in the business transaction: see ``letter_catalogue``."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.documents import DocumentKind
from guarantee.domain.formats import euro_it, with_article
from guarantee.domain.products import Product
from guarantee.read import claim_letter_contexts as claims
from guarantee.read import letter_contexts as contexts
from guarantee.read.letters import (
    Addressee,
    Enclosure,
    Event,
    Letter,
    LetterEnv,
    MissingSetting,
)

L, H = Addressee.LANDLORD, Addressee.HOUSEHOLD

# Marks the payment notice's reference to its decision letter, whose protocol number may not
# exist yet at the payment: the job fills it in (and waits for it) when it archives the notice.
DECISION_OF_CLAIM = "decision-of-claim:"


def product_of(conn: Connection, guarantee_id: str, env: LetterEnv) -> Product:
    g = tables.guarantees.c
    code, version = conn.execute(
        select(g.product_code, g.product_version).where(g.id == guarantee_id)
    ).one()
    return env.products.get(code, version).product


def euro_text(amount: Decimal | str) -> str:
    return euro_it(Decimal(amount))


def guarantee_issued(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    # One read of the guarantee for both enclosures (this runs inside the issuing transaction).
    row = contexts.guarantee_row(conn, e.entity_id)
    product = env.products.get(row["product_code"], row["product_version"]).product
    args = (conn, e.entity_id, product, env.rules_dir, env.today, row)
    contract = contexts.contract_context(*args)
    certificate = contexts.certificate_context(*args)
    number = contract["guarantee"]["number"]
    return [
        Letter(
            (L,),
            f"Garanzia {number} emessa",
            (
                f"la garanzia {number} è stata emessa. In allegato il contratto di garanzia e "
                "il certificato, verificabile online con il codice riportato.",
            ),
            e.entity_id,
            (
                Enclosure(DocumentKind.GUARANTEE_CONTRACT, contract),
                Enclosure(DocumentKind.CERTIFICATE, certificate),
            ),
        )
    ]


def eligibility_recorded(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    context = contexts.eligibility_context(conn, e.entity_id, env.today)
    number = context["application"]["number"]
    return [
        Letter(
            (H,),
            f"Esito dell'istruttoria della domanda {number}",
            (
                f"in allegato l'esito dell'istruttoria della domanda {number}, con la "
                "spiegazione di ogni requisito verificato.",
            ),
            e.entity_id,
            (Enclosure(DocumentKind.ELIGIBILITY_OUTCOME, context),),
        )
    ]


def expiry_reminder_due(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    product = product_of(conn, e.entity_id, env)
    context = contexts.expiry_reminder_context(conn, e.entity_id, product, env.rules_dir, env.today)
    number, end = context["guarantee"]["number"], context["guarantee"]["end_date"]
    days = (end - env.today).days
    return [
        Letter(
            (L,),
            f"La garanzia {number} scade tra {days} giorni",
            (
                f"le ricordiamo che la garanzia {number} scade {with_article(end, 'il')}, "
                f"tra {days} giorni. In allegato il promemoria con le date utili.",
            ),
            e.entity_id,
            (Enclosure(DocumentKind.EXPIRY_REMINDER, context),),
        )
    ]


def claim_submitted(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    context = claims.claim_acknowledgement_context(conn, e.entity_id, env.today)
    claim, number = context["claim"]["number"], context["claim"]["guarantee_number"]
    return [
        Letter(
            (L,),
            f"Ricevuta della richiesta di escussione {claim}",
            (
                f"abbiamo ricevuto la sua richiesta {claim} sulla garanzia {number}. "
                "In allegato la ricevuta.",
            ),
            e.payload["guarantee_id"],
            (Enclosure(DocumentKind.CLAIM_ACKNOWLEDGEMENT, context),),
        )
    ]


def claim_decided(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    guarantee_id = e.payload["guarantee_id"]
    context = claims.claim_decision_context(
        conn, e.entity_id, e.payload["status"], product_of(conn, guarantee_id, env), env.today
    )
    claim, number = context["claim"]["number"], context["claim"]["guarantee_number"]
    return [
        Letter(
            (L,),
            f"Decisione sulla richiesta {claim}",
            (
                f"in allegato la decisione del Fondo sulla richiesta {claim} (garanzia "
                f"{number}), con le motivazioni.",
            ),
            guarantee_id,
            (Enclosure(DocumentKind.CLAIM_DECISION, context),),
        )
    ]


def claim_paid(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    c = tables.claims.c
    decided_at = conn.scalar(select(c.decided_at).where(c.id == e.entity_id))
    context = claims.payment_notice_context(
        conn,
        e.entity_id,
        DECISION_OF_CLAIM + e.entity_id,
        decided_at.date() if decided_at else env.today,
        env.today,
    )
    claim, number = context["claim_number"], context["guarantee_number"]
    return [
        Letter(
            (L,),
            f"Avviso di pagamento {claim}",
            (
                f"il Fondo ha disposto il pagamento per la richiesta {claim} (garanzia "
                f"{number}). In allegato l'avviso.",
            ),
            e.payload["guarantee_id"],
            (Enclosure(DocumentKind.PAYMENT_NOTICE, context),),
        )
    ]


def recovery_plan_created(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    if not env.fund.iban:
        raise MissingSetting(
            "GARANZIA_FUND_IBAN non impostato: il piano di rientro deve indicare dove pagare"
        )
    context = claims.repayment_plan_context(
        conn, e.entity_id, env.fund.iban, env.rules_dir, env.today
    )
    plan = context["plan"]["number"]
    return [
        Letter(
            (H,),
            f"Piano di rientro {plan}",
            (
                f"in allegato il piano di rientro {plan}, con le rate e le coordinate per il "
                "pagamento. La preghiamo di restituirlo firmato per accettazione.",
            ),
            e.payload["guarantee_id"],
            (Enclosure(DocumentKind.REPAYMENT_PLAN, context),),
        )
    ]


def mediation_meeting_scheduled(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    context = claims.convocation_context(conn, e.entity_id, e.payload["meeting_id"], env.today)
    case, number = context["case"]["number"], context["case"]["guarantee_number"]
    return [
        Letter(
            (L, H),
            f"Convocazione all'incontro di mediazione {case}",
            (
                f"la invitiamo all'incontro di mediazione per la pratica {case} (garanzia "
                f"{number}) {with_article(context['meeting']['date'], 'del')}. In allegato la "
                "convocazione.",
            ),
            e.payload["guarantee_id"],
            (Enclosure(DocumentKind.MEDIATION_CONVOCATION, context),),
        )
    ]
