"""Server-drawn charts: the axis covers every value, zero included, with round Italian
labels; series differ by pattern and marker, not by colour alone; gaps stay gaps."""

from __future__ import annotations

from decimal import Decimal

from guarantee.web.pages.charts import HEIGHT, bar_chart, line_chart, number_label


def test_the_axis_covers_every_value_and_zero_with_italian_labels() -> None:
    chart = line_chart(
        "c",
        "Saldo",
        "Una linea",
        ["gen", "feb", "mar"],
        [("Saldo", [Decimal("-1200.50"), Decimal("98000"), Decimal("125000")])],
        unit="€",
    )
    ys = [y for _, y in chart.lines[0].markers]
    top, bottom = chart.y_ticks[-1].at, chart.y_ticks[0].at
    assert all(top <= y <= bottom for y in ys)
    assert chart.y_ticks[-1].label == "150.000\u00a0€", "a round step above the top value"
    assert any(t.label.startswith("0") for t in chart.y_ticks), "zero is on the axis"
    assert 0 < chart.baseline < HEIGHT


def test_series_differ_by_pattern_and_marker_and_a_missing_month_is_a_gap() -> None:
    chart = line_chart(
        "c",
        "Leva",
        "Due linee",
        ["a", "b", "c"],
        [("Uno", [Decimal(1), None, Decimal(3)]), ("Due", [Decimal(2), Decimal(2), Decimal(2)])],
    )
    first, second = chart.lines
    assert (first.dash, first.marker) != (second.dash, second.marker)
    assert len(first.markers) == 2 and len(second.markers) == 3
    assert [label for label, *_ in chart.legend] == ["Uno", "Due"]


def test_count_bars_have_whole_ticks_and_grow_from_the_baseline() -> None:
    chart = bar_chart("b", "Stati", "Tre barre", ["Emesse", "In vigore"], [("G", [1, 3])])
    assert all("," not in t.label for t in chart.y_ticks), "no fractions of a guarantee"
    low, high = chart.bars
    assert high.height > low.height > 0
    assert high.y + high.height == chart.baseline == low.y + low.height
    assert chart.legend == (), "one series needs no legend"


def test_number_labels() -> None:
    assert number_label(Decimal("0.25")) == "0,25"
    assert number_label(Decimal("1500"), unit="%") == "1.500\u00a0%"
