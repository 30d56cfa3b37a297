"""PDF output: valid files, A4 pages, page numbers, tables that break cleanly.

Each PDF costs about half a second, so only three documents are laid out here.
Pages are read from WeasyPrint's own layout (no PDF parser is installed).
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from weasyprint import Document

from guarantee.adapters.document_samples import sample_context
from guarantee.adapters.formatting import date_it, euro
from guarantee.adapters.pdf import PdfRenderer, html_to_pdf
from guarantee.adapters.templating import DocumentRenderer

A4_CSS_PX = (793.7, 1122.52)  # 210 × 297 mm at 96 px per inch


def texts(box: Any) -> Iterator[str]:
    text = getattr(box, "text", None)
    if text:
        yield text
    for child in getattr(box, "children", ()):
        yield from texts(child)


def inflated_streams(pdf: bytes) -> Iterator[bytes]:
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            yield zlib.decompress(match[1])
        except zlib.error:
            yield match[1]


def page_texts(document: Document) -> list[list[str]]:
    return [list(texts(page._page_box)) for page in document.pages]


@pytest.fixture(scope="module")
def pdf_renderer() -> PdfRenderer:
    return PdfRenderer()


@pytest.fixture(scope="module")
def contract(renderer: DocumentRenderer, pdf_renderer: PdfRenderer) -> Document:
    html = renderer.render_html("guarantee_contract", sample_context("guarantee_contract")).html
    return pdf_renderer.layout(html)


@pytest.fixture(scope="module")
def plan(renderer: DocumentRenderer, pdf_renderer: PdfRenderer) -> Document:
    html = renderer.render_html("repayment_plan", sample_context("repayment_plan")).html
    return pdf_renderer.layout(html)


def test_contract_is_a_valid_pdf(contract: Document, pdf_renderer: PdfRenderer) -> None:
    pdf = pdf_renderer.write(contract)
    assert pdf.startswith(b"%PDF-1.7")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b'pdfaid:part="2"' in b"".join(inflated_streams(pdf))  # PDF/A-2 metadata
    assert len(pdf) < 200_000  # fonts are subset, not embedded whole


def test_contract_pages_are_a4_and_numbered(contract: Document) -> None:
    pages = page_texts(contract)
    assert len(pages) >= 2
    for page in contract.pages:
        assert (round(page.width, 2), round(page.height, 2)) == A4_CSS_PX
    for number, page_text in enumerate(pages, start=1):
        assert f"Pagina {number} di {len(pages)}" in page_text
    # the full letterhead on page 1, the running header from page 2
    assert "Contratto di garanzia · prot. n. 2027/000003" not in pages[0]
    for page_text in pages[1:]:
        assert "Contratto di garanzia · prot. n. 2027/000003" in page_text


def test_contract_signatures_stay_with_the_last_article(contract: Document) -> None:
    last = " ".join(page_texts(contract)[-1])
    assert "Art. 12 – Foro competente" in last
    assert "Letto, confermato e sottoscritto." in last


def residuals() -> list[str]:
    left, amounts = Decimal("4190.00"), []
    for amount in [Decimal("116.39")] * 35 + [Decimal("116.35")]:
        left -= amount
        amounts.append(euro(left))
    return amounts


def test_repayment_plan_table_breaks_across_pages_cleanly(plan: Document) -> None:
    pages = page_texts(plan)
    assert len(pages) >= 2
    context = sample_context("repayment_plan")
    dates = [date_it(item["due_date"]) for item in context["instalments"]]  # type: ignore[attr-defined]
    rows_per_page: list[list[int]] = [[] for _ in pages]
    for row, (due, residual) in enumerate(zip(dates, residuals(), strict=True), start=1):
        on = [index for index, page in enumerate(pages) if due in page]
        assert len(on) == 1, f"row {row} ({due}) is on pages {on}"
        # a row that split would leave its last cell on the next page
        assert residual in pages[on[0]], f"row {row} split across pages"
        rows_per_page[on[0]].append(row)
    holding = [index for index, rows in enumerate(rows_per_page) if rows]
    assert len(holding) >= 2, "the 36 rows should need more than one page"
    for index in holding:
        page = pages[index]
        header = page.index("Debito residuo dopo la rata")  # the header row repeats
        first_row = page.index(dates[rows_per_page[index][0] - 1])
        assert header < first_row


def test_html_to_pdf_renders_the_certificate_on_one_page(renderer: DocumentRenderer) -> None:
    html = renderer.render_html("certificate", sample_context("certificate")).html
    pdf = html_to_pdf(html, None)
    assert pdf.startswith(b"%PDF-")
    assert b"/Type /Pages" in (objects := b"".join(inflated_streams(pdf)))
    assert b"/Count 1" in objects


def test_documents_never_fetch_from_the_network(
    pdf_renderer: PdfRenderer, caplog: pytest.LogCaptureFixture
) -> None:
    html = '<html lang="it"><body><img src="http://192.0.2.1/logo.png" alt="">x</body></html>'
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = pdf_renderer.layout(html)
    assert len(document.pages) == 1
    assert "disallowed protocol" in caplog.text


def test_the_image_cache_stays_bounded_in_a_long_running_worker() -> None:
    renderer = PdfRenderer()
    cache = renderer._resources().image_cache
    cache.update({f"data:image/svg+xml,qr-{n}": object() for n in range(100)})
    renderer.layout('<html lang="it"><body>x</body></html>')
    assert len(cache) == 0
