"""Aggregation into indicator series: exact sums, calendars with explicit gaps, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from watchboard.errors import InputError
from watchboard.model.observation import Observation
from watchboard.trade import aggregate, mirror_imports, read_flows

from .conftest import PLUS_HEADER, flow, plus_row, write


def values(observations: list[Observation]) -> list[tuple[str, float | None, str | None]]:
    return [(o.time.strftime("%Y-%m"), o.value, o.quality) for o in observations]


def test_monthly_sums_are_exact_and_carry_their_provenance() -> None:
    rows = [
        flow("CHN", "PRK", "2023-01", "export", "8456", 0.1, row=2),
        flow("CHN", "PRK", "2023-01", "export", "8457", 0.2, row=3),
        flow("RUS", "PRK", "2023-01", "export", "8458", 0.3, row=4, file="ru.csv"),
        flow("CHN", "PRK", "2023-01", "export", "8459", 1e16, row=7),
        flow("CHN", "PRK", "2023-01", "export", "8460", -1e16, row=9),
    ]
    (total,) = aggregate(rows, indicator="machine-tool-imports")
    assert total.value == 0.6  # plain sum() gives 0.6000000000000001 or 0.0 here
    assert total.time == datetime(2023, 1, 1, tzinfo=UTC)
    assert total.time.tzinfo is UTC
    assert (total.unit, total.period, total.quality, total.source, total.indicator) == (
        "USD",
        "month",
        "ok",
        "trade",
        "machine-tool-imports",
    )
    assert total.ref == "t.csv#rows=2-3,7,9;ru.csv#rows=4"
    assert total.extra["rows"] == 5
    assert total.extra["partners"] == {"PRK": 0.6}  # the reporters' partner
    assert total.extra["hs_codes"]["8456"] == 0.1
    assert "group" not in total.extra and "basis" not in total.extra


def test_gaps_between_the_first_and_last_period_are_missing_observations() -> None:
    rows = [
        flow("CHN", "PRK", "2023-11", "export", "8456", 5.0, row=2),
        flow("CHN", "PRK", "2024-02", "export", "8456", 7.0, row=3),
    ]
    series = aggregate(rows)
    assert values(series) == [
        ("2023-11", 5.0, "ok"),
        ("2023-12", None, "missing"),
        ("2024-01", None, "missing"),
        ("2024-02", 7.0, "ok"),
    ]
    gap = series[1]
    assert (gap.unit, gap.period, gap.source, gap.ref, gap.extra) == (
        "USD",
        "month",
        "trade",
        "",
        {"rows": 0},
    )


def test_every_group_shares_one_calendar() -> None:
    rows = [
        flow("CHN", "PRK", "2023-01", "export", "8456", 1.0, row=2),
        flow("CHN", "PRK", "2023-03", "export", "8456", 3.0, row=3),
        flow("RUS", "PRK", "2023-02", "export", "8456", 2.0, row=4),
    ]
    series = aggregate(rows, by=("reporter",))
    assert [(o.extra["group"]["reporter"], *values([o])[0]) for o in series] == [
        ("CHN", "2023-01", 1.0, "ok"),
        ("CHN", "2023-02", None, "missing"),
        ("CHN", "2023-03", 3.0, "ok"),
        ("RUS", "2023-01", None, "missing"),
        ("RUS", "2023-02", 2.0, "ok"),
        ("RUS", "2023-03", None, "missing"),
    ]


def test_start_and_end_fix_the_calendar() -> None:
    rows = [
        flow("CHN", "PRK", "2023-02", "export", "8456", 2.0, row=2),
        flow("CHN", "PRK", "2023-05", "export", "8456", 5.0, row=3),
    ]
    series = aggregate(rows, start=date(2023, 1, 15), end=date(2023, 3, 31))
    assert values(series) == [
        ("2023-01", None, "missing"),
        ("2023-02", 2.0, "ok"),
        ("2023-03", None, "missing"),
    ]
    nothing = aggregate([], freq="A", start=date(2021, 1, 1), end=date(2022, 1, 1))
    assert values(nothing) == [("2021-01", None, "missing"), ("2022-01", None, "missing")]
    assert aggregate([]) == []
    with pytest.raises(InputError, match="start 2023-03-01 is after end 2023-01-01"):
        aggregate(rows, start=date(2023, 3, 1), end=date(2023, 1, 1))


def test_monthly_rows_add_up_to_years_and_an_incomplete_year_is_partial() -> None:
    rows = [
        flow("CHN", "PRK", f"2023-{m:02d}", "export", "8456", float(m), row=m) for m in range(1, 13)
    ]
    rows += [flow("CHN", "PRK", "2024-01", "export", "8456", 100.0, row=20)]
    rows += [flow("CHN", "PRK", "2024-03", "export", "8456", 300.0, row=21)]
    series = aggregate(rows, freq="A")
    assert values(series) == [("2023-01", 78.0, "ok"), ("2024-01", 400.0, "partial")]
    assert series[0].period == "year"
    assert series[0].extra["months"] == 12
    assert series[1].extra["months"] == 2  # a month inside the data's span without rows
    assert series[0].ref == "t.csv#rows=1-12"


def test_annual_rows_make_annual_series_and_are_never_split_into_months() -> None:
    rows = [
        flow("CHN", "PRK", "2021", "export", "8456", 10.0, row=2),
        flow("CHN", "PRK", "2023", "export", "8456", 30.0, row=3),
        flow("CHN", "PRK", "2023", "export", "8457", 5.0, row=4),
    ]
    assert values(aggregate(rows, freq="A")) == [
        ("2021-01", 10.0, "ok"),
        ("2022-01", None, "missing"),
        ("2023-01", 35.0, "ok"),
    ]
    with pytest.raises(InputError) as caught:
        aggregate(rows, freq="M")
    assert str(caught.value) == (
        "aggregate: t.csv#rows=2-4 are annual; a year's figure cannot be split into months. "
        "Aggregate with freq='A', or leave the annual rows out"
    )


def test_annual_and_monthly_rows_for_one_flow_and_year_are_refused() -> None:
    rows = [
        flow("CHN", "PRK", "2023", "export", "8456", 10.0, row=2),
        flow("CHN", "PRK", "2023-04", "export", "8456", 4.0, row=9, file="monthly.csv"),
    ]
    with pytest.raises(InputError) as caught:
        aggregate(rows, freq="A")
    assert str(caught.value) == (
        "monthly.csv:9: monthly row for 2023, which the annual row t.csv:2 already covers "
        "(CHN export 8456 2023 with PRK); aggregate rows of one frequency"
    )


def test_grouping_by_partner_with_weights() -> None:
    rows = [
        flow("CHN", "PRK", "2023-01", "export", "8456", 1.0, row=2, weight=100.0),
        flow("RUS", "PRK", "2023-01", "export", "8456", 1.0, row=3, weight=None),
        flow("RUS", "PRK", "2023-01", "export", "8457", 1.0, row=4, weight=20.5),
        flow("RUS", "PRK", "2023-02", "export", "8457", 1.0, row=5, weight=None),
    ]
    imports = mirror_imports(rows, "PRK")
    series = aggregate(imports, by=("partner",), value="net_weight_kg")
    assert [(o.extra["group"], *values([o])[0]) for o in series] == [
        ({"partner": "CHN"}, "2023-01", 100.0, "ok"),
        ({"partner": "CHN"}, "2023-02", None, "missing"),
        ({"partner": "RUS"}, "2023-01", 20.5, "partial"),
        ({"partner": "RUS"}, "2023-02", None, "missing"),
    ]
    assert {o.unit for o in series} == {"kg"}
    assert series[2].extra["rows_without_value"] == 1
    assert series[2].extra["basis"] == {"mirror": 2}
    assert series[3].extra == {
        "rows": 1,
        "group": {"partner": "RUS"},
        "basis": {"mirror": 1},
        "rows_without_value": 1,
    }
    assert series[3].ref == "t.csv#rows=5"


def test_quantities_need_one_unit() -> None:
    rows = [
        flow("CHN", "PRK", "2023", "export", "8456", 1.0, row=2, quantity=3.0, unit="u"),
        flow("CHN", "PRK", "2023", "export", "8457", 1.0, row=3, quantity=4.0, unit="u"),
    ]
    (total,) = aggregate(rows, freq="A", value="quantity")
    assert (total.value, total.unit) == (7.0, "u")
    rows.append(flow("CHN", "PRK", "2023", "export", "8458", 1.0, row=4, quantity=4.0, unit="kg"))
    with pytest.raises(InputError, match=r"quantities are in several units \(kg, u\)"):
        aggregate(rows, freq="A", value="quantity")


def test_the_same_flow_in_two_files_is_refused() -> None:
    rows = [
        flow("CHN", "PRK", "2023-01", "export", "8456", 1.0, row=2, file="a.csv"),
        flow("CHN", "PRK", "2023-01", "export", "8456", 1.0, row=7, file="b.csv"),
    ]
    with pytest.raises(InputError) as caught:
        aggregate(rows)
    assert str(caught.value) == (
        "b.csv:7: the same flow as a.csv:2 (CHN export 8456 2023-01 with PRK); "
        "the files overlap, leave one of them out"
    )


def test_a_heading_and_its_subheadings_are_refused() -> None:
    rows = [
        flow("CHN", "PRK", "2023-01", "export", "8456", 10.0, row=2),
        flow("CHN", "PRK", "2023-01", "export", "845611", 4.0, row=3),
    ]
    with pytest.raises(InputError) as caught:
        aggregate(rows)
    assert str(caught.value) == (
        "t.csv:3: code 845611 is part of 8456 at t.csv:2 for the same flow; sum one level only "
        "(Watchlist.select keeps the broader code)"
    )


def test_world_totals_beside_single_partners_are_refused_unless_grouped_by_partner() -> None:
    rows = [
        flow("PRK", "W00", "2023", "import", "8456", 10.0, row=2),
        flow("PRK", "CHN", "2023", "import", "8456", 9.0, row=3),
    ]
    with pytest.raises(InputError, match=r"t\.csv:2: partner World .* would count them twice"):
        aggregate(rows, freq="A")
    series = aggregate(rows, freq="A", by=("partner",))
    assert [(o.extra["group"]["partner"], o.value) for o in series] == [("CHN", 9.0), ("W00", 10.0)]


def test_imports_and_exports_are_not_summed_together() -> None:
    rows = [
        flow("CHN", "PRK", "2023", "export", "8456", 10.0, row=2),
        flow("CHN", "PRK", "2023", "import", "8456", 1.0, row=3),
    ]
    with pytest.raises(InputError, match=r"records mix flows \(export, import\); select one"):
        aggregate(rows, freq="A")
    series = aggregate(rows, freq="A", by=("flow",))
    assert [(o.extra["group"], o.value) for o in series] == [
        ({"flow": "export"}, 10.0),
        ({"flow": "import"}, 1.0),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"freq": "Q"}, "aggregate: freq 'Q' is not 'M' (monthly) or 'A' (annual)"),
        ({"value": "price"}, "aggregate: value 'price' is not one of value_usd, net_weight_kg"),
        ({"by": ("site",)}, "aggregate: cannot group by ['site']; choose from reporter, partner"),
        ({"by": ("basis",)}, "aggregate: cannot group by 'basis': t.csv#rows=2 lack it"),
    ],
)
def test_bad_options_are_refused(options: dict, message: str) -> None:
    rows = [flow("CHN", "PRK", "2023-01", "export", "8456", 1.0, row=2)]
    with pytest.raises(InputError) as caught:
        aggregate(rows, **options)
    assert str(caught.value).startswith(message)


def test_files_to_series_end_to_end(tmp_path: Path) -> None:
    """China reports exports to PRK monthly; PRK reports nothing; Russia reports a year."""
    cn = write(
        tmp_path / "cn.csv.gz",
        [
            PLUS_HEADER,
            plus_row("CHN", "PRK", "202401", "X", "845611", "1200.50"),
            plus_row("CHN", "PRK", "202401", "X", "845891", "800"),
            plus_row("CHN", "PRK", "202401", "X", "845891", "800"),  # repeated: warned, skipped
            plus_row("CHN", "PRK", "202403", "X", "8462", "5000"),
            plus_row("CHN", "PRK", "202403", "X", "8501", "999"),  # not a machine tool
            plus_row("CHN", "W00", "202403", "X", "8462", "90000"),
        ],
        gz=True,
        bom=True,
    )
    warnings: list = []
    flows = list(read_flows(cn, on_warning=warnings.append))
    assert [w.rows for w in warnings] == [(3, 4)]
    imports = mirror_imports(flows, "PRK", "machine-tools", cif_factor=1.0)
    monthly = aggregate(imports, freq="M", by=("partner",), indicator="prk-machine-tools")
    assert values(monthly) == [
        ("2024-01", 2000.5, "ok"),
        ("2024-02", None, "missing"),
        ("2024-03", 5000.0, "ok"),
    ]
    assert monthly[0].ref == f"{cn}#rows=2-3"
    assert monthly[0].extra["basis"] == {"mirror": 2}
    (year,) = aggregate(imports, freq="A")
    assert (year.value, year.quality, year.extra["months"]) == (7000.5, "partial", 2)
