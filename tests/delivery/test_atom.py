"""The Atom feed: valid RFC 4287 read back by xml.etree and feedparser, written atomically."""

from __future__ import annotations

import resource
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from watchboard.delivery import AtomChannel, DeliveryError, write_atom_feed

from .conftest import alert

NS = {"a": "http://www.w3.org/2005/Atom"}
UPDATED = datetime(2026, 1, 6, 9, 30, tzinfo=UTC)


def test_feed_has_the_required_elements_and_entries_newest_first(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    write_atom_feed(AtomChannel("atom", path), [alert(1), alert(3), alert(2)], updated=UPDATED)

    feed = ET.parse(path).getroot()
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.findtext("a:id", namespaces=NS) == "urn:watchboard:feed:atom"
    assert feed.findtext("a:title", namespaces=NS) == "Watchboard alerts"
    assert feed.findtext("a:updated", namespaces=NS) == "2026-01-06T09:30:00Z"
    assert feed.findtext("a:author/a:name", namespaces=NS) == "Watchboard"
    entries = feed.findall("a:entry", NS)
    ids = [entry.findtext("a:id", namespaces=NS) for entry in entries]
    assert ids == [f"urn:watchboard:alert:a000{n}" for n in (3, 2, 1)]
    first = entries[0]
    assert first.findtext("a:updated", namespaces=NS) == "2026-01-05T15:00:00Z"
    assert first.find("a:content", NS).attrib["type"] == "text"  # type: ignore[union-attr]
    assert first.findtext("a:content", namespaces=NS) == alert(3).body
    rule = first.find("a:category[@scheme='urn:watchboard:rule']", NS)
    assert rule is not None and rule.attrib["term"] == "new-contradiction"
    link = first.find("a:link", NS)
    assert link is not None and link.attrib["href"] == "https://watchboard.example/alerts/a0003"


def test_feedparser_reads_it_without_complaint(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    write_atom_feed(AtomChannel("atom", path, title="Korea desk"), [alert(1)], updated=UPDATED)
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Korea desk"
    (entry,) = parsed.entries
    assert entry.id == "urn:watchboard:alert:a0001"
    assert entry.title == "dprk-2026: Output figures disagree (1)"
    assert {tag.term for tag in entry.tags} >= {"new-contradiction", "contradiction"}


def test_markup_characters_are_escaped_and_control_characters_dropped(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    message = alert(title='<b>Plant</b> A & B "north"', body="x < y && z > w\x07\x00 end")
    write_atom_feed(AtomChannel("atom", path), [message], updated=UPDATED)
    assert "<b>" not in path.read_text(encoding="utf-8")
    entry = ET.parse(path).getroot().find("a:entry", NS)
    assert entry is not None
    assert entry.findtext("a:title", namespaces=NS) == 'dprk-2026: <b>Plant</b> A & B "north"'
    assert entry.findtext("a:content", namespaces=NS) == "x < y && z > w end"
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.entries[0].title == 'dprk-2026: <b>Plant</b> A & B "north"'


def test_only_the_newest_max_entries_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    messages = [alert(n) for n in range(1, 11)]
    write_atom_feed(AtomChannel("atom", path, max_entries=3), messages, updated=UPDATED)
    ids = [
        e.findtext("a:id", namespaces=NS) for e in ET.parse(path).getroot().findall("a:entry", NS)
    ]
    assert ids == [f"urn:watchboard:alert:a{n:04d}" for n in (10, 9, 8)]


def test_an_empty_feed_is_still_valid(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "alerts.xml"
    write_atom_feed(AtomChannel("atom", path), [], updated=UPDATED)
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo and parsed.entries == []
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_previous_feed_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    write_atom_feed(AtomChannel("atom", path), [alert(1)], updated=UPDATED)
    before = path.read_bytes()
    big = [alert(n, body="word " * 200) for n in range(1, 200)]  # ~200 KB of feed
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))  # writes past 64 KB fail
    try:
        with pytest.raises(DeliveryError) as failed:
            write_atom_feed(AtomChannel("atom", path), big, updated=UPDATED)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert failed.value.retryable
    assert str(path) in str(failed.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alerts.xml"]


def test_a_directory_in_the_way_is_a_permanent_failure(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    path.mkdir()
    with pytest.raises(DeliveryError) as failed:
        write_atom_feed(AtomChannel("atom", path), [alert(1)], updated=UPDATED)
    assert not failed.value.retryable
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alerts.xml"]
    assert path.is_dir()


def test_a_naive_feed_timestamp_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        write_atom_feed(AtomChannel("atom", tmp_path / "a.xml"), [], updated=datetime(2026, 1, 6))
