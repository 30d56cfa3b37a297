"""A stand-in for WeasyPrint where a PDF's layout is not what a test is about.

Laying out a contract takes WeasyPrint a fifth of a second or more; a test of numbering,
mail or the audit trail only needs bytes that are a PDF to whoever checks the signature, that
differ when the HTML differs, and that keep the HTML readable. Tests that check real PDFs
(tests/unit/adapters/test_pdf.py, the print batch, anything marked ``real_pdf``) use
WeasyPrint; processes a test starts (`garanzia serve`, `garanzia worker`) always do.
"""

from __future__ import annotations

import hashlib


class FakePdf:
    """Bytes starting like a PDF, then the HTML's SHA-256 and the HTML itself."""

    def to_pdf(self, html: str, base_url: str | None = None) -> bytes:
        digest = hashlib.sha256(html.encode()).hexdigest()
        return f"%PDF-1.7 fake {digest}\n".encode() + html.encode()

    def combine(self, pages: list[str]) -> bytes:
        """Each page as its own fake document, one after the other (a print batch)."""
        return b"\n".join(self.to_pdf(page) for page in pages)


def fake_pdf_renderer() -> FakePdf:
    return FakePdf()
