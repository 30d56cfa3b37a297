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

from guarantee.adapters.data_files._yaml import Where, YamlDocument, read_yaml
from guarantee.adapters.document_errors import (
    DocumentContextError,
    MissingContextError,
    TemplateManifestError,
)
from guarantee.domain.documents import DocumentKind
from guarantee.services.data_files import DataFileError

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


class _Manifest:
    """The manifest being read: its parsed data and the line of every key, so that each
    refusal says where to look (``file:line: what``), in Italian, as for the other data
    files a fund manager edits."""

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.file = str(document.path)

    def error(self, where: Where, problem: str) -> TemplateManifestError:
        return TemplateManifestError(self.file, problem, self.document.line_of(where))


def _label(where: Where) -> str:
    """``("documents", "rent_plan", "required", 3)`` as ``documents.rent_plan.required[3]``."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _parse_fields(raw: object, where: Where, manifest: _Manifest) -> tuple[Field, ...]:
    """Read the compact YAML form: ``name`` (text), ``{name: type}``,
    ``{name: "one of: a, b"}``, ``{name: [fields]}`` (a record) or
    ``{"name[]": [fields]}`` (a list of records)."""
    if not isinstance(raw, list) or not raw:
        raise manifest.error(where, f"{_label(where)}: serve un elenco non vuoto di variabili")
    fields: list[Field] = []
    for index, item in enumerate(raw):
        here = (*where, index)
        if isinstance(item, str):
            name, spec = item, "text"
        elif isinstance(item, dict) and len(item) == 1:
            ((name, spec),) = item.items()
        else:
            raise manifest.error(
                here, f"{_label(here)}: serve un nome, oppure una coppia «nome: tipo»"
            )
        is_list = isinstance(name, str) and name.endswith("[]")
        bare = name[:-2] if is_list else name
        if not isinstance(bare, str) or not _NAME.fullmatch(bare):
            raise manifest.error(
                here,
                f"{_label(here)}: nome di variabile non valido {name!r} "
                "(lettere minuscole, cifre e _, iniziando con una lettera)",
            )
        if isinstance(spec, list):
            children = _parse_fields(spec, (*here, name), manifest)
            fields.append(Field(bare, None, children, is_list))
        elif is_list:
            raise manifest.error(here, f"{_label(here)}: {name} richiede un elenco di variabili")
        elif isinstance(spec, str) and spec.startswith(_CHOICE_PREFIX):
            choices = tuple(c.strip() for c in spec[len(_CHOICE_PREFIX) :].split(","))
            if not all(choices):
                raise manifest.error(here, f"{_label(here)}: scelta vuota in {spec!r}")
            fields.append(Field(bare, FieldType.CHOICE, choices=choices))
        else:
            try:
                kind = FieldType(spec)
                if kind is FieldType.CHOICE:
                    raise ValueError(spec)
                fields.append(Field(bare, kind))
            except ValueError:
                known = ", ".join(t.value for t in FieldType)
                raise manifest.error(
                    here,
                    f"{_label(here)}: tipo {spec!r} sconosciuto per {bare} (tipi: {known})",
                ) from None
    names = [field.name for field in fields]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise manifest.error(
            where, f"{_label(where)}: dichiarate due volte: {', '.join(duplicates)}"
        )
    return tuple(fields)


def _text(entry: Mapping[str, object], key: str, where: Where, manifest: _Manifest) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise manifest.error((*where, key), f"{_label((*where, key))}: serve un testo non vuoto")
    return value


def load_manifest(documents_dir: Path) -> dict[DocumentKind, DocumentSpec]:
    """Read and check ``manifest.yaml``; every refusal names the file, the line and the entry."""
    path = documents_dir / MANIFEST_NAME
    try:
        manifest = _Manifest(read_yaml(path))
    except DataFileError as exc:
        raise TemplateManifestError(str(path), exc.reason, exc.line) from exc
    raw = manifest.document.data
    if not isinstance(raw, dict) or set(raw) != {"common", "documents"}:
        raise manifest.error((), "servono esattamente le chiavi «common» e «documents»")
    common = _parse_fields(raw["common"], ("common",), manifest)
    documents = raw["documents"]
    if not isinstance(documents, dict):
        raise manifest.error(
            ("documents",), "documents: serve un tipo di documento per chiave, con la sua voce"
        )
    known = {kind.value for kind in DocumentKind}
    if set(documents) != known:
        absent = ", ".join(sorted(known - set(documents))) or "nessuno"
        unknown = ", ".join(sorted(map(str, set(documents) - known))) or "nessuno"
        raise manifest.error(
            ("documents",),
            f"documents: tipi di documento mancanti: {absent}; sconosciuti: {unknown}",
        )
    specs: dict[DocumentKind, DocumentSpec] = {}
    for kind in DocumentKind:
        entry = documents[kind.value]
        where: Where = ("documents", kind.value)
        label = _label(where)
        if not isinstance(entry, dict):
            raise manifest.error(
                where, f"{label}: serve una voce con file, version, title e required"
            )
        unknown_keys = set(entry) - {"file", "version", "title", "required"}
        if unknown_keys:
            raise manifest.error(where, f"{label}: chiavi sconosciute {sorted(unknown_keys)}")
        version = _text(entry, "version", where, manifest)
        if not _VERSION.fullmatch(version):
            raise manifest.error(
                (*where, "version"),
                f'{label}.version: serve MAGGIORE.MINORE (per esempio "1.2"), non {version!r}',
            )
        own = _parse_fields(entry.get("required"), (*where, "required"), manifest)
        clash = {f.name for f in own} & {f.name for f in common}
        if clash:
            raise manifest.error(
                (*where, "required"), f"{label}: ridichiara variabili comuni {sorted(clash)}"
            )
        template = _text(entry, "file", where, manifest)
        if not (documents_dir / template).is_file():
            raise manifest.error(
                (*where, "file"), f"{label}.file: il modello {template!r} non esiste"
            )
        specs[kind] = DocumentSpec(
            kind=kind,
            file=f"{documents_dir.name}/{template}",
            version=version,
            title=_text(entry, "title", where, manifest),
            fields=common + own,
        )
    return specs
