"""Rendering documents to HTML: Italian figures, strict contexts, a checked template set."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from guarantee.adapters.document_errors import (
    DocumentContextError,
    DocumentTemplateError,
    MissingContextError,
    TemplateManifestError,
)
from guarantee.adapters.document_samples import SAMPLE_BRANDING, sample_context
from guarantee.adapters.template_manifest import Field
from guarantee.adapters.templating import Branding, DocumentRenderer
from guarantee.domain.documents import DocumentKind

NBSP = "\u00a0"


def eur(text: str) -> str:
    return f"{text}{NBSP}€"


EXPECTED: dict[DocumentKind, list[str]] = {
    DocumentKind.GUARANTEE_CONTRACT: [
        "Contratto di garanzia n. GC-2027-000001",
        eur("650,00"),
        eur("80,00"),
        eur("7.800,00"),
        eur("3.000,00"),
        eur("2.000,00"),
        eur("12.800,00"),
        "dal 1 gennaio 2027 al 31 dicembre 2029",
        "entro 60 giorni di calendario dalla scadenza del secondo canone non pagato",
        "Maria Rossi",
        "Amina El Idrissi",
        "artt. 1341 e 1342 c.c.",
    ],
    DocumentKind.CERTIFICATE: [
        "7KQ2-M9XD-4T8P-WR3C",
        "https://garanziacasa.example.it/verify/7KQ2-M9XD-4T8P-WR3C",
        'src="data:image/svg+xml',
        eur("12.800,00"),
        "dal 4 gennaio 2027 al 31 dicembre 2029",
    ],
    DocumentKind.ELIGIBILITY_OUTCOME: [
        "Domanda ammissibile",
        "DOM-2026-000057 del 24 novembre 2026",
        "versione 2026.2",
        "Soddisfatto",
    ],
    DocumentKind.CLAIM_ACKNOWLEDGEMENT: [
        "SIN-2027-000007",
        "il 20 luglio 2027",
        eur("2.190,00"),
        eur("2.400,00"),
        eur("4.590,00"),
        "entro 30 giorni",
    ],
    DocumentKind.CLAIM_DECISION: [
        "Richiesta accolta parzialmente",
        eur("4.190,00"),
        eur("400,00"),
        f"oltre il massimale per spese legali ({eur('2.000,00')})",
        eur("8.610,00"),
        eur("5.610,00"),
        "Impegnato",
    ],
    DocumentKind.PAYMENT_NOTICE: [
        eur("4.190,00"),
        "*** **** **** **** **** **** 3456",
        "prot. n. 2027/000123 del 30 luglio 2027",
        "3 agosto 2027",
    ],
    DocumentKind.MEDIATION_CONVOCATION: [
        "giovedì 15 luglio 2027, ore 10:00",
        "MED-2027-000011",
        "Paolo Bianchi",
        "entro il 12 luglio 2027",
    ],
    DocumentKind.REPAYMENT_PLAN: [
        eur("4.190,00"),
        eur("1.400,00"),
        f"{eur('140,00')} (10,0% del reddito netto mensile)",
        "dal 10 settembre 2027 al 10 agosto 2030",
        "IT66M0306930540100000046119",  # the fund's own account, printed in full
    ],
    DocumentKind.EXPIRY_REMINDER: [
        "Scadenza: 31 dicembre 2029",
        "tra 60 giorni",
        "entro il 1 marzo 2030",
        "entro il 1 dicembre 2029",
    ],
    DocumentKind.GUARANTEE_NOTICE: [
        "Garanzia n. GC-2027-000001 – Richiesta di escussione n. SIN-2027-000002 ritirata",
        "Massimali della garanzia",
        "12.800,00",
    ],
    DocumentKind.HOUSEHOLD_NOTICE: [
        "Luca Bianchi",
        "Garanzia n. GC-2027-000001 – Apertura della mediazione",
        "entro l&#39;11 ottobre 2027",
    ],
    DocumentKind.ELIGIBILITY_ATTESTATION: [
        "Attestazione di ammissibilità n. ATT-2027-000001",
        "Lucia Ferrero",
        "540,00",
        "fino all&#39;11 luglio 2027",
        "/verify/4T8P-WR3C-7KQ2-M9XD",
    ],
}


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_renders_its_sample_in_italian(
    renderer: DocumentRenderer, kind: DocumentKind
) -> None:
    rendered = renderer.render_html(kind, sample_context(kind))
    spec = renderer.specs[kind]
    assert rendered.kind is kind
    assert rendered.template_version == spec.version
    # The contract (lease registration) and the decision (committed cover) are at 2.0.
    major = {DocumentKind.GUARANTEE_CONTRACT, DocumentKind.CLAIM_DECISION}
    assert spec.version.split(".")[0] == ("2" if kind in major else "1")
    assert rendered.title == spec.title
    html = rendered.html
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="it">' in html
    assert f"prot. n. {sample_context(kind)['protocol_number']}" in html
    assert SAMPLE_BRANDING.fund_name in html
    assert f'content="{kind.value} {spec.version}"' in html  # the version travels inside it
    assert '"Pagina " counter(page) " di " counter(pages)' in html
    for expected in EXPECTED[kind]:
        assert expected in html, expected
    assert "None" not in html
    assert not re.search(r"\d\.\d\d?\s*€|\d,\d{3}\.\d\d", html), "an amount in English format"


def test_contract_never_shows_the_reserve(renderer: DocumentRenderer) -> None:
    html = renderer.render_html("guarantee_contract", sample_context("guarantee_contract")).html
    assert "accantonamento" not in html.lower()
    assert "3.840" not in html  # 30% of 12.800,00 €


def test_the_reserve_cannot_even_be_passed_to_the_contract(renderer: DocumentRenderer) -> None:
    context = sample_context("guarantee_contract") | {"reserve": Decimal("3840.00")}
    with pytest.raises(DocumentContextError, match=r"unexpected variable: reserve"):
        renderer.render_html("guarantee_contract", context)


def test_certificate_shows_nothing_about_the_household(renderer: DocumentRenderer) -> None:
    html = renderer.render_html("certificate", sample_context("certificate")).html
    contract = sample_context("guarantee_contract")
    household = contract["household"]
    assert isinstance(household, dict)
    for private in (household["main_tenant"], household["tax_code"], "El Idrissi", "RSSMRA"):
        assert private not in html


def test_payment_notice_never_prints_the_full_iban(renderer: DocumentRenderer) -> None:
    html = renderer.render_html("payment_notice", sample_context("payment_notice")).html
    assert "IT60X0542811101000000123456" not in html
    assert "0542811101" not in html


def test_eligibility_letter_lists_every_rule_with_its_verdict(
    renderer: DocumentRenderer,
) -> None:
    context = sample_context("eligibility_outcome")
    verdicts = context["verdicts"]
    assert isinstance(verdicts, list)
    verdicts[2]["verdict"] = "review"
    verdicts[4]["verdict"] = "fail"
    context["outcome"] = "ineligible"
    html = renderer.render_html("eligibility_outcome", context).html
    for verdict in verdicts:
        assert verdict["code"] not in html, "rules are explained in words, never by code"
        assert verdict["message"].replace("'", "&#39;") in html
    assert "Domanda non ammissibile" in html
    assert html.count(">Soddisfatto<") == len(verdicts) - 2
    assert html.count(">Da valutare<") == 1
    assert html.count(">Non soddisfatto<") == 1


def test_repayment_plan_lists_36_instalments(renderer: DocumentRenderer) -> None:
    html = renderer.render_html("repayment_plan", sample_context("repayment_plan")).html
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td class=\"amount\">([^<]+)</td>", html)
    assert [int(number) for number, _, _ in rows] == list(range(1, 37))
    assert [amount for _, _, amount in rows] == [eur("116,39")] * 35 + [eur("116,35")]
    assert rows[0][1] == "10 settembre 2027"
    assert rows[-1][1] == "10 agosto 2030"
    assert f'<td class="amount">{eur("0,00")}</td></tr>' in html  # nothing left after the last


def test_user_text_is_escaped(renderer: DocumentRenderer) -> None:
    context = sample_context("claim_acknowledgement")
    context["recipient"] = {"name": "<script>x</script>", "address": "a & b", "city": "c"}
    html = renderer.render_html("claim_acknowledgement", context).html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "a &amp; b" in html


# --- strict contexts ---------------------------------------------------------------


def declared_paths(
    fields: tuple[Field, ...], prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Every declared variable as a key path into a sample (lists: their first item)."""
    paths: list[tuple[str, ...]] = []
    for field in fields:
        here = (*prefix, field.name)
        paths.append(here)
        paths.extend(declared_paths(field.children, (*here, "0") if field.is_list else here))
    return paths


def all_declared() -> list[tuple[DocumentKind, tuple[str, ...]]]:
    built = DocumentRenderer(SAMPLE_BRANDING)
    return [
        (kind, path) for kind, spec in built.specs.items() for path in declared_paths(spec.fields)
    ]


def dotted(path: tuple[str, ...]) -> str:
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", ".".join(path))


@pytest.mark.parametrize(("kind", "path"), all_declared(), ids=lambda v: str(v))
def test_every_missing_variable_is_named(
    renderer: DocumentRenderer, kind: DocumentKind, path: tuple[str, ...]
) -> None:
    context = sample_context(kind)
    holder: object = context
    for key in path[:-1]:
        holder = holder[int(key)] if isinstance(holder, list) else holder[key]  # type: ignore[index]
    assert isinstance(holder, dict)
    del holder[path[-1]]
    with pytest.raises(MissingContextError) as missing:
        renderer.render_html(kind, context)
    assert dotted(path) in missing.value.variables
    assert renderer.specs[kind].file in str(missing.value)
    assert dotted(path) in str(missing.value)


def test_all_missing_variables_are_named_at_once(renderer: DocumentRenderer) -> None:
    context = sample_context("repayment_plan")
    del context["debtor"]
    instalments = context["instalments"]
    assert isinstance(instalments, list)
    del instalments[3]["amount"]
    with pytest.raises(MissingContextError) as missing:
        renderer.render_html("repayment_plan", context)
    assert missing.value.variables == ("debtor", "instalments[3].amount")
    assert str(missing.value).startswith("documents/piano_rientro.html.j2: missing variable")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["lease"].update(monthly_rent=650.0),
            r"wrong type: lease\.monthly_rent \(expected money\)",
        ),
        (
            lambda c: c.update(document_date="2027-01-04"),
            r"wrong type: document_date \(expected date\)",
        ),
        (
            lambda c: c["household"].update(members="3"),
            r"household\.members \(expected int\)",
        ),
        (lambda c: c.update(coverage={"label": "x"}), r"coverage \(expected a list\)"),
        (lambda c: c["landlord"].update(pec="x@pec.it"), r"unexpected variable: landlord\.pec"),
    ],
)
def test_mistyped_or_unknown_variables_are_refused(
    renderer: DocumentRenderer, change: object, message: str
) -> None:
    context = sample_context("guarantee_contract")
    change(context)  # type: ignore[operator]
    with pytest.raises(DocumentContextError, match=message):
        renderer.render_html("guarantee_contract", context)


def test_a_choice_outside_its_values_is_refused(renderer: DocumentRenderer) -> None:
    context = sample_context("claim_decision") | {"decision": "maybe"}
    with pytest.raises(DocumentContextError, match=r"decision \(expected one of approved"):
        renderer.render_html("claim_decision", context)


def test_certificate_code_must_be_canonical(renderer: DocumentRenderer) -> None:
    for bad in ("7kq2m9xd4t8pwr3c", "7KQ2-M9XD-4T8P-WR3U"):
        context = sample_context("certificate") | {"certificate_code": bad}
        with pytest.raises(DocumentContextError, match="certificate_code"):
            renderer.render_html("certificate", context)


def test_samples_are_fresh_copies() -> None:
    first = sample_context("repayment_plan")
    pristine = copy.deepcopy(first)
    first["instalments"].clear()  # type: ignore[attr-defined]
    assert sample_context("repayment_plan") == pristine


def test_spec_describes_the_context_for_documentation(renderer: DocumentRenderer) -> None:
    lines = renderer.specs[DocumentKind.REPAYMENT_PLAN].describe()
    assert "protocol_number: text" in lines
    assert "plan.instalment_cap_ratio: percent" in lines
    assert "instalments[].due_date: date" in lines


# --- branding ---------------------------------------------------------------------


def test_without_a_logo_the_letterhead_has_no_image(templates_copy: Path) -> None:
    plain = DocumentRenderer(replace(SAMPLE_BRANDING, logo_path=None), templates_copy)
    html = plain.render_html("expiry_reminder", sample_context("expiry_reminder")).html
    assert "<img" not in html
    assert SAMPLE_BRANDING.fund_name in html


def test_a_missing_logo_fails_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(DocumentTemplateError, match="logo"):
        DocumentRenderer(replace(SAMPLE_BRANDING, logo_path=tmp_path / "none.png"))


def test_verification_link_follows_the_configured_base_url(templates_copy: Path) -> None:
    other = DocumentRenderer(
        replace(SAMPLE_BRANDING, base_url="https://fondo.example.org/"), templates_copy
    )
    html = other.render_html("certificate", sample_context("certificate")).html
    assert "https://fondo.example.org/verify/7KQ2-M9XD-4T8P-WR3C" in html


def test_base_url_must_be_a_web_address() -> None:
    with pytest.raises(ValueError, match="base_url"):
        Branding(fund_name="F", consortium_name="C", base_url="garanziacasa.example.it")


# --- a broken template set fails at start-up, naming the file -----------------------


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def build(templates: Path) -> DocumentRenderer:
    return DocumentRenderer(SAMPLE_BRANDING, templates)


def test_a_nested_variable_the_manifest_forgot_fails_with_its_name(
    templates_copy: Path,
) -> None:
    edit(
        templates_copy / "documents/contratto_garanzia.html.j2",
        "<strong>{{ landlord.name }}</strong>",
        "<strong>{{ landlord.name }} {{ landlord.pec }}</strong>",
    )
    broken = build(templates_copy)  # nested names are only known when rendering
    with pytest.raises(MissingContextError) as missing:
        broken.render_html("guarantee_contract", sample_context("guarantee_contract"))
    assert missing.value.variables == ("pec",)
    assert missing.value.location is not None
    assert re.fullmatch(r"contratto_garanzia\.html\.j2:\d+", missing.value.location)
    assert "documents/contratto_garanzia.html.j2" in str(missing.value)


def test_a_kind_missing_from_the_manifest(templates_copy: Path) -> None:
    manifest = templates_copy / "documents/manifest.yaml"
    edit(manifest, "  expiry_reminder:", "  expiry_reminder_old:")
    with pytest.raises(TemplateManifestError) as broken:
        build(templates_copy)
    assert broken.value.file == str(manifest)
    assert "tipi di documento mancanti: expiry_reminder" in str(broken.value)
    assert "sconosciuti: expiry_reminder_old" in str(broken.value)
    lines = manifest.read_text(encoding="utf-8").splitlines()
    assert lines[broken.value.line - 1] == "documents:", "the line to look at"


@pytest.mark.parametrize(
    ("old", "new", "message", "line_shows"),
    [
        (
            'version: "1.1"\n    title: Piano',
            'version: "1"\n    title: Piano',
            "serve MAGGIORE.MINORE",
            'version: "1"',
        ),
        (
            "file: piano_rientro.html.j2",
            "file: piano.html.j2",
            "il modello 'piano.html.j2' non esiste",
            "file: piano.html.j2",
        ),
        (
            "          - due_date: date",
            "          - due_date: datum",
            "tipo 'datum' sconosciuto per due_date",
            "- due_date: datum",
        ),
        (
            "  - document_date: date",
            "  - document_date: date\n  - document_date",
            "dichiarate due volte: document_date",
            "common:",
        ),
        ("common:", "common: [", "il file non è YAML valido", None),
        ("common:", "common:\ncommon:", "la chiave 'common' compare due volte", "common:"),
    ],
)
def test_manifest_errors_name_the_manifest_and_the_line_in_italian(
    templates_copy: Path, old: str, new: str, message: str, line_shows: str | None
) -> None:
    manifest = templates_copy / "documents/manifest.yaml"
    edit(manifest, old, new)
    with pytest.raises(TemplateManifestError, match=re.escape(message)) as broken:
        build(templates_copy)
    assert str(broken.value).startswith(f"{manifest}:{broken.value.line}: ")
    if line_shows is not None:
        lines = manifest.read_text(encoding="utf-8").splitlines()
        assert line_shows in lines[broken.value.line - 1]


def test_a_template_using_an_undeclared_variable(templates_copy: Path) -> None:
    edit(
        templates_copy / "documents/promemoria_scadenza.html.j2",
        "{{ guarantee.end_date|date_it }}",
        "{{ guarantee.end_date|date_it }} {{ reserve }}",
    )
    with pytest.raises(
        TemplateManifestError, match=r"non dichiarate nel manifest: \['reserve'\]"
    ) as e:
        build(templates_copy)
    assert e.value.file == "documents/promemoria_scadenza.html.j2"


def test_only_the_certificate_gets_the_verification_link(templates_copy: Path) -> None:
    edit(
        templates_copy / "documents/promemoria_scadenza.html.j2",
        "{{ guarantee.end_date|date_it }}",
        "{{ guarantee.end_date|date_it }} {{ verification_url }}",
    )
    with pytest.raises(
        TemplateManifestError, match=r"non dichiarate nel manifest: \['verification_url'\]"
    ):
        build(templates_copy)


def test_a_declared_variable_no_template_uses(templates_copy: Path) -> None:
    edit(
        templates_copy / "documents/manifest.yaml",
        "      - renewal_possible: bool",
        "      - renewal_possible: bool\n      - renewal_fee: money",
    )
    with pytest.raises(TemplateManifestError, match=r"mai usate: \['renewal_fee'\]"):
        build(templates_copy)


def test_a_template_that_does_not_compile_names_file_and_line(templates_copy: Path) -> None:
    edit(templates_copy / "documents/avviso_pagamento.html.j2", "{% endblock %}", "")
    with pytest.raises(TemplateManifestError) as broken:
        build(templates_copy)
    assert re.match(r"documents/avviso_pagamento\.html\.j2:\d+", broken.value.file)


def test_a_template_file_outside_the_manifest(templates_copy: Path) -> None:
    stray = templates_copy / "documents/lettera_vecchia.html.j2"
    stray.write_text("old", encoding="utf-8")
    with pytest.raises(TemplateManifestError, match="modello non elencato nel manifest") as broken:
        build(templates_copy)
    assert broken.value.file == str(stray)
