"""The domain's error hierarchy; the web layer maps each kind to one HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """A business rule refused the operation. ``message`` is Italian, for the user."""

    def __init__(self, message: str, *, code: str = "domain_error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class IllegalTransition(DomainError):
    """A lifecycle move that the state machine does not allow (HTTP 409)."""

    def __init__(self, entity: str, current: str, action: str) -> None:
        super().__init__(
            f"{entity}: impossibile eseguire '{action}' dallo stato '{current}'",
            code="illegal_transition",
        )
        self.entity = entity
        self.current = current
        self.action = action


class InvalidField(DomainError):
    """An input value is wrong in itself (HTTP 422), naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", code="invalid_field")
        self.field = field
        self.reason = message


class NotFound(DomainError):
    """The thing asked for does not exist or is not visible to the actor (HTTP 404)."""

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} non trovato: {key}", code="not_found")
        self.entity = entity
        self.key = key


class Conflict(DomainError):
    """The operation clashes with existing data, e.g. a duplicate tax code (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="conflict")


class InsufficientCapacity(DomainError):
    """The fund cannot cover the reserve a guarantee needs (HTTP 409)."""

    def __init__(self, needed: object, free: object) -> None:
        super().__init__(
            f"capienza del fondo insufficiente (servono {needed} €, disponibili {free} €)",
            code="insufficient_fund_capacity",
        )
        self.needed = needed
        self.free = free


class BooksOutOfBalance(DomainError):
    """The fund row's running balances disagree with its day totals: trust neither (HTTP 409)."""

    def __init__(self, fund: str) -> None:
        super().__init__(
            f"i saldi del fondo {fund} non corrispondono ai totali giornalieri delle scritture: "
            "operazione sospesa, eseguire «garanzia audit verify»",
            code="books_out_of_balance",
        )


class PermissionDenied(DomainError):
    """The acting user's role may not perform this action (HTTP 403)."""

    def __init__(self, role: str, action: str) -> None:
        super().__init__(f"il ruolo '{role}' non può eseguire '{action}'", code="forbidden")


class InvalidFacts(InvalidField):
    """Facts given to an eligibility evaluation are missing or of the wrong type (HTTP 422).

    ``field`` names the first wrong fact; ``problems`` maps every wrong fact to its reason.
    """

    def __init__(self, problems: dict[str, str]) -> None:
        if not problems:
            raise ValueError("InvalidFacts needs at least one problem")
        field, reason = next(iter(problems.items()))
        super().__init__(field, reason)
        self.code = "invalid_facts"
        self.problems = dict(problems)
        if len(problems) > 1:
            self.message = "; ".join(f"{name}: {why}" for name, why in problems.items())
            self.args = (self.message,)


@dataclass(frozen=True)
class DefinitionProblem:
    """One inconsistency in a product or rule-set definition.

    ``where`` locates it inside the definition as a path of keys and indexes, e.g.
    ``("rules", 3, "pass_when")``, so a file loader can turn it into a file and a line.
    """

    where: tuple[str | int, ...]
    reason: str


class InvalidDefinition(DomainError):
    """A product or rule-set definition contradicts itself; refused before any use."""

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        if not problems:
            raise ValueError("InvalidDefinition needs at least one problem")
        text = "; ".join(
            f"{'.'.join(str(part) for part in p.where) or '(root)'}: {p.reason}" for p in problems
        )
        super().__init__(f"definizione non valida: {text}", code="invalid_definition")
        self.problems = list(problems)
