"""Watchlists of HS codes: the built-in data, prefix matching, files of one's own, selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchboard.errors import InputError
from watchboard.trade import load_watchlist, load_watchlists

from .conftest import flow


def test_machine_tools_are_the_headings_8456_to_8463_each_described() -> None:
    tools = load_watchlist("machine-tools")
    assert [watched.code for watched in tools.codes] == [str(h) for h in range(8456, 8464)]
    assert all(len(watched.description) > 20 for watched in tools.codes)
    assert tools.title == "Metal-working machine tools"
    assert tools.origin == "watchboard/trade/data/watchlists.yaml"


def test_built_in_lists_include_power_and_construction_equipment() -> None:
    lists = load_watchlists()
    assert {"machine-tools", "power-equipment", "construction-machinery"} <= set(lists)
    assert [w.code for w in lists["power-equipment"].codes] == ["8501", "8502", "8503", "8504"]
    assert {"8429", "8430"} <= {w.code for w in lists["construction-machinery"].codes}
    for watchlist in lists.values():
        assert watchlist.description and all(w.description for w in watchlist.codes)


@pytest.mark.parametrize(
    ("code", "heading"),
    [
        ("845611", "8456"),
        ("8456", "8456"),
        ("84581100", "8458"),
        ("846300", "8463"),
        ("8464", None),
        ("8455", None),
        ("84", None),  # the chapter is broader than the list: most of it is not watched
        ("TOTAL", None),
        ("", None),
    ],
)
def test_codes_belong_to_a_watchlist_by_prefix(code: str, heading: str | None) -> None:
    tools = load_watchlist("machine-tools")
    assert tools.heading(code) == heading
    assert tools.matches(code) is (heading is not None)


def test_the_longest_watched_prefix_is_the_heading(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        'watchlists:\n  lathes:\n    codes:\n      - "8458"\n      - code: "845811"\n'
        "        description: horizontal, numerically controlled\n"
    )
    lathes = load_watchlist(path)
    assert (lathes.name, lathes.title, lathes.origin) == ("lathes", "lathes", str(path))
    assert lathes.heading("845811") == "845811"
    assert lathes.heading("845819") == "8458"


def test_a_file_with_several_lists_needs_a_name(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text('watchlists:\n  a:\n    codes: ["8456"]\n  b:\n    codes: ["8501"]\n')
    assert [w.code for w in load_watchlist(f"{path}#b").codes] == ["8501"]
    with pytest.raises(InputError, match="holds several watchlists; name one: a, b"):
        load_watchlist(path)
    with pytest.raises(InputError, match="c: no such watchlist; known: a, b"):
        load_watchlist(f"{path}#c")


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        load_watchlist("lathes")
    assert str(caught.value).startswith("lathes: no such watchlist; known: construction-machinery")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("codes: []", "expected a mapping with a 'watchlists' key"),
        ("watchlists:\n  a: [1]", "watchlist 'a': expected a mapping with 'codes'"),
        ("watchlists:\n  a:\n    codes: []", "watchlist 'a': 'codes' must be a non-empty list"),
        (
            "watchlists:\n  a:\n    codes: [8456]",
            "watchlist 'a', code 1: 8456 must be a quoted string (\"8456\")",
        ),
        (
            'watchlists:\n  a:\n    codes: ["8456", "845"]',
            "watchlist 'a', code 2: '845' is not an HS code",
        ),
        (
            'watchlists:\n  a:\n    codes: ["84x6"]',
            "watchlist 'a', code 1: '84x6' is not an HS code",
        ),
        (
            'watchlists:\n  a:\n    codes: ["8456", {code: "8456"}]',
            "watchlist 'a', code 2: 8456 is listed twice",
        ),
        ("watchlists: [", "not valid YAML"),
    ],
)
def test_invalid_watchlist_files_say_what_is_wrong(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_watchlist(path)
    assert str(caught.value).startswith(f"{path}: {reason}")


def test_an_unreadable_watchlist_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the watchlist file"):
        load_watchlist(tmp_path / "absent.yaml")


def test_select_keeps_watched_codes_and_drops_subheadings_of_a_selected_heading() -> None:
    rows = [
        flow("CHN", "PRK", "2023-01", "export", "8456", 10, row=2),
        flow("CHN", "PRK", "2023-01", "export", "845611", 4, row=3),  # inside row 2
        flow("CHN", "PRK", "2023-01", "export", "845612", 6, row=4),  # inside row 2
        flow("CHN", "PRK", "2023-02", "export", "845611", 5, row=5),  # another month: kept
        flow("CHN", "RUS", "2023-01", "export", "845611", 7, row=6),  # another partner: kept
        flow("CHN", "PRK", "2023-01", "import", "845611", 8, row=7),  # another flow: kept
        flow("CHN", "PRK", "2023-01", "export", "8501", 9, row=8),  # not watched
        flow("CHN", "PRK", "2023-01", "export", "84", 99, row=9),  # broader: not watched
    ]
    chosen = load_watchlist("machine-tools").select(rows)
    assert [record.row for record in chosen] == [2, 5, 6, 7]
