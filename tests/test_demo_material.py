"""The demo reports: present, marked as demonstration material, and shaped to exercise readers.

Only plain Python (and feedparser for the feed) is used here, so these tests check the material
itself, not any reader.
"""

from __future__ import annotations

import html
import re
from importlib import resources

import feedparser
import pytest

REPORTS = resources.files("watchboard.demo") / "dprk-2026" / "reports"
MARKER = "[Demonstration material written for Watchboard; not a real news report.]"
FILES = [
    "kcna-2025-12-26.html",
    "wire-a-2025-12-26.html",
    "wire-a-syndicated-2025-12-27.html",
    "wire-b-2025-12-26.md",
    "herald-2025-12-28.txt",
    "digest-feed.xml",
]


def read(name: str) -> str:
    return (REPORTS / name).read_text(encoding="utf-8")


def article_text(page: str) -> str:
    """The visible text of a page's <article> element."""
    match = re.search(r"<article[^>]*>(.*?)</article>", page, re.S)
    assert match, "no <article> element"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def markdown_body(text: str) -> str:
    match = re.match(r"---\n.*?\n---\n", text, re.S)
    assert match, "no front matter"
    return text[match.end() :]


def shingles(text: str) -> set[tuple[str, ...]]:
    words = [w.lower() for w in re.findall(r"\w+", text)]
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.?!\"])\s+", " ".join(text.split())) if s.strip()]


@pytest.mark.parametrize("name", FILES)
def test_report_exists_and_is_marked_as_demonstration_material(name: str) -> None:
    assert (REPORTS / name).is_file()
    assert MARKER in read(name)


def test_no_unlisted_report_files() -> None:
    assert sorted(p.name for p in REPORTS.iterdir()) == sorted(FILES)


def test_kcna_page_metadata() -> None:
    page = read("kcna-2025-12-26.html")
    assert re.search(r"<title>[^<]+</title>", page)
    assert '<meta name="author"' in page
    assert '<meta property="og:site_name" content="KCNA">' in page
    assert 'content="2025-12-26T06:00:00+09:00"' in page
    assert re.search(r'<link rel="canonical" href="http://www\.kcna\.kp/en/article/q/demo-', page)
    assert "<nav" in page and "<footer" in page
    words = len(re.findall(r"\w+", article_text(page)))
    assert 150 <= words <= 300


def test_wire_story_canonical_urls_are_on_real_domains_with_fake_paths() -> None:
    assert 'href="https://www.reuters.com/demo/' in read("wire-a-2025-12-26.html")
    assert "url: https://en.yna.co.kr/demo/" in read("wire-b-2025-12-26.md")
    syndicated = read("wire-a-syndicated-2025-12-27.html")
    assert 'href="https://pacificledger.example/' in syndicated
    assert "By Reuters staff" in syndicated


def test_syndicated_copy_is_a_near_duplicate_of_the_wire_story() -> None:
    original = article_text(read("wire-a-2025-12-26.html"))
    copy = article_text(read("wire-a-syndicated-2025-12-27.html"))
    assert jaccard(original, copy) >= 0.5
    # Light edits only: at least 80 % of the original's sentences appear unchanged.
    kept = set(sentences(copy))
    body = [s for s in sentences(original) if not s.startswith("By ")]
    assert sum(s in kept for s in body) / len(body) >= 0.8
    # ... but it is not byte-identical: new headline, dropped paragraph, added context.
    assert original != copy


def test_independent_wire_stories_are_not_near_duplicates() -> None:
    wire_a = article_text(read("wire-a-2025-12-26.html"))
    wire_b = markdown_body(read("wire-b-2025-12-26.md"))
    assert jaccard(wire_a, wire_b) < 0.3
    kcna = article_text(read("kcna-2025-12-26.html"))
    herald = read("herald-2025-12-28.txt")
    for a, b in [(kcna, wire_a), (kcna, wire_b), (herald, wire_a), (herald, wire_b)]:
        assert jaccard(a, b) < 0.3


def test_markdown_front_matter() -> None:
    text = read("wire-b-2025-12-26.md")
    front = text.split("---")[1]
    keys = {line.split(":", 1)[0] for line in front.strip().splitlines()}
    assert keys == {"title", "author", "published", "url", "source"}
    body = markdown_body(text)
    assert "congress" in body and "air-defence" in body.lower()


def test_newspaper_text_has_headline_first_and_an_anonymous_number() -> None:
    text = read("herald-2025-12-28.txt")
    # Mail-like header lines, headline first, then a blank line and the body.
    header, _, body = text.partition("\n\n")
    lines = header.splitlines()
    assert lines[0].startswith("Title: ") and not lines[0].endswith(".")
    assert [line.split(":", 1)[0] for line in lines] == [
        "Title",
        "Author",
        "Published",
        "Source",
        "URL",
    ]
    assert "URL: https://www.koreaherald.com/demo/" in header
    assert len(re.findall(r"\w+", body)) >= 200
    assert "a government official who declined to be named" in text.lower()
    assert re.search(r'"around \d+"', text)


def test_aggregator_feed_parses_into_three_entries() -> None:
    feed = feedparser.parse((REPORTS / "digest-feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert len(feed.entries) == 3
    for entry in feed.entries:
        assert entry.link.startswith("https://worldnewsdigest.example/")
        assert entry.published_parsed is not None
        assert entry.description
        assert MARKER in entry.description
    # The rewrite adds specifics with no attribution at all: that is the point of it.
    rewrite = feed.entries[0].description
    assert re.search(r"\b\d+ new\b", rewrite)
    assert not re.search(r"\b(said|according to|reported|KCNA)\b", rewrite)


def test_indicator_data_is_labelled_synthetic() -> None:
    folder = resources.files("watchboard.demo") / "dprk-2026" / "indicators"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "not measured data" in readme
    lights = (folder / "nightlights-kanggye.csv").read_text(encoding="utf-8").splitlines()
    assert lights[0] == "time,value,unit,quality"
    assert all(line.endswith(",synthetic") for line in lights[1:])
