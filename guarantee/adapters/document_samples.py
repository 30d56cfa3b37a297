"""Preview contexts for every document kind, following the worked example (EXAMPLES §D).

Guarantee GC-2027-000001: rent 650,00 € + charges 80,00 €, lease from
2027-01-01; arrears, failed mediation, a claim approved for 4.190,00 €, then
a 36-instalment repayment plan. Used by tests, the benchmark and the preview
page; each call returns a fresh copy that the caller may change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from decimal import Decimal

from guarantee.adapters.formatting import euro
from guarantee.adapters.templating import DEFAULT_TEMPLATES_DIR, Branding
from guarantee.domain.documents import DocumentKind

SAMPLE_BRANDING = Branding(
    fund_name="Fondo Garanzia Casa Eporediese",
    consortium_name="Consorzio dei Servizi Sociali dell'Eporediese",
    base_url="https://garanziacasa.example.it",
    logo_path=DEFAULT_TEMPLATES_DIR / "documents" / "assets" / "logo.svg",
    address="Via dei Mulini 4 – 10015 Ivrea (TO)",
    contact="PEC garanziacasa@pec.example.it · tel. 0125 000 000",
)

_SIGNATORY = {"name": "dott.ssa Laura Ferrero", "role": "Responsabile del Fondo"}
_LANDLORD_ADDRESS = {
    "name": "Sig.ra Maria Rossi",
    "address": "Corso Cavour 18",
    "city": "10015 Ivrea (TO)",
}
_GUARANTEE_NUMBER = "GC-2027-000001"
_CLAIM_NUMBER = "SIN-2027-000007"
_CLAIM = {
    "number": _CLAIM_NUMBER,
    "guarantee_number": _GUARANTEE_NUMBER,
    "submitted_on": date(2027, 7, 20),
}
_COVERAGE = [
    (
        "Canoni e oneri accessori non pagati",
        Decimal("7800.00"),
        "fino a 12 mensilità del canone (12 × 650,00\u00a0€); "
        "gli oneri accessori concorrono al limite",
    ),
    ("Danni all'immobile", Decimal("3000.00"), "accertati al rilascio dell'alloggio e documentati"),
    (
        "Spese legali per la procedura di sfratto",
        Decimal("2000.00"),
        "spese documentate del procedimento di convalida e di esecuzione",
    ),
]
_MAXIMUM_EXPOSURE = Decimal("12800.00")


def _common(protocol_number: str, document_date: date) -> dict[str, object]:
    return {
        "protocol_number": protocol_number,
        "document_date": document_date,
        "signatory": dict(_SIGNATORY),
    }


def _contract() -> dict[str, object]:
    return _common("2027/000003", date(2027, 1, 4)) | {
        "guarantee": {
            "number": _GUARANTEE_NUMBER,
            "product_name": "Garanzia Casa",
            "product_version": "2027.1",
            "start_date": date(2027, 1, 4),
            "end_date": date(2029, 12, 31),
            "term_months": 36,
        },
        "landlord": {
            "name": "Maria Rossi",
            "tax_code": "RSSMRA70A41E379P",
            "address": "Corso Cavour 18, 10015 Ivrea (TO)",
        },
        "household": {
            "main_tenant": "Amina El Idrissi",
            "tax_code": "LDRMNA88P52Z330T",
            "members": 3,
        },
        "dwelling": {
            "address": "Via Jervis 22, scala B, interno 5",
            "municipality": "Ivrea",
            "province": "TO",
            "cadastral_reference": "foglio 45, particella 210, subalterno 12, categoria A/3",
        },
        "lease": {
            "type": "a canone concordato (3+2), art. 2, comma 3, della legge 431/1998",
            "start_date": date(2027, 1, 1),
            "end_date": date(2029, 12, 31),
            "monthly_rent": Decimal("650.00"),
            "monthly_charges": Decimal("80.00"),
            "rent_due_day": 5,
            "registration": (
                "Agenzia delle Entrate – Ufficio territoriale di Ivrea, 3 gennaio 2027, "
                "n. 000123, serie 3T"
            ),
        },
        "coverage": [{"label": label, "cap": cap, "note": note} for label, cap, note in _COVERAGE],
        "maximum_exposure": _MAXIMUM_EXPOSURE,
        "waiting_period_days": 60,
        "arrears_report_days": 60,
        "damages_claim_days": 60,
        "signing_place": "Ivrea",
    }


def _certificate() -> dict[str, object]:
    return _common("2027/000004", date(2027, 1, 4)) | {
        "certificate_code": "7KQ2-M9XD-4T8P-WR3C",
        "guarantee": {
            "number": _GUARANTEE_NUMBER,
            "product_name": "Garanzia Casa",
            "start_date": date(2027, 1, 4),
            "end_date": date(2029, 12, 31),
        },
        "landlord_name": "Maria Rossi",
        "dwelling": {
            "address": "Via Jervis 22, scala B, interno 5",
            "municipality": "Ivrea",
            "province": "TO",
        },
        "maximum_exposure": _MAXIMUM_EXPOSURE,
        "coverage": [{"label": label, "cap": cap} for label, cap, _ in _COVERAGE],
    }


def _eligibility_outcome() -> dict[str, object]:
    verdicts = [
        ("comune_consorzio", "L'alloggio si trova in un comune del Consorzio (Ivrea).", "pass"),
        (
            "isee_massimo",
            "ISEE del nucleo 14.350,00\u00a0€, entro il limite di 26.000,00\u00a0€.",
            "pass",
        ),
        (
            "incidenza_canone",
            "Canone e oneri (730,00\u00a0€) pari al 38,4% del reddito netto mensile "
            "(1.900,00\u00a0€), entro il 40,0%.",
            "pass",
        ),
        (
            "contratto_registrato",
            "Contratto registrato, a canone concordato, di durata pari a 36 mesi.",
            "pass",
        ),
        (
            "canone_massimo",
            "Canone di 650,00\u00a0€ entro il massimo di 700,00\u00a0€ per Ivrea e 3 componenti.",
            "pass",
        ),
        ("invio_sportello", "Domanda presentata tramite lo Sportello Casa di Ivrea.", "pass"),
        ("garanzia_unica", "Nessun'altra garanzia attiva per il nucleo familiare.", "pass"),
        (
            "assenza_parentela",
            "Dichiarata l'assenza di rapporti di parentela tra locatore e conduttore.",
            "pass",
        ),
    ]
    return _common("2026/000398", date(2026, 12, 10)) | {
        "recipient": {
            "name": "Sig.ra Amina El Idrissi",
            "address": "c/o Sportello Casa, Piazza Ottinetti 1",
            "city": "10015 Ivrea (TO)",
        },
        "referrer": "Sportello Casa del Comune di Ivrea",
        "application": {"number": "DOM-2026-000057", "submitted_on": date(2026, 11, 24)},
        "rule_set_version": "2026.2",
        "outcome": "eligible",
        "verdicts": [
            {"code": code, "message": message, "verdict": verdict}
            for code, message, verdict in verdicts
        ],
        "review_request_days": 30,
    }


def _claim_acknowledgement() -> dict[str, object]:
    return _common("2027/000118", date(2027, 7, 21)) | {
        "recipient": dict(_LANDLORD_ADDRESS),
        "claim": dict(_CLAIM),
        "items": [
            {
                "label": "Canoni e oneri accessori non pagati (maggio, giugno e luglio 2027: "
                "3 × 730,00\u00a0€)",
                "amount": Decimal("2190.00"),
            },
            {"label": "Spese legali per la procedura di sfratto", "amount": Decimal("2400.00")},
        ],
        "total_claimed": Decimal("4590.00"),
        "attachments": [
            "Contratto di locazione registrato",
            "Estratto conto dei canoni non pagati",
            "Verbale di chiusura della mediazione senza accordo del 15 luglio 2027",
            "Parcella dell'avvocato per l'intimazione di sfratto per morosità",
        ],
        "review_days": 30,
        "case_officer": {
            "name": "dott. Marco Gallo",
            "email": "escussioni@garanziacasa.example.it",
            "phone": "0125 000 010",
        },
    }


def _claim_decision() -> dict[str, object]:
    return _common("2027/000123", date(2027, 7, 30)) | {
        "recipient": dict(_LANDLORD_ADDRESS),
        "claim": dict(_CLAIM),
        "decision": "partially_approved",
        "items": [
            {
                "label": "Canoni e oneri accessori non pagati (maggio, giugno e luglio 2027)",
                "claimed": Decimal("2190.00"),
                "approved": Decimal("2190.00"),
                "refused": Decimal("0.00"),
                "reason": "",
            },
            {
                "label": "Spese legali per la procedura di sfratto",
                "claimed": Decimal("2400.00"),
                "approved": Decimal("2000.00"),
                "refused": Decimal("400.00"),
                "reason": f"oltre il massimale per spese legali ({euro(Decimal('2000.00'))})",
            },
        ],
        "total_claimed": Decimal("4590.00"),
        "total_approved": Decimal("4190.00"),
        "total_refused": Decimal("400.00"),
        "cover": [
            _line("Massimale complessivo", "12800.00", "0.00", "4190.00", "8610.00"),
            _line("Canoni e oneri accessori", "7800.00", "0.00", "2190.00", "5610.00"),
            _line("Danni all'immobile", "3000.00", "0.00", "0.00", "3000.00"),
            _line("Spese legali per la procedura di sfratto", "2000.00", "0.00", "2000.00", "0.00"),
        ],
        "payment_days": 15,
        "appeal_days": 30,
    }


def _guarantee_notice() -> dict[str, object]:
    return _common("2027/000131", date(2027, 9, 16)) | {
        "recipient": {
            "name": "Mario Rossi",
            "address": "Corso Re Umberto 12",
            "city": "10015 Ivrea (TO)",
        },
        "guarantee_number": "GC-2027-000001",
        "subject": "Richiesta di escussione n. SIN-2027-000002 ritirata",
        "paragraphs": [
            "Prendiamo atto che il 16 settembre 2027 Lei ha ritirato la richiesta di escussione "
            "n. SIN-2027-000002 per il seguente motivo: danno riparato dall'inquilino.",
            "La richiesta è chiusa senza pagamenti; gli importi che la decisione aveva impegnato "
            "tornano disponibili sui massimali della garanzia, che resta in vigore.",
        ],
        "cover": [
            _line("Massimale complessivo", "12800.00", "0.00", "0.00", "12800.00"),
            _line("Canoni e oneri accessori", "7800.00", "0.00", "0.00", "7800.00"),
            _line("Danni all'immobile", "3000.00", "0.00", "0.00", "3000.00"),
            _line("Spese legali per la procedura di sfratto", "2000.00", "0.00", "0.00", "2000.00"),
        ],
    }


def _household_notice() -> dict[str, object]:
    return _common("2027/000140", date(2027, 10, 4)) | {
        "recipient": {
            "name": "Luca Bianchi",
            "address": "Via Jervis 24",
            "city": "Ivrea (TO)",
        },
        "reference": "Garanzia n. GC-2027-000001",
        "subject": "Apertura della mediazione",
        "paragraphs": [
            "È stata aperta la pratica di mediazione n. MED-2027-000003 sul contratto di "
            "locazione coperto dalla garanzia in oggetto.",
            "Un mediatore del Fondo vi contatterà entro l'11 ottobre 2027 per fissare un "
            "primo incontro.",
        ],
    }


def _eligibility_attestation() -> dict[str, object]:
    return _common("2027/000012", date(2027, 1, 12)) | {
        "certificate_code": "4T8P-WR3C-7KQ2-M9XD",
        "attestation": {
            "number": "ATT-2027-000001",
            "issued_on": date(2027, 1, 12),
            "valid_until": date(2027, 7, 11),
            "maximum_rent": Decimal("540.00"),
            "product_name": "Garanzia Casa",
        },
        "recipient": {
            "name": "Lucia Ferrero",
            "address": "Via Jervis 5",
            "city": "10015 Ivrea (TO)",
        },
        "requirements_met": [
            "ISEE del nucleo fino a 26.000 € (da verificare fino a 35.000 €)",
            "Il nucleo deve essere inviato da uno sportello partner o dai servizi sociali",
            "Il nucleo non deve avere altre garanzie attive",
        ],
        "requirements_pending": [
            "L'alloggio deve trovarsi in uno dei comuni del consorzio",
            "Canone più spese fino al 40% del reddito netto mensile (da verificare fino al 50%)",
            "Il contratto di locazione deve essere registrato",
        ],
    }


def _line(label: str, cap: str, paid: str, committed: str, remaining: str) -> dict[str, object]:
    return {
        "label": label,
        "cap": Decimal(cap),
        "paid": Decimal(paid),
        "committed": Decimal(committed),
        "remaining": Decimal(remaining),
    }


def _payment_notice() -> dict[str, object]:
    return _common("2027/000127", date(2027, 8, 3)) | {
        "recipient": dict(_LANDLORD_ADDRESS),
        "claim_number": _CLAIM_NUMBER,
        "guarantee_number": _GUARANTEE_NUMBER,
        "decision": {"protocol_number": "2027/000123", "date": date(2027, 7, 30)},
        "amount": Decimal("4190.00"),
        "iban": "IT60X0542811101000000123456",
        "account_holder": "Maria Rossi",
        "payment_reference": "GCE-PAG-2027-000003 – escussione garanzia GC-2027-000001",
        "value_date": date(2027, 8, 3),
    }


def _mediation_convocation() -> dict[str, object]:
    return _common("2027/000096", date(2027, 6, 28)) | {
        "case": {"number": "MED-2027-000011", "guarantee_number": _GUARANTEE_NUMBER},
        "subject": "mancato pagamento dei canoni e degli oneri accessori in scadenza il "
        "5 maggio e il 5 giugno 2027, per complessivi 1.460,00\u00a0€",
        "meeting": {
            "date": date(2027, 7, 15),
            "start_time": time(10, 0),
            "place": "Servizio di mediazione abitativa, sala riunioni al primo piano",
            "address": "Via dei Mulini 4, 10015 Ivrea (TO)",
        },
        "participants": [
            {"name": "Maria Rossi", "role": "locatrice"},
            {"name": "Amina El Idrissi", "role": "conduttrice"},
            {"name": "Giulia Martinetto", "role": "assistente sociale di riferimento"},
            {"name": "Paolo Bianchi", "role": "mediatore del Fondo"},
        ],
        "mediator": {
            "name": "Paolo Bianchi",
            "phone": "0125 000 020",
            "email": "mediazione@garanziacasa.example.it",
        },
        "confirm_by": date(2027, 7, 12),
    }


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return day.replace(year=day.year + month_index // 12, month=month_index % 12 + 1)


def _repayment_plan() -> dict[str, object]:
    amounts = [Decimal("116.39")] * 35 + [Decimal("116.35")]  # sums to 4.190,00 €
    first_due = date(2027, 9, 10)
    return _common("2027/000133", date(2027, 8, 20)) | {
        "debtor": {
            "name": "Amina El Idrissi",
            "tax_code": "LDRMNA88P52Z330T",
            "address": "Via Jervis 22, scala B, interno 5",
            "city": "10015 Ivrea (TO)",
        },
        "plan": {
            "number": "RIE-2027-000004",
            "claim_number": _CLAIM_NUMBER,
            "guarantee_number": _GUARANTEE_NUMBER,
            "total_amount": Decimal("4190.00"),
            "net_monthly_income": Decimal("1400.00"),
            "instalment_cap_ratio": Decimal("0.10"),
            "instalment_cap": Decimal("140.00"),
            "write_off_proposed": Decimal("0.00"),
        },
        "instalments": [
            {"number": index + 1, "due_date": _add_months(first_due, index), "amount": amount}
            for index, amount in enumerate(amounts)
        ],
        "payment": {
            "iban": "IT66M0306930540100000046119",
            "account_holder": "Consorzio dei Servizi Sociali dell'Eporediese – Fondo Garanzia Casa",
            "reference": "Piano di rientro RIE-2027-000004",
        },
        "missed_instalments_limit": 2,
    }


def _expiry_reminder() -> dict[str, object]:
    end = date(2029, 12, 31)
    return _common("2029/000301", end - timedelta(days=60)) | {
        "recipient": dict(_LANDLORD_ADDRESS),
        "guarantee": {
            "number": _GUARANTEE_NUMBER,
            "start_date": date(2027, 1, 4),
            "end_date": end,
        },
        "dwelling": {"address": "Via Jervis 22, scala B, interno 5", "municipality": "Ivrea"},
        "renewal_possible": True,
        "renewal_request_by": date(2029, 12, 1),
        "damages_claim_days": 60,
        "damages_claim_deadline": end + timedelta(days=60),
    }


_SAMPLES: dict[DocumentKind, Callable[[], dict[str, object]]] = {
    DocumentKind.GUARANTEE_CONTRACT: _contract,
    DocumentKind.CERTIFICATE: _certificate,
    DocumentKind.ELIGIBILITY_OUTCOME: _eligibility_outcome,
    DocumentKind.CLAIM_ACKNOWLEDGEMENT: _claim_acknowledgement,
    DocumentKind.CLAIM_DECISION: _claim_decision,
    DocumentKind.PAYMENT_NOTICE: _payment_notice,
    DocumentKind.MEDIATION_CONVOCATION: _mediation_convocation,
    DocumentKind.REPAYMENT_PLAN: _repayment_plan,
    DocumentKind.EXPIRY_REMINDER: _expiry_reminder,
    DocumentKind.GUARANTEE_NOTICE: _guarantee_notice,
    DocumentKind.HOUSEHOLD_NOTICE: _household_notice,
    DocumentKind.ELIGIBILITY_ATTESTATION: _eligibility_attestation,
}


def sample_context(kind: DocumentKind | str) -> dict[str, object]:
    """A realistic context for ``kind``, built anew on each call."""
    return _SAMPLES[DocumentKind(kind)]()
