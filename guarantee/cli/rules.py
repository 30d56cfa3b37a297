"""Eligibility rules and products kept as data."""

from __future__ import annotations

import json
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

import click

from guarantee.cli.errors import friendly_errors
from guarantee.domain.eligibility import DEFAULT_SCHEME
from guarantee.settings import get_settings


@click.group()
def rules() -> None:
    """Eligibility rules and products kept as data (rules/, policies/)."""


def _folder(given: Path | None, name: str, variable: str, packaged: Path) -> tuple[Path, str]:
    """The folder a person editing files means, and why it was chosen (said on screen).

    ``--dir`` first; then ``rules/`` (or ``policies/``) in the current directory, the one
    the person stands in; then the environment variable; then the copy in the package.
    """
    if given is not None:
        return given, "indicata con --dir"
    here = Path.cwd() / name
    if here.is_dir():
        return here, f"cartella {name}/ della directory corrente"
    if os.environ.get(variable):
        return packaged, variable
    return packaged, "cartella predefinita del programma"


def _rules_folder(given: Path | None, *, err: bool = False) -> Path:
    """``err``: say it on standard error, where it cannot spoil a --json answer."""
    folder, why = _folder(given, "rules", "GARANZIA_RULES_DIR", get_settings().rules_dir)
    click.echo(f"regole: {folder.resolve()} ({why})", err=err)
    return folder


def _policies_folder(given: Path | None) -> Path:
    folder, why = _folder(given, "policies", "GARANZIA_POLICIES_DIR", get_settings().policies_dir)
    click.echo(f"prodotti: {folder.resolve()} ({why})")
    return folder


_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@rules.command("check")
@click.option("--dir", "rules_dir", type=_DIR, help="cartella delle regole da controllare")
@click.option("--policies-dir", type=_DIR, help="cartella dei prodotti da controllare")
@friendly_errors
def rules_check(rules_dir: Path | None, policies_dir: Path | None) -> None:
    """Validate every rule set, example file and product file; list every problem.

    Checks rules/ and policies/ of the current directory if present (else
    GARANZIA_RULES_DIR / GARANZIA_POLICIES_DIR, else the packaged ones) and says which.
    """
    from guarantee.adapters.data_files import DataFiles
    from guarantee.services import eligibility

    problems = eligibility.check_rules(_rules_folder(rules_dir), DataFiles())
    problems += eligibility.check_products(_policies_folder(policies_dir), DataFiles())
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problemi da correggere", err=True)
        sys.exit(2)
    click.echo("regole e prodotti validi, esempi a ogni confine")


@rules.command("test")
@click.option("--dir", "rules_dir", type=_DIR, help="cartella delle regole")
@friendly_errors
def rules_test(rules_dir: Path | None) -> None:
    """Run the examples each rule set carries (facts → expected outcome)."""
    from guarantee.adapters.data_files import DataFiles
    from guarantee.services import eligibility

    folder = _rules_folder(rules_dir)
    failures = eligibility.run_rule_examples(folder, DataFiles())
    total = eligibility.count_rule_examples(folder, DataFiles())
    for failure in failures:
        click.echo(str(failure), err=True)
    if total == 0:
        click.echo("nessun esempio: ogni versione delle regole deve avere i suoi", err=True)
        sys.exit(1)
    click.echo(f"esempi: {total - len(failures)} tornano, {len(failures)} non tornano")
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
@click.option("--version", help="versione delle regole della misura (default: quella in vigore)")
@click.option(
    "--scheme",
    default=DEFAULT_SCHEME,
    show_default=True,
    help="misura (scheme) le cui regole valutano i dati",
)
@click.option("--json", "as_json", is_flag=True, help="stampa la spiegazione completa in JSON")
@click.option("--dir", "rules_dir", type=_DIR, help="cartella delle regole")
@friendly_errors
def rules_eval(
    facts_path: Path,
    on: Any,
    version: str | None,
    scheme: str,
    as_json: bool,
    rules_dir: Path | None,
) -> None:
    """Evaluate the facts in a YAML or JSON file and explain every rule's verdict, with the
    rules `check` and `test` would read (--dir, ./rules, GARANZIA_RULES_DIR, packaged)."""
    from guarantee.adapters.clock import SystemClock
    from guarantee.adapters.data_files import DataFiles
    from guarantee.services import eligibility

    day = on.date() if on else SystemClock().today()
    evaluation = eligibility.evaluate_facts_file(
        facts_path,
        _rules_folder(rules_dir, err=True),
        DataFiles(),
        on=day,
        version=version,
        scheme=scheme,
    )
    if as_json:
        click.echo(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False))
        return
    labels = {"pass": "ok", "review": "da verificare", "fail": "NON superata"}
    outcome = eligibility.OUTCOME_WORDS.get(evaluation.outcome, evaluation.outcome)
    click.echo(
        f"misura {evaluation.scheme}, regole {evaluation.ruleset_version}: esito {outcome} "
        f"({evaluation.outcome})"
    )
    for verdict in evaluation.verdicts:
        seen = ", ".join(f"{k}={v}" for k, v in verdict.facts_seen.items())
        click.echo(f"  [{labels[verdict.result]}] {verdict.code}: {verdict.message} ({seen})")


@rules.command("impact")
@click.argument("ruleset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="scrive anche la tabella in questo file CSV (';' e virgola decimale, come gli altri)",
)
@friendly_errors
def rules_impact(ruleset: Path, csv_path: Path | None) -> None:
    """Re-evaluate all open applications under a draft rule set; change nothing.

    Says, in Italian, which applications (by number only) would change outcome and
    because of which rule, the reserve that would be taken or freed, and the free
    capacity after of the funds applying the draft's scheme.
    """
    from guarantee.adapters.clock import SystemClock
    from guarantee.adapters.data_files import DataFiles
    from guarantee.adapters.db.engine import build_engine
    from guarantee.adapters.reference_data import load_products
    from guarantee.domain.formats import euro_it
    from guarantee.read.eligibility import free_capacity, open_applications
    from guarantee.services import eligibility

    settings = get_settings()
    products = load_products(settings.policies_dir)
    engine = build_engine(settings.database_url)
    with engine.connect() as conn:
        conn = conn.execution_options(readonly=True)
        money = eligibility.impact_in_money(
            ruleset,
            settings.rules_dir,
            open_applications(conn, products),
            DataFiles(),
            on=SystemClock().today(),
            free_capacity=partial(free_capacity, conn),
        )
    report = money.report
    click.echo(
        f"regole in vigore {report.current_version} → bozza {report.draft_version}: "
        f"{report.examined} domande aperte esaminate, {len(report.changes)} cambiano esito"
    )
    changed = ", ".join(money.rule_label(code) for code in report.changed_rules)
    click.echo(f"regole cambiate: {changed or 'nessuna'}")
    for before, after, howmany in money.moves():
        click.echo(f"  da «{before}» a «{after}»: {howmany}")
    click.echo(f"accantonamento che sarebbe impegnato: {euro_it(money.reserve_taken)}")
    click.echo(f"accantonamento che sarebbe liberato: {euro_it(money.reserve_freed)}")
    click.echo(
        f"capacità libera dei fondi della misura {money.scheme}: "
        f"ora {euro_it(money.free_capacity_now)}, "
        f"dopo {euro_it(money.free_capacity_after)}"
    )
    for row in money.rows():
        money_text = (f", impegna {euro_it(row.taken)}" if row.taken else "") + (
            f", libera {euro_it(row.freed)}" if row.freed else ""
        )
        click.echo(
            f"  domanda {row.application}: da «{row.before}» a «{row.after}» "
            f"per la regola {', '.join(row.rules)}{money_text}"
        )
    for key, reason in report.refused:
        click.echo(f"  domanda {key}: non valutabile ({reason})", err=True)
    if csv_path is not None:
        # utf-8-sig: the byte-order mark an Italian spreadsheet needs to read accents.
        csv_path.write_text(money.csv_text(), encoding="utf-8-sig", newline="")
        click.echo(f"tabella scritta in {csv_path}")
