"""What the service layer needs from the outside, as Protocols (adapters implement them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from guarantee.domain.eligibility import FactSpec, RuleSet
from guarantee.domain.products import Product


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""
        ...

    def today(self) -> date:
        """The business date in Italy (Europe/Rome)."""
        ...


class ProductTerms(Protocol):
    """A product version as guarantees refer to it (version as text), with the full terms."""

    code: str
    version: str
    max_term_months: int
    product: Product
    reserve_ratio: Decimal

    def maximum_exposure(self, monthly_rent: Decimal) -> Decimal: ...

    def reserve_for(self, monthly_rent: Decimal, paid: Decimal = ...) -> Decimal: ...


class ProductCatalog(Protocol):
    def current(self, code: str, on: date) -> ProductTerms: ...

    def get(self, code: str, version: str) -> ProductTerms: ...


class EligibilityResult(Protocol):
    @property
    def outcome(self) -> str: ...

    @property
    def ruleset_version(self) -> str: ...

    def to_dict(self) -> dict[str, object]: ...


class EligibilityChecker(Protocol):
    def evaluate(
        self, facts: Mapping[str, object], on: date, scheme: str = ...
    ) -> EligibilityResult: ...

    def facts(self) -> Mapping[str, FactSpec]:
        """The supplied facts of the fact catalogue (``rules/facts.yaml``), by name."""
        ...

    def schemes(self) -> tuple[str, ...]:
        """The schemes that have rule sets."""
        ...

    def ruleset(self, on: date, scheme: str = ...) -> RuleSet:
        """The rule set in force ``on`` (attestations judge some of its rules only)."""
        ...


class FileStorage(Protocol):
    """Shared storage for uploaded bytes; a file's key comes from its SHA-256."""

    def put(self, data: bytes) -> str: ...

    def get(self, key: str) -> bytes: ...

    def key_of(self, sha256: str) -> str: ...


class PasswordHasher(Protocol):
    """Hashes and checks passwords; knows the passwords nobody should use."""

    def hash(self, password: str) -> str: ...

    def verify(self, password: str, password_hash: str | None) -> bool: ...

    def is_common(self, password: str) -> bool: ...
