"""Eligibility use cases the CLI and the API call: check, test, evaluate, impact.

Files are read through the ``RuleFiles`` port (``guarantee.adapters.data_files.DataFiles``
in production), so this module never touches YAML or the file system itself.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice
from pathlib import Path

from guarantee.domain.eligibility import (
    DEFAULT_SCHEME,
    Evaluation,
    ExampleFailure,
    ImpactCase,
    ImpactReport,
    RuleExample,
    RuleSet,
    RuleSetCatalog,
    impact,
    missing_boundaries,
    run_examples,
)
from guarantee.domain.errors import DomainError, NotFound
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
    only rule codes that version has; every rule set must carry examples, and they must
    sit on each numeric limit of its rules and just past it. A problem in a CSV shared
    by several rule sets is listed once.
    """
    problems: list[FileProblem] = []
    catalog: RuleSetCatalog | None = None
    try:
        catalog = files.load_rulesets(rules_dir)
    except DataFileError as exc:
        problems += exc.problems
    examples: dict[str, list[RuleExample]] = {}
    for path in files.example_paths(rules_dir):
        try:
            example_file = files.load_examples(path)
        except DataFileError as exc:
            problems += exc.problems
            continue
        examples.setdefault(example_file.ruleset_version, []).extend(example_file.examples)
        if catalog is not None:
            problems += _example_references(example_file, catalog)
    if catalog is not None:
        problems += _coverage(rules_dir, catalog, examples)
    return _once(problems)


def _coverage(
    rules_dir: Path, catalog: RuleSetCatalog, examples: Mapping[str, list[RuleExample]]
) -> list[FileProblem]:
    problems: list[FileProblem] = []
    for version in catalog.versions:
        where = _shown(rules_dir / "eligibility" / f"{version}.examples.yaml")
        if not examples.get(version):
            reason = (
                f"le regole {version} non hanno esempi: scrivere {version}.examples.yaml "
                "con un esempio al limite e uno appena oltre per ogni soglia "
                "(vedi rules/README.md)"
            )
            problems.append(FileProblem(where, None, reason))
            continue
        problems += [
            FileProblem(where, None, str(missing))
            for missing in missing_boundaries(catalog.get(version), examples[version])
        ]
    return problems


def _shown(path: Path) -> str:
    # As the file readers name files: relative to where the person stands, if inside it.
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def _once(problems: Iterable[FileProblem]) -> list[FileProblem]:
    # A reference CSV read by two rule sets gives the same problem twice.
    return list(dict.fromkeys(problems))


def check_products(policies_dir: Path, files: ProductFiles) -> list[FileProblem]:
    """Every problem in the product files under ``policies_dir`` and in their examples
    (maximum exposure and reserve for a given rent); empty = fine."""
    try:
        catalog = files.load_products(policies_dir)
    except DataFileError as exc:
        return _once(exc.problems)
    problems: list[FileProblem] = []
    for product in catalog.products:
        try:
            cases = files.load_product_examples(policies_dir, product.code, product.version)
        except DataFileError as exc:
            problems += exc.problems
            continue
        problems += [
            FileProblem(case.source, case.line, reason)
            for case in cases
            for reason in case.check(product)
        ]
    return _once(problems)


def _example_references(example_file: ExampleFile, catalog: RuleSetCatalog) -> list[FileProblem]:
    try:
        ruleset = catalog.get(example_file.ruleset_version, example_file.scheme)
    except NotFound:
        reason = (
            f"le regole '{example_file.ruleset_version}' non esistono: correggere 'ruleset' "
            f"con una delle versioni {', '.join(catalog.versions)}"
        )
        return [FileProblem(example_file.path, 1, reason)]
    return [
        FileProblem(
            example.source,
            example.line,
            f"esempio '{example.name}': la regola '{code}' non è nelle regole {ruleset.version}",
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
            reason = f"le regole '{example_file.ruleset_version}' non esistono"
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
    scheme: str = DEFAULT_SCHEME,
) -> Evaluation:
    """Evaluate the facts in a YAML/JSON file with the rule set of ``scheme`` in force
    ``on`` (the caller's today, in Italy) or with that scheme's ``version``.

    Raises ``DataFileError`` for a bad file, ``InvalidFacts`` for missing or mistyped
    facts, ``NotFound`` when the scheme has no rule set or none applies.
    """
    catalog = files.load_rulesets(rules_dir)
    if scheme not in catalog.schemes:
        raise DomainError(
            f"nessuna regola per la misura '{scheme}': le misure con regole sono "
            f"{', '.join(catalog.schemes)}",
            code="not_found",
        )
    ruleset = catalog.get(version, scheme) if version is not None else catalog.effective(on, scheme)
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


# --- impact in a fund manager's words and money -------------------------------------------

OUTCOME_WORDS: dict[str, str] = {
    "eligible": "ammissibile",
    "needs_review": "da verificare",
    "ineligible": "non ammissibile",
}
# Spreadsheets in Italian open a UTF-8 CSV correctly only with the byte-order mark.
IMPACT_CSV_BOM = "\ufeff"
IMPACT_CSV_COLUMNS = (
    "domanda",
    "esito con le regole in vigore",
    "esito con la bozza",
    "regole che cambiano l'esito",
    "accantonamento impegnato (EUR)",
    "accantonamento liberato (EUR)",
)


@dataclass(frozen=True)
class ImpactRow:
    """One application that would change outcome, as a fund manager reads it."""

    application: str
    before: str
    after: str
    rules: tuple[str, ...]
    taken: Decimal
    freed: Decimal


@dataclass(frozen=True)
class ImpactInMoney:
    """A draft's impact: who changes outcome and why, and what it does to the fund.

    Households are named only by application number (no names, no tax codes): the
    report may be read and sent around by the governance table.
    """

    report: ImpactReport
    rule_messages: Mapping[str, str]
    free_capacity_now: Decimal
    scheme: str = DEFAULT_SCHEME
    """The draft's scheme: the free capacity is that of the funds applying it."""

    @property
    def reserve_taken(self) -> Decimal:
        return self.report.reserve_taken

    @property
    def reserve_freed(self) -> Decimal:
        return self.report.reserve_freed

    @property
    def free_capacity_after(self) -> Decimal:
        return self.free_capacity_now - self.reserve_taken + self.reserve_freed

    def rule_label(self, code: str) -> str:
        message = self.rule_messages.get(code)
        return f"{code} ({message})" if message else code

    def rows(self) -> list[ImpactRow]:
        rows: list[ImpactRow] = []
        for change in self.report.changes:
            effect = change.reserve_effect
            rows.append(
                ImpactRow(
                    application=change.key,
                    before=OUTCOME_WORDS[change.before],
                    after=OUTCOME_WORDS[change.after],
                    rules=tuple(self.rule_label(code) for code in change.rules),
                    taken=effect if effect > 0 else Decimal("0.00"),
                    freed=-effect if effect < 0 else Decimal("0.00"),
                )
            )
        return rows

    def moves(self) -> list[tuple[str, str, int]]:
        """(from, to, how many) in Italian words, most frequent first."""
        counted = self.report.counts().items()
        return [
            (OUTCOME_WORDS[before], OUTCOME_WORDS[after], howmany)
            for (before, after), howmany in sorted(counted, key=lambda item: -item[1])
        ]

    def csv_text(self) -> str:
        """The table as CSV for a spreadsheet, like the project's other exports (`;`,
        decimal comma, CRLF); whoever writes it adds the UTF-8 BOM (``IMPACT_CSV_BOM``)."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(IMPACT_CSV_COLUMNS)
        for row in self.rows():
            writer.writerow(
                (
                    row.application,
                    row.before,
                    row.after,
                    ", ".join(row.rules),
                    _cell(row.taken),
                    _cell(row.freed),
                )
            )
        return out.getvalue()


def _cell(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def impact_in_money(
    draft_path: Path,
    rules_dir: Path,
    applications: Cases,
    files: RuleFiles,
    *,
    on: date,
    free_capacity: Callable[[str], Decimal],
    workers: int = 1,
) -> ImpactInMoney:
    """Compare a draft with the rule set of its scheme in force ``on`` and price the changes.

    ``free_capacity`` gives the free capacity of the funds applying a scheme: only they
    would issue the applications the draft moves. Reads only: the draft is never put in
    force, no application is touched.
    """
    report = impact_of_draft(draft_path, rules_dir, applications, files, on=on, workers=workers)
    draft = files.load_ruleset(draft_path)
    current = files.load_rulesets(rules_dir).get(report.current_version, draft.scheme)
    messages = {code: current.spec(code).message for code in current.codes}
    messages.update({code: draft.spec(code).message for code in draft.codes})
    return ImpactInMoney(report, messages, free_capacity(draft.scheme), draft.scheme)
