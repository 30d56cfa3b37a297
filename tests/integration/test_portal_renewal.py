"""The landlord's renewal request on the portal: offered on its guarantee's page while it
may be renewed, refused beside the form in Italian, and another's guarantee does not exist."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from litestar.testing import TestClient

from guarantee.adapters.clock import FixedClock
from guarantee.bootstrap import System
from guarantee.domain.actors import Role
from guarantee.services import commands as c
from guarantee.settings import Settings
from tests.support import builders
from tests.support.accounts import PASSWORD, open_account
from tests.support.http import api_client

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"token_ttl_hours": 24 * 365 * 5})


def _log_in(client: TestClient, username: str) -> None:  # type: ignore[type-arg]
    form = client.get("/portal/accesso")
    token = CSRF.search(form.text)
    assert token is not None
    answer = client.post(
        "/portal/accesso",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text


def test_a_landlord_asks_the_renewal_on_its_guarantee_page(
    system: System, clock: FixedClock
) -> None:
    fund = builders.fund_with(system, Decimal("100000.00"))
    guarantee = builders.issued_guarantee(system, fund.id, net_monthly_income=Decimal("2100"))
    system.bus.handle(c.ActivateGuarantee(number=guarantee.number), builders.MANAGER)
    other = builders.enrol_landlord(system)
    open_account(
        system, "rossi", Role.LANDLORD, full_name="Rossi", landlord_id=guarantee.landlord_id
    )
    open_account(system, "bianchi", Role.LANDLORD, full_name="Bianchi", landlord_id=other.id)
    clock.set(datetime(2029, 11, 16, 10, tzinfo=UTC))
    page = f"/portal/garanzie/{guarantee.number}"
    with api_client(system) as client:
        _log_in(client, "bianchi")
        assert client.get(f"{page}/rinnovo").status_code == 404
    with api_client(system) as client:
        _log_in(client, "rossi")
        shown = client.get(page)
        assert shown.status_code == 200
        assert f"{page}/rinnovo" in shown.text and "una volta" in shown.text
        form = client.get(f"{page}/rinnovo")
        token = CSRF.search(form.text)
        assert form.status_code == 200 and token is not None
        fields = {
            "csrf_token": token.group(1),
            "end": "2032-12-31",
            "monthly_rent": "1.200,00",
            "monthly_charges": "80,00",
            "registration_reference": "serie 3T n. 4321",
        }
        # 1.280,00 € on 2.100,00 € a month is above 50%: refused beside the form, nothing done.
        refused = client.post(f"{page}/rinnovo", data=fields, follow_redirects=False)
        assert refused.status_code == 400
        assert "il rinnovo non è ammissibile" in refused.text
        bad = client.post(
            f"{page}/rinnovo", data=fields | {"monthly_rent": "tanto"}, follow_redirects=False
        )
        assert bad.status_code == 400 and "importo non valido" in bad.text
        # Kin of the tenant: the fund checks first, so a landlord's request stops there.
        kin = client.post(
            f"{page}/rinnovo",
            data=fields | {"monthly_rent": "700,00", "declared_relatives": "1"},
            follow_redirects=False,
        )
        assert kin.status_code == 400, kin.text
        assert "richiede la verifica del fondo" in kin.text and "parenti" in kin.text
        assert re.search(r'name="declared_relatives"[^>]*\schecked', kin.text), "kept ticked"
        done = client.post(
            f"{page}/rinnovo", data=fields | {"monthly_rent": "700,00"}, follow_redirects=False
        )
        assert done.status_code == 303, done.text
        after = client.get(page).text
        assert "Periodi precedenti" in after and "31 dicembre 2032" in after
        assert f"{page}/rinnovo" not in after, "renewed once: no second offer"
