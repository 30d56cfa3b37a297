"""Loading rule sets (YAML + reference CSV), their examples and facts files."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from guarantee.adapters.data_files._models import (
    BandLookupModel,
    DerivedModel,
    ExamplesModel,
    FactCatalogueModel,
    MemberOfModel,
    ParameterHistoryModel,
    RuleSetModel,
    TableModel,
)
from guarantee.adapters.data_files._problems import definition_problems, validation_problems
from guarantee.adapters.data_files._reference import (
    read_banded_values,
    read_bands,
    read_csv,
    read_set,
)
from guarantee.adapters.data_files._yaml import YamlDocument, display_path, read_yaml
from guarantee.domain.eligibility import (
    FACT_KINDS,
    BandLookup,
    Cell,
    DateDifference,
    DatedParameter,
    DecisionTable,
    DerivedFact,
    FactCatalogue,
    FactSpec,
    MemberOf,
    Percentage,
    RuleExample,
    RuleSet,
    RuleSetCatalog,
    RuleSpec,
    TableRow,
    unknown_fact,
)
from guarantee.domain.errors import InvalidDefinition
from guarantee.services.data_files import DataFileError, ExampleFile, FileProblem

FACTS_FILE = "facts.yaml"
# A rule-set file outside a rules folder (a draft, a test fixture) reads the project's catalogue.
_PROJECT_RULES = Path(__file__).resolve().parents[3] / "rules"
EXAMPLES_SUFFIX = ".examples.yaml"


def ruleset_paths(rules_dir: Path) -> list[Path]:
    """Rule-set files: ``<rules_dir>/eligibility/*.yaml`` except the examples."""
    folder = rules_dir / "eligibility"
    return sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(EXAMPLES_SUFFIX))


def example_paths(rules_dir: Path) -> list[Path]:
    return sorted((rules_dir / "eligibility").glob("*" + EXAMPLES_SUFFIX))


def catalogue_path(near: Path) -> Path:
    """The fact catalogue for a rules folder or a file in it: ``facts.yaml`` of the nearest
    rules folder (up to two levels above), else the project's ``rules/facts.yaml``."""
    folder = near if near.is_dir() else near.parent
    for candidate in (folder, folder.parent, folder.parent.parent):
        # Only a rules folder (one with eligibility/): a facts file to evaluate may
        # well be called facts.yaml too.
        if (candidate / FACTS_FILE).is_file() and (candidate / "eligibility").is_dir():
            return candidate / FACTS_FILE
    return _PROJECT_RULES / FACTS_FILE


def load_fact_catalogue(path: Path) -> FactCatalogue:
    """Read ``facts.yaml``: each fact's kind, label, source; computed facts compiled."""
    doc = read_yaml(path)
    try:
        model = FactCatalogueModel.model_validate(doc.data)
    except ValidationError as exc:
        raise DataFileError(validation_problems(doc, exc)) from exc
    supplied: dict[str, FactSpec] = {}
    computed: list[DerivedFact] = []
    computed_specs: dict[str, FactSpec] = {}
    problems: list[FileProblem] = []
    digest = hashlib.sha256(doc.raw)
    for name, fact in model.facts.items():
        where: tuple[str | int, ...] = ("facts", name)
        choices = tuple(fact.choices)
        if fact.choices_file is not None:
            try:
                table_path = _reference(
                    doc, (*where, "choices_file", "file"), fact.choices_file.file
                )
                table = read_csv(table_path, (fact.choices_file.column,))
                digest.update(table.raw)
                choices = tuple(sorted(read_set(table, fact.choices_file.column, {})))
            except DataFileError as exc:
                problems += exc.problems
                continue
        spec = FactSpec(
            name=name,
            type=FACT_KINDS[fact.kind],
            description=fact.label,
            minimum=fact.minimum,
            choices=choices,
            pattern=fact.pattern,
            kind=fact.kind,
            unit=fact.unit,
            source=fact.source,
            provided=fact.provided,
        )
        if fact.computed is None:
            supplied[name] = spec
            continue
        try:
            derived = _derived(doc, name, fact.computed, (*where, "computed"), digest)
        except DataFileError as exc:
            problems += exc.problems
            continue
        if derived.type != spec.type:
            problems.append(
                doc.problem(
                    (*where, "kind"),
                    f"dato '{name}': dichiarato {fact.kind}, ma il calcolo dà {derived.type}",
                )
            )
        computed.append(derived)
        computed_specs[name] = spec
    known = dict(supplied)
    for fact_ in computed:
        where = ("facts", fact_.name, "computed")
        problems += [doc.problem(where, reason) for reason in fact_.problems(known)]
        if isinstance(fact_, DecisionTable):
            problems += [
                doc.problem((*where, "table", "rows", index), reason)
                for index, reason in fact_.row_problems(known)
            ]
        known[fact_.name] = computed_specs[fact_.name]
    if problems:
        raise DataFileError(problems)
    return FactCatalogue(supplied, tuple(computed), computed_specs, digest.hexdigest())


def load_ruleset(path: Path, catalogue: FactCatalogue | None = None) -> RuleSet:
    """Load, validate and compile one rule-set file; raise ``DataFileError`` with every problem."""
    if catalogue is None:
        catalogue = load_fact_catalogue(catalogue_path(path))
    return _load_ruleset(path, catalogue)[1]


def load_rulesets(rules_dir: Path) -> RuleSetCatalog:
    """Every rule set under ``rules_dir``, of every scheme; problems of all files together."""
    paths = ruleset_paths(rules_dir)
    if not paths:
        folder = display_path(rules_dir / "eligibility")
        raise DataFileError(
            [FileProblem(folder, None, "nessun file di regole (*.yaml) in questa cartella")]
        )
    catalogue = load_fact_catalogue(catalogue_path(rules_dir / "eligibility"))
    loaded: list[tuple[YamlDocument, RuleSet]] = []
    problems: list[FileProblem] = []
    for path in paths:
        try:
            loaded.append(_load_ruleset(path, catalogue))
        except DataFileError as exc:
            problems += exc.problems
    if problems:
        raise DataFileError(problems)
    try:
        return RuleSetCatalog(ruleset for _, ruleset in loaded)
    except InvalidDefinition as exc:
        raise DataFileError(
            loaded[int(p.where[0])][0].problem(p.where[1:], p.reason) for p in exc.problems
        ) from exc


def _load_ruleset(path: Path, catalogue: FactCatalogue) -> tuple[YamlDocument, RuleSet]:
    doc = read_yaml(path)
    try:
        model = RuleSetModel.model_validate(doc.data)
    except ValidationError as exc:
        raise DataFileError(validation_problems(doc, exc)) from exc
    digest = hashlib.sha256(doc.raw)
    digest.update(catalogue.digest.encode("ascii"))
    derived: list[DerivedFact] = list(catalogue.computed)
    problems: list[FileProblem] = []
    for name, spec in model.derived.items():
        try:
            derived.append(_derived(doc, name, spec, ("derived", name), digest))
        except DataFileError as exc:
            problems += exc.problems
    if problems:
        raise DataFileError(problems)
    rules = [
        RuleSpec(
            code=rule.code,
            message=rule.message,
            kind=rule.kind,
            reads=tuple(rule.reads),
            pass_when=rule.pass_when or "",
            review_when=rule.review_when,
            pass_when_any=tuple(rule.pass_when_any or ()),
            applies_when=rule.applies_when,
        )
        for rule in model.rules
    ]
    try:
        ruleset = RuleSet(
            version=model.version,
            effective_from=model.effective_from,
            effective_to=model.effective_to,
            rules=rules,
            derived=derived,
            description=model.description,
            digest=digest.hexdigest(),
            facts=catalogue.supplied,
            scheme=model.scheme,
        )
    except InvalidDefinition as exc:
        computed = {fact.name for fact in catalogue.computed}
        # A computed fact of the catalogue is checked when the catalogue loads; here its
        # name can only clash with one of this file's derived facts, reported there.
        kept = [
            p
            for p in exc.problems
            if not (
                p.where[:1] == ("derived",)
                and p.where[1] in computed
                and p.where[1] not in model.derived
            )
        ]
        raise DataFileError(
            definition_problems(doc, InvalidDefinition(kept or exc.problems))
        ) from exc
    return doc, ruleset


def _derived(
    doc: YamlDocument,
    name: str,
    spec: DerivedModel,
    where: tuple[str | int, ...],
    digest: hashlib._Hash,
) -> DerivedFact:
    """One computed fact from its model (exactly one way is set: the model checked)."""
    if spec.member_of is not None:
        return _member_of(doc, name, spec.description, spec.member_of, digest, where)
    if spec.band_lookup is not None:
        return _band_lookup(doc, name, spec.description, spec.band_lookup, digest, where)
    for unit, pair in (
        ("years", spec.years_between),
        ("months", spec.months_between),
        ("days", spec.days_between),
    ):
        if pair is not None:
            return DateDifference(name, pair[0], pair[1], unit, spec.description)  # type: ignore[arg-type]
    if spec.percent is not None:
        return Percentage(name, tuple(spec.percent.parts), spec.percent.of, spec.description)
    if spec.table is not None:
        return _table(doc, name, spec.description, spec.table, (*where, "table"))
    assert spec.parameter is not None
    file_where = (*where, "parameter", "file")
    path = _reference(doc, file_where, spec.parameter.file)
    history_doc = read_yaml(path)
    digest.update(history_doc.raw)
    try:
        history = ParameterHistoryModel.model_validate(history_doc.data)
    except ValidationError as exc:
        raise DataFileError(validation_problems(history_doc, exc)) from exc
    return DatedParameter(
        name=name,
        on=spec.parameter.at,
        history=tuple(sorted(history.values.items())),
        description=spec.description or history.description,
    )


_RANGE = re.compile(r"^\s*([\[(]?)\s*([^.\[\]()]*?)\s*\.\.\s*([^.\[\]()]*?)\s*([\])]?)\s*$")


def _table(
    doc: YamlDocument, name: str, description: str, spec: TableModel, where: tuple[str | int, ...]
) -> DecisionTable:
    problems: list[FileProblem] = []
    rows: list[TableRow] = []
    output_type = FACT_KINDS[spec.output]
    for index, row in enumerate(spec.rows):
        cells: list[Cell] = []
        for position, raw in enumerate(row.when):
            cell, reason = _cell(raw)
            if reason:
                problems.append(
                    doc.problem(
                        (*where, "rows", index, "when", position),
                        f"tabella '{name}', riga {index + 1}: {reason}",
                    )
                )
            cells.append(cell)
        rows.append(TableRow(tuple(cells), _scalar(row.then, output_type)))
    if problems:
        raise DataFileError(problems)
    default = None if spec.default is None else _scalar(spec.default, output_type)
    return DecisionTable(
        name=name,
        inputs=tuple(spec.inputs),
        rows=tuple(rows),
        output_type=output_type,
        default=default,
        hit_policy=spec.hit_policy,
        aggregate=spec.aggregate,
        description=description,
    )


def _cell(raw: object) -> tuple[Cell, str]:
    """A table cell as written: any / -, a value, a list of values, or a range 'a..b'."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("any", "-", "")):
        return Cell(any=True), ""
    if isinstance(raw, list):
        return Cell(values=frozenset(_plain(value) for value in raw)), ""
    if isinstance(raw, str) and ".." in raw:
        match = _RANGE.match(raw)
        if match is None:
            return Cell(any=True), f"'{raw}' non è un intervallo: scrivere ad es. 18..35 o [18..36)"
        left, low_text, high_text, right = match.groups()
        try:
            low = _bound(low_text)
            high = _bound(high_text)
        except ValueError:
            return Cell(any=True), f"'{raw}': gli estremi devono essere numeri o date (AAAA-MM-GG)"
        return (
            Cell(
                low=low,
                high=high,
                low_inclusive=left != "(",
                high_inclusive=right != ")",
            ),
            "",
        )
    return Cell(values=frozenset({_plain(raw)})), ""


def _bound(text: str) -> Decimal | date | None:
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def _plain(value: object) -> Any:
    return value


def _scalar(value: object, kind: str) -> Any:
    # Integers stay integers for integer outputs; a money/number output becomes Decimal.
    if kind == "decimal" and isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _reference(doc: YamlDocument, where: tuple[str | int, ...], relative: str) -> Path:
    path = (doc.path.parent / relative).resolve()
    if not path.is_file():
        what = "dato calcolato" if where[0] == "derived" else "dato"
        reason = (
            f"{what} '{where[1]}': il file '{relative}' non esiste (il percorso è relativo "
            "alla cartella di questo file)"
        )
        raise DataFileError([doc.problem(where, reason)])
    return path


def _member_of(
    doc: YamlDocument,
    name: str,
    description: str,
    spec: MemberOfModel,
    digest: hashlib._Hash,
    where: tuple[str | int, ...],
) -> MemberOf:
    path = _reference(doc, (*where, "member_of", "file"), spec.file)
    table = read_csv(path, (spec.column, *spec.where))
    digest.update(table.raw)
    members = read_set(table, spec.column, dict(spec.where))
    return MemberOf(name=name, fact=spec.fact, members=members, description=description)


def _band_lookup(
    doc: YamlDocument,
    name: str,
    description: str,
    spec: BandLookupModel,
    digest: hashlib._Hash,
    where: tuple[str | int, ...],
) -> BandLookup:
    bands_path = _reference(doc, (*where, "band_lookup", "bands", "file"), spec.bands.file)
    values_path = _reference(doc, (*where, "band_lookup", "values", "file"), spec.values.file)
    b, v = spec.bands, spec.values
    bands_table = read_csv(bands_path, (b.band_column, b.min_column, b.max_column))
    values_table = read_csv(values_path, (v.key_column, v.band_column, v.value_column))
    digest.update(bands_table.raw)
    digest.update(values_table.raw)
    return BandLookup(
        name=name,
        key_fact=spec.key_fact,
        measure_fact=spec.measure_fact,
        bands=read_bands(bands_table, b.band_column, b.min_column, b.max_column),
        rows=read_banded_values(values_table, v.key_column, v.band_column, v.value_column),
        description=description,
    )


def load_examples(path: Path) -> ExampleFile:
    """Examples beside a rule set: base facts, then each case's changes and expectations."""
    doc = read_yaml(path)
    try:
        model = ExamplesModel.model_validate(doc.data)
    except ValidationError as exc:
        raise DataFileError(validation_problems(doc, exc)) from exc
    known = load_fact_catalogue(catalogue_path(path)).supplied
    problems = _unknown_facts(doc, ("base_facts",), model.base_facts, known)
    examples: list[RuleExample] = []
    names: set[str] = set()
    for index, example in enumerate(model.examples):
        where = ("examples", index)
        problems += _unknown_facts(doc, (*where, "facts"), example.facts, known)
        if example.name in names:
            problems.append(
                doc.problem(
                    (*where, "name"),
                    f"l'esempio '{example.name}' compare due volte: dare nomi diversi",
                )
            )
        names.add(example.name)
        examples.append(
            RuleExample(
                name=example.name,
                facts={**model.base_facts, **example.facts},
                outcome=example.outcome,
                verdicts=dict(example.verdicts),
                source=doc.display,
                line=doc.line_of(where),
            )
        )
    if problems:
        raise DataFileError(problems)
    return ExampleFile(doc.display, model.ruleset, tuple(examples), model.scheme)


def _unknown_facts(
    doc: YamlDocument,
    where: tuple[str | int, ...],
    facts: Mapping[str, object],
    known: Mapping[str, FactSpec],
) -> list[FileProblem]:
    return [
        doc.problem((*where, name), unknown_fact(name, known))
        for name in facts
        if name not in known
    ]


def load_facts(path: Path) -> dict[str, object]:
    """Facts from a YAML or JSON file; numbers with decimals become ``Decimal``."""
    known = load_fact_catalogue(catalogue_path(path)).supplied
    if path.suffix.lower() == ".json":
        display = display_path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except OSError as exc:
            raise DataFileError(
                [FileProblem(display, None, f"file non leggibile: {exc.strerror}")]
            ) from exc
        except json.JSONDecodeError as exc:
            raise DataFileError(
                [
                    FileProblem(
                        display,
                        exc.lineno,
                        f"il file non è JSON valido (riga {exc.lineno}, colonna {exc.colno})",
                    )
                ]
            ) from exc
        if not isinstance(data, dict):
            raise DataFileError(
                [FileProblem(display, 1, 'i dati vanno scritti come oggetto JSON {"nome": valore}')]
            )
        problems = [
            FileProblem(display, None, unknown_fact(name, known))
            for name in data
            if name not in known
        ]
    else:
        doc = read_yaml(path)
        data = doc.data
        if not isinstance(data, dict):
            raise DataFileError(
                [doc.problem((), "i dati vanno scritti uno per riga, nella forma nome: valore")]
            )
        problems = _unknown_facts(doc, (), data, known)
    if problems:
        raise DataFileError(problems)
    return {str(name): value for name, value in data.items()}
