"""The fund dashboard for fund managers and auditors: now, month by month, and under stress.

Figures come from ``read.fund_dashboard`` (the fund row and its day totals, never a scan of
the ledger); the stress test is the one `garanzia fund stress` runs (``domain.stress``
over ``read.stress_inputs``), on its own page because a Monte Carlo run takes seconds.
Every chart is SVG drawn here, with its numbers in a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from babel.dates import format_date
from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter

from guarantee.adapters.data_files import load_stress, stress_path
from guarantee.adapters.formatting import LOCALE
from guarantee.domain.stress import StressResult, run_stress
from guarantee.read import access
from guarantee.read import fund_dashboard as read
from guarantee.read.stress_inputs import StressInputs, stress_inputs
from guarantee.web.deps import DbDep, SystemDep
from guarantee.web.pages.backoffice import (
    FUND_ROLES,
    NotLoggedIn,
    NotStaff,
    _not_found,
    _refused,
    _staff,
)
from guarantee.web.pages.charts import Chart, bar_chart, line_chart
from guarantee.web.pages.forms import FormState
from guarantee.web.pages.rendering import render

STATE_LABELS = {"issued": "Emesse", "active": "In vigore", "suspended": "Sospese"}
FundId = Annotated[str | None, QueryParameter(name="fondo", max_length=36)]


def _short_month(month: date) -> str:
    return str(format_date(month, "MMM yy", locale=LOCALE))


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value * 100


def dashboard_charts(data: dict[str, Any]) -> dict[str, Chart]:
    months: list[read.MonthFigures] = data["months"]
    labels = [_short_month(m.month) for m in months]
    first, last = (months[0].month, months[-1].month) if months else (None, None)
    period = (
        f"da {format_date(first, 'MMMM y', locale=LOCALE)} a "
        f"{format_date(last, 'MMMM y', locale=LOCALE)}"
        if first and last
        else ""
    )
    money = [
        ("Saldo", [m.figures.balance for m in months]),
        ("Accantonato", [m.figures.reserved for m in months]),
        ("Capienza libera", [m.figures.free_capacity for m in months]),
        ("Esposizione", [m.figures.exposure for m in months]),
    ]
    states = data["by_state"]
    places = data["by_municipality"]
    return {
        "denaro": line_chart(
            "grafico-denaro",
            "Saldo, accantonato, capienza libera ed esposizione a fine mese",
            f"Quattro linee, una per grandezza, {period}; i valori sono nella tabella che segue.",
            labels,
            money,
            unit="€",
        ),
        "leva": line_chart(
            "grafico-leva",
            "Leva (esposizione per euro di saldo) a fine mese",
            f"Una linea {period}; i mesi senza saldo non hanno valore.",
            labels,
            [("Leva", [m.figures.leverage for m in months])],
        ),
        "perdita": line_chart(
            "grafico-perdita",
            "Tasso di perdita a fine mese, in percentuale",
            f"Una linea {period}: sinistri pagati meno recuperi, su contributi ricevuti.",
            labels,
            [("Tasso di perdita", [_percent(m.figures.loss_ratio) for m in months])],
            unit="%",
        ),
        "sinistri": bar_chart(
            "grafico-sinistri",
            "Sinistri pagati e recuperi, mese per mese",
            f"Due barre per mese {period}: la prima i pagamenti, la seconda i recuperi.",
            labels,
            [
                ("Sinistri pagati", [m.claims_paid for m in months]),
                ("Recuperi", [m.recovered for m in months]),
            ],
            unit="€",
        ),
        "stati": bar_chart(
            "grafico-stati",
            "Garanzie in essere per stato",
            "Una barra per stato: " + ", ".join(f"{STATE_LABELS[s]} {n}" for s, n in states),
            [STATE_LABELS[s] for s, _ in states],
            [("Garanzie", [n for _, n in states])],
        ),
        "comuni": bar_chart(
            "grafico-comuni",
            "Garanzie in essere per comune",
            "Una barra per comune (codice ISTAT), dal più numeroso: "
            + ", ".join(f"{code or 'altri comuni'} {n}" for code, n in places),
            [code or "altri" for code, _ in places],
            [("Garanzie", [n for _, n in places])],
        ),
    }


def stress_chart(result: StressResult) -> Chart:
    rows = result.free_capacity
    return line_chart(
        "grafico-stress",
        "Capienza libera simulata a fine mese",
        f"Tre linee su {result.horizon} mesi: il 5° percentile, la mediana e il 95° percentile "
        f"di {result.runs} simulazioni; i valori sono nella tabella che segue.",
        [str(month) for month, *_ in rows],
        [
            ("5° percentile", [p5 for _, _, p5, _, _, _ in rows]),
            ("Mediana", [p50 for _, _, _, p50, _, _ in rows]),
            ("95° percentile", [p95 for _, _, _, _, p95, _ in rows]),
        ],
        unit="€",
    )


@dataclass(frozen=True)
class StressRequest:
    """The stress form's fields, read and checked like `garanzia fund stress`'s options."""

    horizon: int = 36
    runs: int = 2000
    seed: int = 1
    new_per_month: int = 0

    @classmethod
    def of(cls, values: dict[str, str], form: FormState) -> StressRequest:
        def whole(name: str, default: int, low: int, high: int) -> int:
            text = values.get(name, "").strip()
            if not text:
                return default
            if not text.isdigit() or not low <= int(text) <= high:
                form.errors[name] = f"scrivere un numero intero da {low} a {high}"
                return default
            return int(text)

        return cls(
            horizon=whole("orizzonte", 36, 1, 120),
            runs=whole("simulazioni", 2000, 100, 20_000),
            seed=whole("seme", 1, 0, 2**31),
            new_per_month=whole("nuove", 0, 0, 1000),
        )


class BackofficeFundController(Controller):
    path = "/backoffice/fondo"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def dashboard(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        fund_id: FundId = None,
        months: Annotated[int, QueryParameter(name="mesi", ge=1, le=read.MAX_MONTHS)] = 12,
    ) -> Response[Any]:
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        today = system.deps.clock.today()
        with db.reading() as conn:
            funds = read.fund_choices(conn)
            chosen = fund_id or (funds[0][0] if funds else None)
            if chosen is not None and chosen not in {fid for fid, _ in funds}:
                return _not_found(system)
            data = (
                None if chosen is None else read.dashboard(conn, chosen, today=today, months=months)
            )
        context: dict[str, Any] = {"funds": funds, "chosen": chosen, "months_count": months}
        if data is not None:
            context |= {
                "fund": access.shaped("fund", actor, data["fund"]),
                "months": data["months"],
                "by_state": data["by_state"],
                "by_municipality": data["by_municipality"],
                "charts": dashboard_charts(data),
                "state_labels": STATE_LABELS,
            }
        return render(
            system, "backoffice/fund.html.j2", actor=actor, token=token, today=today, **context
        )

    @get("/stress", sync_to_thread=True)
    def stress(
        self,
        request: Request[Any, Any, Any],
        system: SystemDep,
        db: DbDep,
        fund_id: FundId = None,
    ) -> Response[Any]:
        """The stress test as `garanzia fund stress` runs it, with the form's parameters;
        a GET that changes nothing (the same seed gives the same answer)."""
        try:
            actor, token = _staff(request, system, db, FUND_ROLES)
        except (NotLoggedIn, NotStaff) as error:
            return _refused(request, system, error)
        query = request.query_params
        form = FormState.of({key: str(query.get(key, "")) for key in query})
        asked = StressRequest.of(form.values, form)
        today = system.deps.clock.today()
        with db.reading() as conn:
            funds = read.fund_choices(conn)
            chosen = fund_id or (funds[0][0] if funds else None)
            if chosen is None or chosen not in {fid for fid, _ in funds}:
                return _not_found(system)
            inputs: StressInputs | None = None
            if form.ok and "orizzonte" in form.values:
                priors, history = load_stress(
                    stress_path(system.settings.policies_dir, "garanzia-casa")
                )
                inputs = stress_inputs(conn, chosen, today, priors, history)
        result = None
        if inputs is not None:
            result = run_stress(
                inputs.portfolio,
                inputs.balance,
                inputs.reserved,
                inputs.params,
                horizon=asked.horizon,
                runs=asked.runs,
                seed=asked.seed,
                new_per_month=asked.new_per_month,
            )
        if not form.values:
            form.values = {
                "orizzonte": str(asked.horizon),
                "simulazioni": str(asked.runs),
                "seme": str(asked.seed),
                "nuove": str(asked.new_per_month),
            }
        return render(
            system,
            "backoffice/fund_stress.html.j2",
            actor=actor,
            token=token,
            funds=funds,
            chosen=chosen,
            form=form,
            inputs=inputs,
            result=result,
            chart=None if result is None else stress_chart(result),
            status_code=200 if form.ok else 400,
        )
