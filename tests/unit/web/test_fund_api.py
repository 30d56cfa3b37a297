"""The fund's figures as of a day and its ledger as CSV, as an API client sees them."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.services import commands as c
from tests.support import builders
from tests.support.http import api_client, login_as


def fund_with_history(system: System) -> str:
    fund = builders.fund_with(system, Decimal("0"))
    for amount, on in (("60000.00", date(2026, 1, 15)), ("40000.00", date(2026, 3, 1))):
        system.bus.handle(
            c.RecordContribution(
                fund_id=fund.id, amount=Decimal(amount), donor="d", on=on, reference="r"
            ),
            builders.MANAGER,
        )
    builders.issued_guarantee(system, fund.id)
    return fund.id


def test_figures_now_and_as_of_a_past_day(system: System) -> None:
    fund_id = fund_with_history(system)
    with api_client(system) as client:
        auditor = login_as(client, system, Role.AUDITOR)
        now = client.get(f"/api/v1/funds/{fund_id}", headers=auditor)
        assert now.status_code == 200, now.text
        assert now.json()["as_of"] is None
        assert Decimal(now.json()["reserved"]) == Decimal("3840.00")
        past = client.get(f"/api/v1/funds/{fund_id}?as_of=2026-02-01", headers=auditor)
        assert past.status_code == 200, past.text
        body = past.json()
        assert body["as_of"] == "2026-02-01"
        assert Decimal(body["balance"]) == Decimal("60000.00")
        assert Decimal(body["reserved"]) == Decimal("0.00") and body["live_guarantees"] == 0
        bad = client.get(f"/api/v1/funds/{fund_id}?as_of=01/02/2026", headers=auditor)
        assert bad.status_code == 400
        assert any(e["field"] == "as_of" for e in bad.json()["errors"])


def test_ledger_as_csv(system: System) -> None:
    fund_id = fund_with_history(system)
    with api_client(system) as client:
        manager = login_as(client, system, Role.FUND_MANAGER)
        answer = client.get(f"/api/v1/funds/{fund_id}/ledger.csv", headers=manager)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
        assert answer.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(answer.content.decode("utf-8-sig").splitlines(), delimiter=";"))
        assert rows[0][-2:] == ["dare", "avere"] and len(rows) == 1 + 2 + 2 + 2
        assert rows[-1][2] == "accantonamento" and rows[-1][7] == "3840,00"
        cash = client.get(
            f"/api/v1/funds/{fund_id}/ledger.csv?account=cash&date_from=2026-02-01",
            headers=manager,
        )
        lines = cash.content.decode("utf-8-sig").splitlines()
        assert lines[1:] == [lines[1]] and ";2026-03-01;" in lines[1]
        unknown = client.get("/api/v1/funds/nessuno/ledger.csv", headers=manager)
        assert unknown.status_code == 404
        owner = builders.enrol_landlord(system)
        landlord = login_as(client, system, Role.LANDLORD, landlord_id=owner.id)
        refused = client.get(f"/api/v1/funds/{fund_id}/ledger.csv", headers=landlord)
        assert refused.status_code == 403
