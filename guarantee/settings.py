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
    # A running process looks for changed rule files at most this often (0 = only at start);
    # a change is put in force only if it passes `rules check` and `rules test`.
    rules_reload_seconds: float = Field(default=5, ge=0)
    templates_dir: Path = PROJECT_ROOT / "templates"
    # Bootstrap Italia's dist/ folder, installed from the npm registry by `make install`.
    assets_dir: Path = PROJECT_ROOT / "node_modules" / "bootstrap-italia" / "dist"
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
    # Published statistics: a cell counting fewer than this many households is suppressed.
    stats_k: int = Field(default=5, ge=2)
    # Logins: failures before a temporary lock, per account and per address, in a window.
    login_max_failures_per_account: int = 10
    login_max_failures_per_address: int = 50
    login_window_minutes: int = 15
    login_lock_minutes: int = 15
    password_reset_link_hours: int = 1
    # The privacy notice landlords accept when they enrol online (its text is in the portal).
    privacy_notice_version: str = "2026.1"
    # argon2id cost; the defaults are the library's recommendation. Lower them only for tests.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # An outbox event handed to the broker but not started after this long is handed over
    # again (its message died with a worker or with an in-memory broker); handling it twice is
    # harmless, so this is short.
    outbox_redispatch_seconds: int = 45
    # A worker handling an event renews its lease every third of this; a dead worker's event
    # is taken over once the lease runs out.
    outbox_lease_seconds: int = 30
    # The app's database pool, per process. A request holds at most one connection at a time
    # and waits at most db_pool_timeout for one before answering 503 with Retry-After.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout: float = Field(default=3.0, gt=0, le=30)
    # Requests that may use the database at once in one process; the rest wait their turn
    # (first come, first served, at most db_pool_timeout). Unset: the pool size, at most two
    # per CPU: one Python process runs one thread at a time, and more requests in flight only
    # queue inside it, on the interpreter lock, holding their connections.
    db_request_slots: int | None = Field(default=None, ge=1)
    # Connections older than this are replaced on checkout (no per-checkout ping): it keeps
    # clear of server, firewall and PgBouncer idle timeouts.
    db_pool_recycle: int = Field(default=1800, ge=1)
    # False behind PgBouncer in transaction mode without prepared-statement support: psycopg
    # then never prepares statements on the server (prepare_threshold=None).
    db_prepared_statements: bool = True
    # On SIGTERM a server process stops taking requests and waits this long for those in flight.
    shutdown_timeout: int = Field(default=10, ge=1)
    log_json: bool = False
    debug: bool = False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
