"""Product, rule-set and calendar files: YAML or CSV, errors with file and line.

``DataFiles`` implements the services' ``RuleFiles``, ``ProductFiles`` and
``OfficeClosureFiles`` ports.
"""

from __future__ import annotations

from pathlib import Path

from guarantee.adapters.data_files._closures import load_office_closures, office_closures_path
from guarantee.adapters.data_files._products import (
    load_product,
    load_product_examples,
    load_products,
    product_paths,
)
from guarantee.adapters.data_files._rules import (
    catalogue_path,
    example_paths,
    load_examples,
    load_fact_catalogue,
    load_facts,
    load_ruleset,
    load_rulesets,
    ruleset_paths,
)
from guarantee.adapters.data_files._schemas import published_schemas, write_schemas
from guarantee.adapters.data_files._stress import HistoryModel, load_stress, stress_path
from guarantee.domain.calendar import ClosingDay
from guarantee.domain.eligibility import RuleSet, RuleSetCatalog
from guarantee.domain.products import Product, ProductCatalog
from guarantee.services.data_files import (
    DataFileError,
    ExampleFile,
    FileProblem,
    ProductExample,
)


class DataFiles:
    """The file-backed reader of products, rule sets, examples and facts."""

    def load_ruleset(self, path: Path) -> RuleSet:
        return load_ruleset(path)

    def load_rulesets(self, rules_dir: Path) -> RuleSetCatalog:
        return load_rulesets(rules_dir)

    def example_paths(self, rules_dir: Path) -> list[Path]:
        return example_paths(rules_dir)

    def load_examples(self, path: Path) -> ExampleFile:
        return load_examples(path)

    def load_facts(self, path: Path) -> dict[str, object]:
        return load_facts(path)

    def load_product(self, path: Path) -> Product:
        return load_product(path)

    def load_products(self, policies_dir: Path) -> ProductCatalog:
        return load_products(policies_dir)

    def load_product_examples(
        self, policies_dir: Path, code: str, version: int
    ) -> list[ProductExample]:
        return load_product_examples(policies_dir, code, version)

    def load_office_closures(self, path: Path) -> tuple[ClosingDay, ...]:
        return load_office_closures(path)


__all__ = [
    "DataFileError",
    "DataFiles",
    "FileProblem",
    "HistoryModel",
    "catalogue_path",
    "example_paths",
    "load_examples",
    "load_fact_catalogue",
    "load_facts",
    "load_office_closures",
    "load_product",
    "load_product_examples",
    "load_products",
    "load_ruleset",
    "load_rulesets",
    "load_stress",
    "office_closures_path",
    "product_paths",
    "published_schemas",
    "ruleset_paths",
    "stress_path",
    "write_schemas",
]
