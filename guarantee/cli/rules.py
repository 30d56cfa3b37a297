"""Eligibility rules and products kept as data."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from guarantee.cli.errors import friendly_errors
from guarantee.settings import get_settings


@click.group()
def rules() -> None:
    """Eligibility rules and products kept as data (rules/, policies/)."""


@rules.command("check")
@friendly_errors
def rules_check() -> None:
    """Validate every rule set, example file and product file; list every problem."""
    from guarantee.adapters.data_files import DataFiles
    from guarantee.services import eligibility

    settings = get_settings()
    problems = eligibility.check_rules(settings.rules_dir, DataFiles())
    problems += eligibility.check_products(settings.policies_dir, DataFiles())
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(2)
    click.echo("regole e prodotti validi")


@rules.command("test")
@friendly_errors
def rules_test() -> None:
    """Run the examples each rule set carries (facts → expected outcome)."""
    from guarantee.adapters.data_files import DataFiles
    from guarantee.services import eligibility

    rules_dir = get_settings().rules_dir
    failures = eligibility.run_rule_examples(rules_dir, DataFiles())
    total = eligibility.count_rule_examples(rules_dir, DataFiles())
    for failure in failures:
        click.echo(str(failure), err=True)
    click.echo(f"{total - len(failures)} passed, {len(failures)} failed")
    if failures:
        sys.exit(1)


@rules.command("eval")
@click.option(
    "--facts",
    "facts_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="data di riferimento")
@click.option("--version", help="versione delle regole (default: quella in vigore)")
@click.option("--json", "as_json", is_flag=True, help="stampa la spiegazione completa in JSON")
@friendly_errors
def rules_eval(facts_path: Path, on: Any, version: str | None, as_json: bool) -> None:
    """Evaluate the facts in a YAML or JSON file and explain every rule's verdict."""
    from guarantee.adapters.clock import SystemClock
    from guarantee.adapters.data_files import DataFiles
    from guarantee.services import eligibility

    day = on.date() if on else SystemClock().today()
    evaluation = eligibility.evaluate_facts_file(
        facts_path, get_settings().rules_dir, DataFiles(), on=day, version=version
    )
    if as_json:
        click.echo(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False))
        return
    labels = {"pass": "ok", "review": "da verificare", "fail": "NON superata"}
    click.echo(f"regole {evaluation.ruleset_version}: esito {evaluation.outcome}")
    for verdict in evaluation.verdicts:
        seen = ", ".join(f"{k}={v}" for k, v in verdict.facts_seen.items())
        click.echo(f"  [{labels[verdict.result]}] {verdict.code}: {verdict.message} ({seen})")


@rules.command("impact")
@click.argument("ruleset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly_errors
def rules_impact(ruleset: Path) -> None:
    """Re-evaluate all open applications under a draft rule set; change nothing."""
    from guarantee.adapters.clock import SystemClock
    from guarantee.adapters.data_files import DataFiles
    from guarantee.adapters.db.engine import build_engine
    from guarantee.read.eligibility import open_applications
    from guarantee.services import eligibility

    engine = build_engine(get_settings().database_url)
    with engine.connect() as conn:
        conn = conn.execution_options(readonly=True)
        report = eligibility.impact_of_draft(
            ruleset,
            get_settings().rules_dir,
            open_applications(conn),
            DataFiles(),
            on=SystemClock().today(),
        )
    click.echo(
        f"regole in vigore {report.current_version} → bozza {report.draft_version}: "
        f"{report.examined} domande esaminate, {len(report.changes)} cambiano esito"
    )
    click.echo(f"regole cambiate: {', '.join(report.changed_rules) or 'nessuna'}")
    for (before, after), howmany in sorted(report.counts().items()):
        click.echo(f"  {before} → {after}: {howmany}")
    for change in report.changes:
        click.echo(
            f"  {change.key}: {change.before} → {change.after} per {', '.join(change.rules)}"
        )
    for key, reason in report.refused:
        click.echo(f"  {key}: non valutabile ({reason})", err=True)
