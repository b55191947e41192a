"""The STIX 2.1 export, built from the real demo case and checked with the OASIS validator."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stix2validator import ValidationOptions, validate_instance

from watchboard import jobs
from watchboard.errors import InputError
from watchboard.report.stix import PREFIX, StixExportError, stix_bundle, stix_id, stix_json
from watchboard.store import Store, snapshot
from watchboard.store import cases as case_queries

CASE = "dprk-2026"

# The validator's one expected reminder: STIX 2.1 §2.9 recommends UUIDv4 but allows the
# name-based UUIDv5 ids that keep exports reproducible.
UUID_CHECK = "{103}"
# A report's URL gets a hash only when Watchboard read the stored bytes from that very URL.
URL_WITHOUT_HASH = "{302}"


# -- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo case, built for real and dumped the way ``watchboard export`` dumps it."""
    demo = jobs.build_demo(tmp_path_factory.mktemp("stix") / "ws")
    with Store.open(demo.settings.database_url) as store, store.reading() as conn:
        case_id = case_queries.find_id(conn, CASE)
        assert case_id is not None
        return snapshot.dump_case(conn, case_id)


@pytest.fixture(scope="module")
def demo_bundle(demo_snapshot: dict[str, Any]) -> dict[str, Any]:
    return stix_bundle(demo_snapshot)


class _Offline:
    """Refuses every outgoing connection and name lookup, and remembers each attempt."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def refuse(self, *args: Any, **_kw: Any) -> None:
        self.attempts.append(repr(args[1:] or args)[:200])
        raise OSError("network access refused during STIX validation")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Offline]:
    """Every test here runs offline: neither the export nor the validator may use the network.
    (The module's demo workspace is built before this applies, as wider fixtures come first.)"""
    guard = _Offline()
    monkeypatch.setattr(socket.socket, "connect", guard.refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", guard.refuse)
    monkeypatch.setattr(socket, "getaddrinfo", guard.refuse)
    monkeypatch.setattr(socket, "create_connection", guard.refuse)
    yield guard
    assert guard.attempts == [], f"the STIX validator tried the network: {guard.attempts}"


def validate(bundle: dict[str, Any]) -> list[str]:
    """Validate with the official validator (STIX 2.1); return its warnings, failing on errors."""
    results = validate_instance(copy.deepcopy(bundle), ValidationOptions(version="2.1"))
    errors = [str(e) for e in results.errors]
    assert results.is_valid, "\n".join(errors)
    assert errors == []
    warnings = [str(w) for w in results.warnings or []]
    print(f"validator: valid, {len(warnings)} warning(s)")
    for warning in warnings:
        print("  ", warning)
    return warnings


def unexpected(warnings: list[str]) -> list[str]:
    return [w for w in warnings if UUID_CHECK not in w and URL_WITHOUT_HASH not in w]


def by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def notes(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in by_type(bundle, "note") if o.get(f"{PREFIX}kind") == kind]


def minimal_snapshot() -> dict[str, Any]:
    """A case as a user could export it right after loading its case file: nothing read yet."""
    return {
        "format": "watchboard-case",
        "format_version": 1,
        "schema_version": 4,
        "case": {
            "slug": "empty-case",
            "title": "A case with no claims",
            "question": "Does anything happen?",
            "region": None,
            "start_date": None,
            "end_date": None,
            "description": None,
            "file_sha256": None,
            "loaded_at": "2026-01-02T03:04:05+00:00",
        },
        "tables": {
            "sites": [
                {"key": "somewhere", "name": "Somewhere", "aliases": [], "kind": None,
                 "lat": None, "lon": None, "polygon": None, "geonames_id": None,
                 "country": None, "notes": None},
                {"key": "plant", "name": "The plant", "aliases": [], "kind": "factory",
                 "lat": None, "lon": None, "polygon": None, "geonames_id": None,
                 "country": "KP", "notes": None},
            ],
            "milestones": [
                {"key": "m1", "title": "Something happens", "due_start": None, "due_end": None,
                 "site_key": None, "description": None, "origin": "case", "event_type": None},
            ],
            "sources": [
                {"name": "Some Wire", "kind": "wire", "reliability": "B", "aliases": [],
                 "domains": [], "independence_group": None, "notes": None, "origin": "cli",
                 "created_at": "2026-01-01T00:00:00+00:00", "in_case": True},
            ],
        },
    }  # fmt: skip


def fetched_snapshot() -> dict[str, Any]:
    """One document fetched from its URL, with one claim and its assessment."""
    data = minimal_snapshot()
    url = "https://wire.example/story"
    page = b"<p>Text.</p>"
    sha = hashlib.sha256(page).hexdigest()
    data["tables"] |= {
        "blobs": [{"sha256": sha, "size": len(page), "data": base64.b64encode(page).decode()}],
        "documents": [
            {"id": "doc1", "key": url, "current_version": 1, "cluster_id": "doc1",
             "first_seen_at": "2026-01-03T00:00:00+00:00"},
        ],
        "document_versions": [
            {"document_id": "doc1", "version": 1, "blob_sha256": sha, "text": "Text.",
             "text_sha256": "cd" * 32, "url": url, "title": None, "author": None,
             "site_name": None, "language": None, "published_at": None,
             "published_offset": None, "retrieved_at": "2026-01-03T00:00:00+00:00",
             "ingested_at": "2026-01-03T00:00:01+00:00", "source_id": "Some Wire",
             "source_match": "domain", "extractor": "html", "media_type": "text/html",
             "encoding": "utf-8", "origin": url, "word_count": 1, "warnings": []},
        ],
        "claims": [
            {"id": "c1", "document_id": "doc1", "version": 1, "start": 0, "end": 5,
             "quote": "Text.", "attribution": [], "asserted_by": "Some Wire",
             "source_identified": False, "modality": "stated", "event_type": None,
             "data": {"places": [{"site": "plant", "name": "The plant"}], "times": [],
                      "quantities": [], "actors": [], "negated": False},
             "pipeline_version": "p1", "created_at": "2026-01-03T00:00:02+00:00"},
        ],
        "assessments": [
            {"claim_id": "c1", "credibility": 6, "rating": "B6", "rule": "unsourced",
             "match_group": "c1", "independent_groups": 0, "data": {"explain": []},
             "assessed_at": "2026-01-03T00:00:03+00:00"},
        ],
    }  # fmt: skip
    return data


# -- the demo case -------------------------------------------------------------------------------


def test_demo_bundle_is_valid_stix_21_without_the_network(
    demo_bundle: dict[str, Any], demo_snapshot: dict[str, Any]
) -> None:
    warnings = validate(demo_bundle)
    assert unexpected(warnings) == []
    assert all("is not a valid UUIDv4 ID" in w for w in warnings if UUID_CHECK in w)
    # The demo reads local copies of its reports, so no report URL can carry a hash.
    reports = {o["id"] for o in by_type(demo_bundle, "report")}
    assert {w.split(":")[0] for w in warnings if URL_WITHOUT_HASH in w} <= reports
    versions = demo_snapshot["tables"]["document_versions"]
    assert all(v["origin"] != v["url"] for v in versions)


def test_demo_bundle_has_one_object_per_thing(
    demo_bundle: dict[str, Any], demo_snapshot: dict[str, Any]
) -> None:
    tables = demo_snapshot["tables"]
    assert demo_bundle["type"] == "bundle"
    assert len(notes(demo_bundle, "claim")) == len(tables["claims"]) > 0
    assert len(by_type(demo_bundle, "opinion")) == len(tables["assessments"]) > 0
    located = [s for s in tables["sites"] if s["lat"] is not None and s["lon"] is not None]
    assert len(by_type(demo_bundle, "location")) == len(located) > 0
    # One identity per source, plus the producer.
    assert len(by_type(demo_bundle, "identity")) == len(tables["sources"]) + 1
    assert len(by_type(demo_bundle, "report")) == len(tables["documents"])
    assert len(notes(demo_bundle, "milestone")) == len(tables["milestones"])
    assert len(notes(demo_bundle, "contradiction")) == len(tables["contradictions"]) > 0
    assert len(by_type(demo_bundle, "grouping")) == 1
    assert len(by_type(demo_bundle, "extension-definition")) == 1
    relationships = by_type(demo_bundle, "relationship")
    kinds = [r["x_watchboard_kind"] for r in relationships]
    assert kinds.count("contradicts") == len(tables["contradictions"])
    stories = [a for a in tables["assessments"] if a["match_group"] != a["claim_id"]]
    assert kinds.count("same-story") == len(stories) > 0
    assert {r["relationship_type"] for r in relationships} == {"related-to"}
    ids = [o["id"] for o in demo_bundle["objects"]]
    assert len(ids) == len(set(ids))


def test_every_reference_resolves_inside_the_bundle(demo_bundle: dict[str, Any]) -> None:
    ids = {o["id"] for o in demo_bundle["objects"]}
    for obj in demo_bundle["objects"]:
        refs = list(obj.get("object_refs", [])) + list(obj.get("extensions", {}))
        refs += [obj["created_by_ref"]] if "created_by_ref" in obj else []
        refs += [obj[k] for k in ("source_ref", "target_ref") if k in obj]
        assert set(refs) <= ids, obj["id"]
    (case,) = by_type(demo_bundle, "grouping")
    assert set(case["object_refs"]) == ids - {case["id"]}


def test_export_is_deterministic_and_ignores_row_order(demo_snapshot: dict[str, Any]) -> None:
    first = stix_json(demo_snapshot)
    assert unexpected(validate(json.loads(first))) == []
    assert stix_json(demo_snapshot) == first
    assert stix_json(json.loads(json.dumps(demo_snapshot))) == first
    shuffled = copy.deepcopy(demo_snapshot)
    for rows in shuffled["tables"].values():
        rows.reverse()
    assert stix_json(shuffled) == first
    assert json.loads(first) == stix_bundle(demo_snapshot)


def test_same_claim_keeps_its_stix_id(demo_snapshot: dict[str, Any]) -> None:
    claims = demo_snapshot["tables"]["claims"]
    dropped = claims[0]["id"]
    smaller = copy.deepcopy(demo_snapshot)
    smaller["tables"]["claims"] = claims[1:]
    smaller["tables"]["assessments"] = [
        a for a in smaller["tables"]["assessments"] if a["claim_id"] != dropped
    ]
    smaller["tables"]["contradictions"] = [
        c
        for c in smaller["tables"]["contradictions"]
        if dropped not in (c["claim_a"], c["claim_b"])
    ]
    before = {n[f"{PREFIX}claim_id"]: n["id"] for n in notes(stix_bundle(demo_snapshot), "claim")}
    bundle = stix_bundle(smaller)
    validate(bundle)
    after = {n[f"{PREFIX}claim_id"]: n["id"] for n in notes(bundle, "claim")}
    assert dropped not in after
    assert after == {k: v for k, v in before.items() if k != dropped}
    assert after[claims[1]["id"]] == stix_id("note", "claim", claims[1]["id"])


def test_a_claims_quote_attribution_and_rating_survive(
    demo_bundle: dict[str, Any], demo_snapshot: dict[str, Any]
) -> None:
    tables = demo_snapshot["tables"]
    assessments = {a["claim_id"]: a for a in tables["assessments"]}
    claim = next(c for c in tables["claims"] if len(c["attribution"]) > 1 and c["event_type"])
    note = next(n for n in notes(demo_bundle, "claim") if n[f"{PREFIX}claim_id"] == claim["id"])
    assert note["content"] == claim["quote"]
    assert note["authors"] == claim["attribution"]
    assert note["abstract"] == f"{claim['modality']} {claim['event_type']}"
    assert (note[f"{PREFIX}span_start"], note[f"{PREFIX}span_end"]) == (
        claim["start"],
        claim["end"],
    )
    assert note[f"{PREFIX}asserted_by"] == claim["asserted_by"]
    report = next(o for o in by_type(demo_bundle, "report") if o["id"] in note["object_refs"])
    assert report[f"{PREFIX}document_id"] == claim["document_id"]
    assert note["id"] in report["object_refs"]

    assessment = assessments[claim["id"]]
    (opinion,) = [o for o in by_type(demo_bundle, "opinion") if note["id"] in o["object_refs"]]
    assert opinion[f"{PREFIX}rating"] == assessment["rating"]
    assert opinion[f"{PREFIX}credibility"] == assessment["credibility"]
    assert opinion["explanation"].splitlines() == assessment["data"]["explain"]
    assert opinion["modified"].startswith(assessment["assessed_at"][:19])


def test_opinions_follow_the_admiralty_credibility(demo_bundle: dict[str, Any]) -> None:
    expected = {
        1: ("strongly-agree", 90),
        2: ("agree", 70),
        3: ("neutral", 50),
        4: ("disagree", 30),
        5: ("strongly-disagree", 10),
        6: ("neutral", None),
    }
    opinions = by_type(demo_bundle, "opinion")
    seen = Counter(o[f"{PREFIX}credibility"] for o in opinions)
    assert 6 in seen and len(seen) > 2  # the demo has both judged and unjudgeable claims
    for opinion in opinions:
        credibility = opinion[f"{PREFIX}credibility"]
        assert (opinion["opinion"], opinion.get("confidence")) == expected[credibility]
        if credibility == 6:
            assert opinion["explanation"].startswith("cannot be judged")


def test_custom_properties_are_declared_by_the_extension(demo_bundle: dict[str, Any]) -> None:
    (extension,) = by_type(demo_bundle, "extension-definition")
    declared = set(extension["extension_properties"])
    for obj in demo_bundle["objects"]:
        custom = {k for k in obj if k.startswith("x_")}
        assert custom <= declared, obj["id"]
        if custom:
            assert obj["extensions"] == {
                extension["id"]: {"extension_type": "toplevel-property-extension"}
            }
    sources = {o["name"]: o for o in by_type(demo_bundle, "identity")}
    assert sources["KCNA"][f"{PREFIX}reliability"] == "C"
    assert sources["KCNA"][f"{PREFIX}source_kind"] == "state_media"
    assert sources["KCNA"][f"{PREFIX}independence_group"] == "dprk-state-media"
    assert sources["Watchboard"]["identity_class"] == "system"
    sites = {o[f"{PREFIX}site_key"]: o for o in by_type(demo_bundle, "location")}
    assert sites["pyongyang"][f"{PREFIX}polygon"]["type"] == "Polygon"
    assert sites["kanggye"]["country"] == "KP"
    milestones = notes(demo_bundle, "milestone")
    assert all(m[f"{PREFIX}status"] for m in milestones)


def test_claim_notes_refer_to_the_sites_they_name(
    demo_bundle: dict[str, Any], demo_snapshot: dict[str, Any]
) -> None:
    locations = {o[f"{PREFIX}site_key"]: o["id"] for o in by_type(demo_bundle, "location")}
    named = {
        c["id"]: {p["site"] for p in c["data"]["places"] if p["site"]}
        for c in demo_snapshot["tables"]["claims"]
    }
    assert any(named.values())
    for note in notes(demo_bundle, "claim"):
        sites = {locations[k] for k in named[note[f"{PREFIX}claim_id"]]}
        assert sites == {r for r in note["object_refs"] if r.startswith("location--")}


def test_a_document_without_claims_refers_to_its_source(demo_bundle: dict[str, Any]) -> None:
    empty = [r for r in by_type(demo_bundle, "report") if r[f"{PREFIX}claims"] == 0]
    assert empty  # the demo's weather story holds no claim
    for report in empty:
        assert report["object_refs"] == [report["created_by_ref"]]
        assert report["created_by_ref"].startswith("identity--")


def test_another_producer_signs_the_bundle(demo_snapshot: dict[str, Any]) -> None:
    bundle = stix_bundle(demo_snapshot, producer="Analysis Cell")
    assert unexpected(validate(bundle)) == []
    producer = stix_id("identity", "producer", "Analysis Cell")
    (identity,) = [o for o in by_type(bundle, "identity") if o["id"] == producer]
    assert "identity_class" not in identity  # not said, so not guessed
    assert all(o["created_by_ref"] == producer for o in by_type(bundle, "opinion"))


# -- hand-made snapshots -------------------------------------------------------------------------


@pytest.mark.parametrize("made", [minimal_snapshot, fetched_snapshot])
def test_hand_made_snapshots_are_what_watchboard_writes(made: Any, tmp_path: Path) -> None:
    """Loaded into a real workspace and dumped again, they export to the same bundle."""
    with Store.open(f"sqlite:///{tmp_path / 'ws.db'}", create=True) as store:
        with store.transaction() as conn:
            case_id = snapshot.load_case(conn, made())
        with store.reading() as conn:
            dumped = snapshot.dump_case(conn, case_id)
    assert stix_json(dumped) == stix_json(made())


def test_a_case_without_claims_gives_a_valid_bundle() -> None:
    bundle = stix_bundle(minimal_snapshot())
    assert unexpected(validate(bundle)) == []
    assert [o["type"] for o in bundle["objects"]] == [
        "identity",
        "extension-definition",
        "identity",
        "location",
        "note",
        "grouping",
    ]
    (location,) = by_type(bundle, "location")
    assert location["country"] == "KP" and "latitude" not in location
    (case,) = by_type(bundle, "grouping")
    assert case["name"] == "A case with no claims"
    assert case["description"] == "Does anything happen?"
    assert case[f"{PREFIX}omitted"] == ["site somewhere: no coordinates and no country"]
    assert f"{PREFIX}region" not in case  # the case file gives none
    (milestone,) = notes(bundle, "milestone")
    assert milestone["object_refs"] == [case["id"]]
    assert f"{PREFIX}status" not in milestone


def test_a_fetched_document_carries_its_hash_and_no_warning_is_left() -> None:
    bundle = stix_bundle(fetched_snapshot())
    warnings = validate(bundle)
    assert [w for w in warnings if UUID_CHECK not in w] == []
    (report,) = by_type(bundle, "report")
    assert report["external_references"] == [
        {
            "source_name": "Some Wire",
            "url": "https://wire.example/story",
            "hashes": {"SHA-256": hashlib.sha256(b"<p>Text.</p>").hexdigest()},
        }
    ]
    assert report["name"] == "document doc1"
    assert report["published"].startswith("2026-01-03T00:00:00")
    assert report[f"{PREFIX}published_from"] == "first_seen"
    (note,) = notes(bundle, "claim")
    assert "authors" not in note and note["abstract"] == "stated"
    (location,) = by_type(bundle, "location")
    assert note["object_refs"] == [report["id"], location["id"]]
    (opinion,) = by_type(bundle, "opinion")
    assert opinion["explanation"] == "cannot be judged"
    assert opinion["created"] <= opinion["modified"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([1, 2, 3], "not a Watchboard case export"),
        ({"format": "stix-bundle"}, "not a Watchboard case export"),
        ({"format": "watchboard-case", "format_version": 99}, "format version 99"),
        ({"format": "watchboard-case", "format_version": 1, "case": {}, "tables": {}}, "slug"),
    ],
)
def test_what_is_not_a_case_is_refused(bad: Any, message: str) -> None:
    with pytest.raises(StixExportError) as raised:
        stix_bundle(bad)
    assert isinstance(raised.value, InputError)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_malformed_row_is_named() -> None:
    data = fetched_snapshot()
    del data["tables"]["claims"][0]["quote"]
    with pytest.raises(StixExportError, match=r"tables\.claims\[0\] \(c1\): missing field 'quote'"):
        stix_bundle(data)
    data = fetched_snapshot()
    data["tables"]["sites"][1]["lat"], data["tables"]["sites"][1]["lon"] = 123.0, 0.0
    with pytest.raises(StixExportError, match=r"tables\.sites\[1\] \(plant\)"):
        stix_bundle(data)
    data = fetched_snapshot()
    data["tables"]["claims"] = {"not": "a list"}
    with pytest.raises(StixExportError, match=r"tables\.claims must be a list"):
        stix_bundle(data)


def test_the_bundle_is_json(tmp_path: Path) -> None:
    text = stix_json(fetched_snapshot())
    assert unexpected(validate(json.loads(text))) == []
    path = tmp_path / "case.stix.json"
    path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == stix_bundle(fetched_snapshot())
