"""The port through which services read products, rule sets and their examples.

The file format (YAML, CSV, JSON Schema) belongs to ``guarantee.adapters.data_files``;
services only know this protocol and the error it raises, so the dependency points
inward (adapters import services, never the reverse).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from guarantee.domain.calendar import ClosingDay
from guarantee.domain.eligibility import DEFAULT_SCHEME, RuleExample, RuleSet, RuleSetCatalog
from guarantee.domain.products import Product, ProductCatalog


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong in a data file, where the fund manager can find it."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


class DataFileError(Exception):
    """A data file (or a set of them) was refused; ``problems`` lists everything found.

    ``path``, ``line`` and ``reason`` repeat the first problem for callers that show one.
    """

    def __init__(self, problems: Iterable[FileProblem]) -> None:
        # A reference CSV read by two rule sets would otherwise be reported twice.
        self.problems: list[FileProblem] = list(dict.fromkeys(problems))
        if not self.problems:
            raise ValueError("DataFileError needs at least one problem")
        first = self.problems[0]
        self.path = first.path
        self.line = first.line
        self.reason = first.reason
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class ExampleFile:
    """The examples written beside one rule-set version."""

    path: str
    ruleset_version: str
    examples: tuple[RuleExample, ...]
    scheme: str = DEFAULT_SCHEME


class RuleFiles(Protocol):
    """Reads rule sets, their examples and facts files; raises ``DataFileError``."""

    def load_ruleset(self, path: Path) -> RuleSet: ...

    def load_rulesets(self, rules_dir: Path) -> RuleSetCatalog: ...

    def example_paths(self, rules_dir: Path) -> list[Path]: ...

    def load_examples(self, path: Path) -> ExampleFile: ...

    def load_facts(self, path: Path) -> dict[str, object]: ...


@dataclass(frozen=True)
class ProductExample:
    """A worked case beside a product version: for this rent, this exposure and reserve."""

    name: str
    monthly_rent: Decimal
    maximum_exposure: Decimal
    reserve: Decimal
    source: str = ""
    line: int | None = None

    def check(self, product: Product) -> list[str]:
        """What the product computes differently from the example (empty = it holds)."""
        found: list[str] = []
        exposure = product.maximum_exposure(self.monthly_rent)
        reserve = product.reserve_for(self.monthly_rent)
        if exposure != self.maximum_exposure:
            found.append(
                f"esempio '{self.name}': con canone {self.monthly_rent} l'esposizione massima "
                f"è {exposure}, l'esempio dice {self.maximum_exposure}"
            )
        if reserve != self.reserve:
            found.append(
                f"esempio '{self.name}': con canone {self.monthly_rent} l'accantonamento è "
                f"{reserve}, l'esempio dice {self.reserve}"
            )
        return found


class ProductFiles(Protocol):
    """Reads product definitions; raises ``DataFileError``."""

    def load_product(self, path: Path) -> Product: ...

    def load_products(self, policies_dir: Path) -> ProductCatalog: ...

    def load_product_examples(
        self, policies_dir: Path, code: str, version: int
    ) -> list[ProductExample]: ...


class OfficeClosureFiles(Protocol):
    """Reads the office's closing days for the working calendar; raises ``DataFileError``."""

    def load_office_closures(self, path: Path) -> tuple[ClosingDay, ...]: ...
