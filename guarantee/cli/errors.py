"""CLI errors: known failures become one clear line on stderr, never a traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from guarantee.domain.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn known failures into one clear line on stderr and exit code 1 (2 for bad input)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            click.echo(f"errore: {exc.message}", err=True)
            sys.exit(1)
        except Exception as exc:
            if isinstance(exc, click.ClickException | click.exceptions.Exit):
                raise
            from guarantee.adapters.data_files import DataFileError
            from guarantee.adapters.document_errors import DocumentTemplateError

            if isinstance(exc, DataFileError | DocumentTemplateError):
                click.echo(f"errore nei dati di configurazione:\n{exc}", err=True)
                sys.exit(2)
            from sqlalchemy.exc import OperationalError

            if isinstance(exc, OperationalError):
                click.echo(f"errore: database non raggiungibile ({exc.orig})", err=True)
                sys.exit(1)
            raise

    return wrapper  # type: ignore[return-value]
