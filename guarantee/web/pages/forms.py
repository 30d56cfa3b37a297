"""Reading HTML forms as people fill them in: Italian amounts and dates, errors by field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from guarantee.domain.actors import Actor
from guarantee.domain.errors import DomainError, InvalidField
from guarantee.services.commands import Command
from guarantee.services.messagebus import MessageBus

_ITALIAN_AMOUNT = re.compile(r"^\d{1,3}(\.\d{3})*(,\d{1,2})?$|^\d+(,\d{1,2})?$")
_PLAIN_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


def amount(text: str, field_name: str, *, allow_zero: bool = False) -> Decimal:
    """``1.234,50``, ``1234,50`` or ``1234.50`` (what a browser's number field sends);
    ``allow_zero`` where nothing is a valid answer (an item refused in full)."""
    value = text.strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    if _PLAIN_AMOUNT.match(value):
        cleaned = value
    elif _ITALIAN_AMOUNT.match(value):
        cleaned = value.replace(".", "").replace(",", ".")
    else:
        raise InvalidField(field_name, "importo non valido: scrivere per esempio 650,00")
    try:
        result = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above allow only digits
        raise InvalidField(field_name, "importo non valido") from exc
    if result < 0 or (result == 0 and not allow_zero):
        raise InvalidField(field_name, "l'importo deve essere maggiore di zero")
    return result


def day(text: str, field_name: str) -> date:
    """A date field (``2027-05-05``) or a date typed as ``05/05/2027``."""
    value = text.strip()
    try:
        if re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", value):
            d, m, y = (int(part) for part in value.split("/"))
            return date(y, m, d)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidField(field_name, "data non valida: scrivere per esempio 05/05/2027") from exc


@dataclass
class FormState:
    """What was typed, and the errors to show beside each field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: str = ""

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> FormState:
        return cls(values={k: str(v) for k, v in data.items() if isinstance(v, str)})

    def refuse(self, error: InvalidField, *, rename: Mapping[str, str] | None = None) -> None:
        """Put the domain's refusal beside the field it names (in the form's own names)."""
        name = (rename or {}).get(error.field, error.field)
        self.errors[name] = error.reason

    @property
    def ok(self) -> bool:
        return not self.errors and not self.general


def send(
    bus: MessageBus,
    command: Command,
    actor: Actor,
    form: FormState,
    *,
    rename: Mapping[str, str] | None = None,
) -> Any:
    """A form's command through the bus, as every page sends one: the handler's result, or
    None with the refusal on ``form`` — beside the field the domain names (in the form's own
    names), else on top of the form. Callers read ``form.ok`` to know which."""
    try:
        return bus.handle(command, actor)
    except InvalidField as error:
        form.refuse(error, rename=rename)
    except DomainError as error:
        form.general = error.message
    return None
