"""A case as a STIX 2.1 bundle: what sources said, where, and what Watchboard makes of it.

Input is a case snapshot (``store.snapshot.dump_case``); output is one bundle, built with the
``stix2`` library and checked in the tests with the OASIS validator. The mapping:

- **identity** — one for the producer (``identity_class`` "system" for Watchboard itself; every
  object Watchboard asserts has it as ``created_by_ref``) and one per source: ``organization``,
  or ``unknown`` for a source of unknown kind; ``sectors`` ["government"] for a government
  source; custom ``reliability`` A–F, ``source_kind``, ``independence_group``, ``aliases``,
  ``domains``.
- **location** — one per site: name, latitude/longitude, country, notes as description, the
  GeoNames id as an external reference; custom ``site_key``, ``site_kind``, ``aliases``,
  ``polygon`` (GeoJSON). A site with neither coordinates nor a country cannot be a STIX
  location: it is left out and named in the grouping's ``omitted``.
- **report** — one per document, created by its source's identity: name = title (or the document
  id when untitled); ``published`` = the document's publication time, or the time Watchboard
  first saw it when the document gives none (``published_from`` says which); the URL as an
  external reference, with the SHA-256 of the stored bytes only when they were read from that
  very URL; ``object_refs`` = the notes of its claims and the locations they name. A document
  without claims is kept (it was read and asserts nothing); as STIX needs at least one
  reference, it refers to its source's identity.
- **note** per claim — content = the exact quote, abstract = "modality event_type", authors = the
  attribution chain, ``object_refs`` = the report and the locations of sites the claim names;
  custom ``kind`` "claim", ``claim_id``, ``document_id``, ``document_version``, ``span_start`` and
  ``span_end``, ``modality``, ``event_type``, ``asserted_by``, ``attribution``,
  ``source_identified``, ``negated``, and compact ``actors``, ``times``, ``quantities`` and
  ``places`` (the span text and the normalised values, not the extraction internals).
- **opinion** per assessment, by the producer, about the claim's note. Admiralty credibility
  1–5 maps to strongly-agree … strongly-disagree; 6 ("truth cannot be judged") is neutral and its
  explanation starts "cannot be judged". ``confidence`` follows the STIX 2.1 appendix on the
  Admiralty credibility scale (1→90, 2→70, 3→50, 4→30, 5→10; none for 6). The explanation is
  the assessment's reason lines; custom ``rating``, ``credibility``, ``rule``,
  ``independent_groups``, and ``override`` when an analyst overrode the grade.
- **note** per milestone (``kind`` "milestone": due window and the stored status, referring to
  its evidence claims and its site, or to the case's grouping when it has neither), per
  contradiction (``kind`` "contradiction", referring to both claims) and per anachronism
  (``kind`` "anachronism", referring to the claim and its report).
- **relationship** ``related-to`` between claim notes: two claims that contradict each other
  (custom ``kind`` "contradicts", beside the contradiction's note) and each claim matched into
  a story with the story's first claim (``kind`` "same-story").
- **grouping** — the case: name = title, description = question, context "unspecified";
  custom ``case_slug``, ``region``, ``start_date``, ``end_date``, ``case_description``;
  ``object_refs`` = every other object.

Custom properties are named ``x_watchboard_<name>`` and declared, as STIX 2.1 §7.3 asks, by one
**extension-definition** (a top-level property extension listing ``PROPERTIES`` with their
meaning) that every object carrying them names in ``extensions``.

Not exported: indicators, observations, detected changes, alerts, hypotheses, milestone
suggestions and the raw bytes. STIX has no fitting object for them (a STIX indicator is a
detection pattern), and the JSON snapshot carries them whole.

Ids are UUIDv5 of Watchboard's natural keys in ``NAMESPACE`` (STIX 2.1 §2.9 allows this; the
validator's "uuid-check" still reminds that UUIDv4 is recommended), so the same claim keeps its
STIX id from one export to the next. Times come only from stored times, never from the clock:
a claim's note is created when the claim was; an opinion is created with its claim (so it stays
put across re-assessments, as STIX versioning asks) and modified when last assessed; sites and
milestones take the case's load time; the grouping is modified at the latest time of anything
in it. The producer identity and the extension definition describe Watchboard, not the case, and
carry a fixed time. A field the data does not give is left out, never filled in.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import stix2
from stix2.exceptions import STIXError

from watchboard.errors import InputError
from watchboard.store.snapshot import FORMAT, FORMAT_VERSION

log = logging.getLogger(__name__)

#: The namespace of every STIX id Watchboard makes (never change it: ids would all change).
NAMESPACE = uuid.UUID("2ea1a397-859e-41ac-a5a8-5fe7cef5ffc6")


def stix_id(object_type: str, *key: str) -> str:
    """The STIX id Watchboard gives an object of this type with this natural key."""
    name = "\x1f".join((object_type, *key))
    return f"{object_type}--{uuid.uuid5(NAMESPACE, name)}"


# The producer identity and the extension definition describe Watchboard, not the case, so their
# times are fixed with their ids (bump _DEFINED and EXTENSION_VERSION when PROPERTIES changes).
_DEFINED = datetime(2025, 1, 1, tzinfo=UTC)

PREFIX = "x_watchboard_"
DEFAULT_PRODUCER = "Watchboard"

#: Every custom property Watchboard writes (without PREFIX), as declared by its extension.
PROPERTIES: dict[str, str] = {
    "kind": "note: what the note records: claim, milestone, contradiction or anachronism; "
    "relationship: what it records: contradicts (two claims disagree) or same-story (two "
    "claims were matched as reports of the same thing)",
    # sources (identity)
    "reliability": "identity: Admiralty source reliability, A (reliable) to F (cannot be judged)",
    "source_kind": "identity: state_media, wire, newspaper, think_tank, government, aggregator "
    "or unknown",
    "independence_group": "identity: sources in one group count once as corroboration",
    "domains": "identity: web domains of the source",
    "aliases": "identity, location: other names and romanisations",
    # sites (location)
    "site_key": "location, note: the case's key for the site",
    "site_kind": "location: the kind of site (city, port city, factory ...)",
    "polygon": "location: the site's outline as a GeoJSON geometry",
    # documents (report)
    "document_id": "report, note: Watchboard's document id",
    "document_version": "report, note: the document version (the report shows the current one)",
    "published_from": "report: 'document' when published is the document's own date, "
    "'first_seen' when it gives none and the time Watchboard first saw it is used",
    "author": "report: the byline",
    "site_name": "report: the publishing site's name as the page gives it",
    "cluster_id": "report: the near-duplicate cluster (id of its first document)",
    "text_sha256": "report: SHA-256 of the document text as extracted",
    "claims": "report: how many claims were extracted from the document",
    # claims (note)
    "claim_id": "note: Watchboard's claim id",
    "span_start": "note: start offset of the quote in the document text (characters)",
    "span_end": "note: end offset of the quote in the document text (characters, exclusive)",
    "modality": "note: ordered, planned, projected, under_way, completed, observed, stated, "
    "denied or speculative",
    "event_type": "note: the event type (construction, production, ...)",
    "asserted_by": "note: who the claim is finally attributed to",
    "attribution": "note: the attribution chain, outermost first (e.g. wire, then state media)",
    "source_identified": "note: whether the original speaker is named",
    "negated": "note: whether the statement is negated",
    "actors": "note: actors named (text, name, kind)",
    "times": "note: times named, normalised (text, value, start, end, granularity, mod, type)",
    "quantities": "note: quantities named (text, value, low, high, bound, unit, counted, per)",
    "places": "note: places named and how they resolved (text, name, lat, lon, country, "
    "geonames_id, feature, site)",
    "pipeline_version": "note: version of the extraction pipeline that made the claim",
    # assessments (opinion)
    "rating": "opinion: Admiralty rating, source reliability and information credibility (B2)",
    "credibility": "opinion: Admiralty information credibility, 1 (confirmed) to 6 "
    "(cannot be judged)",
    "rule": "opinion: the grading rule that gave the credibility",
    "independent_groups": "opinion: independence groups that assert the claim",
    "override": "opinion: an analyst's override of the computed grade",
    # milestones (note)
    "milestone_key": "note: the case's key for the milestone",
    "due_start": "note: first day of the milestone's due window",
    "due_end": "note: last day of the milestone's due window",
    "origin": "note: where the milestone comes from (case file or accepted suggestion)",
    "status": "note: milestone status (pending, due, achieved, overdue, contradicted)",
    "status_reason": "note: why the milestone has that status",
    "status_as_of": "note: the date the status was computed for",
    "evidence": "note: claims weighed for the status (claim, role, credibility, why)",
    "links": "note: claims an analyst linked to the milestone (claim_id, role, note, actor)",
    # findings (note)
    "contradiction_id": "note, relationship: Watchboard's contradiction id",
    "contradiction_kind": "note: the kind of contradiction",
    "claim_ids": "note: the two contradicting claims",
    "texts": "note: the contradicting text of each claim",
    "anachronism_id": "note: Watchboard's anachronism id",
    "anachronism_kind": "note: the kind of anachronism",
    "text": "note: the text that is out of time",
    "active": "note: whether the finding still holds at the last assessment",
    # the case (grouping)
    "case_slug": "grouping: the case's slug",
    "region": "grouping: the case's region, as the case file words it",
    "start_date": "grouping: start of the case's time frame",
    "end_date": "grouping: end of the case's time frame",
    "case_description": "grouping: the case's description",
    "omitted": "grouping: what the export left out and why",
}

EXTENSION_VERSION = "1.0.0"

# Admiralty information credibility -> STIX opinion, and the STIX 2.1 appendix's confidence value.
_OPINION = {
    1: "strongly-agree",
    2: "agree",
    3: "neutral",
    4: "disagree",
    5: "strongly-disagree",
    6: "neutral",
}
_CONFIDENCE = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}


class StixExportError(InputError):
    """A snapshot that cannot be exported as STIX (not a Watchboard case, or a malformed row)."""


def stix_bundle(snapshot: Mapping[str, Any], *, producer: str = DEFAULT_PRODUCER) -> dict[str, Any]:
    """The case as a STIX 2.1 bundle, as JSON-ready data (see the module docstring).

    The same snapshot always gives the same bundle: ids and times come from the data.
    Raises ``StixExportError`` for anything that is not a Watchboard case snapshot.
    """
    case, tables = _check(snapshot)
    objects = _Export(case, tables, producer=producer).objects()
    bundle = stix2.v21.Bundle(
        objects=objects, id=stix_id("bundle", str(case["slug"])), allow_custom=True
    )
    data: dict[str, Any] = json.loads(bundle.serialize())
    return data


def stix_json(snapshot: Mapping[str, Any], **kw: Any) -> str:
    """The bundle of ``stix_bundle`` serialised: sorted keys, objects in a fixed order."""
    return json.dumps(stix_bundle(snapshot, **kw), sort_keys=True, indent=2, ensure_ascii=False)


# -- input ---------------------------------------------------------------------------------------


def _check(snapshot: Any) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    if not isinstance(snapshot, Mapping) or snapshot.get("format") != FORMAT:
        raise StixExportError("snapshot", f"not a Watchboard case export (no format {FORMAT!r})")
    if snapshot.get("format_version") != FORMAT_VERSION:
        raise StixExportError(
            "snapshot",
            f"export format version {snapshot.get('format_version')!r} is not supported "
            f"(this Watchboard reads {FORMAT_VERSION})",
        )
    case, tables = snapshot.get("case"), snapshot.get("tables")
    if not isinstance(case, Mapping) or not isinstance(tables, Mapping):
        raise StixExportError("snapshot", "'case' and 'tables' must be objects")
    for field in ("slug", "title", "loaded_at"):
        if not isinstance(case.get(field), str) or not case[field]:
            raise StixExportError("snapshot", f"the case has no {field}")
    try:
        _time(case["loaded_at"])
    except ValueError:
        raise StixExportError(
            "snapshot", f"the case's loaded_at {case['loaded_at']!r} is not an ISO 8601 time"
        ) from None
    for name, rows in tables.items():
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            raise StixExportError("snapshot", f"tables.{name} must be a list of objects")
    return case, tables


@contextmanager
def _row(table: str, index: int, key: Any = None) -> Iterator[None]:
    """Turn a missing or malformed field of one row into an error that names the row."""
    label = f"snapshot: tables.{table}[{index}]" + (f" ({key})" if key else "")
    try:
        yield
    except StixExportError:
        raise
    except KeyError as error:
        raise StixExportError(label, f"missing field {error}") from error
    except (TypeError, ValueError, STIXError) as error:
        raise StixExportError(label, str(error).splitlines()[0]) from error


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 time, not {value!r}")
    parsed = datetime.fromisoformat(value)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _clean(value: Any) -> Any:
    """Drop what the data does not give (None, empty lists and objects), recursively."""
    if isinstance(value, Mapping):
        items = ((k, _clean(v)) for k, v in value.items())
        return {k: v for k, v in items if v not in (None, [], {})}
    if isinstance(value, list | tuple):
        return [v for v in (_clean(v) for v in value) if v not in (None, [], {})]
    return value


def _custom(**fields: Any) -> dict[str, Any]:
    """Custom properties (``x_watchboard_`` + name), without the ones that have no value."""
    unknown = set(fields) - PROPERTIES.keys()
    if unknown:  # a programming error: every property is declared in PROPERTIES
        raise AssertionError(f"undeclared STIX properties: {', '.join(sorted(unknown))}")
    return {f"{PREFIX}{k}": v for k, v in _clean(fields).items()}


def _span_text(item: Mapping[str, Any]) -> Any:
    span = item.get("span") or (item.get("mention") or {}).get("span") or {}
    return span.get("text")


def _times(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    keys = ("value", "start", "end", "granularity", "mod", "type")
    return [{"text": _span_text(t)} | {k: t.get(k) for k in keys} for t in items]


def _quantities(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    keys = ("value", "low", "high", "bound", "unit", "counted", "per")
    return [{"text": _span_text(q)} | {k: q.get(k) for k in keys} for q in items]


def _places(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    keys = ("name", "resolved", "lat", "lon", "country", "geonames_id", "feature", "site")
    return [{"text": _span_text(p)} | {k: p.get(k) for k in keys} for p in items]


def _actors(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"text": _span_text(a), "name": a.get("name"), "kind": a.get("kind")} for a in items]


# -- the export ----------------------------------------------------------------------------------


class _Export:
    """One pass over a snapshot; objects are made parents first, so references resolve."""

    def __init__(
        self, case: Mapping[str, Any], tables: Mapping[str, Any], *, producer: str
    ) -> None:
        self.case = case
        self.tables = tables
        self.slug = str(case["slug"])
        self.loaded_at = _time(case["loaded_at"])
        self.producer_id = stix_id("identity", "producer", producer)
        self.producer = producer
        self.extension_id = stix_id("extension-definition", "watchboard-properties", producer)
        self.case_id = stix_id("grouping", "case", self.slug)
        self.out: list[Any] = []
        self.omitted: list[str] = []
        self.sources: dict[str, str] = {}
        self.sites: dict[str, str] = {}
        self.reports: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        self.claim_created: dict[str, datetime] = {}

    def rows(self, name: str, *order: str) -> list[tuple[int, Mapping[str, Any]]]:
        """A table's rows with their index in the snapshot, sorted by ``order`` (so the output
        does not depend on the order rows come in)."""
        rows: list[Mapping[str, Any]] = self.tables.get(name) or []
        return sorted(enumerate(rows), key=lambda item: [str(item[1].get(k)) for k in order])

    def custom(self, **fields: Any) -> dict[str, Any]:
        """Custom properties and the ``extensions`` entry that declares them (STIX 2.1 §7.3)."""
        properties = _custom(**fields)
        if properties:
            extension = {"extension_type": "toplevel-property-extension"}
            properties["extensions"] = {self.extension_id: extension}
        return properties

    def omit(self, what: str, reason: str) -> None:
        log.info("STIX export of %s leaves out %s: %s", self.slug, what, reason)
        self.omitted.append(f"{what}: {reason}")

    def objects(self) -> list[Any]:
        self.out.append(
            stix2.v21.Identity(
                id=self.producer_id,
                name=self.producer,
                # Watchboard itself is a system; what another producer is, the caller did not say.
                identity_class="system" if self.producer == DEFAULT_PRODUCER else None,
                created=_DEFINED,
                modified=_DEFINED,
            )
        )
        schema = "\n".join(
            ["Watchboard's custom properties, each a top-level property of the objects named:"]
            + [f"{PREFIX}{name}: {meaning}" for name, meaning in sorted(PROPERTIES.items())]
        )
        self.out.append(
            stix2.v21.ExtensionDefinition(
                id=self.extension_id,
                name="Watchboard case properties",
                description="What Watchboard records about sources, sites, documents, claims, "
                "assessments, milestones and findings beyond the STIX 2.1 core properties.",
                schema=schema,
                version=EXTENSION_VERSION,
                extension_types=["toplevel-property-extension"],
                extension_properties=[f"{PREFIX}{name}" for name in sorted(PROPERTIES)],
                created_by_ref=self.producer_id,
                created=_DEFINED,
                modified=_DEFINED,
            )
        )
        self.add_sources()
        self.add_sites()
        claims_by_document = self.claims_by_document()
        self.add_reports(claims_by_document)
        self.add_claims()
        self.add_assessments()
        self.add_milestones()
        self.add_contradictions()
        self.add_anachronisms()
        self.add_relationships()
        self.add_case()
        return self.out

    # sources and sites

    def add_sources(self) -> None:
        audited: dict[str, datetime] = {}
        for i, entry in self.rows("audit_log"):
            with _row("audit_log", i):
                if str(entry.get("action", "")).startswith("source."):
                    at = _time(entry["at"])
                    target = str(entry["target"])
                    audited[target] = max(at, audited.get(target, at))
        for i, row in self.rows("sources", "name"):
            with _row("sources", i, row.get("name")):
                name = str(row["name"])
                kind = row.get("kind") or "unknown"
                created = _time(row["created_at"])
                self.sources[name] = stix_id("identity", "source", name)
                self.out.append(
                    stix2.v21.Identity(
                        id=self.sources[name],
                        name=name,
                        identity_class="unknown" if kind == "unknown" else "organization",
                        sectors=["government"] if kind == "government" else None,
                        description=row.get("notes") or None,
                        created_by_ref=self.producer_id,
                        created=created,
                        modified=max(created, audited.get(name, created)),
                        allow_custom=True,
                        **self.custom(
                            reliability=row.get("reliability"),
                            source_kind=kind,
                            independence_group=row.get("independence_group"),
                            aliases=list(row.get("aliases") or []),
                            domains=list(row.get("domains") or []),
                        ),
                    )
                )

    def add_sites(self) -> None:
        for i, row in self.rows("sites", "key"):
            with _row("sites", i, row.get("key")):
                key = str(row["key"])
                lat, lon, country = row.get("lat"), row.get("lon"), row.get("country")
                point = (float(lat), float(lon)) if lat is not None and lon is not None else None
                if point is None and not country:
                    self.omit(f"site {key}", "no coordinates and no country")
                    continue
                self.sites[key] = stix_id("location", "site", self.slug, key)
                geonames = row.get("geonames_id")
                references = (
                    [
                        # No URL: a URL without a hash of its content draws a warning,
                        # and the GeoNames id is the reference.
                        {"source_name": "geonames", "external_id": str(geonames)}
                    ]
                    if geonames
                    else None
                )
                self.out.append(
                    stix2.v21.Location(
                        id=self.sites[key],
                        name=row["name"],
                        description=row.get("notes") or None,
                        latitude=point[0] if point else None,
                        longitude=point[1] if point else None,
                        country=country or None,
                        external_references=references,
                        created_by_ref=self.producer_id,
                        created=self.loaded_at,
                        modified=self.loaded_at,
                        allow_custom=True,
                        **self.custom(
                            site_key=key,
                            site_kind=row.get("kind"),
                            aliases=list(row.get("aliases") or []),
                            polygon=row.get("polygon"),
                        ),
                    )
                )

    # documents and claims

    def claims_by_document(self) -> dict[str, list[Mapping[str, Any]]]:
        grouped: dict[str, list[Mapping[str, Any]]] = {}
        for i, claim in self.rows("claims", "id"):
            with _row("claims", i, claim.get("id")):
                grouped.setdefault(str(claim["document_id"]), []).append(claim)
                self.notes[str(claim["id"])] = stix_id("note", "claim", str(claim["id"]))
        return grouped

    def claim_sites(self, claim: Mapping[str, Any]) -> list[str]:
        places = (claim.get("data") or {}).get("places") or []
        keys = sorted({str(p["site"]) for p in places if p.get("site")})
        return [self.sites[k] for k in keys if k in self.sites]

    def add_reports(self, claims_by_document: Mapping[str, list[Mapping[str, Any]]]) -> None:
        versions: dict[tuple[str, int], Mapping[str, Any]] = {}
        first_version: dict[str, Mapping[str, Any]] = {}
        for i, row in self.rows("document_versions"):
            with _row("document_versions", i, row.get("document_id")):
                document, number = str(row["document_id"]), int(row["version"])
                versions[document, number] = row
                if document not in first_version or number < first_version[document]["version"]:
                    first_version[document] = row
        for i, row in self.rows("documents", "id"):
            with _row("documents", i, row.get("id")):
                document = str(row["id"])
                version = versions.get((document, int(row["current_version"])))
                if version is None:
                    self.omit(f"document {document}", "its current version is not in the snapshot")
                    continue
                source = self.sources.get(str(version["source_id"]))
                if source is None:
                    self.omit(f"document {document}", f"source {version['source_id']!r} missing")
                    continue
                claims = claims_by_document.get(document, [])
                refs = [self.notes[str(c["id"])] for c in claims]
                refs += sorted({site for c in claims for site in self.claim_sites(c)})
                first_seen = _time(row["first_seen_at"])
                published_at = version.get("published_at")
                published = _time(published_at) if published_at else first_seen
                first = first_version[document].get("published_at")
                created = _time(first) if first else first_seen
                modified = max(created, published, _time(version["ingested_at"]))
                url = version.get("url")
                reference: dict[str, Any] = {"source_name": version["source_id"], "url": url}
                if url and version.get("origin") == url and version.get("blob_sha256"):
                    # Read from that very URL: the stored bytes are its content.
                    reference["hashes"] = {"SHA-256": version["blob_sha256"]}
                self.reports[document] = stix_id("report", "document", document)
                self.out.append(
                    stix2.v21.Report(
                        id=self.reports[document],
                        name=version.get("title") or f"document {document}",
                        published=published,
                        object_refs=refs or [source],
                        lang=version.get("language") or None,
                        external_references=[reference] if url else None,
                        created_by_ref=source,
                        created=created,
                        modified=modified,
                        allow_custom=True,
                        **self.custom(
                            document_id=document,
                            document_version=int(row["current_version"]),
                            published_from="document" if published_at else "first_seen",
                            author=version.get("author"),
                            site_name=version.get("site_name"),
                            cluster_id=row.get("cluster_id"),
                            text_sha256=version.get("text_sha256"),
                            claims=len(claims),
                        ),
                    )
                )

    def add_claims(self) -> None:
        for i, claim in self.rows("claims", "id"):
            with _row("claims", i, claim.get("id")):
                claim_id, document = str(claim["id"]), str(claim["document_id"])
                report = self.reports.get(document)
                if report is None:
                    self.notes.pop(claim_id, None)
                    self.omit(f"claim {claim_id}", f"its document {document} is not exported")
                    continue
                data = claim.get("data") or {}
                created = _time(claim["created_at"])
                self.claim_created[claim_id] = created
                modality, event_type = claim["modality"], claim.get("event_type")
                self.out.append(
                    stix2.v21.Note(
                        id=self.notes[claim_id],
                        content=claim["quote"],
                        abstract=" ".join(p for p in (modality, event_type) if p),
                        authors=list(claim.get("attribution") or []) or None,
                        object_refs=[report, *self.claim_sites(claim)],
                        created_by_ref=self.producer_id,
                        created=created,
                        modified=created,
                        allow_custom=True,
                        **self.custom(
                            kind="claim",
                            claim_id=claim_id,
                            document_id=document,
                            document_version=claim.get("version"),
                            span_start=claim["start"],
                            span_end=claim["end"],
                            modality=modality,
                            event_type=event_type,
                            asserted_by=claim.get("asserted_by"),
                            attribution=list(claim.get("attribution") or []),
                            source_identified=claim.get("source_identified"),
                            negated=data.get("negated"),
                            actors=_actors(data.get("actors") or []),
                            times=_times(data.get("times") or []),
                            quantities=_quantities(data.get("quantities") or []),
                            places=_places(data.get("places") or []),
                            pipeline_version=claim.get("pipeline_version"),
                        ),
                    )
                )

    def add_assessments(self) -> None:
        for i, row in self.rows("assessments", "claim_id"):
            with _row("assessments", i, row.get("claim_id")):
                claim_id = str(row["claim_id"])
                note = self.notes.get(claim_id)
                if note is None:
                    self.omit(f"assessment of {claim_id}", "its claim is not exported")
                    continue
                credibility = int(row["credibility"])
                if credibility not in _OPINION:
                    raise ValueError(f"credibility must be 1-6, not {credibility}")
                data = row.get("data") or {}
                lines = [str(line) for line in data.get("explain") or []]
                if credibility == 6:
                    lines.insert(0, "cannot be judged")
                assessed = _time(row["assessed_at"])
                created = min(self.claim_created[claim_id], assessed)
                self.out.append(
                    stix2.v21.Opinion(
                        id=stix_id("opinion", "assessment", claim_id),
                        opinion=_OPINION[credibility],
                        explanation="\n".join(lines) or None,
                        confidence=_CONFIDENCE.get(credibility),
                        object_refs=[note],
                        created_by_ref=self.producer_id,
                        created=created,
                        modified=assessed,
                        allow_custom=True,
                        **self.custom(
                            rating=row.get("rating"),
                            credibility=credibility,
                            rule=row.get("rule"),
                            independent_groups=row.get("independent_groups"),
                            override=data.get("override"),
                        ),
                    )
                )

    # findings

    def add_milestones(self) -> None:
        status = {str(r.get("milestone_key")): r for _, r in self.rows("milestone_status")}
        links: dict[str, list[Mapping[str, Any]]] = {}
        for _, link in self.rows("milestone_links", "milestone_key", "claim_id"):
            links.setdefault(str(link.get("milestone_key")), []).append(link)
        for i, row in self.rows("milestones", "key"):
            with _row("milestones", i, row.get("key")):
                key = str(row["key"])
                state = status.get(key) or {}
                evidence = list(state.get("evidence") or [])
                linked = links.get(key, [])
                claim_ids = [str(e["claim"]) for e in evidence if e.get("claim")]
                claim_ids += [str(link["claim_id"]) for link in linked]
                refs = list(dict.fromkeys(self.notes[c] for c in claim_ids if c in self.notes))
                site = row.get("site_key")
                if site and site in self.sites:
                    refs.append(self.sites[site])
                modified = self.loaded_at
                if state.get("computed_at"):
                    modified = max(modified, _time(state["computed_at"]))
                for link in linked:
                    modified = max(modified, _time(link["at"]))
                self.out.append(
                    stix2.v21.Note(
                        id=stix_id("note", "milestone", self.slug, key),
                        abstract=row["title"],
                        content=row.get("description") or row["title"],
                        object_refs=refs or [self.case_id],
                        created_by_ref=self.producer_id,
                        created=self.loaded_at,
                        modified=modified,
                        allow_custom=True,
                        **self.custom(
                            kind="milestone",
                            milestone_key=key,
                            due_start=row.get("due_start"),
                            due_end=row.get("due_end"),
                            site_key=site,
                            event_type=row.get("event_type"),
                            origin=row.get("origin"),
                            status=state.get("status"),
                            status_reason=state.get("reason"),
                            status_as_of=state.get("as_of"),
                            evidence=[
                                {k: e.get(k) for k in ("claim", "role", "credibility", "why")}
                                for e in evidence
                            ],
                            links=[
                                {k: link.get(k) for k in ("claim_id", "role", "note", "actor")}
                                for link in linked
                            ],
                        ),
                    )
                )

    def add_contradictions(self) -> None:
        for i, row in self.rows("contradictions", "id"):
            with _row("contradictions", i, row.get("id")):
                finding = str(row["id"])
                claims = [str(row["claim_a"]), str(row["claim_b"])]
                refs = [self.notes[c] for c in claims if c in self.notes]
                if not refs:
                    self.omit(f"contradiction {finding}", "neither claim is exported")
                    continue
                seen = _time(row["first_seen_at"])
                self.out.append(
                    stix2.v21.Note(
                        id=stix_id("note", "contradiction", finding),
                        abstract=f"contradiction: {row['kind']}",
                        content=row["detail"],
                        object_refs=refs,
                        created_by_ref=self.producer_id,
                        created=seen,
                        modified=seen,
                        allow_custom=True,
                        **self.custom(
                            kind="contradiction",
                            contradiction_id=finding,
                            contradiction_kind=row["kind"],
                            claim_ids=claims,
                            texts=[row.get("a_text"), row.get("b_text")],
                            active=row.get("active"),
                        ),
                    )
                )

    def add_anachronisms(self) -> None:
        for i, row in self.rows("anachronisms", "id"):
            with _row("anachronisms", i, row.get("id")):
                finding, claim = str(row["id"]), str(row["claim_id"])
                refs = [self.notes[claim]] if claim in self.notes else []
                document = self.reports.get(str(row["document_id"]))
                refs += [document] if document else []
                if not refs:
                    self.omit(f"anachronism {finding}", "its claim and document are not exported")
                    continue
                seen = _time(row["first_seen_at"])
                self.out.append(
                    stix2.v21.Note(
                        id=stix_id("note", "anachronism", finding),
                        abstract=f"anachronism: {row['kind']}",
                        content=row["detail"],
                        object_refs=refs,
                        created_by_ref=self.producer_id,
                        created=seen,
                        modified=seen,
                        allow_custom=True,
                        **self.custom(
                            kind="anachronism",
                            anachronism_id=finding,
                            anachronism_kind=row["kind"],
                            claim_id=claim,
                            document_id=row["document_id"],
                            text=row.get("text"),
                            active=row.get("active"),
                        ),
                    )
                )

    def add_relationships(self) -> None:
        """``related-to`` relationships between claim notes (STIX has no more specific type
        between notes): two claims that contradict each other, and each claim matched into a
        story with the story's first claim. ``x_watchboard_kind`` says which."""
        for i, row in self.rows("contradictions", "id"):
            with _row("contradictions", i, row.get("id")):
                a, b = str(row["claim_a"]), str(row["claim_b"])
                if a not in self.notes or b not in self.notes:
                    continue
                seen = _time(row["first_seen_at"])
                self.out.append(
                    stix2.v21.Relationship(
                        id=stix_id("relationship", "contradicts", str(row["id"])),
                        relationship_type="related-to",
                        source_ref=self.notes[a],
                        target_ref=self.notes[b],
                        description=row["detail"],
                        created_by_ref=self.producer_id,
                        created=seen,
                        modified=seen,
                        allow_custom=True,
                        **self.custom(kind="contradicts", contradiction_id=str(row["id"])),
                    )
                )
        for i, row in self.rows("assessments", "claim_id"):
            with _row("assessments", i, row.get("claim_id")):
                claim, story = str(row["claim_id"]), str(row.get("match_group") or "")
                if not story or story == claim or claim not in self.notes:
                    continue
                if story not in self.notes:
                    continue
                assessed = _time(row["assessed_at"])
                created = min(self.claim_created[claim], assessed)
                self.out.append(
                    stix2.v21.Relationship(
                        id=stix_id("relationship", "same-story", claim, story),
                        relationship_type="related-to",
                        source_ref=self.notes[claim],
                        target_ref=self.notes[story],
                        description="matched as a report of the same thing",
                        created_by_ref=self.producer_id,
                        created=created,
                        modified=assessed,
                        allow_custom=True,
                        **self.custom(kind="same-story"),
                    )
                )

    # the case

    def add_case(self) -> None:
        modified = max([self.loaded_at, *(o.modified for o in self.out)])
        self.out.append(
            stix2.v21.Grouping(
                id=self.case_id,
                name=self.case["title"],
                description=self.case.get("question") or None,
                context="unspecified",
                object_refs=[o.id for o in self.out],
                created_by_ref=self.producer_id,
                created=self.loaded_at,
                modified=modified,
                allow_custom=True,
                **self.custom(
                    case_slug=self.slug,
                    region=self.case.get("region"),
                    start_date=self.case.get("start_date"),
                    end_date=self.case.get("end_date"),
                    case_description=self.case.get("description"),
                    omitted=self.omitted,
                ),
            )
        )
