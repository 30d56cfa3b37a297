"""The event catalogue: for every event the domain emits, the letters it sends — or a reason
why it sends none. An event in neither table is an error (retried and reported), never
silently done.

Each composer reads the database in the transaction of the business change (see
``LetterSnapshots``), so the letters say what was true at the event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.documents import DocumentKind
from guarantee.domain.formats import date_it, entro_il, euro_it
from guarantee.domain.products import Product
from guarantee.read import claim_letter_contexts as claims
from guarantee.read import letter_contexts as contexts
from guarantee.read.letters import Addressee, Enclosure, Event, Letter, LetterEnv

Composer = Callable[[Connection, Event, LetterEnv], list[Letter]]
L, H = Addressee.LANDLORD, Addressee.HOUSEHOLD

# Marks the payment notice's reference to its decision letter, whose protocol number may not
# exist yet at the payment: the job fills it in (and waits for it) when it archives the notice.
DECISION_OF_CLAIM = "decision-of-claim:"


def _product(conn: Connection, guarantee_id: str, env: LetterEnv) -> Product:
    g = tables.guarantees.c
    code, version = conn.execute(
        select(g.product_code, g.product_version).where(g.id == guarantee_id)
    ).one()
    return env.products.get(code, version).product


def _euro(amount: Decimal | str) -> str:
    return euro_it(Decimal(amount))


# -- the letters -------------------------------------------------------------------------------


def guarantee_issued(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    product = _product(conn, e.entity_id, env)
    contract = contexts.contract_context(conn, e.entity_id, product, env.rules_dir, env.today)
    certificate = contexts.certificate_context(conn, e.entity_id, product, env.rules_dir, env.today)
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
    product = _product(conn, e.entity_id, env)
    context = contexts.expiry_reminder_context(conn, e.entity_id, product, env.rules_dir, env.today)
    number, end = context["guarantee"]["number"], context["guarantee"]["end_date"]
    days = (end - env.today).days
    return [
        Letter(
            (L,),
            f"La garanzia {number} scade tra {days} giorni",
            (
                f"le ricordiamo che la garanzia {number} scade il {date_it(end)}, tra {days} "
                "giorni. In allegato il promemoria con le date utili.",
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
        conn, e.entity_id, e.payload["status"], _product(conn, guarantee_id, env), env.today
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
                f"{number}) del {date_it(context['meeting']['date'])}. In allegato la "
                "convocazione.",
            ),
            e.payload["guarantee_id"],
            (Enclosure(DocumentKind.MEDIATION_CONVOCATION, context),),
        )
    ]


# -- notices: a change a party must know of ------------------------------------------------------


def _notice(
    conn: Connection,
    env: LetterEnv,
    guarantee_id: str,
    subject: str,
    paragraphs: list[str],
    *,
    to: tuple[Addressee, ...] = (L,),
    household_paragraphs: list[str] | None = None,
) -> list[Letter]:
    letters = []
    if L in to:
        context = claims.guarantee_notice_context(
            conn, guarantee_id, subject, paragraphs, _product(conn, guarantee_id, env), env.today
        )
        letters.append(
            Letter(
                (L,),
                f"Garanzia {context['guarantee_number']}: {subject}",
                (*paragraphs, "In allegato la comunicazione."),
                guarantee_id,
                (Enclosure(DocumentKind.GUARANTEE_NOTICE, context),),
            )
        )
    if H in to:
        words = household_paragraphs or paragraphs
        context = contexts.household_notice_context(
            conn, guarantee_id, subject, words, env.rules_dir, env.today
        )
        letters.append(
            Letter(
                (H,),
                f"Garanzia {context['guarantee_number']}: {subject}",
                (*words, "In allegato la comunicazione."),
                guarantee_id,
                (Enclosure(DocumentKind.HOUSEHOLD_NOTICE, context),),
            )
        )
    return letters


def _claim_number(conn: Connection, claim_id: str) -> str:
    return claims.claim_number_of(conn, claim_id)


def claim_withdrawn(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    claim = _claim_number(conn, e.entity_id)
    return _notice(
        conn,
        env,
        e.payload["guarantee_id"],
        f"Richiesta di escussione n. {claim} ritirata",
        [
            f"Prendiamo atto che il {date_it(env.today)} la richiesta di escussione n. {claim} "
            f"è stata ritirata, con la motivazione: {e.payload['reason']}.",
            "La richiesta è chiusa senza pagamenti. Gli importi eventualmente riconosciuti "
            "e non pagati tornano disponibili sui massimali della garanzia.",
        ],
    )


def claim_decision_revoked(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    claim = _claim_number(conn, e.entity_id)
    return _notice(
        conn,
        env,
        e.payload["guarantee_id"],
        f"Richiesta di escussione n. {claim}: decisione revocata",
        [
            "Le comunichiamo che il Fondo ha revocato la decisione sulla richiesta di "
            f"escussione n. {claim}, che non era ancora stata pagata. "
            f"Motivo: {e.payload['reason']}.",
            "La richiesta torna in istruttoria e sarà decisa di nuovo: riceverà la nuova "
            "decisione con le motivazioni. Nessun pagamento sarà disposto prima di allora.",
        ],
    )


def guarantee_exhausted(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    return _notice(
        conn,
        env,
        e.entity_id,
        "Massimale esaurito",
        [
            "Con i pagamenti disposti il Fondo ha corrisposto l'intero massimale della "
            "garanzia in oggetto, che è pertanto esaurita e cessa di produrre effetti.",
            "Per eventuali nuove morosità o danni non potranno essere disposti ulteriori "
            "pagamenti a valere su questa garanzia.",
        ],
    )


def _end_reason(conn: Connection, guarantee_id: str) -> str:
    g = tables.guarantees.c
    return str(conn.scalar(select(g.end_reason).where(g.id == guarantee_id)) or "")


def guarantee_expired(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    product = _product(conn, e.entity_id, env)
    g = tables.guarantees.c
    ends_on: date = conn.execute(select(g.ends_on).where(g.id == e.entity_id)).scalar_one()
    deadline = ends_on + timedelta(days=product.damages_claim_days)
    return _notice(
        conn,
        env,
        e.entity_id,
        "Garanzia scaduta",
        [
            f"La garanzia in oggetto è scaduta il {date_it(ends_on)} e da quel giorno non "
            "copre nuovi canoni non pagati.",
            "Gli eventuali danni all'immobile accertati al rilascio possono essere segnalati "
            f"entro {product.damages_claim_days} giorni dalla scadenza, cioè "
            f"{entro_il(deadline)}.",
        ],
        to=(L, H),
        household_paragraphs=[
            f"La garanzia del Fondo sul suo contratto di locazione è scaduta il "
            f"{date_it(ends_on)}. Il contratto di locazione con il proprietario non cambia.",
            "Per un rinnovo della garanzia può rivolgersi allo sportello che ha presentato "
            "la domanda.",
        ],
    )


def guarantee_terminated(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    reason = _end_reason(conn, e.entity_id)
    return _notice(
        conn,
        env,
        e.entity_id,
        "Risoluzione anticipata della garanzia",
        [
            f"Le comunichiamo che il {date_it(env.today)} la garanzia in oggetto è stata "
            f"risolta anticipatamente. Motivo: {reason}.",
            "Da tale data la garanzia non copre nuovi canoni non pagati; restano valide le "
            "richieste per fatti avvenuti prima della risoluzione, nei termini del contratto.",
        ],
        to=(L, H),
    )


def guarantee_cancelled(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    reason = _end_reason(conn, e.entity_id)
    return _notice(
        conn,
        env,
        e.entity_id,
        "Annullamento della garanzia",
        [
            f"Le comunichiamo che il {date_it(env.today)} la garanzia in oggetto è stata "
            f"annullata. Motivo: {reason}.",
            "La garanzia è priva di effetti: il Fondo non disporrà pagamenti a valere su di essa.",
        ],
        to=(L, H),
    )


def arrears_reported(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    reported_on = e.payload["reported_on"]
    return _notice(
        conn,
        env,
        e.payload["guarantee_id"],
        "Segnalazione di morosità ricevuta",
        [
            "Abbiamo ricevuto la sua segnalazione di morosità del "
            f"{date_it(date.fromisoformat(reported_on))}, per canoni coperti dalla garanzia "
            f"pari a {_euro(e.payload['covered_amount'])}.",
            "Il servizio di mediazione del Fondo contatterà lei e il nucleo familiare per "
            "cercare un accordo prima di ogni altra iniziativa.",
        ],
    )


def mediation_opened(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    m = tables.mediation_cases.c
    number = conn.scalar(select(m.number).where(m.id == e.entity_id))
    due = date.fromisoformat(e.payload["first_contact_due"])
    text = [
        f"È stata aperta la pratica di mediazione n. {number} sul contratto di locazione "
        "coperto dalla garanzia in oggetto.",
        f"Un mediatore del Fondo vi contatterà {entro_il(due)} per fissare un primo incontro.",
    ]
    return _notice(
        conn, env, e.payload["guarantee_id"], "Apertura della mediazione", text, to=(L, H)
    )


def mediation_agreement_broken(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    instalment = e.payload["instalment"]
    return _notice(
        conn,
        env,
        e.payload["guarantee_id"],
        "Accordo di mediazione non rispettato",
        [
            f"La rata n. {instalment} dell'accordo raggiunto in mediazione non è stata pagata: "
            "l'accordo è pertanto risolto.",
            "Il locatore può ora chiedere al Fondo l'escussione della garanzia per i canoni "
            "non pagati, nei termini del contratto di garanzia.",
        ],
        to=(L, H),
    )


def recovery_written_off(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    return _notice(
        conn,
        env,
        e.payload["guarantee_id"],
        "Rinuncia al recupero",
        [
            "Le comunichiamo che il Fondo ha rinunciato a recuperare "
            f"{_euro(e.payload['amount'])} del suo debito, tenuto conto della situazione del "
            "nucleo familiare.",
            "Per quella somma non le sarà chiesto più nulla.",
        ],
        to=(H,),
    )


def application_reviewed(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    approved = e.payload["outcome"] == "approved"
    verdict = "accolta" if approved else "respinta"
    return _notice(
        conn,
        env,
        e.entity_id,
        "Esito del riesame della domanda",
        [
            f"A seguito del riesame, la domanda di garanzia n. {e.payload['application']} è "
            f"stata {verdict}. Motivazione: {e.payload['reason']}.",
            "La garanzia sarà emessa a breve: riceverà il contratto e il certificato."
            if approved
            else "Può chiedere chiarimenti allo sportello che ha presentato la domanda.",
        ],
        to=(H,),
    )


def landlord_iban_changed(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    text = (
        "la coordinata bancaria (IBAN) su cui il Fondo le versa i pagamenti è cambiata il "
        f"{date_it(env.today)}.",
        "Se non è stato lei a chiederlo, contatti subito il Fondo: nessun pagamento sarà "
        "disposto sul nuovo conto prima della sua conferma.",
    )
    addresses = {
        Addressee.PREVIOUS_ADDRESS.value: e.payload.get("old_email") or "",
        Addressee.NEW_ADDRESS.value: e.payload.get("new_email") or "",
    }
    to = tuple(Addressee(a) for a, address in addresses.items() if address)
    return [Letter(to, "Coordinate bancarie cambiate", text, None, (), addresses)]


COMPOSERS: dict[str, Composer] = {
    "guarantee_issued": guarantee_issued,
    "eligibility_recorded": eligibility_recorded,
    "application_reviewed": application_reviewed,
    "expiry_reminder_due": expiry_reminder_due,
    "guarantee_expired": guarantee_expired,
    "guarantee_terminated": guarantee_terminated,
    "guarantee_cancelled": guarantee_cancelled,
    "guarantee_exhausted": guarantee_exhausted,
    "arrears_reported": arrears_reported,
    "mediation_opened": mediation_opened,
    "mediation_meeting_scheduled": mediation_meeting_scheduled,
    "mediation_agreement_broken": mediation_agreement_broken,
    "claim_submitted": claim_submitted,
    "claim_decided": claim_decided,
    "claim_decision_revoked": claim_decision_revoked,
    "claim_withdrawn": claim_withdrawn,
    "claim_paid": claim_paid,
    "recovery_plan_created": recovery_plan_created,
    "recovery_written_off": recovery_written_off,
    # Emitted by the landlords' contacts (issue 13); the payload names both addresses.
    "landlord_iban_changed": landlord_iban_changed,
}

# Events no one is written to about, and why.
SILENT: dict[str, str] = {
    "mediation_agreement_fulfilled": "the parties kept the agreement they signed themselves",
    "mediation_closed": "its outcome is told by the agreement, the broken agreement or a claim",
    "recovery_instalment_paid": "the receipt is the bank's; the plan's end is what is told",
    "recovery_plan_ended": "a completed plan needs no letter; a written-off rest has its own",
}


class MissingSetting(Exception):
    """A letter needs a setting that is not there (see the README's settings table)."""


def compose(conn: Connection, event: Event, env: LetterEnv) -> list[Letter] | None:
    """The letters of an event; None for a silent event. KeyError for an unknown one."""
    if event.topic in SILENT:
        return None
    letters = COMPOSERS[event.topic](conn, event, env)
    for letter in letters:
        for enclosure in letter.enclosures:
            _sign(enclosure.context, env)
    return letters


def _sign(context: dict[str, Any], env: LetterEnv) -> None:
    """The signatory and the fund's contacts from settings; deadlines the fund sets on a
    working day."""
    fund = env.fund
    if "signatory" in context:
        context["signatory"] = {"name": fund.signatory_name, "role": fund.signatory_role}
    for person in ("case_officer", "mediator"):
        if person in context:
            who = context[person]
            who["email"] = who.get("email") or fund.email
            who["phone"] = who.get("phone") or fund.phone
    if "case_officer" in context:
        context["case_officer"]["name"] = fund.signatory_name
    for deadline in ("confirm_by", "renewal_request_by"):
        if deadline in context:
            context[deadline] = env.working_day_by(context[deadline])
