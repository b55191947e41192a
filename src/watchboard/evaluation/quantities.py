"""Score the quantity extractor against quantulum3-style gold files.

The gold format is a JSON list of ``{"req": sentence, "res": [quantity, ...]}``; each quantity
has at least ``value``, ``unit`` (a unit *name*: "metre", "pound sterling", "dimensionless",
"kilometre per hour") and ``surface`` (its text in the sentence). A range is given either as a
central ``value`` with an ``uncertainty`` (half the width: "3 to 4 L" is 3.5 ± 0.5), as a
two-element ``value`` list, as ``low``/``high`` (or ``min``/``max``) keys, or as two entries with
the same surface. Other keys are ignored.

A gold quantity is correct ("value + unit") when a system quantity overlaps its surface in the
sentence, has the same value (relative tolerance 1e-6) and the same unit once both units are
read through the unit table — compared as physical quantities, so "44 ml" matches a gold
"44 cubic centimetre" and "a dozen" (12) a gold "1 dozen". "dimensionless"/"count" is a
quantity with no unit (a bare number or a counted noun). A range must keep both ends.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from watchboard.errors import InputError
from watchboard.evaluation.common import overlaps
from watchboard.extract.quantities import UnitTable, find_quantities, load_units
from watchboard.model.extraction import Quantity

__all__ = [
    "GoldQuantity",
    "GoldSentence",
    "evaluate_quantities",
    "main",
    "read_quantities",
    "unit_signature",
]

REL_TOL = 1e-6
_DIMENSIONLESS = frozenset({"", "dimensionless", "count", "none", "number", "unitless"})


@dataclass(frozen=True)
class GoldQuantity:
    """One annotated quantity: its surface, span in the sentence, value or range, unit name."""

    surface: str
    start: int | None
    end: int | None
    value: float | None
    low: float | None
    high: float | None
    unit: str

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None and self.low != self.high


@dataclass
class GoldSentence:
    text: str
    quantities: list[GoldQuantity] = field(default_factory=list)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    return None


def _name(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("unit") or ""
    return str(value or "").strip()


def read_quantities(path: str) -> list[GoldSentence]:
    """Read a quantulum3-style gold file (JSON list of ``{"req", "res"}`` objects)."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise InputError(path, f"cannot read the gold file ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not JSON: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("data") or data.get("sentences") or [data]
    if not isinstance(data, list):
        raise InputError(path, "expected a JSON list of {'req': ..., 'res': [...]} objects")
    sentences = []
    for item in data:
        if not isinstance(item, dict):
            continue
        text = item.get("req") or item.get("text") or item.get("sentence") or ""
        if not isinstance(text, str):
            continue
        raw = item.get("res") or item.get("quantities") or []
        sentences.append(GoldSentence(text, _read_entries(text, raw)))
    return sentences


def _read_entries(text: str, raw: list[Any]) -> list[GoldQuantity]:
    entries: list[dict[str, Any]] = [r for r in raw if isinstance(r, dict)]
    out: list[GoldQuantity] = []
    used: list[tuple[int, int]] = []
    i = 0
    while i < len(entries):
        entry = entries[i]
        surface = str(entry.get("surface") or entry.get("text") or "")
        unit = _name(entry.get("unit"))
        value_raw = entry.get("value")
        low = high = None
        value: float | None
        if isinstance(value_raw, list | tuple) and len(value_raw) == 2:
            low, high = _number(value_raw[0]), _number(value_raw[1])
            value = None
        else:
            value = _number(value_raw)
        for lo_key, hi_key in (("low", "high"), ("min", "max"), ("from", "to")):
            if lo_key in entry or hi_key in entry:
                low, high = _number(entry.get(lo_key)), _number(entry.get(hi_key))
        uncertainty = _number(entry.get("uncertainty"))
        if value is not None and uncertainty and low is None and high is None:
            low, high = value - uncertainty, value + uncertainty
        # a range given as two entries with the same surface
        if (
            i + 1 < len(entries)
            and low is None
            and str(entries[i + 1].get("surface") or "") == surface
            and surface
            and _number(entries[i + 1].get("value")) not in (None, value)
        ):
            other = _number(entries[i + 1].get("value"))
            assert other is not None and value is not None
            low, high = min(value, other), max(value, other)
            value = None
            i += 1
        if low is not None and high is not None and low > high:
            low, high = high, low
        if value is None and low is not None and low == high:
            value = low
        if value is not None and low is None and high is None:
            low = high = value
        start, end = _locate(text, surface, used)
        if start is not None and end is not None:
            used.append((start, end))
        out.append(GoldQuantity(surface, start, end, value, low, high, unit))
        i += 1
    return out


def _locate(text: str, surface: str, used: list[tuple[int, int]]) -> tuple[int | None, int | None]:
    """The first occurrence of ``surface`` not already taken by an earlier gold quantity."""
    if not surface:
        return None, None
    first: tuple[int, int] | None = None
    for m in re.finditer(re.escape(surface), text):
        span = (m.start(), m.end())
        if first is None:
            first = span
        if span not in used:
            return span
    if first is None:
        low = text.lower().find(surface.lower())
        if low >= 0:
            return low, low + len(surface)
        return None, None
    return first


# ------------------------------------------------------------------------------ units


def unit_signature(
    name: str | None, table: UnitTable
) -> tuple[tuple[tuple[str, int], ...], float] | None:
    """A unit name as (base dimension powers, factor to the reference unit), or None if unknown.

    Handles canonical names and aliases ("dollar", "pound-mass", "percentage"), prefixed names,
    and compounds: "square kilometre", "kilometre per square second", "inverse femtobarn",
    "watt hour", "joule per square metre per year", "count per week".
    """
    if name is None or name.strip().lower() in _DIMENSIONLESS:
        return (), 1.0
    unit = table.unit(name)
    if unit:
        return unit.base, unit.factor
    chunks = re.split(r"\s+per\s+", re.sub(r"^per\s+", "count per ", name.strip()))
    powers: dict[str, int] = {}
    factor = 1.0
    for i, chunk in enumerate(chunks):
        sign = 1 if i == 0 else -1
        if i == 0 and chunk.lower() in _DIMENSIONLESS:
            continue
        product = _parse_product(chunk, table)
        if product is None:
            return None
        for base, p in product[0]:
            powers[base] = powers.get(base, 0) + sign * p
        factor *= product[1] ** sign
    return tuple(sorted((b, p) for b, p in powers.items() if p)), factor


def _parse_product(chunk: str, table: UnitTable) -> tuple[list[tuple[str, int]], float] | None:
    words = chunk.split()
    out: list[tuple[str, int]] = []
    factor = 1.0
    i = 0
    while i < len(words):
        power = 1
        w = words[i].lower()
        if w in ("square", "squared"):
            power, i = 2, i + 1
        elif w in ("cubic", "cubed"):
            power, i = 3, i + 1
        elif w == "inverse":
            power, i = -1, i + 1
        for k in range(len(words) - i, 0, -1):
            candidate = " ".join(words[i : i + k])
            unit = table.unit(candidate)
            if unit:
                for base, p in unit.base:
                    out.append((base, p * power))
                factor *= unit.factor**power
                i += k
                break
        else:
            if words[i].lower() in _DIMENSIONLESS:
                i += 1
                continue
            return None
    return out, factor


def _system_unit(q: Quantity) -> str | None:
    if q.unit and q.per:
        return f"{q.unit} per {q.per}"
    if q.per:
        return f"count per {q.per}"
    return q.unit


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def _values(gold: GoldQuantity, q: Quantity, gfactor: float, sfactor: float) -> bool:
    """Same value (or the same two ends), each side in its own unit scaled by its factor."""
    if gold.is_range:
        if q.low is None or q.high is None:
            return False
        return _close(gold.low * gfactor, q.low * sfactor) and _close(  # type: ignore[operator]
            gold.high * gfactor,  # type: ignore[operator]
            q.high * sfactor,
        )
    value = q.value
    if value is None and q.low is not None and q.low == q.high:
        value = q.low
    if value is None or gold.value is None:
        return False
    if q.bound == "range" and q.value is None:
        return False
    return _close(gold.value * gfactor, value * sfactor)


def _dimension(name: str, table: UnitTable) -> str:
    if name.strip().lower() in _DIMENSIONLESS:
        return "dimensionless"
    unit = table.unit(name)
    if unit:
        return unit.dimension
    if " per " in f" {name} ":
        head = name.split(" per ")[0]
        return "rate" if head.strip().lower() in _DIMENSIONLESS else "compound"
    return "compound" if unit_signature(name, table) else "unknown"


def _judge(gold: GoldQuantity, q: Quantity, table: UnitTable) -> tuple[bool, bool]:
    """(value and unit correct, value correct)."""
    gsig = unit_signature(gold.unit, table)
    ssig = unit_signature(_system_unit(q), table)
    if gsig is not None and ssig is not None:
        same_dims = gsig[0] == ssig[0]
        if same_dims and _values(gold, q, gsig[1], ssig[1]):
            return True, True
        value_ok = _values(gold, q, 1.0, 1.0) or (same_dims and _values(gold, q, gsig[1], ssig[1]))
        return False, value_ok
    value_ok = _values(gold, q, 1.0, 1.0)
    same_unit = (gold.unit or "").lower() == (_system_unit(q) or "dimensionless").lower()
    return value_ok and same_unit, value_ok


def _describe(q: Quantity) -> dict[str, Any]:
    return {
        "text": q.span.text,
        "value": q.value,
        "low": q.low,
        "high": q.high,
        "bound": q.bound,
        "unit": q.unit,
        "per": q.per,
        "counted": q.counted,
    }


def evaluate_quantities(
    path: str, *, sample_errors: int = 20, table: UnitTable | None = None
) -> dict[str, Any]:
    """Value+unit and value-only accuracy per gold quantity, spurious count, breakdowns.

    Returns a dict: ``value_unit_accuracy``, ``value_accuracy``, ``found`` (share of gold
    quantities overlapped by some system quantity), ``gold``, ``system``, ``spurious`` (system
    quantities overlapping no gold quantity), ``by_dimension`` and ``errors`` (a sample).
    """
    table = table or load_units()
    sentences = read_quantities(path)
    n_gold = n_sys = correct = value_correct = found = spurious = 0
    by_dim: dict[str, dict[str, int]] = {}
    errors: list[dict[str, Any]] = []
    spurious_sample: list[dict[str, Any]] = []
    for sentence in sentences:
        system = find_quantities(sentence.text)
        n_sys += len(system)
        used: set[int] = set()
        touched: set[int] = set()
        for gold in sentence.quantities:
            n_gold += 1
            dim = _dimension(gold.unit, table)
            stats = by_dim.setdefault(dim, {"gold": 0, "correct": 0, "value_correct": 0})
            stats["gold"] += 1
            candidates = [
                i
                for i, q in enumerate(system)
                if gold.start is not None
                and gold.end is not None
                and overlaps((gold.start, gold.end), (q.span.start, q.span.end))
            ]
            touched.update(candidates)
            if candidates:
                found += 1
            best: tuple[bool, bool, int] | None = None
            for i in candidates:
                both, value_only = _judge(gold, system[i], table)
                key = (both, value_only, -(i in used))
                if best is None or key > (best[0], best[1], -(best[2] in used)):
                    best = (both, value_only, i)
            if best and best[0]:
                correct += 1
                value_correct += 1
                stats["correct"] += 1
                stats["value_correct"] += 1
                used.add(best[2])
                continue
            if best and best[1]:
                value_correct += 1
                stats["value_correct"] += 1
            if len(errors) < sample_errors:
                errors.append(
                    {
                        "sentence": sentence.text,
                        "gold": {
                            "surface": gold.surface,
                            "value": gold.value,
                            "low": gold.low,
                            "high": gold.high,
                            "unit": gold.unit,
                        },
                        "kind": "missed"
                        if not candidates
                        else ("wrong unit" if best and best[1] else "wrong value"),
                        "system": [_describe(system[i]) for i in candidates],
                    }
                )
        for i, q in enumerate(system):
            if i not in touched:
                spurious += 1
                if len(spurious_sample) < sample_errors:
                    spurious_sample.append({"sentence": sentence.text, **_describe(q)})
    for stats in by_dim.values():
        stats["accuracy"] = round(stats["correct"] / stats["gold"], 4) if stats["gold"] else 0.0  # type: ignore[assignment]
    return {
        "path": path,
        "sentences": len(sentences),
        "gold": n_gold,
        "system": n_sys,
        "correct": correct,
        "value_unit_accuracy": round(correct / n_gold, 4) if n_gold else 0.0,
        "value_accuracy": round(value_correct / n_gold, 4) if n_gold else 0.0,
        "found": round(found / n_gold, 4) if n_gold else 0.0,
        "spurious": spurious,
        "by_dimension": dict(sorted(by_dim.items(), key=lambda kv: -kv[1]["gold"])),
        "errors": errors,
        "spurious_sample": spurious_sample,
    }


def format_report(result: dict[str, Any]) -> str:
    """A readable text report of `evaluate_quantities` output."""
    lines = [
        f"Quantities: {result['path']}",
        f"  sentences {result['sentences']}, gold quantities {result['gold']}, "
        f"system quantities {result['system']}",
        f"  value+unit accuracy  {result['value_unit_accuracy']:.4f}  "
        f"({result['correct']}/{result['gold']})",
        f"  value-only accuracy  {result['value_accuracy']:.4f}",
        f"  gold found (overlap) {result['found']:.4f}",
        f"  spurious system quantities {result['spurious']}",
        "",
        "  by dimension (gold unit):",
    ]
    for dim, stats in result["by_dimension"].items():
        lines.append(
            f"    {dim:<22} {stats['correct']:>4}/{stats['gold']:<4} {stats['accuracy']:.3f}"
        )
    if result["errors"]:
        lines += ["", "  errors (sample):"]
        for err in result["errors"]:
            gold = err["gold"]
            gv = gold["value"] if gold["low"] == gold["high"] else f"{gold['low']}..{gold['high']}"
            got = "; ".join(
                f"{s['text']!r} {s['value'] if s['value'] is not None else (s['low'], s['high'])}"
                f" {s['unit'] or '-'}{' per ' + s['per'] if s['per'] else ''}"
                for s in err["system"]
            )
            lines.append(
                f"    [{err['kind']}] {gold['surface']!r} = {gv} {gold['unit']} | got: {got or '-'}"
            )
            lines.append(f"        in: {err['sentence'][:150]}")
    if result.get("spurious_sample"):
        lines += ["", "  spurious (sample):"]
        for s in result["spurious_sample"]:
            lines.append(f"    {s['text']!r} in: {s['sentence'][:120]}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m watchboard.evaluation.quantities GOLD.json [--errors N] [--json]``."""
    parser = argparse.ArgumentParser(
        prog="python -m watchboard.evaluation.quantities",
        description="Score quantity extraction against a quantulum3-style JSON gold file.",
    )
    parser.add_argument("path", help="gold file: JSON list of {req, res}")
    parser.add_argument("--errors", type=int, default=20, help="how many errors to show")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        result = evaluate_quantities(args.path, sample_errors=args.errors)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(format_report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
