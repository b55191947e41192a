"""Score the time normaliser against TimeML 1.2 gold files (TimeBank, AQUAINT, TempEval-3).

``read_timeml`` turns one ``.tml`` file into the plain text of its ``<TEXT>`` element (tags
removed, entities unescaped), its document creation time and the gold ``TIMEX3`` spans with
offsets into that text. ``evaluate_time`` runs :func:`watchboard.extract.timex.find_times` over
files and scores it TempEval-3 style:

* strict span P/R/F1: a system expression matches a gold one with the same offsets;
* relaxed span P/R/F1: the spans overlap (one-to-one matching);
* value P/R/F1: a relaxed match whose normalised ``value`` equals the gold value counts as a
  true positive; every other system expression is a false positive and every other gold one a
  false negative (so extra or missed expressions cost value F1 too);
* type accuracy over relaxed matches.

The DCT is given to the normaliser, never scored. The reader is regex-based rather than an XML
parser so that slightly malformed files (stray ``&``, undeclared entities) still read.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from watchboard.evaluation.common import PRF, overlaps
from watchboard.model.extraction import TimeExpression

_TAG = re.compile(r"<(/?)([A-Za-z_][\w.:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)(/?)>")
_ATTR = re.compile(r"([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_TEXT_OPEN = re.compile(r"<TEXT(?:\s[^>]*)?>")
_TEXT_CLOSE = re.compile(r"</TEXT\s*>")
_DCT_BLOCK = re.compile(r"<DCT(?:\s[^>]*)?>(.*?)</DCT\s*>", re.S)
_TIMEX_OPEN = re.compile(r"<TIMEX3\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_DATE_VALUE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2}))?)?")
_COMMENT = re.compile(r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>", re.S)


@dataclass(frozen=True)
class GoldTimex:
    """One gold ``TIMEX3`` in the plain text of the document (``end`` exclusive)."""

    start: int
    end: int
    type: str
    value: str
    mod: str | None = None
    text: str = ""
    tid: str = ""


@dataclass(frozen=True)
class TimeMLDoc:
    """A TimeML document: the plain text of ``<TEXT>``, its creation time and the gold."""

    text: str
    dct: date | datetime | None
    gold: list[GoldTimex]
    path: str = ""
    doc_id: str = ""


def _attrs(raw: str) -> dict[str, str]:
    return {m.group(1): html.unescape(m.group(2) or m.group(3) or "") for m in _ATTR.finditer(raw)}


def parse_dct_value(value: str) -> date | datetime | None:
    """Read a TIMEX3 creation-time value ("1998-08-07", "19980108", "1999-04-19T23:14")."""
    m = _DATE_VALUE.match(value.strip())
    if not m:
        return None
    try:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if m.group(4):
            return datetime(y, mo, d, int(m.group(4)), int(m.group(5) or 0), int(m.group(6) or 0))
        return date(y, mo, d)
    except ValueError:
        return None


def _find_dct(raw: str) -> date | datetime | None:
    block = _DCT_BLOCK.search(raw)
    candidates: list[str] = []
    if block:
        candidates.append(block.group(1))
    candidates.append(raw)
    for chunk in candidates:
        for m in _TIMEX_OPEN.finditer(chunk):
            attrs = _attrs(m.group(1))
            if (block and chunk is candidates[0]) or attrs.get("functionInDocument") in (
                "CREATION_TIME",
                "PUBLICATION_TIME",
            ):
                parsed = parse_dct_value(attrs.get("value", ""))
                if parsed is not None:
                    return parsed
    return None


def read_timeml(path: str | Path) -> TimeMLDoc:
    """Read one TimeML 1.2 file.

    Offsets are computed on the text of the ``<TEXT>`` element with every tag removed (EVENT,
    SIGNAL, TIMEX3, ...) and XML entities unescaped. A file without ``<TEXT>`` is read whole
    from its root element. Empty (non-consuming) ``TIMEX3`` elements are not gold spans.
    """
    path = Path(path)
    raw = path.read_text(encoding="utf-8", errors="replace")
    raw = raw.replace("\r\n", "\n")
    doc_id_match = re.search(r"<DOCID>\s*(.*?)\s*</DOCID>", raw, re.S)
    dct = _find_dct(raw)
    open_match = _TEXT_OPEN.search(raw)
    if open_match:
        close_match = _TEXT_CLOSE.search(raw, open_match.end())
        body = raw[open_match.end() : close_match.start() if close_match else len(raw)]
    else:
        body = raw
    body = _COMMENT.sub("", body)

    pieces: list[str] = []
    length = 0
    gold: list[GoldTimex] = []
    stack: list[tuple[int, dict[str, str]]] = []  # open TIMEX3s: (offset, attributes)
    pos = 0
    for m in _TAG.finditer(body):
        chunk = html.unescape(body[pos : m.start()])
        pieces.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, name, attr_text, self_closing = m.group(1), m.group(2), m.group(3), m.group(4)
        if name != "TIMEX3":
            continue
        if closing:
            if stack:
                start, attrs = stack.pop()
                if length > start:
                    gold.append(_gold(start, length, attrs))
        elif not self_closing:
            stack.append((length, _attrs(attr_text)))
    tail = html.unescape(body[pos:])
    pieces.append(tail)
    text = "".join(pieces)
    gold = [
        GoldTimex(g.start, g.end, g.type, g.value, g.mod, text[g.start : g.end], g.tid)
        for g in sorted(gold, key=lambda g: (g.start, g.end))
    ]
    return TimeMLDoc(
        text=text,
        dct=dct,
        gold=gold,
        path=str(path),
        doc_id=doc_id_match.group(1) if doc_id_match else path.stem,
    )


def _gold(start: int, end: int, attrs: dict[str, str]) -> GoldTimex:
    return GoldTimex(
        start=start,
        end=end,
        type=attrs.get("type", "DATE").upper(),
        value=attrs.get("value", ""),
        mod=attrs.get("mod") or None,
        tid=attrs.get("tid", ""),
    )


def timeml_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to the ``.tml`` files inside them (sorted, recursive)."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*.tml") if q.is_file()))
        else:
            found.append(p)
    return found


# --------------------------------------------------------------------------- matching


@dataclass
class _Pair:
    gold: GoldTimex
    system: TimeExpression


def _match(gold: Sequence[GoldTimex], system: Sequence[TimeExpression]) -> list[_Pair]:
    """One-to-one overlap matching: exact spans first, then equal values, then any overlap."""
    pairs: list[_Pair] = []
    used_g: set[int] = set()
    used_s: set[int] = set()

    def key_exact(g: GoldTimex, s: TimeExpression) -> bool:
        return (g.start, g.end) == (s.span.start, s.span.end)

    def key_value(g: GoldTimex, s: TimeExpression) -> bool:
        return canonical_value(g.value) == canonical_value(s.value)

    def key_any(g: GoldTimex, s: TimeExpression) -> bool:
        return True

    for accept in (key_exact, key_value, key_any):
        for gi, g in enumerate(gold):
            if gi in used_g:
                continue
            for si, s in enumerate(system):
                if si in used_s or not overlaps((g.start, g.end), (s.span.start, s.span.end)):
                    continue
                if accept(g, s):
                    pairs.append(_Pair(g, s))
                    used_g.add(gi)
                    used_s.add(si)
                    break
    return pairs


_WEEK = re.compile(r"-W0?([0-9]{1,2})(?![0-9])")


def canonical_value(value: str) -> str:
    """A TIMEX3 value with equivalent notations made equal: ISO week numbers with or without
    a leading zero ("2000-W7" and "2000-W07" are the same week; annotators wrote both)."""
    return _WEEK.sub(lambda m: f"-W{int(m.group(1)):02d}", value.strip())


def _family(rule: str) -> str:
    return rule.split(":", 1)[0] if rule else "?"


def _context(text: str, start: int, end: int, width: int = 60) -> str:
    left = text[max(0, start - width) : start].replace("\n", " ")
    right = text[end : end + width].replace("\n", " ")
    return f"{left}[[{text[start:end]}]]{right}"


@dataclass
class _Tally:
    strict: PRF = field(default_factory=PRF)
    relaxed: PRF = field(default_factory=PRF)
    value: PRF = field(default_factory=PRF)
    value_exact: PRF = field(default_factory=PRF)
    type_ok: int = 0
    matched: int = 0
    docs: int = 0
    gold: int = 0
    system: int = 0


FindTimes = Callable[..., list[TimeExpression]]


def evaluate_time(
    paths: Iterable[str | Path],
    *,
    sample_errors: int = 20,
    find: FindTimes | None = None,
) -> dict[str, Any]:
    """Score ``find_times`` (or ``find``) on TimeML files or directories of them.

    Returns a dict with ``strict``, ``relaxed`` and ``value`` P/R/F1 (``PRF.as_dict``),
    ``type_accuracy`` over relaxed matches, ``by_gold_type`` and ``by_rule`` breakdowns,
    ``errors`` (up to ``sample_errors`` examples, spread over the corpus) and counts.
    """
    if find is None:
        from watchboard.extract.timex import find_times

        find = find_times
    tally = _Tally()
    by_type: dict[str, PRF] = defaultdict(PRF)
    by_rule: dict[str, PRF] = defaultdict(PRF)
    error_kinds: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    for path in timeml_paths(paths):
        doc = read_timeml(path)
        system = find(doc.text, dct=doc.dct)
        tally.docs += 1
        tally.gold += len(doc.gold)
        tally.system += len(system)
        pairs = _match(doc.gold, system)
        matched_g = {id(p.gold) for p in pairs}
        matched_s = {id(p.system) for p in pairs}
        strict_tp = sum(
            1
            for p in pairs
            if (p.gold.start, p.gold.end) == (p.system.span.start, p.system.span.end)
        )
        tally.strict.tp += strict_tp
        tally.strict.fp += len(system) - strict_tp
        tally.strict.fn += len(doc.gold) - strict_tp
        tally.relaxed.tp += len(pairs)
        tally.relaxed.fp += len(system) - len(pairs)
        tally.relaxed.fn += len(doc.gold) - len(pairs)
        value_tp_before = tally.value_exact.tp
        for p in pairs:
            tally.matched += 1
            tally.type_ok += p.gold.type == p.system.type
            fam = _family(p.system.rule)
            tally.value_exact.tp += p.gold.value == p.system.value
            if canonical_value(p.gold.value) == canonical_value(p.system.value):
                tally.value.tp += 1
                by_type[p.gold.type].tp += 1
                by_rule[fam].tp += 1
            else:
                tally.value.fp += 1
                tally.value.fn += 1
                by_type[p.gold.type].fn += 1
                by_rule[fam].fp += 1
                error_kinds["wrong value"] += 1
                errors.append(_error("wrong value", doc, p.gold, p.system))
        exact_tp = tally.value_exact.tp - value_tp_before
        tally.value_exact.fp += len(system) - exact_tp
        tally.value_exact.fn += len(doc.gold) - exact_tp
        for g in doc.gold:
            if id(g) not in matched_g:
                tally.value.fn += 1
                by_type[g.type].fn += 1
                error_kinds["missed"] += 1
                errors.append(_error("missed", doc, g, None))
        for s in system:
            if id(s) not in matched_s:
                tally.value.fp += 1
                by_rule[_family(s.rule)].fp += 1
                error_kinds["spurious"] += 1
                errors.append(_error("spurious", doc, None, s))
    return {
        "documents": tally.docs,
        "gold": tally.gold,
        "system": tally.system,
        "strict": tally.strict.as_dict(),
        "relaxed": tally.relaxed.as_dict(),
        "value": tally.value.as_dict(),
        "value_exact": tally.value_exact.as_dict(),
        "type_accuracy": round(tally.type_ok / tally.matched, 4) if tally.matched else 0.0,
        "by_gold_type": {k: v.as_dict() for k, v in sorted(by_type.items())},
        "by_rule": {k: v.as_dict() for k, v in sorted(by_rule.items())},
        "error_kinds": dict(error_kinds),
        "errors": _sample(errors, sample_errors),
    }


def _error(
    kind: str, doc: TimeMLDoc, gold: GoldTimex | None, system: TimeExpression | None
) -> dict[str, Any]:
    start = min(
        x
        for x in (gold.start if gold else None, system.span.start if system else None)
        if x is not None
    )
    end = max(
        x
        for x in (gold.end if gold else None, system.span.end if system else None)
        if x is not None
    )
    return {
        "kind": kind,
        "doc": doc.doc_id,
        "dct": doc.dct.isoformat() if doc.dct else None,
        "gold_text": gold.text if gold else None,
        "gold_type": gold.type if gold else None,
        "gold_value": gold.value if gold else None,
        "gold_mod": gold.mod if gold else None,
        "system_text": system.span.text if system else None,
        "system_type": system.type if system else None,
        "system_value": system.value if system else None,
        "system_mod": system.mod if system else None,
        "rule": system.rule if system else None,
        "context": _context(doc.text, start, end),
    }


def _sample(errors: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """Every k-th error, so the sample spans the corpus rather than its first document."""
    if n <= 0 or not errors:
        return []
    if len(errors) <= n:
        return errors
    step = len(errors) / n
    return [errors[int(i * step)] for i in range(n)]


# --------------------------------------------------------------------------- report


def format_report(result: dict[str, Any]) -> str:
    """A readable plain-text report of an ``evaluate_time`` result."""
    lines = [
        f"documents {result['documents']}  gold {result['gold']}  system {result['system']}",
        "",
        f"{'':11} {'P':>7} {'R':>7} {'F1':>7} {'tp':>6} {'fp':>6} {'fn':>6}",
    ]
    for name in ("strict", "relaxed", "value", "value_exact"):
        r = result[name]
        lines.append(
            f"{name:11} {r['precision']:7.4f} {r['recall']:7.4f} {r['f1']:7.4f}"
            f" {r['tp']:6.0f} {r['fp']:6.0f} {r['fn']:6.0f}"
        )
    lines.append(f"type accuracy (relaxed matches) {result['type_accuracy']:.4f}")
    lines += ["", "value by gold type (recall):"]
    for k, r in result["by_gold_type"].items():
        lines.append(
            f"  {k:10} R {r['recall']:.4f}  correct {r['tp']:.0f} / {r['tp'] + r['fn']:.0f}"
        )
    lines += ["", "value by rule family (precision):"]
    for k, r in result["by_rule"].items():
        lines.append(
            f"  {k:16} P {r['precision']:.4f}  correct {r['tp']:.0f} / {r['tp'] + r['fp']:.0f}"
        )
    lines += [
        "",
        "errors: " + ", ".join(f"{k} {v}" for k, v in sorted(result["error_kinds"].items())),
    ]
    for e in result["errors"]:
        lines.append(
            f"- {e['kind']:11} {e['doc']} dct={e['dct']} gold={e['gold_value']}"
            f"{'/' + e['gold_mod'] if e['gold_mod'] else ''} system={e['system_value']}"
            f"{'/' + e['system_mod'] if e['system_mod'] else ''} rule={e['rule']}"
        )
        lines.append(f"    {e['context']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m watchboard.evaluation.timeml PATH...``: print a report, exit 0."""
    parser = argparse.ArgumentParser(
        prog="python -m watchboard.evaluation.timeml",
        description="Score the time normaliser on TimeML (.tml) files or directories.",
    )
    parser.add_argument("paths", nargs="+", help=".tml files or directories containing them")
    parser.add_argument("--errors", type=int, default=20, help="number of sample errors to show")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    paths = timeml_paths(args.paths)
    if not paths:
        print("no .tml files found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    result = evaluate_time(paths, sample_errors=args.errors)
    if args.json:
        import json

        print(json.dumps(result, indent=2))
    else:
        print(format_report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
