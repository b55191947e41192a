"""The pipeline: registry, order checks, versions, plug-ins, failures become warnings."""

from __future__ import annotations

from datetime import date

import pytest

from watchboard.extract.pipeline import Doc, Pipeline, PipelineError, component, registered


def test_builtin_components_are_registered_with_requirements() -> None:
    specs = registered()
    for name in (
        "sentences",
        "times",
        "quantities",
        "actors",
        "places",
        "attributions",
        "events",
        "claims",
    ):
        assert name in specs
    assert "sentences" in specs["claims"].requires


def test_unknown_component_and_unmet_requirement_are_clear_errors() -> None:
    with pytest.raises(PipelineError, match="unknown component 'nope'"):
        Pipeline(["sentences", "nope"])
    with pytest.raises(PipelineError, match="'attributions' requires sentences"):
        Pipeline(["attributions"])


def test_version_changes_with_components_and_config() -> None:
    a = Pipeline(["sentences", "times"])
    b = Pipeline(["sentences", "times", "quantities"])
    c = Pipeline(["sentences"], config={"sentences": {"x": 1}})
    assert a.version == Pipeline(["sentences", "times"]).version
    assert len({a.version, b.version, c.version}) == 3


def test_a_plugin_component_fits_without_touching_the_core() -> None:
    @component("shout_test", requires=["sentences"], assigns=["shouts"])
    def make(config, resources):
        def run(doc: Doc) -> Doc:
            doc.layers["shouts"] = [s.text.upper() for s in doc.sentences]
            return doc

        return run

    pipeline = Pipeline(["sentences", "shout_test"])
    doc = pipeline(Doc(text="One sentence here. Another one there."))
    assert doc.layers["shouts"] == ["ONE SENTENCE HERE.", "ANOTHER ONE THERE."]
    assert doc.produced_by["shouts"] == "shout_test"


def test_a_failing_component_becomes_a_warning_and_the_rest_runs() -> None:
    @component("broken_test", assigns=["broken"])
    def make(config, resources):
        def run(doc: Doc) -> Doc:
            raise ValueError("cannot cope")

        return run

    doc = Pipeline(["broken_test", "sentences", "times"])(
        Doc(text="The plant opened on 3 March 2026.", dct=date(2026, 3, 5))
    )
    assert doc.warnings == ["component broken_test failed: ValueError: cannot cope"]
    assert doc.layers["broken"] == []
    assert [t.value for t in doc.layers["times"]] == ["2026-03-03"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no sentence punctuation at all just words",
        "x" * 1_000_000,
        "February 30, 2026 and the year 20255 were mentioned.",
        "9" * 5000 + " engineers",
        "Mixed 平壤 Пхеньян scripts\x00\x01 and control characters.",
        ("Kim said " * 20000),
    ],
)
def test_bad_text_never_crashes_the_default_pipeline(text: str) -> None:
    doc = Pipeline()(Doc(text=text, dct=date(2026, 1, 1), outlet="Wire"))
    assert doc.warnings == []
    for claim in doc.layers["claims"]:
        assert text[claim.span.start : claim.span.end] == claim.span.text
