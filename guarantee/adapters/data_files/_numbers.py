"""Numbers and codes that a person would read one way and the machine another.

A fund manager writes ``26.000`` meaning twenty-six thousand (the Italian thousands dot),
``1.234,56`` for an amount with cents, ``001125`` for an ISTAT code. YAML and Python read
the first as 26, refuse or mis-type the second and turn the third into a number without
its zeros (or even an octal one). None of these is ever read "as meant" by guessing: the
same text can honestly mean 4 € or 4,000 €, so each is refused with a message that says
what would have been read and what to write instead. The checks are pure functions of
the text so the YAML and CSV readers share them.
"""

from __future__ import annotations

import re

# 26.000, 1.234.567 — a thousands dot; never starts with 0 (0.300 is a plain decimal).
_THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2}(?:\.\d{3})+")
# 1.234,56 — 26.000,00 — 4,50: a decimal comma, with or without thousands dots.
_COMMA_DECIMAL = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")
# 001125 — an integer with leading zeros (YAML 1.1 reads it as octal, or drops the zeros).
_LEADING_ZEROS = re.compile(r"[-+]?0\d+")
# Inside a condition: a thousands-dotted number that is not part of a longer token.
_IN_EXPRESSION = re.compile(r"(?<![\w.])([1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?)(?![\w.])")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_OPERATORS = ("<", ">", "==", "!=", "..")


def plain_number(text: str) -> str:
    """``1.234,56`` → ``1234.56``: how the file must write the number a person meant."""
    return text.replace(".", "").replace(",", ".")


def _dotted_value(text: str) -> str:
    # What Python reads in "26.000": 26 (trailing zeros dropped, as a person would say it).
    value = text.rstrip("0").rstrip(".")
    return value if value not in ("", "-", "+") else "0"


def number_problem(text: str, *, quoted: bool) -> str | None:
    """Why a whole value (a YAML scalar or a CSV cell) would be misread, or None.

    ``quoted`` values are text in YAML: leading zeros are then kept on purpose (a code).
    """
    text = text.strip()
    if _COMMA_DECIMAL.fullmatch(text):
        return (
            f"'{text}' è un numero scritto all'italiana, con la virgola: nei file i "
            f"decimali si separano con il punto e le migliaia non si separano; scrivere "
            f"{plain_number(text)}"
        )
    if _THOUSANDS.fullmatch(text):
        return (
            f"'{text}' è ambiguo: verrebbe letto come {_dotted_value(text)} perché il punto "
            f"separa i decimali; se si intende {plain_number(text)} scrivere "
            f"{plain_number(text)} (senza punto delle migliaia), se si intende "
            f"{_dotted_value(text)} scrivere {_dotted_value(text)}"
        )
    if not quoted and _LEADING_ZEROS.fullmatch(text):
        return (
            f"'{text}' senza virgolette è letto come numero e perde gli zeri iniziali: "
            f'un codice (ISTAT, CAP...) va scritto tra virgolette, "{text}"'
        )
    return None


def looks_like_expression(key: object, text: str) -> bool:
    """A condition (``pass_when``, a decision-table cell such as ``<= 26000``), not prose."""
    if isinstance(key, str) and key.endswith("when"):
        return True
    if isinstance(key, str) and key in ("message", "description", "name", "why", "label"):
        return False
    return any(operator in text for operator in _OPERATORS)


def expression_problems(text: str) -> list[str]:
    """Italian-format numbers inside a condition, each with what to write instead.

    Text between quotes is left alone: ``municipality == '1.234'`` compares text.
    """
    unquoted = _QUOTED.sub(lambda match: " " * len(match.group()), text)
    problems: list[str] = []
    for match in _IN_EXPRESSION.finditer(unquoted):
        written = match.group(1)
        meant = plain_number(written)
        if "," in written:
            problems.append(
                f"nella condizione {text!r} il numero '{written}' è scritto all'italiana: "
                f"scrivere {meant}"
            )
        else:
            problems.append(
                f"nella condizione {text!r} il numero '{written}' verrebbe letto come "
                f"{_dotted_value(written)} (il punto separa i decimali): per "
                f"{meant} scrivere {meant}, senza punto delle migliaia"
            )
    return problems


# --- codes in CSV tables --------------------------------------------------------------

_CODE_LENGTHS = {"istat": (6, "codice ISTAT"), "cap": (5, "CAP")}


def code_kind(column: str) -> tuple[int, str] | None:
    """(digits, name) when ``column`` holds codes of a fixed length that keep their zeros."""
    name = column.lower()
    if "istat" in name:
        return _CODE_LENGTHS["istat"]
    if name in ("cap", "postal_code", "codice_postale") or name.endswith("_cap"):
        return _CODE_LENGTHS["cap"]
    return None


def code_problem(column: str, value: str) -> str | None:
    """A code cell that lost its leading zeros (1272 for 001272) or has the wrong length."""
    kind = code_kind(column)
    if kind is None or value in ("", "*"):
        return None
    digits, label = kind
    if not value.isdigit():
        return f"{label} '{value}' in '{column}': deve avere {digits} cifre"
    if len(value) < digits:
        return (
            f"{label} '{value}' in '{column}' ha {len(value)} cifre invece di {digits}: "
            f"probabilmente un foglio di calcolo ha tolto gli zeri iniziali; scrivere "
            f"'{value.zfill(digits)}' (e salvare la colonna come testo)"
        )
    if len(value) > digits:
        return f"{label} '{value}' in '{column}' ha {len(value)} cifre invece di {digits}"
    return None
