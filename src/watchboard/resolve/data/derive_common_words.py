"""Derive ``common_words.txt`` (frequent English words) from SCOWL's most common size classes.

Not used at run time: run by hand when the list should change, then commit the output.

The gazetteer marks its one-word names that are also frequent English words ("Going", a village
in Austria) so that a finder does not take them for places at the start of a sentence. SCOWL
(Spell Checker Oriented Word Lists, http://wordlist.aspell.net/) sorts English words into size
classes by how common they are; classes 10 and 20 are the most common (about 12,000 word forms,
inflections included). Only lower-case ASCII words are kept: capitalised entries are names.

Usage (Debian's ``scowl`` package installs the lists)::

    apt-get install scowl
    python src/watchboard/resolve/data/derive_common_words.py /usr/share/dict/scowl

Data: SCOWL, Copyright 2000-2011 by Kevin Atkinson (permissive licence, reproduced in the
header of the output file).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SIZES = (10, 20)
OUT = Path(__file__).with_name("common_words.txt")
HEADER = """\
# Frequent English words, one per line, lower case: SCOWL size classes {sizes}
# (english-words.*), derived by derive_common_words.py. Not place names, whatever the gazetteer
# says, when they start a sentence (unless the place is prominent or the text says so).
#
# SCOWL (Spell Checker Oriented Word Lists) is Copyright 2000-2011 by Kevin Atkinson.
# Permission to use, copy, modify, distribute and sell these word lists, the associated
# scripts, the output created from the scripts, and its documentation for any purpose is
# hereby granted without fee, provided that the above copyright notice appears in all copies
# and that both that copyright notice and this permission notice appear in supporting
# documentation. Kevin Atkinson makes no representations about the suitability of this array
# for any purpose. It is provided "as is" without express or implied warranty.
# Its size 10 and 20 classes draw on Moby Words II and Brian Kelk's UK English Wordlist with
# Frequency Classification, both in the public domain.
"""
_WORD = re.compile(r"^[a-z]{2,}$")


def main(scowl_dir: str) -> None:
    words: set[str] = set()
    for size in SIZES:
        path = Path(scowl_dir) / f"english-words.{size}"
        text = path.read_text(encoding="utf-8", errors="replace")
        words.update(line.strip() for line in text.splitlines() if _WORD.match(line.strip()))
    sizes = " and ".join(map(str, SIZES))
    OUT.write_text(HEADER.format(sizes=sizes) + "\n".join(sorted(words)) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(words)} words")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/dict/scowl")
