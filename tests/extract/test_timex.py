"""The time normaliser: calendar dates, weekdays by tense, fuzzy parts, bounds, durations,
sets, relative expressions, robustness and the rule file's validation."""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchboard.extract.timex import TimeRulesError, find_times, load_time_rules
from watchboard.extract.timex_rules import check_bounded, compile_rules

DCT = date(2025, 12, 26)  # a Friday


def one(text: str, dct: date | datetime | None = DCT, *, contains: str | None = None):
    """The single expression found in ``text`` (or the one whose text contains ``contains``)."""
    found = find_times(text, dct=dct)
    if contains is not None:
        found = [e for e in found if contains in e.span.text]
    assert len(found) == 1, [(e.span.text, e.value) for e in found]
    return found[0]


# --------------------------------------------------------------------------- calendar dates


@pytest.mark.parametrize(
    ("text", "value", "gran", "start", "end"),
    [
        ("on 26 December 2025", "2025-12-26", "day", date(2025, 12, 26), date(2025, 12, 27)),
        ("in December 2025", "2025-12", "month", date(2025, 12, 1), date(2026, 1, 1)),
        ("in 2025", "2025", "year", date(2025, 1, 1), date(2026, 1, 1)),
        ("in the 1990s", "199", "decade", date(1990, 1, 1), date(2000, 1, 1)),
        ("on Dec. 26", "2025-12-26", "day", date(2025, 12, 26), date(2025, 12, 27)),
        ("on March 5, 2026", "2026-03-05", "day", date(2026, 3, 5), date(2026, 3, 6)),
        ("on 2026-03-05", "2026-03-05", "day", date(2026, 3, 5), date(2026, 3, 6)),
        ("in the 20th century", "19", "century", date(1900, 1, 1), date(2000, 1, 1)),
    ],
)
def test_time_reads_calendar_dates_at_any_granularity(text, value, gran, start, end):
    e = one(text)
    assert (e.type, e.value, e.granularity, e.start, e.end) == ("DATE", value, gran, start, end)
    assert e.anchored


def test_time_takes_a_month_without_year_in_the_year_nearest_the_dct():
    assert one("payable Jan. 14", dct=date(2025, 12, 20)).value == "2026-01-14"
    assert one("prices reached a record on Aug. 6", dct=date(1998, 2, 6)).value == "1997-08-06"


def test_time_month_name_may_is_case_sensitive():
    assert find_times("Officials may meet soon.", dct=DCT) == []
    assert one("They met in May.").value == "2025-05"


# --------------------------------------------------------------------------- weekdays


def test_time_resolves_weekday_before_dct_for_past_tense():
    # DCT Monday 2025-12-29: "reported on Friday" is the Friday before
    e = one("The agency reported on Friday that work began.", dct=date(2025, 12, 29))
    assert e.value == "2025-12-26"


def test_time_resolves_weekday_after_dct_for_future_tense():
    e = one("The minister will visit the plant on Friday.", dct=date(2025, 12, 29))
    assert e.value == "2026-01-02"


def test_time_resolves_weekday_to_most_recent_past_by_default():
    assert one("Talks on Wednesday.", dct=date(2025, 12, 29)).value == "2025-12-24"


def test_time_resolves_weekday_equal_to_dct_weekday_as_the_dct():
    assert one("officials said Friday", dct=DCT).value == "2025-12-26"


def test_time_resolves_last_and_next_weekday():
    assert one("last Friday", dct=DCT).value == "2025-12-19"
    assert one("next Friday", dct=DCT).value == "2026-01-02"


def test_time_weekday_with_night_or_morning_is_the_day():
    # TimeML as annotated in TimeBank/AQUAINT: "Thursday night" is the day (10 plain days
    # against 7 ...TNI), "Friday morning" too (5 against 3); "Friday evening" keeps TEV (3/3)
    e = one("The blast came Thursday night.", dct=DCT)
    assert (e.type, e.value, e.span.text) == ("DATE", "2025-12-25", "Thursday night")
    assert one("They met Thursday morning.", dct=DCT).value == "2025-12-25"
    e = one("The rally was held Thursday evening.", dct=DCT)
    assert (e.type, e.value) == ("TIME", "2025-12-25TEV")


def test_time_part_of_a_weekday_with_its_date_is_that_date():
    e = one("He returned home on the night of Friday, Oct. 23.", dct=date(1998, 11, 21))
    assert (e.value, e.span.text) == ("1998-10-23", "the night of Friday, Oct. 23")
    e = one("He was shot on the night of Oct. 23 at home.", dct=date(1998, 11, 21))
    assert (e.value, e.span.text) == ("1998-10-23", "the night of Oct. 23")
    assert find_times("a picture from the film High Noon", dct=DCT) == []


def test_time_deadline_words_look_ahead_unless_past_perfect():
    dct = date(2000, 4, 3)  # a Monday
    assert one("He was given until 9 a.m. Tuesday to sign.", dct=dct).value == "2000-04-04T09:00"
    assert one("Officials postponed until Tuesday any action.", dct=dct).value == "2000-04-04"
    assert one("Ten members had filed reports by Sunday.", dct=dct).value == "2000-04-02"


# --------------------------------------------------------------------------- relative


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("today", "2025-12-26"),
        ("yesterday", "2025-12-25"),
        ("tomorrow", "2025-12-27"),
        ("next year", "2026"),
        ("last month", "2025-11"),
        ("this week", "2025-W52"),
        ("a year ago", "2024"),
        ("three days ago", "2025-12-23"),
        ("now", "PRESENT_REF"),
        ("currently", "PRESENT_REF"),
        ("recently", "PAST_REF"),
        ("the future", "FUTURE_REF"),
        ("this morning", "2025-12-26TMO"),
        ("a few years ago", "PAST_REF"),
        ("a week or so ago", "2025-W51"),
        ("in recent years", "PAST_REF"),
    ],
)
def test_time_resolves_relative_expressions_against_the_dct(text, value):
    assert one(f"It happened {text}.").value == value


def test_time_the_adjective_recent_is_no_time_expression():
    # TimeBank/AQUAINT tag "recent" alone in 6 of its 17 occurrences ("recently": 12 of 19)
    assert find_times("the recent collapse of the market", dct=DCT) == []
    assert one("in recent months").value == "PXM"


def test_time_a_month_name_starting_a_proper_name_is_no_date():
    assert find_times("protesters at the annual March for Life", dct=DCT) == []
    assert one("Sales rose in March for the third month.", dct=date(2025, 4, 10)).value == "2025-03"


def test_time_resolves_anaphoric_days_against_the_last_mention():
    found = find_times("The plant opened on March 3, 2026. Two days later it closed.", dct=DCT)
    assert [e.value for e in found] == ["2026-03-03", "2026-03-05"]
    found = find_times("Work began on March 3, 2026. The previous day was calm.", dct=DCT)
    assert [e.value for e in found] == ["2026-03-03", "2026-03-02"]


def test_time_a_year_earlier_in_a_quarterly_report_is_the_same_quarter():
    found = find_times(
        "Third-quarter profit rose to $5 million from $4 million a year earlier.",
        dct=date(1989, 10, 26),
    )
    assert [e.value for e in found] == ["1989-Q3", "1988-Q3"]


def test_time_the_quarter_reported_is_not_a_forecast_quarter():
    text = (
        "Third-quarter profit rose 5%. Weakness should last through the third quarter of "
        "1990, the company said. In the year-ago period, it earned $4 million. "
        "Assets rose in the latest quarter from a year earlier."
    )
    found = find_times(text, dct=date(1989, 10, 26))
    assert [e.value for e in found] == ["1989-Q3", "1990-Q3", "1988-Q3", "1989-Q3", "1988-Q3"]


# --------------------------------------------------------------------------- fuzzy parts


@pytest.mark.parametrize(
    ("text", "value", "mod", "start", "end"),
    [
        ("early 2026", "2026", "START", date(2026, 1, 1), date(2026, 5, 1)),
        ("mid-2027", "2027", "MID", date(2027, 5, 1), date(2027, 9, 1)),
        ("late 2026", "2026", "END", date(2026, 9, 1), date(2027, 1, 1)),
        ("the end of 2026", "2026", "END", date(2026, 9, 1), date(2027, 1, 1)),
        ("the beginning of next year", "2026", "START", date(2026, 1, 1), date(2026, 5, 1)),
        ("early March 2026", "2026-03", "START", date(2026, 3, 1), date(2026, 3, 11)),
        ("the late 1990s", "199", "END", date(1997, 1, 1), date(2000, 1, 1)),
    ],
)
def test_time_fuzzy_parts_give_mod_and_sub_interval(text, value, mod, start, end):
    e = one(f"Production starts {text}.")
    assert (e.value, e.mod, e.start, e.end) == (value, mod, start, end)
    assert e.span.text == text


@pytest.mark.parametrize(
    ("text", "value", "gran", "start", "end"),
    [
        ("the first half of 2026", "2026-H1", "half", date(2026, 1, 1), date(2026, 7, 1)),
        ("H1 2026", "2026-H1", "half", date(2026, 1, 1), date(2026, 7, 1)),
        ("Q3 2026", "2026-Q3", "quarter", date(2026, 7, 1), date(2026, 10, 1)),
        ("Q2 2026", "2026-Q2", "quarter", date(2026, 4, 1), date(2026, 7, 1)),
        ("the fourth quarter", "2025-Q4", "quarter", date(2025, 10, 1), date(2026, 1, 1)),
        ("winter 2026", "2026-WI", "season", date(2026, 12, 1), date(2027, 3, 1)),
        ("the second half of 2026", "2026-H2", "half", date(2026, 7, 1), date(2027, 1, 1)),
    ],
)
def test_time_halves_quarters_and_seasons(text, value, gran, start, end):
    e = one(f"Output rises in {text}.")
    assert (e.value, e.granularity, e.start, e.end) == (value, gran, start, end)


# --------------------------------------------------------------------------- bounds


@pytest.mark.parametrize(
    ("text", "mod"),
    [
        ("by 2027", "ON_OR_BEFORE"),
        ("no later than 2027", "ON_OR_BEFORE"),
        ("before 2027", "BEFORE"),
        ("after 2027", "AFTER"),
        ("since 2027", "ON_OR_AFTER"),
        ("until 2027", "ON_OR_BEFORE"),
    ],
)
def test_time_bounds_set_the_mod_and_stay_outside_the_span(text, mod):
    e = one(f"The line runs {text}.")
    assert (e.value, e.mod, e.span.text) == ("2027", mod, "2027")
    assert (e.start, e.end) == (date(2027, 1, 1), date(2028, 1, 1))


def test_time_year_end_is_the_end_part_of_the_year():
    e = one("The line should run by year end.")
    assert (e.value, e.mod, e.start, e.end) == ("2025", "END", date(2025, 9, 1), date(2026, 1, 1))
    assert one("before the year's end").value == "2025"


def test_time_hyphenated_year_end_is_the_last_day_of_the_year():
    # TimeBank writes "year-end" as that year's December 31 (2 of 2); after "since" it is
    # the one already past
    e = one("The deal should close by year-end.", dct=date(1989, 11, 2))
    assert (e.value, e.start) == ("1989-12-31", date(1989, 12, 31))
    assert one("The change is since year-end.", dct=date(1989, 10, 30)).value == "1988-12-31"


def test_time_suffix_or_later_is_part_of_the_span():
    e = one("from 1994 or later")
    assert (e.span.text, e.mod) == ("1994 or later", "ON_OR_AFTER")


# --------------------------------------------------------------------------- durations, sets


@pytest.mark.parametrize(
    ("text", "value", "mod"),
    [
        ("five years", "P5Y", None),
        ("three months", "P3M", None),
        ("a decade", "P10Y", None),
        ("two weeks", "P2W", None),
        ("48 hours", "PT48H", None),
        ("a five-year plan", "P5Y", None),
        ("2 1/2 years", "P2Y6M", None),
        ("about two years", "P2Y", "APPROX"),
        ("more than four hours", "PT4H", "MORE_THAN"),
        ("at least 30 days", "P30D", "EQUAL_OR_MORE"),
        ("several months", "PXM", None),
    ],
)
def test_time_durations(text, value, mod):
    e = one(f"It took {text} to finish.")
    assert (e.type, e.value, e.mod) == ("DURATION", value, mod)
    assert e.start is None and e.end is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("annually", "P1Y"),
        ("every year", "P1Y"),
        ("daily", "P1D"),
        ("each Thursday", "XXXX-WXX-4"),
        ("50 missiles per year", "P1Y"),
        ("twice a week", "P1W"),
    ],
)
def test_time_sets(text, value):
    e = one(f"They report {text}.", contains=text.split()[-1])
    assert (e.type, e.value) == ("SET", value)


# --------------------------------------------------------------------------- times of day


def test_time_clock_times_take_the_dct_day():
    e = one("The blast came at 3 p.m.")
    assert (e.type, e.value, e.start) == ("TIME", "2025-12-26T15:00", DCT)
    assert one("at 10:35 a.m. Thursday").value == "2025-12-25T10:35"
    assert one("at noon").value == "2025-12-26T12:00"


# --------------------------------------------------------------------------- no DCT


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yesterday", "XXXX-XX-XX"),
        ("on Friday", "XXXX-WXX-5"),
        ("on Dec. 26", "XXXX-12-26"),
        ("next year", "XXXX"),
        ("last month", "XXXX-XX"),
    ],
)
def test_time_without_dct_is_unanchored(text, value):
    e = one(text, dct=None)
    assert (e.value, e.anchored, e.start, e.end) == (value, False, None, None)


def test_time_absolute_dates_are_anchored_without_dct():
    e = one("on 26 December 2025", dct=None)
    assert (e.value, e.anchored, e.start) == ("2025-12-26", True, date(2025, 12, 26))


def test_time_accepts_a_datetime_dct():
    assert one("yesterday", dct=datetime(2025, 12, 26, 23, 59)).value == "2025-12-25"


# --------------------------------------------------------------------------- absurd input


@pytest.mark.parametrize(
    "text", ["February 30, 2025", "on Feb. 31", "in year 20255", "on 2025-02-30", "13/45/2025"]
)
def test_time_absurd_dates_never_crash_nor_yield_impossible_values(text):
    for e in find_times(text, dct=DCT):
        assert "20255" not in e.value
        if e.start is not None:
            assert e.start < e.end  # type: ignore[operator]
        assert not e.value.endswith(("-02-30", "-02-31"))


def test_time_impossible_day_falls_back_to_the_month():
    e = one("February 30, 2025")
    assert e.value in ("2025-02", "2025")


# --------------------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *list("abcdefghijklmnopqrstuvwxyz ABCDEFHMQTW0123456789.,-'/:\n"),
                "May ",
                "Friday ",
                "the ",
                "last ",
                "early ",
                "2026 ",
                "Q3 ",
                "ago ",
                "p.m. ",
                "February 30 ",
                "mid-",
                "a year ",
                "two ",
                "weeks ",
                "since ",
                "'80s ",
            ]
        ),
        max_size=60,
    ).map("".join),
    st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))),
)
def test_time_never_raises_and_spans_match_the_text(text, dct):
    found = find_times(text, dct=dct)
    last_end = 0
    for e in found:
        assert 0 <= e.span.start < e.span.end <= len(text)
        assert text[e.span.start : e.span.end] == e.span.text
        assert e.span.start >= last_end  # in order, no overlaps
        last_end = e.span.end
        assert e.type in ("DATE", "TIME", "DURATION", "SET")


ADVERSARIAL = [
    "the ",
    "1 ",
    "1,1.",
    "a ",
    "'",
    "early mid late the end of ",
    "Jan Jan. ",
    " \n",
    "-1-",
    "mid-",
    "a few ",
    "0:0",
]


@pytest.mark.parametrize("unit", ADVERSARIAL)
def test_time_one_megabyte_adversarial_line_finishes_quickly(unit):
    load_time_rules()  # start-up is not what is measured
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    began = time.perf_counter()
    find_times(text, dct=DCT)
    # generous for a loaded CI machine; a typical run takes well under a second
    assert time.perf_counter() - began < 15


# --------------------------------------------------------------------------- the rule file


def test_time_rule_file_refuses_unbounded_quantifiers():
    assert check_bounded(r"a{1,3}(?:b|c)?") is None
    assert check_bounded(r"a+") is not None
    assert check_bounded(r"(?:a|b)*") is not None
    assert check_bounded(r"a{2,}") is not None
    assert check_bounded(r"[+*]\+") is None


def _minimal(pattern: str, **extra):
    data = {
        "vocab": {
            "w": {"x": 1},
            "part_words": {},
            "approx_words": {},
            "bound_words": {},
            "suffix_mods": {"or so": "APPROX"},
        },
        "placeholders": {},
        "units": {"day": {"code": "D"}},
        "parts": {},
        "tense": {"future": ["will"], "past": ["said"]},
        "rules": [{"name": "r", "pattern": pattern, "type": "DATE", "resolve": "calendar"}],
    }
    data.update(extra)
    return data


def test_time_rule_file_validation_names_the_problem():
    with pytest.raises(TimeRulesError, match="unbounded"):
        compile_rules(_minimal("x+"))
    with pytest.raises(TimeRulesError, match="unknown placeholder"):
        compile_rules(_minimal("{nothing}"))
    with pytest.raises(TimeRulesError, match="resolver"):
        data = _minimal("x")
        data["rules"][0]["resolve"] = "magic"
        compile_rules(data)
    with pytest.raises(TimeRulesError, match="quote YAML"):
        data = _minimal("x")
        data["vocab"]["w"] = {True: 1}
        compile_rules(data)
    assert compile_rules(_minimal("{w}")).rules[0].name == "r"


def test_time_packaged_rules_load_and_every_rule_dispatches():
    rules = load_time_rules()
    assert len(rules.rules) > 40
    assert all(r.prefixes for r in rules.rules)


def test_time_packaged_rules_all_compile():
    # the packaged file's patterns are compiled on first use; here, all of them at once
    rules = load_time_rules()
    rules.compile_all()
    assert all(r.regex.pattern == r.source for r in rules.rules)


def test_time_loading_leaves_patterns_to_first_use_and_checks_other_files(tmp_path):
    import yaml

    from watchboard.extract.timex_rules import default_rules_path

    data = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))
    lazy = compile_rules(data, check=False)
    assert not any("regex" in r.__dict__ for r in lazy.rules)  # nothing compiled yet
    bad = _minimal("(x")
    with pytest.raises(TimeRulesError, match="does not compile"):
        compile_rules(bad)
    lazy_bad = compile_rules(bad, check=False)
    with pytest.raises(TimeRulesError, match="does not compile"):
        find_times("x", dct=DCT, rules=lazy_bad)
    path = tmp_path / "time.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(TimeRulesError, match="does not compile"):
        load_time_rules(path)


def test_time_rule_file_refuses_unbounded_placeholders():
    with pytest.raises(TimeRulesError, match="unbounded"):
        compile_rules(_minimal("{p}", placeholders={"p": {"regex": "y*"}}))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *list("ab09 .,-'\n\t"),
                "the ",
                "The  ",
                "last\n",
                "third-quarter ",
                "Q3 ",
                "mid-",
                "early ",
                "May 5, ",
                "1990s ",
                "'80s ",
                "two weeks ago ",
                "a few years ago ",
                "Friday night ",
                "3:30 p.m. ",
                "year-end ",
                "recent years ",
                "every Thursday ",
                "12 ",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_time_every_match_is_reached_through_the_prefix_dispatch(text):
    from watchboard.extract.timex_rules import normalise_text

    rules = load_time_rules()
    norm = normalise_text(text)
    assert len(norm) == len(text)
    for rule in rules.rules:
        for m in rule.regex.finditer(text):
            assert rule in rules.rules_at(norm, m.start()), (rule.name, m.group(0))
