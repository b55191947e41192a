"""iter_inputs: targets on the command line expanded into raw inputs or errors naming them."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest

from watchboard.errors import InputError, SkippedInput
from watchboard.ingest import iter_inputs, read
from watchboard.model import Draft, RawInput


def labels(results: list[RawInput | InputError]) -> list[str]:
    return [r.label if isinstance(r, RawInput) else f"ERROR {r}" for r in results]


def test_missing_path_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    assert labels(list(iter_inputs([missing], max_bytes=100))) == [
        f"ERROR {missing}: no such file or directory"
    ]


def test_a_file_is_read_with_its_path_as_given(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a.txt").write_bytes(b"hello")
    monkeypatch.chdir(tmp_path)
    (result,) = iter_inputs(["./a.txt"], max_bytes=100)
    assert isinstance(result, RawInput)
    assert (result.label, result.path, result.data, result.url) == (
        "./a.txt",
        "./a.txt",
        b"hello",
        None,
    )


def test_directories_are_walked_sorted_skipping_hidden_and_non_documents(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.md",
        "sub/c.html",
        "sub/deeper/d.pdf",
        ".hidden.txt",
        ".git/config.txt",
        "photo.JPG",
        "bundle.tar.gz",
        "notes.gz",
        "e.unknown",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    (tmp_path / "corpus.jsonl.gz").write_bytes(gzip.compress(b'{"text": "t"}\n'))
    root = str(tmp_path)
    found = list(iter_inputs([root], max_bytes=100))
    skipped = sorted(os.path.basename(i.label) for i in found if isinstance(i, SkippedInput))
    assert skipped == ["bundle.tar.gz", "notes.gz", "photo.JPG"]  # reported, never silent
    found = [i for i in found if not isinstance(i, SkippedInput)]
    assert labels(found) == [
        os.path.join(root, name)
        for name in [
            "a.md",
            "b.txt",
            "corpus.jsonl.gz",
            "e.unknown",
            "sub/c.html",
            "sub/deeper/d.pdf",
        ]
    ]


def test_oversize_file_is_refused_with_its_size_and_the_setting(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    (result,) = iter_inputs([str(big)], max_bytes=1024)
    assert str(result) == f"{big}: is 2.0 KB, over the 1.0 KB size cap (set [ingest] max_bytes)"


def test_jsonl_files_are_not_read_but_handed_over_for_streaming(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    rows = [{"id": n, "text": f"story {n} " + "x" * 100} for n in range(50)]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (result,) = iter_inputs([str(corpus)], max_bytes=1024)  # the file is over the cap
    assert isinstance(result, RawInput)
    assert (result.data, result.path, result.media_type) == (
        b"",
        str(corpus),
        "application/x-ndjson",
    )
    drafts = list(read(result, max_bytes=1024))
    assert [d.text.split()[1] for d in drafts if isinstance(d, Draft)] == [
        str(n) for n in range(50)
    ]
    assert drafts[0].label == f"{corpus}:1"


def test_gzipped_jsonl_is_streamed_and_corruption_reported(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl.gz"
    good.write_bytes(gzip.compress(b'{"text": "one"}\n{"text": "two"}\n'))
    (raw,) = iter_inputs([str(good)], max_bytes=100)
    assert [d.text for d in read(raw, max_bytes=100) if isinstance(d, Draft)] == ["one", "two"]
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(b"this is not gzip")
    (raw,) = iter_inputs([str(bad)], max_bytes=100)
    with pytest.raises(InputError) as info:
        list(read(raw, max_bytes=100))
    assert str(info.value).startswith(f"{bad}: cannot read further (Not a gzipped file")


def test_stdin_is_read_once_with_the_cap() -> None:
    (result,) = iter_inputs(["-"], max_bytes=100, stdin=io.BytesIO(b"from a pipe"))
    assert isinstance(result, RawInput)
    assert (result.label, result.data) == ("<stdin>", b"from a pipe")
    (result,) = iter_inputs(["-"], max_bytes=4, stdin=io.BytesIO(b"too long"))
    assert str(result) == "<stdin>: is over the 4 bytes size cap (set [ingest] max_bytes)"
    (result,) = iter_inputs(["-"], max_bytes=4, stdin=None)
    assert str(result) == "<stdin>: no standard input to read"


def test_urls_without_a_fetcher_are_refused() -> None:
    (result,) = iter_inputs(["https://example.org/a"], max_bytes=100)
    assert (
        str(result) == "https://example.org/a: URLs cannot be fetched here (no fetcher configured)"
    )


def test_special_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (result,) = iter_inputs([str(fifo)], max_bytes=100)
    assert str(result) == f"{fifo}: not a regular file or directory"


def test_unreadable_file_is_an_error() -> None:
    # A regular file that fails on read for every user, root included.
    (result,) = iter_inputs(["/proc/self/mem"], max_bytes=100)
    assert str(result) == "/proc/self/mem: cannot read (Input/output error)"
