"""`garanzia audit verify` names every tampering the issue lists, and passes an untouched
system; the chain keeps commit order under concurrent commands, sealed after commit (PostgreSQL with
GARANZIA_TEST_POSTGRES_URL, else SQLite)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select, text

from guarantee.adapters.db import tables
from guarantee.adapters.db.evidence_chain import seal
from guarantee.adapters.storage import FileStore
from guarantee.bootstrap import System
from guarantee.cli import main
from guarantee.domain.actors import Role
from guarantee.domain.errors import BooksOutOfBalance
from guarantee.services import commands as c
from guarantee.settings import get_settings
from tests.support import builders
from tests.support.http import api_client, login_as
from tests.support.jobs import run_jobs
from tests.support.payments import past_lease, pay_on
from tests.support.tamper import guards_off

MANAGER = builders.MANAGER
a, ch, d = tables.audit_events.c, tables.evidence_chain.c, tables.documents.c


@pytest.fixture
def cli(system: System, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("GARANZIA_DATABASE_URL", system.settings.database_url)
    monkeypatch.setenv("GARANZIA_STORAGE_DIR", str(system.settings.storage_dir))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def verify(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(main, ["audit", "verify", *args], catch_exceptions=False)


def history(system: System) -> tuple[str, str]:
    """A fund, a contribution, two guarantees, a paid claim, and their documents."""
    fund = builders.fund_with(system, Decimal("100000"))
    number = builders.issued_guarantee(system, fund.id, lease_data=past_lease()).number
    assert number is not None
    builders.issued_guarantee(system, fund.id)
    pay_on(system, number, Decimal("1200.00"), on=date(2026, 11, 20))
    run_jobs(system)
    return fund.id, number


def test_an_untouched_system_verifies(system: System, cli: CliRunner) -> None:
    history(system)
    result = verify(cli)
    assert result.exit_code == 0, result.output
    assert "Verifica superata" in result.output
    assert "ATTENZIONE" not in cli.invoke(main, ["fund", "report"]).output
    with system.engine.connect() as conn:
        events = conn.scalar(select(func.count()).select_from(tables.audit_events))
        documents = conn.scalar(select(func.count()).select_from(tables.documents))
        positions = list(conn.scalars(select(ch.position).order_by(ch.position)))
    assert documents and documents > 0
    assert positions == list(range(1, (events or 0) + documents + 1))


def test_an_edited_audit_row_is_named(system: System, cli: CliRunner) -> None:
    history(system)
    with system.engine.connect() as conn:
        victim = conn.scalar(select(a.id).order_by(a.seq).offset(3).limit(1))
    with guards_off(system.engine, "audit_events") as conn:
        conn.execute(
            text("UPDATE audit_events SET reason = 'nulla da vedere' WHERE id = :id"),
            {"id": victim},
        )
    result = verify(cli)
    assert result.exit_code == 1
    assert f"evento di audit {victim}" in result.output
    assert "modificato dopo la registrazione" in result.output
    assert result.output.count("NON CORRISPONDE") == 1


def test_a_deleted_audit_row_is_a_break_in_the_chain(system: System, cli: CliRunner) -> None:
    history(system)
    with system.engine.connect() as conn:
        victim = conn.scalar(select(a.id).order_by(a.seq).offset(5).limit(1))
    with guards_off(system.engine, "audit_events") as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": victim})
    result = verify(cli)
    assert result.exit_code == 1
    assert f"evento di audit {victim}" in result.output
    assert "cancellato" in result.output


def test_a_truncated_tail_is_found_against_a_noted_head(system: System, cli: CliRunner) -> None:
    history(system)
    first = verify(cli)
    noted = first.output.split("posizione ")[1].split(",")[0]
    digest = first.output.split("impronta ")[1].split(".")[0]
    with system.engine.connect() as conn:
        last = conn.execute(
            select(ch.position, ch.record_id).order_by(ch.position.desc()).limit(1)
        ).one()
    with guards_off(system.engine, "evidence_chain", "audit_events", "documents") as conn:
        conn.execute(text("DELETE FROM evidence_chain WHERE position = :p"), {"p": last[0]})
        conn.execute(text("DELETE FROM documents WHERE id = :id"), {"id": last[1]})
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": last[1]})
    result = verify(cli, "--head", f"{noted}:{digest}")
    assert result.exit_code == 1
    assert "catena accorciata o riscritta" in result.output


def test_an_altered_running_balance_is_named_and_stops_issuing(
    system: System, cli: CliRunner
) -> None:
    fund_id, _ = history(system)
    with system.engine.begin() as conn:
        # No guard stops this one: the fund row is updated by every business event.
        conn.execute(
            text("UPDATE funds SET balance = balance + 1000000 WHERE id = :id"), {"id": fund_id}
        )
    result = verify(cli)
    assert result.exit_code == 1
    assert "saldo registrato" in result.output and fund_id in result.output
    report = cli.invoke(main, ["fund", "report", "--fund", fund_id], catch_exceptions=False)
    assert "ATTENZIONE: i saldi del fondo" in report.stderr
    with api_client(system) as client:
        auditor = login_as(client, system, Role.AUDITOR)
        figures = client.get(f"/api/v1/funds/{fund_id}", headers=auditor)
        assert figures.status_code == 200 and figures.json()["books_agree"] is False
        ledger = client.get(f"/api/v1/funds/{fund_id}/ledger.csv", headers=auditor)
        assert ledger.headers["X-Garanzia-Books-Agree"] == "false"
    with pytest.raises(BooksOutOfBalance):
        builders.issued_guarantee(system, fund_id)


def test_an_unbalanced_posting_slipped_in_is_named(system: System, cli: CliRunner) -> None:
    fund_id, _ = history(system)
    with system.engine.connect() as conn:
        entry = conn.scalar(
            select(tables.journal_entries.c.id).where(tables.journal_entries.c.fund_id == fund_id)
        )
    with guards_off(system.engine, "postings") as conn:
        conn.execute(
            text(
                "INSERT INTO postings (entry_id, fund_id, account, side, amount) "
                "VALUES (:e, :f, 'cash', 'debit', 50000)"
            ),
            {"e": entry, "f": fund_id},
        )
    result = verify(cli)
    assert result.exit_code == 1
    assert f"scrittura {entry}: non bilanciata" in result.output
    assert "saldo registrato" in result.output  # and the running balance no longer agrees


def test_a_corrupted_pdf_is_named_and_its_certificate_not_called_valid(
    system: System, cli: CliRunner
) -> None:
    _, number = history(system)
    with system.engine.connect() as conn:
        key, year, sequence, code = conn.execute(
            select(
                d.storage_key,
                d.protocol_year,
                d.protocol_sequence,
                tables.guarantees.c.certificate_code,
            )
            .select_from(tables.documents.join(tables.guarantees))
            .where(tables.guarantees.c.number == number, d.kind == "certificate")
        ).one()
    path = Path(system.settings.storage_dir) / key
    path.write_bytes(path.read_bytes()[:-10] + b"tampered!!")
    result = verify(cli)
    assert result.exit_code == 1
    assert f"documento prot. {year}/{sequence}" in result.output
    assert "non corrisponde alla sua impronta" in result.output
    assert FileStore(system.settings.storage_dir).get(key).endswith(b"tampered!!")
    with api_client(system) as client:
        answer = client.get(f"/api/v1/verify/{code}")
        assert answer.status_code == 200
        assert answer.json()["valid"] is False and answer.json()["document_intact"] is False
        page = client.get(f"/verify/{code}")
        assert page.status_code == 200 and "Certificato non verificabile" in page.text


def test_the_trail_of_a_guarantee_is_exported_with_its_hash(
    system: System, cli: CliRunner, tmp_path: Path
) -> None:
    _, number = history(system)
    out = tmp_path / "trail.csv"
    result = cli.invoke(main, ["audit", "export", "--guarantee", number, "--out", str(out)])
    assert result.exit_code == 0, result.output
    import hashlib

    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert (tmp_path / "trail.csv.sha256").read_text().startswith(digest)
    text_ = out.read_text(encoding="utf-8-sig")
    assert "claim_payment" in text_ and "issue" in text_
    assert "Anna Bianchi" not in text_


def test_concurrent_commands_chain_in_commit_order(system: System, cli: CliRunner) -> None:
    """Twelve commands on four funds, all at once: one chain, gapless, that verifies."""
    funds = [builders.fund_with(system, Decimal("1000")).id for _ in range(4)]
    commands = [
        c.RecordContribution(
            fund_id=funds[i % 4],
            amount=Decimal("10"),
            donor="d",
            on=date(2026, 11, 25),
            reference=f"r{uuid.uuid4().hex[:6]}",
        )
        for i in range(12)
    ]
    barrier = threading.Barrier(len(commands))

    def send(command: c.Command) -> object:
        barrier.wait()
        return system.bus.handle(command, MANAGER)

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=len(commands)) as pool:
            list(pool.map(send, commands))
    result = verify(cli)
    assert result.exit_code == 0, result.output
    with system.engine.connect() as conn:
        events = conn.scalar(select(func.count()).select_from(tables.audit_events))
        positions = list(conn.scalars(select(ch.position).order_by(ch.position)))
    assert positions == list(range(1, (events or 0) + 1))


@pytest.mark.skipif(
    not os.environ.get("GARANZIA_TEST_POSTGRES_URL"),
    reason="SQLite has one writer at a time: insert order is commit order there",
)
def test_an_event_inserted_first_but_committed_last_is_chained_last(
    system: System, cli: CliRunner
) -> None:
    """On PostgreSQL seq follows insert order; the chain follows commit order."""
    from guarantee.adapters.db.repositories import AuditLog
    from guarantee.domain.audit import AuditEvent

    fund = builders.fund_with(system, Decimal("1000"))
    slow = system.session_factory()
    early = AuditEvent(
        occurred_at=datetime.now(UTC),
        actor_id="script",
        actor_role="system",
        entity_type="fund",
        entity_id=fund.id,
        action="note",
        before={},
        after={"b": 1, "a": [1.0, "x"]},
    )
    AuditLog(slow).append([early])
    slow.flush()  # the row has its seq now, and stays uncommitted
    system.bus.handle(
        c.RecordContribution(
            fund_id=fund.id, amount=Decimal("5"), donor="d", on=date(2026, 11, 25), reference="r"
        ),
        MANAGER,
    )
    slow.commit()
    slow.close()
    with system.engine.begin() as conn:  # the sealer (a job, `audit seal`) chains them
        assert seal(conn) > 0
    with system.engine.connect() as conn:
        rows = conn.execute(
            select(a.id, a.seq, ch.position)
            .join(tables.evidence_chain, ch.record_id == a.id)
            .order_by(ch.position)
        ).all()
    assert rows[-1].id == early.id
    assert rows[-1].seq < rows[-2].seq  # inserted before, committed after
    result = verify(cli)
    assert result.exit_code == 0, result.output


def test_an_event_inserted_around_the_audit_log_is_reported_not_adopted(
    system: System, cli: CliRunner
) -> None:
    history(system)
    forged = str(uuid.uuid4())
    with system.engine.begin() as conn:  # INSERT is allowed: the trail is append-only
        conn.execute(
            text(
                "INSERT INTO audit_events (id, occurred_at, actor_id, actor_role, entity_type, "
                "entity_id, action, before, after) VALUES (:id, :at, 'x', 'fund_manager', "
                "'guarantee', 'g', 'issue', '{}', '{}')"
            ),
            {"id": forged, "at": datetime(2026, 11, 25, 9, 30, tzinfo=UTC)},
        )
    for _ in range(2):  # verify itself does not adopt it
        result = verify(cli)
        assert result.exit_code == 1
        assert f"evento di audit {forged}: non è nella catena" in result.output


def test_the_seal_chains_the_documents_archived_before_it(system: System, cli: CliRunner) -> None:
    fund_id, _ = history(system)
    system.bus.handle(
        c.RecordContribution(
            fund_id=fund_id, amount=Decimal("5"), donor="d", on=date(2026, 11, 25), reference="r"
        ),
        MANAGER,
    )
    result = cli.invoke(main, ["audit", "seal"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with system.engine.connect() as conn:
        documents = set(conn.scalars(select(d.id)))
        chained = set(conn.scalars(select(ch.record_id).where(ch.record_type == "document")))
        waiting = conn.scalar(select(func.count()).select_from(tables.evidence_pending))
    assert documents and documents == chained
    assert waiting == 0


def test_a_commit_only_stages_its_events_and_takes_no_chain_lock(system: System) -> None:
    """Issuing does not queue on the chain: its events wait, hashed, for the sealer."""
    fund = builders.fund_with(system, Decimal("1000"))
    with system.engine.begin() as conn:
        seal(conn)
        before = conn.scalar(select(func.count()).select_from(tables.evidence_chain))
    system.bus.handle(
        c.RecordContribution(
            fund_id=fund.id, amount=Decimal("5"), donor="d", on=date(2026, 11, 25), reference="r"
        ),
        MANAGER,
    )
    with system.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(tables.evidence_chain)) == before
        assert conn.scalar(select(func.count()).select_from(tables.evidence_pending)) > 0


def test_an_audit_row_edited_before_the_seal_is_named(system: System, cli: CliRunner) -> None:
    """The hash is taken in the writing transaction: editing the row before the sealer runs
    does not launder it into the chain."""
    fund = builders.fund_with(system, Decimal("1000"))
    system.bus.handle(
        c.RecordContribution(
            fund_id=fund.id, amount=Decimal("5"), donor="d", on=date(2026, 11, 25), reference="r"
        ),
        MANAGER,
    )
    with system.engine.connect() as conn:
        victim = conn.scalar(select(a.id).order_by(a.seq.desc()).limit(1))
        assert conn.scalar(
            select(func.count()).where(tables.evidence_pending.c.record_id == victim)
        )
    with guards_off(system.engine, "audit_events") as conn:
        conn.execute(
            text("UPDATE audit_events SET reason = 'nulla da vedere' WHERE id = :id"),
            {"id": victim},
        )
    result = verify(cli)
    assert result.exit_code == 1
    assert f"evento di audit {victim}" in result.output
    assert "modificato dopo la registrazione" in result.output
