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
    logo_path: Path | None = PROJECT_ROOT / "templates" / "documents" / "assets" / "logo.svg"
    fund_iban: str = ""  # where tenants pay recovery instalments, printed on repayment plans
    mail_from: str = "Garanzia Casa <noreply@garanziacasa.example.it>"
    token_ttl_hours: int = 12
    # Published statistics: a cell counting fewer than this many households is suppressed.
    stats_k: int = Field(default=5, ge=2)
    # Logins: failures before a temporary lock, per account and per address, in a window.
    login_max_failures_per_account: int = 10
    login_max_failures_per_address: int = 50
    login_window_minutes: int = 15
    login_lock_minutes: int = 15
    password_reset_link_hours: int = 1
    # argon2id cost; the defaults are the library's recommendation. Lower them only for tests.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # An outbox event handed to the broker but not done after this long is handed over again
    # (its message died with a worker or with an in-memory broker).
    outbox_redispatch_seconds: int = 600
    log_json: bool = False
    debug: bool = False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
