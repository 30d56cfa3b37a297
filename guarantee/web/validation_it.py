"""The validation library's messages said in Italian, as the rest of the API speaks.

pydantic and Litestar word their refusals in English from a small set of templates; each
template here becomes an Italian sentence with the same numbers and names. An unknown one
becomes a generic Italian refusal rather than leaking English to the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, say: str | Callable[[re.Match[str]], str]) -> _Rule:
    compiled = re.compile(pattern, re.IGNORECASE)
    return (compiled, say if callable(say) else (lambda m, text=say: m.expand(text)))


def _choices(match: re.Match[str]) -> str:
    options = match.group(1).replace(" or ", ", ")
    return f"valore non ammesso: scegliere tra {options}"


RULES: list[_Rule] = [
    _rule(r"^Field required$", "campo obbligatorio"),
    _rule(r"^Extra inputs are not permitted$", "campo non previsto"),
    _rule(r"^Value error, (.+)$", r"\1"),
    _rule(r"^Assertion failed, (.+)$", r"\1"),
    _rule(r"^Input should be a valid string", "deve essere un testo"),
    _rule(r"^Input should be a valid integer", "deve essere un numero intero"),
    _rule(r"^Input should be a valid decimal", "deve essere un importo, per esempio 650.00"),
    _rule(r"^Input should be a valid number", "deve essere un numero"),
    _rule(r"^Input should be a valid date", "deve essere una data nel formato AAAA-MM-GG"),
    _rule(r"^Input should be a valid time", "deve essere un orario nel formato HH:MM"),
    _rule(r"^Input should be a valid datetime", "deve essere data e ora (AAAA-MM-GGTHH:MM)"),
    _rule(r"^Input should be a valid boolean", "deve essere true o false"),
    _rule(r"^Input should be a valid list", "deve essere un elenco"),
    _rule(r"^Input should be a valid (dictionary|object)", "deve essere un oggetto JSON"),
    _rule(r"^Input should be a valid UUID", "identificativo non valido"),
    _rule(r"^Input should be a finite number", "deve essere un numero finito"),
    _rule(r"^Input should be (.+)$", _choices),
    _rule(r"^String should have at least (\d+) characters?", r"almeno \1 caratteri"),
    _rule(r"^String should have at most (\d+) characters?", r"al massimo \1 caratteri"),
    _rule(r"^String should match pattern", "formato non valido"),
    _rule(r"^Input should be greater than or equal to (.+)$", r"deve essere almeno \1"),
    _rule(r"^Input should be greater than (.+)$", r"deve essere maggiore di \1"),
    _rule(r"^Input should be less than or equal to (.+)$", r"deve essere al massimo \1"),
    _rule(r"^Input should be less than (.+)$", r"deve essere minore di \1"),
    _rule(
        r"^Decimal input should have no more than (\d+) decimal places?",
        r"al massimo \1 decimali",
    ),
    _rule(r"^Decimal input should have no more than (\d+) digits?", r"al massimo \1 cifre"),
    _rule(r"^List should have at least (\d+) items?", r"almeno \1 elementi"),
    _rule(r"^List should have at most (\d+) items?", r"al massimo \1 elementi"),
    _rule(r"^Invalid JSON", "JSON non valido"),
    _rule(r"^JSON input should be", "JSON non valido"),
    _rule(r"^Base64 decoding error", "contenuto base64 non valido"),
    _rule(r"^Missing required (\w+) parameter '([^']+)'", r"parametro obbligatorio mancante: \2"),
    _rule(r"^Expected `(\w+)`", "tipo di valore non valido"),
]


def in_italian(message: str) -> str:
    text = message.strip()
    for pattern, say in RULES:
        match = pattern.search(text)
        if match:
            return say(match)
    return "valore non valido"
