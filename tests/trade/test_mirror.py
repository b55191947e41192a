"""Mirror statistics: a non-reporting country's trade seen through its partners' reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchboard.errors import InputError
from watchboard.trade import mirror_exports, mirror_imports, read_flows

from .conftest import PLUS_HEADER, flow, plus_row, write


def summary(records: list) -> list[tuple]:
    return [
        (r.basis, r.partner, r.period.isoformat()[:7], r.hs_code, r.value_usd, r.row)
        for r in records
    ]


def test_prk_imports_are_china_s_reported_exports_to_it(tmp_path: Path) -> None:
    path = write(
        tmp_path / "cn.csv",
        [
            PLUS_HEADER,
            plus_row("CHN", "PRK", "202301", "X", "845611", "1000"),
            plus_row("CHN", "PRK", "202302", "X", "8458", "2000"),
            plus_row("CHN", "PRK", "202302", "RX", "8458", "300"),  # part of X already
            plus_row("CHN", "PRK", "202302", "M", "8459", "50"),  # China's imports from PRK
            plus_row("CHN", "RUS", "202302", "X", "8458", "7000"),  # not to PRK
            plus_row("CHN", "PRK", "202302", "X", "8501", "400"),  # not a machine tool
        ],
    )
    imports = mirror_imports(read_flows(path), "PRK", "machine-tools")
    assert summary(imports) == [
        ("mirror", "CHN", "2023-01", "845611", 1000.0, 2),
        ("mirror", "CHN", "2023-02", "8458", 2000.0, 3),
    ]
    first = imports[0]
    assert (first.country, first.flow, first.reporter, first.file) == (
        "PRK",
        "import",
        "CHN",
        str(path),
    )
    assert (first.net_weight_kg, first.quantity, first.quantity_unit) == (50.0, 2.0, "u")
    assert first.source.flow == "export"


def test_the_cif_factor_scales_mirrored_values_but_not_weights() -> None:
    rows = [flow("CHN", "PRK", "2023-01", "export", "8456", 1000.0, row=2, weight=40.0)]
    (mirrored,) = mirror_imports(rows, "PRK", cif_factor=1.1)
    assert mirrored.value_usd == pytest.approx(1100.0)
    assert mirrored.net_weight_kg == 40.0
    (exported,) = mirror_exports(
        [flow("CHN", "PRK", "2023-01", "import", "8456", 1100.0, row=3)], "PRK", cif_factor=1.1
    )
    assert (exported.flow, exported.basis, exported.partner) == ("export", "mirror", "CHN")
    assert exported.value_usd == pytest.approx(1000.0)


def test_the_country_s_own_report_is_preferred_per_partner_period_and_code() -> None:
    rows = [
        flow("CHN", "PRK", "2023-01", "export", "8456", 100.0, row=2, file="cn.csv"),
        flow("CHN", "PRK", "2023-01", "export", "8457", 200.0, row=3, file="cn.csv"),
        flow("CHN", "PRK", "2023-02", "export", "8456", 300.0, row=4, file="cn.csv"),
        flow("RUS", "PRK", "2023-01", "export", "8456", 400.0, row=5, file="ru.csv"),
        flow("PRK", "CHN", "2023-01", "import", "8456", 110.0, row=2, file="kp.csv"),
    ]
    used = mirror_imports(rows, "PRK", "machine-tools")
    assert [(r.basis, r.partner, r.hs_code, r.file, r.row) for r in used] == [
        ("reported", "CHN", "8456", "kp.csv", 2),  # replaces cn.csv row 2
        ("mirror", "CHN", "8457", "cn.csv", 3),
        ("mirror", "RUS", "8456", "ru.csv", 5),
        ("mirror", "CHN", "8456", "cn.csv", 4),
    ]
    by_partner = mirror_imports(rows, "PRK", prefer="partner")
    assert [(r.basis, r.partner, r.row) for r in by_partner] == [
        ("reported", "CHN", 2),
        ("mirror", "RUS", 5),
        ("mirror", "CHN", 4),
    ]
    by_period = mirror_imports(rows, "PRK", prefer="period")
    assert [(r.basis, r.partner, r.row) for r in by_period] == [
        ("reported", "CHN", 2),
        ("mirror", "CHN", 4),
    ]


def test_own_annual_figures_cover_mirrored_months_and_headings_cover_subheadings() -> None:
    rows = [
        flow("CHN", "PRK", "2023-03", "export", "845611", 1.0, row=2),
        flow("CHN", "PRK", "2024-03", "export", "845611", 2.0, row=3),
        flow("CHN", "PRK", "2024-03", "export", "8457", 3.0, row=4),
        flow("PRK", "CHN", "2023", "import", "8456", 9.0, row=5),  # covers row 2
        flow("PRK", "CHN", "2024-03", "import", "845611", 8.0, row=6),  # covers row 3
    ]
    used = mirror_imports(rows, "PRK")
    assert [(r.basis, r.row) for r in used] == [("reported", 5), ("reported", 6), ("mirror", 4)]


def test_world_rows_and_other_flow_kinds_are_left_out() -> None:
    rows = [
        flow("PRK", "W00", "2023", "import", "8456", 99.0, row=2),  # a total, not a partner
        flow("PRK", "World", "2023", "import", "8457", 99.0, row=3),
        flow("PRK", "CHN", "2023", "re-import", "8456", 1.0, row=4),
        flow("PRK", "CHN", "2023", "export", "8456", 2.0, row=5),  # an export, not an import
        flow("CHN", "PRK", "2023", "re-export", "8456", 3.0, row=6),
        flow("CHN", "PRK", "2023", "export", "8458", 4.0, row=7),
    ]
    assert [(r.basis, r.row) for r in mirror_imports(rows, "PRK")] == [("mirror", 7)]
    assert [(r.basis, r.row) for r in mirror_exports(rows, "PRK")] == [("reported", 5)]


def test_the_country_is_matched_by_iso_code_case_and_comtrade_number() -> None:
    rows = [
        flow("CHN", "PRK", "2023", "export", "8456", 1.0, row=2),
        flow("RUS", "Korea, DPR", "2023", "export", "8456", 2.0, row=3, partner_code="408"),
    ]
    assert [r.row for r in mirror_imports(rows, "prk")] == [2]
    assert [r.row for r in mirror_imports(rows, "408")] == [3]


def test_without_a_watchlist_every_code_is_kept_but_not_counted_twice() -> None:
    rows = [
        flow("CHN", "PRK", "2023", "export", "84", 10.0, row=2),
        flow("CHN", "PRK", "2023", "export", "8456", 4.0, row=3),  # inside row 2
        flow("CHN", "PRK", "2023", "export", "27", 5.0, row=4),
    ]
    assert [r.row for r in mirror_imports(rows, "PRK")] == [4, 2]


def test_bad_options_are_refused() -> None:
    with pytest.raises(InputError, match=r"cif_factor: 0\.0 is not a positive number"):
        mirror_imports([], "PRK", cif_factor=0.0)
    with pytest.raises(InputError, match="prefer: 'heading' is not one of code, partner, period"):
        mirror_imports([], "PRK", prefer="heading")
    with pytest.raises(InputError, match="no such watchlist"):
        mirror_imports([], "PRK", "lathes")
