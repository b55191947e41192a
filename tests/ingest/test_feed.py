"""Feeds: one draft per entry; bad entries are yielded as errors, bad feeds raise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from watchboard.errors import InputError
from watchboard.ingest.feed import read_feed
from watchboard.model import Draft, RawInput

RawFactory = Callable[..., RawInput]

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Korea Desk</title>
  <link>https://desk.example.org/</link>
  <description>News</description>
  <language>en-us</language>
  <item>
    <title>Kim orders factory expansion</title>
    <link>https://desk.example.org/a/1</link>
    <guid isPermaLink="false">desk-1</guid>
    <dc:creator>Jane Reporter</dc:creator>
    <pubDate>Fri, 26 Dec 2025 10:00:00 +0900</pubDate>
    <description>&lt;p&gt;Leader &lt;b&gt;ordered&lt;/b&gt; new factories.&lt;/p&gt;
      &lt;p&gt;Second paragraph.&lt;/p&gt;</description>
    <source url="https://kcna.example/rss">KCNA</source>
  </item>
  <item>
    <title>Headline only</title>
    <link>https://desk.example.org/a/2</link>
  </item>
  <item>
    <guid>tag:desk.example.org,2025:3</guid>
    <description>No link, only an id.</description>
    <pubDate>Sun, 30 Feb 2025 10:00:00 GMT</pubDate>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ko">
  <title>조선 소식</title>
  <id>urn:feed</id>
  <updated>2025-12-27T00:00:00Z</updated>
  <entry>
    <title>공장 확장</title>
    <id>urn:entry:1</id>
    <link href="https://atom.example.org/1"/>
    <updated>2025-12-27T09:00:00+09:00</updated>
    <author><name>기자</name></author>
    <summary>짧은 요약</summary>
    <content type="html">&lt;p&gt;긴 본문: 새 공장을 짓는다.&lt;/p&gt;</content>
  </entry>
</feed>
""".encode()

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://rdf.example.org/"><title>RDF Desk</title>
  <link>https://rdf.example.org/</link><description>d</description></channel>
  <item rdf:about="https://rdf.example.org/1"><title>One</title>
  <link>https://rdf.example.org/1</link><description>Item one text.</description></item>
</rdf:RDF>
"""


def test_rss_gives_one_draft_per_entry_and_errors_for_empty_entries(raw: RawFactory) -> None:
    results = list(read_feed(raw(RSS, "desk.xml", url="https://desk.example.org/rss")))
    first, second, third = results
    assert isinstance(first, Draft)
    assert first.text == "Leader ordered new factories.\n\nSecond paragraph."
    assert first.title == "Kim orders factory expansion"
    assert first.url == first.key == "https://desk.example.org/a/1"
    assert first.author == "Jane Reporter"
    assert first.published_at == datetime(2025, 12, 26, 1, tzinfo=UTC)
    assert (first.site_name, first.language, first.source_hint) == ("Korea Desk", "en", "KCNA")
    assert first.label == "desk.xml entry 1"
    assert first.raw == RSS
    assert first.extractor.startswith("feedparser/")
    assert first.media_type == "application/rss+xml"
    assert first.metadata == {
        "entry": 1,
        "entry_id": "desk-1",
        "feed_url": "https://desk.example.org/rss",
    }
    assert isinstance(second, InputError)
    assert str(second) == (
        "desk.xml entry 2: entry has no content or summary (fetch its linked page instead)"
    )
    assert isinstance(third, Draft)
    assert third.key == "tag:desk.example.org,2025:3"
    assert third.url is None
    assert third.published_at is None
    assert third.warnings == (
        "published date ignored: absurd date 'Sun, 30 Feb 2025 10:00:00 GMT' "
        "(day is out of range for month)",
    )


def test_atom_prefers_content_over_summary(raw: RawFactory) -> None:
    (draft,) = read_feed(raw(ATOM, "atom.xml"))
    assert isinstance(draft, Draft)
    assert draft.text == "긴 본문: 새 공장을 짓는다."
    assert (draft.title, draft.author, draft.site_name) == ("공장 확장", "기자", "조선 소식")
    assert draft.published_at == datetime(2025, 12, 27, 0, tzinfo=UTC)
    assert draft.language == "ko"
    assert draft.media_type == "application/atom+xml"


def test_rdf_feed_is_read(raw: RawFactory) -> None:
    (draft,) = read_feed(raw(RDF, "rdf.xml"))
    assert isinstance(draft, Draft)
    assert (draft.text, draft.site_name) == ("Item one text.", "RDF Desk")
    assert draft.media_type == "application/rdf+xml"


def test_a_leniently_read_feed_warns_on_every_draft(raw: RawFactory) -> None:
    sloppy = RSS.replace(b"<title>Korea Desk</title>", b"<title>Korea & Desk</title>")
    drafts = [d for d in read_feed(raw(sloppy, "sloppy.xml")) if isinstance(d, Draft)]
    assert len(drafts) == 2
    assert all(d.warnings[0].startswith("feed is not well-formed (") for d in drafts)
    assert all(d.warnings[0].endswith("; read leniently") for d in drafts)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>E</title></channel></rss>',
            "empty.xml: feed has no entries",
        ),
        (
            b'<?xml version="1.0"?><catalog><book>not a feed</book></catalog>',
            "empty.xml: malformed feed: not an RSS, Atom or RDF document",
        ),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut',
            "empty.xml: malformed feed: no element found at line 1, column 76",
        ),
    ],
)
def test_feeds_without_entries_are_refused(raw: RawFactory, data: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        list(read_feed(raw(data, "empty.xml")))
    assert str(info.value) == message


def test_feed_bytes_that_name_a_file_are_not_opened(raw: RawFactory, tmp_path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(RSS)
    with pytest.raises(InputError) as info:
        list(read_feed(raw(str(secret).encode(), "tricky.xml")))
    assert info.value.reason.startswith("malformed feed")


def test_fetch_page_failure_keeps_the_summary_and_warns(raw: RawFactory) -> None:
    def fetch_page(url: str) -> RawInput:
        raise InputError(url, "HTTP 404 Not Found")

    first, second, _ = read_feed(raw(RSS, "desk.xml"), fetch_page=fetch_page)
    assert isinstance(first, Draft)
    assert first.text == "Leader ordered new factories.\n\nSecond paragraph."
    assert first.warnings == (
        "linked page not used: https://desk.example.org/a/1: HTTP 404 Not Found",
    )
    assert isinstance(second, InputError)
    assert str(second) == (
        "desk.xml entry 2: entry has no content or summary; "
        "linked page not used: https://desk.example.org/a/2: HTTP 404 Not Found"
    )
