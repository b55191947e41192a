"""Briefs and exports end to end: the demo case's brief as HTML, PDF (rendered with poppler)
and Markdown; every footnote resolves to a stored quote; nothing refers to the network;
replays as of a date; an empty case; user templates; the JSON export round-trips between
SQLite and PostgreSQL, all or nothing; CSV tables."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib import image as mpimg
from sqlalchemy import select

from watchboard import jobs
from watchboard.assess import assess
from watchboard.cli import cli
from watchboard.errors import WatchboardError
from watchboard.jobs import brief as brief_jobs
from watchboard.report import render
from watchboard.report.brief import CaseInfo, SiteInfo, build_brief
from watchboard.store import Store, snapshot
from watchboard.store.schema import cases, claims, document_versions, documents

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def run(ws: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["-w", str(ws), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    return jobs.build_demo(tmp_path_factory.mktemp("brief") / "ws")


@pytest.fixture(scope="module")
def demo_brief(demo):
    settings, store = jobs.open_workspace(demo.settings.workspace)
    try:
        return brief_jobs.make_brief(store, settings, now=NOW)
    finally:
        store.close()


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
            if name == "id" and value:
                self.ids.add(value)


def _parse(html: str) -> _Attributes:
    parser = _Attributes()
    parser.feed(html)
    return parser


# -- the demo brief ------------------------------------------------------------------------------


def test_html_brief_is_self_contained_and_every_footnote_is_a_stored_quote(demo, demo_brief):
    html = render.render_html(demo_brief)
    parsed = _parse(html)
    # No network: no attribute points anywhere but inside the page or at a data: URI.
    for tag, name, value in parsed.attrs:
        if name in ("href", "src", "srcset", "action", "poster", "data", "background"):
            assert value.startswith(("#", "data:")), (tag, name, value[:80])
    assert "script" not in parsed.tags and "link" not in parsed.tags and "iframe" not in parsed.tags
    assert not re.search(r"url\(\s*['\"]?\s*(?!data:|#)", html)
    assert "@import" not in html
    # Every reference has its note, and every note of a claim is the exact stored span.
    refs = {v[1:] for _, n, v in parsed.attrs if n == "href" and v.startswith("#fn-")}
    assert refs and refs <= parsed.ids
    notes = re.findall(
        r'<li id="fn-(\d+)" data-kind="claim" data-ref="(\w+)" data-document="(\w+)" '
        r'data-start="(\d+)" data-end="(\d+)">\s*<q class="quote">(.*?)</q>',
        html,
        re.S,
    )
    assert len(notes) == sum(1 for c in demo_brief.citations if c.kind == "claim") > 10
    import html as html_lib

    with Store.open(demo.settings.database_url) as store, store.reading() as conn:
        for _n, claim_id, doc_id, start, end, quote in notes:
            text = conn.execute(
                select(document_versions.c.text)
                .join(documents, documents.c.id == document_versions.c.document_id)
                .where(
                    documents.c.id == doc_id,
                    document_versions.c.version == documents.c.current_version,
                )
            ).scalar_one()
            stored = conn.execute(select(claims.c.quote).where(claims.c.id == claim_id)).scalar()
            assert html_lib.unescape(quote) == stored == text[int(start) : int(end)]


def test_demo_brief_has_every_section_with_judgments_in_estimative_language(demo_brief):
    b = demo_brief
    assert not b.empty and b.counts["claims"] > 40
    words = {band["words"] for band in b.likelihood_table}
    judged = [s for s in b.bottom_line if "confidence" in s.text and s.cites]
    assert judged and all(any(w in s.text for w in words) for s in judged)
    assert b.key_facts and all(f.credibility <= 5 and f.cite for f in b.key_facts)
    assert [m.status for m in b.milestones] == ["overdue", "due", "due"]
    assert any(e.kind == "event" for e in b.timeline)
    assert b.cautions["contradictions"] and b.cautions["unidentified"]
    assert any("Site Sinpo" in g.text for g in b.gaps)
    names = {s.name for s in b.sources}
    assert {"KCNA", "Reuters", "World News Digest"} <= names
    assert all(d.outlet and d.published for d in b.documents)
    synthetic = [i for i in b.indicators if i.synthetic]
    assert synthetic, "demo indicator data must be flagged SYNTHETIC in the brief"
    assert set(b.figures) >= {"timeline", "map"} | {f"indicator-{i.key}" for i in synthetic}
    # Unjudgeable claims are never key facts or judgments.
    assert all(c.credibility != 6 for c in b.citations if c.n in {f.cite for f in b.key_facts})


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pages_png(path: Path, out: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


def test_pdf_brief_renders_with_text_of_key_facts_and_citations(demo, tmp_path):
    ws = demo.settings.workspace
    pdf = tmp_path / "brief.pdf"
    output = run(ws, "brief", "--format", "pdf", "-o", str(pdf))
    assert str(pdf) in output and pdf.read_bytes().startswith(b"%PDF-")
    pages = _pages_png(pdf, tmp_path)
    assert len(pages) >= 3
    for page in pages:
        pixels = mpimg.imread(page)
        assert float(np.std(pixels)) > 0.02, f"{page.name} is blank"
    text = " ".join(_pdf_text(pdf).split())
    for heading in ("1. Bottom line", "2. Key facts", "3. Timeline and milestones", "8. Sources"):
        assert heading in text
    settings, store = jobs.open_workspace(ws)
    with store:
        b = brief_jobs.make_brief(store, settings, figures=False)
    first = b.key_facts[0]
    assert " ".join(first.excerpt.split()[:6]) in text
    note = next(c for c in b.citations if c.kind == "claim")
    assert " ".join(note.text.split()[:6]) in text
    assert "Page 1 of" in text


def test_markdown_brief_has_notes_for_every_reference_and_figure_files(demo, tmp_path):
    ws = demo.settings.workspace
    out = run(ws, "brief", "--format", "md", "-o", str(tmp_path / "b.md"))
    text = (tmp_path / "b.md").read_text()
    refs = set(re.findall(r"\[\^(\d+)\](?!:)", text))
    defined = set(re.findall(r"^\[\^(\d+)\]:", text, re.M))
    assert refs and refs == defined
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert figures and all((tmp_path / f).is_file() for f in figures)
    assert "b-figures/timeline.svg" in out


def test_brief_as_of_is_the_brief_written_then(demo, tmp_path):
    settings, store = jobs.open_workspace(demo.settings.workspace)
    with store:
        early = brief_jobs.make_brief(store, settings, as_of=date(2025, 12, 26), figures=False)
        april = brief_jobs.make_brief(store, settings, as_of=date(2026, 4, 1), figures=False)
        now = brief_jobs.make_brief(store, settings, figures=False, now=NOW)
    assert early.replay and early.as_of == date(2025, 12, 26)
    assert 0 < early.counts["claims"] < now.counts["claims"]
    assert {m.status for m in early.milestones} == {"pending"}
    assert april.milestones[0].status == "overdue"
    # Indicator changes are re-detected on the series as it stood: none known in 2025.
    assert not any(i.findings and i.findings[0].cites for i in early.indicators)
    assert any(c.kind == "observation" for c in now.citations)
    assert all(c.published is None or c.published <= date(2025, 12, 26) for c in early.citations)
    html = render.render_html(early)
    assert "Replayed brief" in html and "2025-12-26" in html


def test_brief_of_a_case_without_claims_says_so(tmp_path):
    ws = tmp_path / "ws"
    jobs.init_workspace(ws)
    case = tmp_path / "case.yaml"
    case.write_text(
        "case: {slug: fab, title: 'Fab 평택 line 3', question: 'Is line 3 built?'}\n"
        "sites:\n  - {id: p, name: Pyeongtaek 평택, coordinates: {lat: 36.99, lon: 127.11}}\n"
        "milestones:\n  - {id: m, title: Line 3 running, due: {start: 2026-01, end: 2026-06}}\n",
        encoding="utf-8",
    )
    run(ws, "case", "load", str(case))
    for fmt in ("html", "md", "pdf"):
        out = run(ws, "brief", "fab", "--format", fmt, "-o", str(tmp_path / f"empty.{fmt}"))
        assert f"empty.{fmt}" in out
    html = (tmp_path / "empty.html").read_text()
    assert "no claims are stored for this case" in html
    text = _pdf_text(tmp_path / "empty.pdf")
    assert "no claims are stored" in " ".join(text.split())
    assert "평택" in text, "Hangul must survive into the PDF (CJK font)"
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "empty.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "CJK" in fonts, fonts


def test_hand_built_brief_with_no_assessment_data_renders(tmp_path):
    a = assess("x", [], [], as_of=date(2026, 1, 1))
    case = CaseInfo(slug="x", title="Dam on the Blue Nile", sites=(SiteInfo("d", "Dam"),))
    b = build_brief(case, a, [], generated_at=NOW)
    assert b.empty and b.bottom_line and "no claims" in b.bottom_line[0].text
    assert render.render_html(b).count("<section") == 10
    text, files = render.render_markdown(b)
    assert "Dam on the Blue Nile" in text and not files


def test_user_templates_override_and_bad_templates_fail_clearly(demo, tmp_path):
    ws = demo.settings.workspace
    mine = tmp_path / "tpl"
    mine.mkdir()
    (mine / "brief.css").write_text("body { color: #123456; } /* house style */\n")
    run(ws, "brief", "--template", str(mine), "-o", str(tmp_path / "a.html"))
    html = (tmp_path / "a.html").read_text()
    assert "house style" in html and "Bottom line" in html
    (mine / "brief.css").write_text("@import 'theme.css';\n")
    out = run(ws, "brief", "--template", str(mine), "-o", str(tmp_path / "b.html"), code=1)
    assert "network address" in out and not (tmp_path / "b.html").exists()
    (mine / "brief.css").unlink()
    (mine / "brief.html.j2").write_text("{{ brief.no_such_field }}")
    out = run(ws, "brief", "--template", str(mine), "-o", str(tmp_path / "c.html"), code=1)
    assert "brief template" in out and "no_such_field" in out
    out = run(ws, "brief", "--template", str(tmp_path / "missing"), code=1)
    assert "template folder does not exist" in out
    out = run(ws, "brief", "no-such-case", code=1)
    assert "no case 'no-such-case'" in out


# -- export and import ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_json_export_round_trips_from_sqlite_to_postgresql(demo, tmp_path, pg_url):
    ws = demo.settings.workspace
    exported = tmp_path / "case.json"
    run(ws, "export", "--format", "json", "-o", str(exported))
    target = tmp_path / "pg"
    jobs.init_workspace(target, database_url=pg_url)
    out = run(target, "import", str(exported))
    assert "imported case dprk-2026" in out
    with Store.open(demo.settings.database_url) as a, a.reading() as conn:
        before = snapshot.dump_case(conn, conn.execute(select(cases.c.id)).scalar_one())
    with Store.open(pg_url) as b, b.reading() as conn:
        after = snapshot.dump_case(conn, conn.execute(select(cases.c.id)).scalar_one())
    assert after == before
    assert all(before["tables"][t] for t in ("claims", "assessments", "observations", "alerts"))
    # The imported workspace works: search finds the documents, and the brief is the same.
    assert "Inspects Munitions Enterprises" in run(target, "search", "munitions")
    settings_a, store_a = jobs.open_workspace(ws)
    settings_b, store_b = jobs.open_workspace(target)
    with store_a, store_b:
        one = brief_jobs.make_brief(store_a, settings_a, figures=False, now=NOW)
        two = brief_jobs.make_brief(store_b, settings_b, figures=False, now=NOW)
    assert render.render_html(one) == render.render_html(two)


def test_import_is_all_or_nothing_and_bad_files_fail_in_one_line(demo, tmp_path):
    ws = demo.settings.workspace
    exported = tmp_path / "case.json"
    run(ws, "export", "-o", str(exported))
    data = json.loads(exported.read_text())
    target = tmp_path / "t"
    jobs.init_workspace(target)
    # A bad row late in the file: nothing of the case may remain.
    broken = json.loads(json.dumps(data))
    broken["tables"]["observations"][-1]["time"] = "the day after tomorrow"
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    out = run(target, "import", str(tmp_path / "broken.json"), code=1)
    assert "observations[" in out and "bad value" in out and len(out.strip().splitlines()) == 1
    with Store.open(f"sqlite:///{target / 'watchboard.db'}") as store, store.reading() as conn:
        assert conn.execute(select(cases.c.id)).first() is None
        assert conn.execute(select(claims.c.id)).first() is None
    cases_ = {
        "junk.json": b"\x00\x01\xff binary",
        "other.json": json.dumps({"type": "FeatureCollection"}).encode(),
        "newer.json": json.dumps({**data, "schema_version": 999}).encode(),
    }
    for name, content in cases_.items():
        (tmp_path / name).write_bytes(content)
        out = run(target, "import", str(tmp_path / name), code=1)
        assert name in out and len(out.strip().splitlines()) == 1
    assert "cannot read" in run(target, "import", str(tmp_path / "absent.json"), code=1)
    run(target, "import", str(exported))
    assert "already exists" in run(target, "import", str(exported), code=1)


def test_csv_and_table_exports(demo, tmp_path):
    ws = demo.settings.workspace
    run(ws, "export", "--format", "csv", "-o", str(tmp_path / "csv"))
    with (tmp_path / "csv" / "claims.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(demo.claims)
    assert all(r["rating"] and r["quote"] for r in rows)
    for name in ("milestones", "observations", "alerts"):
        assert (tmp_path / "csv" / f"{name}.csv").stat().st_size > 100
    run(ws, "export", "--format", "tables", "-o", str(tmp_path / "t.json"))
    tables = json.loads((tmp_path / "t.json").read_text())
    assert len(tables["claims"]) == len(rows) and tables["milestones"][0]["status"]


def test_stix_and_geojson_exports_from_the_command_line(demo, tmp_path):
    from stix2validator import ValidationOptions, validate_string

    ws = demo.settings.workspace
    run(ws, "export", "--format", "stix", "-o", str(tmp_path / "b.json"))
    text = (tmp_path / "b.json").read_text()
    assert json.loads(text)["type"] == "bundle"
    assert validate_string(text, ValidationOptions(version="2.1")).is_valid
    run(ws, "export", "--format", "geojson", "-o", str(tmp_path / "c.geojson"))
    geo = json.loads((tmp_path / "c.geojson").read_text())
    assert geo["type"] == "FeatureCollection" and "crs" not in geo
    kinds = {f["properties"]["kind"] for f in geo["features"]}
    assert kinds == {"site", "claim"}


def test_csv_cells_cannot_run_as_formulas():
    from watchboard.report.tables import csv_tables

    snap = {
        "case": {"slug": "x"},
        "tables": {
            "claims": [],
            "milestones": [{"key": "m", "title": '=HYPERLINK("x")', "origin": "case"}],
            "observations": [],
            "alerts": [],
        },
    }
    text = csv_tables(snap)["milestones.csv"]
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["title"] == '\'=HYPERLINK("x")'


def test_export_refuses_unknown_formats_and_a_file_for_csv(demo, tmp_path):
    ws = demo.settings.workspace
    (tmp_path / "file").write_text("x")
    out = run(ws, "export", "--format", "csv", "-o", str(tmp_path / "file"), code=1)
    assert "give a folder" in out
    _, store = jobs.open_workspace(ws)
    with store, pytest.raises(WatchboardError, match="not one of"):
        brief_jobs.export_case(store, tmp_path / "x", "xml")


def test_pdf_fetcher_refuses_network_resources():
    html = '<html><body><img src="http://127.0.0.1:9/x.png"><p>text</p></body></html>'
    with pytest.raises(render.TemplateError, match=r"127\.0\.0\.1:9"):
        render.html_to_pdf(html)


def test_poppler_is_installed():
    assert shutil.which("pdftoppm") and shutil.which("pdftotext") and shutil.which("pdffonts")
