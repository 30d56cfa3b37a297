"""Documents and notices: archived once with gapless protocol numbers, mailed exactly once,
and nothing lost when the broker is down."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from guarantee.adapters.clock import FixedClock
from guarantee.adapters.db import tables
from guarantee.adapters.document_samples import sample_context
from guarantee.adapters.reference_data import ProductCatalog
from guarantee.adapters.storage import FileStore
from guarantee.adapters.templating import Branding, DocumentRenderer
from guarantee.bootstrap import System, bootstrap
from guarantee.domain.actors import Role
from guarantee.domain.documents import DocumentKind
from guarantee.domain.guarantees import Guarantee
from guarantee.domain.products import ProductCatalog as VersionedProducts
from guarantee.jobs.archive import DocumentArchive
from guarantee.jobs.reminders import queue_expiry_reminders
from guarantee.jobs.runner import JobRunner
from guarantee.read.documents import documents_of
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.support import builders
from tests.support.http import api_client, login_as
from tests.support.jobs import process_everything, run_jobs
from tests.support.journeys import MANAGER, SECOND_MANAGER, approved_claim, at
from tests.support.payments import file_and_decide, past_lease, pay_on
from tests.support.products import product
from tests.support.servers import Inbox, redis_server, smtp_server


@pytest.fixture
def inbox(system: System) -> Iterator[Inbox]:
    with smtp_server() as (received, url):
        system.settings.smtp_url = url
        yield received


def issue(system: System) -> Guarantee:
    fund = builders.fund_with(system, builders.money("100000"))
    return builders.issued_guarantee(system, fund.id)


def outbox_statuses(system: System) -> list[str]:
    with system.engine.connect() as conn:
        return list(conn.scalars(select(tables.outbox.c.status)))


@pytest.mark.real_pdf  # the one run of the archive through WeasyPrint in the job runner
def test_issuing_archives_contract_and_certificate_and_mails_them_once(
    system: System, inbox: Inbox
) -> None:
    guarantee = issue(system)
    runner = JobRunner(system, threads=1, namespace=f"t-{uuid.uuid4().hex[:8]}")
    runner.worker.start()
    try:
        process_everything(runner)
        process_everything(runner)  # a second round finds nothing to do
    finally:
        runner.stop()
    with system.engine.connect() as conn:
        documents = documents_of(conn, guarantee.id)
    kinds = [d["kind"] for d in documents]
    assert sorted(kinds) == ["certificate", "eligibility_outcome", "guarantee_contract"]
    numbers = sorted(d["protocol_number"] for d in documents)
    assert numbers == ["2026/000001", "2026/000002", "2026/000003"]
    store = FileStore(system.settings.storage_dir)
    for document in documents:
        with system.engine.connect() as conn:
            key = conn.scalar(
                select(tables.documents.c.storage_key).where(
                    tables.documents.c.id == document["id"]
                )
            )
        content = store.get(str(key))
        assert content.startswith(b"%PDF")
        assert hashlib.sha256(content).hexdigest() == document["sha256"]
    assert len(inbox.accepted) == 1, "the landlord gets exactly one notice"
    mail = inbox.accepted[0]
    assert guarantee.number in str(mail["Subject"])
    attachments = [part for part in mail.walk() if part.get_filename()]
    numbers = {d["kind"]: d["protocol_number"].replace("/", "-") for d in documents}
    assert sorted(a.get_filename() or "" for a in attachments) == sorted(
        [
            f"certificato-di-garanzia-{numbers['certificate']}.pdf",
            f"contratto-di-garanzia-{numbers['guarantee_contract']}.pdf",
        ]
    ), "attachments are named in Italian, with their protocol number"
    assert [p.get_content_type() for p in mail.walk() if not p.get_filename()][-2:] == [
        "text/plain",
        "text/html",
    ], "the notice has a text and an HTML part"
    for part in attachments:
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes) and payload.startswith(b"%PDF")
    assert set(outbox_statuses(system)) == {"done"}


def test_a_certificate_is_verified_online_without_personal_data(system: System) -> None:
    guarantee = issue(system)
    code = guarantee.certificate_code
    assert code is not None and len(code.replace("-", "")) == 16
    with api_client(system) as client:
        answer = client.get(f"/api/v1/verify/{code.lower().replace('-', '')}")
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "code": code,
            "kind": "certificate",
            "valid": True,
            "guarantee_number": guarantee.number,
            "status": "issued",
            "starts_on": "2027-01-01",
            "ends_on": "2029-12-31",
            # the fields of an eligibility attestation, the other kind of code
            "attestation_number": None,
            "valid_until": None,
            "maximum_rent": None,
            "document_intact": True,
        }
        page = client.get(f"/verify/{code}")
        assert page.status_code == 200
        assert "Certificato valido" in page.text and guarantee.number in page.text
        assert "Anna Bianchi" not in page.text and "Locatore" not in page.text
        assert client.get("/api/v1/verify/7KQ2-M9XD-4T8P-WR3C").status_code == 404
        assert client.get("/verify/7KQ2-M9XD-4T8P-WR3C").status_code == 404
        assert client.get("/api/v1/verify/not-a-code").status_code == 404


def test_documents_are_downloaded_only_by_who_may_see_the_guarantee(
    system: System, inbox: Inbox
) -> None:
    mine = issue(system)
    other = builders.issued_guarantee(system)
    run_jobs(system)
    with api_client(system) as client:
        landlord = login_as(client, system, Role.LANDLORD, landlord_id=mine.landlord_id)
        listed = client.get(f"/api/v1/guarantees/{mine.number}/documents", headers=landlord)
        assert listed.status_code == 200
        contract = next(d for d in listed.json() if d["kind"] == "guarantee_contract")
        pdf = client.get(f"/api/v1/documents/{contract['id']}", headers=landlord)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        number = contract["protocol_number"].replace("/", "-")
        assert pdf.headers["content-disposition"] == (
            f'attachment; filename="contratto-di-garanzia-{number}.pdf"'
        )
        assert hashlib.sha256(pdf.content).hexdigest() == contract["sha256"]
        with system.engine.connect() as conn:
            theirs = documents_of(conn, other.id)[0]["id"]
        assert client.get(f"/api/v1/documents/{theirs}", headers=landlord).status_code == 404
        assert (
            client.get(f"/api/v1/guarantees/{other.number}/documents", headers=landlord).status_code
            == 404
        )


class HtmlAsPdf:
    """Stands in for WeasyPrint where only numbering is under test (200 PDFs would take minutes)."""

    def to_pdf(self, html: str, base_url: str | None = None) -> bytes:
        return b"%PDF-fake\n" + html.encode()


def test_200_documents_made_at_once_get_200_consecutive_protocol_numbers(system: System) -> None:
    renderer = DocumentRenderer(
        Branding(fund_name="Fondo", consortium_name="Consorzio", base_url="http://localhost")
    )
    archive = DocumentArchive(
        system.engine,
        renderer,
        HtmlAsPdf(),
        FileStore(system.settings.storage_dir),
        system.deps.clock,
    )

    def make(_: int) -> str:
        return archive.create(
            DocumentKind.PAYMENT_NOTICE, sample_context(DocumentKind.PAYMENT_NOTICE), by="t"
        )

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(make, range(200)))
    assert len(set(ids)) == 200
    d = tables.documents.c
    with system.engine.connect() as conn:
        rows = conn.execute(select(d.protocol_year, d.protocol_sequence)).all()
    assert {year for year, _ in rows} == {2026}
    assert sorted(seq for _, seq in rows) == list(range(1, 201))


def test_with_the_broker_down_issuing_succeeds_and_the_notice_arrives_once_when_it_is_back(
    system: System, inbox: Inbox, tmp_path: Path
) -> None:
    with redis_server(tmp_path) as redis:
        system.settings.broker_url = redis.url
        runner = JobRunner(system, threads=1)
        redis.stop()
        guarantee = issue(system)  # the broker is down: issuing does not need it
        assert guarantee.status.value == "issued"
        assert runner.relay() == 0, "nothing can be handed to a broker that is down"
        assert set(outbox_statuses(system)) == {"pending"}
        redis.start()
        runner.worker.start()
        try:
            process_everything(runner)
            inbox.wait_for(1)
            process_everything(runner)
        finally:
            runner.stop()
    assert len(inbox.accepted) == 1
    assert set(outbox_statuses(system)) == {"done"}


def test_every_step_of_a_claim_sends_its_letter(
    system: System, clock: FixedClock, inbox: Inbox
) -> None:
    _, claim_number = approved_claim(system, clock)
    at(clock, "2027-07-28")
    system.bus.handle(c.ProposeClaimPayment(claim_number), MANAGER)
    system.bus.handle(c.PayClaim(claim_number, idempotency_key="bonifico-1"), SECOND_MANAGER)
    plan = system.bus.handle(c.CreateRecoveryPlan(claim_number, date(2027, 9, 1)), MANAGER)
    run_jobs(system)
    d = tables.documents.c
    with system.engine.connect() as conn:
        kinds = set(conn.scalars(select(d.kind)))
        plan_doc = conn.execute(
            select(d.storage_key).where(d.kind == "repayment_plan")
        ).scalar_one()
    assert {
        "mediation_convocation",
        "claim_acknowledgement",
        "claim_decision",
        "payment_notice",
        "repayment_plan",
    } <= kinds
    subjects = [str(m["Subject"]) for m in inbox.accepted]
    assert any("Convocazione" in s for s in subjects)
    assert any(s.startswith("Ricevuta") and claim_number in s for s in subjects)
    assert any(s.startswith("Decisione") and claim_number in s for s in subjects)
    assert any(s.startswith("Avviso di pagamento") and claim_number in s for s in subjects)
    assert len(subjects) == len(set(subjects)), "each letter is sent once"
    assert FileStore(system.settings.storage_dir).get(str(plan_doc)).startswith(b"%PDF")
    assert plan.number.startswith("RIE-2027-")
    assert set(outbox_statuses(system)) == {"done"}


def test_an_expiry_reminder_goes_out_once_60_days_before_the_end(
    system: System, clock: FixedClock, inbox: Inbox
) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    ending = builders.issued_guarantee(
        system, fund.id, lease_data=builders.lease(start=date(2026, 3, 1), end=date(2027, 2, 28))
    )
    builders.issued_guarantee(system, fund.id)  # ends in 2029: no reminder yet
    at(clock, "2026-12-30")
    assert queue_expiry_reminders(system.engine, clock.today(), clock.now()) == 1
    assert queue_expiry_reminders(system.engine, clock.today(), clock.now()) == 0
    run_jobs(system)
    reminders = [m for m in inbox.accepted if "scade tra 60 giorni" in str(m["Subject"])]
    assert [str(m["Subject"]) for m in reminders] == [
        f"La garanzia {ending.number} scade tra 60 giorni"
    ]
    with system.engine.connect() as conn:
        kinds = [d["kind"] for d in documents_of(conn, ending.id)]
    assert kinds.count("expiry_reminder") == 1


def test_a_withdrawn_claim_and_a_revoked_decision_each_send_the_landlord_a_letter(
    system: System, clock: FixedClock, inbox: Inbox
) -> None:
    fund = builders.fund_with(system, builders.money("100000"))
    number = builders.issued_guarantee(system, fund.id, lease_data=past_lease()).number
    assert number is not None
    revoked = file_and_decide(system, number, builders.money("2000"))
    withdrawn = file_and_decide(system, number, builders.money("800"))
    system.bus.handle(c.RevokeClaimDecision(revoked, "perizia da {rifare}"), SECOND_MANAGER)
    system.bus.handle(c.WithdrawClaim(withdrawn, "danno riparato dall'inquilino"), MANAGER)
    run_jobs(system)
    # Long subjects are folded over several header lines: read them as one line.
    letters = {" ".join(str(m["Subject"]).split()): m for m in inbox.accepted}
    about_revoked = f"Garanzia {number}: Richiesta di escussione n. {revoked}: decisione revocata"
    about_withdrawn = f"Garanzia {number}: Richiesta di escussione n. {withdrawn} ritirata"
    assert {about_revoked, about_withdrawn} <= set(letters)
    text = [
        part.get_payload(decode=True).decode()
        for part in letters[about_revoked].walk()
        if part.get_content_type() == "text/plain"
    ]
    assert any("perizia da {rifare}" in t for t in text), "the reason, braces and all"
    with system.engine.connect() as conn:
        guarantee_id = conn.scalar(
            select(tables.guarantees.c.id).where(tables.guarantees.c.number == number)
        )
        kinds = [d["kind"] for d in documents_of(conn, str(guarantee_id))]
    assert kinds.count("guarantee_notice") == 2
    assert set(outbox_statuses(system)) == {"done"}


def test_a_guarantee_paid_to_its_cap_is_exhausted_and_the_landlord_told(
    settings: Settings, clock: FixedClock
) -> None:
    small_cap = product(overall_cap_rents=2, overall_cap_extra=builders.money("0"))
    system = bootstrap(
        settings, clock=clock, products=ProductCatalog(VersionedProducts([small_cap]))
    )
    try:
        with smtp_server() as (inbox, url):
            system.settings.smtp_url = url
            fund = builders.fund_with(system, builders.money("100000"))
            number = builders.issued_guarantee(system, fund.id, lease_data=past_lease()).number
            assert number is not None
            pay_on(system, number, builders.money("1300"))  # 2 rents of 650,00 €: all of it
            run_jobs(system)
            subjects = [" ".join(str(m["Subject"]).split()) for m in inbox.accepted]
        assert f"Garanzia {number}: Massimale esaurito" in subjects
        with system.engine.connect() as conn:
            g = tables.guarantees.c
            status, reserve = conn.execute(
                select(g.status, g.reserve_amount).where(g.number == number)
            ).one()
        assert (str(status), reserve) == ("exhausted", builders.money("0"))
    finally:
        system.close()
