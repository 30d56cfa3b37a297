"""The manifest of document templates: file, version, title and declared context of each kind.

``templates/documents/manifest.yaml`` is the single place where a template's
version lives and where the data it needs is written down. The same
declaration checks every context before rendering, so a caller learns every
missing or misspelled variable at once, with its full path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import yaml

from guarantee.adapters.document_errors import (
    DocumentContextError,
    MissingContextError,
    TemplateManifestError,
)
from guarantee.domain.documents import DocumentKind

MANIFEST_NAME = "manifest.yaml"
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_VERSION = re.compile(r"\d+\.\d+")
_CHOICE_PREFIX = "one of:"


class FieldType(StrEnum):
    TEXT = "text"
    TEXT_LIST = "text[]"
    MONEY = "money"  # Decimal euros
    PERCENT = "percent"  # Decimal fraction, 0.40 is 40%
    DATE = "date"
    TIME = "time"
    INT = "int"
    BOOL = "bool"
    CHOICE = "one of"  # written "one of: a, b, c"; the value is one of those strings


def _fits(value: object, field: Field) -> bool:
    match field.type:
        case FieldType.CHOICE:
            return value in field.choices
        case FieldType.TEXT:
            return isinstance(value, str)
        case FieldType.TEXT_LIST:
            return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        case FieldType.MONEY | FieldType.PERCENT:
            return isinstance(value, Decimal) and value.is_finite()
        case FieldType.DATE:
            return isinstance(value, date) and not isinstance(value, datetime)
        case FieldType.TIME:
            return isinstance(value, time)
        case FieldType.INT:
            return isinstance(value, int) and not isinstance(value, bool)
        case FieldType.BOOL:
            return isinstance(value, bool)
        case None:
            return False


@dataclass(frozen=True, slots=True)
class Field:
    """One declared variable: a typed leaf, a record of fields, or a list of records."""

    name: str
    type: FieldType | None = None  # None for a record or a list of records
    children: tuple[Field, ...] = ()
    is_list: bool = False
    choices: tuple[str, ...] = ()

    @property
    def type_label(self) -> str:
        if self.type is FieldType.CHOICE:
            return f"one of {', '.join(self.choices)}"
        return str(self.type)

    def describe(self, prefix: str = "") -> Iterator[str]:
        """Lines such as ``instalments[].amount: money`` for documentation."""
        path = f"{prefix}{self.name}{'[]' if self.is_list else ''}"
        if self.type is not None:
            yield f"{path}: {self.type_label}"
        for child in self.children:
            yield from child.describe(path + ".")


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    kind: DocumentKind
    file: str  # template name relative to the templates folder
    version: str
    title: str
    fields: tuple[Field, ...]  # the common fields first, then the kind's own

    def describe(self) -> list[str]:
        return [line for field in self.fields for line in field.describe()]

    def check(self, context: Mapping[str, object]) -> None:
        """Refuse a context that lacks, adds or mistypes any declared variable."""
        problems = _Problems()
        _check_record(self.fields, context, "", problems)
        if problems.missing:
            raise MissingContextError(self.file, problems.missing)
        if problems.unexpected:
            raise DocumentContextError(self.file, "unexpected variable", problems.unexpected)
        if problems.mistyped:
            raise DocumentContextError(self.file, "wrong type", problems.mistyped)


@dataclass(slots=True)
class _Problems:
    missing: list[str] = dataclass_field(default_factory=list)
    unexpected: list[str] = dataclass_field(default_factory=list)
    mistyped: list[str] = dataclass_field(default_factory=list)


def _check_record(
    fields: Sequence[Field], record: Mapping[str, object], prefix: str, problems: _Problems
) -> None:
    declared = {field.name for field in fields}
    problems.unexpected.extend(f"{prefix}{key}" for key in record if key not in declared)
    for field in fields:
        path = f"{prefix}{field.name}"
        if field.name not in record:
            problems.missing.append(path)
            continue
        value = record[field.name]
        if field.type is not None:
            if not _fits(value, field):
                problems.mistyped.append(f"{path} (expected {field.type_label})")
        elif field.is_list:
            if not isinstance(value, list | tuple):
                problems.mistyped.append(f"{path} (expected a list)")
                continue
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    _check_record(field.children, item, f"{path}[{index}].", problems)
                else:
                    problems.mistyped.append(f"{path}[{index}] (expected a record)")
        elif isinstance(value, Mapping):
            _check_record(field.children, value, f"{path}.", problems)
        else:
            problems.mistyped.append(f"{path} (expected a record)")


def _parse_fields(raw: object, where: str, file: str) -> tuple[Field, ...]:
    """Read the compact YAML form: ``name`` (text), ``{name: type}``,
    ``{name: "one of: a, b"}``, ``{name: [fields]}`` (a record) or
    ``{"name[]": [fields]}`` (a list of records)."""
    if not isinstance(raw, list) or not raw:
        raise TemplateManifestError(file, f"{where}: expected a non-empty list of fields")
    fields: list[Field] = []
    for index, item in enumerate(raw):
        here = f"{where}[{index}]"
        if isinstance(item, str):
            name, spec = item, "text"
        elif isinstance(item, dict) and len(item) == 1:
            ((name, spec),) = item.items()
        else:
            raise TemplateManifestError(file, f"{here}: expected a name or one name: spec pair")
        is_list = isinstance(name, str) and name.endswith("[]")
        bare = name[:-2] if is_list else name
        if not isinstance(bare, str) or not _NAME.fullmatch(bare):
            raise TemplateManifestError(file, f"{here}: bad variable name {name!r}")
        if isinstance(spec, list):
            children = _parse_fields(spec, f"{here}.{bare}", file)
            fields.append(Field(bare, None, children, is_list))
        elif is_list:
            raise TemplateManifestError(file, f"{here}: {name} needs a list of fields")
        elif isinstance(spec, str) and spec.startswith(_CHOICE_PREFIX):
            choices = tuple(c.strip() for c in spec[len(_CHOICE_PREFIX) :].split(","))
            if not all(choices):
                raise TemplateManifestError(file, f"{here}: empty choice in {spec!r}")
            fields.append(Field(bare, FieldType.CHOICE, choices=choices))
        else:
            try:
                kind = FieldType(spec)
                if kind is FieldType.CHOICE:
                    raise ValueError(spec)
                fields.append(Field(bare, kind))
            except ValueError:
                known = ", ".join(t.value for t in FieldType)
                raise TemplateManifestError(
                    file, f"{here}: unknown type {spec!r} for {bare} (known: {known})"
                ) from None
    names = [field.name for field in fields]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise TemplateManifestError(file, f"{where}: declared twice: {', '.join(duplicates)}")
    return tuple(fields)


def _text(entry: Mapping[str, object], key: str, where: str, file: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TemplateManifestError(file, f"{where}.{key}: expected a non-empty string")
    return value


def load_manifest(documents_dir: Path) -> dict[DocumentKind, DocumentSpec]:
    """Read and check ``manifest.yaml``; every error names the file and the entry."""
    path = documents_dir / MANIFEST_NAME
    file = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateManifestError(file, f"cannot read: {exc}") from exc
    if not isinstance(raw, dict) or set(raw) != {"common", "documents"}:
        raise TemplateManifestError(file, "expected exactly the keys 'common' and 'documents'")
    common = _parse_fields(raw["common"], "common", file)
    documents = raw["documents"]
    if not isinstance(documents, dict):
        raise TemplateManifestError(file, "documents: expected a mapping of kinds")
    known = {kind.value for kind in DocumentKind}
    if set(documents) != known:
        absent = ", ".join(sorted(known - set(documents))) or "none"
        unknown = ", ".join(sorted(map(str, set(documents) - known))) or "none"
        raise TemplateManifestError(
            file, f"documents: kinds missing: {absent}; unknown kinds: {unknown}"
        )
    specs: dict[DocumentKind, DocumentSpec] = {}
    for kind in DocumentKind:
        entry = documents[kind.value]
        where = f"documents.{kind.value}"
        if not isinstance(entry, dict):
            raise TemplateManifestError(file, f"{where}: expected a mapping")
        unknown_keys = set(entry) - {"file", "version", "title", "required"}
        if unknown_keys:
            raise TemplateManifestError(file, f"{where}: unknown keys {sorted(unknown_keys)}")
        version = _text(entry, "version", where, file)
        if not _VERSION.fullmatch(version):
            raise TemplateManifestError(
                file, f"{where}.version: expected MAJOR.MINOR, not {version!r}"
            )
        own = _parse_fields(entry.get("required"), f"{where}.required", file)
        clash = {f.name for f in own} & {f.name for f in common}
        if clash:
            raise TemplateManifestError(file, f"{where}: redeclares common {sorted(clash)}")
        template = _text(entry, "file", where, file)
        if not (documents_dir / template).is_file():
            raise TemplateManifestError(file, f"{where}.file: no such template {template!r}")
        specs[kind] = DocumentSpec(
            kind=kind,
            file=f"{documents_dir.name}/{template}",
            version=version,
            title=_text(entry, "title", where, file),
            fields=common + own,
        )
    return specs
