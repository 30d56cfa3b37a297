"""The domain's error hierarchy; the web layer maps each kind to one HTTP status."""

from __future__ import annotations


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


class PermissionDenied(DomainError):
    """The acting user's role may not perform this action (HTTP 403)."""

    def __init__(self, role: str, action: str) -> None:
        super().__init__(f"il ruolo '{role}' non può eseguire '{action}'", code="forbidden")
