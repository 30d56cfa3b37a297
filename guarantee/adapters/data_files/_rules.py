"""Loading rule sets (YAML + reference CSV), their examples and facts files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from guarantee.adapters.data_files._models import (
    BandLookupModel,
    ExamplesModel,
    MemberOfModel,
    RuleSetModel,
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
    ELIGIBILITY_FACTS,
    BandLookup,
    DerivedFact,
    MemberOf,
    RuleExample,
    RuleSet,
    RuleSetCatalog,
    RuleSpec,
)
from guarantee.domain.errors import InvalidDefinition
from guarantee.services.data_files import DataFileError, ExampleFile, FileProblem

EXAMPLES_SUFFIX = ".examples.yaml"


def ruleset_paths(rules_dir: Path) -> list[Path]:
    """Rule-set files: ``<rules_dir>/eligibility/*.yaml`` except the examples."""
    folder = rules_dir / "eligibility"
    return sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(EXAMPLES_SUFFIX))


def example_paths(rules_dir: Path) -> list[Path]:
    return sorted((rules_dir / "eligibility").glob("*" + EXAMPLES_SUFFIX))


def load_ruleset(path: Path) -> RuleSet:
    """Load, validate and compile one rule-set file; raise ``DataFileError`` with every problem."""
    return _load_ruleset(path)[1]


def load_rulesets(rules_dir: Path) -> RuleSetCatalog:
    """Every rule set under ``rules_dir``; problems of all files are reported together."""
    paths = ruleset_paths(rules_dir)
    if not paths:
        folder = display_path(rules_dir / "eligibility")
        raise DataFileError([FileProblem(folder, None, "no rule-set file (*.yaml) found")])
    loaded: list[tuple[YamlDocument, RuleSet]] = []
    problems: list[FileProblem] = []
    for path in paths:
        try:
            loaded.append(_load_ruleset(path))
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


def _load_ruleset(path: Path) -> tuple[YamlDocument, RuleSet]:
    doc = read_yaml(path)
    try:
        model = RuleSetModel.model_validate(doc.data)
    except ValidationError as exc:
        raise DataFileError(validation_problems(doc, exc)) from exc
    digest = hashlib.sha256(doc.raw)
    derived: list[DerivedFact] = []
    problems: list[FileProblem] = []
    for name, spec in model.derived.items():
        try:
            if spec.member_of is not None:
                derived.append(_member_of(doc, name, spec.description, spec.member_of, digest))
            elif spec.band_lookup is not None:
                derived.append(_band_lookup(doc, name, spec.description, spec.band_lookup, digest))
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
            pass_when=rule.pass_when,
            review_when=rule.review_when,
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
        )
    except InvalidDefinition as exc:
        raise DataFileError(definition_problems(doc, exc)) from exc
    return doc, ruleset


def _reference(doc: YamlDocument, where: tuple[str, ...], relative: str) -> Path:
    path = (doc.path.parent / relative).resolve()
    if not path.is_file():
        reason = f"derived fact '{where[1]}': file '{relative}' not found"
        raise DataFileError([doc.problem(where, reason)])
    return path


def _member_of(
    doc: YamlDocument, name: str, description: str, spec: MemberOfModel, digest: hashlib._Hash
) -> MemberOf:
    path = _reference(doc, ("derived", name, "member_of", "file"), spec.file)
    table = read_csv(path, (spec.column, *spec.where))
    digest.update(table.raw)
    members = read_set(table, spec.column, dict(spec.where))
    return MemberOf(name=name, fact=spec.fact, members=members, description=description)


def _band_lookup(
    doc: YamlDocument, name: str, description: str, spec: BandLookupModel, digest: hashlib._Hash
) -> BandLookup:
    bands_path = _reference(doc, ("derived", name, "band_lookup", "bands", "file"), spec.bands.file)
    values_path = _reference(
        doc, ("derived", name, "band_lookup", "values", "file"), spec.values.file
    )
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
    problems = _unknown_facts(doc, ("base_facts",), model.base_facts)
    examples: list[RuleExample] = []
    names: set[str] = set()
    for index, example in enumerate(model.examples):
        where = ("examples", index)
        problems += _unknown_facts(doc, (*where, "facts"), example.facts)
        if example.name in names:
            problems.append(doc.problem((*where, "name"), f"example '{example.name}' twice"))
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
    return ExampleFile(doc.display, model.ruleset, tuple(examples))


def _unknown_facts(
    doc: YamlDocument, where: tuple[str | int, ...], facts: Mapping[str, object]
) -> list[FileProblem]:
    return [
        doc.problem((*where, name), f"unknown fact '{name}'")
        for name in facts
        if name not in ELIGIBILITY_FACTS
    ]


def load_facts(path: Path) -> dict[str, object]:
    """Facts from a YAML or JSON file; numbers with decimals become ``Decimal``."""
    if path.suffix.lower() == ".json":
        display = display_path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except OSError as exc:
            raise DataFileError(
                [FileProblem(display, None, f"cannot read: {exc.strerror}")]
            ) from exc
        except json.JSONDecodeError as exc:
            raise DataFileError(
                [FileProblem(display, exc.lineno, f"invalid JSON: {exc.msg}")]
            ) from exc
        if not isinstance(data, dict):
            raise DataFileError([FileProblem(display, 1, "facts must be an object")])
        problems = [
            FileProblem(display, None, f"unknown fact '{name}'")
            for name in data
            if name not in ELIGIBILITY_FACTS
        ]
    else:
        doc = read_yaml(path)
        data = doc.data
        if not isinstance(data, dict):
            raise DataFileError([doc.problem((), "facts must be a mapping of name: value")])
        problems = _unknown_facts(doc, (), data)
    if problems:
        raise DataFileError(problems)
    return {str(name): value for name, value in data.items()}
