"""Assemble claims: one per asserted proposition (a sentence holding an event or an
attribution), with its attribution chain, modality, event type and the times, places,
quantities and actors inside it — every field tied to its span and to the rule behind it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from watchboard.extract.actors import ActorFinder
from watchboard.extract.events import choose_event, choose_modality, event_taxonomy
from watchboard.extract.lexicon import Match
from watchboard.model.claim import ActorMention, Claim, Cue
from watchboard.model.extraction import Attribution, Quantity, ResolvedPlace, Span, TimeExpression

_PRONOUNS = {
    "he": "person",
    "she": "person",
    "his": "person",
    "her": "person",
    "they": "any",
    "it": "organisation",
    "we": "any",
    "i": "person",
}
_OUTLET_WORDS = re.compile(
    r"^(?:the\s+)?(?:official\s+|state\s+|state-run\s+|north\s+korean\s+|)?"
    r"(?:news\s+agency|agency|media|state\s+media|news\s+outlet|outlet|report|newspaper|"
    r"broadcaster|television|tv|radio)$",
    re.IGNORECASE,
)
UNNAMED = "unnamed source"
_CLAUSE_BREAK = re.compile(r"(?:,\s*|\s+)(?:and|but|while|whereas)\s+|;\s+")
_VERBISH = re.compile(r"(?:ed|[^s]s|will|shall|may|might|could|plans|vowed|began|begun)$")
_DIRECTIVE = re.compile(
    r"^(?:has\s+|have\s+|had\s+)?(?:ordered|orders|order|directed|instructed|urged|urges|"
    r"called\s+for|calls\s+for|mandated|tasked|commanded|demanded)$",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:did|does|do|has|have|had|was|were|is|are|would|could|will)\s*(?:not|n't)\s+"
    r"(?:yet\s+|been\s+|be\s+)?(?:(?P<disclose>say|said|name|named|disclose|disclosed|reveal|"
    r"revealed|specify|specified|publish|published|give|given|confirm|confirmed|identify|"
    r"identified|detail|detailed|elaborate|mention|mentioned)\b|\w+)"
    r"|\bno\s+evidence\b|\bnever\b",
    re.IGNORECASE,
)
_REPORTING = re.compile(r"report|said|say|quot|accord|announc|told|state|claim", re.IGNORECASE)


@dataclass(frozen=True)
class DocumentLayers:
    """What earlier components found in one text."""

    text: str
    sentences: Sequence[Span]
    times: Sequence[TimeExpression]
    quantities: Sequence[Quantity]
    places: Sequence[ResolvedPlace]
    actors: Sequence[ActorMention]
    attributions: Sequence[Attribution]
    event_cues: Sequence[Match]
    modality_cues: Sequence[Match]


def _inside(span: Span, outer: Span) -> bool:
    return outer.start <= span.start and span.end <= outer.end


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def claim_id(document_id: str, version: int, span: Span) -> str:
    key = f"{document_id}:{version}:{span.start}:{span.end}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class ClaimBuilder:
    """Turns a document's layers into claims."""

    def __init__(
        self,
        *,
        actors: ActorFinder,
        state_media: Sequence[str] = (),
        min_sentence_chars: int = 20,
    ) -> None:
        self.actors = actors
        self.state_media = tuple(state_media)
        self.min_chars = min_sentence_chars
        self.weights = event_taxonomy().weights

    def __call__(
        self, layers: DocumentLayers, *, document_id: str, version: int, outlet: str | None
    ) -> list[Claim]:
        claims = []
        # "Kim ordered X" is the event (a directive), not someone reporting X.
        attributions = sorted(
            (a for a in layers.attributions if not _DIRECTIVE.match(a.cue.text)),
            key=lambda a: a.cue.start,
        )
        for sentence in layers.sentences:
            if len(sentence.text.strip()) < self.min_chars:
                continue
            attribution = self._covering(sentence, attributions)
            if (
                attribution is not None
                and attribution.source is None
                and not _REPORTING.search(attribution.cue.text)
            ):
                attribution = None  # "are expected to": a modality, not someone reporting
            for clause in self._clauses(layers, sentence, attribution):
                claim = self._claim(
                    layers, clause, attribution, attributions, document_id, version, outlet
                )
                if claim is not None:
                    claims.append(claim)
        return claims

    def _clauses(
        self, layers: DocumentLayers, sentence: Span, attribution: Attribution | None
    ) -> list[Span]:
        """Split a sentence into propositions at "and"/";"/"while" before a new event verb.

        "Kim visited a shipyard on Thursday and pledged to counter threats" holds two
        propositions with different modalities (done; promised).
        """
        text = layers.text
        cues = [
            c
            for c in (*layers.event_cues, *layers.modality_cues)
            if sentence.start <= c.start
            and c.end <= sentence.end
            and (attribution is None or not _overlaps_cue(c, attribution))
        ]
        # Only a verb-like cue opens a new proposition ("and pledged", not "and modernization").
        starts = {c.start for c in cues if _VERBISH.search(text[c.start : c.end])}
        substantive = sorted(
            c.start
            for c in layers.event_cues
            if sentence.start <= c.start
            and c.end <= sentence.end
            and self.weights.get(c.label, 0) > 0
        )
        cuts = []
        for m in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end):
            if (
                m.end() in starts
                and any(p < m.start() for p in substantive)
                and any(p >= m.end() for p in substantive)
            ):
                cuts.append((m.start(), m.end()))
        if not cuts:
            return [sentence]
        spans = []
        begin = sentence.start
        for cut_start, cut_end in cuts:
            spans.append(Span(begin, cut_start, text[begin:cut_start]))
            begin = cut_end
        spans.append(Span(begin, sentence.end, text[begin : sentence.end]))
        return [s for s in spans if s.text.strip()]

    def _claim(
        self,
        layers: DocumentLayers,
        sentence: Span,
        attribution: Attribution | None,
        attributions: Sequence[Attribution],
        document_id: str,
        version: int,
        outlet: str | None,
    ) -> Claim | None:
        scope = attribution.content if attribution else sentence
        # Cues of the attribution itself ("said", "reported") are not the event.
        events = [
            c
            for c in layers.event_cues
            if _inside(Span(c.start, c.end, ""), sentence)
            and (attribution is None or not _overlaps_cue(c, attribution))
        ]
        substantive = [c for c in events if self.weights.get(c.label, 0) > 0]
        if not substantive and attribution is None:
            return None
        in_scope = [
            c for c in substantive if _overlap(Span(c.start, c.end, ""), scope)
        ] or substantive
        event = choose_event(in_scope) or choose_event(events)
        modality_cues = [
            c for c in layers.modality_cues if _inside(Span(c.start, c.end, ""), sentence)
        ]
        if attribution is not None and attribution.cue.text.lower().startswith("den"):
            modality_cues.append(
                Match(attribution.cue.start, attribution.cue.end, "denied", attribution.cue.text)
            )
        modality = choose_modality(modality_cues)
        negation = _NEGATION.search(layers.text, sentence.start, sentence.end)
        if negation is not None:
            explain_negation = f"negation {negation.group(0)!r}"
        chain, identified, how = self._chain(layers, sentence, attribution, attributions, outlet)
        explain = {
            "span": "sentences: one claim per sentence holding an event or an attribution",
            "attribution": how,
            "modality": (
                f"modality cue {modality.phrase!r} -> {modality.label}"
                if modality
                else "no modality cue in the sentence -> stated"
            ),
            "negation": explain_negation if negation is not None else "none",
            "event_type": (
                f"trigger {event.phrase!r} -> {event.label}" if event else "no event trigger"
            ),
        }
        times = tuple(t for t in layers.times if _inside(t.span, sentence))
        quantities = tuple(q for q in layers.quantities if _inside(q.span, sentence))
        places = tuple(p for p in layers.places if _inside(p.mention.span, sentence))
        actors = tuple(a for a in layers.actors if _inside(a.span, sentence))
        for name, items, rule_of in (
            ("times", times, lambda t: t.rule),
            ("quantities", quantities, lambda q: q.rule),
            ("places", places, lambda p: p.rule or p.mention.rule),
            ("actors", actors, lambda a: a.rule),
        ):
            if items:
                explain[name] = f"{name} component, rules: " + ", ".join(
                    sorted({str(rule_of(i)) for i in items})
                )
        return Claim(
            id=claim_id(document_id, version, sentence),
            document_id=document_id,
            version=version,
            span=sentence,
            attribution=chain,
            asserted_by=chain[-1],
            modality=modality.label if modality else "stated",
            event_type=event.label if event else None,
            attribution_spans=attribution,
            modality_cue=Cue(
                Span(modality.start, modality.end, layers.text[modality.start : modality.end]),
                modality.label,
                "modality.yaml",
            )
            if modality
            else None,
            event_cue=Cue(
                Span(event.start, event.end, layers.text[event.start : event.end]),
                event.label,
                "events.yaml",
            )
            if event
            else None,
            actors=actors,
            places=places,
            times=times,
            quantities=quantities,
            negated=bool(modality and modality.label == "denied") or negation is not None,
            explain=explain,
            extra={
                "source_identified": identified,
                # "did not say where": the detail is explicitly unknown, not denied.
                "undisclosed": bool(negation and negation.group("disclose")),
            },
        )

    @staticmethod
    def _covering(sentence: Span, attributions: Sequence[Attribution]) -> Attribution | None:
        """The innermost attribution whose cue is in the sentence or whose content covers it."""
        covering = [
            a
            for a in attributions
            if _inside(a.cue, sentence)
            or _overlap(a.content, sentence) * 2 > (sentence.end - sentence.start)
        ]
        if not covering:
            return None
        # The innermost report is the one whose content starts last ("..., the agency added"
        # wraps "He said X": its content begins before "He").
        return max(covering, key=lambda a: (a.content.start, -(a.content.end - a.content.start)))

    def _chain(
        self,
        layers: DocumentLayers,
        sentence: Span,
        attribution: Attribution | None,
        attributions: Sequence[Attribution],
        outlet: str | None,
    ) -> tuple[tuple[str, ...], bool, str]:
        root = outlet or "the document"
        if attribution is None:
            return (
                (root,),
                outlet is not None,
                "no attribution in the sentence -> the document's outlet",
            )
        links = [attribution]
        # Outer attributions: those whose content contains this one's cue (nested reports).
        current = attribution
        while True:
            outer = [
                a
                for a in attributions
                if a is not current
                and _inside(current.cue, a.content)
                and a.content.start <= current.content.start
            ]
            if not outer:
                break
            current = min(outer, key=lambda a: a.content.end - a.content.start)
            if current in links:
                break
            links.append(current)
        chain = [root]
        identified = True
        for link in reversed(links):
            name, known = self._source_name(layers, link, outlet)
            identified = identified and known
            if chain[-1] != name:
                chain.append(name)
        how = f"attribution rule {attribution.rule}: cue {attribution.cue.text!r}"
        if attribution.source:
            how += f", source {attribution.source.text!r}"
        return tuple(chain), identified, how

    def _source_name(
        self, layers: DocumentLayers, attribution: Attribution, outlet: str | None
    ) -> tuple[str, bool]:
        source = attribution.source
        if source is None:
            return UNNAMED, False
        surface = source.text.strip()
        bare = re.sub(r"^(?:the|a|an)\s+", "", surface.lower())
        if bare in self.actors.titles:
            people = [a for a in layers.actors if a.kind == "person" and a.span.end <= source.start]
            if people:
                return people[-1].name, True
        for actor in layers.actors:
            # A known name inside the source phrase ("KCNA", "Foreign Minister Choe").
            if _overlap(actor.span, source):
                return actor.name, True
        lower = surface.lower()
        if lower in _PRONOUNS:
            wanted = _PRONOUNS[lower]
            before = [
                a
                for a in layers.actors
                if a.span.end <= source.start
                and (
                    wanted == "any"
                    or a.kind == wanted
                    or (wanted == "organisation" and a.kind in ("outlet", "government"))
                )
            ]
            if before:
                return before[-1].name, True
            return surface, False
        if _OUTLET_WORDS.match(lower):
            # An earlier outlet named in the text, but never the document's own outlet (a
            # wire does not call itself "state media").
            outlets = [
                a
                for a in layers.actors
                if a.kind == "outlet" and a.span.end <= source.start and a.name != outlet
            ]
            if outlets:
                return outlets[-1].name, True
            if self.state_media and ("state" in lower or "agency" in lower):
                return self.state_media[0], True
        if self.actors.is_unidentified(surface):
            return f"{surface} (unidentified)", False
        return surface, True


def _overlaps_cue(cue: Match, attribution: Attribution) -> bool:
    return cue.start < attribution.cue.end and attribution.cue.start < cue.end
