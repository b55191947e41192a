"""Case files: a YAML document in, a validated :class:`~watchboard.model.Case` out.

A case file declares one monitored programme: the case itself, the source registry, sites,
milestones, indicators and hypotheses. The format is documented by the JSON Schema shipped in
``watchboard/schemas/case.schema.json`` and in ``docs/case-file.md``.

Reading happens in three steps, each of which reports problems as :class:`CaseFileError` with
the file, the 1-based line of the offending YAML node, a dotted field path such as
``sites[2].coordinates.lat`` and a plain-English reason:

1. YAML is composed into a node tree (never into arbitrary Python objects) and turned into
   plain JSON-like data while the line of every key and value is recorded by path.
2. The data is validated against the schema (Draft 2020-12); every schema error is translated.
3. Checks the schema cannot express: real calendar dates, start not after end, unique ids,
   unique source names/aliases/domains, site references that resolve, closed polygon rings.

Dates may be written ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``. A ``start`` means the first day of
the period written, an ``end`` (and an indicator's ``by``) the last day, inclusive:
``start: 2026-01`` / ``end: 2026-03`` is 2026-01-01 to 2026-03-31.

Everything here is pure: no database, no network, no global state beyond the cached schema.
"""

from __future__ import annotations

import calendar
import copy
import difflib
import hashlib
import json
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from watchboard.errors import CaseFileError
from watchboard.model.case import Case, Hypothesis, Indicator, Milestone, Site
from watchboard.model.source import Source, SourceKind

__all__ = [
    "case_file_sha256",
    "case_schema",
    "check_case_text",
    "load_case_file",
    "parse_case_bytes",
    "parse_case_text",
]

PathLike = str | os.PathLike[str] | Traversable
JsonPath = tuple[str | int, ...]

NOT_UTF8 = "not a UTF-8 text file"

_YAML = "tag:yaml.org,2002:"
_MAX_NODES = 1_000_000
_MAX_DEPTH = 64

# Patterns used in the schema, with the words used when a value does not match one.
_DATE_PATTERN = "^[1-9][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
_PATTERN_WORDS = {
    "\\S": None,  # handled specially: "must not be empty or blank"
    "^[a-z0-9][a-z0-9-]*$": (
        "a slug of lower-case letters, digits and hyphens starting with a letter or digit "
        "(for example 'dprk-2026')"
    ),
    "^[A-Za-z0-9][A-Za-z0-9._-]*$": (
        "an id of letters, digits, '.', '_' and '-' starting with a letter or digit"
    ),
    "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$": (
        "a host name in lower case without scheme or path (for example 'reuters.com')"
    ),
    "^[A-Z]{2}$": "an ISO 3166-1 alpha-2 country code in capitals (for example 'KP')",
}
_DATE_WORDS = "a date written YYYY, YYYY-MM or YYYY-MM-DD"
_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "array": "a list",
    "object": "a mapping of fields",
    "boolean": "true or false",
    "null": "nothing",
}

if TYPE_CHECKING:  # jsonschema is imported when a case file is checked: it is slow to load
    from jsonschema import Draft202012Validator, ValidationError


# --------------------------------------------------------------------------------------------
# Public API


def load_case_file(path: PathLike) -> Case:
    """Read, validate and convert the case file at ``path``.

    ``path`` may be a filesystem path or an :mod:`importlib.resources` traversable (so the demo
    case can be loaded straight from the installed package). Raises :class:`CaseFileError`.
    """
    label = str(path)
    return parse_case_bytes(_read_bytes(path, label), path=label)


def parse_case_bytes(data: bytes, *, path: str) -> Case:
    """Like :func:`parse_case_text` for raw bytes, which must be UTF-8 text."""
    return parse_case_text(_decode(data, path), path=path)


def parse_case_text(text: str, *, path: str) -> Case:
    """Validate and convert case-file text; ``path`` names the file in errors.

    Raises the first problem (in line order) as :class:`CaseFileError`; use
    :func:`check_case_text` to get all of them.
    """
    case, problems = _analyse(text, path)
    if problems:
        raise problems[0]
    assert case is not None
    return case


def check_case_text(text: str, *, path: str) -> list[CaseFileError]:
    """Every problem found in case-file text, sorted by line; empty when the file is valid.

    A YAML syntax error stops reading, so it is reported alone; schema problems are all
    reported; the cross-checks (dates, ids, references) run only on schema-valid data.
    """
    return _analyse(text, path)[1]


def case_file_sha256(path: PathLike) -> str:
    """Hex SHA-256 of the case file's bytes, to record which version of a file was loaded."""
    return hashlib.sha256(_read_bytes(path, str(path))).hexdigest()


def case_schema() -> dict[str, Any]:
    """The case-file JSON Schema (a fresh copy; safe to modify)."""
    return copy.deepcopy(_schema())


# --------------------------------------------------------------------------------------------
# Reading


def _read_bytes(path: PathLike, label: str) -> bytes:
    try:
        if isinstance(path, str | os.PathLike):
            return Path(path).read_bytes()
        return path.read_bytes()
    except FileNotFoundError:
        raise CaseFileError(label, None, "file", "no such file") from None
    except IsADirectoryError:
        raise CaseFileError(label, None, "file", "is a directory, not a case file") from None
    except PermissionError:
        raise CaseFileError(label, None, "file", "permission denied") from None
    except OSError as exc:
        reason = f"cannot be read ({exc.strerror or exc})"
        raise CaseFileError(label, None, "file", reason) from None


def _decode(data: bytes, label: str) -> str:
    if b"\x00" in data:
        raise CaseFileError(label, None, "file", NOT_UTF8)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseFileError(label, None, "file", NOT_UTF8) from None


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("watchboard").joinpath("schemas/case.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema())


# --------------------------------------------------------------------------------------------
# Step 1: YAML nodes -> plain data, with lines


class _Stop(Exception):
    """A problem after which reading cannot go on."""

    def __init__(self, error: CaseFileError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class _Tree:
    """Plain data from the YAML document plus the line of every key and value by path."""

    path: str
    data: Any = None
    value_lines: dict[JsonPath, int] = field(default_factory=dict)
    key_lines: dict[JsonPath, int] = field(default_factory=dict)
    problems: list[CaseFileError] = field(default_factory=list)

    def value_line(self, path: JsonPath) -> int | None:
        """Line of the value at ``path`` (or of its nearest recorded ancestor)."""
        while True:
            if path in self.value_lines:
                return self.value_lines[path]
            if not path:
                return None
            path = path[:-1]

    def object_line(self, path: JsonPath) -> int | None:
        """Line that names the object at ``path``: its key's line if it has one."""
        if path in self.key_lines:
            return self.key_lines[path]
        return self.value_line(path)

    def error(self, path: JsonPath, reason: str, *, line: int | None = None) -> CaseFileError:
        if line is None:
            line = self.value_line(path)
        return CaseFileError(self.path, line, field_path(path), reason)


def field_path(path: Iterable[str | int]) -> str:
    """Format a JSON path as ``sites[2].coordinates.lat`` (``(top level)`` for the root)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


_Loader = yaml.SafeLoader | yaml.CSafeLoader
_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _compose(text: str, label: str) -> _Tree:
    """Compose with libyaml when it is there (fast); the pure-Python loader decides otherwise.

    Any problem on the fast path, however reported, is re-read with the pure-Python loader, so
    error messages and lines are the same with and without libyaml.
    """
    if _FAST_LOADER is not None:
        try:
            return _compose_with(_FAST_LOADER, text, label)
        except Exception:  # the fast path is only an optimisation
            pass
    return _compose_with(yaml.SafeLoader, text, label)


def _compose_with(loader_class: type[_Loader], text: str, label: str) -> _Tree:
    tree = _Tree(label)
    try:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            if node is None or (isinstance(node, ScalarNode) and node.tag == _YAML + "null"):
                raise _Stop(
                    CaseFileError(
                        label,
                        None,
                        "file",
                        "the file is empty (or holds only comments); "
                        "a case file needs at least a 'case' section",
                    )
                )
            tree.data = _Walker(loader, tree).walk(node, (), 0)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise _Stop(_yaml_error(exc, label, text)) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        reason = (
            f"contains a character that is not allowed in a case file "
            f"(#x{ord(char):04x}); the file must be plain text"
        )
        raise _Stop(CaseFileError(label, line, "file", reason)) from None
    except yaml.YAMLError as exc:
        raise _Stop(CaseFileError(label, None, "YAML syntax", str(exc))) from None
    except RecursionError:
        reason = "the YAML is nested too deeply (or a merge key refers to itself)"
        raise _Stop(CaseFileError(label, None, "YAML syntax", reason)) from None
    return tree


def _yaml_error(exc: yaml.MarkedYAMLError, label: str, text: str) -> CaseFileError:
    last_line = len(text.rstrip().splitlines()) or 1

    def line_of(mark: yaml.Mark | None) -> int | None:
        # A problem found at the end of the stream is on the last line that has text.
        return min(mark.line + 1, last_line) if mark is not None else None

    line = line_of(exc.problem_mark) or line_of(exc.context_mark)
    reason = (exc.problem or exc.context or "not valid YAML").strip()
    if exc.problem and exc.context:
        context = exc.context.strip()
        context_line = line_of(exc.context_mark)
        if context_line is not None and context_line != line:
            context += f" that starts on line {context_line}"
        reason += f" ({context})"
    return CaseFileError(label, line, "YAML syntax", reason)


class _Walker:
    """Turns a composed node tree into JSON-like data, recording lines by path.

    Only the JSON-compatible core of YAML is accepted: mappings with text keys, sequences,
    strings, numbers, booleans and null. Timestamps are kept as the text written (the schema
    and the date checks read them), so an impossible date is reported, not crashed on.
    """

    def __init__(self, loader: _Loader, tree: _Tree) -> None:
        self.loader = loader
        self.tree = tree
        self.count = 0
        self.active: set[int] = set()
        self.flattened: set[int] = set()

    def fail(self, node: Node, path: JsonPath, reason: str) -> _Stop:
        line = node.start_mark.line + 1
        return _Stop(CaseFileError(self.tree.path, line, field_path(path), reason))

    def walk(self, node: Node, path: JsonPath, depth: int) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise self.fail(node, path, "too many values (is an alias expanding without end?)")
        if depth > _MAX_DEPTH:
            raise self.fail(node, path, f"nested more than {_MAX_DEPTH} levels deep")
        self.tree.value_lines[path] = node.start_mark.line + 1
        if id(node) in self.active:
            raise self.fail(node, path, "an alias refers to a value that contains it")
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _YAML + "seq":
                    raise self.fail(node, path, f"unsupported YAML tag {_tag(node.tag)}")
                return [self.walk(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self.mapping(node, path, depth)
            raise self.fail(node, path, "unsupported YAML node")  # pragma: no cover
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode, path: JsonPath, depth: int) -> dict[str, Any]:
        if node.tag != _YAML + "map":
            raise self.fail(node, path, f"unsupported YAML tag {_tag(node.tag)}")
        if id(node) not in self.flattened:
            self.flattened.add(id(node))
            first: dict[str, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == _YAML + "merge":
                    continue
                line = key_node.start_mark.line + 1
                if key_node.value in first:
                    reason = (
                        f"field '{key_node.value}' is given twice "
                        f"(first on line {first[key_node.value]})"
                    )
                    self.tree.problems.append(
                        CaseFileError(
                            self.tree.path, line, field_path((*path, key_node.value)), reason
                        )
                    )
                else:
                    first[key_node.value] = line
            self.loader.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.fail(key_node, path, "a field name must be plain text")
            key = key_node.value
            self.tree.key_lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = self.walk(value_node, (*path, key), depth + 1)
        return out

    def scalar(self, node: ScalarNode, path: JsonPath) -> Any:
        tag = node.tag
        if tag in (_YAML + "str", _YAML + "timestamp", _YAML + "value", _YAML + "merge"):
            return node.value
        constructors = {
            _YAML + "null": self.loader.construct_yaml_null,
            _YAML + "bool": self.loader.construct_yaml_bool,
            _YAML + "int": self.loader.construct_yaml_int,
            _YAML + "float": self.loader.construct_yaml_float,
        }
        if tag not in constructors:
            raise self.fail(node, path, f"unsupported YAML tag {_tag(tag)}")
        try:
            value = constructors[tag](node)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError, yaml.YAMLError):
            raise self.fail(node, path, f"cannot read {node.value!r} as {_tag(tag)}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, path, f"expected a finite number, got {node.value}")
        return value


def _tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


# --------------------------------------------------------------------------------------------
# Step 2: schema errors -> CaseFileError


def _schema_problems(tree: _Tree) -> list[CaseFileError]:
    out: list[CaseFileError] = []
    seen: set[tuple[JsonPath, str]] = set()
    for err in _validator().iter_errors(tree.data):
        for problem_path, reason, line in _translate(err, tree):
            if (problem_path, reason) in seen:
                continue
            seen.add((problem_path, reason))
            out.append(CaseFileError(tree.path, line, field_path(problem_path), reason))
    return out


def _translate(err: ValidationError, tree: _Tree) -> Iterator[tuple[JsonPath, str, int | None]]:
    path: JsonPath = tuple(err.absolute_path)
    kind = err.validator
    schema = err.schema if isinstance(err.schema, dict) else {}
    instance = err.instance
    value_line = tree.value_line(path)

    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                key_path = (*path, key)
                yield key_path, _unknown_field(key, allowed), tree.object_line(key_path)
        return
    if kind == "required" and isinstance(instance, dict):
        for name in err.validator_value:
            if name not in instance:
                yield (*path, name), f"required field '{name}' is missing", tree.object_line(path)
        return
    if kind == "anyOf" and all(
        isinstance(sub, dict) and set(sub) == {"required"} for sub in err.validator_value
    ):
        names = [name for sub in err.validator_value for name in sub["required"]]
        listed = " or ".join(f"'{n}'" for n in names)
        yield path, f"needs a {listed} field (or both)", tree.object_line(path)
        return
    if schema.get("pattern") == _DATE_PATTERN:
        yield path, f"expected {_DATE_WORDS}, got {_describe(instance)}", value_line
        return
    yield path, _reason(kind, err.validator_value, schema, instance, err.message), value_line


def _reason(kind: str, expected: Any, schema: dict[str, Any], instance: Any, message: str) -> str:
    got = _describe(instance)
    if kind == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        reason = f"expected {words}, got {got}"
        if "string" in types and isinstance(instance, bool | int | float):
            reason += " (put it in quotes to use it as text)"
        elif instance is None:
            reason += "; give a value or remove the field"
        return reason
    if kind == "enum":
        options = list(expected)
        if options == list("ABCDEF"):
            reason = (
                "expected a reliability grade from A (completely reliable) to "
                f"F (reliability cannot be judged), got {got}"
            )
        else:
            reason = f"expected one of {', '.join(_quote(o) for o in options)}, got {got}"
        suggestion = _suggest(instance, options) if isinstance(instance, str) else None
        return reason + (f" (did you mean {_quote(suggestion)}?)" if suggestion else "")
    if kind == "const":
        return f"expected {_quote(expected)}, got {got}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return f"expected a number from {low} to {high}, got {got}"
        if kind == "minimum":
            return f"expected a number of at least {expected}, got {got}"
        if kind == "maximum":
            return f"expected a number of at most {expected}, got {got}"
        return message
    if kind == "pattern":
        if expected == "\\S":
            return "must not be empty or blank"
        words = _PATTERN_WORDS.get(expected) or f"text matching {expected}"
        return f"expected {words}, got {got}"
    if kind in ("minItems", "maxItems") and isinstance(instance, list):
        title = schema.get("title")
        if title == "Linear ring":
            return (
                "a polygon ring needs at least 4 positions (the last repeating the first), "
                f"got {len(instance)}"
            )
        if title == "Position":
            return f"expected a position [longitude, latitude], got {_describe_list(instance)}"
        if kind == "minItems":
            return f"expected at least {expected} item(s), got {len(instance)}"
        return f"expected at most {expected} items, got {len(instance)}"
    if kind == "minProperties":
        names = " and ".join(f"'{n}'" for n in schema.get("properties", {}))
        return f"must not be empty: give at least one of {names}"
    if kind == "maxLength" and isinstance(instance, str):
        return f"is too long ({len(instance)} characters; at most {expected})"
    if kind == "uniqueItems" and isinstance(instance, list):
        seen: list[Any] = []
        for item in instance:
            if item in seen:
                return f"lists {_describe(item)} more than once"
            seen.append(item)
    return message


def _unknown_field(key: str, allowed: list[str]) -> str:
    suggestion = _suggest(key, allowed)
    if suggestion:
        return f"unknown field '{key}' (did you mean '{suggestion}'?)"
    listed = ", ".join(allowed)
    return f"unknown field '{key}' (allowed fields: {listed})"


# Words people write for a field that has another name here.
_SYNONYMS = {
    "latitude": "lat",
    "longitude": "lon",
    "long": "lon",
    "lng": "lon",
    "coords": "coordinates",
    "location": "coordinates",
    "type": "kind",
    "alias": "aliases",
    "domain": "domains",
    "url": "domains",
    "summary": "description",
    "note": "notes",
    "name": "title",
    "window": "due",
    "deadline": "due",
    "from": "start",
    "to": "end",
    "until": "end",
    "grade": "reliability",
    "group": "independence_group",
    "geonames": "geonames_id",
    "geonameid": "geonames_id",
}


def _suggest(word: str, options: Iterable[Any]) -> str | None:
    texts = [o for o in options if isinstance(o, str)]
    by_fold = {t.casefold(): t for t in texts}
    folded = word.casefold()
    if folded in by_fold:
        return by_fold[folded]
    if _SYNONYMS.get(folded) in by_fold:
        return by_fold[_SYNONYMS[folded]]
    match = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.7)
    return by_fold[match[0]] if match else None


def _quote(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else _describe(value)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)  # pragma: no cover


def _describe_list(value: list[Any]) -> str:
    return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"


# --------------------------------------------------------------------------------------------
# Step 3: cross-checks and conversion


class _ImpossibleDateError(ValueError):
    pass


def _period(value: str | int) -> tuple[date, date]:
    """First and last day of the period written as YYYY, YYYY-MM or YYYY-MM-DD."""
    text = str(value)
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return date(year, 1, 1), date(year, 12, 31)
    month = parts[1]
    days = calendar.monthrange(year, month)[1]
    if len(parts) == 2:
        return date(year, month, 1), date(year, month, days)
    if parts[2] > days:
        raise _ImpossibleDateError(
            f"{text} is not a real date: {calendar.month_name[month]} {year} has {days} days"
        )
    day = date(year, month, parts[2])
    return day, day


class _Checker:
    """Cross-checks a schema-valid document and converts it into a :class:`Case`."""

    def __init__(self, tree: _Tree) -> None:
        self.tree = tree
        self.data: dict[str, Any] = tree.data
        self.problems: list[CaseFileError] = []

    def problem(self, path: JsonPath, reason: str, *, line: int | None = None) -> None:
        self.problems.append(self.tree.error(path, reason, line=line))

    # dates ---------------------------------------------------------------------------------

    def day(self, obj: dict[str, Any], key: str, path: JsonPath, *, last: bool) -> date | None:
        if key not in obj:
            return None
        try:
            first_day, last_day = _period(obj[key])
        except _ImpossibleDateError as exc:
            self.problem((*path, key), str(exc))
            return None
        return last_day if last else first_day

    def window(self, obj: dict[str, Any], path: JsonPath) -> tuple[date | None, date | None]:
        start = self.day(obj, "start", path, last=False)
        end = self.day(obj, "end", path, last=True)
        if start is not None and end is not None and start > end:
            self.problem(
                path,
                f"start {obj['start']} is after end {obj['end']}",
                line=self.tree.object_line(path),
            )
        return start, end

    # ids and references --------------------------------------------------------------------

    def unique_ids(self, section: str, noun: str) -> list[str]:
        seen: dict[str, int] = {}
        ids: list[str] = []
        for i, item in enumerate(self.data.get(section, [])):
            ident = item["id"]
            if ident in seen:
                j = seen[ident]
                line = self.tree.value_line((section, j, "id"))
                self.problem(
                    (section, i, "id"),
                    f"duplicate {noun} id '{ident}' (already used by {section}[{j}] "
                    f"on line {line})",
                )
            else:
                seen[ident] = i
                ids.append(ident)
        return ids

    def site_ref(self, item: dict[str, Any], path: JsonPath, site_ids: list[str]) -> None:
        ref = item.get("site")
        if ref is None or ref in site_ids:
            return
        reason = f"unknown site id '{ref}'"
        suggestion = _suggest(ref, site_ids)
        if suggestion:
            reason += f" (did you mean '{suggestion}'?)"
        elif site_ids:
            reason += f" (site ids are: {', '.join(site_ids)})"
        else:
            reason += " (the file defines no sites)"
        self.problem((*path, "site"), reason)

    def source_names(self) -> None:
        names: dict[str, tuple[int, str]] = {}
        domains: dict[str, tuple[int, str]] = {}
        for i, src in enumerate(self.data.get("sources", [])):
            labels: list[tuple[JsonPath, str]] = [(("sources", i, "name"), src["name"])]
            labels += [
                (("sources", i, "aliases", j), alias)
                for j, alias in enumerate(src.get("aliases", []))
            ]
            for path, label in labels:
                norm = " ".join(label.split()).casefold()
                if norm in names and names[norm][0] != i:
                    other = names[norm][0]
                    self.problem(
                        path,
                        f"'{label}' is already the name or an alias of source "
                        f"'{names[norm][1]}' (sources[{other}])",
                    )
                names.setdefault(norm, (i, src["name"]))
            for j, domain in enumerate(src.get("domains", [])):
                if domain in domains and domains[domain][0] != i:
                    other = domains[domain][0]
                    self.problem(
                        ("sources", i, "domains", j),
                        f"domain '{domain}' is already listed for source "
                        f"'{domains[domain][1]}' (sources[{other}])",
                    )
                domains.setdefault(domain, (i, src["name"]))

    def polygon(self, geometry: dict[str, Any], path: JsonPath) -> None:
        coords = geometry["coordinates"]
        polygons = [((), coords)] if geometry["type"] == "Polygon" else list(enumerate(coords))
        for prefix, rings in polygons:
            base = (*path, "coordinates", *((prefix,) if isinstance(prefix, int) else ()))
            for r, ring in enumerate(rings):
                if ring[0] != ring[-1]:
                    self.problem(
                        (*base, r),
                        f"polygon ring is not closed: its last position {_position(ring[-1])} "
                        f"should repeat its first {_position(ring[0])}",
                    )

    # conversion ----------------------------------------------------------------------------

    def run(self) -> Case:
        data = self.data
        case = data["case"]
        frame = case.get("time_frame", {})
        start, end = self.window(frame, ("case", "time_frame")) if frame else (None, None)

        self.source_names()
        sources = tuple(
            Source(
                name=src["name"],
                kind=SourceKind(src.get("kind", SourceKind.UNKNOWN.value)),
                reliability=src.get("reliability", "F"),
                aliases=tuple(src.get("aliases", ())),
                domains=tuple(src.get("domains", ())),
                independence_group=src.get("independence_group"),
                notes=src.get("notes"),
            )
            for src in data.get("sources", [])
        )

        site_ids = self.unique_ids("sites", "site")
        sites = []
        for i, item in enumerate(data.get("sites", [])):
            coords = item.get("coordinates") or {}
            polygon = item.get("polygon")
            if polygon is not None:
                self.polygon(polygon, ("sites", i, "polygon"))
                polygon = _float_geometry(polygon)
            sites.append(
                Site(
                    id=item["id"],
                    name=item["name"],
                    aliases=tuple(item.get("aliases", ())),
                    kind=item.get("kind"),
                    lat=float(coords["lat"]) if coords else None,
                    lon=float(coords["lon"]) if coords else None,
                    polygon=polygon,
                    geonames_id=item.get("geonames_id"),
                    country=item.get("country"),
                    notes=item.get("notes"),
                )
            )

        self.unique_ids("milestones", "milestone")
        milestones = []
        for i, item in enumerate(data.get("milestones", [])):
            path: JsonPath = ("milestones", i)
            due_start, due_end = (None, None)
            if "due" in item:
                due_start, due_end = self.window(item["due"], (*path, "due"))
            self.site_ref(item, path, site_ids)
            milestones.append(
                Milestone(
                    id=item["id"],
                    title=item["title"],
                    due_start=due_start,
                    due_end=due_end,
                    site=item.get("site"),
                    description=item.get("description"),
                    event_type=item.get("event_type"),
                )
            )

        self.unique_ids("indicators", "indicator")
        indicators = []
        for i, item in enumerate(data.get("indicators", [])):
            path = ("indicators", i)
            self.site_ref(item, path, site_ids)
            expected = item.get("expected") or {}
            by = self.day(expected, "by", (*path, "expected"), last=True) if expected else None
            detector = item.get("detector") or {}
            indicators.append(
                Indicator(
                    id=item["id"],
                    name=item["name"],
                    unit=item["unit"],
                    site=item.get("site"),
                    region=item.get("region"),
                    expected_direction=expected.get("direction"),
                    expected_by=by,
                    detector=detector.get("name"),
                    detector_params=dict(detector.get("params", {})),
                    description=item.get("description"),
                )
            )

        self.unique_ids("hypotheses", "hypothesis")
        hypotheses = tuple(
            Hypothesis(id=item["id"], text=item["text"]) for item in data.get("hypotheses", [])
        )

        return Case(
            slug=case["slug"],
            title=case["title"],
            question=case.get("question"),
            region=case.get("region"),
            start=start,
            end=end,
            description=case.get("description"),
            sources=sources,
            sites=tuple(sites),
            milestones=tuple(milestones),
            indicators=tuple(indicators),
            hypotheses=hypotheses,
        )


def _position(pos: list[float]) -> str:
    return "[" + ", ".join(f"{p:g}" for p in pos) + "]"


def _float_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    def floats(value: Any) -> Any:
        if isinstance(value, list):
            return [floats(v) for v in value]
        return float(value)

    out: dict[str, Any] = {
        "type": geometry["type"],
        "coordinates": floats(geometry["coordinates"]),
    }
    if "bbox" in geometry:
        out["bbox"] = floats(geometry["bbox"])
    return out


def _sorted(problems: list[CaseFileError]) -> list[CaseFileError]:
    return sorted(problems, key=lambda e: e.line or 0)


def _analyse(text: str, path: str) -> tuple[Case | None, list[CaseFileError]]:
    try:
        tree = _compose(text, path)
    except _Stop as stop:
        return None, [stop.error]
    problems = tree.problems + _schema_problems(tree)
    if problems:
        return None, _sorted(problems)
    checker = _Checker(tree)
    case = checker.run()
    if checker.problems:
        return None, _sorted(checker.problems)
    return case, []
