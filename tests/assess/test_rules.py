"""The assessment's building blocks on hand-made claim records."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from watchboard.assess import assess, load_rules
from watchboard.assess import relations as rel
from watchboard.assess.conflicts import weekday_mismatches
from watchboard.assess.grading import Rule, grade
from watchboard.assess.grading import load_rules as load_grading
from watchboard.assess.records import (
    ClaimRecord,
    PlaceSlot,
    QuantitySlot,
    SourceInfo,
    TimeSlot,
)
from watchboard.assess.terms import content_terms
from watchboard.errors import WatchboardError

KANGGYE = PlaceSlot("Kanggye", True, "Kanggye", 40.97, 126.59, 2043572, "KP", "01", "P.PPLA", None)
HAMHUNG = PlaceSlot("Hamhung", True, "Hamhung", 39.92, 127.54, 1877449, "KP", "03", "P.PPLA", None)
CHAGANG = PlaceSlot("Chagang", True, "Chagang", 40.7, 126.6, 2044245, "KP", "01", "A.ADM1", None)
KOREA = PlaceSlot(
    "North Korea", True, "North Korea", 40.0, 127.0, 1873107, "KP", None, "A.PCLI", None
)

SOURCES = [
    SourceInfo("KCNA", "C", "dprk-state-media", "state_media"),
    SourceInfo("Rodong Sinmun", "C", "dprk-state-media", "state_media"),
    SourceInfo("Reuters", "B", "Reuters", "wire"),
    SourceInfo("Pacific Ledger", "C", "Reuters", "newspaper"),
    SourceInfo("Yonhap", "B", "Yonhap", "wire"),
    SourceInfo("Digest", "F", "Digest", "aggregator"),
]


def claim(
    cid: str,
    quote: str,
    *,
    outlet: str,
    chain: tuple[str, ...] | None = None,
    doc: str | None = None,
    cluster: str | None = None,
    modality: str = "completed",
    event: str | None = "construction",
    published: date = date(2026, 3, 1),
    identified: bool = True,
    places: tuple[PlaceSlot, ...] = (),
    times: tuple[TimeSlot, ...] = (),
    quantities: tuple[QuantitySlot, ...] = (),
    negated: bool = False,
    undisclosed: bool = False,
) -> ClaimRecord:
    doc = doc or f"doc-{cid}"
    chain = chain or (outlet,)
    return ClaimRecord(
        id=cid,
        document_id=doc,
        case="t",
        quote=quote,
        start=0,
        end=len(quote),
        chain=chain,
        asserted_by=chain[-1],
        source_identified=identified,
        modality=modality,
        event_type=event,
        negated=negated,
        undisclosed=undisclosed,
        outlet=outlet,
        cluster=cluster or doc,
        published=published,
        available_at=datetime(published.year, published.month, published.day, tzinfo=UTC),
        places=places,
        times=times,
        quantities=quantities,
    )


def month(text: str, start: date, end: date) -> TimeSlot:
    return TimeSlot(text, "DATE", start.isoformat()[:7], start, end, "month", None, 0)


def wafers(text: str, value: float) -> QuantitySlot:
    return QuantitySlot(text, value, value, "exact", None, "wafers", "month")


def test_places_compare_by_distance_and_containment() -> None:
    assert rel.place_pair(KANGGYE, CHAGANG) == rel.COMPATIBLE  # town inside its province
    assert rel.place_pair(KANGGYE, KOREA) == rel.COMPATIBLE
    assert rel.place_pair(KANGGYE, HAMHUNG) == rel.CONFLICT  # ~180 km apart
    assert rel.places_relation([KANGGYE, KOREA], [HAMHUNG, KOREA]) == rel.COMPATIBLE
    assert rel.places_relation([KANGGYE], [HAMHUNG]) == rel.CONFLICT


def test_quantities_conflict_beyond_tolerance_only() -> None:
    assert rel.quantity_conflicts([wafers("50,000", 5e4)], [wafers("20,000", 2e4)])
    assert not rel.quantity_conflicts([wafers("50,000", 5e4)], [wafers("52,000", 5.2e4)])
    up_to = QuantitySlot("up to 60,000", None, 6e4, "upper", None, "wafers", "month")
    assert not rel.quantity_conflicts([up_to], [wafers("50,000", 5e4)])
    other_slot = QuantitySlot("3,000 jobs", 3e3, 3e3, "exact", None, "jobs", None)
    assert not rel.quantity_conflicts([wafers("50,000", 5e4)], [other_slot])


def test_times_conflict_only_when_precise() -> None:
    june = month("June 2026", date(2026, 6, 1), date(2026, 7, 1))
    march = month("March 2026", date(2026, 3, 1), date(2026, 4, 1))
    year = TimeSlot("2026", "DATE", "2026", date(2026, 1, 1), date(2027, 1, 1), "year", None, 0)
    assert rel.times_relation([june], [march]) == rel.CONFLICT
    assert rel.times_relation([june], [year]) == rel.COMPATIBLE
    assert rel.times_relation([], [june]) == rel.UNKNOWN


def test_weekday_next_to_a_date_is_checked() -> None:
    assert weekday_mismatches("on Tuesday, 3 March 2026 work began", date(2026, 3, 10)) == []
    [(text, why)] = weekday_mismatches("on Friday, Dec. 24, officials said", date(2025, 12, 27))
    assert text == "Friday, Dec. 24" and "Wednesday" in why
    assert weekday_mismatches("Monday February 30", date(2026, 3, 1)) == []  # no such date


def test_content_terms_fold_synonyms_and_drop_attribution() -> None:
    a = content_terms("KCNA said new factories were built", exclude="KCNA said")
    b = content_terms("Reuters reported that plants are being constructed", exclude="Reuters")
    assert a == b == {"factory", "build"}


def test_relayed_reports_count_once_and_syndication_once() -> None:
    records = [
        claim(
            "k1",
            "Construction of the Kanggye munitions factory was completed",
            outlet="KCNA",
            places=(KANGGYE,),
        ),
        claim(
            "r1",
            "Construction of the Kanggye munitions factory was completed, KCNA said",
            outlet="Reuters",
            chain=("Reuters", "KCNA"),
            places=(KANGGYE,),
        ),
        claim(
            "p1",
            "Construction of the Kanggye munitions factory was completed, KCNA said",
            outlet="Pacific Ledger",
            chain=("Pacific Ledger", "KCNA"),
            places=(KANGGYE,),
            cluster="doc-r1",
        ),
        claim(
            "n1",
            "Construction of the Kanggye munitions factory was completed",
            outlet="Rodong Sinmun",
            places=(KANGGYE,),
        ),
    ]
    a = assess("t", records, SOURCES, as_of=date(2026, 3, 2))
    g = a.grades["k1"]
    assert g.features["groups"] == 1  # KCNA, Rodong Sinmun and the relays: one origin
    assert g.features["witnesses"] == 2  # dprk-state-media itself, and Reuters (+ its copy)
    assert g.rule == "single-fair-source" and g.credibility == 3
    assert a.grades["r1"].origin.group == "dprk-state-media"


def test_independent_sources_confirm_and_unsourced_specifics_do_not() -> None:
    records = [
        claim(
            "k1",
            "Construction of the Kanggye munitions factory was completed",
            outlet="KCNA",
            places=(KANGGYE,),
        ),
        claim(
            "y1",
            "Yonhap saw the completed construction of the Kanggye munitions factory",
            outlet="Yonhap",
            places=(KANGGYE,),
        ),
        claim(
            "d1",
            "Construction of the Kanggye munitions factory was completed in March 2026 "
            "with 12 lines",
            outlet="Digest",
            places=(KANGGYE,),
            times=(month("March 2026", date(2026, 3, 1), date(2026, 4, 1)),),
        ),
    ]
    a = assess("t", records, SOURCES, as_of=date(2026, 3, 2))
    assert a.grades["k1"].credibility == 1 and a.grades["k1"].rule == "confirmed"
    digest = a.grades["d1"]
    assert digest.credibility == 6  # its own date is confirmed by nobody
    assert any("March 2026" in d for d in digest.unconfirmed)


def test_unidentified_source_cannot_be_judged_and_override_wins() -> None:
    records = [
        claim(
            "u1",
            "A source said 40 new factories are being built",
            outlet="Reuters",
            chain=("Reuters", "A source"),
            identified=False,
            modality="under_way",
        ),
    ]
    from watchboard.assess import Override

    a = assess("t", records, SOURCES, as_of=date(2026, 3, 2))
    assert a.grades["u1"].credibility == 6 and a.grades["u1"].rule == "unidentified-source"
    override = Override(3, "confirmed by our own imagery", "ana", datetime(2026, 3, 2, tzinfo=UTC))
    b = assess("t", records, SOURCES, as_of=date(2026, 3, 2), overrides={"u1": override})
    assert b.grades["u1"].credibility == 3 and b.grades["u1"].computed == 6
    assert any("own imagery" in line for line in b.grades["u1"].explain())


def test_contradictions_number_denial_and_not_disclosed() -> None:
    records = [
        claim(
            "k1",
            "The Kanggye factory will process 50,000 wafers a month",
            outlet="KCNA",
            places=(KANGGYE,),
            quantities=(wafers("50,000 wafers a month", 5e4),),
            modality="planned",
        ),
        claim(
            "y1",
            "The Kanggye factory will process 20,000 wafers a month",
            outlet="Yonhap",
            places=(KANGGYE,),
            quantities=(wafers("20,000 wafers a month", 2e4),),
            modality="planned",
        ),
        claim(
            "r1",
            "The Kanggye factory will not process wafers, the ministry denied",
            outlet="Reuters",
            places=(KANGGYE,),
            modality="denied",
            negated=True,
        ),
        claim(
            "r2",
            "The agency did not say how many wafers the Kanggye factory would process",
            outlet="Reuters",
            doc="doc-r1",
            places=(KANGGYE,),
            modality="projected",
            negated=True,
            undisclosed=True,
        ),
    ]
    a = assess("t", records, SOURCES, as_of=date(2026, 3, 2))
    kinds = {(c.kind, frozenset((c.a, c.b))) for c in a.contradictions}
    assert ("quantity", frozenset({"k1", "y1"})) in kinds
    assert any(k == "assertion_vs_denial" for k, _ in kinds)
    assert any(k == "unknown_vs_specific" and "r2" in pair for k, pair in kinds)
    assert a.grades["k1"].features["contradicting"] >= 1


def test_different_sites_are_different_events() -> None:
    records = [
        claim(
            "a", "Construction of a new munitions factory began", outlet="KCNA", places=(KANGGYE,)
        ),
        claim(
            "b", "Construction of a new munitions factory began", outlet="Yonhap", places=(HAMHUNG,)
        ),
    ]
    a = assess("t", records, SOURCES, as_of=date(2026, 3, 2))
    assert a.matches.matches == []


def test_anachronisms_reported_done_after_publication_and_later_statement() -> None:
    records = [
        claim(
            "x",
            "The substation was completed in June 2026",
            outlet="Digest",
            times=(month("June 2026", date(2026, 6, 1), date(2026, 7, 1)),),
        ),
        claim(
            "y",
            "The substation will be completed in June 2026",
            outlet="Digest",
            modality="planned",
            times=(month("June 2026", date(2026, 6, 1), date(2026, 7, 1)),),
        ),
    ]
    a = assess("t", records, SOURCES, as_of=date(2026, 3, 2))
    assert [(x.claim, x.kind) for x in a.anachronisms] == [("x", "reported_after_publication")]


def test_rules_are_checked_when_loaded(tmp_path) -> None:
    with pytest.raises(WatchboardError, match="unknown condition 'grups_min'"):
        load_grading(
            [
                {"id": "x", "when": {"grups_min": 2}, "grade": 1, "reason": "r"},
                {"id": "d", "when": {}, "grade": 6, "reason": "r"},
            ],
            origin="mine.yaml",
        )
    with pytest.raises(WatchboardError, match="last credibility rule"):
        load_grading(
            [{"id": "x", "when": {"groups_min": 2}, "grade": 1, "reason": "r"}], origin="mine.yaml"
        )
    bad = tmp_path / "assessment.yaml"
    bad.write_text("matching: [", encoding="utf-8")
    with pytest.raises(WatchboardError, match=r"assessment\.yaml: invalid assessment rules"):
        load_rules(bad)
    rule = Rule("r", {"reliability_max": "C", "modality": ["stated", "completed"]}, 3, "why")
    assert grade([rule], {"reliability": "B", "modality": "stated"}) is rule
