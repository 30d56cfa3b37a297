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
            None, None, f"{node.value!r} is not a finite number", node.start_mark
        )
    return value


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


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
        raise DataFileError([FileProblem(display, None, f"cannot read: {exc.strerror}")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError([FileProblem(display, None, "not UTF-8 text")]) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise DataFileError([FileProblem(display, 1, "the file is empty")])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(part for part in (exc.context, exc.problem) if part)
        raise DataFileError([FileProblem(display, line, f"invalid YAML: {reason}")]) from exc
    except yaml.YAMLError as exc:
        raise DataFileError([FileProblem(display, None, f"invalid YAML: {exc}")]) from exc
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
                problems.append(FileProblem(display, line, f"duplicate key '{key}'"))
            seen.add(key)
            lines[(*where, key)] = line
            _index(value_node, (*where, key), lines, problems, display)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*where, index)] = item.start_mark.line + 1
            _index(item, (*where, index), lines, problems, display)
