"""Loading the stress test's parameters: ``policies/<product>/stress.yaml``.

Priors stated in the file; the fund's own history replaces them where there is enough of it
(``guarantee.read.stress_inputs``). Errors name the file and the line.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from guarantee.adapters.data_files._models import Amount, Positive, _no_float
from guarantee.adapters.data_files._problems import validation_problems
from guarantee.adapters.data_files._yaml import read_yaml
from guarantee.domain.stress import StressParameters

Probability = Annotated[
    Decimal, BeforeValidator(_no_float), Field(ge=0, le=1, description="tra 0 e 1")
]
Months = Annotated[int, Field(strict=True, ge=0, le=120)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArrearsModel(_Model):
    monthly_probability: Probability = Field(
        description="probabilità che una garanzia vada in morosità in un mese"
    )


class MediationModel(_Model):
    success_rate: Probability = Field(description="quota di morosità risolte in mediazione")


class SeverityModel(_Model):
    min_share: Probability = Field(description="sinistro minimo, in quota della copertura residua")
    max_share: Probability = Field(description="sinistro massimo, in quota della copertura residua")

    @model_validator(mode="after")
    def _ordered(self) -> SeverityModel:
        if self.min_share > self.max_share:
            raise ValueError("min_share supera max_share")
        return self


class ClaimModel(_Model):
    severity: SeverityModel
    payment_delay_months: Months = Field(description="mesi dalla morosità al pagamento")


class RecoveryModel(_Model):
    rate: Probability = Field(description="quota del pagato che rientra dall'inquilino")
    delay_months: Months = Field(description="mesi dal pagamento al recupero")


class NewGuaranteeModel(_Model):
    cover: Amount = Field(description="copertura di una nuova garanzia tipica, in euro")
    reserve: Amount = Field(description="accantonamento di una nuova garanzia tipica, in euro")
    term_months: Positive = Field(description="durata di una nuova garanzia, in mesi")


class HistoryModel(_Model):
    min_guarantee_months: Positive = Field(
        description="mesi-garanzia osservati oltre i quali la storia del fondo sostituisce i priori"
    )
    min_closed_mediations: Positive
    min_paid_claims: Positive


class StressModel(_Model):
    """Parametri della prova di stress del fondo (priori dichiarati)."""

    arrears: ArrearsModel
    mediation: MediationModel
    claim: ClaimModel
    recovery: RecoveryModel
    new_guarantee: NewGuaranteeModel
    target_exhaustion_probability: Probability
    history: HistoryModel


def stress_path(policies_dir: Path, product_code: str) -> Path:
    return policies_dir / product_code / "stress.yaml"


def load_stress(path: Path) -> tuple[StressParameters, HistoryModel]:
    from guarantee.services.data_files import DataFileError

    doc = read_yaml(path)
    try:
        model = StressModel.model_validate(doc.data)
    except ValidationError as exc:
        raise DataFileError(validation_problems(doc, exc)) from exc
    return (
        StressParameters(
            arrears_monthly_probability=model.arrears.monthly_probability,
            mediation_success_rate=model.mediation.success_rate,
            severity_min_share=model.claim.severity.min_share,
            severity_max_share=model.claim.severity.max_share,
            payment_delay_months=model.claim.payment_delay_months,
            recovery_rate=model.recovery.rate,
            recovery_delay_months=model.recovery.delay_months,
            new_cover=model.new_guarantee.cover,
            new_reserve=model.new_guarantee.reserve,
            new_term_months=model.new_guarantee.term_months,
            target_exhaustion_probability=model.target_exhaustion_probability,
        ),
        model.history,
    )
