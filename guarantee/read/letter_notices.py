"""Notices: a change a party must know of (a claim withdrawn, a decision revoked, the guarantee
ended, arrears received, mediation opened, an agreement broken, a debt written off, a review
decided, bank details changed), as a "comunicazione" to the landlord and/or the household."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.documents import DocumentKind
from guarantee.domain.formats import entro_il, with_article
from guarantee.read import claim_letter_contexts as claims
from guarantee.read import letter_contexts as contexts
from guarantee.read.letter_steps import euro_text, product_of
from guarantee.read.letters import (
    Addressee,
    Enclosure,
    Event,
    Letter,
    LetterEnv,
)

L, H = Addressee.LANDLORD, Addressee.HOUSEHOLD


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
            conn, guarantee_id, subject, paragraphs, product_of(conn, guarantee_id, env), env.today
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
                f"{context['reference'].replace(' n.', '')}: {subject}",
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
            f"Prendiamo atto che {with_article(env.today, 'il')} la richiesta di escussione "
            f"n. {claim} è stata ritirata, con la motivazione: {e.payload['reason']}.",
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
    product = product_of(conn, e.entity_id, env)
    g = tables.guarantees.c
    ends_on: date = conn.execute(select(g.ends_on).where(g.id == e.entity_id)).scalar_one()
    deadline = ends_on + timedelta(days=product.damages_claim_days)
    return _notice(
        conn,
        env,
        e.entity_id,
        "Garanzia scaduta",
        [
            f"La garanzia in oggetto è scaduta {with_article(ends_on, 'il')} e da quel giorno non "
            "copre nuovi canoni non pagati.",
            "Gli eventuali danni all'immobile accertati al rilascio possono essere segnalati "
            f"entro {product.damages_claim_days} giorni dalla scadenza, cioè "
            f"{entro_il(deadline)}.",
        ],
        to=(L, H),
        household_paragraphs=[
            "La garanzia del Fondo sul suo contratto di locazione è scaduta "
            f"{with_article(ends_on, 'il')}. Il contratto di locazione con il proprietario "
            "non cambia.",
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
            f"Le comunichiamo che {with_article(env.today, 'il')} la garanzia in oggetto è stata "
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
            f"Le comunichiamo che {with_article(env.today, 'il')} la garanzia in oggetto è stata "
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
            "Abbiamo ricevuto la sua segnalazione di morosità "
            f"{with_article(date.fromisoformat(reported_on), 'del')}, per canoni coperti dalla "
            f"garanzia pari a {euro_text(e.payload['covered_amount'])}.",
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
            f"{euro_text(e.payload['amount'])} del suo debito, tenuto conto della situazione del "
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
        "la coordinata bancaria (IBAN) su cui il Fondo le versa i pagamenti è cambiata "
        f"{with_article(env.today, 'il')}.",
        "Se non è stato lei a chiederlo, contatti subito il Fondo: nessun pagamento sarà "
        "disposto sul nuovo conto prima della sua conferma.",
    )
    # The landlord's address now, and the one before it if it changed (a common fraud path
    # is to change both): the records emit email / previous_email.
    new = e.payload.get("email") or e.payload.get("new_email") or ""
    old = e.payload.get("previous_email") or e.payload.get("old_email") or ""
    addresses = {
        Addressee.PREVIOUS_ADDRESS.value: old if old != new else "",
        Addressee.NEW_ADDRESS.value: new,
    }
    to = tuple(Addressee(a) for a, address in addresses.items() if address)
    return [Letter(to, "Coordinate bancarie cambiate", text, None, (), addresses)]


def landlord_email_changed(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    text = (
        "l'indirizzo e-mail a cui il Fondo le scrive è cambiato "
        f"{with_article(env.today, 'il')}: d'ora in poi le comunicazioni arriveranno a "
        f"{e.payload.get('email', '')}.",
        "Se non è stato lei a chiederlo, contatti subito il Fondo.",
    )
    new = str(e.payload.get("email") or "")
    old = str(e.payload.get("previous_email") or "")
    addresses = {
        Addressee.PREVIOUS_ADDRESS.value: old if old != new else "",
        Addressee.NEW_ADDRESS.value: new,
    }
    to = tuple(Addressee(a) for a, address in addresses.items() if address)
    return [Letter(to, "Indirizzo e-mail cambiato", text, None, (), addresses)]


# -- accounts -------------------------------------------------------------------------------

# Events whose letters carry a secret (a single-use link): once delivered, the job forgets it.
SECRET_TOPICS = frozenset({"account_invited", "password_reset_requested"})


def account_invited(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    return _account_link(
        e,
        env,
        "Il suo account Garanzia Casa",
        f"è stato aperto per lei l'account «{e.payload['username']}» di Garanzia Casa.",
        "7 giorni",
    )


def password_reset_requested(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    return _account_link(
        e,
        env,
        "Reimpostare la password",
        f"è stato chiesto di reimpostare la password dell'account «{e.payload['username']}».",
        "un'ora",
    )


def _account_link(
    e: Event, env: LetterEnv, subject: str, opening: str, valid_for: str
) -> list[Letter]:
    email = e.payload.get("email")
    if not email:
        return []
    link = f"{env.base_url}/portal/password?token={e.payload['token']}"
    text = (
        opening,
        f"Per scegliere la password apra questo collegamento (valido {valid_for}, una sola "
        f"volta): {link}",
        "Se non ne sa nulla, ignori questo messaggio e avvisi il Fondo.",
    )
    addresses = {Addressee.ACCOUNT.value: email, "name": str(e.payload["username"])}
    return [Letter((Addressee.ACCOUNT,), subject, text, None, (), addresses)]
