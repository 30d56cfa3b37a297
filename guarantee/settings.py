"""Typed settings from the environment (GARANZIA_*), read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GARANZIA_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'garanzia.db'}",
        description="Plain SQLAlchemy URL: sqlite:///path or postgresql://user@host/db",
    )
    broker_url: str | None = Field(
        default=None, description="redis://… or amqp://…; unset means in-process jobs"
    )
    smtp_url: str | None = Field(
        default=None, description="smtp://host:port; unset means .eml files in outbox_dir"
    )
    outbox_dir: Path = Field(default_factory=lambda: Path.cwd() / "outbox")
    storage_dir: Path = Field(default_factory=lambda: Path.cwd() / "var" / "storage")
    policies_dir: Path = PROJECT_ROOT / "policies"
    rules_dir: Path = PROJECT_ROOT / "rules"
    templates_dir: Path = PROJECT_ROOT / "templates"
    base_url: str = "http://localhost:8000"
    fund_name: str = "Fondo Garanzia Casa Eporediese"
    consortium_name: str = "Consorzio dei Servizi Sociali IN.RE.TE. – Ivrea"
    fund_address: str = "Ivrea (TO)"
    fund_contact: str = ""
    # Printed on letters as the fund's contacts (responsible officer, mediator when the case
    # has none of its own); a letter leaves out what is not set, never prints it empty.
    fund_email: str = ""
    fund_phone: str = ""
    # Who signs the letters.
    signatory_name: str = "Il Responsabile del Fondo"
    signatory_role: str = "Fondo Garanzia Casa"
    logo_path: Path | None = PROJECT_ROOT / "templates" / "documents" / "assets" / "logo.svg"
    # Where tenants pay recovery instalments, printed on repayment plans: required for them
    # (a plan is not sent without it; its event waits and is reported).
    fund_iban: str = ""
    mail_from: str = "Garanzia Casa <noreply@garanziacasa.example.it>"
    token_ttl_hours: int = 12
    # An outbox event handed to the broker but not started after this long is handed over
    # again (its message died with a worker or with an in-memory broker); handling it twice is
    # harmless, so this is short.
    outbox_redispatch_seconds: int = 45
    # A worker handling an event renews its lease every third of this; a dead worker's event
    # is taken over once the lease runs out.
    outbox_lease_seconds: int = 30
    log_json: bool = False
    debug: bool = False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
