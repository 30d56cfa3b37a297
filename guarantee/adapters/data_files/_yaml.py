"""YAML documents with a line number for every key, and exact numbers.

PyYAML's composed nodes carry marks; we index them by path (``("rules", 3, "kind")``)
so any later check can say on which line the trouble is. Floats are built as
``Decimal`` from their source text, so ``3000.00`` is exact and money never
touches binary floating point.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from guarantee.adapters.data_files._numbers import (
    expression_problems,
    looks_like_expression,
    number_problem,
)
from guarantee.services.data_files import DataFileError, FileProblem

Where = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader whose floats are exact decimals."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    assert isinstance(node, yaml.ScalarNode)
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} non è un numero finito", node.start_mark
        )
    return value


def _construct_date(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    # 2026-13-01 looks like a date to YAML but is none: say where, not "month must be in 1..12".
    assert isinstance(node, yaml.ScalarNode)
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' non è una data esistente ({exc})", node.start_mark
        ) from exc


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)


def display_path(path: Path) -> str:
    """The path as the user should read it: relative to the working directory if inside."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


@dataclass(frozen=True)
class YamlDocument:
    path: Path
    display: str
    data: object
    lines: dict[Where, int]
    raw: bytes

    def line_of(self, where: Where) -> int | None:
        """Line of the deepest existing part of ``where`` (the parent for a missing key)."""
        for end in range(len(where), -1, -1):
            line = self.lines.get(where[:end])
            if line is not None:
                return line
        return None

    def problem(self, where: Where, reason: str) -> FileProblem:
        return FileProblem(self.display, self.line_of(where), reason)


def read_yaml(path: Path) -> YamlDocument:
    """Parse one YAML file; raise ``DataFileError`` for unreadable text or duplicate keys."""
    display = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(
            [FileProblem(display, None, f"file illeggibile: {exc.strerror}")]
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = "il file non è testo UTF-8: salvarlo con codifica UTF-8"
        raise DataFileError([FileProblem(display, None, reason)]) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise DataFileError([FileProblem(display, 1, "il file è vuoto")])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(part for part in (exc.context, exc.problem) if part)
        raise DataFileError([FileProblem(display, line, _yaml_reason(reason))]) from exc
    except yaml.YAMLError as exc:
        raise DataFileError([FileProblem(display, None, _yaml_reason(str(exc)))]) from exc
    finally:
        loader.dispose()
    lines: dict[Where, int] = {(): node.start_mark.line + 1}
    problems: list[FileProblem] = []
    _index(node, (), lines, problems, display)
    if problems:
        raise DataFileError(problems)
    return YamlDocument(path, display, data, lines, raw)


def _index(
    node: yaml.Node,
    where: Where,
    lines: dict[Where, int],
    problems: list[FileProblem],
    display: str,
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[object] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                # PyYAML would silently keep the last one: a typo could hide a rule.
                reason = f"la chiave '{key}' compare due volte: ne va tenuta una sola"
                problems.append(FileProblem(display, line, reason))
            seen.add(key)
            lines[(*where, key)] = line
            _index(value_node, (*where, key), lines, problems, display)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*where, index)] = item.start_mark.line + 1
            _index(item, (*where, index), lines, problems, display)
    elif isinstance(node, yaml.ScalarNode):
        problems.extend(
            FileProblem(display, node.start_mark.line + 1, reason)
            for reason in _misreadings(node, where)
        )


def _misreadings(node: yaml.ScalarNode, where: Where) -> list[str]:
    """Numbers and codes the file would silently read otherwise than a person means them."""
    text = str(node.value)
    quoted = node.style is not None
    if node.tag == "tag:yaml.org,2002:str" and looks_like_expression(
        where[-1] if where else None, text
    ):
        return expression_problems(text)
    if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        found = number_problem(text, quoted=quoted)
        return [found] if found else []
    return []


def _yaml_reason(detail: str) -> str:
    """PyYAML's complaint, introduced in Italian with the most common cause."""
    hint = ""
    if "mapping values are not allowed" in detail:
        hint = " (un ':' dentro un testo: metterlo tra virgolette)"
    elif "found character '\\t'" in detail:
        hint = " (un tabulatore: rientrare con spazi)"
    elif "expected <block end>" in detail or "did not find expected" in detail:
        hint = " (rientri non allineati o una virgoletta non chiusa)"
    return f"il file non è YAML valido{hint}: {detail}"
