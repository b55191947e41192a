#!/usr/bin/env python
"""Assessment scaling: matching and grading cost for 1k, 10k and 100k claims.

``watchboard.assess.assess`` is a pure function of claim records, so no database is involved:
each size runs in a fresh subprocess that generates a synthetic, seeded archive of claim
records, then times

1. ``watchboard.assess.matching.match_claims`` alone (blocking, candidate pairs, scoring), and
2. the full ``assess()`` (matching again, contradictions, anachronisms, origins, one grade per
   claim, milestones, suggestions), with the time of each stage.

Generation is not measured. Per size it reports wall and CPU time, claims/s, compared pairs
(and pairs per claim, against the N(N-1)/2 of all pairs), matches, skipped blocks, peak RSS of
the child (``VmHWM``, reset after generation so it belongs to the measured call) and the growth
of the cost per claim between sizes (the "near linear" check: a log-log slope of 1.0 is
linear, 2.0 is all pairs). Because the generator plants the stories it re-reports, it also
reports how many of the planted same-story pairs the blocking still finds at each size.

The synthetic archive (``generate``): N claims in N/8 documents over three years (2023-2025);
40 outlets in 25 independence groups with reliabilities A-F; 11 event types plus None; nine
modalities; quotes of 15-40 words (function words and content words drawn from a vocabulary of
5,000 pseudo-words with Zipf frequencies, plus event trigger words, place and actor names);
N/20 stories re-reported by 1-6 outlets within three days with paraphrase noise (and some
changed numbers, places, dates and denials, so contradictions exist); 300 places (towns, sites,
provinces and countries with feature ``A.PCLI``); day/month/year dates; quantities with slots;
200 actors; attribution chains of 1-3 links, some with unidentified sources; 6 % of documents
are near-duplicate copies sharing their original's cluster id.

Usage::

    .venv/bin/python benchmarks/bench_assess.py                    # 1k, 10k, 100k
    .venv/bin/python benchmarks/bench_assess.py --quick            # 1k, 10k
    .venv/bin/python benchmarks/bench_assess.py --sizes 1k,30k --seed 7
    .venv/bin/python benchmarks/bench_assess.py --profile          # cProfile one 10k assess()

A measured phase that runs longer than ``--max-seconds`` (default 600) or grows past
``--max-rss-mb`` (default 4096) is stopped; the figures gathered so far are reported and a
10k run is profiled (``--no-auto-profile`` to skip). Writes
``bench-results/assess-<UTC timestamp>.json``.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import gc
import itertools
import json
import math
import os
import platform
import random
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _git import git_state  # noqa: E402

REPO = HERE.parent
RESULTS_DIR = REPO / "bench-results"
DEFAULT_SIZES = "1000,10000,100000"
QUICK_SIZES = "1000,10000"
SEED = 20260101
START_DAY = date(2023, 1, 1)
DAYS = 1096  # 2023-01-01 .. 2025-12-31
CLAIMS_PER_DOC = 8
CLAIMS_PER_STORY = 20  # N / 20 stories
VOCAB = 5_000
DUPLICATE_SHARE = 0.06
LINEAR_SLOPE = 1.2  # log-log slope of time against N still called "near linear"


# -- synthetic archive --------------------------------------------------------------------

EVENT_TYPES = {
    # event type: (weight, trigger words)
    "statement": (18, ["said", "declared", "warned", "stressed", "denounced"]),
    "visit_or_inspection": (14, ["inspected", "visited", "toured", "guidance"]),
    "meeting_or_congress": (12, ["meeting", "plenum", "congress", "session", "convened"]),
    "construction": (9, ["construction", "built", "completed", "groundbreaking", "building"]),
    "production": (8, ["production", "output", "produced", "harvest", "manufactured"]),
    "directive": (7, ["ordered", "instructed", "directive", "decree", "called"]),
    "test_or_launch": (6, ["launched", "test", "fired", "missile", "engine"]),
    "sanction_or_diplomatic_action": (6, ["sanctions", "envoy", "talks", "resolution", "embassy"]),
    "procurement_or_trade": (5, ["imports", "shipment", "trade", "exported", "purchased"]),
    "deployment": (4, ["deployed", "stationed", "moved", "battery", "troops"]),
    "personnel": (4, ["appointed", "dismissed", "promoted", "replaced", "elected"]),
}
NO_EVENT_WEIGHT = 12  # % of claims with event_type None

MODALITIES = {
    "stated": 35,
    "completed": 20,
    "observed": 12,
    "under_way": 8,
    "planned": 8,
    "ordered": 5,
    "projected": 4,
    "speculative": 5,
    "denied": 3,
}
_FUNCTION_TEXT = (
    "the the the of of and and in in to a a on for with at by from that was were is has had"
    " its their this an as new which after more than also"
)
FUNCTION_WORDS = _FUNCTION_TEXT.split()
COUNTED = ["missiles", "workers", "tanks", "ships", "launchers", "families", "flats", "tractors"]
UNITS = ["tons", "hectares", "km", "megawatts", "percent", "dollars", "barrels"]
RELIABILITY_WEIGHTS = {"A": 4, "B": 22, "C": 36, "D": 20, "E": 10, "F": 8}
UNIDENTIFIED = ["sources", "a source", "officials", "diplomatic sources", "an insider"]
UNDISCLOSED = [
    ("did not say where", "place"),
    ("did not say how many", "quantity"),
    ("did not say when", "time"),
]
PROVINCES = ["01", "03", "06", "07", "09", "11", "12", "13", "14", "15", "17", "18"]
COUNTRIES = [("KP", 40.0, 127.0), ("KR", 36.5, 127.8), ("CN", 35.0, 103.0), ("RU", 60.0, 90.0)]
COUNTRIES += [("JP", 36.0, 138.0), ("US", 39.8, -98.6), ("IR", 32.0, 53.0), ("SY", 35.0, 38.0)]


def _pseudo_words(rng: random.Random, n: int, *, min_len: int = 4) -> list[str]:
    onsets = ("b", "ch", "d", "g", "h", "j", "k", "m", "n", "p", "r", "t", "y", "kw", "sh", "pr")
    vowels = ["a", "o", "u", "i", "e", "ae", "eo", "ou"]
    codas = ["", "", "", "n", "ng", "l", "k", "m", "p"]
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < n:
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
            for _ in range(rng.choice((2, 2, 3, 3, 4)))
        )
        # No endings the stemmer strips ("-s", "-ed", "-ing", "-ies"): one word, one term.
        if len(word) < min_len or word in seen or word.endswith(("s", "ed", "ing", "ies")):
            continue
        seen.add(word)
        words.append(word)
    return words


def _zipf_cum(n: int, s: float = 1.0, q: float = 2.7) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights 1/(rank + q)^s for ranks 1..n."""
    return list(itertools.accumulate(1.0 / (r + q) ** s for r in range(1, n + 1)))


class World:
    """The fixed parts of the archive: vocabulary, outlets, sources, places, actors."""

    def __init__(self, rng: random.Random, vocab: int = VOCAB) -> None:
        from watchboard.assess import SourceInfo
        from watchboard.assess.records import PlaceSlot

        self.vocab = _pseudo_words(rng, vocab)
        self.vocab_cum = _zipf_cum(len(self.vocab))
        # Outlets: 25 groups; the first 25 outlets found them, 15 more join existing groups.
        outlets = ["KCNA", "Rodong Sinmun", "Yonhap", "Reuters", "AP", "AFP", "Kyodo"]
        outlets += ["Xinhua", "TASS", "NK News", "Daily NK", "38 North", "BBC", "NHK"]
        outlets += [f"Outlet {i}" for i in range(len(outlets), 40)]
        group_of: dict[str, str] = {}
        for i, name in enumerate(outlets):
            if i < 25:
                group_of[name] = f"group-{i:02d}"
            else:
                group_of[name] = f"group-{rng.randrange(25):02d}"
        group_of["Rodong Sinmun"] = group_of["KCNA"]  # state media speak with one voice
        grades = list(RELIABILITY_WEIGHTS)
        self.sources = [
            SourceInfo(
                name=name,
                reliability="C"
                if name in ("KCNA", "Rodong Sinmun")
                else rng.choices(grades, weights=list(RELIABILITY_WEIGHTS.values()))[0],
                group=group_of[name],
                kind="state_media" if group_of[name] == group_of["KCNA"] else "news",
                names=(name.lower(),),
            )
            for name in outlets
        ]
        # Registered sources that appear only inside attribution chains.
        for i, name in enumerate(["Ministry of Unification", "Joint Chiefs of Staff", "IAEA"]):
            self.sources.append(
                SourceInfo(name, "B", f"agency-{i}", kind="government", names=(name.lower(),))
            )
        self.outlets = outlets
        self.outlet_weights = [6 if i < 14 else 1 for i in range(len(outlets))]
        self.chain_sources = [s.name for s in self.sources]
        # Places: 240 towns, 40 sites, 12 provinces, 8 countries (300), popularity Zipf.
        names = [w.capitalize() for w in _pseudo_words(rng, 300, min_len=5)]
        places: list[PlaceSlot] = []
        for i in range(240):
            places.append(
                PlaceSlot(
                    text=names[i],
                    resolved=True,
                    name=names[i],
                    lat=round(rng.uniform(37.7, 42.9), 4),
                    lon=round(rng.uniform(124.3, 130.6), 4),
                    geonames_id=2_000_000 + i,
                    country="KP",
                    admin1=rng.choice(PROVINCES),
                    feature="P.PPL",
                    site=None,
                )
            )
        for i in range(40):
            town = places[rng.randrange(240)]
            places.append(
                PlaceSlot(
                    text=f"{names[240 + i]} complex",
                    resolved=True,
                    name=f"{names[240 + i]} complex",
                    lat=round((town.lat or 0) + rng.uniform(-0.1, 0.1), 4),
                    lon=round((town.lon or 0) + rng.uniform(-0.1, 0.1), 4),
                    geonames_id=None,
                    country="KP",
                    admin1=town.admin1,
                    feature="S.INSM",
                    site=f"site-{i:02d}",
                )
            )
        for i, code in enumerate(PROVINCES):
            places.append(
                PlaceSlot(
                    text=f"{names[280 + i]} Province",
                    resolved=True,
                    name=f"{names[280 + i]} Province",
                    lat=round(rng.uniform(38.5, 42.0), 4),
                    lon=round(rng.uniform(125.0, 130.0), 4),
                    geonames_id=2_100_000 + i,
                    country="KP",
                    admin1=code,
                    feature="A.ADM1",
                    site=None,
                )
            )
        for i, (code, lat, lon) in enumerate(COUNTRIES):
            places.append(
                PlaceSlot(
                    text=names[292 + i],
                    resolved=True,
                    name=names[292 + i],
                    lat=lat,
                    lon=lon,
                    geonames_id=2_200_000 + i,
                    country=code,
                    admin1=None,
                    feature="A.PCLI",
                    site=None,
                )
            )
        order = list(range(len(places)))
        rng.shuffle(order)
        self.places = [places[i] for i in order]
        self.place_cum = _zipf_cum(len(self.places))
        self.towns = [p for p in places if p.feature == "P.PPL"]
        self.unresolved = [
            PlaceSlot(w.capitalize(), False, None, None, None, None, None, None, None, None)
            for w in _pseudo_words(rng, 40, min_len=5)
        ]
        given = [w.capitalize() for w in _pseudo_words(rng, 60, min_len=4)]
        family = ["Kim", "Pak", "Ri", "Choe", "Jang", "O", "Han", "Jo", "Kang", "Yun"]
        self.actors = [f"{rng.choice(family)} {rng.choice(given)} {rng.choice(given)}"]
        while len(self.actors) < 200:
            name = f"{rng.choice(family)} {rng.choice(given)} {rng.choice(given)}"
            if name not in self.actors:
                self.actors.append(name)
        self.actor_cum = _zipf_cum(len(self.actors))
        self.event_types = list(EVENT_TYPES)
        self.event_weights = [EVENT_TYPES[e][0] for e in self.event_types]
        self.modalities = list(MODALITIES)
        self.modality_weights = list(MODALITIES.values())

    # content of one claim -----------------------------------------------------------------

    def words(self, rng: random.Random, n: int) -> list[str]:
        """n tokens: about a third function words, the rest Zipf-distributed content words."""
        content = rng.choices(self.vocab, cum_weights=self.vocab_cum, k=n)
        return [rng.choice(FUNCTION_WORDS) if rng.random() < 0.33 else w for w in content]

    def event(self, rng: random.Random) -> str | None:
        if rng.random() * 100 < NO_EVENT_WEIGHT:
            return None
        return rng.choices(self.event_types, weights=self.event_weights)[0]

    def content(self, rng: random.Random, day: int) -> dict[str, Any]:
        """A claim's content before it is put into a document: the quote's words and slots."""
        event_type = self.event(rng)
        modality = rng.choices(self.modalities, weights=self.modality_weights)[0]
        words = self.words(rng, rng.randint(15, 40))
        if event_type is not None:
            words.insert(rng.randrange(len(words)), rng.choice(EVENT_TYPES[event_type][1]))
        n_places = rng.choices((0, 1, 2), weights=(30, 50, 20))[0]
        places = []
        for _ in range(n_places):
            if rng.random() < 0.05:
                places.append(rng.choice(self.unresolved))
            else:
                places.append(rng.choices(self.places, cum_weights=self.place_cum)[0])
        n_actors = rng.choices((0, 1, 2), weights=(40, 45, 15))[0]
        actors = sorted(
            {rng.choices(self.actors, cum_weights=self.actor_cum)[0] for _ in range(n_actors)}
        )
        time = None
        if rng.random() < 0.7:
            if modality in ("planned", "projected", "ordered"):
                # A deadline or target in the future: material for milestone suggestions.
                offset = rng.randint(20, 500)
                gran = rng.choice(("month", "month", "year", "day"))
            elif rng.random() < 0.01:
                offset, gran = rng.randint(3, 60), "day"  # an anachronism
            else:
                offset = -rng.randint(0, 7)
                gran = rng.choices(("day", "month", "year"), weights=(60, 25, 15))[0]
            time = (day + offset, gran)
        quantity = None
        if rng.random() < 0.3:
            if rng.random() < 0.55:
                unit, counted = None, rng.choice(COUNTED)
            else:
                unit, counted = rng.choice(UNITS), None
            value = float(round(10 ** rng.uniform(0.5, 5)))
            bound = rng.choices(("exact", "approx", "upper", "lower"), weights=(70, 15, 8, 7))[0]
            per = rng.choice(("month", "year")) if unit and rng.random() < 0.2 else None
            quantity = (value, bound, unit, counted, per)
        negated = modality != "denied" and rng.random() < 0.03
        undisclosed = None
        if rng.random() < 0.02:
            undisclosed = rng.choice(UNDISCLOSED)
            negated = True
        return {
            "event_type": event_type,
            "modality": modality,
            "words": words,
            "places": places,
            "actors": actors,
            "time": time,
            "quantity": quantity,
            "negated": negated,
            "undisclosed": undisclosed,
        }

    def paraphrase(self, rng: random.Random, base: dict[str, Any]) -> dict[str, Any]:
        """Another outlet's report of the same story: reworded, sometimes disagreeing."""
        words = []
        for w in base["words"]:
            r = rng.random()
            if r < 0.05:
                continue  # dropped
            if r < 0.27:
                words.extend(self.words(rng, 1))  # replaced
            else:
                words.append(w)
            if rng.random() < 0.04:
                words.extend(self.words(rng, 1))  # inserted
        out = dict(base, words=words)
        r = rng.random()
        if r < 0.04:
            out["modality"] = "denied"
        elif r < 0.14:
            out["modality"] = rng.choice(("stated", "completed", "observed"))
        if base["quantity"] and rng.random() < 0.15:
            value, *rest = base["quantity"]
            out["quantity"] = (float(round(value * rng.uniform(1.5, 3.0))), *rest)
        if base["places"] and rng.random() < 0.05:
            out["places"] = [rng.choice(self.towns)]  # a different town: a place conflict
        if base["time"] and rng.random() < 0.2:
            day, gran = base["time"]
            out["time"] = (day, "month" if gran == "day" else gran)  # less precise
        if rng.random() < 0.3:
            out["actors"] = base["actors"][:1]
        if rng.random() < 0.05:
            out["event_type"] = self.event(rng)  # the paraphrase reads as another event type
        return out


def _time_slot(day: int, gran: str, offset: int) -> tuple[str, Any]:
    from watchboard.assess.records import TimeSlot

    d = START_DAY + timedelta(days=day)
    if gran == "day":
        start, end, value, text = d, d + timedelta(days=1), d.isoformat(), f"{d:%-d %B %Y}"
    elif gran == "month":
        start = d.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        value, text = f"{d:%Y-%m}", f"{d:%B %Y}"
    else:
        start, end = date(d.year, 1, 1), date(d.year + 1, 1, 1)
        value, text = str(d.year), f"in {d.year}"
    return text, TimeSlot(text, "DATE", value, start, end, gran, None, offset)


def _render(
    world: World,
    rng: random.Random,
    spec: dict[str, Any],
    doc: dict[str, Any],
    claim_id: str,
    offset: int,
) -> Any:
    """One ClaimRecord from a claim's content in a document (quote text, spans, chain)."""
    from watchboard.assess import ClaimRecord
    from watchboard.assess.records import PlaceSlot, QuantitySlot

    parts = list(spec["words"])
    for actor in spec["actors"]:
        parts.insert(rng.randrange(len(parts) + 1), actor)
    text = " ".join(parts)
    quote = text[0].upper() + text[1:]
    places, times, quantities = [], [], []
    for place in spec["places"]:
        quote += f" in {place.text}"
        places.append(
            PlaceSlot(**{**place.__dict__, "offset": offset + len(quote) - len(place.text)})
        )
    if spec["time"]:
        day, gran = spec["time"]
        text, slot = _time_slot(day, gran, 0)
        quote += " on " if gran == "day" else " "
        times.append(type(slot)(**{**slot.__dict__, "offset": offset + len(quote), "text": text}))
        quote += text
    if spec["quantity"]:
        value, bound, unit, counted, per = spec["quantity"]
        prefix = {"exact": "", "approx": "about ", "upper": "up to ", "lower": "more than "}
        q_text = f"{prefix[bound]}{value:,.0f} {unit or counted}" + (f" a {per}" if per else "")
        quote += f", with {q_text}"
        low = value if bound != "upper" else None
        high = value if bound != "lower" else None
        quantities.append(QuantitySlot(q_text, low, high, bound, unit, counted, per))
    if spec["undisclosed"]:
        quote += f"; it {spec['undisclosed'][0]}"
    # Attribution chain: the outlet itself, a registered source, or an unidentified one.
    r = rng.random()
    identified = True
    if r < 0.55:
        chain: tuple[str, ...] = (doc["outlet"],)
    elif r < 0.80:
        chain = (doc["outlet"], rng.choice(world.chain_sources))
    elif r < 0.91:
        chain = (
            doc["outlet"],
            rng.choice(world.chain_sources),
            rng.choices(world.actors, cum_weights=world.actor_cum)[0],
        )
    else:
        chain = (doc["outlet"], rng.choice(UNIDENTIFIED))
        identified = False
    chain = tuple(dict.fromkeys(chain))  # "KCNA" quoting "KCNA" is one link
    cue = source = None
    attribution_text = ""
    if len(chain) > 1:
        quote += ", "
        source = (offset + len(quote), offset + len(quote) + len(chain[-1]))
        quote += chain[-1]
        cue = (offset + len(quote) + 1, offset + len(quote) + 5)
        quote += " said"
        attribution_text = f"said {chain[-1]}"
    quote += "."
    return ClaimRecord(
        id=claim_id,
        document_id=doc["id"],
        case="bench",
        quote=quote,
        start=offset,
        end=offset + len(quote),
        chain=chain,
        asserted_by=chain[-1],
        source_identified=identified,
        modality=spec["modality"],
        event_type=spec["event_type"],
        negated=spec["negated"],
        undisclosed=spec["undisclosed"] is not None,
        outlet=doc["outlet"],
        cluster=doc["cluster"],
        published=START_DAY + timedelta(days=doc["day"]),
        available_at=doc["available_at"],
        title=None,
        url=None,
        attribution_text=attribution_text,
        attribution_cue=cue,
        attribution_source=source,
        times=tuple(times),
        places=tuple(places),
        quantities=tuple(quantities),
        actors=tuple(a.lower() for a in spec["actors"]),
    )


def generate(
    n: int, seed: int, vocab: int = VOCAB
) -> tuple[list[Any], list[Any], list[str], dict[str, Any]]:
    """N claim records, the sources, each record's origin (a story id, or its own id copied
    to near-duplicates), and a description of the archive."""
    rng = random.Random(seed)
    world = World(random.Random(seed + 1), vocab)
    n_docs = max(1, n // CLAIMS_PER_DOC)
    docs = []
    for _ in range(n_docs):
        day = rng.randrange(DAYS)
        docs.append(
            {
                "day": day,
                "outlet": rng.choices(world.outlets, weights=world.outlet_weights)[0],
                "hours": rng.uniform(0, 24),
            }
        )
    docs.sort(key=lambda d: (d["day"], d["hours"]))
    for i, doc in enumerate(docs):
        doc["id"] = f"d{i:07d}"
        doc["cluster"] = doc["id"]
        doc["available_at"] = datetime.combine(
            START_DAY + timedelta(days=doc["day"]), datetime.min.time(), tzinfo=UTC
        ) + timedelta(hours=doc["hours"])
        doc["dup_of"] = None
    quota = [1] * n_docs
    for _ in range(n - n_docs):
        quota[rng.randrange(n_docs)] += 1
    days = [d["day"] for d in docs]
    # Near-duplicates: a later copy, by another outlet, of a document up to two days older
    # (or of one of the three before it, when the archive is sparse).
    for i in rng.sample(range(n_docs), int(n_docs * DUPLICATE_SHARE)):
        lo = min(bisect.bisect_left(days, days[i] - 2), i - 3)
        candidates = [
            j
            for j in range(max(0, lo), i)
            if docs[j]["dup_of"] is None and docs[j]["outlet"] != docs[i]["outlet"]
        ]
        if candidates and docs[i]["dup_of"] is None:
            j = rng.choice(candidates[-20:])
            docs[i]["dup_of"] = j
            docs[i]["cluster"] = docs[j]["cluster"]
    free = [0 if d["dup_of"] is not None else q for d, q in zip(docs, quota, strict=True)]
    specs: list[list[tuple[dict[str, Any], str]]] = [[] for _ in range(n_docs)]
    # Stories: a first report, re-reported by up to 5 other outlets within three days (or
    # by the next documents, when the archive is too sparse for that).
    n_stories = max(1, n // CLAIMS_PER_STORY)
    planted = 0
    for s in range(n_stories):
        first = rng.randrange(n_docs)
        while free[first] == 0:
            first = rng.randrange(n_docs)
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
            if docs[j]["outlet"] in outlets:
                continue
            outlets.add(docs[j]["outlet"])
            spec = base if taken == 0 else world.paraphrase(rng, base)
            specs[j].append((spec, f"s{s}"))
            free[j] -= 1
            taken += 1
        planted += taken
    for j in range(n_docs):
        for _ in range(free[j]):
            specs[j].append((world.content(rng, docs[j]["day"]), f"u{j}.{len(specs[j])}"))
        rng.shuffle(specs[j])
    for j, doc in enumerate(docs):
        if doc["dup_of"] is not None:
            original = specs[doc["dup_of"]][: quota[j]]
            specs[j] = list(original)
            specs[j] += [
                (world.content(rng, doc["day"]), f"u{j}.{c}")
                for c in range(len(original), quota[j])
            ]
    records: list[Any] = []
    stories: list[str] = []  # the content's origin: story "s<n>", or "u<doc>.<n>" alone
    for j, doc in enumerate(docs):
        offset = rng.randint(40, 120)  # after the title and dateline
        for c, (spec, story) in enumerate(specs[j]):
            record = _render(world, rng, spec, doc, f"{doc['id']}-c{c:02d}", offset)
            records.append(record)
            stories.append(story)
            offset = record.end + 1
    events = Counter(r.event_type or "None" for r in records)
    info = {
        "claims": len(records),
        "documents": n_docs,
        "near_duplicate_documents": sum(d["dup_of"] is not None for d in docs),
        "clusters": len({d["cluster"] for d in docs}),
        "stories": n_stories,
        "story_claims": sum(s.startswith("s") for s in stories),
        "story_reports_planted": planted,
        "outlets": len(world.outlets),
        "independence_groups": len({s.group for s in world.sources}),
        "sources_registered": len(world.sources),
        "event_types": dict(sorted(events.items(), key=lambda kv: -kv[1])),
        "modalities": dict(Counter(r.modality for r in records).most_common()),
        "with_place": sum(bool(r.places) for r in records),
        "with_time": sum(bool(r.times) for r in records),
        "with_quantity": sum(bool(r.quantities) for r in records),
        "with_actor": sum(bool(r.actors) for r in records),
        "unidentified_source": sum(not r.source_identified for r in records),
        "mean_quote_words": round(sum(len(r.quote.split()) for r in records) / len(records), 1),
        "published_range": [
            min(r.published for r in records).isoformat(),
            max(r.published for r in records).isoformat(),
        ],
        "ids_sha256": sha256("\n".join(r.quote for r in records).encode()).hexdigest()[:16],
    }
    return records, world.sources, stories, info


def milestone_specs(records: list[Any], count: int, seed: int) -> list[Any]:
    """A case's milestones: titles taken from story claims, due windows across the period."""
    from watchboard.assess import MilestoneSpec

    rng = random.Random(seed + 2)
    typed = [r for r in records if r.event_type and r.event_type != "statement"]
    out = []
    for i in range(min(count, len(typed))):
        r = rng.choice(typed)
        words = [w for w in r.quote.split() if len(w) > 4 and w.isalpha()][:3]
        start = START_DAY + timedelta(days=rng.randrange(DAYS - 120))
        site = next((p for p in r.places if p.site), None)
        out.append(
            MilestoneSpec(
                key=f"m{i}",
                title=" ".join(words) or "milestone",
                due_start=start,
                due_end=start + timedelta(days=rng.randint(30, 180)),
                event_type=r.event_type,
                site=site,
            )
        )
    return out


# -- the measured child -------------------------------------------------------------------


def _vm_kib(field: str) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+), so the next peak is the next call's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _mb(kib: int | None) -> float | None:
    return round(kib / 1024, 1) if kib is not None else None


def block_stats(records: list[Any], rules: Any) -> dict[str, Any]:
    """What the blocking does at this size (outside the clock): block sizes, skipped blocks,
    and the claims left with no compared block at all (they can never be matched)."""
    from watchboard.assess import matching
    from watchboard.assess.terms import content_terms, idf_weights

    settings = rules.matching
    terms = [content_terms(r.quote, exclude=r.attribution_text) for r in records]
    idf = idf_weights(terms)
    # As matching.py blocks at the time of writing: every claim under its _keys(), across
    # event types. The caller checks the skipped-block count against match_claims' own.
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        for key in matching._keys(r, terms[i], idf, settings.keys_per_claim):
            blocks[key].append(i)
    compared = [m for m in blocks.values() if len(m) <= settings.max_block]
    skipped = [m for m in blocks.values() if len(m) > settings.max_block]
    reachable: set[int] = set()
    for m in compared:
        if len(m) > 1:
            reachable.update(m)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for key, m in blocks.items():
        by_kind[key[0]].append(len(m))
    return {
        "blocks": len(blocks),
        "blocks_compared": len(compared),
        "blocks_skipped": len(skipped),
        "claims_in_skipped_blocks": sum(len(m) for m in skipped),
        "largest_compared_block": max((len(m) for m in compared), default=0),
        "largest_block": max((len(m) for m in blocks.values()), default=0),
        "pairs_before_dedup": sum(len(m) * (len(m) - 1) // 2 for m in compared),
        "claims_with_no_compared_partner": len(records) - len(reachable),
        "by_key_kind": {
            {"t": "term", "s": "site", "g": "place", "a": "actor"}[k]: {
                "blocks": len(v),
                "skipped": sum(x > settings.max_block for x in v),
                "max": max(v),
            }
            for k, v in sorted(by_kind.items())
        },
    }


def recall_stats(records: list[Any], stories: list[str], result: Any) -> dict[str, Any]:
    """How many planted pairs (two reports of one story, or a claim and its copy in a
    near-duplicate document, in two documents) were matched, directly or through a match
    group, and how many matches join claims of different origins."""
    story_of = {r.id: s for r, s in zip(records, stories, strict=True)}
    doc_of = {r.id: r.document_id for r in records}
    members: dict[str, list[str]] = defaultdict(list)
    for r, s in zip(records, stories, strict=True):
        members[s].append(r.id)
    matched = {(m.a, m.b) for m in result.matches}
    gold = direct = grouped = 0
    for ids in members.values():
        for a, b in itertools.combinations(sorted(ids), 2):
            if doc_of[a] == doc_of[b]:
                continue
            gold += 1
            direct += (a, b) in matched
            grouped += result.groups[a] == result.groups[b]
    # Matches between claims of different origins: chance look-alikes (random words that
    # happen to share rare terms, an actor and a place), i.e. false matches.
    spurious = sum(story_of[m.a] != story_of[m.b] for m in result.matches)
    return {
        "planted_pairs": gold,
        "matched_directly": direct,
        "in_same_group": grouped,
        "recall_direct": round(direct / gold, 4) if gold else None,
        "recall_grouped": round(grouped / gold, 4) if gold else None,
        "matches_outside_planted_stories": spurious,
        "match_groups_of_2_or_more": sum(
            1 for n in Counter(result.groups.values()).values() if n > 1
        ),
        "largest_match_group": max(Counter(result.groups.values()).values(), default=0),
    }


class Stages:
    """Wall time of each stage inside assess(), by wrapping the functions engine.py calls.
    One extra Python call per stage (per claim for grading): a few ms at 100k claims."""

    NAMES = (
        "match_claims",
        "contradictions",
        "anachronisms",
        "origins",
        "grade (per claim)",
        "milestone_status",
        "suggestions",
    )

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(self.NAMES, 0.0)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, module: Any, attr: str, name: str) -> None:
        original = getattr(module, attr)
        seconds = self.seconds
        clock = time.perf_counter

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = clock()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[name] += clock() - t

        setattr(module, attr, timed)
        self._undo.append((module, attr, original))

    def __enter__(self) -> Stages:
        from watchboard.assess import conflicts, engine

        self.wrap(engine, "match_claims", "match_claims")
        self.wrap(conflicts, "contradictions", "contradictions")
        self.wrap(conflicts, "anachronisms", "anachronisms")
        self.wrap(engine, "origins", "origins")
        self.wrap(engine, "_grade", "grade (per claim)")
        self.wrap(engine, "milestone_status", "milestone_status")
        self.wrap(engine, "suggestions", "suggestions")
        return self

    def __exit__(self, *exc: object) -> None:
        for module, attr, original in reversed(self._undo):
            setattr(module, attr, original)


def child(args: argparse.Namespace) -> int:
    """Generate one archive, time match_claims and assess on it, write figures as JSON."""
    import resource

    out: dict[str, Any] = {"size": args.size, "phase": "import", "phase_started": time.time()}
    result_path = Path(args.result)

    def save(**fields: Any) -> None:
        out.update(fields)
        result_path.write_text(json.dumps(out, default=str), encoding="utf-8")

    from watchboard.assess import assess, load_rules
    from watchboard.assess.matching import match_claims

    save(phase="generate", phase_started=time.time())
    t = time.perf_counter()
    records, sources, stories, info = generate(args.size, args.seed, args.vocab)
    milestones = milestone_specs(records, args.milestones, args.seed)
    as_of = max(r.published for r in records)
    rules = load_rules()
    # Warm-up outside the clock: rule and term tables, regexes, imports of every stage.
    assess("bench", records[:200], sources, as_of=as_of, milestones=milestones[:1], rules=rules)
    save(generation_s=round(time.perf_counter() - t, 3), dataset=info)
    # The blocks matching will compare, before the clock starts: known even if a run is stopped.
    save(phase="blocking", phase_started=time.time(), blocking=block_stats(records, rules))
    gc.collect()
    rss_base = _vm_kib("VmRSS")
    save(rss_after_generation_mb=_mb(rss_base))

    # 1. match_claims alone
    hwm_ok = _reset_peak()
    save(phase="match_claims", phase_started=time.time())
    t, c = time.perf_counter(), time.process_time()
    matched = match_claims(records, rules.matching)
    match_s, match_cpu = time.perf_counter() - t, time.process_time() - c
    save(
        match_claims={
            "seconds": round(match_s, 3),
            "cpu_seconds": round(match_cpu, 3),
            "compared_pairs": matched.compared,
            "matches": len(matched.matches),
            "skipped_blocks": matched.skipped_keys,
            "peak_rss_mb": _mb(_vm_kib("VmHWM")) if hwm_ok else None,
        }
    )
    del matched
    gc.collect()

    # 2. the full assess(), stage by stage
    rss_before = _vm_kib("VmRSS")
    hwm_ok = _reset_peak()
    save(phase="assess", phase_started=time.time())
    with Stages() as stages:
        t, c = time.perf_counter(), time.process_time()
        result = assess("bench", records, sources, as_of=as_of, milestones=milestones, rules=rules)
        assess_s, assess_cpu = time.perf_counter() - t, time.process_time() - c
    peak = _vm_kib("VmHWM") if hwm_ok else None
    stage_s = {k: round(v, 3) for k, v in stages.seconds.items()}
    stage_s["other"] = round(assess_s - sum(stages.seconds.values()), 3)
    grades = Counter(g.credibility for g in result.grades.values())
    save(
        phase="after",
        phase_started=time.time(),
        assess={
            "seconds": round(assess_s, 3),
            "cpu_seconds": round(assess_cpu, 3),
            "stages_s": stage_s,
            "stats": result.stats,
            "peak_rss_mb": _mb(peak),
            "rss_before_mb": _mb(rss_before),
            "peak_rss_growth_mb": _mb(peak - rss_before) if peak and rss_before else None,
            "contradictions": dict(Counter(x.kind for x in result.contradictions)),
            "anachronisms": dict(Counter(x.kind for x in result.anachronisms)),
            "credibility": {str(k): grades[k] for k in sorted(grades)},
            "milestones": dict(Counter(m.status for m in result.milestones)),
            "suggestions": len(result.suggestions),
        },
    )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    skipped = result.stats["skipped_blocks"]
    save(recall=recall_stats(records, stories, result.matches))
    del result
    gc.collect()
    out["blocking"]["mirrors_match_claims"] = out["blocking"]["blocks_skipped"] == skipped
    save()

    if args.tracemalloc:
        import tracemalloc

        save(phase="tracemalloc", phase_started=time.time())
        tracemalloc.start()
        tracemalloc.reset_peak()
        t = time.perf_counter()
        assess("bench", records, sources, as_of=as_of, milestones=milestones, rules=rules)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        save(
            tracemalloc={
                "peak_mb": round(traced_peak / 2**20, 1),
                "seconds_under_tracemalloc": round(time.perf_counter() - t, 3),
            }
        )
    save(
        phase="done",
        maxrss_mb=_mb(maxrss),
        load_average_at_end=[round(x, 2) for x in os.getloadavg()],
    )
    return 0


def profile_child(args: argparse.Namespace) -> int:
    """assess() of one generated archive under cProfile; the profile goes to args.profile_out."""
    import cProfile

    from watchboard.assess import assess, load_rules

    records, sources, _, _ = generate(args.size, args.seed, args.vocab)
    milestones = milestone_specs(records, args.milestones, args.seed)
    as_of = max(r.published for r in records)
    rules = load_rules()
    assess("bench", records[:200], sources, as_of=as_of, milestones=milestones[:1], rules=rules)
    profiler = cProfile.Profile()
    t = time.perf_counter()
    profiler.enable()
    assess("bench", records, sources, as_of=as_of, milestones=milestones, rules=rules)
    profiler.disable()
    profiler.dump_stats(args.profile_out)
    Path(args.result).write_text(
        json.dumps({"seconds_under_cprofile": round(time.perf_counter() - t, 3)}),
        encoding="utf-8",
    )
    return 0


# -- the parent ---------------------------------------------------------------------------


def run_child(
    size: int, args: argparse.Namespace, tmp: Path, *, profile_out: str | None = None
) -> dict[str, Any]:
    """Run one size in a fresh interpreter, watching its phase, time and RSS."""
    result = tmp / f"result-{size}{'-profile' if profile_out else ''}.json"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--size",
        str(size),
        "--seed",
        str(args.seed),
        "--milestones",
        str(args.milestones),
        "--vocab",
        str(args.vocab),
        "--result",
        str(result),
    ]
    if args.tracemalloc and not profile_out:
        cmd.append("--tracemalloc")
    if profile_out:
        cmd += ["--profile-out", profile_out]
    env = dict(os.environ, PYTHONHASHSEED="0")  # set iteration order: the same run each time
    proc = subprocess.Popen(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    stopped = None
    peak_seen = 0
    while proc.poll() is None:
        time.sleep(0.5)
        rss = _proc_rss_kib(proc.pid)
        peak_seen = max(peak_seen, rss or 0)
        state = _read_json(result)
        in_phase = time.time() - state.get("phase_started", time.time())
        measured = state.get("phase") in ("match_claims", "assess") or profile_out is not None
        if measured and args.max_seconds and in_phase > args.max_seconds:
            stopped = f"{state.get('phase')} ran longer than {args.max_seconds:.0f} s"
        elif args.max_rss_mb and rss and rss / 1024 > args.max_rss_mb:
            stopped = f"RSS {rss / 1024:.0f} MB > {args.max_rss_mb:.0f} MB in {state.get('phase')}"
        if stopped:
            proc.kill()
            break
    stdout, stderr = proc.communicate()
    state = _read_json(result)
    state["watched_peak_rss_mb"] = round(peak_seen / 1024, 1)
    if stopped:
        state["stopped"] = stopped
    elif proc.returncode != 0:
        sys.stderr.write(stdout.decode() + stderr.decode())
        state["stopped"] = f"child failed with exit code {proc.returncode}"
        state["failed"] = True
    return state


def _proc_rss_kib(pid: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def _read_json(path: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text(encoding="utf-8"))
    return {}


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        if part:
            mult = 1000 if part.endswith("k") else 1
            sizes.append(int(float(part.rstrip("k")) * mult))
    return sorted(set(sizes))


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    commit, dirty = git_state(REPO)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "git_commit": commit,
        "src_has_uncommitted_changes": dirty,
        "assess_digest": _digest(REPO / "src" / "watchboard" / "assess"),
    }


def _digest(root: Path) -> str:
    """A hash of the measured package (code and rule data) as it is now."""
    digest = sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def command_line(args: argparse.Namespace) -> str:
    python = sys.executable
    with contextlib.suppress(ValueError):
        python = str(Path(python).relative_to(REPO))
    cmd = [python, "benchmarks/bench_assess.py", "--sizes", ",".join(map(label, args.size_list))]
    cmd += ["--seed", str(args.seed), "--milestones", str(args.milestones)]
    if args.vocab != VOCAB:
        cmd += ["--vocab", str(args.vocab)]
    cmd += ["--max-seconds", f"{args.max_seconds:g}", "--max-rss-mb", f"{args.max_rss_mb:g}"]
    if args.tracemalloc:
        cmd.append("--tracemalloc")
    return shlex.join(cmd)


def summarize(size: int, st: dict[str, Any]) -> dict[str, Any]:
    m, a = st.get("match_claims") or {}, st.get("assess") or {}
    stats = a.get("stats") or {}
    pairs = stats.get("compared_pairs", m.get("compared_pairs"))
    claims = (st.get("dataset") or {}).get("claims", size)
    all_pairs = claims * (claims - 1) // 2
    return {
        "size": size,
        "claims": claims,
        "documents": (st.get("dataset") or {}).get("documents"),
        "generation_s": st.get("generation_s"),
        "match_s": m.get("seconds"),
        "match_cpu_s": m.get("cpu_seconds"),
        "assess_s": a.get("seconds"),
        "assess_cpu_s": a.get("cpu_seconds"),
        "claims_per_s": round(claims / a["seconds"], 1) if a.get("seconds") else None,
        "assess_us_per_claim": round(1e6 * a["seconds"] / claims, 1) if a.get("seconds") else None,
        "assess_cpu_us_per_claim": round(1e6 * a["cpu_seconds"] / claims, 1)
        if a.get("cpu_seconds")
        else None,
        "match_us_per_claim": round(1e6 * m["seconds"] / claims, 1) if m.get("seconds") else None,
        "compared_pairs": pairs,
        "pairs_per_claim": round(pairs / claims, 2) if pairs is not None else None,
        # sum of n(n-1)/2 over the blocks compared: known before matching starts
        "pairs_upper_bound": (st.get("blocking") or {}).get("pairs_before_dedup"),
        "all_pairs": all_pairs,
        "share_of_all_pairs": pairs / all_pairs if pairs is not None and all_pairs else None,
        "matches": stats.get("matches", m.get("matches")),
        "skipped_blocks": stats.get("skipped_blocks", m.get("skipped_blocks")),
        "rss_after_generation_mb": st.get("rss_after_generation_mb"),
        "match_peak_rss_mb": m.get("peak_rss_mb"),
        "assess_peak_rss_mb": a.get("peak_rss_mb"),
        "assess_peak_rss_growth_mb": a.get("peak_rss_growth_mb"),
        "maxrss_mb": st.get("maxrss_mb") or st.get("watched_peak_rss_mb"),
        "tracemalloc_peak_mb": (st.get("tracemalloc") or {}).get("peak_mb"),
        "stopped": st.get("stopped"),
        "phase_reached": st.get("phase"),
    }


def _f(value: Any, spec: str, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'claims':>7} {'docs':>6} {'gen s':>6} {'match s':>8} {'assess s':>9} {'CPU s':>8}"
        f" {'claims/s':>9} {'us/claim':>9} {'pairs':>11} {'pairs/cl':>8} {'of all':>8}"
        f" {'matches':>8} {'skipped':>7} {'RSS MB':>7} {'+assess':>7}"
    )
    for r in rows:
        share = r["share_of_all_pairs"]
        pairs, per_claim = _f(r["compared_pairs"], ",", 11), _f(r["pairs_per_claim"], ".1f", 8)
        if r["compared_pairs"] is None and r["pairs_upper_bound"] is not None:
            bound = r["pairs_upper_bound"]  # a stopped run: what its blocks would have given
            pairs, per_claim = f"<={bound:,}", f"<={bound / r['claims']:.0f}"
            share = bound / r["all_pairs"] if r["all_pairs"] else None
        print(
            f"{label(r['claims']):>7} {_f(r['documents'], ',', 6)}"
            f" {_f(r['generation_s'], '.1f', 6)} {_f(r['match_s'], '.2f', 8)}"
            f" {_f(r['assess_s'], '.2f', 9)} {_f(r['assess_cpu_s'], '.2f', 8)}"
            f" {_f(r['claims_per_s'], ',.0f', 9)} {_f(r['assess_us_per_claim'], ',.0f', 9)}"
            f" {pairs:>11} {per_claim:>8}"
            f" {'-' if share is None else f'{share:.2e}':>8} {_f(r['matches'], ',', 8)}"
            f" {_f(r['skipped_blocks'], ',', 7)} {_f(r['maxrss_mb'], ',.0f', 7)}"
            f" {_f(r['assess_peak_rss_growth_mb'], ',.0f', 7)}"
            + (f"   STOPPED: {r['stopped']}" if r["stopped"] else "")
        )


def growth(rows: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    """Cost per claim at each size against the smallest, and the log-log slope."""
    done = [r for r in rows if r.get(key)]
    if len(done) < 2:
        return None
    first, last = done[0], done[-1]
    slope = math.log(last[key] / first[key]) / math.log(last["claims"] / first["claims"])
    return {
        "per_claim_ratio": round((last[key] / last["claims"]) / (first[key] / first["claims"]), 2),
        "from": first["claims"],
        "to": last["claims"],
        "loglog_slope": round(slope, 3),
        "steps": [
            {
                "from": a["claims"],
                "to": b["claims"],
                "per_claim_ratio": round((b[key] / b["claims"]) / (a[key] / a["claims"]), 2),
                "slope": round(math.log(b[key] / a[key]) / math.log(b["claims"] / a["claims"]), 3),
            }
            for a, b in itertools.pairwise(done)
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Assessment (matching + grading) scaling.")
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="claims, e.g. 1k,10k,100k")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    parser.add_argument("--seed", type=int, default=SEED, help="generator seed")
    parser.add_argument("--milestones", type=int, default=6, help="milestones in the case")
    parser.add_argument("--vocab", type=int, default=VOCAB, help="content word types (5000)")
    parser.add_argument(
        "--max-seconds", type=float, default=600, help="stop a measured phase after this (0: no)"
    )
    parser.add_argument(
        "--max-rss-mb", type=float, default=4096, help="stop a child above this RSS (0: no)"
    )
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also one assess() under tracemalloc (slow)"
    )
    parser.add_argument("--profile", action="store_true", help="only cProfile one assess()")
    parser.add_argument("--profile-size", default="10k", help="claims for --profile (10k)")
    parser.add_argument(
        "--no-auto-profile", action="store_true", help="no profile when a run is stopped"
    )
    parser.add_argument("--json", type=Path, help="results file (bench-results/assess-<ts>.json)")
    # internal: one measured run
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return profile_child(args) if args.profile_out else child(args)
    args.size_list = parse_sizes(QUICK_SIZES if args.quick else args.sizes)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = args.json or RESULTS_DIR / f"assess-{stamp}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    machine = machine_info()

    print("== assessment scaling: watchboard.assess.assess() on synthetic claim records ==")
    print(
        f"machine:  {machine['cpu']}; {machine['cores']} cores, {machine['memory_gib']} GiB;"
        f" {machine['python']}"
    )
    print(
        f"code:     {machine['git_commit']}"
        + (" (+ uncommitted changes in src/)" if machine["src_has_uncommitted_changes"] else "")
        + f"; src/watchboard/assess digest {machine['assess_digest']}"
    )
    print(f"load avg: {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start")
    print(f"re-run:   {command_line(args)}")

    if args.profile:
        return profile_main(args, json_path.parent)

    results: dict[str, Any] = {
        "benchmark": "assess",
        "started": stamp,
        "command": command_line(args),
        "machine": machine,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "sizes": args.size_list,
            "seed": args.seed,
            "milestones": args.milestones,
            "max_seconds": args.max_seconds,
            "max_rss_mb": args.max_rss_mb,
            "claims_per_document": CLAIMS_PER_DOC,
            "stories": f"N/{CLAIMS_PER_STORY}",
            "vocabulary": args.vocab,
            "days": DAYS,
        },
        "runs": [],
    }
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-assess-") as tmp:
        for size in args.size_list:
            print(f"\n-- {label(size)} claims: fresh subprocess ...", flush=True)
            state = run_child(size, args, Path(tmp))
            row = summarize(size, state)
            rows.append(row)
            results["runs"].append({"summary": row, "detail": state})
            json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
            print_run(row, state)
        print("\n== results ==")
        print_table(rows)
        print(
            "  us/claim = assess() wall time per claim; pairs = candidate pairs scored (<=: upper"
            " bound from\n  the blocks, for a stopped run); of all = pairs / (N(N-1)/2);"
            "\n  RSS MB = the child's peak (archive included); +assess = peak RSS growth during"
            " assess() alone"
        )
        print_stages(rows, results["runs"])
        print_recall(results["runs"])
        results["growth"] = print_growth(rows)
        stopped = [r for r in rows if r["stopped"]]
        if stopped and not args.no_auto_profile:
            print(f"\nA run was stopped: profiling one {args.profile_size} assess() instead.")
            results["profile"] = run_profile(args, Path(tmp), json_path.parent)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nresults: {json_path}")
    print(f"re-run:  {command_line(args)}")
    # A run stopped at a limit is a result (like a capped ingest run); a crash is not.
    return 1 if any(run["detail"].get("failed") for run in results["runs"]) else 0


def print_run(row: dict[str, Any], state: dict[str, Any]) -> None:
    d = state.get("dataset") or {}
    if d:
        print(
            f"   archive: {d['claims']:,} claims, {d['documents']:,} documents"
            f" ({d['near_duplicate_documents']:,} near-duplicates, {d['clusters']:,} clusters),"
            f" {d['stories']:,} stories ({d['story_claims']:,} story claims),"
            f" {d['mean_quote_words']} words/quote, {d['published_range'][0]} to"
            f" {d['published_range'][1]}; generated in {state.get('generation_s', 0):.1f} s"
        )
    if row["match_s"] is not None:
        print(
            f"   match_claims: {row['match_s']:.2f} s ({row['match_cpu_s']:.2f} s CPU),"
            f" peak RSS {row['match_peak_rss_mb']} MB"
        )
    a = state.get("assess")
    if a:
        print(
            f"   assess():     {a['seconds']:.2f} s ({a['cpu_seconds']:.2f} s CPU),"
            f" {row['claims_per_s']:,.0f} claims/s; stats {a['stats']}"
        )
        print(
            f"   contradictions {a['contradictions']}; anachronisms {a['anachronisms']};"
            f" credibility {a['credibility']}; milestones {a['milestones']};"
            f" suggestions {a['suggestions']}"
        )
    if state.get("stopped"):
        print(f"   STOPPED: {state['stopped']} (phase reached: {state.get('phase')})")


def print_stages(rows: list[dict[str, Any]], runs: list[dict[str, Any]]) -> None:
    staged = [
        (r, (run["detail"].get("assess") or {}).get("stages_s"))
        for r, run in zip(rows, runs, strict=True)
    ]
    staged = [(r, s) for r, s in staged if s]
    if not staged:
        return
    print("\n== inside assess(): seconds per stage (and microseconds per claim) ==")
    print(f"{'stage':<20}" + "".join(f"{label(r['claims']):>22}" for r, _ in staged))
    for name in (*Stages.NAMES, "other"):
        cells = "".join(
            f"{s[name]:>11.2f} s {1e6 * s[name] / r['claims']:>6.0f} us" for r, s in staged
        )
        print(f"{name:<20}{cells}")


def print_recall(runs: list[dict[str, Any]]) -> None:
    have = [run["detail"] for run in runs if run["detail"].get("blocking")]
    if not have:
        return
    print("\n== blocking, and the planted re-reports it finds (recall) ==")
    print(
        f"{'claims':>7} {'blocks':>8} {'skipped':>7} {'max cmp':>7} {'pairs <=':>12}"
        f" {'/claim':>7} {'unpaired':>8} {'planted':>8} {'direct':>7} {'grouped':>7}"
        f" {'other m.':>8}"
    )
    for st in have:
        bl, rc = st["blocking"], st.get("recall") or {}
        pairs = bl["pairs_before_dedup"]
        print(
            f"{label(st['size']):>7} {bl['blocks']:>8,} {bl['blocks_skipped']:>7,}"
            f" {bl['largest_compared_block']:>7} {pairs:>12,} {pairs / st['size']:>7.0f}"
            f" {bl['claims_with_no_compared_partner']:>8,} {_f(rc.get('planted_pairs'), ',', 8)}"
            f" {_f(rc.get('recall_direct'), '.3f', 7)} {_f(rc.get('recall_grouped'), '.3f', 7)}"
            f" {_f(rc.get('matches_outside_planted_stories'), ',', 8)}"
        )
    if any(not st["blocking"].get("mirrors_match_claims", True) for st in have):
        print("  WARNING: these block figures no longer mirror matching.py (skipped blocks differ)")
    print(
        "  skipped = blocks over max_block (never compared); max cmp = largest block compared;"
        "\n  pairs <= = sum of n(n-1)/2 over compared blocks (pairs scored before removing"
        " repeats);\n  unpaired = claims sharing no compared block with any other claim;"
        "\n  planted = pairs of claims of one origin (a story's reports, a claim and its"
        " near-duplicate\n  copy) in different documents; direct / grouped = share matched"
        " directly / in one match group;\n  other m. = matches between claims of different"
        " origins (false matches)"
    )


def print_growth(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    print("\n== growth (near linear: cost per claim flat, log-log slope ~1.0; all pairs: 2.0) ==")
    for key, name in (
        ("assess_s", "assess() wall"),
        ("assess_cpu_s", "assess() CPU"),
        ("match_s", "match_claims wall"),
        ("match_cpu_s", "match_claims CPU"),
        ("compared_pairs", "compared pairs"),
    ):
        g = growth(rows, key)
        out[key] = g
        if g is None:
            continue
        steps = ", ".join(
            f"{label(s['from'])}->{label(s['to'])} x{s['per_claim_ratio']} (slope {s['slope']})"
            for s in g["steps"]
        )
        verdict = "near linear" if g["loglog_slope"] <= LINEAR_SLOPE else "SUPER-LINEAR"
        print(
            f"  {name:<18} per claim {label(g['to'])}/{label(g['from'])}: x{g['per_claim_ratio']};"
            f" slope {g['loglog_slope']} -> {verdict}   [{steps}]"
        )
    return out


def run_profile(args: argparse.Namespace, tmp: Path, out_dir: Path) -> dict[str, Any]:
    size = parse_sizes(args.profile_size)[0]
    prof = out_dir / f"assess-profile-{label(size)}.prof"
    state = run_child(size, args, tmp, profile_out=str(prof))
    if state.get("stopped") or not prof.exists():
        print(f"profile run failed: {state.get('stopped')}")
        return {"size": size, "failed": state.get("stopped")}
    print(
        f"\ncProfile of one {label(size)} assess() ({state['seconds_under_cprofile']:.1f} s"
        " under the profiler, which inflates many small calls); top 15 by cumulative time:"
    )
    top = print_profile(str(prof))
    print(f"profile saved to {prof} (open with: python -m pstats {prof})")
    return {"size": size, "path": str(prof), "top_cumulative": top, **state}


def print_profile(path: str, top: int = 15) -> list[dict[str, Any]]:
    import pstats

    stats = pstats.Stats(path)
    stats.sort_stats("cumulative")
    rows = []
    print(f"{'cumtime s':>10} {'tottime s':>10} {'calls':>11}  function")
    for key in stats.fcn_list[: top + 5]:  # type: ignore[attr-defined]
        _cc, nc, tt, ct, _ = stats.stats[key]  # type: ignore[attr-defined]
        filename, line, func = key
        if func == "<module>" or "cProfile" in filename or "bench_assess" in filename:
            continue
        where = filename.split("/src/", 1)[-1].split("site-packages/")[-1]
        rows.append({"function": f"{where}:{line}({func})", "calls": nc, "tottime": tt, "cum": ct})
    for r in rows[:top]:
        print(f"{r['cum']:>10.2f} {r['tottime']:>10.2f} {r['calls']:>11,}  {r['function']}")
    print("\ntop 10 by own time:")
    stats.sort_stats("tottime")
    for key in stats.fcn_list[:10]:  # type: ignore[attr-defined]
        _cc, nc, tt, ct, _ = stats.stats[key]  # type: ignore[attr-defined]
        where = key[0].split("/src/", 1)[-1].split("site-packages/")[-1]
        print(f"{ct:>10.2f} {tt:>10.2f} {nc:>11,}  {where}:{key[1]}({key[2]})")
    return rows[:top]


def profile_main(args: argparse.Namespace, out_dir: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-assess-") as tmp:
        run_profile(args, Path(tmp), out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
