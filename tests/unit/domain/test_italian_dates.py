"""Dates as an Italian letter writes them: the article elides before 8 and 11."""

from __future__ import annotations

from datetime import date

import pytest

from guarantee.domain.formats import entro_il, month_it, with_article
from guarantee.read.letter_contexts import months_between


@pytest.mark.parametrize(
    ("day", "preposition", "expected"),
    [
        (date(2026, 12, 8), "entro il", "entro l'8 dicembre 2026"),
        (date(2027, 1, 11), "il", "l'11 gennaio 2027"),
        (date(2027, 6, 4), "dal", "dal 4 giugno 2027"),
        (date(2027, 8, 8), "dal", "dall'8 agosto 2027"),
        (date(2027, 8, 11), "al", "all'11 agosto 2027"),
        (date(2027, 8, 18), "del", "del 18 agosto 2027"),
        (date(2027, 8, 1), "il", "il 1 agosto 2027"),
    ],
)
def test_the_article_comes_with_the_date(day: date, preposition: str, expected: str) -> None:
    assert with_article(day, preposition) == expected


def test_entro_and_the_month_of_a_rent() -> None:
    assert entro_il(date(2026, 12, 8)) == "entro l'8 dicembre 2026"
    assert month_it(date(2026, 11, 5)) == "novembre 2026"
    with pytest.raises(ValueError):
        with_article(date(2026, 12, 8), "sul")


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2027, 1, 1), date(2027, 12, 31), 12),
        (date(2027, 1, 1), date(2028, 12, 31), 24),
        (date(2027, 1, 1), date(2029, 12, 31), 36),
        (date(2027, 3, 15), date(2028, 3, 14), 12),
        (date(2027, 3, 15), date(2028, 3, 13), 11),
    ],
)
def test_a_contract_states_its_own_term(start: date, end: date, months: int) -> None:
    assert months_between(start, end) == months
