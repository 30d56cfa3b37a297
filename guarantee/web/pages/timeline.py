"""A record's audit trail told to staff in words: who, when, what and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from guarantee.web.pages.backoffice import ROLE_LABELS

CLAIM_STEPS = {
    "submitted": "Richiesta ricevuta",
    "add_evidence": "Prova aggiunta",
    "start_review": "Istruttoria avviata",
    "await_mediation": "In attesa della mediazione",
    "end_mediation_wait": "Mediazione conclusa: di nuovo in istruttoria",
    "decide": "Decisione registrata",
    "revoke_decision": "Decisione revocata",
    "propose_payment": "Pagamento proposto",
    "refuse_payment": "Proposta di pagamento rifiutata",
    "mark_paid": "Pagamento disposto",
    "start_recovery": "Recupero avviato",
    "replan_recovery": "Piano di rientro rifatto",
    "end_recovery": "Recupero concluso",
    "write_off": "Importo stralciato",
    "withdraw": "Richiesta ritirata",
    "close": "Richiesta chiusa",
}
CASE_STEPS = {
    "opened": "Pratica aperta",
    "assign": "Pratica assegnata",
    "reassign": "Pratica riassegnata",
    "record_first_contact": "Primo contatto con le parti",
    "schedule_meeting": "Incontro fissato",
    "add_note": "Nota o esito di un incontro",
    "reach_agreement": "Accordo raggiunto",
    "record_no_agreement": "Nessun accordo",
    "withdraw": "Segnalazione ritirata",
    "record_instalment_paid": "Rata dell'accordo pagata",
    "record_instalment_missed": "Rata dell'accordo non pagata",
    "close": "Pratica chiusa",
}


def timeline(
    history: Iterable[Mapping[str, Any]], steps: Mapping[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "occurred_at": event["occurred_at"],
            "who": event["actor_id"],
            "role": ROLE_LABELS.get(event["actor_role"], event["actor_role"]),
            "what": steps.get(event["action"], event["action"]),
            "why": event["reason"],
        }
        for event in history
    ]
