"""Turning pydantic and domain complaints into file-and-line problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import ValidationError

from guarantee.adapters.data_files._yaml import Where, YamlDocument
from guarantee.domain.errors import InvalidDefinition
from guarantee.services.data_files import FileProblem


def validation_problems(doc: YamlDocument, exc: ValidationError) -> list[FileProblem]:
    """One problem per pydantic error, on the line of the key it concerns."""
    problems: list[FileProblem] = []
    for error in exc.errors(include_url=False):
        where: Where = tuple(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        kind = error["type"]
        if kind == "extra_forbidden":
            reason = _label(doc, where)[0] + f"unknown key '{where[-1]}'"
        elif kind == "missing":
            reason = _label(doc, where)[0] + f"missing key '{where[-1]}'"
        else:
            label, rest = _label(doc, where)
            field = ".".join(str(part) for part in rest)
            reason = label + (f"{field}: {message}" if field else message)
        problems.append(doc.problem(where, reason))
    return problems


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
    """("rule 'isee': ", rest of the path) when the path is inside a rule with a code.

    "rule 'isee': kind: ..." reads better than "rules.1.kind: ...".
    """
    if len(where) >= 2 and where[0] == "rules" and isinstance(where[1], int):
        data = doc.data
        if isinstance(data, Mapping):
            rules = data.get("rules")
            if isinstance(rules, list) and where[1] < len(rules):
                rule = rules[where[1]]
                if isinstance(rule, Mapping) and isinstance(rule.get("code"), str):
                    return f"rule '{rule['code']}': ", where[2:]
    return "", where
