"""QR codes for printed documents, as SVG data URIs (vector: sharp at any print size)."""

from __future__ import annotations

import segno


def qr_svg_data_uri(text: str) -> str:
    # Level M survives a scuffed or badly photocopied certificate; the 4-module
    # quiet zone is the standard one, kept so phones find the code on any paper.
    code = segno.make(text, error="m", micro=False, boost_error=False)
    return str(code.svg_data_uri(border=4, dark="#000000", light="#ffffff"))
