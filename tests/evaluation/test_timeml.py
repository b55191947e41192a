"""Reading TimeML files and scoring the time normaliser TempEval-3 style."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from watchboard.evaluation.timeml import (
    canonical_value,
    evaluate_time,
    format_report,
    main,
    read_timeml,
    timeml_paths,
)
from watchboard.model.extraction import Span, TimeExpression

TIMEBANK_STYLE = """<?xml version="1.0" ?>
<TimeML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<DOCID>TEST0001</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="2025-12-26" temporalFunction="false" \
functionInDocument="CREATION_TIME">20251226</TIMEX3></DCT>
<TITLE>Plant expansion</TITLE>
<TEXT>
The ministry <EVENT eid="e1" class="REPORTING">said</EVENT> \
<TIMEX3 tid="t1" type="DATE" value="2025-12-26" temporalFunction="true" \
functionInDocument="NONE" anchorTimeID="t0">Friday</TIMEX3> that the plant &amp; its \
annex will <EVENT eid="e2" class="OCCURRENCE">open</EVENT> \
<SIGNAL sid="s1">by</SIGNAL> <TIMEX3 tid="t2" type="DATE" value="2027" mod="END">the end \
of 2027</TIMEX3>, after <TIMEX3 tid="t3" type="DURATION" value="P5Y">five years</TIMEX3> \
of work. Output rose <TIMEX3 tid="t4" type="DATE" value="PRESENT_REF">now</TIMEX3> \
&lt;fast&gt;. <TIMEX3 tid="t5" type="SET" value="P1Y">Annually</TIMEX3> it reports.
</TEXT>
<MAKEINSTANCE eventID="e1" eiid="ei1" tense="PAST" aspect="NONE" polarity="POS" pos="VERB"/>
</TimeML>
"""

AQUAINT_STYLE = """<?xml version="1.0" ?>
<TimeML>
<DOCID>TEST0002</DOCID>
<DCT><TIMEX3 tid="t0" type="TIME" value="1998-08-07T06:18:00" \
functionInDocument="CREATION_TIME">1998-08-07</TIMEX3></DCT>
<EXTRAINFO>
TEST0002 NEWS STORY 08/07/1998 06:18:00 &amp;UR; URGENT
</EXTRAINFO>
<TEXT>

NAIROBI, Kenya (AP) _

Bombs <EVENT eid="e1" class="OCCURRENCE">exploded</EVENT> \
<TIMEX3 tid="t1" type="DATE" value="1998-08-07">Friday</TIMEX3>, officials said, \
<TIMEX3 tid="t2" type="DATE" value="1998-08-06">a day earlier</TIMEX3> than feared.

</TEXT>
</TimeML>
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "doc1.tml").write_text(TIMEBANK_STYLE, encoding="utf-8")
    (tmp_path / "doc2.tml").write_text(AQUAINT_STYLE, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not TimeML", encoding="utf-8")
    return tmp_path


def test_timeml_reads_text_dct_and_gold_offsets(corpus: Path) -> None:
    doc = read_timeml(corpus / "a" / "doc1.tml")
    assert doc.dct == date(2025, 12, 26)
    assert doc.doc_id == "TEST0001"
    assert "<" not in doc.text.replace("<fast>", "")
    assert "the plant & its annex" in doc.text and "<fast>" in doc.text
    assert [(g.text, g.type, g.value, g.mod) for g in doc.gold] == [
        ("Friday", "DATE", "2025-12-26", None),
        ("the end of 2027", "DATE", "2027", "END"),
        ("five years", "DURATION", "P5Y", None),
        ("now", "DATE", "PRESENT_REF", None),
        ("Annually", "SET", "P1Y", None),
    ]
    for g in doc.gold:
        assert doc.text[g.start : g.end] == g.text


def test_timeml_reads_aquaint_dct_with_time_and_skips_extrainfo(corpus: Path) -> None:
    doc = read_timeml(corpus / "doc2.tml")
    assert doc.dct == datetime(1998, 8, 7, 6, 18)
    assert "URGENT" not in doc.text
    assert doc.text.lstrip().startswith("NAIROBI")
    assert [g.text for g in doc.gold] == ["Friday", "a day earlier"]


def test_timeml_paths_expand_directories(corpus: Path) -> None:
    assert [p.name for p in timeml_paths([corpus])] == ["doc1.tml", "doc2.tml"]


def test_evaluate_time_scores_spans_and_values(corpus: Path) -> None:
    result = evaluate_time([corpus], sample_errors=10)
    assert result["documents"] == 2 and result["gold"] == 7
    assert result["strict"]["tp"] >= 5
    assert result["relaxed"]["recall"] >= result["strict"]["recall"]
    assert result["value"]["tp"] >= 6
    assert 0 < result["value"]["f1"] <= 1
    assert result["type_accuracy"] == 1.0
    assert set(result["by_gold_type"]) >= {"DATE", "DURATION", "SET"}


def test_evaluate_time_counts_spurious_missed_and_wrong(corpus: Path) -> None:
    def find(text: str, *, dct: date | datetime | None) -> list[TimeExpression]:
        i = text.find("Friday")
        j = text.find("officials")
        return [
            TimeExpression(Span(i, i + 6, "Friday"), "DATE", "1999-01-01", "fake"),
            TimeExpression(Span(j, j + 9, "officials"), "DATE", "2000", "fake"),
        ]

    result = evaluate_time([corpus], sample_errors=100, find=find)
    assert result["strict"]["tp"] == 2  # both Fridays, exact spans
    assert result["value"]["tp"] == 0  # wrong values
    assert result["error_kinds"] == {"wrong value": 2, "missed": 5, "spurious": 2}
    kinds = {e["kind"] for e in result["errors"]}
    assert kinds == {"wrong value", "missed", "spurious"}
    wrong = next(e for e in result["errors"] if e["kind"] == "wrong value")
    assert wrong["gold_value"] != wrong["system_value"] and "[[Friday]]" in wrong["context"]
    assert result["by_rule"]["fake"]["fp"] == 4


def test_canonical_value_equates_week_padding_only() -> None:
    assert canonical_value("2000-W7") == canonical_value("2000-W07")
    assert canonical_value("1991-W8-WE") == "1991-W08-WE"
    assert canonical_value("2000-07") == "2000-07"


def test_timeml_main_prints_a_report(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(corpus), "--errors", "3"]) == 0
    out = capsys.readouterr().out
    assert "strict" in out and "relaxed" in out and "value" in out
    assert format_report(evaluate_time([corpus], sample_errors=0)).startswith("documents 2")


def test_timeml_main_complains_about_no_files(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 2
