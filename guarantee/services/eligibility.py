"""Eligibility use cases the CLI and the API call: check, test, evaluate, impact.

Files are read through the ``RuleFiles`` port (``guarantee.adapters.data_files.DataFiles``
in production), so this module never touches YAML or the file system itself.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from itertools import islice
from pathlib import Path

from guarantee.domain.eligibility import (
    DEFAULT_SCHEME,
    Evaluation,
    ExampleFailure,
    ImpactCase,
    ImpactReport,
    RuleSet,
    RuleSetCatalog,
    impact,
    run_examples,
)
from guarantee.domain.errors import NotFound
from guarantee.services.data_files import (
    DataFileError,
    ExampleFile,
    FileProblem,
    ProductFiles,
    RuleFiles,
)

Cases = Iterable[ImpactCase | tuple[str, Mapping[str, object]]]


def check_rules(rules_dir: Path, files: RuleFiles) -> list[FileProblem]:
    """Every problem in the rule sets and example files under ``rules_dir`` (empty = fine).

    Beyond each file on its own: examples must name an existing rule-set version and
    only rule codes that version has.
    """
    problems: list[FileProblem] = []
    catalog: RuleSetCatalog | None = None
    try:
        catalog = files.load_rulesets(rules_dir)
    except DataFileError as exc:
        problems += exc.problems
    for path in files.example_paths(rules_dir):
        try:
            example_file = files.load_examples(path)
        except DataFileError as exc:
            problems += exc.problems
            continue
        if catalog is not None:
            problems += _example_references(example_file, catalog)
    return problems


def check_products(policies_dir: Path, files: ProductFiles) -> list[FileProblem]:
    """Every problem in the product files under ``policies_dir`` (empty = fine)."""
    try:
        files.load_products(policies_dir)
    except DataFileError as exc:
        return exc.problems
    return []


def _example_references(example_file: ExampleFile, catalog: RuleSetCatalog) -> list[FileProblem]:
    try:
        ruleset = catalog.get(example_file.ruleset_version, example_file.scheme)
    except NotFound:
        reason = f"rule set '{example_file.ruleset_version}' does not exist"
        return [FileProblem(example_file.path, 1, reason)]
    return [
        FileProblem(
            example.source,
            example.line,
            f"example '{example.name}': rule '{code}' is not in rule set {ruleset.version}",
        )
        for example in example_file.examples
        for code in example.verdicts
        if code not in ruleset.codes
    ]


def run_rule_examples(rules_dir: Path, files: RuleFiles) -> list[ExampleFailure]:
    """Run every example file against its rule set; raises ``DataFileError`` if files are bad."""
    catalog = files.load_rulesets(rules_dir)
    failures: list[ExampleFailure] = []
    for path in files.example_paths(rules_dir):
        example_file = files.load_examples(path)
        try:
            ruleset = catalog.get(example_file.ruleset_version, example_file.scheme)
        except NotFound as exc:
            reason = f"rule set '{example_file.ruleset_version}' does not exist"
            raise DataFileError([FileProblem(example_file.path, 1, reason)]) from exc
        failures += run_examples(ruleset, example_file.examples)
    return failures


def count_rule_examples(rules_dir: Path, files: RuleFiles) -> int:
    """How many examples ``run_rule_examples`` checks (for a "N examples, all pass" line)."""
    return sum(len(files.load_examples(path).examples) for path in files.example_paths(rules_dir))


def evaluate_facts_file(
    facts_path: Path,
    rules_dir: Path,
    files: RuleFiles,
    *,
    on: date,
    version: str | None = None,
) -> Evaluation:
    """Evaluate the facts in a YAML/JSON file with the rule set in force ``on`` (the
    caller's today, in Italy) or with the given ``version``.

    Raises ``DataFileError`` for a bad file, ``InvalidFacts`` for missing or mistyped
    facts, ``NotFound`` when no rule set applies.
    """
    catalog = files.load_rulesets(rules_dir)
    ruleset = catalog.get(version) if version is not None else catalog.effective(on)
    return ruleset.evaluate(files.load_facts(facts_path))


def impact_of_draft(
    draft_path: Path,
    rules_dir: Path,
    applications: Cases,
    files: RuleFiles,
    *,
    on: date,
    workers: int = 1,
) -> ImpactReport:
    """Compare a draft rule-set file with the rule set of its scheme in force ``on``, over
    the applications judged under that scheme."""
    draft = files.load_ruleset(draft_path)
    current = files.load_rulesets(rules_dir).effective(on, draft.scheme)
    mine = (case for case in applications if _scheme_of(case) == draft.scheme)
    return parallel_impact(current, draft, mine, workers=workers)


def _scheme_of(case: ImpactCase | tuple[str, Mapping[str, object]]) -> str:
    # Stored before schemes existed, or given without a stored evaluation: the default.
    stored = case.stored if isinstance(case, ImpactCase) else None
    if isinstance(stored, Evaluation):
        return stored.scheme
    if isinstance(stored, Mapping):
        return str(stored.get("scheme", DEFAULT_SCHEME))
    return DEFAULT_SCHEME


def parallel_impact(
    current: RuleSet,
    draft: RuleSet,
    applications: Cases,
    *,
    workers: int = 1,
    chunk_size: int = 5_000,
) -> ImpactReport:
    """``impact`` over worker processes (``workers`` ≤ 1: in this process).

    Each worker receives both rule sets once and then chunks of applications; the
    reports of the chunks are merged in order.
    """
    if workers <= 1:
        return impact(current, draft, applications)
    context = multiprocessing.get_context("spawn" if _forbid_fork() else "fork")
    with context.Pool(workers, initializer=_start_worker, initargs=(current, draft)) as pool:
        reports = list(pool.imap(_impact_chunk, _chunks(applications, chunk_size)))
    if not reports:
        return impact(current, draft, ())
    return ImpactReport.merge(reports)


def _forbid_fork() -> bool:
    # fork is cheap and fine for this pure code; stay portable where it does not exist.
    return "fork" not in multiprocessing.get_all_start_methods()


_worker_sets: tuple[RuleSet, RuleSet] | None = None


def _start_worker(current: RuleSet, draft: RuleSet) -> None:
    global _worker_sets
    _worker_sets = (current, draft)


def _impact_chunk(chunk: list[ImpactCase | tuple[str, Mapping[str, object]]]) -> ImpactReport:
    assert _worker_sets is not None, "worker not initialised"
    current, draft = _worker_sets
    return impact(current, draft, chunk)


def _chunks(
    items: Cases, size: int
) -> Iterator[list[ImpactCase | tuple[str, Mapping[str, object]]]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
