"""Steps for outcome_letter.feature: the letter is rendered from what the application stored."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pytest_bdd import given, parsers, scenarios, then, when

from guarantee.adapters.templating import Branding, DocumentRenderer
from guarantee.bootstrap import System
from guarantee.domain.actors import Actor, Role
from guarantee.domain.documents import DocumentKind
from guarantee.read.letter_contexts import eligibility_context
from tests.features.conftest import euro
from tests.support import builders

scenarios("outcome_letter.feature")

HELP_DESK = Actor("sportello", Role.OPERATOR)
ROW = re.compile(
    r'<td>(?P<message>[^<]*)</td>\s*<td class="verdict verdict-\w+">(?P<label>[^<]+)</td>'
)


@dataclass
class Letter:
    property_id: str = ""
    text: str = ""
    stored: dict[str, object] | None = None

    def rows(self) -> dict[str, str]:
        """Each requirement's words → its verdict (the rule's code is never printed)."""
        return {m["message"]: m["label"] for m in ROW.finditer(self.text)}


@given("a landlord rents a 75 m² flat in Ivrea", target_fixture="letter")
def landlord(system: System) -> Letter:
    owner = builders.enrol_landlord(system)
    return Letter(property_id=builders.add_property(system, owner.id, floor_area_m2=75).id)


@when(
    parsers.re(
        r"the help desk submits an application with ISEE (?P<isee>[\d.,]+ €), net income "
        r"(?P<income>[\d.,]+ €) a month, rent (?P<rent>[\d.,]+ €) and charges "
        r"(?P<charges>[\d.,]+ €)(?P<unregistered> on an unregistered lease)?"
    )
)
def submits(
    system: System,
    letter: Letter,
    isee: str,
    income: str,
    rent: str,
    charges: str,
    unregistered: str | None,
) -> None:
    lease = builders.lease(
        monthly_rent=euro(rent),
        monthly_charges=euro(charges),
        registered=not unregistered,
        registration_reference=None if unregistered else "serie 3T n. 1",
    )
    application = builders.submit_application(
        system,
        letter.property_id,
        HELP_DESK,
        isee=euro(isee),
        net_monthly_income=euro(income),
        lease_data=lease,
    )
    renderer = DocumentRenderer(
        Branding(fund_name="Fondo", consortium_name="Consorzio", base_url="http://localhost")
    )
    with system.engine.connect() as conn:
        context = eligibility_context(conn, application.id, system.deps.clock.today())
    context["protocol_number"] = "2026/000001"
    letter.text = html.unescape(
        renderer.render_html(DocumentKind.ELIGIBILITY_OUTCOME, context).html
    )
    letter.stored = application.eligibility


@then(parsers.parse('the outcome letter says "{wording}"'))
def says(letter: Letter, wording: str) -> None:
    assert wording in letter.text


@then(parsers.parse('the letter lists all {count:d} requirements of rule set "{version}"'))
def lists_all(letter: Letter, count: int, version: str) -> None:
    assert len(letter.rows()) == count
    assert f"versione {version}" in letter.text


@then(parsers.parse('the requirement "{code}" reads "{label}" with the rule\'s message'))
def requirement(letter: Letter, code: str, label: str) -> None:
    assert letter.stored is not None
    verdicts = {v["code"]: v for v in letter.stored["verdicts"]}  # type: ignore[attr-defined]
    assert letter.rows()[verdicts[code]["message"]] == label
    assert code not in letter.text, "the letter explains the rule in words, never by its code"


@then("the letter tells how to ask for a review")
def review_path(letter: Letter) -> None:
    assert "chiedere il riesame della domanda" in letter.text
