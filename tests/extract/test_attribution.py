"""Attribution extraction: who says what, on text written for these tests."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchboard.extract.attribution import (
    LexiconError,
    content_fragments,
    content_offsets,
    find_attributions,
    load_lexicon,
)
from watchboard.extract.sentences import split_sentences
from watchboard.model.extraction import Attribution


def one(text: str, cue: str | None = None) -> Attribution:
    """The attribution with cue text ``cue`` (or the only one)."""
    found = find_attributions(text)
    if cue is not None:
        found = [a for a in found if a.cue.text == cue]
    assert len(found) == 1, [(a.cue.text, a.content.text) for a in find_attributions(text)]
    return found[0]


def triple(a: Attribution) -> tuple[str | None, str, str]:
    return (a.source.text if a.source else None, a.cue.text, a.content.text)


# --------------------------------------------------------------------------- patterns


def test_according_to_before_the_content() -> None:
    a = one("According to KCNA, the factory will open in May.")
    assert triple(a) == ("KCNA", "According to", "the factory will open in May")
    assert a.extra["cue_type"] == "according_to"


def test_according_to_after_the_content() -> None:
    a = one("The factory will open in May, according to KCNA.")
    assert triple(a) == ("KCNA", "according to", "The factory will open in May")


def test_according_to_in_mid_sentence_splits_the_content() -> None:
    a = one("The plant, according to state media, will double its output.")
    assert a.source and a.source.text == "state media"
    text = "The plant, according to state media, will double its output."
    assert [s.text for s in content_fragments(a, text)] == ["The plant", "will double its output"]


def test_source_said_that_content_keeps_that() -> None:
    a = one("KCNA said that the plant will be finished by 2027.")
    assert triple(a) == ("KCNA", "said", "that the plant will be finished by 2027")


def test_source_said_content_without_that() -> None:
    a = one("KCNA said the plant will be finished by 2027.")
    assert triple(a) == ("KCNA", "said", "the plant will be finished by 2027")


def test_content_then_source_said() -> None:
    a = one("The plant will be finished by 2027, KCNA said.")
    assert triple(a) == ("KCNA", "said", "The plant will be finished by 2027")


def test_content_then_said_source() -> None:
    a = one("The plant will be finished by 2027, said KCNA.")
    assert triple(a) == ("KCNA", "said", "The plant will be finished by 2027")


def test_quotation_then_pronoun_said_keeps_quote_marks_and_comma() -> None:
    a = one("“We will build more missiles,” he said.")
    assert triple(a) == ("he", "said", "“We will build more missiles,”")
    assert a.extra["cue_type"] == "quote"


def test_was_quoted_as_saying() -> None:
    a = one("“Production must triple,” the leader was quoted as saying.")
    assert triple(a) == ("the leader", "was quoted as saying", "“Production must triple,”")


def test_reported_on_friday_that_skips_the_time() -> None:
    a = one("State media reported on Friday that two new lines were opened.")
    assert triple(a) == ("State media", "reported", "that two new lines were opened")


def test_content_then_the_agency_added() -> None:
    a = one("Output will rise sharply next year, the agency added.")
    assert triple(a) == ("the agency", "added", "Output will rise sharply next year")


def test_analysts_note_that() -> None:
    a = one("Analysts note that the site has grown since 2024.")
    assert triple(a) == ("Analysts", "note", "that the site has grown since 2024")


def test_officials_told_reuters_source_is_the_officials_not_the_hearer() -> None:
    a = one("Officials told Reuters the plant was nearly complete.")
    assert triple(a) == ("Officials", "told", "the plant was nearly complete")


def test_the_ministry_denied() -> None:
    a = one("The ministry denied the report.")
    assert triple(a) == ("The ministry", "denied", "the report")


def test_has_learned() -> None:
    a = one("The factory was moved to Kusong, The Post has learned.")
    assert triple(a) == ("The Post", "has learned", "The factory was moved to Kusong")


def test_source_noun_phrases() -> None:
    a = one("A senior official who declined to be named said the talks had stalled.")
    assert a.source and a.source.text == "A senior official who declined to be named"
    a = one("Sources familiar with the matter said the shipment left on Monday.")
    assert a.source and a.source.text == "Sources familiar with the matter"
    a = one("The New York Post reports that the convoy was turned back.")
    assert a.source and a.source.text == "The New York Post"


def test_appositive_belongs_to_the_source() -> None:
    a = one("Lee Min-ho, a researcher at the institute, said the site is active.")
    assert triple(a) == (
        "Lee Min-ho, a researcher at the institute,",
        "said",
        "the site is active",
    )


def test_auxiliaries_and_adverbs_are_part_of_the_cue() -> None:
    assert one("The ministry has also said that exports fell.").cue.text == "has also said"
    assert one("He has repeatedly claimed that the plant works.").cue.text == (
        "has repeatedly claimed"
    )


def test_participle_shares_the_source_of_the_sentence() -> None:
    text = "The plant is running at full capacity, he said, adding that a second line is due."
    adding = one(text, "adding")
    assert triple(adding) == ("he", "adding", "that a second line is due")
    said = one(text, "said")
    assert said.content.text == "The plant is running at full capacity"


def test_source_between_two_halves_of_the_content() -> None:
    text = "The plant, he said, will open in May."
    a = one(text)
    assert [s.text for s in content_fragments(a, text)] == ["The plant", "will open in May"]


def test_quoted_as_saying_gives_the_reporter_and_the_speaker() -> None:
    text = "KCNA quoted Kim as saying the new line is ready."
    found = {a.cue.text: a for a in find_attributions(text)}
    assert triple(found["as saying"]) == ("Kim", "as saying", "the new line is ready")
    assert triple(found["quoted"]) == ("KCNA", "quoted", "Kim as saying the new line is ready")
    assert found["as saying"].extra["outer_cue"] == f"{text.index('quoted')}-{text.index(' Kim')}"


def test_headline_colon() -> None:
    a = one("Kim: New factories will triple shell output\n\nPyongyang, Dec. 26 (KCNA) -- Text.")
    assert triple(a) == ("Kim", ":", "New factories will triple shell output")


def test_passive_report_without_a_source() -> None:
    a = one("It was reported that the second line had been finished.")
    assert triple(a) == (None, "was reported", "that the second line had been finished")


def test_passive_with_an_agent() -> None:
    text = "The plan was announced by the Central Committee that output would double."
    a = one(text)
    assert a.source and a.source.text == "the Central Committee"


def test_raising_verb_content_is_the_subject_and_the_rest() -> None:
    text = "The factory appears to be running at full capacity."
    a = one(text)
    assert a.source is None and a.cue.text == "appears"
    assert [s.text for s in content_fragments(a, text)] == [
        "The factory",
        "to be running at full capacity",
    ]


def test_unknown_speech_verb_after_a_quotation() -> None:
    a = one("“Will the plant open on time?” the reporter pressed.")
    assert triple(a) == ("the reporter", "pressed", "“Will the plant open on time?”")


def test_cue_then_quotation_in_the_next_sentence() -> None:
    a = one("The analyst agreed. “The build-up is real.”")
    assert triple(a) == ("The analyst", "agreed", "“The build-up is real.”")


def test_dateline_is_not_content() -> None:
    a = one("SEOUL, Dec. 26 (Yonhap) -- The plant will open in May, state media said.")
    assert a.content.text == "The plant will open in May"


# --------------------------------------------------------------------------- nesting & quotes


def test_nested_chain_gives_inner_and_outer_attribution() -> None:
    text = "Reuters reported that KCNA said the factories would open in 2026."
    found = {a.cue.text: a for a in find_attributions(text)}
    outer, inner = found["reported"], found["said"]
    assert triple(outer) == (
        "Reuters",
        "reported",
        "that KCNA said the factories would open in 2026",
    )
    assert triple(inner) == ("KCNA", "said", "the factories would open in 2026")
    # the inner content lies inside the outer content, and the link is exposed
    assert outer.content.start <= inner.content.start and inner.content.end <= outer.content.end
    assert inner.extra["outer_cue"] == f"{outer.cue.start}-{outer.cue.end}"
    assert "outer_cue" not in outer.extra
    # corpora that never nest (PolNeAR) get the outermost only
    assert [a.cue.text for a in find_attributions(text, nested=False)] == ["reported"]


def test_coordinated_reports_are_not_nested() -> None:
    text = "She declared victory in Ohio and said that the campaign would go on."
    found = {a.cue.text: a for a in find_attributions(text)}
    assert found["declared"].content.text == "victory in Ohio"
    assert triple(found["said"]) == ("She", "said", "that the campaign would go on")
    assert "outer_cue" not in found["said"].extra


def test_multi_sentence_quote_runs_to_the_closing_mark() -> None:
    text = "“The plan is on schedule. Two lines are done. The third opens in May,” he said."
    a = one(text)
    assert a.content.text == (
        "“The plan is on schedule. Two lines are done. The third opens in May,”"
    )


def test_colon_then_multi_sentence_quote() -> None:
    text = "The minister said: “The plan is on schedule. Two lines are done.” Then he left."
    a = one(text)
    assert triple(a) == ("The minister", "said", "“The plan is on schedule. Two lines are done.”")


def test_multi_sentence_quote_survives_a_sentence_splitter_that_splits_it() -> None:
    text = "“The plan is on schedule. Two lines are done,” he said."
    naive = [s for s in split_sentences(text)]
    assert len(naive) == 2  # the splitter splits inside the quotation ...
    a = one(text)  # ... but the quotation is kept whole
    assert a.content.text == "“The plan is on schedule. Two lines are done,”"


def test_quotation_that_follows_continues_the_statement() -> None:
    text = "“The plan is on schedule,” he said. “Two lines are done.”\n\n“Unrelated.”"
    a = one(text)
    assert [s.text for s in content_fragments(a, text)] == [
        "“The plan is on schedule,”",
        "“Two lines are done.”",
    ]
    assert content_offsets(a)[1] == (text.index("“Two"), text.index("\n"))


def test_quotation_on_both_sides_of_the_cue() -> None:
    text = "“The plan is on schedule,” he said, “and we will finish early.”"
    a = one(text)
    assert [s.text for s in content_fragments(a, text)] == [
        "“The plan is on schedule,”",
        "“and we will finish early.”",
    ]


def test_straight_and_doubled_apostrophe_quotes() -> None:
    assert one('"We are ready," the general said.').content.text == '"We are ready,"'
    assert one("''We are ready,'' the general said.").content.text == "''We are ready,''"


# --------------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "text",
    [
        "The factory at Kusong produced 200 shells last year.",
        "Construction continued through the winter.",
        "The reports were filed in March.",
        "His claims about the plant drew attention.",
        "Workers will show up at the site on Monday.",
        "",
        "   \n\n  ",
    ],
)
def test_unattributed_statements_give_nothing(text: str) -> None:
    assert find_attributions(text) == []


def test_unattributed_statement_next_to_an_attributed_one() -> None:
    text = "The plant covers 40 hectares. KCNA said it will open in May."
    found = find_attributions(text)
    assert [triple(a) for a in found] == [("KCNA", "said", "it will open in May")]


def test_cue_words_inside_a_quotation_are_not_attributions_of_their_own() -> None:
    text = "“I think we will win,” she said."
    assert [a.cue.text for a in find_attributions(text)] == ["said"]


# --------------------------------------------------------------------------- robustness


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "said",
                    "says",
                    "told",
                    "according to",
                    "KCNA",
                    "he",
                    "that",
                    "“",
                    "”",
                    '"',
                    "''",
                    ",",
                    ".",
                    ":",
                    "—",
                    "(",
                    ")",
                    "\n\n",
                    "\n",
                    "was quoted as saying",
                    "quoted",
                    "as",
                    "saying",
                    "Mr.",
                    "U.S.",
                    "who",
                    "adding",
                    "by",
                    "was",
                    "asked",
                    "seemed",
                    "to",
                ]
            ),
            st.text(max_size=12),
        ),
        max_size=40,
    ).map(" ".join)
)
def test_never_raises_and_spans_are_exact(text: str) -> None:
    for a in find_attributions(text):
        spans = [a.cue, a.content, *([a.source] if a.source else [])]
        spans += content_fragments(a, text)
        for span in spans:
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start : span.end] == span.text
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text and s.text.strip() == s.text


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_arbitrary_text_never_raises(text: str) -> None:
    for a in find_attributions(text, nested=False):
        assert text[a.cue.start : a.cue.end] == a.cue.text


def test_a_one_megabyte_line_finishes_quickly() -> None:
    line = ("The ministry said the plant will open, according to KCNA " * 20000)[:1_000_000]
    started = time.perf_counter()
    found = find_attributions(line)
    assert time.perf_counter() - started < 10  # generous: a couple of seconds in practice
    assert found


@pytest.mark.parametrize(
    "text",
    [
        "“" * 200_000,
        '"' * 200_000,
        "“ he said ” " * 30_000,
        ("“A, ” he said, “B. " * 20_000),
        "''" * 100_000,
        "said " * 20_000,
        ", said " * 20_000,
        "according to " * 50_000,
    ],
)
def test_pathological_quotes_and_cues_finish_quickly(text: str) -> None:
    started = time.perf_counter()
    find_attributions(text)
    assert time.perf_counter() - started < 10


# --------------------------------------------------------------------------- lexicon


def test_lexicon_is_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lexicon = load_lexicon()
    assert lexicon.forms["said"].lemma == "say"
    assert lexicon.forms["told"].recipient
    assert any(p.source_after for p in lexicon.phrases["according"])


def test_a_broken_lexicon_names_the_entry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cues.yaml"
    path.write_text("verbs:\n  say: {class: gossip, forms: [said]}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="say"):
        load_lexicon(path)


# --------------------------------------------------------------------------- sentences


def test_sentences_keep_abbreviations_and_split_after_closing_quotes() -> None:
    text = (
        "Mr. Kim visited the U.S. Army base on Jan. 5. He met Gen. Park. "
        "The talks ended in the U.S. The next round is in May. "
        "He said “stop.” Then he left."
    )
    assert [s.text for s in split_sentences(text)] == [
        "Mr. Kim visited the U.S. Army base on Jan. 5.",
        "He met Gen. Park.",
        "The talks ended in the U.S.",
        "The next round is in May.",
        "He said “stop.”",
        "Then he left.",
    ]


def test_sentences_split_at_blank_lines_and_headlines() -> None:
    text = "Factories to triple output\nPyongyang, Dec. 26 -- The plan was approved.\n\nNext."
    assert [s.text for s in split_sentences(text)] == [
        "Factories to triple output",
        "Pyongyang, Dec. 26 -- The plan was approved.",
        "Next.",
    ]
