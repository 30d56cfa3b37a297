"""The fund's stress test: Monte Carlo over the live portfolio, month by month, in numpy.

Model (parameters in ``policies/<product>/stress.yaml``, never here):

- each live guarantee meets an arrears event in a month with probability ``p``; mediation
  saves it with probability ``s``, else it becomes a claim: the first claim of a guarantee
  comes after a geometric number of months with ``q = p (1 − s)``, and a guarantee claims
  at most once (after a claim the lease ends and its reserve is released);
- the claim costs a share of the guarantee's remaining cover (uniform between two bounds,
  so never more than the cover its product version leaves), paid ``payment delay`` months
  after the event; ``recovery rate`` of it comes back ``recovery delay`` months after that;
- a guarantee that ends before claiming releases its reserve in its last month;
- optionally N new guarantees a month join, with the reserve, cover and term of a typical
  new guarantee, and behave the same way.

Free capacity each month is balance − reserved. Money is integer cents (int64) inside the
simulation and Decimal outside, rounded half-up explicitly. The same seed gives the same
answer: every random draw comes from one ``numpy.random.Generator`` in a fixed order, and
new guarantees use their own stream so the answer for N and N + 1 share their draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from guarantee.domain.money import from_cents, to_cents

Cents = npt.NDArray[np.int64]
_CHUNK_CELLS = 4_000_000  # runs × guarantees drawn at once: bounded memory, vectorised work


@dataclass(frozen=True)
class StressParameters:
    arrears_monthly_probability: Decimal
    mediation_success_rate: Decimal
    severity_min_share: Decimal
    severity_max_share: Decimal
    payment_delay_months: int
    recovery_rate: Decimal
    recovery_delay_months: int
    # A typical new guarantee, for "N new guarantees a month".
    new_cover: Decimal
    new_reserve: Decimal
    new_term_months: int
    target_exhaustion_probability: Decimal = Decimal("0.05")

    @property
    def claim_probability(self) -> float:
        return float(self.arrears_monthly_probability * (1 - self.mediation_success_rate))


@dataclass(frozen=True)
class Portfolio:
    """The live guarantees: remaining cover, reserve (cents) and months until each ends."""

    cover: Cents
    reserve: Cents
    months_left: npt.NDArray[np.int64]

    @classmethod
    def of(cls, rows: list[tuple[Decimal, Decimal, int]]) -> Portfolio:
        return cls(
            cover=np.array([to_cents(c) for c, _, _ in rows], dtype=np.int64),
            reserve=np.array([to_cents(r) for _, r, _ in rows], dtype=np.int64),
            months_left=np.array([max(m, 1) for _, _, m in rows], dtype=np.int64),
        )


@dataclass(frozen=True)
class Paths:
    """Per run and month (runs × horizon, cents): money paid and recovered, reserve change."""

    paid: Cents
    recovered: Cents
    reserve_change: Cents


@dataclass(frozen=True)
class StressResult:
    runs: int
    horizon: int
    new_per_month: int
    exhaustion_probability: Decimal
    exhaustion_standard_error: Decimal
    expected_loss: Decimal
    loss_p95: Decimal
    loss_p99: Decimal
    # month → (1st, 5th, 50th, 95th percentile, mean) of free capacity at the month's end
    free_capacity: list[tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal]]


def simulate_paths(
    portfolio: Portfolio,
    params: StressParameters,
    horizon: int,
    runs: int,
    rng: np.random.Generator,
    start_month: npt.NDArray[np.int64] | None = None,
) -> Paths:
    """Monthly cash and reserve movements of every run; months are 0 … horizon − 1.

    ``start_month`` (new guarantees) shifts each guarantee's life; its reserve is added in
    the month it starts.
    """
    n = len(portfolio.cover)
    shape = (runs, horizon)
    paid = np.zeros(runs * horizon, dtype=np.int64)
    recovered = np.zeros(runs * horizon, dtype=np.int64)
    change = np.zeros(runs * horizon, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64) if start_month is None else start_month
    end = start + portfolio.months_left  # the month the reserve goes back (if < horizon)
    # What every run shares: reserves taken when a guarantee starts, given back when it ends.
    base = np.zeros(horizon, dtype=np.int64)
    if start_month is not None:  # live guarantees' reserves are already in ``reserved``
        np.add.at(base, start, portfolio.reserve)
    ending = end < horizon
    np.add.at(base, end[ending], -portfolio.reserve[ending])
    q = params.claim_probability
    low, high = float(params.severity_min_share), float(params.severity_max_share)
    recovery = float(params.recovery_rate)
    chunk = max(1, _CHUNK_CELLS // max(n, 1))
    for first in range(0, runs, chunk):
        rows = min(chunk, runs - first)
        if n == 0 or q <= 0:
            continue
        # Month of the first claim event, counted from the guarantee's start (0-based).
        event = rng.geometric(q, size=(rows, n)).astype(np.int64) - 1 + start
        run, guarantee = np.nonzero(event < np.minimum(end, horizon))
        share = rng.uniform(low, high, size=len(run))
        month = event[run, guarantee]
        cover = portfolio.cover[guarantee]
        # Half-up to the cent, explicitly; never above the cover left.
        loss = np.minimum(np.floor(share * cover + 0.5).astype(np.int64), cover)
        run_index = (run + first) * horizon
        pay = month + params.payment_delay_months
        paying = pay < horizon
        _accumulate(paid, run_index[paying] + pay[paying], loss[paying])
        back = pay + params.recovery_delay_months
        returning = back < horizon
        _accumulate(
            recovered,
            run_index[returning] + back[returning],
            np.floor(loss[returning] * recovery + 0.5).astype(np.int64),
        )
        # The reserve goes back at payment instead of at the natural end.
        reserve = portfolio.reserve[guarantee]
        _accumulate(change, run_index[paying] + pay[paying], -reserve[paying])
        natural = end[guarantee]
        undo = paying & (natural < horizon)
        _accumulate(change, run_index[undo] + natural[undo], reserve[undo])
    return Paths(
        paid=paid.reshape(shape),
        recovered=recovered.reshape(shape),
        reserve_change=change.reshape(shape) + base,
    )


def summarise(
    paths: Paths, balance: Decimal, reserved: Decimal, new_per_month: int = 0
) -> StressResult:
    runs, horizon = paths.paid.shape
    cash = to_cents(balance) - np.cumsum(paths.paid - paths.recovered, axis=1)
    held = to_cents(reserved) + np.cumsum(paths.reserve_change, axis=1)
    free = cash - held
    exhausted = (free < 0).any(axis=1)
    probability = float(exhausted.mean())
    loss = (paths.paid - paths.recovered).sum(axis=1)
    table = []
    for month in range(horizon):
        column = free[:, month]
        p1, p5, p50, p95 = np.percentile(column, [1, 5, 50, 95], method="lower")
        table.append(
            (
                month + 1,
                from_cents(int(p1)),
                from_cents(int(p5)),
                from_cents(int(p50)),
                from_cents(int(p95)),
                _cents_mean(column),
            )
        )
    p95, p99 = np.percentile(loss, [95, 99], method="lower")
    return StressResult(
        runs=runs,
        horizon=horizon,
        new_per_month=new_per_month,
        exhaustion_probability=_ratio(probability),
        exhaustion_standard_error=_ratio((probability * (1 - probability) / runs) ** 0.5),
        expected_loss=_cents_mean(loss),
        loss_p95=from_cents(int(p95)),
        loss_p99=from_cents(int(p99)),
        free_capacity=table,
    )


def intake_slot(params: StressParameters, slot: int, horizon: int, runs: int, seed: int) -> Paths:
    """The paths of one slot of new guarantees: one starting every month of the horizon.

    Each slot has its own random stream, so an intake of N is the first N slots of an
    intake of N + 1: a larger intake only adds guarantees (and an added guarantee never
    raises free capacity: its reserve, then at most its loss less what comes back).
    """
    portfolio = Portfolio(
        cover=np.full(horizon, to_cents(params.new_cover), dtype=np.int64),
        reserve=np.full(horizon, to_cents(params.new_reserve), dtype=np.int64),
        months_left=np.full(horizon, params.new_term_months, dtype=np.int64),
    )
    rng = np.random.default_rng([seed, 1, slot])
    start = np.arange(horizon, dtype=np.int64)
    return simulate_paths(portfolio, params, horizon, runs, rng, start_month=start)


def run_stress(
    portfolio: Portfolio,
    balance: Decimal,
    reserved: Decimal,
    params: StressParameters,
    *,
    horizon: int,
    runs: int,
    seed: int,
    new_per_month: int = 0,
) -> StressResult:
    paths = simulate_paths(portfolio, params, horizon, runs, np.random.default_rng(seed))
    for slot in range(new_per_month):
        paths = _plus(paths, intake_slot(params, slot, horizon, runs, seed))
    return summarise(paths, balance, reserved, new_per_month)


def largest_safe_intake(
    portfolio: Portfolio,
    balance: Decimal,
    reserved: Decimal,
    params: StressParameters,
    *,
    horizon: int,
    runs: int,
    seed: int,
    ceiling: int = 1000,
) -> int | None:
    """The largest N new guarantees a month keeping P(exhaustion) under the target (None if
    even the live portfolio alone does not): slots are added one at a time to the same
    simulated paths (see ``intake_slot``)."""
    paths = simulate_paths(portfolio, params, horizon, runs, np.random.default_rng(seed))
    target = float(params.target_exhaustion_probability)
    for slot in range(ceiling + 1):
        if exhaustion_probability(paths, balance, reserved) >= target:
            return slot - 1 if slot else None
        paths = _plus(paths, intake_slot(params, slot, horizon, runs, seed))
    return ceiling


def exhaustion_probability(paths: Paths, balance: Decimal, reserved: Decimal) -> float:
    cash = to_cents(balance) - np.cumsum(paths.paid - paths.recovered, axis=1)
    held = to_cents(reserved) + np.cumsum(paths.reserve_change, axis=1)
    return float(((cash - held) < 0).any(axis=1).mean())


def _accumulate(target: Cents, index: npt.NDArray[np.int64], values: Cents) -> None:
    """target[index] += values, repeated indices summed (bincount: exact below 2**53 cents)."""
    if len(index):
        target += np.bincount(index, weights=values, minlength=len(target)).astype(np.int64)


def _plus(a: Paths, b: Paths) -> Paths:
    return Paths(a.paid + b.paid, a.recovered + b.recovered, a.reserve_change + b.reserve_change)


def _cents_mean(values: npt.NDArray[np.int64]) -> Decimal:
    total = int(values.sum())
    return from_cents(
        int((Decimal(total) / len(values)).to_integral_value(rounding="ROUND_HALF_UP"))
    )


def _ratio(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))
