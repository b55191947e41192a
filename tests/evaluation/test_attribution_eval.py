"""Scoring attribution against BRAT standoff gold written by the tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from watchboard.evaluation.attribution import (
    Triple,
    evaluate_attribution,
    gold_has_nesting,
    main,
    parse_ann,
    read_brat_dir,
)

# Two short "articles" and their gold. Offsets are computed, so the texts can be edited.
TEXT_A = (
    "Plant to open in May\n\n"
    "KCNA said that the plant will open in May. "
    "“We will win,” he said. "
    "Hopes are high that exports will grow."
)
TEXT_B = "“Two lines are done,” he said. “The third opens soon.”\n\nThe sky is blue.\n"


def span(text: str, part: str, nth: int = 0) -> str:
    """BRAT offsets of the ``nth`` whole-word occurrence of ``part``."""
    match = list(re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text))[nth]
    return f"{match.start()} {match.end()}"


def ann_a() -> str:
    t = TEXT_A
    quote = t.index("“We will win,”")
    lines = [
        f"T1\tSource {span(t, 'KCNA')}\tKCNA",
        f"T2\tCue {span(t, 'said')}\tsaid",
        f"T3\tContent {span(t, 'that the plant will open in May')}\tthat the plant ...",
        f"T4\tAttribution {span(t, 'said')}\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        # the content here wrongly keeps the period: an overlap match, not an exact one
        f"T5\tContent {quote} {quote + len('“We will win,”') + 1}\t“We will win,” ",
        f"T6\tSource {span(t, 'he')}\the",
        f"T7\tCue {span(t, 'said', 1)}\tsaid",
        f"T8\tAttribution {span(t, 'said', 1)}\tsaid",
        "E2\tAttribution:T8 Cue:T7 Source:T6 Content:T5",
        # no source, and a cue the system does not know: a miss
        f"T9\tCue {span(t, 'Hopes are high')}\tHopes are high",
        f"T10\tContent {span(t, 'that exports will grow')}\tthat exports will grow",
        f"T11\tAttribution-no-source {span(t, 'Hopes are high')}\tHopes are high",
        "E3\tAttribution-no-source:T11 Content:T10 Cue:T9",
        # things a reader must step over
        "#1\tAnnotatorNotes T1\tthe state news agency",
        "R1\tCoref Arg1:T6 Arg2:T1",
        "A1\tNegated E3",
        "E4\tAttribution:T4 ",
        "a continuation line of a span text broken by a newline",
        "",
    ]
    return "\n".join(lines)


def ann_b() -> str:
    t = TEXT_B
    first = span(t, "“Two lines are done,”")
    second = span(t, "“The third opens soon.”")
    return "\n".join(
        [
            f"T1\tContent {first};{second}\t“Two lines are done,” “The third opens soon.”",
            f"T2\tSource {span(t, 'he')}\the",
            f"T3\tCue {span(t, 'said')}\tsaid",
            f"T4\tAttribution {span(t, 'said')}\tsaid",
            "E1\tAttribution:T4 Content:T1 Cue:T3 Source:T2",
            "",
        ]
    )


@pytest.fixture
def gold_dir(tmp_path: Path) -> Path:
    root = tmp_path / "dev"
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "wire_2026-01-02_plant.txt").write_text(TEXT_A, encoding="utf-8")
    (root / "text" / "wire_2026-01-03_lines.txt").write_text(TEXT_B, encoding="utf-8")
    (root / "attributions" / "wire_2026-01-02_plant_ab12.ann").write_text(ann_a(), "utf-8")
    (root / "attributions" / "wire_2026-01-03_lines_ab12.ann").write_text(ann_b(), "utf-8")
    # a second annotator of the first text, who found nothing
    (root / "attributions" / "wire_2026-01-02_plant_cd34.ann").write_text("", "utf-8")
    (tmp_path / "metadata.tsv").write_text(
        "compartment\tfilename\tpublisher\tpublication_date\n"
        "dev\twire_2026-01-02_plant\twire\t2026-01-02\n"
        "dev\twire_2026-01-03_lines\twire\t2026-01-03\n",
        encoding="utf-8",
    )
    return root


def test_parse_ann_reads_roles_discontinuous_spans_and_skips_noise() -> None:
    triples = parse_ann(ann_a())
    assert len(triples) == 3  # E4 has neither cue nor content
    assert triples[2].source is None and triples[2].label == "Attribution-no-source"
    (lines,) = parse_ann(ann_b())
    assert lines.content is not None and len(lines.content) == 2


def test_parse_ann_merges_repeated_roles() -> None:
    ann = "\n".join(
        [
            "T1\tSource 0 3\tAbe",
            "T2\tSource 8 11\tBea",
            "T3\tCue 12 15\tsay",
            "T4\tContent 16 20\tthis",
            "T5\tContent 22 26\tthat",
            "E1\tAttribution:T3 Source:T1 Source2:T2 Cue:T3 Content:T4 Content2:T5",
        ]
    )
    (t,) = parse_ann(ann)
    assert t == Triple(((0, 3), (8, 11)), ((12, 15),), ((16, 20), (22, 26)), "Attribution")


def test_read_brat_dir_pairs_annotations_with_texts(gold_dir: Path) -> None:
    docs = read_brat_dir(gold_dir)
    assert [d.name for d in docs] == ["wire_2026-01-02_plant", "wire_2026-01-03_lines"]
    assert docs[0].annotation.endswith("_ab12.ann")  # the first annotator of two
    assert docs[0].meta["publisher"] == "wire"
    assert len(read_brat_dir(gold_dir, annotators="all")) == 3


def test_evaluate_on_a_tiny_gold_set(gold_dir: Path) -> None:
    result = evaluate_attribution(gold_dir, sample_errors=5)
    assert result["documents"] == 2
    assert result["gold_attributions"] == 4
    assert result["nested"] == "outermost only"  # this gold never nests
    overlap, exact = result["triples"]["overlap"], result["triples"]["exact"]
    # KCNA-said, he-said (quote) and the discontinuous quote match; "Hopes are high" is missed
    assert overlap["tp"] == 3 and overlap["fn"] == 1 and overlap["fp"] == 0
    # the quote whose gold content keeps a trailing space is not an exact match
    assert exact["tp"] == 2
    assert result["spans"]["content"]["exact"]["tp"] == 2
    assert result["spans"]["source"]["exact"]["tp"] == 3
    assert result["by_cue_type"]["quote"]["tp"] == 2
    assert result["by_cue_type"]["verb"]["fn"] == 1
    assert result["by_publisher"]["wire"]["tp"] == 3
    (missed,) = result["errors"]["missed"]
    assert missed["cue"] == "Hopes are high" and missed["source"] is None


def test_a_discontinuous_gold_content_matches_exactly(gold_dir: Path) -> None:
    result = evaluate_attribution(gold_dir / "attributions" / "wire_2026-01-03_lines_ab12.ann")
    assert result["triples"]["exact"]["tp"] == 1
    assert result["triples"]["exact"]["precision"] == 1.0


def test_a_missing_source_matches_only_a_missing_source(tmp_path: Path) -> None:
    text = "It is widely expected that the plant will open in May."
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    ann = "\n".join(
        [
            f"T1\tCue {span(text, 'is widely expected')}\tis widely expected",
            f"T2\tContent {span(text, 'that the plant will open in May')}\tthat ...",
            "E1\tAttribution-no-source:T1 Content:T2 Cue:T1",
        ]
    )
    (tmp_path / "a.ann").write_text(ann, encoding="utf-8")
    result = evaluate_attribution(tmp_path)
    assert result["triples"]["overlap"]["tp"] == 1


def test_nested_gold_keeps_nested_system_attributions(tmp_path: Path) -> None:
    text = "Reuters reported that KCNA said the plant would open."
    (tmp_path / "n.txt").write_text(text, encoding="utf-8")
    ann = "\n".join(
        [
            f"T1\tSource {span(text, 'Reuters')}\tReuters",
            f"T2\tCue {span(text, 'reported')}\treported",
            f"T3\tContent {span(text, 'that KCNA said the plant would open')}\t...",
            "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3",
            f"T4\tSource {span(text, 'KCNA')}\tKCNA",
            f"T5\tCue {span(text, 'said')}\tsaid",
            f"T6\tContent {span(text, 'the plant would open')}\tthe plant would open",
            "E2\tAttribution:T5 Source:T4 Cue:T5 Content:T6",
        ]
    )
    (tmp_path / "n.ann").write_text(ann, encoding="utf-8")
    docs = read_brat_dir(tmp_path)
    assert gold_has_nesting(docs)
    result = evaluate_attribution(tmp_path)
    assert result["nested"] == "kept"
    assert result["triples"]["exact"]["tp"] == 2
    forced = evaluate_attribution(tmp_path, nested="outermost")
    assert forced["triples"]["exact"]["tp"] == 1


def test_main_prints_figures_and_json(gold_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(gold_dir)]) == 0
    out = capsys.readouterr().out
    assert "triple overlap" in out and "content exact" in out and "missed" in out
    assert main([str(gold_dir), "--json", "--sample-errors", "0"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["triples"]["overlap"]["tp"] == 3
    assert result["errors"]["missed"] == []


def test_main_names_a_folder_without_gold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "nowhere" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 2
    assert "no .ann files" in capsys.readouterr().err
