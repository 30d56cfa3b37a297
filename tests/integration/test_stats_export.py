"""`garanzia stats export` on 10,000 generated guarantees with their histories: no published
cell below k, no suppressed cell recoverable from what is published beside it (an attacker
below tries), nothing personal in any file, and datapackage.json describes the files."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from guarantee.adapters.db.engine import build_engine
from guarantee.cli import main
from guarantee.domain.personal_data import PERSONAL_COLUMNS
from guarantee.settings import get_settings
from tests.support.disclosure_attack import TOTAL, attack
from tests.support.population import Population, populate

K = 5


@pytest.fixture(scope="module")
def exported(
    migrated_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Population]]:
    import shutil

    from sqlalchemy.engine import make_url

    from tests.conftest import POSTGRES_URL

    if POSTGRES_URL:
        url = migrated_url
        from sqlalchemy import text

        from guarantee.adapters.db.tables import metadata

        engine = build_engine(url)
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        copy = tmp_path_factory.mktemp("stats") / "stats.db"
        shutil.copyfile(make_url(migrated_url).database or "", copy)
        url = f"sqlite:///{copy}"
        engine = build_engine(url)
    population = populate(engine, 10_000)
    engine.dispose()
    out = tmp_path_factory.mktemp("export")
    mp = pytest.MonkeyPatch()
    mp.setenv("GARANZIA_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            main,
            ["stats", "export", "--from", "2024-01-01", "--to", "2025-12-31", "--out", str(out)],
            catch_exceptions=False,
        )
    finally:
        mp.undo()
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    yield out, population


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: manca il BOM UTF-8"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def package(out: Path) -> dict[str, object]:
    return json.loads((out / "datapackage.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def resources(out: Path) -> list[dict[str, object]]:
    return package(out)["resources"]  # type: ignore[return-value]


def count_column(resource: dict[str, object]) -> str:
    fields = resource["schema"]["fields"]  # type: ignore[index]
    return str(fields[3]["name"])  # type: ignore[index]


def test_no_published_cell_counts_fewer_than_k(exported: tuple[Path, Population]) -> None:
    out, _ = exported
    published = suppressed = 0
    for resource in resources(out):
        column = count_column(resource)
        for row in read_csv(out / str(resource["path"])):
            if row[column] == "":
                suppressed += 1
                # money and durations only where the count is shown
                assert all(row[name] == "" for name in list(row)[4:]), row
            else:
                published += 1
                assert int(row[column]) >= K, row
    assert published > 500 and suppressed > 50  # the data exercise both sides


def grids(out: Path) -> Iterator[tuple[str, str, dict[tuple[str, str], int | None], bool]]:
    """(file, dimension, {(value, category): count or None}, whether rows have totals)."""
    for resource in resources(out):
        column = count_column(resource)
        by_dimension: dict[str, dict[tuple[str, str], int | None]] = defaultdict(dict)
        for row in read_csv(out / str(resource["path"])):
            count = None if row[column] == "" else int(row[column])
            by_dimension[row["dimensione"]][(row["valore"], row["categoria"])] = count
        for dimension, grid in by_dimension.items():
            row_totals = any(c == TOTAL and v != TOTAL for v, c in grid)
            yield str(resource["path"]), dimension, grid, row_totals


def test_no_suppressed_cell_can_be_recovered_from_the_totals(
    exported: tuple[Path, Population],
) -> None:
    out, _ = exported
    all_grids = list(grids(out))
    # The totals row is the same households in every breakdown of a file: pool what is shown.
    shared: dict[str, dict[str, int]] = defaultdict(dict)
    for name, _, grid, _ in all_grids:
        for (value, category), count in grid.items():
            if value == TOTAL and count is not None:
                assert shared[name].setdefault(category, count) == count
    # The two application files count the same applications: their row totals are one.
    applications = {"domande.csv", "domande_per_regola.csv"}
    rows: dict[str, dict[str, int]] = defaultdict(dict)
    for name, dimension, grid, _ in all_grids:
        if name in applications:
            for (value, category), count in grid.items():
                if category == TOTAL and count is not None:
                    assert rows[dimension].setdefault(value, count) == count
    hidden_rows = {
        (name, dimension): {v for (v, c), n in grid.items() if c == TOTAL and n is None}
        for name, dimension, grid, _ in all_grids
        if name in applications
    }
    for dimension in {d for _, d in hidden_rows}:
        assert (
            hidden_rows[("domande.csv", dimension)]
            == hidden_rows[("domande_per_regola.csv", dimension)]
        )
    attacked = 0
    for name, dimension, grid, row_totals in all_grids:
        if any(v is None for v in grid.values()):
            attacked += 1
        pooled = rows[dimension] if name in applications else None
        recovered = attack(grid, row_totals, shared[name], pooled)
        assert recovered == {}, f"{name}, {dimension}: ricavate {recovered}"
    assert attacked >= 10


def found_in(text: str, values: set[str], k: int = 6) -> list[str]:
    """The values that occur in ``text``, as ``[v for v in values if v in text]`` but without
    scanning the text once per value (tens of thousands of them): a value can only occur if
    its first ``k`` characters do, so only those are searched in full."""
    grams = {text[i : i + k] for i in range(len(text) - k + 1)}
    return [v for v in values if (len(v) < k or v[:k] in grams) and v in text]


def test_no_personal_field_in_any_exported_file(exported: tuple[Path, Population]) -> None:
    out, population = exported
    personal_columns = {c for columns in PERSONAL_COLUMNS.values() for c in columns}
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8-sig")
        leaked = found_in(text, population.personal)
        assert leaked == [], f"{path.name}: {leaked[:3]}"
    for resource in resources(out):
        names = {f["name"] for f in resource["schema"]["fields"]}  # type: ignore[index]
        assert not names & personal_columns, names & personal_columns


def test_the_data_package_describes_every_file(exported: tuple[Path, Population]) -> None:
    out, _ = exported
    meta = package(out)
    assert meta["profile"] == "tabular-data-package"
    assert meta["garanzia_casa"]["k"] == K  # type: ignore[index]
    assert meta["garanzia_casa"]["periodo"] == {"dal": "2024-01-01", "al": "2025-12-31"}  # type: ignore[index]
    assert meta["garanzia_casa"]["versione_codice"]  # type: ignore[index]
    described = {str(r["path"]) for r in resources(out)}
    assert described == {p.name for p in out.glob("*.csv")}
    for resource in resources(out):
        path = out / str(resource["path"])
        assert resource["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        assert resource["dialect"] == {"delimiter": ";", "header": True}  # type: ignore[comparison-overlap]
        fields = resource["schema"]["fields"]  # type: ignore[index]
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, delimiter=";"))
        assert header == [f["name"] for f in fields]
        for row in read_csv(path):
            for f in fields:
                value = row[f["name"]]
                if value == "":
                    continue
                if f["type"] == "integer":
                    int(value)
                elif f["type"] == "number":
                    assert "." not in value and f["decimalChar"] == ","
                    float(value.replace(",", "."))


def test_the_attacker_does_recover_what_primary_suppression_alone_leaves() -> None:
    """The attack above is not toothless: one hidden cell in a row with its total falls."""
    grid: dict[tuple[str, str], int | None] = {
        ("a", "x"): 3,
        ("a", "y"): 9,
        ("a", TOTAL): 12,
        ("b", "x"): 7,
        ("b", "y"): 8,
        ("b", TOTAL): 15,
        (TOTAL, "x"): 10,
        (TOTAL, "y"): 17,
        (TOTAL, TOTAL): 27,
    }
    grid[("a", "x")] = None
    assert attack(grid, True, {}) == {("a", "x"): Fraction(3)}
    grid[("a", "y")] = grid[("b", "x")] = grid[("b", "y")] = None  # a 2×2 rectangle holds
    assert attack(grid, True, {}) == {}
    grid[("a", TOTAL)] = 0
    grid[("a", "x")] = grid[("a", "y")] = None  # hidden cells summing to zero give way
    assert attack(grid, True, {}) != {}
