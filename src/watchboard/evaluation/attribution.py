"""Score attribution extraction against BRAT standoff gold (PolNeAR style).

Gold comes as ``text/NAME.txt`` plus ``attributions/NAME[_ANNOTATOR].ann`` (or ``.ann`` files
next to their ``.txt``). Text-bound lines (``T1\\tSource 89 106\\ttext``; discontinuous
``Content 10 20;25 40``) hold spans, and event lines
(``E1\\tAttribution:T4 Content:T3 Cue:T2 Source:T1``) tie a cue to its source and content.
Roles are read by name, so ``Content2`` or a second ``Source`` join the first; an event with
neither cue nor content is skipped.

Scores (all counted with one-to-one matching, greedy by overlap size):

* span P/R/F1 for each role (source, cue, content), exact and overlap;
* whole-triple P/R/F1: a system triple matches a gold one when every role that is present
  on both sides overlaps (overlap mode) or is equal (exact mode), and a role missing on
  one side only is a mismatch (a source missing on both sides matches);
* a per-cue-type breakdown of overlap triple scores (``verb``, ``according_to``, ``quote``),
  recall by gold type and precision by system type;
* a sample of missed and spurious triples.

Nesting: some corpora annotate a report inside a report ("Reuters said KCNA reported X"
gives two attributions), others (PolNeAR) never put a cue inside another attribution's
content. With ``nested="auto"`` (the default) the system's nested attributions are scored
only when the gold set itself has nested ones; ``"keep"`` and ``"outermost"`` force it.

``python -m watchboard.evaluation.attribution DIR`` prints the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchboard.evaluation.common import PRF, overlaps
from watchboard.extract.attribution import content_offsets, find_attributions
from watchboard.model.extraction import Attribution

log = logging.getLogger(__name__)

ROLES = ("source", "cue", "content")
CUE_TYPES = ("verb", "according_to", "quote")
_QUOTE_OPENERS = "\"“‘'«„"

Fragments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Triple:
    """One attribution as fragment tuples per role (``None`` when the role is absent)."""

    source: Fragments | None
    cue: Fragments | None
    content: Fragments | None
    label: str = "Attribution"

    def role(self, name: str) -> Fragments | None:
        value: Fragments | None = getattr(self, name)
        return value


@dataclass
class GoldDocument:
    """A text with the attributions one annotator marked in it."""

    name: str
    text: str
    triples: list[Triple]
    annotation: str = ""
    meta: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading BRAT


_T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)(?:\t|$)")


def parse_ann(ann: str) -> list[Triple]:
    """Attribution triples from the text of one ``.ann`` file.

    Lines that are not well-formed ``T`` or ``E`` lines (notes, relations, broken lines that
    continue a span's text after a newline) are ignored.
    """
    spans: dict[str, tuple[str, Fragments]] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    for line in ann.splitlines():
        if line.startswith("T"):
            m = _T_LINE.match(line)
            if not m:
                continue
            frags = tuple(
                (int(a), int(b)) for a, b in (part.split() for part in m.group(3).split(";"))
            )
            spans[m.group(1)] = (m.group(2), tuple(sorted(frags)))
        elif line.startswith("E"):
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            args = []
            for item in parts[1].split():
                role, sep, ref = item.partition(":")
                if sep:
                    args.append((role, ref))
            if args:
                events.append((args[0][0], args[1:]))
    triples = []
    for label, args in events:
        roles: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for role, ref in args:
            name = re.sub(r"\d+$", "", role).lower()
            if name in ROLES and ref in spans:
                roles[name].extend(spans[ref][1])
        if not roles.get("cue") and not roles.get("content"):
            continue
        triples.append(
            Triple(
                source=_frags(roles.get("source")),
                cue=_frags(roles.get("cue")),
                content=_frags(roles.get("content")),
                label=label,
            )
        )
    return triples


def _frags(items: list[tuple[int, int]] | None) -> Fragments | None:
    return tuple(sorted(set(items))) if items else None


def _text_for(ann: Path) -> Path | None:
    """The ``.txt`` an ``.ann`` annotates: same stem, or the stem less an ``_ANNOTATOR`` tail."""
    stems = [ann.stem]
    stem = ann.stem
    while "_" in stem:
        stem = stem.rsplit("_", 1)[0]
        stems.append(stem)
    folders = [ann.parent, ann.parent.parent / "text"]
    for s in stems:
        for folder in folders:
            candidate = folder / f"{s}.txt"
            if candidate.is_file():
                return candidate
    return None


def _read_metadata(root: Path) -> dict[str, dict[str, str]]:
    for folder in (root, root.parent):
        path = folder / "metadata.tsv"
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as fh:
                rows = csv.DictReader(fh, delimiter="\t")
                return {row["filename"]: row for row in rows if row.get("filename")}
    return {}


def read_brat_dir(path: str | Path, *, annotators: str = "first") -> list[GoldDocument]:
    """Gold documents under ``path``: a folder with ``text/`` and ``attributions/``, a folder
    of ``.ann`` + ``.txt`` pairs (searched recursively), or a single ``.ann`` file.

    When a text has several annotations (``NAME_4b22.ann``, ``NAME_4e07.ann``),
    ``annotators="first"`` keeps the first in name order and ``"all"`` keeps each one.
    """
    root = Path(path)
    if root.is_file():
        anns = [root]
        root = root.parent
    elif (root / "attributions").is_dir():
        anns = sorted((root / "attributions").glob("*.ann"))
    else:
        anns = sorted(root.rglob("*.ann"))
    meta = _read_metadata(root)
    docs: list[GoldDocument] = []
    seen: set[Path] = set()
    for ann in anns:
        text_path = _text_for(ann)
        if text_path is None:
            log.warning("%s: no matching .txt found; skipped", ann)
            continue
        if annotators == "first" and text_path in seen:
            continue
        seen.add(text_path)
        text = text_path.read_text(encoding="utf-8")
        triples = parse_ann(ann.read_text(encoding="utf-8"))
        docs.append(
            GoldDocument(
                name=text_path.stem,
                text=text,
                triples=triples,
                annotation=ann.name,
                meta=meta.get(text_path.stem, {}),
            )
        )
    return docs


# --------------------------------------------------------------------------- matching


def triple_from_attribution(attribution: Attribution) -> Triple:
    """A system attribution as a :class:`Triple` (content may be discontinuous)."""
    src = attribution.source
    return Triple(
        source=((src.start, src.end),) if src else None,
        cue=((attribution.cue.start, attribution.cue.end),),
        content=tuple(content_offsets(attribution)),
        label=attribution.rule,
    )


def _overlap_size(a: Fragments, b: Fragments) -> int:
    return sum(max(0, min(x[1], y[1]) - max(x[0], y[0])) for x in a for y in b)


def _frag_overlaps(a: Fragments, b: Fragments) -> bool:
    return any(overlaps(x, y) for x in a for y in b)


def _span_match(a: Fragments | None, b: Fragments | None, exact: bool) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b if exact else _frag_overlaps(a, b)


def _greedy(
    system: Sequence[Any],
    gold: Sequence[Any],
    weight: Callable[[Any, Any], int | None],
) -> list[tuple[int, int]]:
    """One-to-one pairs (system index, gold index), taking the heaviest candidate first."""
    candidates = []
    for i, s in enumerate(system):
        for j, g in enumerate(gold):
            w = weight(s, g)
            if w is not None:
                candidates.append((-w, i, j))
    candidates.sort()
    used_s: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_s and j not in used_g:
            used_s.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def _span_weight(exact: bool) -> Callable[[Fragments, Fragments], int | None]:
    def weight(s: Fragments, g: Fragments) -> int | None:
        if not _span_match(s, g, exact):
            return None
        return _overlap_size(s, g)

    return weight


def _triple_weight(exact: bool) -> Callable[[Triple, Triple], int | None]:
    def weight(s: Triple, g: Triple) -> int | None:
        total = 0
        for role in ROLES:
            a, b = s.role(role), g.role(role)
            if not _span_match(a, b, exact):
                return None
            if a is not None and b is not None:
                total += _overlap_size(a, b)
        return total

    return weight


def cue_type(triple: Triple, text: str) -> str:
    """``according_to``, ``quote`` (content opens with a quotation mark) or ``verb``."""
    cue = " ".join(text[a:b] for a, b in triple.cue or ()).lower()
    if "according" in cue:
        return "according_to"
    if triple.content and text[triple.content[0][0] : triple.content[0][0] + 1] in _QUOTE_OPENERS:
        return "quote"
    return "verb"


def _render(triple: Triple, text: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for role in ROLES:
        frags = triple.role(role)
        out[role] = None if frags is None else " … ".join(text[a:b] for a, b in frags)
    return out


@dataclass
class _Counts:
    spans: dict[tuple[str, str], PRF] = field(default_factory=lambda: defaultdict(PRF))
    triples: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    by_type: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    by_publisher: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    missed: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)


def _distinct(spans: Iterable[Fragments | None]) -> list[Fragments]:
    return sorted({s for s in spans if s is not None})


def _score_document(doc: GoldDocument, system: list[Triple], counts: _Counts) -> None:
    gold = doc.triples
    for mode, exact in (("exact", True), ("overlap", False)):
        for role in ROLES:
            g_spans = _distinct(t.role(role) for t in gold)
            s_spans = _distinct(t.role(role) for t in system)
            tp = len(_greedy(s_spans, g_spans, _span_weight(exact)))
            prf = counts.spans[(role, mode)]
            prf.tp += tp
            prf.fp += len(s_spans) - tp
            prf.fn += len(g_spans) - tp
        pairs = _greedy(system, gold, _triple_weight(exact))
        prf = counts.triples[mode]
        prf.tp += len(pairs)
        prf.fp += len(system) - len(pairs)
        prf.fn += len(gold) - len(pairs)
        if exact:
            continue
        matched_s = {i for i, _ in pairs}
        matched_g = {j for _, j in pairs}
        publisher = counts.by_publisher[doc.meta.get("publisher") or "unknown"]
        publisher.tp += len(pairs)
        publisher.fp += len(system) - len(pairs)
        publisher.fn += len(gold) - len(pairs)
        for j, g in enumerate(gold):
            kind = cue_type(g, doc.text)
            if j in matched_g:
                counts.by_type[kind].tp += 1
            else:
                counts.by_type[kind].fn += 1
                counts.missed.append({"doc": doc.name, "type": kind, **_render(g, doc.text)})
        for i, s in enumerate(system):
            if i not in matched_s:
                kind = cue_type(s, doc.text)
                counts.by_type[kind].fp += 1
                counts.spurious.append(
                    {"doc": doc.name, "type": kind, "rule": s.label, **_render(s, doc.text)}
                )


def gold_has_nesting(docs: Iterable[GoldDocument]) -> bool:
    """Whether any gold cue lies inside the content of another gold attribution."""
    for doc in docs:
        contents = [t.content for t in doc.triples if t.content]
        for t in doc.triples:
            if not t.cue:
                continue
            start = t.cue[0][0]
            for content in contents:
                if content is not t.content and any(a <= start < b for a, b in content):
                    return True
    return False


def evaluate_documents(
    docs: Sequence[GoldDocument],
    *,
    sample_errors: int = 20,
    nested: str = "auto",
    extract: Callable[..., list[Attribution]] = find_attributions,
) -> dict[str, Any]:
    """Scores for ``extract`` over gold documents (see the module docstring)."""
    if nested not in ("auto", "keep", "outermost"):
        raise ValueError(f"nested={nested!r}: use 'auto', 'keep' or 'outermost'")
    keep_nested = nested == "keep" or (nested == "auto" and gold_has_nesting(docs))
    counts = _Counts()
    n_docs = n_gold = n_system = n_words = 0
    elapsed = 0.0
    for doc in docs:
        started = time.perf_counter()
        found = extract(doc.text, nested=keep_nested)
        elapsed += time.perf_counter() - started
        system = [triple_from_attribution(a) for a in found]
        _score_document(doc, system, counts)
        n_docs += 1
        n_gold += len(doc.triples)
        n_system += len(system)
        n_words += len(doc.text.split())
    rng = random.Random(0)

    def sample(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return items if len(items) <= sample_errors else rng.sample(items, sample_errors)

    return {
        "documents": n_docs,
        "nested": "kept" if keep_nested else "outermost only",
        "gold_attributions": n_gold,
        "system_attributions": n_system,
        "spans": {
            role: {mode: counts.spans[(role, mode)].as_dict() for mode in ("exact", "overlap")}
            for role in ROLES
        },
        "triples": {mode: counts.triples[mode].as_dict() for mode in ("exact", "overlap")},
        "by_cue_type": {kind: counts.by_type[kind].as_dict() for kind in CUE_TYPES},
        "by_publisher": {k: v.as_dict() for k, v in sorted(counts.by_publisher.items())},
        "errors": {"missed": sample(counts.missed), "spurious": sample(counts.spurious)},
        "speed": {
            "seconds": round(elapsed, 3),
            "documents_per_second": round(n_docs / elapsed, 1) if elapsed else None,
            "words_per_second": round(n_words / elapsed) if elapsed else None,
        },
    }


def evaluate_attribution(
    path_or_dir: str | Path,
    *,
    sample_errors: int = 20,
    annotators: str = "first",
    nested: str = "auto",
) -> dict[str, Any]:
    """P/R/F1 of :func:`find_attributions` against the BRAT gold at ``path_or_dir``."""
    docs = read_brat_dir(path_or_dir, annotators=annotators)
    return evaluate_documents(docs, sample_errors=sample_errors, nested=nested)


# --------------------------------------------------------------------------- CLI


def _format(result: dict[str, Any]) -> str:
    lines = [
        f"documents {result['documents']}  gold {result['gold_attributions']}  "
        f"system {result['system_attributions']}  (nested attributions: {result['nested']})",
        f"{'':24}{'P':>7}{'R':>7}{'F1':>7}",
    ]

    def row(label: str, d: dict[str, float]) -> None:
        lines.append(
            f"{label:24}{d['precision']:7.3f}{d['recall']:7.3f}{d['f1']:7.3f}"
            f"   (tp {d['tp']:g} fp {d['fp']:g} fn {d['fn']:g})"
        )

    for mode in ("overlap", "exact"):
        row(f"triple {mode}", result["triples"][mode])
    for role in ROLES:
        for mode in ("overlap", "exact"):
            row(f"{role} {mode}", result["spans"][role][mode])
    for kind in CUE_TYPES:
        row(f"triple overlap [{kind}]", result["by_cue_type"][kind])
    for publisher, d in result["by_publisher"].items():
        row(f"triple overlap <{publisher}>", d)
    speed = result["speed"]
    lines.append(
        f"speed: {speed['documents_per_second']} documents/s, {speed['words_per_second']} words/s"
    )
    for kind in ("missed", "spurious"):
        errors = result["errors"][kind]
        if errors:
            lines.append(f"-- {kind} (sample of {len(errors)})")
        for e in errors:
            lines.append(
                f"[{e['doc'][:40]} {e['type']}{' ' + e['rule'] if 'rule' in e else ''}] "
                f"S={e['source']!r} C={e['cue']!r} X={_clip(e['content'])!r}"
            )
    return "\n".join(lines)


def _clip(text: str | None, width: int = 140) -> str | None:
    if text is None or len(text) <= width:
        return text
    return text[: width - 1] + "…"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m watchboard.evaluation.attribution DIR [--json] [--sample-errors N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m watchboard.evaluation.attribution",
        description="Score attribution extraction against BRAT standoff gold.",
    )
    parser.add_argument("path", help="folder with text/ and attributions/, or .ann/.txt pairs")
    parser.add_argument("--sample-errors", type=int, default=20)
    parser.add_argument(
        "--all-annotators",
        action="store_true",
        help="score every annotation of a multiply-annotated text (default: the first)",
    )
    parser.add_argument(
        "--nested",
        choices=("auto", "keep", "outermost"),
        default="auto",
        help="score nested attributions: auto (if the gold has any), keep, or outermost",
    )
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args(argv)
    if not Path(args.path).exists():
        print(f"{args.path}: no such file or folder", file=sys.stderr)
        return 2
    result = evaluate_attribution(
        args.path,
        sample_errors=args.sample_errors,
        annotators="all" if args.all_annotators else "first",
        nested=args.nested,
    )
    if not result["documents"]:
        print(f"{args.path}: no .ann files with matching .txt found", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else _format(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
