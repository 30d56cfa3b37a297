"""Loading product definitions: ``policies/<code>/v<version>.yaml``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guarantee.adapters.data_files._models import Amount, ProductModel
from guarantee.adapters.data_files._problems import definition_problems, validation_problems
from guarantee.adapters.data_files._yaml import Where, YamlDocument, display_path, read_yaml
from guarantee.domain.errors import InvalidDefinition
from guarantee.domain.products import Product, ProductCatalog
from guarantee.services.data_files import DataFileError, FileProblem, ProductExample

# Where each Product field is written in the file (the file groups them by topic).
_FIELD_PATHS: dict[str, Where] = {
    "max_term_months": ("term", "max_months"),
    "renewals": ("term", "renewals"),
    "arrears_cap_rents": ("cover", "arrears_cap_rents"),
    "arrears_include_charges": ("cover", "arrears_include_charges"),
    "damages_cap": ("cover", "damages_cap"),
    "legal_costs_cap": ("cover", "legal_costs_cap"),
    "overall_cap_rents": ("cover", "overall_cap_rents"),
    "overall_cap_extra": ("cover", "overall_cap_extra"),
    "deductible": ("cover", "deductible"),
    "waiting_period_days": ("timing", "waiting_period_days"),
    "arrears_report_days": ("timing", "arrears_report_days"),
    "arrears_claim_requires_mediation": ("timing", "arrears_claim_requires_mediation"),
    "damages_claim_days": ("timing", "damages_claim_days"),
    "recovery_max_instalments": ("recovery", "max_instalments"),
    "recovery_instalment_income_share": ("recovery", "instalment_income_share"),
    "four_eyes_threshold": ("payments", "four_eyes_threshold"),
    "iban_change_hold_days": ("payments", "iban_change_hold_days"),
    "attestation_valid_months": ("attestation", "valid_months"),
}


EXAMPLES_SUFFIX = ".examples.yaml"


def product_paths(policies_dir: Path) -> list[Path]:
    """Product files: ``<policies_dir>/<code>/v<version>.yaml``."""
    # Only v<version>.yaml: other files beside a product (stress.yaml, v1.examples.yaml)
    # are not products.
    return sorted(
        path
        for path in policies_dir.glob("*/v*.yaml")
        if path.parent.name != "schema" and not path.name.endswith(EXAMPLES_SUFFIX)
    )


class _ProductExampleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1)]
    monthly_rent: Amount
    maximum_exposure: Amount
    reserve: Amount


class _ProductExamplesModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    product: str
    version: int
    examples: list[_ProductExampleModel] = Field(min_length=1)


def load_product_examples(policies_dir: Path, code: str, version: int) -> list[ProductExample]:
    """``<code>/v<version>.examples.yaml``: for a rent, the maximum exposure and reserve.

    Every product version must have one, as every rule set has: the numbers a person
    checks by hand are written down once and re-checked on every change.
    """
    path = policies_dir / code / f"v{version}{EXAMPLES_SUFFIX}"
    if not path.is_file():
        reason = (
            f"il prodotto {code} versione {version} non ha esempi: scrivere questo file con "
            "almeno un canone e l'esposizione massima e l'accantonamento attesi"
        )
        raise DataFileError([FileProblem(display_path(path), None, reason)])
    doc = read_yaml(path)
    try:
        model = _ProductExamplesModel.model_validate(doc.data)
    except ValidationError as exc:
        raise DataFileError(validation_problems(doc, exc)) from exc
    if (model.product, model.version) != (code, version):
        reason = (
            f"esempi per {model.product} versione {model.version} nel file di {code} v{version}"
        )
        raise DataFileError([doc.problem(("product",), reason)])
    return [
        ProductExample(
            name=example.name,
            monthly_rent=example.monthly_rent,
            maximum_exposure=example.maximum_exposure,
            reserve=example.reserve,
            source=doc.display,
            line=doc.line_of(("examples", index)),
        )
        for index, example in enumerate(model.examples)
    ]


def load_product(path: Path) -> Product:
    return _load_product(path)[1]


def load_products(policies_dir: Path) -> ProductCatalog:
    paths = product_paths(policies_dir)
    if not paths:
        folder = display_path(policies_dir)
        reason = "nessun file di prodotto (<codice>/v<versione>.yaml) nella cartella"
        raise DataFileError([FileProblem(folder, None, reason)])
    loaded: list[tuple[YamlDocument, Product]] = []
    problems: list[FileProblem] = []
    for path in paths:
        try:
            loaded.append(_load_product(path))
        except DataFileError as exc:
            problems += exc.problems
    if problems:
        raise DataFileError(problems)
    try:
        return ProductCatalog(product for _, product in loaded)
    except InvalidDefinition as exc:
        raise DataFileError(
            loaded[int(p.where[0])][0].problem(_translate(p.where[1:]), p.reason)
            for p in exc.problems
        ) from exc


def _translate(where: Where) -> Where:
    if where and isinstance(where[0], str) and where[0] in _FIELD_PATHS:
        return (*_FIELD_PATHS[where[0]], *where[1:])
    return where


def _load_product(path: Path) -> tuple[YamlDocument, Product]:
    doc = read_yaml(path)
    try:
        model = ProductModel.model_validate(doc.data)
    except ValidationError as exc:
        raise DataFileError(validation_problems(doc, exc)) from exc
    # The path repeats code and version so that two people never edit "the same" product
    # in two files; a mismatch is more likely a copy that was not updated.
    problems: list[FileProblem] = []
    if path.parent.name != model.code:
        problems.append(
            doc.problem(
                ("code",),
                f"codice '{model.code}' ma cartella '{path.parent.name}': devono coincidere",
            )
        )
    if path.stem != f"v{model.version}":
        problems.append(
            doc.problem(
                ("version",),
                f"versione {model.version} ma file '{path.name}': "
                f"il file si chiama v{model.version}.yaml",
            )
        )
    if problems:
        raise DataFileError(problems)
    try:
        product = Product(
            code=model.code,
            version=model.version,
            name=model.name,
            valid_from=model.valid_from,
            valid_to=model.valid_to,
            max_term_months=model.term.max_months,
            renewals=model.term.renewals,
            arrears_cap_rents=model.cover.arrears_cap_rents,
            arrears_include_charges=model.cover.arrears_include_charges,
            damages_cap=model.cover.damages_cap,
            legal_costs_cap=model.cover.legal_costs_cap,
            overall_cap_rents=model.cover.overall_cap_rents,
            overall_cap_extra=model.cover.overall_cap_extra,
            deductible=model.cover.deductible,
            waiting_period_days=model.timing.waiting_period_days,
            arrears_report_days=model.timing.arrears_report_days,
            arrears_claim_requires_mediation=model.timing.arrears_claim_requires_mediation,
            damages_claim_days=model.timing.damages_claim_days,
            reserve_ratio=model.reserve_ratio,
            recovery_max_instalments=model.recovery.max_instalments,
            recovery_instalment_income_share=model.recovery.instalment_income_share,
            four_eyes_threshold=model.payments.four_eyes_threshold,
            iban_change_hold_days=model.payments.iban_change_hold_days,
            scheme=model.scheme,
            attestation_valid_months=model.attestation.valid_months,
        )
    except InvalidDefinition as exc:
        raise DataFileError(definition_problems(doc, exc, _translate)) from exc
    return doc, product
