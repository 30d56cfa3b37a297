"""HTML to PDF with WeasyPrint, for archiving.

A renderer keeps WeasyPrint's font configuration, URL fetcher and image cache
between renders (one set per thread: WeasyPrint and Pango objects are not
meant to be shared across threads, and job workers run several).
Documents are self-contained (fonts from the system, images as data URIs),
so the fetcher refuses the network: a render never waits on a remote host.
WeasyPrint (and Pango behind it) is imported at the first render, not with this module: a
process that never renders (the web server on a broker, a command, a test) starts a second
sooner.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weasyprint import Document
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

# PDF/A-2u: the archival profile (ISO 19005-2) with extractable Unicode text.
# WeasyPrint writes it; it is not validated here (e.g. with veraPDF).
DEFAULT_PDF_VARIANT = "pdf/a-2u"
_LOCAL_PROTOCOLS = frozenset({"data", "file"})
# WeasyPrint keys its image cache by URL, and every certificate's QR code is a
# new data URI: without a bound, a long-running worker would keep them all.
_IMAGE_CACHE_LIMIT = 16


def _font_configuration() -> FontConfiguration:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _local_fetcher() -> URLFetcher:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=_LOCAL_PROTOCOLS)


@dataclass
class _ThreadResources:
    font_config: FontConfiguration = field(default_factory=_font_configuration)
    url_fetcher: URLFetcher = field(default_factory=_local_fetcher)
    image_cache: dict[str, Any] = field(default_factory=dict)


class PdfRenderer:
    """Turns a document's HTML into PDF bytes; build one and reuse it."""

    def __init__(self, *, pdf_variant: str | None = DEFAULT_PDF_VARIANT) -> None:
        self._pdf_variant = pdf_variant
        self._local = threading.local()

    def _resources(self) -> _ThreadResources:
        resources: _ThreadResources | None = getattr(self._local, "resources", None)
        if resources is None:
            resources = _ThreadResources()
            self._local.resources = resources
        return resources

    def layout(self, html: str, base_url: str | None = None) -> Document:
        """The laid-out pages, for callers that inspect them before writing."""
        from weasyprint import HTML

        resources = self._resources()
        if len(resources.image_cache) > _IMAGE_CACHE_LIMIT:
            resources.image_cache.clear()
        return HTML(string=html, base_url=base_url, url_fetcher=resources.url_fetcher).render(
            font_config=resources.font_config, cache=resources.image_cache
        )

    def write(self, document: Document) -> bytes:
        pdf: bytes = document.write_pdf(pdf_variant=self._pdf_variant)
        return pdf

    def to_pdf(self, html: str, base_url: str | None = None) -> bytes:
        return self.write(self.layout(html, base_url))

    def combine(self, pages: list[str]) -> bytes:
        """Several HTML documents as one PDF, each starting on its own page (a print batch:
        cover sheet, letter, cover sheet, letter …)."""
        documents = [self.layout(html) for html in pages]
        first, *_ = documents
        every_page = [page for document in documents for page in document.pages]
        return self.write(first.copy(every_page))


_default_renderer: PdfRenderer | None = None
_default_lock = threading.Lock()


def default_pdf_renderer() -> PdfRenderer:
    """The process-wide renderer, built on first use (not at import)."""
    global _default_renderer
    with _default_lock:
        if _default_renderer is None:
            _default_renderer = PdfRenderer()
        return _default_renderer


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    return default_pdf_renderer().to_pdf(html, base_url)
