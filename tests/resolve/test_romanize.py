"""Korean romanisation: Hangul to RR/MR, and one comparison key for every spelling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchboard.resolve.romanize import is_hangul, korean_key, romanize_mr, romanize_rr

# Spellings of one name that must meet: McCune–Reischauer (with and without diacritics),
# Revised Romanization, DPRK official spellings, press habits, and Hangul.
SAME_NAME = [
    ["Ch'ŏngjin", "Chongjin", "Cheongjin", "Ch’ŏngjin", "청진"],
    ["Hamhŭng", "Hamhung", "Hamheung", "함흥"],
    ["Ryanggang", "Yanggang", "량강", "양강"],
    ["Chagang", "Jagang", "자강"],
    ["P'yŏngsan", "Pyongsan", "Pyeongsan", "평산"],
    ["P'yŏngyang", "Pyongyang", "Pyeongyang", "Phyongyang", "Pyong-yang", "평양"],
    ["Pusan", "Busan", "부산"],
    ["Sinp'o", "Sinpo", "Sinpho", "신포"],
    ["Sinŭiju", "Sinuiju", "Sinuiju", "신의주"],
    ["Kanggye", "Ganggye", "강계"],
    ["Namp'o", "Nampo", "Nampho", "남포"],
    ["Wŏnsan", "Wonsan", "원산"],
    ["Kaesŏng", "Kaesong", "Gaeseong", "개성"],
    ["Hamgyŏng-pukto", "Hamgyong-bukto", "Hamgyeongbuk-do", "함경북도"],
    ["Yŏngbyŏn", "Yongbyon", "Nyongbyon", "Yeongbyeon", "영변"],
    ["Taegu", "Daegu", "대구"],
    ["Inch'ŏn", "Inchon", "Incheon", "인천"],
    ["Sŏul", "Seoul", "서울"],
]

# Different places that must stay apart.
DIFFERENT = [
    ("Seoul", "Sokcho"),
    ("Pyongyang", "Pyongsan"),
    ("Hamhung", "Hamju"),
    ("Chongjin", "Chongju"),
    ("Kanggye", "Kangdong"),
    ("Wonsan", "Onsan"),
    ("Sinpo", "Sinuiju"),
    ("Haeju", "Hyesan"),
    ("Nampo", "Manpo"),
    ("Kaesong", "Kusong"),
    ("Chagang", "Yanggang"),
]


@pytest.mark.parametrize("spellings", SAME_NAME, ids=lambda s: s[0])
def test_romanisation_variants_of_one_name_share_a_key(spellings: list[str]) -> None:
    keys = {korean_key(s) for s in spellings}
    assert len(keys) == 1, dict(zip(spellings, map(korean_key, spellings), strict=True))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert korean_key(a) != korean_key(b)


def test_key_ignores_case_spaces_hyphens_and_apostrophes() -> None:
    assert korean_key("KIM CHAEK") == korean_key("Kimch'aek") == korean_key("kim-chaek")


@pytest.mark.parametrize(
    ("hangul", "rr", "mr"),
    [
        ("청진", "Cheongjin", "Ch'ŏngjin"),
        ("함흥", "Hamheung", "Hamhŭng"),
        ("평산", "Pyeongsan", "P'yŏngsan"),
        ("신의주", "Sinuiju", "Sinŭiju"),
        ("자강", "Jagang", "Chagang"),
        ("량강도", "Ryanggangdo", "Ryanggangdo"),
        ("부산", "Busan", "Pusan"),
        ("서울", "Seoul", "Sŏul"),
    ],
)
def test_hangul_romanises_to_rr_and_mr(hangul: str, rr: str, mr: str) -> None:
    assert romanize_rr(hangul) == rr
    assert romanize_mr(hangul) == mr


@pytest.mark.parametrize(
    ("hangul", "rr", "mr"),
    [
        ("종로", "Jongno", "Chongno"),  # ㅇ + ㄹ -> ng-n
        ("신라", "Silla", "Silla"),  # ㄴ + ㄹ -> ll
        ("백마", "Baengma", "Paengma"),  # nasalisation
        ("한국어", "Hangugeo", "Han'gugŏ"),  # liaison; MR n'g
    ],
)
def test_romanisation_follows_the_sound_changes(hangul: str, rr: str, mr: str) -> None:
    assert romanize_rr(hangul) == rr
    assert romanize_mr(hangul) == mr


def test_non_hangul_text_is_kept_around_romanised_words() -> None:
    assert romanize_rr("청진 (port)") == "Cheongjin (port)"
    assert is_hangul("청진") and not is_hangul("Chongjin")


@given(st.text())
def test_key_never_raises_and_is_lower_case_alphanumeric(text: str) -> None:
    key = korean_key(text)
    assert key == key.lower()
    assert all(ch.isalnum() for ch in key)


@given(st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1))
def test_any_hangul_romanises_to_ascii(text: str) -> None:
    assert romanize_rr(text).isascii()
    assert not is_hangul(romanize_mr(text))
