"""Near-duplicate detection: MinHash signatures over word shingles and banded LSH keys.

The LSH index itself lives in the store (one row per band key), so it is shared by every
process writing to a workspace, costs no memory, and works the same on SQLite and PostgreSQL.
This module only computes: signatures, band keys, and the estimated Jaccard similarity.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, *, size: int) -> set[bytes]:
    """The set of ``size``-word shingles of a text (lower-cased words)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def signatures(texts: Sequence[str], *, size: int, num_perm: int) -> list[np.ndarray]:
    """MinHash signatures (uint64 arrays) for many texts at once (datasketch's bulk path)."""
    sets = [list(shingles(t, size=size)) or [b""] for t in texts]
    # CRC-32 is stable across processes (unlike hash()) and ~10x cheaper than datasketch's
    # default SHA-1; MinHash only needs a well-spread 32-bit hash of each shingle.
    return [m.hashvalues.copy() for m in MinHash.bulk(sets, num_perm=num_perm, hashfunc=zlib.crc32)]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u8").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u8")


@dataclass(frozen=True)
class Banding:
    bands: int
    rows: int


@lru_cache(maxsize=32)
def banding(threshold: float, num_perm: int) -> Banding:
    """Bands × rows minimising false positives plus false negatives around ``threshold``.

    The same criterion as datasketch's ``MinHashLSH`` (equal weights), computed by numeric
    integration of the LSH S-curve ``1 - (1 - s**r)**b``.
    """
    grid = np.linspace(0.0, 1.0, 1001)
    best: tuple[float, Banding] | None = None
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            curve = 1.0 - (1.0 - grid**rows) ** bands
            below = grid <= threshold
            false_pos = np.trapezoid(curve[below], grid[below])
            false_neg = np.trapezoid(1.0 - curve[~below], grid[~below])
            error = float(false_pos + false_neg)
            if best is None or error < best[0]:
                best = (error, Banding(bands, rows))
    assert best is not None
    return best[1]


def band_keys(signature: np.ndarray, layout: Banding) -> list[int]:
    """One signed 64-bit key per band (band number mixed in, so bands never collide)."""
    keys = []
    for band in range(layout.bands):
        chunk = signature[band * layout.rows : (band + 1) * layout.rows]
        digest = hashlib.blake2b(
            band.to_bytes(2, "little") + chunk.astype("<u8").tobytes(), digest_size=8
        ).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys
