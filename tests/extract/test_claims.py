"""Claims from report text: attribution chains, modality, event types and fields in place."""

from __future__ import annotations

from datetime import UTC, datetime

from watchboard.extract.pipeline import Doc, Pipeline
from watchboard.model import Source, SourceKind

SOURCES = [
    Source("KCNA", SourceKind.STATE_MEDIA, "C", aliases=("Korean Central News Agency",)),
    Source("Example Wire", SourceKind.WIRE, "B"),
]
REPORT = (
    "SEOUL, Dec 26 - Leader Kim Jong Un ordered the construction of new munitions factories "
    "and a sharp rise in shell production next year, state media reported on Friday. "
    "He said the plans would be fixed at a party congress in early 2026, KCNA added. "
    "Analysts note that the country may be preparing to export some of the output. "
    "The ministry denied that any factory had been built in Chagang province. "
    "Twelve new plants will be completed by the end of 2026. "
    "The weather was cold."
)


def _claims():
    pipeline = Pipeline(resources={"sources": SOURCES})
    doc = pipeline(
        Doc(
            text=REPORT,
            dct=datetime(2025, 12, 26, 9, tzinfo=UTC),
            outlet="Example Wire",
            document_id="d1",
        )
    )
    return doc.layers["claims"]


def _by_text(claims, fragment):
    (claim,) = [c for c in claims if fragment in c.span.text]
    return claim


def test_every_claim_points_to_an_exact_span() -> None:
    for claim in _claims():
        assert REPORT[claim.span.start : claim.span.end] == claim.span.text
        for t in claim.times:
            assert REPORT[t.span.start : t.span.end] == t.span.text


def test_nested_report_is_attributed_to_the_state_outlet_through_the_wire() -> None:
    claim = _by_text(_claims(), "ordered the construction")
    assert claim.attribution[0] == "Example Wire"
    assert claim.asserted_by == "KCNA"
    assert claim.modality == "ordered"
    assert claim.event_type == "construction"


def test_reported_speech_chain_and_planned_modality() -> None:
    claim = _by_text(_claims(), "would be fixed at a party congress")
    assert claim.attribution == ("Example Wire", "KCNA", "Kim Jong Un")
    assert claim.modality == "planned"
    assert claim.event_type == "meeting_or_congress"
    (early,) = [t for t in claim.times if t.span.text.startswith("early")]
    assert (early.value, early.mod) == ("2026", "START")


def test_unidentified_sources_and_speculation_are_marked() -> None:
    claim = _by_text(_claims(), "Analysts note")
    assert "unidentified" in claim.asserted_by
    assert claim.extra["source_identified"] is False
    assert claim.modality == "speculative"


def test_denial_is_a_denied_claim() -> None:
    claim = _by_text(_claims(), "The ministry denied")
    assert claim.modality == "denied" and claim.negated


def test_unattributed_statement_belongs_to_the_outlet() -> None:
    claim = _by_text(_claims(), "Twelve new plants")
    assert claim.attribution == ("Example Wire",)
    assert claim.modality in ("planned", "projected", "completed")
    assert any(q.value == 12 for q in claim.quantities)


def test_sentences_without_an_event_or_attribution_are_not_claims() -> None:
    assert not [c for c in _claims() if "weather" in c.span.text]


def test_claim_ids_are_stable() -> None:
    assert [c.id for c in _claims()] == [c.id for c in _claims()]


def test_a_detail_said_to_be_unknown_is_undisclosed_not_denied() -> None:
    text = "The agency did not say where the new plants would be built."
    doc = Pipeline(resources={"sources": SOURCES})(Doc(text=text, outlet="Example Wire"))
    (claim,) = doc.layers["claims"]
    assert claim.modality != "denied"
    assert claim.negated and claim.extra["undisclosed"] is True
