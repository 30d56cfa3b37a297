"""Validation of Italian identifiers and bank accounts with maintained libraries."""

from __future__ import annotations

import re

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva

from guarantee.domain.errors import InvalidField

_ISTAT_CODE = re.compile(r"^\d{6}$")


def tax_code(value: str, field: str = "tax_code") -> str:
    """A person's codice fiscale, normalised (upper case, no spaces)."""
    try:
        return str(codicefiscale.validate(value))
    except StdnumError as exc:
        raise InvalidField(field, f"codice fiscale non valido ({exc})") from exc


def vat_number(value: str, field: str = "vat_number") -> str:
    """A company's partita IVA (11 digits with check digit)."""
    try:
        return str(iva.validate(value))
    except StdnumError as exc:
        raise InvalidField(field, f"partita IVA non valida ({exc})") from exc


def iban(value: str, field: str = "iban") -> str:
    """An IBAN in compact form; the check digits and the national format are verified."""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as exc:
        raise InvalidField(field, f"IBAN non valido ({exc})") from exc


def istat_code(value: str, field: str = "municipality_istat_code") -> str:
    if not _ISTAT_CODE.match(value):
        raise InvalidField(field, "il codice ISTAT del comune ha 6 cifre")
    return value
