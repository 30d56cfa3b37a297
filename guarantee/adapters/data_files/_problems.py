"""Turning pydantic and domain complaints into file-and-line problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from guarantee.adapters.data_files._yaml import Where, YamlDocument
from guarantee.domain.errors import InvalidDefinition
from guarantee.services.data_files import FileProblem


def validation_problems(doc: YamlDocument, exc: ValidationError) -> list[FileProblem]:
    """One problem per pydantic error, on the line of the key it concerns, in Italian.

    The person reading it edits a YAML file, not a pydantic model: "String should match
    pattern '^[a-z]...'" becomes what the value must look like, with an example.
    """
    problems: list[FileProblem] = []
    for error in exc.errors(include_url=False):
        where: Where = tuple(error["loc"])
        # A union (e.g. date | None) reports one error per branch with the branch in the
        # path ("valid_to.date"): the key the person wrote is the path without it.
        where = tuple(part for part in where if part not in _BRANCHES)
        label, rest = _label(doc, where)
        reason = label + _explain(error, rest)
        problem = doc.problem(where, reason)
        if problem not in problems:
            problems.append(problem)
    return problems


_BRANCHES = {"date", "none", "str", "int", "decimal", "bool", "function-after", "function-before"}

_PATTERNS = {
    r"^[a-z][a-z0-9_]*$": "solo lettere minuscole, cifre e '_', iniziando con una lettera "
    "(es. isee_massimo)",
    r"^[a-z][a-z0-9-]*$": "solo lettere minuscole, cifre e '-', iniziando con una lettera "
    "(es. garanzia-casa)",
}


def _explain(error: Mapping[str, Any], rest: Where) -> str:
    """ "chiave 'x': <what is wrong and what to write>" for one pydantic error."""
    kind = str(error["type"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    found = error.get("input")
    key = f"chiave '{rest[-1]}'" if rest and isinstance(rest[-1], str) else ""
    where = "chiave '" + ".".join(str(part) for part in rest) + "'" if rest else ""
    shown = f" (trovato {_show(found)})" if kind not in ("missing", "extra_forbidden") else ""
    if kind == "extra_forbidden":
        return f"chiave '{rest[-1] if rest else ''}' sconosciuta: togliere o correggere"
    if kind == "missing":
        return f"manca la {key or 'chiave richiesta'}"
    text = _TEXTS.get(kind)
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        text = "deve contenere " + _PATTERNS.get(pattern, f"un testo nella forma {pattern}")
    elif kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", " o ")
        text = f"deve essere uno tra {expected}"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        text = f"{_TEXTS[kind]} {bound}"
    elif kind in ("too_short", "string_too_short"):
        text = "non può essere vuoto"
    elif kind == "decimal_max_places":
        text = (
            f"al massimo {ctx.get('decimal_places')} decimali: un importo si scrive al "
            "centesimo, es. 3000.00"
        )
    elif kind == "value_error":
        text = str(error["msg"]).removeprefix("Value error, ")
    elif text is None:
        text = f"valore non valido ({error['msg']})"
    prefix = f"{where}: " if where else ""
    return f"{prefix}{text}{shown}"


_TEXTS = {
    "decimal_parsing": "deve essere un numero con il punto per i decimali, es. 3000.00",
    "decimal_type": "deve essere un numero con il punto per i decimali, es. 3000.00",
    "decimal_max_digits": "troppe cifre",
    "int_type": "deve essere un numero intero senza virgolette, es. 36",
    "int_parsing": "deve essere un numero intero, es. 36",
    "int_from_float": "deve essere un numero intero, senza decimali",
    "bool_type": "deve essere true (sì) o false (no), senza virgolette",
    "bool_parsing": "deve essere true (sì) o false (no)",
    "date_type": "deve essere una data AAAA-MM-GG senza virgolette, es. 2026-01-01",
    "date_parsing": "deve essere una data AAAA-MM-GG, es. 2026-01-01",
    "date_from_datetime_parsing": "deve essere una data AAAA-MM-GG, es. 2026-01-01",
    "date_from_datetime_inexact": "deve essere una data AAAA-MM-GG, senza ora",
    "string_type": "deve essere un testo (tra virgolette se sembra un numero o una data)",
    "list_type": "deve essere un elenco, es. [isee] oppure righe che iniziano con '- '",
    "dict_type": "deve essere un gruppo di chiavi (chiave: valore), una per riga",
    "model_type": "deve essere un gruppo di chiavi (chiave: valore), una per riga",
    "model_attributes_type": "deve essere un gruppo di chiavi (chiave: valore), una per riga",
    "none_required": "deve essere null",
    "greater_than_equal": "deve essere almeno",
    "greater_than": "deve essere maggiore di",
    "less_than_equal": "deve essere al massimo",
    "less_than": "deve essere minore di",
}


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, dict) and value:
        text = "un gruppo di chiavi"
    elif isinstance(value, list) and value:
        text = "un elenco"
    return text if len(text) <= 60 else text[:57] + "..."


def definition_problems(
    doc: YamlDocument,
    exc: InvalidDefinition,
    translate: Callable[[Where], Where] | None = None,
) -> list[FileProblem]:
    """Domain problems located by path inside the definition, placed on their line."""
    return [
        doc.problem(translate(problem.where) if translate else problem.where, problem.reason)
        for problem in exc.problems
    ]


def _label(doc: YamlDocument, where: Where) -> tuple[str, Where]:
    """("regola 'isee', ", rest of the path) when the path is inside a rule with a code.

    "regola 'isee', chiave 'kind': ..." reads better than "rules.1.kind: ...".
    """
    if len(where) >= 2 and where[0] == "rules" and isinstance(where[1], int):
        data = doc.data
        if isinstance(data, Mapping):
            rules = data.get("rules")
            if isinstance(rules, list) and where[1] < len(rules):
                rule = rules[where[1]]
                if isinstance(rule, Mapping) and isinstance(rule.get("code"), str):
                    return f"regola '{rule['code']}', ", where[2:]
    return "", where
