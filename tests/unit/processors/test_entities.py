"""People and organisations by rules; spelling variants merged to one canonical name."""

from __future__ import annotations

import pytest

from processors.entities import KnownNames, canonical_name, extract_entities, merge_variants, name_key
from tests.conftest import shared_dir


def pairs(text: str) -> list[tuple[str, str]]:
    return [(e.name, e.type) for e in extract_entities(text, known=KnownNames.load())]


def test_title_followed_by_name() -> None:
    assert ("فرنسوا هولاند", "person") in pairs("وقال الرئيس الفرنسي فرنسوا هولاند انه لا يمكن التعايش")
    assert ("رامي عبدالرحمن", "person") in pairs("وقال مدير المرصد رامي عبدالرحمن في تصريحات")


def test_organisation_patterns_and_quotes() -> None:
    found = pairs("أعلنت وزارة الدفاع أن «جيش الفتح» وتنظيم «داعش» و«انفجار غامض» وقعت")
    assert ("وزارة الدفاع", "organisation") in found
    assert ("جيش الفتح", "organisation") in found
    assert ("داعش", "organisation") in found
    assert all(name != "انفجار غامض" for name, _ in found)


def test_de_mistura_variants_are_one_name() -> None:
    assert name_key("دي ميستورا") == name_key("دي مستورا")
    assert merge_variants(["ستيفان دي مستورا", "دي ميستورا"]) == [["ستيفان دي مستورا", "دي ميستورا"]]
    assert canonical_name(["دي مستورا", "ستيفان دي مستورا"]) == canonical_name(
        ["ستيفان دي مستورا", "دي مستورا"]
    )


def test_samples_share_the_canonical_name() -> None:
    base = shared_dir() / "data" / "samples"
    if not base.is_dir():
        pytest.skip(f"samples not found at {base}")
    a = pairs((base / "syria_2015_outlet_a.txt").read_text())
    b = pairs((base / "syria_2015_outlet_b.txt").read_text())
    mistura = ("ستيفان دي ميستورا", "person")
    assert mistura in a
    assert mistura in b
    assert not any("مستورا" in n and (n, t) != mistura for n, t in a + b)
    assert ("المرصد السوري لحقوق الإنسان", "organisation") in a
    assert ("المرصد السوري لحقوق الإنسان", "organisation") in b
    assert ("جيش الفتح", "organisation") in b


def test_unknown_names_without_registry_still_merge() -> None:
    found = extract_entities("قال المبعوث ستيفان دي مستورا ثم عاد دي ميستورا فأكد")
    assert [e.name for e in found] == ["ستيفان دي مستورا"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("قال المرشد الإيراني علي خامنئي إن الاتفاق لن يغير شيئا", ["علي خامنئي"]),
        ("التقى رئيس البرلمان علي لاريجاني في طهران", ["علي لاريجاني"]),
        ("استقبل الأمير محمد بن علي في الرياض ضيوفه", ["محمد بن علي"]),
        ("وقال الوزير عادل الجبير على هامش اللقاء إن", ["عادل الجبير"]),  # على, the preposition, ends it
    ],
)
def test_the_name_ali_is_not_taken_for_the_preposition(text: str, names: list[str]) -> None:
    # علي (Ali) and على (on) normalise alike; only the written form tells them apart
    assert [e.name for e in extract_entities(text) if e.type == "person"] == names
