"""Product definitions and eligibility rule sets from policies/ and rules/, for the services.

Rules are picked up by the running system without a restart: at most every
``GARANZIA_RULES_RELOAD_SECONDS`` the files' modification times and sizes are compared
with those last loaded; a change is validated exactly as `garanzia rules check` and
`garanzia rules test` do (every file, every example, every boundary) before it is put in
force. A change that does not pass keeps the rules in force and logs why, file and line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

import structlog

from guarantee.adapters.data_files import DataFiles
from guarantee.domain.eligibility import (
    DEFAULT_SCHEME,
    Evaluation,
    FactSpec,
    RuleSet,
    RuleSetCatalog,
)
from guarantee.domain.products import Product
from guarantee.domain.products import ProductCatalog as VersionedProducts
from guarantee.services.data_files import DataFileError

log = structlog.get_logger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


def load_products(policies_dir: Path) -> ProductCatalog:
    return ProductCatalog(DataFiles().load_products(policies_dir))


def load_eligibility(rules_dir: Path, reload_seconds: float = 0) -> RuleSetChecker:
    """The rule sets under ``rules_dir``; with ``reload_seconds`` > 0, kept up to date."""
    return RuleSetChecker(
        DataFiles().load_rulesets(rules_dir),
        rules_dir=rules_dir if reload_seconds > 0 else None,
        reload_seconds=reload_seconds,
    )


class ProductTermsView:
    """A product version as the service port sees: its version as text, as guarantees store it."""

    def __init__(self, product: Product) -> None:
        self.product = product
        self.code = product.code
        self.version = str(product.version)
        self.max_term_months = product.max_term_months
        self.reserve_ratio = product.reserve_ratio

    def maximum_exposure(self, monthly_rent: Decimal) -> Decimal:
        return self.product.maximum_exposure(monthly_rent)

    def reserve_for(self, monthly_rent: Decimal, paid: Decimal = Decimal("0.00")) -> Decimal:
        return self.product.reserve_for(monthly_rent, paid)


class ProductCatalog:
    def __init__(self, catalog: VersionedProducts) -> None:
        self.catalog = catalog

    def current(self, code: str, on: date) -> ProductTermsView:
        return ProductTermsView(self.catalog.current(code, on))

    def get(self, code: str, version: str) -> ProductTermsView:
        return ProductTermsView(self.catalog.get(code, int(version)))


def fingerprint(rules_dir: Path) -> Fingerprint:
    """Every rule and reference file with its modification time and size (cheap: stat only)."""
    found: list[tuple[str, int, int]] = []
    for path in sorted(rules_dir.rglob("*")):
        if path.suffix in (".yaml", ".yml", ".csv") and path.is_file():
            stat = path.stat()
            found.append((str(path.relative_to(rules_dir)), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def validated_rules(rules_dir: Path) -> RuleSetCatalog:
    """The rule sets under ``rules_dir`` if they pass every check and example; else
    ``DataFileError`` with every problem (the same as `rules check` and `rules test`)."""
    from guarantee.services import eligibility
    from guarantee.services.data_files import FileProblem

    files = DataFiles()
    problems = eligibility.check_rules(rules_dir, files)
    if problems:
        raise DataFileError(problems)
    failures = eligibility.run_rule_examples(rules_dir, files)
    if failures:
        raise DataFileError(FileProblem(f.source, f.line, str(f)) for f in failures)
    return files.load_rulesets(rules_dir)


class RuleSetChecker:
    """The service port for eligibility: the rule set in force on a day judges the facts."""

    def __init__(
        self,
        catalog: RuleSetCatalog,
        *,
        rules_dir: Path | None = None,
        reload_seconds: float = 0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._catalog = catalog
        self._rules_dir = rules_dir
        self._every = reload_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._seen = fingerprint(rules_dir) if rules_dir is not None else ()
        self._next_check = monotonic() + reload_seconds

    @property
    def catalog(self) -> RuleSetCatalog:
        self.refresh()
        return self._catalog

    def evaluate(
        self, facts: Mapping[str, object], on: date, scheme: str = DEFAULT_SCHEME
    ) -> Evaluation:
        return self.catalog.effective(on, scheme).evaluate(facts)

    def facts(self) -> Mapping[str, FactSpec]:
        return self.catalog.facts

    def schemes(self) -> tuple[str, ...]:
        return self.catalog.schemes

    def refresh(self, *, force: bool = False) -> bool:
        """Load changed files if it is time to look (or ``force``); True if new rules are
        in force. Never raises for bad files: the rules in force stay, the error is logged."""
        if self._rules_dir is None:
            return False
        now = self._monotonic()
        if not force and now < self._next_check:
            return False
        with self._lock:
            if not force and now < self._next_check:
                return False  # another thread looked meanwhile
            self._next_check = now + self._every
            seen = fingerprint(self._rules_dir)
            if seen == self._seen:
                return False
            # Remembered even when refused: a bad file is logged once, not every N seconds;
            # the next save (a new fingerprint) is tried again.
            self._seen = seen
            try:
                catalog = validated_rules(self._rules_dir)
            except DataFileError as exc:
                log.error(
                    "rules_reload_refused",
                    rules_dir=str(self._rules_dir),
                    kept=list(self._catalog.versions),
                    problems=[str(problem) for problem in exc.problems],
                )
                return False
            self._catalog = catalog
            log.info(
                "rules_reloaded", rules_dir=str(self._rules_dir), versions=list(catalog.versions)
            )
            return True

    def ruleset(self, on: date, scheme: str = DEFAULT_SCHEME) -> RuleSet:
        return self.catalog.effective(on, scheme)
