"""How people are reached, checked the same way for landlords and households."""

from __future__ import annotations

from guarantee.domain.errors import InvalidField


def email_address(value: str, field: str = "email") -> str:
    stripped = value.strip()
    local, _, domain = stripped.partition("@")
    if not local or "." not in domain or " " in stripped or len(stripped) > 254:
        raise InvalidField(field, "indirizzo email non valido")
    return stripped.lower()


def optional_text(value: str | None, field: str, max_length: int) -> str | None:
    """Blank is absent; too long is refused rather than cut (an address cut is wrong)."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > max_length:
        raise InvalidField(field, f"al massimo {max_length} caratteri")
    return text


def required_reason(reason: str | None) -> str:
    """Every change staff make to a record says why: the audit trail keeps it."""
    text = (reason or "").strip()
    if not text:
        raise InvalidField("reason", "indicare il motivo della modifica")
    return text
