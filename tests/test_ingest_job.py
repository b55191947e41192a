"""Ingestion end to end through jobs, on SQLite and PostgreSQL: identity, versions, clusters,
sources, provenance and failures that leave nothing half-written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from watchboard import jobs
from watchboard.config import Settings
from watchboard.model import Case, Source, SourceKind
from watchboard.store import Store, schema
from watchboard.store import cases as case_queries

STORY = (
    "Pyongyang, 26 December. The leader toured several munitions enterprises and ordered a large "
    "expansion of missile and shell production for the coming year, state media reported. He "
    "called for new factories to be built so that output meets the forecast needs of the armed "
    "forces, and said production capacity must rise across the sector. The plans are to be "
    "fixed at a party congress early next year, the agency added. Officials who accompanied him "
    "were told to modernise production lines and train more workers."
)
OTHER = (
    "Seoul, 28 December. Heavy snow closed several mountain roads in the north-east of the "
    "country, the weather service said, and temperatures are expected to fall further this week. "
    "Ferry services to the islands were suspended and schools in two counties stayed shut."
)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Where a test writes its input files (tmp_path also holds the workspace)."""
    directory = tmp_path / "inputs"
    directory.mkdir()
    return directory


def _open(settings: Settings) -> Store:
    return Store.open(settings.database_url)


def _ingest(settings: Settings, *targets: str, **options: object):
    with _open(settings) as store:
        return jobs.ingest_inputs(
            store, settings, list(targets), options=jobs.IngestOptions(**options)
        )


def _count(settings: Settings, table) -> int:
    with _open(settings) as store, store.reading() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_new_then_unchanged_then_new_version_with_diff(workspace: Settings, inputs: Path) -> None:
    path = inputs / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    first = _ingest(workspace, str(path))
    assert first.counts == {"new": 1, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0}
    assert _ingest(workspace, str(path)).counts["unchanged"] == 1
    path.write_text(STORY.replace("large expansion", "sweeping expansion"), encoding="utf-8")
    third = _ingest(workspace, str(path))
    assert third.counts["updated"] == 1
    with _open(workspace) as store:
        docs = jobs.list_documents(store)
        assert len(docs) == 1 and docs[0].version == 2 and docs[0].versions == 2
        result = jobs.diff_document(store, docs[0].id[:6])
        versions = jobs.document_versions(store, docs[0].id)
    assert "-" + STORY in result.text_diff
    assert any(line.startswith("+") and "sweeping expansion" in line for line in result.text_diff)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].text == STORY  # the old version is kept whole
    assert _count(workspace, schema.blobs) == 2


def test_provenance_is_complete(workspace: Settings, inputs: Path) -> None:
    path = inputs / "story.txt"
    path.write_bytes(STORY.encode())
    _ingest(workspace, str(path), source="Test Wire", published=None)
    with _open(workspace) as store:
        (doc,) = jobs.list_documents(store)
        raw = jobs.raw_bytes(store, doc)
    assert raw == STORY.encode()
    assert doc.blob_sha256 == hashlib.sha256(STORY.encode()).hexdigest()
    assert doc.text_sha256 == hashlib.sha256(doc.text.encode()).hexdigest()
    assert doc.key == path.resolve().as_uri()
    assert doc.retrieved_at is not None and doc.ingested_at is not None
    assert doc.extractor and doc.media_type
    assert doc.source == "Test Wire" and doc.source_match == "given (not in registry)"


def test_identical_text_elsewhere_on_disk_is_a_no_op(workspace: Settings, inputs: Path) -> None:
    (inputs / "a.txt").write_text(STORY)
    (inputs / "b.txt").write_text(STORY)
    report = _ingest(workspace, str(inputs / "a.txt"), str(inputs / "b.txt"))
    assert report.counts["new"] == 1 and report.counts["unchanged"] == 1


def test_near_copies_cluster_and_unrelated_stories_do_not(
    workspace: Settings, inputs: Path
) -> None:
    copy = STORY.replace("Pyongyang, 26 December.", "PYONGYANG (Wire) —") + (
        " Neighbouring governments said they were watching closely."
    )
    (inputs / "original.txt").write_text(STORY)
    (inputs / "copy.txt").write_text(copy)
    (inputs / "other.txt").write_text(OTHER)
    _ingest(workspace, str(inputs))
    with _open(workspace) as store:
        clusters = jobs.list_clusters(store)
        docs = {Path(d.key).name: d for d in jobs.list_documents(store)}
    assert len(clusters) == 1
    assert {d.key.rsplit("/", 1)[-1] for d in clusters[0]} == {"original.txt", "copy.txt"}
    assert docs["other.txt"].cluster_id == docs["other.txt"].id


def test_sources_matched_by_registry_domain_and_unknown_outlets_get_f(
    workspace: Settings, inputs: Path
) -> None:
    case = Case(
        slug="c",
        title="c",
        sources=(Source("Example Wire", SourceKind.WIRE, "B", domains=("wire.example",)),),
    )
    with _open(workspace) as store, store.transaction() as conn:
        case_queries.save(conn, case, file_sha256=None)
    page = (
        "<html><head><title>{t}</title><link rel='canonical' href='{u}'></head>"
        "<body><article><p>{b}</p></article></body></html>"
    )
    (inputs / "a.html").write_text(
        page.format(t="Directive", u="https://news.wire.example/a", b=STORY)
    )
    (inputs / "b.html").write_text(page.format(t="Snow", u="https://www.blog.example/b", b=OTHER))
    _ingest(workspace, str(inputs))
    with _open(workspace) as store:
        by_title = {d.title: d for d in jobs.list_documents(store)}
        registry = {s["name"]: s for s in jobs.list_sources(store)}
    assert by_title["Directive"].source == "Example Wire"
    assert by_title["Directive"].source_match == "domain news.wire.example"
    assert by_title["Directive"].case == "c"  # the workspace's only case
    assert by_title["Snow"].source == "blog.example"
    assert registry["blog.example"]["reliability"] == "F"
    assert registry["blog.example"]["kind"] == "unknown"


def test_bad_inputs_are_reported_and_good_ones_kept(workspace: Settings, inputs: Path) -> None:
    (inputs / "good.txt").write_text(STORY)
    (inputs / "empty.txt").write_text("")
    (inputs / "junk.txt").write_bytes(bytes(range(256)) * 40)
    report = _ingest(workspace, str(inputs), str(inputs / "missing.txt"))
    assert report.counts["new"] == 1
    assert report.counts["failed"] == 3
    reasons = {Path(f.label).name: f.reason for f in report.failures}
    assert set(reasons) == {"empty.txt", "junk.txt", "missing.txt"}
    assert all(reasons.values())
    assert _count(workspace, schema.documents) == 1
    assert _count(workspace, schema.blobs) == 1


def _poison(store: Store) -> None:
    """A real database failure for one title: a trigger that aborts the insert."""
    with store.transaction() as conn:
        if store.dialect == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER poison BEFORE INSERT ON document_versions "
                    "WHEN NEW.title = 'POISON' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.title = 'POISON' THEN RAISE EXCEPTION 'poisoned row'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER poison BEFORE INSERT ON document_versions "
                    "FOR EACH ROW EXECUTE FUNCTION poison()"
                )
            )


def test_a_write_that_fails_midway_leaves_no_partial_document(
    workspace: Settings, inputs: Path
) -> None:
    (inputs / "a.md").write_text("# Fine one\n\n" + STORY)
    (inputs / "b.md").write_text("# POISON\n\n" + OTHER)
    (inputs / "c.md").write_text("# Fine two\n\n" + OTHER.replace("snow", "rain") + " More.")
    with _open(workspace) as store:
        _poison(store)
    report = _ingest(workspace, str(inputs))
    assert report.counts["new"] == 2 and report.counts["failed"] == 1
    assert "poisoned row" in report.failures[0].reason
    with _open(workspace) as store:
        titles = {d.title for d in jobs.list_documents(store)}
        with store.reading() as conn:
            blob_sizes = conn.execute(select(schema.blobs.c.data)).scalars().all()
            bands = conn.execute(
                select(func.count(func.distinct(schema.minhash_bands.c.document_id)))
            ).scalar_one()
    assert titles == {"Fine one", "Fine two"}
    assert not any(b"POISON" in blob for blob in blob_sizes)  # no orphan blob
    assert bands == 2  # no orphan LSH keys


def test_search_is_ranked_with_snippets(workspace: Settings, inputs: Path) -> None:
    (inputs / "a.txt").write_text(STORY + " Factories, factories and more factories.")
    (inputs / "b.txt").write_text(OTHER)
    (inputs / "c.txt").write_text(OTHER + " Missile news was absent, and factories were shut.")
    _ingest(workspace, str(inputs))
    with _open(workspace) as store:
        hits = jobs.search(store, "factories")
        phrase = jobs.search(store, '"shell production"')
        negative = jobs.search(store, "snow -factories")
        nothing = jobs.search(store, "zeppelin")
    assert Path(hits[0].document.key).name == "a.txt"
    assert len(hits) == 2
    assert "[factories]" in hits[0].snippet.lower()
    assert [Path(h.document.key).name for h in phrase] == ["a.txt"]
    assert [Path(h.document.key).name for h in negative] == ["b.txt"]
    assert nothing == []


def test_search_covers_only_current_versions(workspace: Settings, inputs: Path) -> None:
    path = inputs / "a.txt"
    path.write_text(STORY + " Zeppelin.")
    _ingest(workspace, str(path))
    path.write_text(STORY)
    _ingest(workspace, str(path))
    with _open(workspace) as store:
        assert jobs.search(store, "zeppelin") == []
        assert len(jobs.search(store, "factories")) == 1


def test_published_option_overrides_metadata(workspace: Settings, inputs: Path) -> None:
    from datetime import UTC, datetime

    (inputs / "a.md").write_text("---\npublished: 2020-01-01\n---\n# T\n\n" + STORY)
    when = datetime(2025, 12, 26, tzinfo=UTC)
    _ingest(workspace, str(inputs / "a.md"), published=when)
    with _open(workspace) as store:
        (doc,) = jobs.list_documents(store)
    assert doc.published_at.date() == when.date()


def test_unknown_case_is_an_error(workspace: Settings, inputs: Path) -> None:
    from watchboard.errors import NotFoundError

    (inputs / "a.txt").write_text(STORY)
    with pytest.raises(NotFoundError, match="no case 'nope'"):
        _ingest(workspace, str(inputs / "a.txt"), case="nope")


def test_publication_time_keeps_the_publishers_offset(workspace: Settings, inputs: Path) -> None:
    (inputs / "a.md").write_text(
        "---\ntitle: T\npublished: 2025-12-26T06:00:00+09:00\n---\n\n" + STORY
    )
    _ingest(workspace, str(inputs))
    with _open(workspace) as store:
        (doc,) = jobs.list_documents(store)
    # 21:00 UTC on the 25th, but the 26th in Pyongyang: the local date is what the text means.
    assert doc.published_at.isoformat() == "2025-12-26T06:00:00+09:00"
