"""The health probe's own path to the database: never the app's pool, never its threads.

Under full load every pooled connection and every request slot may be busy; a probe that
queued behind them would report a healthy server as dead. It uses a one-connection engine,
two threads of its own and a deadline instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.exc import DBAPIError

from guarantee.adapters.db.engine import build_probe_engine

TIMEOUT_SECONDS = 2


class HealthProbe:
    def __init__(self, database_url: str) -> None:
        self._engine = build_probe_engine(database_url, timeout_seconds=TIMEOUT_SECONDS)
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="health")

    async def database(self) -> str:
        return await self._run(self._ping)

    async def check(self, probe: Callable[[], str]) -> str:
        """A blocking check of another service (the broker), with the same deadline."""
        try:
            loop = asyncio.get_running_loop()
            return await asyncio.wait_for(
                loop.run_in_executor(self._threads, probe), TIMEOUT_SECONDS + 1
            )
        except Exception as exc:  # a health probe reports, it never raises
            return f"error: {type(exc).__name__}"

    async def _run(self, probe: Callable[[], None]) -> str:
        def done() -> str:
            probe()
            return "ok"

        return await self.check(done)

    def _ping(self) -> None:
        try:
            with self._engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except DBAPIError as exc:
            # The kept connection died (a server restart): what counts is whether a new one
            # works now.
            if not exc.connection_invalidated:
                raise
            with self._engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._engine.dispose()
