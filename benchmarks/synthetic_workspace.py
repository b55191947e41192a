#!/usr/bin/env python
"""A real Watchboard workspace holding a synthetic case with N claims, for benchmarks.

Briefs now, the web API and pages later (a load test at 100k claims on SQLite and
PostgreSQL) need a workspace whose data has the shape real work gives it. This script builds
one through the project's own code wherever it can:

1. ``jobs.init_workspace`` (SQLite in the directory, or a PostgreSQL URL);
2. ``jobs.load_case`` of a generated case file (``case.yaml`` in the directory): an invented
   river-basin programme (a dam, a semiconductor fab, a cement works, a power station, a
   river port) in an invented country, Osterra, placed on a map box in central Asia; six
   sites, five milestones with due windows and event types, two indicators with change-point
   detectors, three hypotheses, and a registry of 40 sources (reliability A-F, 27
   independence groups, three government bodies seen mostly inside attribution chains);
3. ``jobs.ingest_inputs`` of a generated JSON Lines corpus (the ``watchboard ingest`` path:
   source matching, MinHash clustering, blobs, versions, full-text index) of N/8 documents
   over 2023-2025, each a run of sentences in plain English syntax with pseudo-word content
   (so matching's term blocking sees a realistic Zipf vocabulary, as in ``bench_assess.py``);
4. claims: by default generated with the documents and stored with
   ``store.claims.replace_for_document`` exactly as ``jobs.extract_documents`` stores them
   (``watchboard.model.claim.Claim`` objects turned into rows as ``jobs._claim_row`` does,
   by a faster equivalent checked against it; ids by ``extract.claims.claim_id``), every
   span an exact slice of its document's stored text — one claim per claim sentence, N in
   all. ``--extract`` runs the real pipeline (``jobs.extract_documents``) over the same
   documents instead: about 6 times slower, and the count is whatever it finds (969 of
   1,000 planted, 967 with the same span);
5. ``jobs.assess.assess_case`` (grades, contradictions, anachronisms, milestone statuses,
   suggestions and alerts stored), as of ``AS_OF``;
6. 36 monthly observations per indicator written as CSV (``indicators/``) and imported with
   ``jobs.indicators.import_file``, then ``jobs.indicators.detect``.

The corpus (after ``bench_assess.py``'s generator): documents by 37 outlets, weighted so
the wires and state media publish most; N/20 stories re-reported by 1-6 outlets within three
days with paraphrase noise (some change a number, a place, the date's precision, the event
type, or deny it, so contradictions exist); 6 % of documents are republished copies of an
earlier one by another outlet (near-duplicates, clustered by ingestion); claims carry
actors (200 officials with titles), places (the sites, 240 towns, 12 provinces, 8
neighbouring countries, some unresolved names), dates of day, month or year precision
(deadlines in the future for plans, a few after publication: anachronisms), quantities with
a unit or a counted noun, and attribution chains of 1-3 links (about 9 % unidentified).

Usage::

    .venv/bin/python benchmarks/synthetic_workspace.py /tmp/wb-100k --claims 100k
    .venv/bin/python benchmarks/synthetic_workspace.py /tmp/wb-pg --claims 10k \\
        --database postgresql+psycopg://user@127.0.0.1:5432/wb
    .venv/bin/python benchmarks/synthetic_workspace.py /tmp/wb-x --claims 1000 --extract

From Python: ``build(directory, n_claims, seed=1, database_url=None)`` returns a dict of
paths, counts and timings. A directory already holding a workspace built with the same
parameters (``synthetic-workspace.json``, checked against the database) is reused as it is.
Everything here is invented; no name, place or number describes anything real.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import dataclasses
import gc
import json
import logging
import math
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_assess import FUNCTION_WORDS, _pseudo_words, _zipf_cum  # noqa: E402

log = logging.getLogger("synthetic_workspace")

#: Bump when the generated data change, so cached workspaces are rebuilt.
GENERATOR_VERSION = 2
MANIFEST = "synthetic-workspace.json"
CASE_SLUG = "osterra-basin"
START_DAY = date(2023, 1, 1)
DAYS = 1096  # 2023-01-01 .. 2025-12-31
AS_OF = date(2026, 1, 15)  # the assessment's (and, by default, the brief's) date
LOCAL = timezone(timedelta(hours=8))  # Osterra time: documents are dated in it
CLAIMS_PER_DOC = 8
CLAIMS_PER_STORY = 20  # N / 20 stories
VOCAB = 5_000
DUPLICATE_SHARE = 0.06
PIPELINE_VERSION = f"synthetic-{GENERATOR_VERSION}"  # stored as the claims' pipeline version
RELIABILITY_WEIGHTS = {"A": 4, "B": 22, "C": 36, "D": 20, "E": 10, "F": 8}
COUNTRY = "XO"  # a user-assigned ISO 3166 code: Osterra does not exist

# -- the case's fixed parts -------------------------------------------------------------------

SITES = [
    # key, name, aliases, kind, lat, lon
    ("arvane", "Arvane", ["Arvan"], "capital city", 45.62, 100.41),
    ("velmora-dam", "Velmora Dam", ["Velmora dam site"], "dam", 46.31, 99.12),
    ("kestrel-fab", "Kestrel Valley Fab", ["Kestrel fab"], "semiconductor fab", 45.18, 101.77),
    ("ostrel-works", "Ostrel Cement Works", ["Ostrel works"], "cement plant", 46.02, 102.35),
    ("brask-station", "Brask Power Station", ["Brask station"], "power station", 44.71, 100.96),
    ("lunden-port", "Lunden River Port", ["Lunden port"], "river port", 46.88, 101.2),
]
MILESTONES = [
    # key, title, due start, due end, site, event type
    ("velmora-main-works", "Main works begin at Velmora Dam", "2023-03", "2023-12",
     "velmora-dam", "construction"),
    ("fab-tool-imports", "Lithography tools imported for the Kestrel Valley Fab", "2023-09",
     "2024-06", "kestrel-fab", "procurement_or_trade"),
    ("fab-first-wafers", "First wafers produced at the Kestrel Valley Fab", "2024-07",
     "2025-06", "kestrel-fab", "production"),
    ("velmora-turbines", "Velmora turbines deployed and in service", "2025-01", "2025-12",
     "velmora-dam", "deployment"),
    ("programme-review", "Programme review at the industry congress", "2025-01", "2025-03",
     "arvane", "meeting_or_congress"),
]  # fmt: skip
INDICATORS = [
    # key, name, unit, site, expected by, step month index (0 = 2023-01), base, seasonal, step
    ("reservoir-velmora", "Reservoir surface area behind Velmora Dam", "km2", "velmora-dam",
     "2025-12", 21, 14.0, 1.2, 9.0),
    ("nightlights-kestrel", "Night-time light radiance, Kestrel Valley", "nW/cm2/sr",
     "kestrel-fab", "2025-06", 25, 3.1, 0.35, 1.6),
]  # fmt: skip
FIXED_SOURCES = [
    # name, kind, reliability, independence group (None: its own), weight as a publisher
    ("Osterra State News Agency", "state_media", "C", "osterra-state-media", 6),
    ("Osterra Herald", "state_media", "C", "osterra-state-media", 5),
    ("Continental Wire", "wire", "B", None, 6),
    ("Meridian Press", "wire", "B", None, 6),
    ("Eastline News Service", "wire", "B", None, 5),
    ("Arvane Daily", "newspaper", "C", None, 5),
    ("Basin Courier", "newspaper", "C", "Continental Wire", 4),  # reprints the wire
    ("River Valley Times", "newspaper", "B", None, 4),
    ("Industry Ledger", "newspaper", "B", None, 4),
    ("Institute for Basin Studies", "think_tank", "B", None, 2),
    ("Open Orbit Analytics", "think_tank", "A", None, 2),
    ("Digest Hub", "aggregator", "F", None, 3),
    ("Tarn Watch", "unknown", "F", None, 2),
    ("Ministry of Water", "government", "B", "osterra-government", 0),
    ("Ministry of Industry", "government", "B", "osterra-government", 0),
    ("Hydro Authority", "government", "C", "osterra-government", 0),
]
PAPER_WORDS = ["Gazette", "Observer", "Courier", "Post", "Review", "Bulletin", "Monitor", "Tribune"]
N_SOURCES = 40

# -- claim vocabulary -------------------------------------------------------------------------

#: Per event type: (weight, verb, noun phrase, gerund, past) — each form holds a trigger word
#: of the event taxonomy (extract/data/events.yaml); the trigger is the form's first word
#: unless marked with brackets.
EVENT_FORMS: dict[str, tuple[int, str, str, str, str]] = {
    "construction": (16, "[expand]", "[construction] of", "[building]", "[expanded]"),
    "production": (12, "[produce]", "[production] at", "[producing]", "[produced]"),
    "visit_or_inspection": (10, "[inspect]", "[inspection] of", "[inspecting]", "[inspected]"),
    "meeting_or_congress": (
        8,
        "convene a [meeting] on",
        "[meeting] on",
        "preparing a [session] on",
        "held a [meeting] on",
    ),
    "procurement_or_trade": (9, "[import]", "[imports] for", "[importing]", "[imported]"),
    "deployment": (6, "[deploy]", "[deployment] of", "[deploying]", "[deployed]"),
    "directive": (
        5,
        "issue a [directive] on",
        "[directive] on",
        "drafting a [directive] on",
        "issued a [directive] on",
    ),
    "test_or_launch": (5, "[test]", "[testing] of", "[testing]", "[tested]"),
    "personnel": (
        4,
        "announce a [reshuffle] at",
        "[reshuffle] at",
        "preparing a [reshuffle] at",
        "[replaced] the managers of",
    ),
    "sanction_or_diplomatic_action": (
        4,
        "hold [talks] on",
        "[talks] on",
        "holding [talks] on",
        "held [talks] on",
    ),
    "statement": (6, "issue a [statement] on", "[statement] on", "drafting a [statement] on",
                  "issued a [statement] on"),
}  # fmt: skip
NO_EVENT_SHARE = 0.12  # claims with no event type: reported statements ("…, X said")
#: The forms of a claim with no event type: no trigger word (the bracketed word is no cue).
NO_EVENT_FORMS = ("[review]", "[review] of", "[reviewing]", "[reviewed]")
MODALITIES = {
    "stated": 33,
    "completed": 20,
    "observed": 8,
    "under_way": 9,
    "planned": 9,
    "ordered": 5,
    "projected": 5,
    "speculative": 6,
    "denied": 3,
}
#: How each modality is phrased: the template (S subject, s lower-case subject, V verb, N
#: noun phrase, G gerund, P past; the cue in brackets) — see _core().
MODALITY_TEMPLATES = {
    "stated": "{S} {P}",
    "completed": "{S} [completed] the {N}",
    "observed": "[Satellite images] show {s} {G}",
    "under_way": "{S} [began] {G}",
    "planned": "{S} [plans] to {V}",
    "ordered": "{S} [ordered] the {N}",
    "projected": "{S} is [expected] to {V}",
    "speculative": "{S} [may] have {P}",
    "denied": "{S} {P}",  # inside "X denied that …", whose cue is the modality cue
}
FACILITIES = [
    "turbine hall",
    "spillway",
    "cofferdam",
    "cleanroom",
    "wafer line",
    "kiln line",
    "clinker silo",
    "substation",
    "transmission line",
    "loading quay",
    "access road",
    "intake tower",
    "diversion tunnel",
    "cooling plant",
]
GENERIC_SUBJECTS = ["Engineers", "Workers", "Contractors", "Crews", "The operator", "Surveyors"]
#: Titles the actor finder knows (extract/data/actors.yaml), so extraction finds the same names.
TITLES = ["Minister", "Deputy Minister", "Director", "Governor", "Chairman", "Spokeswoman"]
COUNTED = ["workers", "engineers", "turbines", "trucks", "families", "wafers", "kilns", "pumps"]
UNITS = [  # as written, canonical name, quantity rule
    ("tonnes", "tonne", "number"),
    ("hectares", "hectare", "number"),
    ("km", "kilometre", "number"),
    ("megawatts", "megawatt", "number"),
    ("percent", "percent", "number"),
    ("dollars", "US dollar", "money"),
    ("barrels", "barrel", "number"),
]
UNIDENTIFIED = [
    "Sources",
    "Officials",
    "An insider",
    "Local residents",
    "People close to the works",
]
UNDISCLOSED = [
    ("did not say where", "place"),
    ("did not say how many", "quantity"),
    ("did not say when", "time"),
]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
SPAN_EXPLAIN = "sentences: one claim per sentence holding an event or an attribution"


# -- the world: names, places, sources ---------------------------------------------------------


@dataclass(frozen=True)
class Place:
    text: str  # as written in the text
    name: str | None
    lat: float | None
    lon: float | None
    geonames_id: int | None
    country: str | None
    admin1: str | None
    feature: str | None
    site: str | None
    preposition: str  # "at", "in"

    @property
    def resolved(self) -> bool:
        return self.name is not None


@dataclass(frozen=True)
class Actor:
    title: str
    name: str  # canonical name, as written after the title


@dataclass(frozen=True)
class SourceSpec:
    name: str
    kind: str
    reliability: str
    group: str | None
    weight: int
    domain: str


class World:
    """The fixed parts: vocabulary, sources, places and people (one seed, always the same)."""

    def __init__(self, rng: random.Random, vocab: int = VOCAB) -> None:
        self.vocab = _pseudo_words(rng, vocab)
        self.vocab_cum = _zipf_cum(len(self.vocab))
        names = [w.capitalize() for w in _pseudo_words(rng, 420, min_len=5)]
        # Sources: the fixed ones, then invented papers, some joining another's group.
        self.sources = [SourceSpec(n, k, r, g, w, _domain(n)) for n, k, r, g, w in FIXED_SOURCES]
        grades = list(RELIABILITY_WEIGHTS)
        for i in range(N_SOURCES - len(FIXED_SOURCES)):
            name = f"{names[400 + i % 20]} {PAPER_WORDS[i % len(PAPER_WORDS)]}"
            if i >= 20:
                name = f"The {name}"
            kind = rng.choices(["newspaper", "aggregator", "unknown"], weights=[7, 2, 2])[0]
            reliability = rng.choices(grades, weights=list(RELIABILITY_WEIGHTS.values()))[0]
            group = None
            if rng.random() < 0.4:  # a partner or sister paper of an earlier outlet
                other = rng.choice([s for s in self.sources if s.kind != "government"])
                group = other.group or other.name
            self.sources.append(SourceSpec(name, kind, reliability, group, 1, _domain(name)))
        self.outlets = [s for s in self.sources if s.weight > 0]
        self.outlet_weights = [s.weight for s in self.outlets]
        self.chain_sources = [
            s.name for s in self.sources if s.kind in ("government", "state_media", "think_tank")
        ]
        # Places: the sites, 240 towns, 12 provinces, 8 neighbouring countries; Zipf popularity.
        places = [
            Place(name, name, lat, lon, None, COUNTRY, None, "S.SITE", key, "at")
            for key, name, _aliases, _kind, lat, lon in SITES
        ]
        provinces = [f"{names[i]} Province" for i in range(12)]
        for i in range(240):
            places.append(
                Place(
                    names[20 + i],
                    names[20 + i],
                    round(rng.uniform(44.0, 47.5), 4),
                    round(rng.uniform(98.0, 104.0), 4),
                    90_000_000 + i,  # not a GeoNames id: those stay below 20 million
                    COUNTRY,
                    f"{rng.randrange(12) + 1:02d}",
                    "P.PPL",
                    None,
                    "in",
                )
            )
        for i, name in enumerate(provinces):
            places.append(
                Place(
                    name,
                    name,
                    round(rng.uniform(44.2, 47.3), 4),
                    round(rng.uniform(98.3, 103.7), 4),
                    90_100_000 + i,
                    COUNTRY,
                    f"{i + 1:02d}",
                    "A.ADM1",
                    None,
                    "in",
                )
            )
        for i, (dlat, dlon) in enumerate(
            [(4, 0), (-4, 0), (0, 7), (0, -7), (3, 6), (-3, 6), (3, -6), (-3, -6)]
        ):
            places.append(
                Place(
                    names[300 + i],
                    names[300 + i],
                    45.7 + dlat,
                    101.0 + dlon,
                    90_200_000 + i,
                    f"X{'ABCDEFGH'[i]}",
                    None,
                    "A.PCLI",
                    None,
                    "in",
                )
            )
        order = list(range(len(places)))
        rng.shuffle(order)
        self.places = [places[i] for i in order]
        self.place_cum = _zipf_cum(len(self.places))
        self.towns = [p for p in places if p.feature == "P.PPL"]
        self.unresolved = [
            Place(names[320 + i], None, None, None, None, None, None, None, None, "near")
            for i in range(40)
        ]
        given = [w.capitalize() for w in _pseudo_words(rng, 60, min_len=4)]
        family = [n for n in names[360:400]]
        seen: set[str] = set()
        self.actors: list[Actor] = []
        while len(self.actors) < 200:
            name = f"{rng.choice(given)} {rng.choice(family)}"
            if name not in seen:
                seen.add(name)
                self.actors.append(Actor(rng.choice(TITLES), name))
        self.actor_cum = _zipf_cum(len(self.actors))
        self.event_types = list(EVENT_FORMS)
        self.event_weights = [EVENT_FORMS[e][0] for e in self.event_types]
        self.modalities = list(MODALITIES)
        self.modality_weights = list(MODALITIES.values())

    # content of one claim, before it is written into a document ------------------------------

    def words(self, rng: random.Random, n: int) -> list[str]:
        """n tokens: about a third function words, the rest Zipf-distributed content words."""
        content = rng.choices(self.vocab, cum_weights=self.vocab_cum, k=n)
        return [rng.choice(FUNCTION_WORDS) if rng.random() < 0.33 else w for w in content]

    def event(self, rng: random.Random) -> str | None:
        if rng.random() < NO_EVENT_SHARE:
            return None
        return rng.choices(self.event_types, weights=self.event_weights)[0]

    def content(self, rng: random.Random, day: int) -> dict[str, Any]:
        event_type = self.event(rng)
        modality = rng.choices(self.modalities, weights=self.modality_weights)[0]
        n_places = rng.choices((0, 1, 2), weights=(30, 50, 20))[0]
        places = [
            rng.choice(self.unresolved)
            if rng.random() < 0.05
            else rng.choices(self.places, cum_weights=self.place_cum)[0]
            for _ in range(n_places)
        ]
        if len(places) == 2 and places[0] == places[1]:
            places.pop()
        n_actors = rng.choices((0, 1, 2), weights=(40, 45, 15))[0]
        actors = list(
            dict.fromkeys(
                rng.choices(self.actors, cum_weights=self.actor_cum)[0] for _ in range(n_actors)
            )
        )
        when = None
        if rng.random() < 0.7:
            if modality in ("planned", "projected", "ordered"):
                # A deadline or target in the future: material for milestone suggestions.
                when = (day + rng.randint(20, 500), rng.choice(("month", "month", "year", "day")))
            elif rng.random() < 0.01:
                when = (day + rng.randint(3, 60), "day")  # an anachronism
            else:
                gran = rng.choices(("day", "month", "year"), weights=(60, 25, 15))[0]
                when = (day - rng.randint(0, 7), gran)
        quantity = None
        if rng.random() < 0.3:
            unit = rng.choice(UNITS) if rng.random() < 0.45 else None
            counted = None if unit else rng.choice(COUNTED)
            value = float(round(10 ** rng.uniform(0.5, 5)))
            bound = rng.choices(("exact", "approx", "upper", "lower"), weights=(70, 15, 8, 7))[0]
            per = rng.choice(("month", "year")) if unit and rng.random() < 0.2 else None
            quantity = (value, bound, unit, counted, per)
        negated = modality not in ("denied", "observed") and rng.random() < 0.03
        undisclosed = rng.choice(UNDISCLOSED) if not negated and rng.random() < 0.02 else None
        if negated:
            modality = "stated"
        return {
            "event_type": event_type,
            "modality": modality,
            "words": self.words(rng, rng.randint(8, 28)),
            "facility": rng.choice(FACILITIES),
            "places": places,
            "actors": actors,
            "subject": rng.choice(GENERIC_SUBJECTS),
            "time": when,
            "quantity": quantity,
            "negated": negated,
            "undisclosed": undisclosed,
        }

    def paraphrase(self, rng: random.Random, base: dict[str, Any]) -> dict[str, Any]:
        """Another outlet's report of the same story: reworded, sometimes disagreeing."""
        words: list[str] = []
        for w in base["words"]:
            r = rng.random()
            if r < 0.05:
                continue  # dropped
            words.extend(self.words(rng, 1) if r < 0.27 else [w])  # replaced or kept
            if rng.random() < 0.04:
                words.extend(self.words(rng, 1))  # inserted
        out = dict(base, words=words or base["words"])
        r = rng.random()
        if r < 0.04 and not base["negated"]:
            out["modality"] = "denied"
        elif r < 0.14 and not base["negated"]:
            out["modality"] = rng.choice(("stated", "completed", "observed"))
        if base["quantity"] and rng.random() < 0.15:
            value, *rest = base["quantity"]
            out["quantity"] = (float(round(value * rng.uniform(1.5, 3.0))), *rest)
        if base["places"] and rng.random() < 0.05:
            out["places"] = [rng.choice(self.towns)]  # another town: a place conflict
        if base["time"] and rng.random() < 0.2:
            day, gran = base["time"]
            out["time"] = (day, "month" if gran == "day" else gran)  # less precise
        if rng.random() < 0.3:
            out["actors"] = base["actors"][:1]
        if rng.random() < 0.05:
            out["event_type"] = self.event(rng)  # reads as another event type
        return out


def _domain(name: str) -> str:
    slug = "".join(c for c in name.lower().removeprefix("the ") if c.isalnum())
    return f"{slug}.example"


# -- writing sentences with their spans --------------------------------------------------------


class _Writer:
    """Appends text and returns the (start, end) of each piece, so spans are exact slices."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0

    def add(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start, self.pos

    def marked(self, template: str) -> tuple[int, int] | None:
        """Write a template with one [bracketed] cue; return the cue's span."""
        before, _, rest = template.partition("[")
        if not rest:
            self.add(template)
            return None
        cue, _, after = rest.partition("]")
        self.add(before)
        span = self.add(cue)
        self.add(after)
        return span

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Sentence:
    """A sentence of a document: its text and, for a claim, where each field is (relative)."""

    text: str
    claim: dict[str, Any] | None = None  # None for filler sentences


def _time_fields(day: int, gran: str, future: bool) -> tuple[str, str, str, dict[str, Any]]:
    """(text before, text, text after, TimeExpression fields) of a date."""
    d = START_DAY + timedelta(days=day)
    if gran == "day":
        start, end = d, d + timedelta(days=1)
        value, text = d.isoformat(), f"{d.day} {MONTHS[d.month - 1]} {d.year}"
        pre, rule = (" by " if future else " on "), "date.day_month_year"
    elif gran == "month":
        start = d.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        value, text = f"{d:%Y-%m}", f"{MONTHS[d.month - 1]} {d.year}"
        pre, rule = (" by " if future else " in "), "date.month_year"
    else:
        start, end = date(d.year, 1, 1), date(d.year + 1, 1, 1)
        value, text = str(d.year), str(d.year)
        pre, rule = (" by " if future else " in "), "date.year"
    fields = {
        "type": "DATE",
        "value": value,
        "rule": rule,
        "mod": "ON_OR_BEFORE" if future else None,
        "start": start,
        "end": end,
        "granularity": gran,
        "anchored": True,
    }
    return pre, text, "", fields


def _core(w: _Writer, spec: dict[str, Any], *, lower: bool) -> dict[str, Any]:
    """Write the proposition itself (subject, verb, object, place, time, quantity)."""
    found: dict[str, Any] = {"actors": [], "places": [], "times": [], "quantities": []}
    if spec["event_type"] is None:
        verb, noun, gerund, past = NO_EVENT_FORMS
    else:
        _, verb, noun, gerund, past = EVENT_FORMS[spec["event_type"]]
    modality = spec["modality"]
    template = "{S} did not {V}" if spec["negated"] else MODALITY_TEMPLATES[modality]
    first = True
    # The template in order: literal text, cues in brackets, and {fields}.
    for piece in _split_template(template):
        if piece in ("{S}", "{s}"):
            if spec["actors"]:
                for i, actor in enumerate(spec["actors"]):
                    if i:
                        w.add(" and ")
                    title = actor.title.lower() if (lower or piece == "{s}") and first else None
                    w.add(f"{title or actor.title} ")
                    span = w.add(actor.name)
                    found["actors"].append((span, actor.name, "person", "title"))
                    first = False
            else:
                subject = spec["subject"]
                if (lower and first) or piece == "{s}":
                    subject = subject[0].lower() + subject[1:]
                w.add(subject)
        elif piece in ("{V}", "{N}", "{G}", "{P}"):
            form = {"{V}": verb, "{N}": noun, "{G}": gerund, "{P}": past}[piece]
            span = w.marked(form)
            if spec["event_type"] is not None and span is not None:
                found["event_cue"] = (span, spec["event_type"])
            w.add(" the " + " ".join(spec["words"]) + " " + spec["facility"])
        elif piece.startswith("["):
            text = piece[1:-1]
            if lower and first:
                text = text[0].lower() + text[1:]
            span = w.add(text)
            if modality != "stated" and not spec["negated"]:
                found["modality_cue"] = (span, modality)
        else:
            w.add(piece)
        first = False
    for i, place in enumerate(spec["places"]):
        w.add(f" {place.preposition if i == 0 else 'near'} ")
        found["places"].append((w.add(place.text), place))
    if spec["time"]:
        day, gran = spec["time"]
        future = modality in ("planned", "projected", "ordered")
        pre, text, post, fields = _time_fields(day, gran, future)
        w.add(pre)
        found["times"].append((w.add(text), fields))
        w.add(post)
    if spec["quantity"]:
        value, bound, unit, counted, per = spec["quantity"]
        prefix = {"exact": "", "approx": "about ", "upper": "up to ", "lower": "more than "}
        written = unit[0] if unit else counted
        w.add(", with ")
        span = w.add(f"{prefix[bound]}{value:,.0f} {written}" + (f" a {per}" if per else ""))
        found["quantities"].append(
            (
                span,
                {
                    "rule": unit[2] if unit else "number",
                    "value": value,
                    "low": value if bound != "upper" else None,
                    "high": value if bound != "lower" else None,
                    "bound": bound,
                    "unit": unit[1] if unit else None,
                    "counted": counted,
                    "per": per,
                },
            )
        )
    if spec["undisclosed"]:
        w.add(f"; it {spec['undisclosed'][0]}")
    return found


def _negation_explain(spec: dict[str, Any]) -> str:
    """What extraction's negation rule would say: the cue and the word after it."""
    if spec["undisclosed"]:
        return "negation 'did not say'"
    if spec["negated"]:
        verb = EVENT_FORMS[spec["event_type"]][1] if spec["event_type"] else NO_EVENT_FORMS[0]
        return f"negation 'did not {verb.split()[0].strip('[]')}'"
    return "none"


def _split_template(template: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(template):
        if template[i] in "{[":
            j = template.index("}" if template[i] == "{" else "]", i) + 1
            out.append(template[i:j])
            i = j
        else:
            j = i
            while j < len(template) and template[j] not in "{[":
                j += 1
            out.append(template[i:j])
            i = j
    return out


def render_claim(world: World, rng: random.Random, spec: dict[str, Any]) -> Sentence:
    """A claim sentence and its fields; the chain holds the links after the outlet."""
    w = _Writer()
    r = rng.random()
    denied = spec["modality"] == "denied"
    if denied:
        kind = "denied"
    elif spec["event_type"] is None:  # a claim without an event needs someone asserting it
        kind = rng.choices(("final", "according", "nested", "unidentified"), (5, 2, 2, 1))[0]
    elif r < 0.55:
        kind = "none"
    elif r < 0.72:
        kind = "final"
    elif r < 0.80:
        kind = "according"
    elif r < 0.91:
        kind = "nested"
    else:
        kind = "unidentified"
    attribution: dict[str, Any] | None = None
    links: tuple[str, ...] = ()
    identified = True
    actors: list[Any] = []
    if kind in ("denied", "unidentified"):
        # "Officials said …" / "The Ministry of Water denied that …": the cue leads.
        unidentified = kind == "unidentified" or rng.random() < 0.3
        if unidentified:
            who = rng.choice(UNIDENTIFIED)
            links, identified = (f"{who} (unidentified)",), False
        else:
            name = rng.choice(world.chain_sources)
            who, links = f"The {name}", (name,)
        source = w.add(who)
        w.add(" ")
        cue_text = "denied" if denied else "said"
        cue = w.add(cue_text)
        w.add(" that " if denied else " ")
        content_start = w.pos
        found = _core(w, spec, lower=True)
        content = (content_start, w.pos)
        attribution = {
            "cue": cue,
            "content": content,
            "rule": "verb",
            "source": source,
            "extra": {"cue_type": "verb", "lemma": "deny" if denied else "say", "class": "speech"},
        }
        if denied:
            found["modality_cue"] = (cue, "denied")
        if not unidentified:
            actors.append((source, links[0], "outlet", "known"))
    else:
        found = _core(w, spec, lower=False)
        content = (0, w.pos)
        if kind in ("final", "according"):
            name = rng.choice(world.chain_sources)
            links = (name,)
            if kind == "final":
                w.add(", ")
                source = w.add(f"the {name}")
                w.add(" ")
                cue = w.add(rng.choice(("said", "reported", "announced")))
                extra = {"cue_type": "verb", "lemma": "say", "class": "speech"}
                rule = "verb_final"
            else:
                w.add(", ")
                cue = w.add("according to")
                w.add(" ")
                source = w.add(f"the {name}")
                extra = {"cue_type": "according_to", "lemma": "according to", "class": "speech"}
                rule = "according_to_after"
            attribution = {
                "cue": cue,
                "content": content,
                "rule": rule,
                "source": source,
                "extra": extra,
            }
            actors.append((source, name, "outlet", "known"))
        elif kind == "nested":
            # "…, Director X said, the Hydro Authority reported": X speaks inside the agency's
            # report; the claim's attribution is the innermost one.
            agency = rng.choice(world.chain_sources)
            person = rng.choices(world.actors, cum_weights=world.actor_cum)[0]
            w.add(f", {person.title} ")
            source = w.add(person.name)
            w.add(" ")
            cue = w.add("said")
            w.add(", the ")
            agency_span = w.add(agency)
            w.add(" reported")
            links = (agency, person.name)
            attribution = {
                "cue": cue,
                "content": content,
                "rule": "verb_final",
                "source": source,
                "extra": {"cue_type": "verb", "lemma": "say", "class": "speech"},
            }
            actors += [
                (source, person.name, "person", "title"),
                (agency_span, agency, "outlet", "known"),
            ]
    w.add(".")
    found["actors"] = sorted(found["actors"] + actors, key=lambda a: a[0])
    text = w.text
    text = text[0].upper() + text[1:]
    return Sentence(
        text,
        {
            **found,
            "spec": spec,
            "attribution": attribution,
            "links": links,
            "identified": identified,
            "kind": kind,
        },
    )


def filler(world: World, rng: random.Random) -> Sentence:
    """A sentence with no event and no attribution: background that holds no claim."""
    words = world.words(rng, rng.randint(6, 16))
    text = " ".join(words)
    return Sentence(text[0].upper() + text[1:] + ".")


# -- the corpus ---------------------------------------------------------------------------------


@dataclass
class DocPlan:
    index: int
    day: int
    hours: float
    outlet: SourceSpec
    dup_of: int | None = None
    specs: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def published(self) -> datetime:
        local = datetime.combine(START_DAY + timedelta(days=self.day), datetime.min.time())
        return (local + timedelta(hours=self.hours)).replace(tzinfo=LOCAL, microsecond=0)


def generate(n_claims: int, seed: int) -> tuple[World, list[DocPlan], dict[str, Any]]:
    """Documents holding exactly n_claims claim sentences (see the module doc)."""
    rng = random.Random(seed)
    world = World(random.Random(seed + 1))
    n_docs = max(1, n_claims // CLAIMS_PER_DOC)
    docs = [
        DocPlan(
            0,
            rng.randrange(DAYS),
            rng.uniform(6, 22),
            rng.choices(world.outlets, weights=world.outlet_weights)[0],
        )
        for _ in range(n_docs)
    ]
    docs.sort(key=lambda d: (d.day, d.hours))
    for i, doc in enumerate(docs):
        doc.index = i
    days = [d.day for d in docs]
    # Republished copies: a later document, by another outlet, copying one up to two days older.
    copied: set[int] = set()
    for i in rng.sample(range(n_docs), int(n_docs * DUPLICATE_SHARE)):
        lo = max(0, min(bisect.bisect_left(days, days[i] - 2), i - 3))
        candidates = [
            j
            for j in range(lo, i)
            if docs[j].dup_of is None and docs[j].outlet.name != docs[i].outlet.name
        ]
        if candidates and i not in copied:
            docs[i].dup_of = rng.choice(candidates[-20:])
            copied.add(docs[i].dup_of)
    copies: dict[int, list[int]] = {}
    for doc in docs:
        if doc.dup_of is not None:
            copies.setdefault(doc.dup_of, []).append(doc.index)
    # Claims per document: every original at least one; a copy has its original's claims plus
    # its own extra ones. Hand out the rest one at a time until the total is exactly N.
    quota = [0 if d.dup_of is not None else 1 for d in docs]
    extra = [0] * n_docs

    def total() -> int:
        return sum(quota) + sum(
            quota[d.dup_of] + extra[d.index] for d in docs if d.dup_of is not None
        )

    left = n_claims - total()
    while left > 0:
        i = rng.randrange(n_docs)
        doc = docs[i]
        if doc.dup_of is not None:
            extra[i] += 1
            left -= 1
        elif 1 + len(copies.get(i, ())) <= left:
            quota[i] += 1
            left -= 1 + len(copies.get(i, ()))
    if left < 0:  # fewer claims than documents with copies: drop copies
        raise ValueError(f"{n_claims} claims are too few for {n_docs} documents")
    # Stories: a first report re-reported by up to 5 other outlets within three days.
    free = list(quota)
    n_stories = max(1, n_claims // CLAIMS_PER_STORY)
    planted = 0
    for s in range(n_stories):
        first = rng.randrange(n_docs)
        tries = 0
        while free[first] == 0 and tries < 1000:
            first, tries = rng.randrange(n_docs), tries + 1
        if free[first] == 0:
            break
        day = days[first]
        base = world.content(rng, day)
        while base["event_type"] is None:
            base = world.content(rng, day)
        k = rng.randint(1, 6)
        hi = min(n_docs, max(bisect.bisect_right(days, day + 2), first + 3 * k))
        pool = [j for j in range(first + 1, hi) if free[j] > 0]
        rng.shuffle(pool)
        outlets: set[str] = set()
        taken = 0
        for j in [first, *pool]:
            if taken == k:
                break
            if docs[j].outlet.name in outlets:
                continue
            outlets.add(docs[j].outlet.name)
            spec = base if taken == 0 else world.paraphrase(rng, base)
            docs[j].specs.append((spec, f"s{s}"))
            free[j] -= 1
            taken += 1
        planted += taken
    for doc in docs:
        if doc.dup_of is None:
            doc.specs += [
                (world.content(rng, doc.day), f"u{doc.index}.{c}") for c in range(free[doc.index])
            ]
            rng.shuffle(doc.specs)
    # Write the texts: originals first (copies reuse their sentences).
    for doc in docs:
        if doc.dup_of is None:
            doc.sentences = _sentences(
                world, rng, [render_claim(world, rng, s) for s, _ in doc.specs]
            )
    for doc in docs:
        if doc.dup_of is not None:
            original = docs[doc.dup_of]
            own = [world.content(rng, doc.day) for _ in range(extra[doc.index])]
            doc.specs = list(original.specs) + [
                (s, f"u{doc.index}.x{i}") for i, s in enumerate(own)
            ]
            doc.sentences = list(original.sentences) + [render_claim(world, rng, s) for s in own]
            doc.sentences.append(Sentence(f"First published by {original.outlet.name}."))
    n = sum(1 for d in docs for s in d.sentences if s.claim is not None)
    assert n == n_claims, (n, n_claims)
    info = {
        "claims": n,
        "documents": n_docs,
        "republished_copies": sum(d.dup_of is not None for d in docs),
        "stories": n_stories,
        "story_reports_planted": planted,
        "sources": len(world.sources),
        "independence_groups": len({s.group or s.name for s in world.sources}),
        "published_range": [docs[0].published.isoformat(), docs[-1].published.isoformat()],
    }
    return world, docs, info


def _sentences(world: World, rng: random.Random, claims: list[Sentence]) -> list[Sentence]:
    """A lede of background, then the claims with a little background between them."""
    out = [filler(world, rng)]
    for sentence in claims:
        out.append(sentence)
        if rng.random() < 0.2:
            out.append(filler(world, rng))
    return out


def document_text(doc: DocPlan) -> tuple[str, list[int]]:
    """The document's text and each sentence's offset in it."""
    offsets, pos = [], 0
    for s in doc.sentences:
        offsets.append(pos)
        pos += len(s.text) + 1
    return " ".join(s.text for s in doc.sentences), offsets


def document_title(doc: DocPlan) -> str:
    first = next(s for s in doc.sentences if s.claim is not None)
    words = first.text.rstrip(".").split()
    return " ".join(words[:9]) + ("…" if len(words) > 9 else "")


def document_url(doc: DocPlan) -> str:
    p = doc.published
    return f"https://{doc.outlet.domain}/{p:%Y/%m/%d}/report-{doc.index:07d}"


# -- claims as extraction stores them ------------------------------------------------------------


def claims_of(doc: DocPlan, doc_id: str, version: int, text: str) -> list[Any]:
    """The document's claims as ``watchboard.model.claim.Claim`` objects, spans into ``text``."""
    from watchboard.extract.claims import claim_id
    from watchboard.model.claim import ActorMention, Claim, Cue
    from watchboard.model.extraction import (
        Attribution,
        PlaceMention,
        Quantity,
        ResolvedPlace,
        Span,
        TimeExpression,
    )

    _, offsets = document_text(doc)

    def span(rel: tuple[int, int], at: int) -> Span:
        start, end = rel[0] + at, rel[1] + at
        return Span(start, end, text[start:end])

    out = []
    for sentence, at in zip(doc.sentences, offsets, strict=True):
        c = sentence.claim
        if c is None:
            continue
        spec = c["spec"]
        sent = Span(at, at + len(sentence.text), sentence.text)
        assert text[sent.start : sent.end] == sentence.text
        chain = tuple(dict.fromkeys((doc.outlet.name, *c["links"])))
        attr = c["attribution"]
        attribution = None
        if attr is not None:
            attribution = Attribution(
                cue=span(attr["cue"], at),
                content=span(attr["content"], at),
                rule=attr["rule"],
                source=span(attr["source"], at),
                extra=dict(attr["extra"]),
            )
        modality = spec["modality"]
        event = c.get("event_cue")
        mod_cue = c.get("modality_cue")
        places = tuple(
            ResolvedPlace(
                mention=PlaceMention(span(rel, at), "gazetteer"),
                resolved=p.resolved,
                name=p.name,
                lat=p.lat,
                lon=p.lon,
                geonames_id=p.geonames_id,
                country=p.country,
                admin1=p.admin1,
                feature=p.feature,
                site=p.site,
                confidence=(1.0 if p.site else 0.93) if p.resolved else 0.0,
                rule=("site" if p.site else "prior") if p.resolved else "",
            )
            for rel, p in c["places"]
        )
        times = tuple(TimeExpression(span=span(rel, at), **f) for rel, f in c["times"])
        quantities = tuple(Quantity(span=span(rel, at), **f) for rel, f in c["quantities"])
        actors = tuple(
            ActorMention(span(rel, at), name, kind, rule) for rel, name, kind, rule in c["actors"]
        )
        explain = {
            "span": SPAN_EXPLAIN,
            "attribution": (
                f"attribution rule {attr['rule']}: cue {attribution.cue.text!r}, "
                f"source {span(attr['source'], at).text!r}"
                if attribution
                else "no attribution in the sentence -> the document's outlet"
            ),
            "modality": (
                f"modality cue {span(mod_cue[0], at).text!r} -> {modality}"
                if mod_cue
                else "no modality cue in the sentence -> stated"
            ),
            "negation": _negation_explain(spec),
            "event_type": (
                f"trigger {span(event[0], at).text!r} -> {event[1]}"
                if event
                else "no event trigger"
            ),
        }
        for name, items, rules in (
            ("times", times, [t.rule for t in times]),
            ("quantities", quantities, [q.rule for q in quantities]),
            ("places", places, [p.rule or p.mention.rule for p in places]),
            ("actors", actors, [a.rule for a in actors]),
        ):
            if items:
                explain[name] = f"{name} component, rules: " + ", ".join(sorted(set(rules)))
        out.append(
            Claim(
                id=claim_id(doc_id, version, sent),
                document_id=doc_id,
                version=version,
                span=sent,
                attribution=chain,
                asserted_by=chain[-1],
                modality=modality,
                event_type=spec["event_type"],
                attribution_spans=attribution,
                modality_cue=Cue(span(mod_cue[0], at), mod_cue[1], "modality.yaml")
                if mod_cue
                else None,
                event_cue=Cue(span(event[0], at), event[1], "events.yaml") if event else None,
                actors=actors,
                places=places,
                times=times,
                quantities=quantities,
                negated=modality == "denied" or spec["negated"] or bool(spec["undisclosed"]),
                explain=explain,
                extra={
                    "source_identified": c["identified"],
                    "undisclosed": bool(spec["undisclosed"]),
                },
            )
        )
    return out


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _plain(value: Any) -> Any:
    """``jobs._jsonable(dataclasses.asdict(value))`` without asdict's deep copies (10x faster)."""
    kind = type(value)
    names = _FIELDS.get(kind, ())
    if names == ():
        names = _FIELDS[kind] = (
            tuple(f.name for f in dataclasses.fields(value))
            if dataclasses.is_dataclass(value)
            else None
        )
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if kind is dict:
        return {str(k): _plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    if kind is date or kind is datetime:
        return value.isoformat()
    return value


def claim_row(claim: Any) -> dict[str, Any]:
    """The row ``jobs.extract_documents`` stores for a claim (``jobs._claim_row``), faster;
    ``build`` checks that the two agree."""
    return {
        "id": claim.id,
        "document_id": claim.document_id,
        "version": claim.version,
        "start": claim.span.start,
        "end": claim.span.end,
        "quote": claim.span.text,
        "attribution": list(claim.attribution),
        "asserted_by": claim.asserted_by,
        "source_identified": bool(claim.extra.get("source_identified", True)),
        "modality": claim.modality,
        "event_type": claim.event_type,
        "data": _plain(claim),
    }


# -- the case file and indicator data ------------------------------------------------------------


def case_yaml(world: World) -> str:
    """The case file, in the documented format (docs/case-file.md)."""
    import yaml

    data: dict[str, Any] = {
        "case": {
            "slug": CASE_SLUG,
            "title": "Osterra river-basin dam and industry programme (SYNTHETIC)",
            "question": (
                "How far has Osterra's announced river-basin programme - the Velmora Dam, the "
                "Kestrel Valley Fab and the works around them - got, and is it on schedule?"
            ),
            "region": "Osterra (an invented country)",
            "time_frame": {"start": "2023-01", "end": "2026-06"},
            "description": (
                "Invented benchmark data generated by benchmarks/synthetic_workspace.py: the "
                "country, its sources, sites, people and reports do not exist. In 2023 the "
                "government of Osterra announced a dam on the upper Tarn with a power station, "
                "a semiconductor fab and a cement works to supply them; this case follows "
                "whether the works begin, the tools arrive and the plants run."
            ),
        },
        "sources": [
            {
                "name": s.name,
                "domains": [s.domain],
                "kind": s.kind,
                "reliability": s.reliability,
                **({"independence_group": s.group} if s.group else {}),
                "notes": "Invented source for benchmark data.",
            }
            for s in world.sources
        ],
        "sites": [
            {
                "id": key,
                "name": name,
                "aliases": aliases,
                "kind": kind,
                "country": COUNTRY,
                "coordinates": {"lat": lat, "lon": lon},
                **(
                    {
                        "polygon": {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [lon - 0.08, lat - 0.05],
                                    [lon + 0.08, lat - 0.05],
                                    [lon + 0.08, lat + 0.05],
                                    [lon - 0.08, lat + 0.05],
                                    [lon - 0.08, lat - 0.05],
                                ]
                            ],
                        }
                    }
                    if key == "velmora-dam"
                    else {}
                ),
                "notes": "Invented site.",
            }
            for key, name, aliases, kind, lat, lon in SITES
        ],
        "milestones": [
            {
                "id": key,
                "title": title,
                "due": {"start": start, "end": end},
                "site": site,
                "event_type": event_type,
            }
            for key, title, start, end, site, event_type in MILESTONES
        ],
        "indicators": [
            {
                "id": key,
                "name": name,
                "unit": unit,
                "site": site,
                "expected": {"direction": "up", "by": by},
                "detector": {
                    "name": "change_point",
                    "params": {"baseline_months": 12, "min_shift_sd": 3.0},
                },
                "description": "Invented monthly series (SYNTHETIC) with a step up.",
            }
            for key, name, unit, site, by, *_ in INDICATORS
        ],
        "hypotheses": [
            {"id": "H1", "text": "The programme runs on schedule: dam, fab and works by 2025."},
            {"id": "H2", "text": "The programme is largely announced, little is built."},
            {"id": "H3", "text": "The dam proceeds; the fab and the works stall."},
        ],
    }
    header = (
        "# SYNTHETIC case generated by benchmarks/synthetic_workspace.py - nothing here is real.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def indicator_csv(seed: int, spec: tuple[Any, ...]) -> str:
    """36 monthly values (2023-01 .. 2025-12) with a seasonal cycle, noise and a step up."""
    key, _name, unit, _site, _by, step_at, base, seasonal, step = spec
    rng = random.Random(f"{seed}-{key}")
    lines = ["time,value,unit,quality"]
    for m in range(36):
        value = base + seasonal * math.sin(2 * math.pi * m / 12) + rng.gauss(0, seasonal / 4)
        if m >= step_at:
            value += step
        lines.append(f"{2023 + m // 12}-{m % 12 + 1:02d},{value:.3f},{unit},synthetic")
    return "\n".join(lines) + "\n"


# -- building ------------------------------------------------------------------------------------


def _params(n_claims: int, seed: int, database_url: str | None, extract: bool) -> dict[str, Any]:
    return {
        "generator_version": GENERATOR_VERSION,
        "claims": n_claims,
        "seed": seed,
        "database": _redact(database_url) if database_url else "sqlite (in the workspace)",
        "claims_from": "extraction" if extract else "generator",
        "as_of": AS_OF.isoformat(),
    }


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _cached(directory: Path, params: dict[str, Any]) -> dict[str, Any] | None:
    """The manifest, if the directory holds a complete build with these parameters."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("params") != params or not manifest.get("complete"):
        return None
    try:
        counts = _counts(directory)
    except Exception as exc:  # a missing or emptied database: rebuild
        log.info("cached workspace unusable (%s); rebuilding", exc)
        return None
    if counts["claims"] != manifest["counts"]["claims"]:
        return None
    drift = _schema_drift(directory)
    if drift:
        # A migration was changed in place (same version number): rebuild rather than run
        # today's code on yesterday's tables.
        log.warning("cached workspace has an outdated schema (%s); rebuilding", drift)
        return None
    return manifest


def _schema_drift(directory: Path) -> list[str]:
    """Tables, columns and indexes of the current schema missing from the workspace."""
    from sqlalchemy import inspect

    from watchboard import jobs
    from watchboard.store.schema import metadata

    _settings, store = jobs.open_workspace(directory)
    with store, store.reading() as conn:
        found = inspect(conn)
        tables = set(found.get_table_names())
        missing = []
        for table in metadata.sorted_tables:
            if table.name not in tables:
                missing.append(table.name)
                continue
            columns = {c["name"] for c in found.get_columns(table.name)}
            indexes = {i["name"] for i in found.get_indexes(table.name)}
            missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in columns]
            missing += [i.name for i in table.indexes if i.name and i.name not in indexes]
    return missing


def _counts(directory: Path) -> dict[str, Any]:
    from sqlalchemy import func, select

    from watchboard import jobs
    from watchboard.store import schema as t

    settings, store = jobs.open_workspace(directory)
    with store:
        overview = jobs.describe_workspace(settings, store)
        with store.reading() as conn:
            case_id = conn.execute(select(t.cases.c.id).where(t.cases.c.slug == CASE_SLUG)).scalar()
            if case_id is None:
                raise LookupError(f"no case {CASE_SLUG}")

            def count(table: Any, *where: Any) -> int:
                q = select(func.count()).select_from(table)
                for w in where:
                    q = q.where(w)
                return int(conn.execute(q).scalar_one())

            claims = count(
                t.claims.join(t.documents, t.documents.c.id == t.claims.c.document_id),
                t.documents.c.case_id == case_id,
            )
            return {
                "documents": overview["documents"],
                "clusters": overview["clusters"],
                "near_duplicate_clusters": overview["near_duplicate_clusters"],
                "claims": claims,
                "sources": overview["sources"],
                "assessments": count(t.assessments, t.assessments.c.case_id == case_id),
                "contradictions": count(t.contradictions, t.contradictions.c.case_id == case_id),
                "anachronisms": count(t.anachronisms, t.anachronisms.c.case_id == case_id),
                "milestone_suggestions": count(
                    t.milestone_suggestions, t.milestone_suggestions.c.case_id == case_id
                ),
                "alerts": count(t.alerts, t.alerts.c.case_id == case_id),
                "observations": count(t.observations, t.observations.c.case_id == case_id),
                "indicator_changes": count(
                    t.indicator_changes, t.indicator_changes.c.case_id == case_id
                ),
                "credibility": dict(
                    sorted(
                        (str(k), int(v))
                        for k, v in conn.execute(
                            select(t.assessments.c.credibility, func.count())
                            .where(t.assessments.c.case_id == case_id)
                            .group_by(t.assessments.c.credibility)
                        )
                    )
                ),
                "milestones": dict(
                    conn.execute(
                        select(t.milestone_status.c.milestone_key, t.milestone_status.c.status)
                        .where(t.milestone_status.c.case_id == case_id)
                        .order_by(t.milestone_status.c.milestone_key)
                    ).all()
                ),
            }


def _clear(directory: Path) -> None:
    """Remove what an earlier build left: its settings, SQLite files, case and indicator files.

    A server database is never dropped (``build`` refuses one that already holds the case),
    and a directory holding a workspace this script did not build is left alone.
    """
    from watchboard.config import SQLITE_FILE, WORKSPACE_FILE
    from watchboard.errors import WorkspaceError

    if (directory / WORKSPACE_FILE).exists() and not (directory / MANIFEST).exists():
        raise WorkspaceError(
            f"{directory} holds a workspace this script did not build; give an empty directory"
        )
    for name in (SQLITE_FILE, f"{SQLITE_FILE}-wal", f"{SQLITE_FILE}-shm", WORKSPACE_FILE):
        (directory / name).unlink(missing_ok=True)
    (directory / MANIFEST).unlink(missing_ok=True)
    (directory / "case.yaml").unlink(missing_ok=True)
    shutil.rmtree(directory / "indicators", ignore_errors=True)


def build(
    directory: Path,
    n_claims: int,
    *,
    seed: int = 1,
    database_url: str | None = None,
    extract: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """Build (or reuse) a workspace in ``directory`` holding the synthetic case with N claims.

    Returns ``{"workspace", "database", "case", "params", "counts", "timings_s", "reused",
    ...}``. ``database_url`` puts the data in that (empty) PostgreSQL database instead of
    the workspace's SQLite file. ``extract`` stores what the real extraction pipeline finds
    in the generated documents instead of the generated claims. ``progress`` is called with
    a line of text after each stage.
    """
    from sqlalchemy import select

    from watchboard import jobs
    from watchboard.errors import WorkspaceError
    from watchboard.jobs import indicators as indicator_jobs
    from watchboard.jobs.assess import assess_case
    from watchboard.store import Store
    from watchboard.store import claims as claim_queries
    from watchboard.store.schema import cases, document_versions

    def say(text: str) -> None:
        log.info(text)
        if progress:
            progress(text)

    directory = Path(directory)
    params = _params(n_claims, seed, database_url, extract)
    cached = _cached(directory, params)
    if cached is not None:
        say(f"reusing the workspace in {directory} ({cached['counts']['claims']:,} claims)")
        return {**cached, "reused": True}
    directory.mkdir(parents=True, exist_ok=True)
    _clear(directory)
    # Marks the directory as ours, so a build that fails half-way is cleared by the next one.
    (directory / MANIFEST).write_text(
        json.dumps({"complete": False, "params": params}, indent=2) + "\n", encoding="utf-8"
    )
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    started, started_cpu = time.perf_counter(), time.process_time()
    clock, clock_cpu = started, started_cpu

    def lap(name: str) -> None:
        nonlocal clock, clock_cpu
        now, now_cpu = time.perf_counter(), time.process_time()
        timings[name] = round(now - clock, 3)
        cpu[name] = round(now_cpu - clock_cpu, 3)
        clock, clock_cpu = now, now_cpu

    settings = jobs.init_workspace(directory, database_url=database_url)
    with Store.open(settings.database_url) as store:
        with store.reading() as conn:
            if conn.execute(cases.select().where(cases.c.slug == CASE_SLUG)).first():
                raise WorkspaceError(
                    f"{_redact(settings.database_url)} already holds the case {CASE_SLUG} "
                    "from another build; give an empty database"
                )
        # The corpus stays alive for the whole build: keep the cyclic garbage collector from
        # scanning its millions of objects again and again (several times slower at 100k).
        with _collector_paused():
            world, docs, info = generate(n_claims, seed)
        gc.freeze()
        case_path = directory / "case.yaml"
        case_path.write_text(case_yaml(world), encoding="utf-8")
        lap("generate")
        say(f"generated {info['documents']:,} documents, {info['claims']:,} claims")
        jobs.load_case(store, case_path)
        lap("load_case")

        # Ingest the documents as a JSON Lines corpus: the 'watchboard ingest' path.
        texts: dict[str, tuple[DocPlan, str]] = {}
        with tempfile.TemporaryDirectory(prefix="wb-synthetic-") as tmp:
            corpus = Path(tmp) / "corpus.jsonl"
            with corpus.open("w", encoding="utf-8") as out:
                for doc in docs:
                    text, _ = document_text(doc)
                    url = document_url(doc)
                    texts[url] = (doc, text)
                    row = {
                        "url": url,
                        "title": document_title(doc),
                        "published": doc.published.isoformat(),
                        "source": doc.outlet.name,
                        "language": "en",
                        "text": text,
                    }
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            lines = list(texts.values())
            ids: dict[int, tuple[str, int]] = {}
            failures: list[str] = []

            def on_item(item: Any) -> None:
                if item.status == "new":
                    number = int(item.label.rsplit(":", 1)[1])
                    ids[number] = (item.document_id, item.version)
                else:
                    failures.append(f"{item.label}: {item.status} {item.reason or ''}")

            report = jobs.ingest_inputs(
                store,
                settings,
                [str(corpus)],
                options=jobs.IngestOptions(case=CASE_SLUG),
                on_item=on_item,
            )
        if failures or len(ids) != len(docs):
            raise RuntimeError(f"ingest did not store every document: {failures[:5]}")
        lap("ingest")
        say(f"ingested {len(ids):,} documents ({report.summary()})")
        by_doc = {ids[n][0]: (ids[n][1], *lines[n - 1]) for n in ids}
        # Spans are offsets into the stored text: it must be the text generated.
        with store.reading() as conn:
            stored = dict(
                conn.execute(
                    select(document_versions.c.document_id, document_versions.c.text)
                ).all()
            )
        changed = [d for d, (_, _, text) in by_doc.items() if stored.get(d) != text]
        if changed:
            raise RuntimeError(f"ingestion changed the text of {len(changed)} documents")
        del stored

        if extract:
            extraction = jobs.extract_documents(store, case=CASE_SLUG)
            lap("extract")
            say(f"extracted {extraction.claims:,} claims from {extraction.extracted:,} documents")
        else:
            pending: list[tuple[str, int, list[dict[str, Any]]]] = []
            written = 0

            def flush() -> None:
                nonlocal pending
                batch, pending = pending, []
                at = datetime.now(UTC)

                def write(conn: Any) -> None:
                    for doc_id, version, rows in batch:
                        claim_queries.replace_for_document(
                            conn,
                            document_id=doc_id,
                            version=version,
                            pipeline_version=PIPELINE_VERSION,
                            rows=rows,
                            warnings=[],
                            at=at,
                        )

                t = time.perf_counter()
                store.write(write, what="synthetic claims")
                timings["claims_write"] = timings.get("claims_write", 0.0) + (
                    time.perf_counter() - t
                )

            with _collector_paused():
                for doc_id, (version, doc, text) in sorted(by_doc.items()):
                    claims = claims_of(doc, doc_id, version, text)
                    rows = [claim_row(c) for c in claims]
                    if written < 200:  # the fast rows must be exactly what extraction stores
                        for claim, row in zip(claims, rows, strict=True):
                            if row != jobs._claim_row(claim):
                                raise RuntimeError(f"claim_row differs from jobs._claim_row: {row}")
                    written += len(rows)
                    pending.append((doc_id, version, rows))
                    if len(pending) >= 500:
                        flush()
            flush()
            assert written == n_claims, (written, n_claims)
            timings["claims_write"] = round(timings["claims_write"], 3)
            lap("claims")
            say(f"stored {written:,} claims")

        now = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
        assessed = assess_case(store, settings, CASE_SLUG, now=now)
        lap("assess")
        say(
            f"assessed: {len(assessed.assessment.grades):,} grades, "
            f"{len(assessed.assessment.contradictions):,} contradictions, "
            f"{len(assessed.new_alerts)} alerts"
        )
        folder = directory / "indicators"
        folder.mkdir(exist_ok=True)
        for spec in INDICATORS:
            path = folder / f"{spec[0]}.csv"
            path.write_text(indicator_csv(seed, spec), encoding="utf-8")
            indicator_jobs.import_file(store, path, indicator=spec[0], case=CASE_SLUG)
        indicator_jobs.detect(store, settings, CASE_SLUG)
        lap("indicators")
    gc.unfreeze()
    timings["total"] = round(time.perf_counter() - started, 3)
    cpu["total"] = round(time.process_time() - started_cpu, 3)
    counts = _counts(directory)
    manifest = {
        "complete": True,
        "params": params,
        "workspace": str(directory.resolve()),
        "database": _redact(settings.database_url),
        "case": CASE_SLUG,
        "case_file": str(case_path.resolve()),
        "as_of": AS_OF.isoformat(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "generated": info,
        "counts": counts,
        "timings_s": timings,
        "cpu_s": cpu,
        "load_average": {"start": load_at_start, "end": [round(x, 2) for x in os.getloadavg()]},
        "database_bytes": _database_bytes(settings.database_url),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    say(f"built in {timings['total']:.1f} s ({cpu['total']:.1f} s CPU)")
    return {**manifest, "reused": False}


@contextlib.contextmanager
def _collector_paused() -> Any:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _database_bytes(url: str) -> int | None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    return None


def parse_count(text: str) -> int:
    text = text.strip().lower()
    mult = 1_000_000 if text.endswith("m") else 1000 if text.endswith("k") else 1
    return int(float(text.rstrip("km")) * mult)


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Build a Watchboard workspace holding a synthetic case with N claims."
    )
    parser.add_argument("directory", type=Path, help="workspace directory (reused if built)")
    parser.add_argument("--claims", default="10k", help="number of claims: 100, 10k, 100k ...")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--database", help="PostgreSQL URL (default: SQLite in the workspace)")
    parser.add_argument(
        "--extract", action="store_true", help="run the real extraction pipeline for claims"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    def progress(text: str) -> None:
        print(f"  {text}", flush=True)

    result = build(
        args.directory,
        parse_count(args.claims),
        seed=args.seed,
        database_url=args.database,
        extract=args.extract,
        progress=progress,
    )
    print(
        json.dumps({k: result.get(k) for k in ("counts", "timings_s", "cpu_s", "reused")}, indent=2)
    )
    print(f"workspace: {result['workspace']} ({result['database']})")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
