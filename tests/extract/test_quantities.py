"""Quantity extraction: one test per phenomenon, negatives, properties and pathological inputs."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchboard.extract.quantities import UnitTableError, find_quantities, load_units
from watchboard.model.extraction import Quantity


def only(text: str) -> Quantity:
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0]


def values(text: str) -> list[float | None]:
    return [q.value for q in find_quantities(text)]


# --------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("They built 12 sheds.", 12),
        ("It moved 1,500,000 items.", 1_500_000),
        ("It weighs 3.5 kg.", 3.5),
        ("We need twelve of them.", 12),
        ("It holds two hundred and fifty of them.", 250),
        ("I want a hundred and two of those", 102),
        ("three million, two hundred & forty", 3_000_240),
        ("twenty-one", 21),
        ("one thousand nine hundred", 1900),
        ("Zero is a number.", 0),
        (".5 of it", 0.5),
    ],
)
def test_numbers_in_digits_and_words(text: str, value: float) -> None:
    assert only(text).value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a dozen eggs", 12),
        ("two dozen eggs", 24),
        ("half a million people", 500_000),
        ("1.2 million people", 1_200_000),
        ("5k runners", 5000),
        ("0.5k miles", 500),
        ("$13,009 million", 13_009e6),
        ("a baker's dozen", 13),
        ("2.5 lakh", 250_000),
    ],
)
def test_scales_and_multipliers(text: str, value: float) -> None:
    assert only(text).value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("it cost $3bn", 3e9, "US dollar"),
        ("it cost $3 bn", 3e9, "US dollar"),
        ("worth €10M", 1e7, "euro"),
        ("worth €10B", 1e10, "euro"),
        ("GDP is $2.174T.", 2.174e12, "US dollar"),
        ("a £5m deal", 5e6, "pound sterling"),
        ("₩2 trillion", 2e12, "South Korean won"),
        ("KRW 300 billion", 3e11, "South Korean won"),
        ("¥100", 100, "Japanese yen"),
        ("US$2.3bn", 2.3e9, "US dollar"),
        ("10 US dollars", 10, "US dollar"),
        ("5 pounds sterling", 5, "pound sterling"),
        ("40 yuan", 40, "Chinese yuan"),
        ("500 won", 500, "South Korean won"),
        ("-15€", -15, "euro"),
        ("3 dimes", 3, "dime"),
    ],
)
def test_money(text: str, value: float, unit: str) -> None:
    q = only(text)
    assert q.value == pytest.approx(value)
    assert q.unit == unit


def test_fractions() -> None:
    assert only("about 1/40 of the wavelength").value == pytest.approx(0.025)
    assert only("1/2").value == 0.5
    assert only("three-quarters of the budget").value == pytest.approx(0.75)
    assert only("two thirds of the cake").value == pytest.approx(2 / 3)
    assert only("one sixth").value == pytest.approx(1 / 6)
    assert only("The door is 2 1/2 in thick").value == pytest.approx(2.5)
    q = only("two and a half miles")
    assert (q.value, q.unit) == (2.5, "mile")
    q = only("⅓ cup of sauce")
    assert q.value == pytest.approx(1 / 3) and q.unit == "cup"


def test_fraction_with_zero_denominator_is_not_a_quantity() -> None:
    assert find_quantities("The number 1/0 is not a valid value.") == []


def test_negative_numbers_and_scientific_notation() -> None:
    assert only("Give me -1e-3 W/min").value == pytest.approx(-0.001)
    assert only("It was −5 °C").value == -5
    assert only("temperatures of –5 °C").value == -5
    assert only("3e5").value == 3e5
    assert only("3×10^5").value == 3e5
    assert only("a factor of 2.48×10−5").value == pytest.approx(2.48e-5)
    assert only("8x2^10 bits").value == 8192
    assert only("minus 5 degrees Celsius").value == -5


def test_powers_and_mixed_vulgar_fractions() -> None:
    assert only("10^6 people").value == 1e6
    assert only("2**10").value == 1024
    assert only("4 ½ miles").value == 4.5
    assert only("2½ hours").value == 2.5


def test_unit_written_before_the_number() -> None:
    q = only("It flies at Mach 2")
    assert (q.value, q.unit) == (2, "mach")


def test_unicode_separators() -> None:
    assert only("10\u00a0000 km").value == 10_000
    assert only("1\u2009500\u2009000 kilometres").value == 1_500_000
    assert only("1\u202f000 people").value == 1000
    q = only("3.5\u20134.0 TeV")
    assert (q.low, q.high, q.unit) == (3.5, 4.0, "teraelectronvolt")


# --------------------------------------------------------------------- ranges and bounds


@pytest.mark.parametrize(
    "text", ["50 - 70", "50–70", "50 to 70", "between 50 and 70", "from 50 to 70", "50—70"]
)
def test_ranges_keep_both_ends(text: str) -> None:
    q = only(text)
    assert (q.value, q.low, q.high, q.bound) == (None, 50, 70, "range")


def test_range_with_unit_after_the_second_number() -> None:
    q = only("from 10 to 20 per cent")
    assert (q.low, q.high, q.unit) == (10, 20, "percent")
    q = only("8- to 16-meter telescopes")
    assert (q.low, q.high, q.unit) == (8, 16, "metre")


def test_range_with_unit_on_both_ends_and_scale_on_the_second() -> None:
    q = only("between 44 mg and 50 mg")
    assert (q.low, q.high, q.unit) == (44, 50, "milligram")
    q = only("$3-4 billion")
    assert (q.low, q.high, q.unit) == (3e9, 4e9, "US dollar")
    q = only("temperatures ranged from -18 °C to -34 °C")
    assert (q.low, q.high, q.unit) == (-34, -18, "degree Celsius")


def test_different_units_are_two_quantities_not_a_range() -> None:
    found = find_quantities("They were changed from 44 ml to 50 mg ethanol.")
    assert [(q.value, q.unit) for q in found] == [(44, "millilitre"), (50, "milligram")]


def test_unit_written_once_belongs_to_both_numbers() -> None:
    found = find_quantities("They were given 45 and 50 mg ethanol.")
    assert [(q.value, q.unit) for q in found] == [(45, "milligram"), (50, "milligram")]


def test_plus_minus_is_a_range_around_a_value() -> None:
    q = only("9.83e-3 +/- 1e-5 km/s2")
    assert q.value == pytest.approx(0.00983)
    assert q.low == pytest.approx(0.00982) and q.high == pytest.approx(0.00984)
    assert q.unit == "kilometre per square second"


@pytest.mark.parametrize(
    ("text", "bound", "low", "high"),
    [
        ("up to 4,000 km", "upper", None, 4000),
        ("no more than 12 sites", "upper", None, 12),
        ("fewer than 10 launches", "upper", None, 10),
        ("more than 5,000 people", "lower", 5000, None),
        ("over 100,000 troops", "lower", 100_000, None),
        ("at least 12 sites", "lower", 12, None),
        ("about 300 tonnes", "approx", 300, 300),
        ("around 300 tonnes", "approx", 300, 300),
        ("roughly 4,500 tpd", "approx", 4500, 4500),
        ("some 20 launchers", "approx", 20, 20),
        ("nearly 40 percent", "approx", 40, 40),
        ("approximately one thousand bytes", "approx", 1000, 1000),
        ("50 or more people", "lower", 50, None),
    ],
)
def test_bounds(text: str, bound: str, low: float | None, high: float | None) -> None:
    q = only(text)
    assert (q.bound, q.low, q.high) == (bound, low, high)
    assert q.span.text.lower().startswith(text.split()[0].lower())


# --------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("I want two meters of cotton", 2, "metre"),
        ("a 27-kilometer ring", 27, "kilometre"),
        ("930,000 mi", 930_000, "mile"),
        ("16.25 nanometers", 16.25, "nanometre"),
        ("The length of my pencil is 2 in.", 2, "inch"),
        ("This nano grid has a size of 2.1 pm.", 2.1, "picometre"),
        ("10kg", 10, "kilogram"),
        ("25lbs", 25, "pound"),
        ("278,000 t", 278_000, "tonne"),
        ("301,338 km2", 301_338, "square kilometre"),
        ("116,347 sq mi", 116_347, "square mile"),
        ("4 cubic kilometers", 4, "cubic kilometre"),
        ("4 km cubed", 4, "cubic kilometre"),
        ("4km^3", 4, "cubic kilometre"),
        ("more than 10 km²", 10, "square kilometre"),
        ("six gallons of water", 6, "gallon"),
        ("3 to 4 L of wine", None, "litre"),
        ("100 cl bottle", 100, "centilitre"),
        ("1.7 eV", 1.7, "electronvolt"),
        ("7.3 MWh", 7.3, "megawatt hour"),
        ("50 Wh", 50, "watt hour"),
        ("a 600 MW reactor", 600, "megawatt"),
        ("200 kilometres per hour", 200, "kilometre per hour"),
        ("15 km/h", 15, "kilometre per hour"),
        ("9.8 m/s2", 9.8, "metre per square second"),
        ("32 degrees Celsius", 32, "degree Celsius"),
        ("114 degrees Fahrenheit", 114, "degree Fahrenheit"),
        ("-18 °C", -18, "degree Celsius"),
        ("8 MB", 8, "megabyte"),
        ("2.80 GHz", 2.8, "gigahertz"),
        ("14 mGy", 14, "milligray"),
        ("4e14 s-1", 4e14, "inverse second"),
        ("1 fb−1", 1, "inverse femtobarn"),
        ("66 Ma ago", 66, "megayear"),
        ("5%", 5, "percent"),
        ("five per cent", 5, "percent"),
        ("5 percent", 5, "percent"),
        ("0.5 percentage points", 0.5, "percentage point"),
    ],
)
def test_units(text: str, value: float | None, unit: str) -> None:
    q = only(text)
    assert q.unit == unit
    if value is not None:
        assert q.value == pytest.approx(value)


def test_time_durations_are_measures() -> None:
    found = find_quantities("running for 3 years, 2 months, 14 days, and 16 hours")
    assert [(q.value, q.unit) for q in found] == [
        (3, "year"),
        (2, "month"),
        (14, "day"),
        (16, "hour"),
    ]
    assert (only("a two-year maintenance period").value, only("six weeks' time").unit) == (
        2,
        "week",
    )


def test_article_and_unit_is_one() -> None:
    assert (only("I want a gallon of beer").value, only("Oh look, a penny!").unit) == (1, "penny")
    assert only("A kibibyte is a unit").unit == "kibibyte"


def test_articles_that_are_not_measures() -> None:
    assert find_quantities("wait a second") == []
    assert find_quantities("in a minute or so") == []
    assert find_quantities("a gross error") == []


def test_mixed_units_in_parentheses_are_two_quantities() -> None:
    found = find_quantities("at 1,500,000 kilometres (930,000 mi) from Earth")
    assert [(q.value, q.unit) for q in found] == [(1_500_000, "kilometre"), (930_000, "mile")]
    assert [q.span.text for q in found] == ["1,500,000 kilometres", "930,000 mi"]


def test_ambiguous_words_follow_the_sentence() -> None:
    assert only("I spent 20 pounds on this").unit == "pound sterling"
    assert only("The bag weighs 20 pounds").unit == "pound"
    assert only("There are two in my car").unit is None
    assert only("I have seen 2 in the box").unit is None


# --------------------------------------------------------------------- rates


@pytest.mark.parametrize(
    ("text", "per"),
    [
        ("50 missiles per year", "year"),
        ("50 missiles a year", "year"),
        ("1,500 tonnes annually", "year"),
        ("200 shells each month", "month"),
        ("30 units/day", "day"),
        ("$15.4/hour", "hour"),
        ("It's used four times per week", "week"),
        ("5 per cent a year", "year"),
        ("4,500 tpd", "day"),
    ],
)
def test_rates(text: str, per: str) -> None:
    assert only(text).per == per


def test_any_denominator_is_a_rate() -> None:
    q = only("50 people per square kilometre")
    assert (q.counted, q.per) == ("people", "square kilometre")
    q = only("oil at $80 a barrel")
    assert (q.unit, q.per) == ("US dollar", "barrel")
    assert only("40 miles per gallon").per == "gallon"


def test_range_with_rate() -> None:
    q = only("50–70 per year")
    assert (q.low, q.high, q.per, q.bound) == (50, 70, "year", "range")
    q = only("50 - 70 missiles a year")
    assert (q.low, q.high, q.per, q.counted) == (50, 70, "year", "missiles")


# --------------------------------------------------------------------- counted nouns


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("1,000 engineers were sent", "engineers"),
        ("12 new factories will open", "factories"),
        ("three plants", "plants"),
        ("In this pit, 50 cars are stored", "cars"),
        ("5,000 people", "people"),
        ("one factory", "factory"),
    ],
)
def test_counted_nouns(text: str, counted: str) -> None:
    q = only(text)
    assert (q.counted, q.unit) == (counted, None)


def test_no_counted_noun_after_a_function_word() -> None:
    assert only("He will be 30 by the end of the year").counted is None


@pytest.mark.parametrize(
    ("text", "counted"),
    [("dozens of missiles", "missiles"), ("hundreds of workers", "workers")],
)
def test_vague_counts_have_no_value(text: str, counted: str) -> None:
    q = only(text)
    assert (q.value, q.bound, q.counted) == (None, "approx", counted)


def test_vague_amount_of_money_keeps_its_unit() -> None:
    q = only("millions of dollars")
    assert (q.value, q.unit) == (None, "US dollar")


# --------------------------------------------------------------------- not quantities


@pytest.mark.parametrize(
    "text",
    [
        "The second Lagrangian point is far.",
        "The first plant opened.",
        "In the 21st century",
        "the 3rd plant",
        "in 2026",
        "since 1990",
        "December 26",
        "on 26 December 2025",
        "Dec. 26, 2025",
        "the 1990s",
        "the '90s",
        "We produced nothing in 2013-14.",
        "in the 2026-2030 plan",
        "between 2020 and 2025",
        "At 2 pm everybody will be gone.",
        "The robbery began at 2pm and was over at 2.17pm.",
        "I arrived at 2.13 am.",
        "at 14:30",
        "at 10 o'clock",
        "call +1 555 123 4567",
        "call (555) 123-4567",
        "Call 555-1234",
        "The phone number is 02-1234-5678",
        "version 3.2.1",
        "v2.0 release",
        "IP 192.168.0.1",
        "ISBN 978-3-16-148410-0",
        "Hwasong-18 missile",
        "COVID-19",
        "F-16s",
        "the (L2) point",
        "SCP 06F6",
        "Resolution 2397",
        "the No. 5 factory",
        "5G networks",
        "open 24/7",
        "Q3 2026",
    ],
)
def test_not_quantities(text: str) -> None:
    assert find_quantities(text) == [], find_quantities(text)


def test_four_digit_numbers_are_years_unless_they_count_something() -> None:
    assert only("a force of 2000 troops").counted == "troops"
    assert find_quantities("by 2030 factories will open") == []
    assert find_quantities("in 1500") == []
    assert only("He paid 1000").value == 1000
    assert find_quantities("a 1:50,000 map") == []


def test_pronoun_one_is_not_a_quantity() -> None:
    assert find_quantities("the one that got away") == []
    assert find_quantities("no one came") == []


def test_thousands_digit_id_next_to_a_quantity() -> None:
    found = find_quantities("Intel Core i7 860 Processor 2.80 GHz 8 MB LGA1156 CPU I7-860BOX")
    assert [(q.value, q.unit) for q in found] == [(860, None), (2.8, "gigahertz"), (8, "megabyte")]


def test_accounting_parentheses_are_negative_but_conversions_are_not() -> None:
    assert only("The annual revenue is ($99.99).").value == -99.99
    found = find_quantities("It costs £5 ($6.50).")
    assert [q.value for q in found] == [5, 6.5]


# --------------------------------------------------------------------- spans and properties


def test_spans_point_into_the_text() -> None:
    text = "North Korea plans to build up to 12 new factories a year, each costing $3bn."
    for q in find_quantities(text):
        assert text[q.span.start : q.span.end] == q.span.text
    assert [q.span.text for q in find_quantities(text)] == ["up to 12 new factories a year", "$3bn"]


_PIECES = st.sampled_from(
    [
        *"0123456789 ,.-–−+/x×^e%$£€¥₩()½\xa0\u2009\n:'\"#kmMBTsL°C",
        *["km", " to ", " and ", "between ", "a ", "one", "hundred", "million", "dozen"],
        *[" per ", "year", "per cent", "half", "of", "mg", "in", "pm", "Dec", "about ", "up to "],
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_never_raises_and_spans_are_exact(text: str) -> None:
    for q in find_quantities(text):
        assert 0 <= q.span.start < q.span.end <= len(text)
        assert text[q.span.start : q.span.end] == q.span.text
        assert q.bound in {"exact", "approx", "upper", "lower", "range"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_never_raises_on_any_text(text: str) -> None:
    for q in find_quantities(text):
        assert text[q.span.start : q.span.end] == q.span.text


def test_sorted_and_non_overlapping() -> None:
    text = "Between 44 mg and 50 mg, 3 to 4 L, up to 4,000 km, $3bn and 12 factories a year."
    found = find_quantities(text)
    ends = [(q.span.start, q.span.end) for q in found]
    assert ends == sorted(ends)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))


# --------------------------------------------------------------------- pathological inputs


def test_five_thousand_digits_finish_quickly() -> None:
    start = time.process_time()
    found = find_quantities("9" * 5000)
    assert time.process_time() - start < 2.0
    assert found == []  # an over-long digit run is an identifier, not a number
    found = find_quantities("a line of " + "1," * 2500 + "5 and 3 km")
    assert found[-1].unit == "kilometre"


def test_one_megabyte_line_finishes_quickly() -> None:
    # news-like density: a few numbers per sentence, one line with no breaks
    sentence = (
        "The committee reviewed the reports from the region and noted that the plant, "
        "which the agency described at length, produced about 1,200 shells in 2026 and "
        "3 tonnes of steel, while officials declined to comment on the matter further. "
    )
    text = (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]
    start = time.process_time()
    found = find_quantities(text)
    assert time.process_time() - start < 2.5
    assert len(found) >= 2 * (1_000_000 // len(sentence))


def test_long_runs_of_symbols_finish_quickly() -> None:
    for text in ("-" * 100_000 + "5", "1-" * 50_000, "a " * 100_000, "1." * 50_000, "x" * 500_000):
        start = time.process_time()
        find_quantities(text)
        assert time.process_time() - start < 2.0, text[:10]


# --------------------------------------------------------------------- the table


def test_unit_table_expands_prefixes_and_aliases() -> None:
    table = load_units()
    assert table.unit("km") is None  # symbols are surfaces, not names
    kilometre = table.unit("kilometre")
    assert kilometre is not None and kilometre.factor == 1000
    assert table.unit("pound-mass") == table.unit("pound")
    assert table.unit("percentage") == table.unit("percent")
    assert table.unit("dollar") == table.unit("US dollar")


def test_unit_table_errors_name_the_entry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "units.yaml"
    bad.write_text("units:\n  - {name: furlong, dimension: nowhere}\n", encoding="utf-8")
    with pytest.raises(UnitTableError, match="furlong"):
        load_units(str(bad))
    bad.write_text(
        "dimensions: {length: {length: 1}}\nunits: [{name: x, dimension: length}]\n"
        "id_cues: [no, yes]\n",
        encoding="utf-8",
    )
    with pytest.raises(UnitTableError, match="quote"):
        load_units(str(bad))
