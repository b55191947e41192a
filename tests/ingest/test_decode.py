"""decode_text: bytes in, clean text out, or an InputError naming the input and the reason."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchboard.errors import InputError
from watchboard.ingest.decode import clean_text, decode_text

FRENCH = "Le café coûte 3 € à Genève, déjà payé. Naïve façade “entre guillemets”."
KOREAN = (
    "북한은 2026년에 미사일 생산 공장을 확장한다고 조선중앙통신이 보도했다. "
    "김정은 위원장은 군수공업 부문을 현지 지도했다."
)
JAPANESE = "北朝鮮は2026年にミサイル生産工場を拡張すると朝鮮中央通信が報じた。"
RUSSIAN = "Северная Корея объявила о расширении заводов по производству ракет."


def test_decode_takes_valid_utf8_as_is_without_warnings() -> None:
    assert decode_text(KOREAN.encode(), "a.txt") == (KOREAN, "utf-8", ())


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"\xef\xbb\xbfhello", "utf-8"),
        ("hello".encode("utf-16"), "utf-16-le"),
        (b"\xfe\xff" + "hello".encode("utf-16-be"), "utf-16-be"),
        ("hello".encode("utf-32"), "utf-32-le"),
    ],
)
def test_decode_strips_byte_order_marks(data: bytes, encoding: str) -> None:
    assert decode_text(data, "a.txt") == ("hello", encoding, ())


def test_decode_detects_cp1252_and_says_so() -> None:
    text, encoding, warnings = decode_text(FRENCH.encode("cp1252"), "fr.txt")
    assert (text, encoding) == (FRENCH, "cp1252")
    assert warnings == ("not valid UTF-8; encoding detected as cp1252 (Western European)",)


@pytest.mark.parametrize("word", ["café", "Größe", "Señor Muñoz", "it’s “quoted”"])
def test_decode_reads_short_western_text_as_cp1252(word: str) -> None:
    assert decode_text(word.encode("cp1252"), "w.txt")[:2] == (word, "cp1252")


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (KOREAN, "euc_kr", {"euc_kr", "cp949"}),
        (JAPANESE, "shift_jis", {"shift_jis", "cp932"}),
        (RUSSIAN, "cp1251", {"cp1251"}),
    ],
)
def test_decode_detects_other_legacy_encodings_with_a_warning(
    text: str, codec: str, expected: set[str]
) -> None:
    decoded, encoding, warnings = decode_text(text.encode(codec), "x.txt")
    assert decoded == text
    assert encoding in expected
    assert warnings == (f"not valid UTF-8; encoding detected as {encoding}",)


def test_decode_keeps_mostly_utf8_and_marks_the_stray_byte() -> None:
    data = "Kim’s “plan” — 2026 ‘factories’ ".encode() + b"caf\xe9"
    text, encoding, warnings = decode_text(data, "m.txt")
    assert encoding == "utf-8"
    assert text.endswith("caf\ufffd")
    assert warnings == ("not valid UTF-8: 1 invalid byte(s) replaced with U+FFFD",)


def test_decode_normalises_newlines_controls_and_composition() -> None:
    data = "line one\r\nline two\rline\tthree\x07\x1b\fpage\u2028e\u0301".encode()
    text, _, _ = decode_text(data, "n.txt")
    assert text == "line one\nline two\nline\tthree\npage\n\u00e9"


def test_clean_text_drops_c1_controls_and_a_leading_bom() -> None:
    assert clean_text("\ufeffa\u0085b\u0091c") == "a\nbc"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", "\ufeff  ".encode()])
def test_decode_refuses_empty_input(data: bytes) -> None:
    with pytest.raises(InputError) as info:
        decode_text(data, "empty.txt")
    assert str(info.value) == "empty.txt: empty input"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "contains NUL bytes"),
        (bytes(range(1, 9)) * 4 + b"text", "89% control characters"),
        (bytes(range(0x80, 0x100)) * 3, "no plausible text encoding"),
        (b"\xff\xfe\x00\xd8", "starts with a utf-16-le mark but unexpected end of data"),
    ],
)
def test_decode_refuses_binary_content(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as info:
        decode_text(data, "junk.bin")
    assert str(info.value) == f"junk.bin: binary content, not text ({reason})"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_raises_only_input_errors_and_returns_clean_text(data: bytes) -> None:
    try:
        text, encoding, warnings = decode_text(data, "fuzz")
    except InputError as exc:
        assert exc.label == "fuzz"
        return
    assert text.strip()
    assert encoding
    assert all(isinstance(w, str) for w in warnings)
    assert unicodedata.is_normalized("NFC", text)
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1).filter(lambda s: s.strip()))
def test_decode_round_trips_utf8_text_up_to_cleaning(text: str) -> None:
    try:
        decoded, encoding, warnings = decode_text(text.encode(), "t")
    except InputError:
        return  # text made only of control characters, or mostly of them
    assert (decoded, encoding, warnings) == (clean_text(text), "utf-8", ())
