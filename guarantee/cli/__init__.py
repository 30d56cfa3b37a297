"""The `garanzia` command line. Errors are messages, never tracebacks."""

from __future__ import annotations

import click

from guarantee.cli import audit, db, fund, rules, run, stats, users
from guarantee.settings import get_settings


@click.group()
def main() -> None:
    """Garanzia Casa: the fund, its guarantees, claims and mediation."""
    from guarantee.adapters.logging import configure_logging

    configure_logging(get_settings().log_json)


main.add_command(db.db)
main.add_command(run.serve)
main.add_command(run.worker)
main.add_command(run.demo)
main.add_command(users.users)
main.add_command(rules.rules)
main.add_command(fund.fund)
main.add_command(audit.audit)
main.add_command(stats.stats)

if __name__ == "__main__":
    main()
