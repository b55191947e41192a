"""The place-mention finder: capitalised phrases a name list (or a gazetteer) knows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from watchboard.extract.places import NameLookup, PlaceFinder, find_places, fold_name

NAMES = [
    "Paris",
    "Texas",
    "Dallas",
    "Alexandria",
    "Louisiana",
    "La.",
    "U.S.",
    "St. Louis",
    "Rio de Janeiro",
    "Isle of Man",
    "New York",
    "York",
    "Hamgyong-bukto",
    "Chongjin",
    "Ch'ŏngjin",
    "Egypt",
    "Egyptian",
    "Atlanta",
    "Charleston",
    "Henry",
    "Lincoln",
    "March",
    "Mobile",
    "Wal",
    "Mart",
    "Police",
    "Georgia",
    "Kim",
    "Hague",
    "Agency",
]


def texts(text: str, finder: PlaceFinder | None = None) -> list[str]:
    finder = finder or PlaceFinder(NAMES)
    return [m.span.text for m in finder(text)]


def test_finds_known_capitalised_names_with_exact_spans() -> None:
    text = "Storms hit Paris, Texas, and Dallas on Friday."
    mentions = PlaceFinder(NAMES)(text)
    assert [m.span.text for m in mentions] == ["Paris", "Texas", "Dallas"]
    for mention in mentions:
        assert text[mention.span.start : mention.span.end] == mention.span.text
        assert mention.rule == "gazetteer"


def test_longest_known_name_wins_with_connectors_and_abbreviations() -> None:
    assert texts("Flights from Rio de Janeiro to New York and St. Louis.") == [
        "Rio de Janeiro",
        "New York",
        "St. Louis",
    ]
    assert texts("A ferry to the Isle of Man left York.") == ["Isle of Man", "York"]
    assert texts("He lives in Alexandria, La., near the U.S. border.") == [
        "Alexandria",
        "La.",
        "U.S.",
    ]


def test_sentence_final_name_is_found_without_its_period() -> None:
    assert texts("They moved to Dallas. Then they left.") == ["Dallas"]


def test_korean_spellings_with_apostrophes_and_hyphens() -> None:
    assert texts("Plants in Ch'ŏngjin and Hamgyong-bukto grew.") == ["Ch'ŏngjin", "Hamgyong-bukto"]


def test_parts_of_hyphenated_compounds() -> None:
    assert texts("Egyptian-US relations and Atlanta-area calls.") == ["Egyptian", "Atlanta"]
    assert texts("Rep. Jane Doe, D-Charleston, spoke.") == ["Charleston"]
    assert texts("The Wal-Mart in town closed.") == []


def test_skips_people_titles_months_and_common_words() -> None:
    assert texts("Mr. Paris said the plan works.") == []
    assert texts("Chiquita Henry, 19, was arrested.") == []
    assert texts("David Lincoln spoke in March at the Police station.") == []
    assert texts("Mobile phones are cheap. Flights to Mobile resumed.") == ["Mobile"]


def test_korean_family_name_starts_a_person_and_is_remembered() -> None:
    assert texts("Leader Kim Jong Un visited Dallas. Kim left.") == ["Dallas"]


def test_an_article_is_not_part_of_a_name() -> None:
    assert texts("Judges in The Hague ruled. The agency said so.") == ["Hague"]


def test_a_qualifier_before_a_name_does_not_make_it_a_surname() -> None:
    assert texts("Rain fell across North Texas and Central Georgia.") == ["Texas", "Georgia"]


def test_a_surname_after_a_title_is_not_taken_later_in_the_text() -> None:
    assert texts("Sen. Lincoln spoke. Later Lincoln left for Dallas.") == ["Dallas"]


def test_all_capitals_datelines_are_found() -> None:
    assert texts("DALLAS — Officials said.", PlaceFinder(["Dallas"])) == ["DALLAS"]


def test_accepts_any_name_lookup() -> None:
    class Lookup:
        def knows(self, phrase: str) -> bool:
            return phrase.lower() in {"sinpo", "chagang province"}

    assert isinstance(Lookup(), NameLookup)
    finder = PlaceFinder(Lookup())
    assert [m.span.text for m in finder("Sinpo lies east of Chagang Province.")] == [
        "Sinpo",
        "Chagang Province",
    ]


def test_find_places_is_the_one_shot_form() -> None:
    assert [m.span.text for m in find_places("Off to Texas.", names=["texas"])] == ["Texas"]


class CommonWordLookup:
    """Known names, some of which are frequent English words naming only small places."""

    max_tokens = 4

    def __init__(self, names: list[str], common: set[str]) -> None:
        self.names = {fold_name(n) for n in names}
        self.common = common

    def knows(self, phrase: str) -> bool:
        return fold_name(phrase) in self.names

    def is_common_word(self, word: str) -> bool:
        return word.lower() in self.common


def test_a_sentence_initial_common_word_needs_place_context() -> None:
    lookup = CommonWordLookup(
        ["Going", "Austria", "Pyongyang", "Seoul", "China", "Russia"], common={"going"}
    )
    finder = PlaceFinder(lookup)
    assert texts("Going round the workshops, he acquainted himself with it.", finder) == []
    assert texts("Work is going well. GOING ON, they said.", finder) == []
    assert texts("Going, he said, was hard.", finder) == []  # a comma, but no place after it
    assert texts("Going, Austria, is small. Going, Austria.", finder) == ["Going", "Austria"] * 2
    assert texts("Buses to Going were cancelled.", finder) == ["Going"]  # not sentence-initial


def test_real_sentence_initial_places_are_kept() -> None:
    lookup = CommonWordLookup(["Pyongyang", "Seoul", "China", "Russia"], common={"going"})
    finder = PlaceFinder(lookup)
    assert texts("Pyongyang said the talks failed.", finder) == ["Pyongyang"]
    assert texts("Seoul, Dec 26 - China and Russia agreed.", finder) == [
        "Seoul",
        "China",
        "Russia",
    ]


def test_a_party_letter_makes_a_headline_word_a_place() -> None:
    lookup = CommonWordLookup(["Hardy", "Raleigh"], common={"hardy"})
    text = "Sponsors Include Harold Michael, D-Hardy, And Ricky Moye, D-Raleigh."
    assert texts(text, PlaceFinder(lookup)) == ["Hardy", "Raleigh"]


def test_listed_common_words_are_places_when_a_region_follows() -> None:
    finder = PlaceFinder(["Mobile", "Ala."])
    assert texts("Mobile, Ala. — Flights resumed. Mobile phones work.", finder) == [
        "Mobile",
        "Ala.",
    ]


@given(
    st.lists(
        st.sampled_from([*NAMES, "St", "Rio", "of", "the", "Mr.", ",", ".", "said", "-", "Ch'"]),
        max_size=40,
    )
)
def test_the_start_filter_never_changes_what_is_found(words: list[str]) -> None:
    names = {fold_name(n) for n in NAMES}

    class KnowsOnly:
        def knows(self, phrase: str) -> bool:
            return fold_name(phrase) in names

    text = " ".join(words).replace(" - ", "-")
    with_filter = [m.span for m in PlaceFinder(NAMES, max_tokens=6)(text)]
    assert with_filter == [m.span for m in PlaceFinder(KnowsOnly(), max_tokens=6)(text)]


@given(st.text(max_size=300))
def test_spans_are_within_the_text_ordered_and_never_overlap(text: str) -> None:
    mentions = PlaceFinder(NAMES)(text)
    previous_end = 0
    for mention in mentions:
        span = mention.span
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert span.start >= previous_end
        previous_end = span.end


@given(
    st.lists(
        st.sampled_from([*NAMES, "and", "the", "Mr.", ",", ".", "said", "in", "-"]), max_size=40
    )
)
def test_finder_never_raises_on_name_soup(words: list[str]) -> None:
    text = " ".join(words)
    for mention in PlaceFinder(NAMES)(text):
        assert text[mention.span.start : mention.span.end] == mention.span.text
