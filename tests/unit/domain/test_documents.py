"""Document identifiers and archive metadata (domain, no I/O)."""

from __future__ import annotations

import re
import secrets
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guarantee.domain.documents import (
    CROCKFORD_ALPHABET,
    ArchivedDocumentMeta,
    CertificateCode,
    DocumentKind,
    MediaType,
    ProtocolNumber,
    sha256_hex,
)
from guarantee.domain.errors import InvalidField

GROUPED = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")
codes = st.integers(min_value=0, max_value=2**80 - 1)


def code_from_int(number: int, monkeypatch: pytest.MonkeyPatch) -> CertificateCode:
    monkeypatch.setattr(secrets, "randbits", lambda bits: number)
    return CertificateCode.generate()


def test_the_nine_documents_of_the_spec_the_two_notices_and_the_attestation() -> None:
    assert {kind.value for kind in DocumentKind} == {
        "guarantee_contract",
        "certificate",
        "eligibility_outcome",
        "claim_acknowledgement",
        "claim_decision",
        "guarantee_notice",
        "household_notice",
        "payment_notice",
        "mediation_convocation",
        "repayment_plan",
        "expiry_reminder",
        "eligibility_attestation",
    }


def test_crockford_alphabet_has_no_look_alikes() -> None:
    assert len(CROCKFORD_ALPHABET) == 32
    assert not set("ILOU") & set(CROCKFORD_ALPHABET)


def test_generated_code_is_16_crockford_characters_in_groups_of_four() -> None:
    code = CertificateCode.generate()
    assert len(code.value) == 16
    assert GROUPED.fullmatch(str(code))


def test_generation_draws_80_bits_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []

    def randbits(bits: int) -> int:
        asked.append(bits)
        return 0

    monkeypatch.setattr(secrets, "randbits", randbits)
    assert str(CertificateCode.generate()) == "0000-0000-0000-0000"
    assert asked == [80]


def test_every_bit_reaches_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    assert str(code_from_int(2**80 - 1, monkeypatch)) == "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    assert str(code_from_int(1, monkeypatch)) == "0000-0000-0000-0001"
    assert str(code_from_int(2**79, monkeypatch)) == "G000-0000-0000-0000"


def test_codes_differ_and_use_the_whole_alphabet() -> None:
    drawn = [CertificateCode.generate().value for _ in range(2000)]
    assert len(set(drawn)) == len(drawn)
    for position in range(16):
        # 2000 draws over 32 symbols: every symbol shows up at every position.
        assert {code[position] for code in drawn} == set(CROCKFORD_ALPHABET)


@given(number=codes)
def test_canonical_text_parses_back(number: int) -> None:
    value = "".join(CROCKFORD_ALPHABET[(number >> s) & 31] for s in range(75, -1, -5))
    code = CertificateCode(value)
    assert CertificateCode.parse(str(code)) == code
    assert CertificateCode.parse(code.value) == code


@given(number=codes, data=st.data())
def test_parse_forgives_how_people_type_codes(number: int, data: st.DataObject) -> None:
    value = "".join(CROCKFORD_ALPHABET[(number >> s) & 31] for s in range(75, -1, -5))
    typed = []
    for char in value:
        variants = {"0": "0Oo", "1": "1IiLl"}.get(char, char + char.lower())
        typed.append(data.draw(st.sampled_from(variants)))
        typed.append(data.draw(st.sampled_from(["", "", "-", " "])))
    assert CertificateCode.parse("".join(typed)) == CertificateCode(value)


def test_parse_normalises_a_messy_example() -> None:
    assert str(CertificateCode.parse(" 7kq2 m9xd-4t8p wr3c ")) == "7KQ2-M9XD-4T8P-WR3C"
    assert str(CertificateCode.parse("7KQ2M9XD4T8PWR3C")) == "7KQ2-M9XD-4T8P-WR3C"
    assert str(CertificateCode.parse("O1L0-IIII-oooo-llll")) == "0110-1111-0000-1111"


@pytest.mark.parametrize(
    "text",
    ["", "7KQ2-M9XD-4T8P", "7KQ2-M9XD-4T8P-WR3C-0", "7KQ2-M9XD-4T8P-WR3U", "7KQ2-M9XD-4T8P-WR3!"],
)
def test_invalid_codes_are_refused(text: str) -> None:
    with pytest.raises(InvalidField) as refused:
        CertificateCode.parse(text)
    assert refused.value.field == "codice di verifica"


def test_protocol_number_format() -> None:
    assert str(ProtocolNumber(2027, 123)) == "2027/000123"
    assert str(ProtocolNumber(2027, 1_234_567)) == "2027/1234567"


@given(year=st.integers(1000, 9999), sequence=st.integers(1, 10**8))
def test_protocol_number_round_trip(year: int, sequence: int) -> None:
    number = ProtocolNumber(year, sequence)
    assert ProtocolNumber.parse(str(number)) == number


def test_protocol_numbers_sort_by_year_then_sequence() -> None:
    assert sorted([ProtocolNumber(2028, 1), ProtocolNumber(2027, 2), ProtocolNumber(2027, 1)]) == [
        ProtocolNumber(2027, 1),
        ProtocolNumber(2027, 2),
        ProtocolNumber(2028, 1),
    ]


@pytest.mark.parametrize(
    "text", ["2027/123", "27/000123", "2027/0000123", "2027-000123", "2027/000000", "abcd/000001"]
)
def test_malformed_protocol_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidField):
        ProtocolNumber.parse(text)


def test_sha256_hex_known_vector() -> None:
    assert sha256_hex(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def describe(content: bytes = b"%PDF-1.7 ...") -> ArchivedDocumentMeta:
    return ArchivedDocumentMeta.describe(
        content,
        kind=DocumentKind.CERTIFICATE,
        template_version="1.0",
        protocol_number=ProtocolNumber(2027, 4),
        created_at=datetime(2027, 1, 4, 9, 30, tzinfo=UTC),
        media_type=MediaType.PDF,
    )


def test_archive_metadata_is_computed_from_the_bytes() -> None:
    meta = describe(b"content")
    assert meta.size == 7
    assert meta.sha256 == sha256_hex(b"content")
    assert meta.matches(b"content")
    assert not meta.matches(b"c0ntent")


def test_archive_metadata_is_immutable() -> None:
    meta = describe()
    with pytest.raises(FrozenInstanceError):
        meta.sha256 = "0" * 64  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("sha256", "ABC"),
        ("sha256", "A" * 64),
        ("size", -1),
        ("created_at", datetime(2027, 1, 4, 9, 30)),  # noqa: DTZ001 - naive on purpose
        ("template_version", ""),
    ],
)
def test_archive_metadata_refuses_impossible_values(change: str, value: object) -> None:
    fields = {
        "kind": DocumentKind.CERTIFICATE,
        "template_version": "1.0",
        "sha256": sha256_hex(b""),
        "protocol_number": ProtocolNumber(2027, 4),
        "created_at": datetime(2027, 1, 4, tzinfo=UTC),
        "size": 0,
        "media_type": MediaType.PDF,
    }
    fields[change] = value
    with pytest.raises(ValueError):
        ArchivedDocumentMeta(**fields)  # type: ignore[arg-type]
