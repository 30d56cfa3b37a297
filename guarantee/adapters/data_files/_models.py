"""The published shape of product, rule-set and example files (pydantic v2).

These models are the schema: ``rules/schema/*.schema.json`` and
``policies/schema/*.schema.json`` are generated from them (see ``_schemas``), and a test
keeps the committed files equal to the models. Descriptions are Italian because editors
show them to the fund manager.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def _no_float(value: object) -> object:
    # Our YAML loader never makes floats; this guards models fed from elsewhere.
    if isinstance(value, float):
        raise ValueError("scrivere gli importi come decimali esatti (es. 3000.00 o '3000.00')")
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(ge=0, decimal_places=2, description="importo in euro, al centesimo"),
]
Fraction = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(gt=0, le=1, description="frazione tra 0 e 1 (0.30 = 30%)"),
]
Count = Annotated[int, Field(strict=True, ge=0)]
Positive = Annotated[int, Field(strict=True, ge=1)]
Flag = Annotated[bool, Field(strict=True)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- products -----------------------------------------------------------------------


class TermModel(_Model):
    max_months: Positive = Field(description="durata massima della garanzia, in mesi")
    renewals: Count = Field(description="quante volte la garanzia può essere rinnovata")


class CoverModel(_Model):
    arrears_cap_rents: Positive = Field(
        description="massimale morosità, in mensilità di canone (canone e spese ne fanno parte)"
    )
    arrears_include_charges: Flag = Field(
        description="le spese condominiali non pagate rientrano nel massimale morosità"
    )
    damages_cap: Amount = Field(description="massimale danni all'alloggio, in euro")
    legal_costs_cap: Amount = Field(description="massimale spese legali di sfratto, in euro")
    overall_cap_rents: Positive = Field(
        description="massimale complessivo: mensilità di canone (più overall_cap_extra)"
    )
    overall_cap_extra: Amount = Field(description="massimale complessivo: parte fissa, in euro")
    deductible: Amount = Field(description="franchigia, in euro (0 = nessuna)")


class TimingModel(_Model):
    waiting_period_days: Count = Field(
        description="carenza: giorni dall'inizio del contratto in cui i canoni scaduti non sono "
        "coperti"
    )
    arrears_report_days: Count = Field(
        description="giorni di calendario, dalla scadenza del secondo canone non pagato, per "
        "segnalare la morosità"
    )
    arrears_claim_requires_mediation: Flag = Field(
        description="la morosità si paga solo dopo una mediazione chiusa senza accordo o con "
        "accordo non rispettato"
    )
    damages_claim_days: Count = Field(
        description="giorni dalla fine del contratto per chiedere i danni, con prove"
    )


class RecoveryModel(_Model):
    max_instalments: Positive = Field(description="numero massimo di rate del piano di rientro")
    instalment_income_share: Fraction = Field(
        description="quota massima del reddito netto mensile per rata (0.10 = 10%)"
    )


class PaymentsModel(_Model):
    four_eyes_threshold: Amount = Field(
        description=(
            "pagamenti sopra questo importo, in euro, li propone un gestore e li autorizza "
            "un altro (quattro occhi)"
        )
    )
    iban_change_hold_days: Count = Field(
        default=5,
        description=(
            "per questi giorni dal cambio di IBAN di un locatore ogni suo pagamento, di "
            "qualunque importo, va confermato da un secondo gestore (0 = nessun blocco)"
        ),
    )


class AttestationModel(_Model):
    valid_months: Positive = Field(
        default=6,
        description=(
            "mesi di validità dell'attestazione di ammissibilità data a un nucleo prima "
            "del contratto"
        ),
    )


class ProductModel(_Model):
    """Un prodotto di garanzia, in una sua versione."""

    scheme: Annotated[
        str, Field(pattern=r"^[a-z][a-z0-9-]*$", description="schema a cui appartiene")
    ] = "garanzia-casa"
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", description="codice prodotto")]
    version: Positive = Field(description="versione; una garanzia resta sulla sua versione")
    name: Annotated[str, Field(min_length=1, description="nome per le persone")]
    valid_from: date = Field(description="primo giorno di validità")
    valid_to: date | None = Field(description="ultimo giorno di validità (null = senza fine)")
    term: TermModel
    cover: CoverModel
    timing: TimingModel
    reserve_ratio: Fraction = Field(
        description="accantonamento: quota dell'esposizione residua (0.30 = 30%)"
    )
    recovery: RecoveryModel
    payments: PaymentsModel = Field(
        default_factory=lambda: PaymentsModel(four_eyes_threshold=Decimal("1000.00")),
        description=(
            "regole dei pagamenti (se assente: quattro occhi sopra 1.000,00 € e per 5 giorni "
            "dal cambio di IBAN)"
        ),
    )
    attestation: AttestationModel = Field(
        default_factory=AttestationModel,
        description="attestazione di ammissibilità prima del contratto (se assente: 6 mesi)",
    )


# --- rule sets ----------------------------------------------------------------------


class MemberOfModel(_Model):
    fact: Name = Field(description="dato (testo) da cercare nell'elenco")
    file: str = Field(description="file CSV di riferimento, relativo a questo file")
    column: str = Field(description="colonna del CSV con i valori ammessi")
    where: dict[str, str] = Field(
        default_factory=dict,
        description="solo le righe con questi valori (colonna: valore)",
    )


class BandsFileModel(_Model):
    file: str = Field(description="CSV delle fasce, relativo a questo file")
    band_column: str = "band"
    min_column: str = "min"
    max_column: str = Field(default="max", description="colonna del massimo (vuoto = senza fine)")


class ValuesFileModel(_Model):
    file: str = Field(description="CSV dei valori per chiave e fascia, relativo a questo file")
    key_column: str = Field(description="colonna della chiave ('*' = tutte le altre)")
    band_column: str = "band"
    value_column: str = Field(description="colonna del valore (importo decimale)")


class BandLookupModel(_Model):
    key_fact: Name = Field(description="dato chiave (es. codice ISTAT del comune)")
    measure_fact: Name = Field(description="dato intero che sceglie la fascia (es. superficie)")
    bands: BandsFileModel
    values: ValuesFileModel


DatePair = Annotated[
    list[Name],
    Field(min_length=2, max_length=2, description="[data di inizio, data di fine]: due dati data"),
]
Kind = Literal["money", "number", "integer", "text", "code", "date", "yes_no"]
Cell = Any


class PercentModel(_Model):
    parts: list[Name] = Field(min_length=1, description="dati da sommare (es. canone e spese)")
    of: Name = Field(description="dato su cui si calcola la percentuale (es. reddito)")


class TableRowModel(_Model):
    when: list[Cell] = Field(
        description="una cella per ogni dato di inputs: any (qualsiasi), un valore, un elenco "
        "[a, b], oppure un intervallo '18..35' (estremi inclusi; '[18..36)' esclude 36; "
        "'..35' o '18..' senza un estremo)"
    )
    then: Cell = Field(description="il valore che la tabella dà quando la riga si applica")


class TableModel(_Model):
    inputs: list[Name] = Field(min_length=1, description="i dati che la tabella legge")
    hit_policy: Literal["first", "unique", "collect"] = Field(
        description="first: la prima riga che si applica; unique: al massimo una riga "
        "(righe sovrapposte rifiutate); collect: tutte, aggregate con aggregate"
    )
    aggregate: Literal["sum", "min", "max", "count"] | None = Field(
        default=None, description="(solo collect) somma, minimo, massimo o conteggio"
    )
    output: Kind = Field(description="tipo del valore prodotto")
    default: Cell = Field(default=None, description="valore quando nessuna riga si applica")
    rows: list[TableRowModel] = Field(min_length=1)


class ParameterModel(_Model):
    file: str = Field(description="file YAML con la storia del valore, relativo a questo file")
    # not "on": YAML reads a bare on as true
    at: Name = Field(description="dato data che sceglie il valore in vigore (es. application_date)")


class DerivedModel(_Model):
    """Un dato calcolato: usare esattamente uno dei modi."""

    description: str = ""
    member_of: MemberOfModel | None = Field(
        default=None, description="vero se il dato è nell'elenco del CSV"
    )
    band_lookup: BandLookupModel | None = Field(
        default=None, description="importo dalla tabella per chiave e fascia"
    )
    years_between: DatePair | None = Field(
        default=None, description="anni compiuti tra due date (es. età alla data della domanda)"
    )
    months_between: DatePair | None = Field(default=None, description="mesi compiuti tra due date")
    days_between: DatePair | None = Field(default=None, description="giorni tra due date")
    percent: PercentModel | None = Field(
        default=None, description="somma delle parti × 100 ÷ base, esatta"
    )
    table: TableModel | None = Field(default=None, description="tabella di decisione")
    parameter: ParameterModel | None = Field(
        default=None, description="valore con la sua storia per data (file in parameters/)"
    )

    @model_validator(mode="after")
    def _one_kind(self) -> DerivedModel:
        ways = [name for name in _WAYS if getattr(self, name) is not None]
        if len(ways) != 1:
            raise ValueError(f"un dato calcolato va scritto con uno solo di: {', '.join(_WAYS)}")
        return self


_WAYS = (
    "member_of",
    "band_lookup",
    "years_between",
    "months_between",
    "days_between",
    "percent",
    "table",
    "parameter",
)


class ChoicesFileModel(_Model):
    file: str = Field(description="CSV con i valori ammessi, relativo a questo file")
    column: str = Field(description="colonna dei valori ammessi")


class FactModel(_Model):
    """Un dato che le regole possono leggere."""

    kind: Kind = Field(
        description="money (importo), number, integer, text, code (da un elenco), date, yes_no"
    )
    label: Annotated[str, Field(min_length=1, description="come lo legge una persona")]
    unit: str = Field(default="", description="unità di misura (€, m², mesi, anni)")
    source: Annotated[
        str,
        Field(
            pattern=r"^((application|household|applicant|lease|dwelling)\.[a-z][a-z0-9_]*|declared|computed)$",
            description="da dove viene: application.x, household.x, applicant.x (il "
            "richiedente), lease.x, dwelling.x; declared (lo dichiara il richiedente nella "
            "domanda); computed (calcolato da altri dati)",
        ),
    ]
    provided: Flag = Field(default=False, description="il richiedente deve fornirlo")
    minimum: int | None = Field(default=None, description="valore minimo ammesso")
    pattern: str | None = Field(default=None, description="forma del testo (espressione regolare)")
    choices: list[str] = Field(default_factory=list, description="(code) valori ammessi")
    choices_file: ChoicesFileModel | None = Field(
        default=None, description="(code) valori ammessi presi da un CSV"
    )
    computed: DerivedModel | None = Field(default=None, description="(computed) come si calcola")

    @model_validator(mode="after")
    def _computed_iff_source(self) -> FactModel:
        if (self.source == "computed") != (self.computed is not None):
            raise ValueError("un dato con source: computed ha bisogno di computed (e solo lui)")
        if (self.choices or self.choices_file) and self.kind != "code":
            raise ValueError("choices e choices_file valgono solo per kind: code")
        return self


class FactCatalogueModel(_Model):
    """Il catalogo dei dati che le regole di ammissibilità possono leggere."""

    facts: dict[Name, FactModel] = Field(min_length=1)


class ParameterHistoryModel(_Model):
    """Un parametro con la sua storia: il valore in vigore da ciascuna data."""

    description: str = ""
    unit: str = ""
    values: dict[date, Decimal] = Field(
        min_length=1, description="data di inizio: valore (il più recente non ancora superato)"
    )


class RuleModel(_Model):
    """Una regola: passa se pass_when è vero; altrimenti verifica se review_when è vero."""

    code: Name = Field(description="codice stabile della regola")
    message: Annotated[str, Field(min_length=1, description="messaggio in italiano")]
    kind: Literal["blocking", "review"] = Field(
        description="blocking: se non passa l'esito è non ammissibile; review: va verificata"
    )
    reads: list[Name] = Field(min_length=1, description="i dati che la regola legge")
    applies_when: str | None = Field(
        default=None,
        description="la regola si applica solo quando questa condizione è vera (altrimenti: "
        "non si applica, e non conta per l'esito)",
    )
    pass_when: str | None = Field(default=None, description="condizione per passare")
    pass_when_any: list[str] | None = Field(
        default=None,
        min_length=2,
        description="in alternativa a pass_when: passa se almeno una di queste è vera (OPPURE)",
    )
    review_when: str | None = Field(
        default=None,
        description="(solo blocking) se pass_when è falsa e questa vera: da verificare",
    )

    @model_validator(mode="after")
    def _one_pass(self) -> RuleModel:
        if (self.pass_when is None) == (self.pass_when_any is None):
            raise ValueError("scrivere pass_when oppure pass_when_any (non entrambi)")
        return self


class RuleSetModel(_Model):
    """Regole di ammissibilità, in una versione con periodo di vigenza."""

    scheme: Annotated[
        str,
        Field(
            pattern=r"^[a-z][a-z0-9-]*$",
            description="schema (misura) a cui appartengono le regole; un fondo applica uno schema",
        ),
    ] = "garanzia-casa"
    version: Annotated[str, Field(min_length=1, description="versione, es. '2026-01'")]
    effective_from: date = Field(description="primo giorno di vigenza")
    effective_to: date | None = Field(description="ultimo giorno di vigenza (null = senza fine)")
    description: str = ""
    derived: dict[str, DerivedModel] = Field(
        default_factory=dict, description="dati calcolati dalle tabelle di riferimento"
    )
    rules: list[RuleModel] = Field(min_length=1)


# --- examples -----------------------------------------------------------------------

Outcome = Literal["eligible", "needs_review", "ineligible"]
Result = Literal["pass", "fail", "review", "skipped"]


class ExampleModel(_Model):
    name: Annotated[str, Field(min_length=1)]
    facts: dict[str, Any] = Field(
        default_factory=dict, description="dati che cambiano rispetto a base_facts"
    )
    outcome: Outcome = Field(description="esito atteso")
    verdicts: dict[str, Result] = Field(
        default_factory=dict, description="esiti attesi di singole regole (codice: esito)"
    )


class ExamplesModel(_Model):
    """Casi d'esempio che una versione delle regole deve riprodurre."""

    scheme: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")] = Field(
        default="garanzia-casa", description="schema delle regole"
    )
    ruleset: Annotated[str, Field(min_length=1, description="versione delle regole")]
    base_facts: dict[str, Any] = Field(
        default_factory=dict, description="dati comuni a tutti i casi"
    )
    examples: list[ExampleModel] = Field(min_length=1)
