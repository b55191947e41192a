"""Bytes to clean text: encoding detection, BOMs, newlines, control characters, NFC.

Valid UTF-8 is taken as it is, and UTF-8 with a few stray bytes stays UTF-8 (the bad bytes become
U+FFFD). Anything else is a legacy encoding to be guessed, and the guess is reported as a warning
on the document, because a wrong guess silently garbles names. Western text
(Windows-1252 / Latin-1) is checked first with a simple plausibility test, because
charset-normalizer alone often calls short French or German text Central European (cp1250) or
even UTF-16; everything else (EUC-KR, Shift-JIS, Cyrillic, ...) is left to charset-normalizer.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from watchboard.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls other than tab, newline, carriage return and form feed / vertical tab (which become
# newlines), plus DEL. Their share decides whether bytes are text at all.
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\v\f\r") + b"\x7f"
_MAX_CONTROL_SHARE = 0.05

# str.translate table: drop control characters (C0 except \t \n, DEL, C1), turn the other
# line and page breaks into \n.
_CLEAN_TABLE: dict[int, int | None] = {
    c: None for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if c not in (0x09, 0x0A)
}
_CLEAN_TABLE.update({0x0B: 0x0A, 0x0C: 0x0A, 0x85: 0x0A, 0x2028: 0x0A, 0x2029: 0x0A})

# Characters Western European text plausibly contains once decoded as cp1252: Latin-1 letters
# and the usual punctuation and currency signs. Superscripts, fractions, box-drawing-like signs
# and most symbols are left out: they are what other encodings turn into under cp1252.
_WESTERN = set(
    "\u00a0¡¢£¥§©«®°±´·º»¿×"
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ"
    "€‚„…†‡‰Š‹ŒŽ‘’“”•–—™š›œžŸ"
)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def decode_text(
    data: bytes, label: str, *, declared: str | None = None
) -> tuple[str, str, tuple[str, ...]]:
    """Decode bytes to clean text; return ``(text, encoding, warnings)``.

    ``declared`` is an encoding the container names (an HTML ``<meta charset>``); it is used when
    the bytes are not UTF-8 and decode under it. A guessed encoding is named in a warning.
    Raises :class:`InputError` for empty input and for bytes that are not text.
    """
    if not data.strip():
        raise InputError(label, "empty input")
    warnings: list[str] = []
    text, encoding = _decode(data, label, declared, warnings)
    text = clean_text(text)
    if not text.strip():
        raise InputError(label, "empty input")
    return text, encoding, tuple(warnings)


def clean_text(text: str) -> str:
    """Normalise newlines to ``\\n``, drop control characters except tab and newline, NFC."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CLEAN_TABLE)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _decode(data: bytes, label: str, declared: str | None, warnings: list[str]) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                reason = f"starts with a {encoding} mark but {exc.reason}"
                raise InputError(label, f"binary content, not text ({reason})") from None
    _reject_binary(data, label)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            name = codecs.lookup(declared).name
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            warnings.append(
                f"declared charset {declared!r} does not fit the bytes; guessed instead"
            )
    guessed = _mostly_utf8(data) or _western(data) or _detect(data)
    if guessed is None:
        raise InputError(label, "binary content, not text (no plausible text encoding)")
    text, encoding, note = guessed
    warnings.append(note)
    return text, encoding


def _reject_binary(data: bytes, label: str) -> None:
    if b"\x00" in data:
        raise InputError(label, "binary content, not text (contains NUL bytes)")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > max(2, _MAX_CONTROL_SHARE * len(data)):
        share = 100 * controls / len(data)
        raise InputError(label, f"binary content, not text ({share:.0f}% control characters)")


def _mostly_utf8(data: bytes) -> tuple[str, str, str] | None:
    """UTF-8 with a few stray bytes (a pasted cp1252 quote): keep UTF-8, mark the bad bytes."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(len(run) for run in _NON_ASCII_RUN.findall(text)) - text.count("\ufffd")
    if good >= 3 * bad:
        return text, "utf-8", f"not valid UTF-8: {bad} invalid byte(s) replaced with U+FFFD"
    return None


def _western(data: bytes) -> tuple[str, str, str] | None:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    runs = _NON_ASCII_RUN.findall(text)
    if not runs or any(ch not in _WESTERN for run in runs for ch in run):
        return None
    # Western text has isolated accented letters; multi-byte encodings and other alphabets
    # decoded as cp1252 give long runs of them.
    if max(map(len, runs)) > 3 or sum(map(len, runs)) / len(runs) > 2:
        return None
    return text, "cp1252", "not valid UTF-8; encoding detected as cp1252 (Western European)"


def _detect(data: bytes) -> tuple[str, str, str] | None:
    best = from_bytes(data).best()
    if best is None:
        return None
    encoding = best.encoding
    if encoding.startswith(("utf_16", "utf_32")):
        # Without a byte-order mark (and without NULs, already rejected) these are misfires.
        return None
    text = str(best)
    return text, encoding, f"not valid UTF-8; encoding detected as {encoding}"
