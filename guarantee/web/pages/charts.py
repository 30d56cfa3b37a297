"""Charts drawn on the server as SVG geometry (no script: the CSP allows none inline).

A chart here is only coordinates and labels; the template ``backoffice/_charts.html.j2``
draws it with a title and a description for screen readers, and every page shows the
same numbers in a table beside it. Series differ by line pattern and marker as well as by
colour, so no reading depends on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

from guarantee.adapters.formatting import LOCALE

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 78, 16, 16, 48
# Colour, dash pattern and marker per series, in order: distinguishable without colour.
STYLES = (
    ("#0066cc", "", "circle"),
    ("#a32a1b", "6 4", "square"),
    ("#00693e", "2 3", "diamond"),
    ("#5c2f91", "10 3 2 3", "triangle"),
)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Line:
    label: str
    points: str  # "x,y x,y …" for a polyline
    markers: tuple[tuple[float, float], ...]
    colour: str
    dash: str
    marker: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    colour: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...] = ()
    bars: tuple[Bar, ...] = ()
    baseline: float = 0.0

    @property
    def left(self) -> int:
        return LEFT

    @property
    def right(self) -> int:
        return self.width - RIGHT

    @property
    def bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def legend(self) -> tuple[tuple[str, str, str, str], ...]:
        """(label, colour, dash, marker) of each series, for the legend under the chart."""
        seen: dict[str, tuple[str, str, str, str]] = {}
        for line in self.lines:
            seen.setdefault(line.label, (line.label, line.colour, line.dash, line.marker))
        for bar in self.bars:
            seen.setdefault(bar.label, (bar.label, bar.colour, "", "square"))
        return tuple(seen.values()) if len(seen) > 1 else ()


def number_label(value: Decimal | float, *, unit: str = "") -> str:
    """An axis label in Italian: ``125000`` → ``125.000 €``; fractions keep two places."""
    amount = Decimal(str(value))
    pattern = "#,##0" if amount == amount.to_integral_value() or abs(amount) >= 100 else "#,##0.00"
    text = str(format_decimal(amount, pattern, locale=LOCALE))
    return f"{text}\u00a0{unit}" if unit else text


def _nice_step(span: float, count: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``count`` ticks."""
    raw = span / count if span > 0 else 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10.0 * magnitude


def _scale(low: float, high: float, whole: bool = False) -> tuple[float, float, float]:
    """Axis bounds and step covering [low, high], zero always included; ``whole`` keeps
    the step a whole number (counts of guarantees)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1.0
    step = _nice_step(high - low)
    if whole:
        step = float(max(1, math.ceil(step)))
    bottom = step * int(low // step) if low < 0 else 0.0
    top = step * -int(-high // step)
    return bottom, top, step


def _y_axis(
    low: float, high: float, inner_height: float, unit: str, whole: bool = False
) -> tuple[tuple[Tick, ...], float, float]:
    bottom, top, step = _scale(low, high, whole)
    ticks = []
    value = bottom
    while value <= top + step / 1000:
        y = TOP + inner_height * (1 - (value - bottom) / (top - bottom))
        ticks.append(Tick(round(y, 1), number_label(Decimal(str(round(value, 6))), unit=unit)))
        value += step
    return tuple(ticks), bottom, top


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    unit: str = "",
) -> Chart:
    """Lines over evenly spaced x labels; a missing value (None) leaves a gap in the markers
    and is skipped by the line."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [float(v) for _, vs in series for v in vs if v is not None]
    y_ticks, bottom, top = _y_axis(
        min(values, default=0.0), max(values, default=0.0), inner_h, unit
    )
    count = max(len(x_labels), 1)
    step = inner_w / (count - 1) if count > 1 else 0.0

    def x_of(i: int) -> float:
        return round(LEFT + (i * step if count > 1 else inner_w / 2), 1)

    def y_of(v: Decimal) -> float:
        return round(TOP + inner_h * (1 - (float(v) - bottom) / (top - bottom)), 1)

    lines = []
    for index, (label, vs) in enumerate(series):
        colour, dash, marker = STYLES[index % len(STYLES)]
        points = tuple((x_of(i), y_of(v)) for i, v in enumerate(vs) if v is not None)
        lines.append(
            Line(label, " ".join(f"{x},{y}" for x, y in points), points, colour, dash, marker)
        )
    every = max(1, -(-count // 8))  # at most eight labels under the axis
    x_ticks = tuple(Tick(x_of(i), text) for i, text in enumerate(x_labels) if i % every == 0)
    return Chart(
        chart_id,
        title,
        description,
        WIDTH,
        HEIGHT,
        y_ticks,
        x_ticks,
        lines=tuple(lines),
        baseline=y_of(Decimal(0)) if bottom <= 0 <= top else TOP + inner_h,
    )


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | int]]],
    *,
    unit: str = "",
) -> Chart:
    """Grouped vertical bars: one group per x label, one bar per series in each group."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [float(v) for _, vs in series for v in vs]
    whole = all(isinstance(v, int) for _, vs in series for v in vs)
    y_ticks, bottom, top = _y_axis(
        min(values, default=0.0), max(values, default=0.0), inner_h, unit, whole
    )
    count = max(len(x_labels), 1)
    group = inner_w / count
    width = group * 0.8 / max(len(series), 1)

    def y_of(v: float) -> float:
        return TOP + inner_h * (1 - (v - bottom) / (top - bottom))

    zero = y_of(0.0)
    bars = []
    for index, (label, vs) in enumerate(series):
        colour = STYLES[index % len(STYLES)][0]
        for i, value in enumerate(vs):
            x = LEFT + i * group + group * 0.1 + index * width
            y = y_of(float(value))
            bars.append(
                Bar(
                    round(x, 1),
                    round(min(y, zero), 1),
                    round(width, 1),
                    round(abs(zero - y), 1),
                    label,
                    number_label(Decimal(value), unit=unit),
                    colour,
                )
            )
    every = max(1, -(-count // 8))
    x_ticks = tuple(
        Tick(round(LEFT + i * group + group / 2, 1), text)
        for i, text in enumerate(x_labels)
        if i % every == 0
    )
    return Chart(
        chart_id,
        title,
        description,
        WIDTH,
        HEIGHT,
        y_ticks,
        x_ticks,
        bars=tuple(bars),
        baseline=round(zero, 1),
    )
