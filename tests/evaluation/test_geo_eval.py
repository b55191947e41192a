"""Scoring toponym resolution on small geoparsing XML files written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchboard.errors import InputError
from watchboard.evaluation.geo import evaluate_geo, format_report, main, read_geo
from watchboard.resolve.gazetteer import Gazetteer

LGL_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<articles>
  <article docid="1">
    <title>t</title>
    <text><![CDATA[Fire in Alexandria, La. Crews from Pineville and Rapides Parish came. \
Zorbl too.]]></text>
    <toponyms>
      <toponym><start>8</start><end>18</end><phrase>Alexandria</phrase>
        <gaztag geonameid="4314550"><name>Alexandria</name><fclass>P</fclass><fcode>PPL</fcode>
          <lat>31.3113</lat><lon>-92.4451</lon>
          <country geonameid="6252001">United States</country>
          <admin1 geonameid="4331987">Louisiana</admin1></gaztag></toponym>
      <toponym><start>20</start><end>23</end><phrase>La.</phrase>
        <gaztag geonameid="4331987"><name>Louisiana</name><fclass>A</fclass><fcode>ADM1</fcode>
          <lat>31.00047</lat><lon>-92.000</lon>
          <country geonameid="6252001">United States</country></gaztag></toponym>
      <toponym><start>35</start><end>44</end><phrase>Pineville</phrase>
        <gaztag geonameid="4335045"><name>Pineville</name><fclass>P</fclass><fcode>PPL</fcode>
          <lat>31.3224</lat><lon>-92.4343</lon>
          <country geonameid="6252001">United States</country></gaztag></toponym>
      <toponym><start>49</start><end>63</end><phrase>Rapides Parish</phrase>
        <gaztag geonameid="4338356"><name>Rapides Parish</name><fclass>A</fclass><fcode>ADM2</fcode>
          <lat>31.1669</lat><lon>-92.4835</lon>
          <country geonameid="6252001">United States</country></gaztag></toponym>
      <toponym><start>70</start><end>75</end><phrase>Zorbl</phrase>
        <gaztag geonameid="1"><name>Zorbl</name><fclass>P</fclass><fcode>PPL</fcode>
          <lat>10.0</lat><lon>10.0</lon><country geonameid="2">Nowhere</country></gaztag></toponym>
      <toponym><start>58</start><end>63</end><phrase>Parish</phrase></toponym>
    </toponyms>
  </article>
</articles>
"""

# GeoVirus-style: <locations>, no GeoNames ids, and offsets one off (as in the real file).
GEOVIRUS_STYLE = """<articles>
    <article>
        <source>https://example.org/a</source>
        <text>Cases rose in Chongjin and in Seoul, officials in Paris said.</text>
        <locations>
            <location><name>Chongjin</name><start>15</start><end>23</end>
                <lat>41.8</lat><lon>129.78</lon><page>x</page></location>
            <location><name>Seoul</name><start>31</start><end>36</end>
                <lat>37.57</lat><lon>126.98</lon><page>x</page></location>
            <location><name>Paris</name><start>51</start><end>56</end>
                <lat>48.86</lat><lon>2.35</lon><page>x</page></location>
        </locations>
    </article>
</articles>
"""

CITIES = [
    (4314550, "Alexandria", 31.31129, -92.44514, "US", 47889, "LA"),
    (361058, "Alexandria", 31.20176, 29.91582, "EG", 3811516, "06"),
    (4335045, "Pineville", 31.3224, -92.4343, "US", 14555, "LA"),
    (2044757, "Chongjin", 41.79556, 129.77583, "KP", 327000, "17"),
    (1835848, "Seoul", 37.566, 126.9784, "KR", 10349312, "11"),
    (2988507, "Paris", 48.85341, 2.3488, "FR", 2138551, "11"),
]


@pytest.fixture(scope="module")
def geonames_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("geonames")
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
            "alternatenames": [],
        }
        for gid, name, lat, lon, cc, pop, admin1 in CITIES
    }
    (directory / "cities15000.json").write_text(json.dumps(cities), encoding="utf-8")
    countries = {
        "US": {
            "geonameid": 6252001,
            "name": "United States",
            "population": 1,
            "capital": "Washington",
        },
        "FR": {"geonameid": 3017382, "name": "France", "population": 1, "capital": "Paris"},
    }
    (directory / "countries.json").write_text(json.dumps(countries), encoding="utf-8")
    (directory / "continents.json").write_text("{}", encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def gazetteer(geonames_dir: Path) -> Gazetteer:
    return Gazetteer.build(cities=15000, geonames_dir=geonames_dir)


@pytest.fixture
def lgl(tmp_path: Path) -> Path:
    path = tmp_path / "lgl.xml"
    path.write_text(LGL_STYLE, encoding="utf-8")
    return path


@pytest.fixture
def geovirus(tmp_path: Path) -> Path:
    path = tmp_path / "geovirus.xml"
    path.write_text(GEOVIRUS_STYLE, encoding="utf-8")
    return path


def test_reads_lgl_toponyms_with_gazetteer_tags(lgl: Path) -> None:
    (article,) = read_geo(lgl)
    assert article.id == "1"
    assert [t.phrase for t in article.toponyms][:4] == [
        "Alexandria",
        "La.",
        "Pineville",
        "Rapides Parish",
    ]
    first = article.toponyms[0]
    assert (first.geonames_id, first.feature, first.country) == (4314550, "P.PPL", "United States")
    assert not article.toponyms[-1].has_point  # a toponym without a gazetteer tag


def test_repairs_offsets_that_miss_the_phrase(geovirus: Path) -> None:
    (article,) = read_geo(geovirus)
    for toponym in article.toponyms:
        assert article.text[toponym.start : toponym.end] == toponym.phrase
        assert toponym.geonames_id is None


def test_gold_mode_scores_resolution_of_the_gold_spans(lgl: Path, gazetteer: Gazetteer) -> None:
    result = evaluate_geo(lgl, mode="gold", gazetteer=gazetteer)
    assert result["toponyms_with_coordinates"] == 5
    assert result["found"] == 1.0
    assert result["accuracy_161km"] == 0.8  # Zorbl is in no gazetteer
    assert result["exact_geonames_id"] == pytest.approx(3 / 5)  # La. and the parish have no id here
    assert result["median_error_km"] is not None and result["median_error_km"] < 50
    assert result["by_feature"]["P.PPL"]["count"] == 3
    (error,) = result["errors"]
    assert error["phrase"] == "Zorbl" and error["system"]["resolved"] is False
    assert 0 <= result["auc"] <= 1


def test_e2e_mode_runs_the_finder_and_reports_detection(lgl: Path, gazetteer: Gazetteer) -> None:
    result = evaluate_geo(lgl, mode="e2e", gazetteer=gazetteer)
    assert result["found"] == 0.8  # Zorbl is not found
    assert result["accuracy_161km"] == 0.8
    assert result["detection"]["recall"] > 0.6
    assert "e2e mode" in format_report(result)


def test_geovirus_style_file_without_ids(geovirus: Path, gazetteer: Gazetteer) -> None:
    result = evaluate_geo(geovirus, mode="e2e", gazetteer=gazetteer)
    assert result["accuracy_161km"] == 1.0
    assert result["exact_geonames_id"] is None and result["with_geonames_id"] == 0


def test_unknown_mode_and_unreadable_file(tmp_path: Path, lgl: Path, gazetteer: Gazetteer) -> None:
    with pytest.raises(ValueError, match="mode"):
        evaluate_geo(lgl, mode="fast", gazetteer=gazetteer)
    bad = tmp_path / "bad.xml"
    bad.write_text("<articles><article>", encoding="utf-8")
    with pytest.raises(InputError):
        read_geo(bad)


def test_main_prints_a_report(
    lgl: Path, geonames_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(lgl), "--mode", "gold", "--cities", "15000", "--geonames-dir", str(geonames_dir)]
    assert main([*args, "--errors", "2"]) == 0
    out = capsys.readouterr().out
    assert "gold mode" in out and "accuracy@161km" in out


def test_main_json_and_missing_file(
    lgl: Path, geonames_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--cities", "15000", "--geonames-dir", str(geonames_dir)]
    assert main([str(lgl), "--mode", "both", "--json", *common]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["mode"] for r in results] == ["gold", "e2e"]
    assert main([str(tmp_path / "missing.xml"), *common]) == 2
    assert "missing.xml" in capsys.readouterr().err
