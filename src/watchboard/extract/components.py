"""The built-in components, registered exactly as a plug-in would register its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watchboard.extract.pipeline import Component, Doc, component
from watchboard.model.extraction import ResolvedPlace


@component("sentences", assigns=["sentences"], version="1")
def make_sentences(config: Mapping[str, Any], resources: Mapping[str, Any]) -> Component:
    """Sentence spans: rule-based, news-aware (abbreviations, quotes, datelines)."""
    from watchboard.extract.sentences import split_sentences

    def run(doc: Doc) -> Doc:
        doc.layers["sentences"] = split_sentences(doc.text)
        return doc

    return run


@component("times", assigns=["times"], version="1", data_files=["time.yaml"])
def make_times(config: Mapping[str, Any], resources: Mapping[str, Any]) -> Component:
    """Time expressions normalised against the document date (TIMEX3 + intervals)."""
    from watchboard.extract.timex import find_times

    def run(doc: Doc) -> Doc:
        doc.layers["times"] = find_times(doc.text, dct=doc.dct)
        return doc

    return run


@component("quantities", assigns=["quantities"], version="1", data_files=["units.yaml"])
def make_quantities(config: Mapping[str, Any], resources: Mapping[str, Any]) -> Component:
    """Numbers with units, ranges, bounds, rates and counted nouns."""
    from watchboard.extract.quantities import find_quantities

    def run(doc: Doc) -> Doc:
        doc.layers["quantities"] = find_quantities(doc.text)
        return doc

    return run


def _outlets(resources: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.name, tuple(s.aliases)) for s in resources.get("sources", ())]


@component("actors", assigns=["actors"], version="1", data_files=["actors.yaml"])
def make_actors(config: Mapping[str, Any], resources: Mapping[str, Any]) -> Component:
    """Persons, organisations, outlets and governments (registry, known actors, patterns)."""
    from watchboard.extract.actors import ActorFinder

    finder = ActorFinder(_outlets(resources))

    def run(doc: Doc) -> Doc:
        doc.layers["actors"] = finder(doc.text)
        return doc

    return run


@component("places", requires=["actors"], assigns=["places"], version="3")
def make_places(config: Mapping[str, Any], resources: Mapping[str, Any]) -> Component:
    """Toponyms found with the gazetteer's names and resolved by it in document context."""
    from watchboard.extract.places import PlaceFinder

    resolver = resources.get("places")
    if resolver is None:

        def nothing(doc: Doc) -> Doc:
            doc.layers["places"] = []
            return doc

        return nothing
    finder = PlaceFinder(resolver)

    def run(doc: Doc) -> Doc:
        # A place name inside a person's or organisation's name ("Kim Jong Un", "The Korea
        # Herald") is not a place mention.
        taken = [(a.span.start, a.span.end) for a in doc.layers.get("actors", ())]
        mentions = [
            m
            for m in finder(doc.text)
            if not any(m.span.start < end and start < m.span.end for start, end in taken)
        ]
        resolved: list[ResolvedPlace] = resolver.resolve(mentions, text=doc.text)
        doc.layers["places"] = resolved
        return doc

    return run


@component(
    "attributions",
    requires=["sentences"],
    assigns=["attributions"],
    version="1",
    data_files=["attribution.yaml"],
)
def make_attributions(config: Mapping[str, Any], resources: Mapping[str, Any]) -> Component:
    """Source, cue and content spans of reported speech, nested chains included."""
    from watchboard.extract.attribution import find_attributions

    def run(doc: Doc) -> Doc:
        doc.layers["attributions"] = find_attributions(doc.text, sentences=doc.sentences)
        return doc

    return run


@component(
    "events",
    assigns=["event_cues", "modality_cues"],
    version="1",
    data_files=["events.yaml", "modality.yaml"],
)
def make_events(config: Mapping[str, Any], resources: Mapping[str, Any]) -> Component:
    """Event-type triggers and modality cues from the taxonomies kept as data."""
    from watchboard.extract.events import find_event_cues, find_modality_cues

    def run(doc: Doc) -> Doc:
        doc.layers["event_cues"] = find_event_cues(doc.text)
        doc.layers["modality_cues"] = find_modality_cues(doc.text)
        return doc

    return run


@component(
    "claims",
    requires=[
        "sentences",
        "times",
        "quantities",
        "actors",
        "places",
        "attributions",
        "event_cues",
        "modality_cues",
    ],
    assigns=["claims"],
    version="1",
)
def make_claims(config: Mapping[str, Any], resources: Mapping[str, Any]) -> Component:
    """One claim per asserted proposition, with attribution chain and modality."""
    from watchboard.extract.actors import ActorFinder
    from watchboard.extract.claims import ClaimBuilder, DocumentLayers

    state_media = [s.name for s in resources.get("sources", ()) if s.kind == "state_media"]
    builder = ClaimBuilder(
        actors=ActorFinder(_outlets(resources)),
        state_media=state_media,
        min_sentence_chars=int(config.get("min_sentence_chars", 20)),
    )

    def run(doc: Doc) -> Doc:
        get = doc.layers.get
        layers = DocumentLayers(
            text=doc.text,
            sentences=get("sentences", []),
            times=get("times", []),
            quantities=get("quantities", []),
            places=get("places", []),
            actors=get("actors", []),
            attributions=get("attributions", []),
            event_cues=get("event_cues", []),
            modality_cues=get("modality_cues", []),
        )
        doc.layers["claims"] = builder(
            layers, document_id=doc.document_id, version=doc.version, outlet=doc.outlet
        )
        return doc

    return run
