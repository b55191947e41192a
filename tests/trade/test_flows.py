"""Reading Comtrade-layout CSV files: layouts, encodings, and every error with its file:row."""

from __future__ import annotations

import gzip
import logging
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchboard.errors import InputError
from watchboard.trade import ReadWarning, compact_rows, read_flows

from .conftest import PLUS_HEADER, plus_row, write


def read(path: Path) -> tuple[list, list[ReadWarning]]:
    warnings: list[ReadWarning] = []
    return list(read_flows(path, on_warning=warnings.append)), warnings


def test_current_comtrade_layout_reads_every_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "plus.csv",
        [PLUS_HEADER, plus_row(value="1500.5", weight="75.25", qty="3"), plus_row(code="8457")],
    )
    flows, warnings = read(path)
    assert warnings == []
    first = flows[0]
    assert (first.reporter, first.partner, first.flow) == ("CHN", "PRK", "export")
    assert (first.period, first.freq) == (date(2023, 1, 1), "M")
    assert (first.hs_code, first.value_usd, first.net_weight_kg) == ("845611", 1500.5, 75.25)
    assert (first.quantity, first.quantity_unit) == (3.0, "u")
    assert (first.reporter_code, first.partner_code) == ("156", "408")
    assert (first.file, first.row, first.breakdown) == (str(path), 2, ())
    assert [f.row for f in flows] == [2, 3]


def test_hs_codes_keep_their_leading_zeros(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", [PLUS_HEADER, plus_row(code="010121")])
    assert read(path)[0][0].hs_code == "010121"


def test_legacy_api_layout(tmp_path: Path) -> None:
    path = write(
        tmp_path / "legacy.csv",
        [
            "pfCode,yr,period,periodDesc,rgCode,rgDesc,rtCode,rtTitle,rt3ISO,ptCode,ptTitle,"
            "pt3ISO,cmdCode,qtCode,qtDesc,TradeQuantity,NetWeight,TradeValue",
            "H4,2019,2019,2019,1,Import,643,Russian Federation,RUS,156,China,CHN,8458,5,"
            "Number of items,7,900,12000",
            "H4,2019,201905,May 2019,2,Export,643,Russian Federation,RUS,408,"
            '"Dem. People\'s Rep. of Korea",PRK,8459,5,Number of items,,,300',
        ],
    )
    flows, _ = read(path)
    assert [(f.reporter, f.partner, f.flow, f.period, f.freq) for f in flows] == [
        ("RUS", "CHN", "import", date(2019, 1, 1), "A"),
        ("RUS", "PRK", "export", date(2019, 5, 1), "M"),
    ]
    assert (flows[0].quantity, flows[0].quantity_unit, flows[0].net_weight_kg) == (
        7.0,
        "Number of items",
        900.0,
    )
    assert (flows[1].quantity, flows[1].net_weight_kg, flows[1].value_usd) == (None, None, 300.0)


def test_legacy_bulk_layout_with_spaced_column_names(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bulk.csv",
        [
            "Classification,Year,Period,Trade Flow Code,Trade Flow,Reporter Code,Reporter,"
            "Reporter ISO,Partner Code,Partner,Partner ISO,Commodity Code,Qty Unit,Qty,"
            "Netweight (kg),Trade Value (US$)",
            "H5,2021,202104,2,Export,156,China,CHN,408,DPRK,PRK,846011,No Quantity,,10,2500",
        ],
    )
    (only,), _ = read(path)
    assert (only.reporter, only.partner, only.flow, only.hs_code) == (
        "CHN",
        "PRK",
        "export",
        "846011",
    )
    assert (only.period, only.freq, only.value_usd, only.net_weight_kg) == (
        date(2021, 4, 1),
        "M",
        2500.0,
        10.0,
    )


def test_names_are_used_where_no_iso_code_is_given_else_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "names.csv",
        [
            "reporterDesc,partnerCode,period,flowDesc,cmdCode,primaryValue",
            "China,408,2022,Export,8456,10",
        ],
    )
    (only,), _ = read(path)
    assert (only.reporter, only.partner, only.partner_code) == ("China", "408", "408")


def test_ref_year_and_month_columns_without_period(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ym.csv",
        [
            "reporterISO,partnerISO,refYear,refMonth,flowCode,cmdCode,primaryValue",
            "CHN,PRK,2024,7,X,8456,1",
            "CHN,PRK,2024,52,X,8457,2",
            "CHN,PRK,2024,,X,8458,3",
        ],
    )
    flows, _ = read(path)
    assert [(f.period, f.freq) for f in flows] == [
        (date(2024, 7, 1), "M"),
        (date(2024, 1, 1), "A"),
        (date(2024, 1, 1), "A"),
    ]


def test_ref_period_id_needs_the_frequency(tmp_path: Path) -> None:
    path = write(
        tmp_path / "id.csv",
        [
            "freqCode,refPeriodId,reporterISO,partnerISO,flowCode,cmdCode,primaryValue",
            "M,20240301,CHN,PRK,X,8456,1",
            "A,20240101,CHN,PRK,X,8456,2",
        ],
    )
    flows, _ = read(path)
    assert [(f.period, f.freq) for f in flows] == [(date(2024, 3, 1), "M"), (date(2024, 1, 1), "A")]
    ambiguous = write(
        tmp_path / "noid.csv",
        [
            "refPeriodId,reporterISO,partnerISO,flowCode,cmdCode,primaryValue",
            "20240101,CHN,PRK,X,8456,1",
        ],
    )
    with pytest.raises(
        InputError, match=r"noid\.csv:2: period '20240101' can be a year or a month"
    ):
        read(ambiguous)


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("M", "import"),
        ("X", "export"),
        ("RX", "re-export"),
        ("RM", "re-import"),
        ("Import", "import"),
        ("Export", "export"),
        ("Re-export", "re-export"),
        ("Re-Import", "re-import"),
        ("re export", "re-export"),
    ],
)
def test_flow_codes_and_descriptions(tmp_path: Path, written: str, kind: str) -> None:
    path = write(
        tmp_path / "flow.csv",
        [
            "reporterISO,partnerISO,period,flowDesc,cmdCode,primaryValue",
            f"CHN,PRK,2023,{written},8456,1",
        ],
    )
    assert read(path)[0][0].flow == kind


def test_other_flow_kinds_are_skipped_with_one_warning_each(tmp_path: Path) -> None:
    path = write(
        tmp_path / "dx.csv",
        [
            PLUS_HEADER,
            plus_row(flow="X"),
            plus_row(flow="DX"),
            plus_row(flow="DX", code="8457"),
            plus_row(flow="FM"),
        ],
    )
    flows, warnings = read(path)
    assert [f.row for f in flows] == [2]
    assert [str(w) for w in warnings] == [
        f"{path}:3-4: flow 'DX' skipped: only M, X, RM and RX flows are read",
        f"{path}:5: flow 'FM' skipped: only M, X, RM and RX flows are read",
    ]


@pytest.mark.parametrize(
    ("sep", "bom", "gz"),
    [
        (",", True, False),
        (";", False, False),
        ("\t", False, False),
        (";", True, True),
        (",", False, True),
    ],
)
def test_separators_bom_and_gzip(tmp_path: Path, sep: str, bom: bool, gz: bool) -> None:
    path = write(
        tmp_path / ("f.csv.gz" if gz else "f.csv"),
        [
            "reporterISO,partnerISO,period,flowCode,cmdCode,primaryValue",
            "CHN,PRK,202302,X,8456,12.5",
        ],
        sep=sep,
        bom=bom,
        gz=gz,
    )
    (only,), _ = read(path)
    assert (only.reporter, only.period, only.hs_code, only.value_usd, only.row) == (
        "CHN",
        date(2023, 2, 1),
        "8456",
        12.5,
        2,
    )


def test_gzip_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    path = write(tmp_path / "download.csv", [PLUS_HEADER, plus_row()], gz=True)
    assert len(read(path)[0]) == 1


def test_rows_are_line_numbers_across_blank_lines_and_multiline_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path / "lines.csv",
        [
            "reporterISO,partnerISO,partnerDesc,period,flowCode,cmdCode,primaryValue",
            'CHN,PRK,"Korea,\nDem. People\'s Rep.",2023,X,8456,1',
            "",
            "CHN,PRK,Korea,2023,X,8457,1",
        ],
    )
    assert [f.row for f in read(path)[0]] == [2, 5]


def test_a_trailing_separator_on_data_rows_is_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", [PLUS_HEADER, plus_row() + ",", plus_row(code="8457") + ","])
    assert [f.hs_code for f in read(path)[0]] == ["845611", "8457"]


def test_missing_columns_are_listed_with_the_columns_found(tmp_path: Path) -> None:
    path = write(tmp_path / "cols.csv", ["reporterISO,period,flowCode,netWgt", "CHN,2023,X,1"])
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value) == (
        f"{path}:1: missing columns: partner (partnerISO, partnerCode or partnerDesc); "
        "commodity (cmdCode); value (primaryValue or TradeValue). "
        "Found: reporterISO, period, flowCode, netWgt. "
        "Expected a UN Comtrade export (see docs/trade.md for the accepted names)"
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (plus_row(value="n/a"), "column 'primaryValue': 'n/a' is not a number"),
        (plus_row(weight="1,200"), "row has 20 fields, the header has 19"),
        (plus_row(qty="12kg"), "column 'qty': '12kg' is not a number"),
        (plus_row(value="-5"), "column 'primaryValue': '-5' is out of range"),
        (plus_row(value="nan"), "column 'primaryValue': 'nan' is not a number"),
        (
            plus_row(code="845611.0"),
            "commodity code '845611.0' is not an HS code (digits, or TOTAL)",
        ),
        (plus_row(code=""), "commodity code '' is not an HS code"),
    ],
)
def test_bad_cells_name_file_and_row(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path / "bad.csv", [PLUS_HEADER, plus_row(), plus_row(code="8457"), row])
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}:4: {message}")


@pytest.mark.parametrize(
    "period", ["2026-13", "202613", "2026-00", "26", "1850", "2026-01-15", "Q1 2026"]
)
def test_bad_periods_name_file_and_row(tmp_path: Path, period: str) -> None:
    path = write(
        tmp_path / "p.csv",
        [
            "reporterISO,partnerISO,period,flowCode,cmdCode,primaryValue",
            "CHN,PRK,2026,X,8456,1",
            f"CHN,PRK,{period},X,8457,1",
        ],
    )
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value) == (
        f"{path}:3: bad period {period!r} (expected YYYY for a year or YYYYMM for a month 01-12)"
    )


def test_bad_month_in_ref_month_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.csv",
        [
            "reporterISO,partnerISO,refYear,refMonth,flowCode,cmdCode,primaryValue",
            "CHN,PRK,2026,13,X,8456,1",
        ],
    )
    with pytest.raises(InputError, match=r"m\.csv:2: bad period '202613'"):
        read(path)


def test_frequency_must_agree_with_the_period(tmp_path: Path) -> None:
    path = write(
        tmp_path / "freq.csv",
        [
            "freqCode,period,reporterISO,partnerISO,flowCode,cmdCode,primaryValue",
            "A,202301,CHN,PRK,X,8456,1",
        ],
    )
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value) == f"{path}:2: period '202301' is a month but the frequency is 'A'"
    other = write(
        tmp_path / "q.csv",
        [
            "freqCode,period,reporterISO,partnerISO,flowCode,cmdCode,primaryValue",
            "Q,2023,CHN,PRK,X,8456,1",
        ],
    )
    with pytest.raises(InputError, match=r"q\.csv:2: frequency 'Q' is not A \(annual\) or M"):
        read(other)


def test_a_row_without_reporter_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        [
            "reporterISO,reporterDesc,partnerISO,period,flowCode,cmdCode,primaryValue",
            ",,PRK,2023,X,8456,1",
        ],
    )
    with pytest.raises(InputError) as caught:
        read(path)
    assert (
        str(caught.value) == f"{path}:2: no reporter (its ISO code, name and number are all empty)"
    )


def test_empty_flow_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "e.csv",
        ["reporterISO,partnerISO,period,flowCode,cmdCode,primaryValue", "CHN,PRK,2023,,8456,1"],
    )
    with pytest.raises(InputError, match=r"e\.csv:2: no flow"):
        read(path)


def test_missing_empty_and_directory_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "absent.csv")
    with pytest.raises(InputError, match="is a directory"):
        read(tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf\n")
    with pytest.raises(InputError, match=r"empty\.csv: empty file; expected a header row"):
        read(tmp_path / "empty.csv")


def test_a_header_without_rows_yields_nothing(tmp_path: Path) -> None:
    assert read(write(tmp_path / "h.csv", [PLUS_HEADER])) == ([], [])


def test_text_that_is_not_utf8_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    lines = [PLUS_HEADER, plus_row(), plus_row(code="8457").replace("China", "Chin\xe9")]
    path.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.csv:3: not UTF-8 text"):
        read(path)


def test_truncated_gzip_is_an_error_not_a_short_read(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    lines = [PLUS_HEADER] + [plus_row(code=f"8456{n:02d}") for n in range(50)]
    path.write_bytes(gzip.compress("\n".join(lines).encode())[:-30])
    with pytest.raises(InputError, match=r"cut\.csv\.gz:\d+: cannot read further"):
        read(path)


def test_duplicated_rows_are_warned_about_with_rows_and_not_summed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "dup.csv",
        [
            PLUS_HEADER,
            plus_row(value="100"),
            plus_row(code="8457"),
            plus_row(value="100"),
            plus_row(value="120"),
        ],
    )
    flows, warnings = read(path)
    assert [(f.row, f.value_usd) for f in flows] == [(2, 100.0), (3, 1000.0)]
    assert [w.rows for w in warnings] == [(2, 4), (2, 5)]
    assert str(warnings[0]) == (
        f"{path}:2,4: row 4 repeats row 2 (CHN export 845611 2023-01 with PRK; same values); "
        "kept row 2, skipped row 4"
    )
    assert "different values: 100.0 vs 120.0 USD" in warnings[1].message


def test_rows_split_by_mode_of_transport_are_not_duplicates(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mot.csv",
        [
            "reporterISO,partnerISO,period,flowCode,cmdCode,motCode,customsCode,primaryValue",
            "CHN,PRK,2023,X,8456,2100,C00,5",
            "CHN,PRK,2023,X,8456,3200,C00,7",
            "CHN,PRK,2023,X,8457,0,C00,1",
        ],
    )
    flows, warnings = read(path)
    assert warnings == []
    assert [f.breakdown for f in flows] == [(("transport", "2100"),), (("transport", "3200"),), ()]


def test_codes_that_lost_their_leading_zero_are_restored_with_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path / "z.csv",
        [PLUS_HEADER, plus_row(code="10121"), plus_row(code="8456"), plus_row(code="30110")],
    )
    flows, warnings = read(path)
    assert [f.hs_code for f in flows] == ["010121", "8456", "030110"]
    assert [str(w) for w in warnings] == [
        f"{path}:2,4: odd-length commodity codes had lost their leading zero; restored it"
    ]


def test_warnings_are_logged_when_no_callback_is_given(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path / "log.csv", [PLUS_HEADER, plus_row(), plus_row()])
    with caplog.at_level(logging.WARNING, logger="watchboard.trade.flows"):
        assert len(list(read_flows(path))) == 1
    assert f"{path}:2-3: row 3 repeats row 2" in caplog.text


def test_reading_is_lazy(tmp_path: Path) -> None:
    path = write(
        tmp_path / "lazy.csv", [PLUS_HEADER, plus_row(), plus_row(code="8457", value="oops")]
    )
    rows = read_flows(path)
    assert next(rows).row == 2
    with pytest.raises(InputError, match=r"lazy\.csv:3:"):
        next(rows)


@given(st.integers(1900, 2100), st.integers(1, 12), st.sampled_from(["{y}{m:02d}", "{y}-{m:02d}"]))
def test_monthly_periods_parse_to_the_first_of_the_month(year: int, month: int, form: str) -> None:
    from watchboard.trade.flows import _Layout, _period

    layout = _Layout({"period": 0}, ["period"])
    text = form.format(y=year, m=month)
    assert _period([text], layout, "x") == (date(year, month, 1), "M")


@given(st.sets(st.integers(1, 300)))
def test_compact_rows_lists_every_row_once(rows: set[int]) -> None:
    text = compact_rows(rows)
    expanded: set[int] = set()
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        expanded.update(range(int(first), int(last or first) + 1))
    assert expanded == rows
    assert compact_rows([2, 3, 4, 7, 9, 10]) == "2-4,7,9-10"
