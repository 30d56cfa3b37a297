"""Servers a test starts and stops itself: SMTP receiver, private redis-server, garanzia serve,
garanzia worker."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from guarantee.bootstrap import System

# Password hashing is not what the server tests are about: the cheapest argon2id there is, as
# GARANZIA_* settings for app_server (an account hashed this way is not rehashed at login).
CHEAP_HASHING = {"argon2_time_cost": "1", "argon2_memory_kib": "1024"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server accepted. With ``stall_first`` the first transaction hangs after
    RCPT TO, before the message is sent: a client killed then has delivered nothing."""

    stall_first: float = 0.0
    accepted: list[Message] = field(default_factory=list)
    stalled: threading.Event = field(default_factory=threading.Event)
    # Set when the stall ends (its time is up, or its client went away and the server dropped
    # the transaction): from then on nothing more can come of it.
    stall_over: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.stall_first and not self.stalled.is_set():
            self.stalled.set()
            try:
                await asyncio.sleep(self.stall_first)
            finally:
                self.stall_over.set()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.accepted)} messages arrived, {count} expected")
            time.sleep(0.1)


def wait_until(condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    """Poll ``condition`` until it holds (instead of sleeping a fixed time and hoping)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {what or condition}")
        time.sleep(0.05)


@contextmanager
def smtp_server(stall_first: float = 0.0) -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox(stall_first=stall_first)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


class RedisServer:
    """A redis-server of the test's own on a free port; stop() and start() inject faults."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _start_app(
    database_url: str, folder: Path, workers: int, settings: dict[str, str]
) -> tuple[str, subprocess.Popen[bytes], Path]:
    port = free_port()
    env = {
        **os.environ,
        "GARANZIA_DATABASE_URL": database_url,
        "GARANZIA_STORAGE_DIR": str(folder / "storage"),
        "GARANZIA_OUTBOX_DIR": str(folder / "outbox"),
        "PYTHONUNBUFFERED": "1",
        **{f"GARANZIA_{name.upper()}": value for name, value in settings.items()},
    }
    log = folder / f"serve-{port}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "guarantee.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    return f"http://127.0.0.1:{port}", process, log


def _wait_for_health(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"garanzia serve did not start:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def app_servers(
    count: int, database_url: str, folder: Path, *, workers: int = 1, **settings: str
) -> Iterator[list[tuple[str, subprocess.Popen[bytes]]]]:
    """``count`` real `garanzia serve` processes on free ports, started together (each one's
    start is mostly imports: they overlap); ``settings`` are GARANZIA_* values
    (``db_pool_size="5"`` → GARANZIA_DB_POOL_SIZE=5). Each logs in ``folder``; those still
    running at the end are stopped with SIGTERM."""
    started: list[tuple[str, subprocess.Popen[bytes], Path]] = []
    try:
        for _ in range(count):
            started.append(_start_app(database_url, folder, workers, settings))
        for base, process, log in started:
            _wait_for_health(base, process, log)
        yield [(base, process) for base, process, _ in started]
    finally:
        for _, process, _ in started:
            _stop(process)


@contextmanager
def app_server(
    database_url: str, folder: Path, *, workers: int = 1, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `garanzia serve` process on a free port; ``settings`` are GARANZIA_* values
    (``db_pool_size="5"`` → GARANZIA_DB_POOL_SIZE=5). Stopped with SIGTERM at the end."""
    with app_servers(1, database_url, folder, workers=workers, **settings) as (server,):
        yield server


def start_worker(
    system: System,
    broker_url: str,
    smtp_url: str,
    log: Path,
    *,
    lease_seconds: int = 30,
    **settings: str,
) -> subprocess.Popen[bytes]:
    """A real `garanzia worker` process on ``system``'s database and storage; ``settings`` are
    further GARANZIA_* values, as for app_server. The caller stops it."""
    env = {
        **os.environ,
        "GARANZIA_DATABASE_URL": system.settings.database_url,
        "GARANZIA_BROKER_URL": broker_url,
        "GARANZIA_SMTP_URL": smtp_url,
        "GARANZIA_STORAGE_DIR": str(system.settings.storage_dir),
        "GARANZIA_OUTBOX_REDISPATCH_SECONDS": "2",
        "GARANZIA_OUTBOX_LEASE_SECONDS": str(lease_seconds),
        "PYTHONUNBUFFERED": "1",
        **{f"GARANZIA_{name.upper()}": value for name, value in settings.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "guarantee.cli", "worker", "--threads", "1"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
