"""The letters of renewals and attestations, composed in the business transaction (see
``letter_catalogue``): a renewed guarantee's new contract and certificate to its landlord;
an attestation (with its verification code and maximum rent) or its withdrawal to the
household, which has no dwelling yet, at the address it gave the help desk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from guarantee.adapters.db import tables
from guarantee.domain.documents import DocumentKind
from guarantee.domain.errors import NotFound
from guarantee.domain.formats import amount_it, with_article
from guarantee.read import letter_contexts as contexts
from guarantee.read.letter_steps import product_of
from guarantee.read.letters import Addressee, Enclosure, Event, Letter, LetterEnv

L, H = Addressee.LANDLORD, Addressee.HOUSEHOLD


def guarantee_renewed(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    product = product_of(conn, e.entity_id, env)
    contract = contexts.contract_context(conn, e.entity_id, product, env.rules_dir, env.today)
    certificate = contexts.certificate_context(conn, e.entity_id, product, env.rules_dir, env.today)
    number = contract["guarantee"]["number"]
    end = with_article(contract["guarantee"]["end_date"], "al")
    return [
        Letter(
            (L,),
            f"Garanzia {number} rinnovata",
            (
                f"la garanzia {number} è stata rinnovata fino {end} alle nuove condizioni del "
                "contratto di locazione. In allegato il nuovo contratto di garanzia e il nuovo "
                "certificato, verificabile online con il codice riportato; il certificato "
                "precedente non è più valido.",
            ),
            e.entity_id,
            (
                Enclosure(DocumentKind.GUARANTEE_CONTRACT, contract),
                Enclosure(DocumentKind.CERTIFICATE, certificate),
            ),
        )
    ]


def _attestation_row(conn: Connection, attestation_id: str) -> dict[str, Any]:
    a = tables.attestations.c
    row = (
        conn.execute(select(tables.attestations).where(a.id == attestation_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound("attestazione", attestation_id)
    return dict(row)


def _household_letter(
    conn: Connection, env: LetterEnv, row: dict[str, Any], subject: str, words: list[str]
) -> Letter:
    contact = contexts.household_contact(conn, row["household_id"], env.rules_dir)
    context = contexts.letter_basics(env.today) | {
        "recipient": {"name": contact.name, "address": contact.postal_address, "city": ""},
        "reference": f"Attestazione n. {row['number']}",
        "subject": subject,
        "paragraphs": words,
    }
    return Letter(
        (H,),
        f"Attestazione {row['number']}: {subject}",
        (*words, "In allegato la comunicazione."),
        None,
        (Enclosure(DocumentKind.HOUSEHOLD_NOTICE, context),),
        {"household_id": row["household_id"]},
    )


def attestation_issued(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    """The attestation itself (with its code and QR code), in a letter to the household."""
    row = _attestation_row(conn, e.entity_id)
    contact = contexts.household_contact(conn, row["household_id"], env.rules_dir)
    product = env.products.get(row["product_code"], row["product_version"]).product
    eligibility = row["eligibility"]
    context = contexts.letter_basics(env.today) | {
        "certificate_code": row["code"],
        "attestation": {
            "number": row["number"],
            "issued_on": row["issued_on"],
            "valid_until": row["valid_until"],
            "maximum_rent": row["maximum_rent"],
            "product_name": product.name,
        },
        "recipient": {"name": contact.name, "address": contact.postal_address, "city": ""},
        "requirements_met": [
            str(v["message"]) for v in eligibility["verdicts"] if v["result"] == "pass"
        ],
        "requirements_pending": [str(p["message"]) for p in eligibility["pending"]],
    }
    code = row["code"]
    words = (
        f"il nucleo risulta ammissibile a Garanzia Casa per i requisiti che non dipendono "
        f"dall'alloggio: può prendere in affitto un alloggio con canone e spese fino a "
        f"{amount_it(row['maximum_rent'])} € al mese.",
        f"L'attestazione n. {row['number']} vale fino {with_article(row['valid_until'], 'al')}. "
        f"Il locatore può verificarla su {env.base_url}/verify/{code} con il codice {code}: "
        "vedrà se è valida, fino a quando e il canone massimo, nessun dato personale.",
        "In allegato l'attestazione da mostrare ai locatori.",
    )
    return [
        Letter(
            (H,),
            f"Attestazione di ammissibilità {row['number']}",
            words,
            None,
            (Enclosure(DocumentKind.ELIGIBILITY_ATTESTATION, context),),
            {"household_id": row["household_id"]},
        )
    ]


def attestation_withdrawn(conn: Connection, e: Event, env: LetterEnv) -> list[Letter]:
    row = _attestation_row(conn, e.entity_id)
    words = [
        f"l'attestazione di ammissibilità n. {row['number']} è stata revocata e non può più "
        "essere usata né mostrata ai locatori.",
        f"Motivo: {row['withdrawal_reason']}.",
        "Per chiarimenti o per una nuova valutazione si rivolga allo sportello.",
    ]
    return [_household_letter(conn, env, row, "Revoca dell'attestazione", words)]
