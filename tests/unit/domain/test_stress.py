"""The stress test against a case with a closed form, and its reproducibility.

Independent arrears, no mediation, a fixed severity (the whole cover) and no recovery: the
number of claims within the horizon is Binomial(n, 1 − (1 − p)^H), the loss is that number
times the cover, and the fund is exhausted exactly when the claims exceed
(balance − reserved) / (cover − reserve). The simulated exhaustion probability and loss
percentiles must agree with the exact ones within the Monte Carlo error.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

from guarantee.domain.stress import (
    Portfolio,
    StressParameters,
    largest_safe_intake,
    run_stress,
)

N, HORIZON, RUNS, P = 400, 36, 20_000, Decimal("0.004")
COVER, RESERVE = 1_280_000, 384_000  # cents: 12.800,00 € cover, 3.840,00 € reserve


def params(**changes: object) -> StressParameters:
    values: dict[str, object] = {
        "arrears_monthly_probability": P,
        "mediation_success_rate": Decimal("0"),
        "severity_min_share": Decimal("1"),
        "severity_max_share": Decimal("1"),
        "payment_delay_months": 0,
        "recovery_rate": Decimal("0"),
        "recovery_delay_months": 0,
        "new_cover": Decimal("12800.00"),
        "new_reserve": Decimal("3840.00"),
        "new_term_months": 36,
    }
    values.update(changes)
    return StressParameters(**values)  # type: ignore[arg-type]


def portfolio() -> Portfolio:
    return Portfolio(
        cover=np.full(N, COVER, dtype=np.int64),
        reserve=np.full(N, RESERVE, dtype=np.int64),
        months_left=np.full(N, HORIZON + 12, dtype=np.int64),  # all live past the horizon
    )


def binomial_cdf(k: int, n: int, q: float) -> float:
    if k < 0:
        return 0.0
    return sum(
        math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1))
        * q**i
        * (1 - q) ** (n - i)
        for i in range(min(k, n) + 1)
    )


def binomial_quantile(level: float, n: int, q: float) -> int:
    k = 0
    while binomial_cdf(k, n, q) < level:
        k += 1
    return k


def test_exhaustion_and_loss_percentiles_agree_with_the_binomial_closed_form() -> None:
    q = 1 - (1 - float(P)) ** HORIZON
    reserved = Decimal(N * RESERVE) / 100
    # Free capacity absorbs 60 claims; exhaustion needs the 61st.
    balance = reserved + Decimal(60 * (COVER - RESERVE)) / 100
    threshold = int((balance - reserved) * 100 // (COVER - RESERVE))
    exact = 1 - binomial_cdf(threshold, N, q)
    result = run_stress(
        portfolio(), balance, reserved, params(), horizon=HORIZON, runs=RUNS, seed=11
    )
    error = math.sqrt(exact * (1 - exact) / RUNS)
    assert 0.01 < exact < 0.5  # a case where the probability is worth estimating
    assert abs(float(result.exhaustion_probability) - exact) < 4 * error
    mean = N * q * COVER / 100
    sd = math.sqrt(N * q * (1 - q)) * COVER / 100
    assert abs(float(result.expected_loss) - mean) < 4 * sd / math.sqrt(RUNS)
    for level, simulated in ((0.95, result.loss_p95), (0.99, result.loss_p99)):
        spread = 4 * math.sqrt(level * (1 - level) / RUNS)
        low = binomial_quantile(level - spread, N, q) * COVER / 100
        high = binomial_quantile(level + spread, N, q) * COVER / 100
        assert low <= float(simulated) <= high, (level, simulated, low, high)


def test_the_same_seed_gives_the_same_answer_and_another_seed_another() -> None:
    reserved = Decimal(N * RESERVE) / 100
    balance = reserved + Decimal("500000")
    run = lambda seed: run_stress(  # noqa: E731
        portfolio(),
        balance,
        reserved,
        params(mediation_success_rate=Decimal("0.5"), severity_min_share=Decimal("0.2")),
        horizon=HORIZON,
        runs=2000,
        seed=seed,
        new_per_month=3,
    )
    assert run(5) == run(5)
    assert run(5) != run(6)


def test_more_new_guarantees_never_lower_the_exhaustion_probability() -> None:
    reserved = Decimal(N * RESERVE) / 100
    balance = reserved + Decimal("800000")
    probabilities = [
        run_stress(
            portfolio(),
            balance,
            reserved,
            params(),
            horizon=HORIZON,
            runs=2000,
            seed=3,
            new_per_month=n,
        ).exhaustion_probability
        for n in (0, 1, 2, 4, 8)
    ]
    assert probabilities == sorted(probabilities)
    safe = largest_safe_intake(
        portfolio(), balance, reserved, params(), horizon=HORIZON, runs=2000, seed=3
    )
    at = run_stress(
        portfolio(),
        balance,
        reserved,
        params(),
        horizon=HORIZON,
        runs=2000,
        seed=3,
        new_per_month=safe,
    )
    above = run_stress(
        portfolio(),
        balance,
        reserved,
        params(),
        horizon=HORIZON,
        runs=2000,
        seed=3,
        new_per_month=safe + 1,
    )
    assert at.exhaustion_probability < Decimal("0.05") <= above.exhaustion_probability
