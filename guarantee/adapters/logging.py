"""Structured logs: JSON in production, readable lines on a laptop."""

from __future__ import annotations

import logging

import structlog
from structlog.typing import EventDict, WrappedLogger

from guarantee.domain.personal_data import redact


def redact_personal(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    """No personal value reaches a log line: keys classified personal are masked."""
    return dict(redact(event))


def configure_logging(json: bool) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            redact_personal,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
    )
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # WeasyPrint narrates every rendering step at INFO; only its warnings matter here.
    for noisy in ("weasyprint", "weasyprint.progress", "fontTools", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
