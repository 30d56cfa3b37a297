"""Sending mail: SMTP in production, .eml files in an outbox folder on the embedded default."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class EmlFolderMailer:
    """Writes each message as <Message-ID>.eml; a message already written is not written again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("/", "_")
        path = self.folder / f"{name}.eml"
        if path.exists():
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(message.as_bytes())
        tmp.replace(path)


class SmtpMailer:
    """smtp://[user:password@]host:port[?starttls=true] or smtps://… (implicit TLS)."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError(f"GARANZIA_SMTP_URL non valido: {url!r}")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.starttls = parse_qs(parts.query).get("starttls", ["false"])[0] == "true"
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        client: smtplib.SMTP = (
            smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            if self.implicit_tls
            else smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        )
        with client:
            if self.starttls:
                client.starttls(context=context)
            if self.username and self.password:
                client.login(self.username, self.password)
            client.send_message(message)


def make_mailer(smtp_url: str | None, outbox_dir: Path) -> Mailer:
    return SmtpMailer(smtp_url) if smtp_url else EmlFolderMailer(outbox_dir)
