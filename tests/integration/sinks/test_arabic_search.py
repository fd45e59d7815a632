"""Arabic search cases on the real Elasticsearch: indices from the repo's templates, the product's query."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contracts.settings import Settings
from sinks.elasticsearch import client, setup
from sinks.indices import IndexNames
from sinks.search import article_search
from sinks.templates import ARTICLES_ALIAS, COMPONENT, STORIES_ALIAS, index_body
from tests.integration.sinks.conftest import drop_prefix

DOCS = {
    "opp-1": "المعارضة السورية تسيطر على بلدة جديدة في ريف اللاذقية",
    "opp-2": "لقاء بين الحكومة والمعارضين في جنيف",
    "assad-1": "الرئيس بشار الأسد يستقبل وفدا روسيا في دمشق",
    "assad-2": "قوات الأسد تقصف ريف حماة",
    "lion": "ولادة أسد صغير في حديقة الحيوان",
    "prisoners": "إطلاق سراح مئة أسير في صفقة تبادل",
    "school": "افتتاح مدرسة جديدة في القرية",
    "hospital": "مستشفى الملك فهد يستقبل المصابين",
    "city": "انفجار بالمدينة المنورة صباح اليوم",
    "habit": "الأسواق مزدحمة كالعادة قبل العيد",
    "government": "فالحكومة أعلنت الميزانية الجديدة",
    "flights": "الطيران يستأنف الرحلات إلى عدن",
    # the hamza seats Egyptian outlets write: مسئول for مسؤول, الشئون for الشؤون
    "official": "مسئول مصري يزور القاهرة",
    "affairs": "وزارة الشئون الإسلامية تعلن موعد العيد",
    # على (on) and علي (Ali) are one word once ى is normalised: only the name may match
    "border": "مظاهرات على الحدود",
    "ali": "علي عبدالله صالح يلقي خطابا",
    "un": "الأمم المتحدة تدعو إلى هدنة",
    "us": "الولايات المتحدة تقصف مواقع وتتحدث عن الأمم",
}

# (query, must hit, must not hit)
CASES = [
    # the article ال and the prefixes و ب ل ف ك (as far as Lucene's light stemmer strips them)
    ("معارضة", {"opp-1", "opp-2"}, {"assad-1", "lion"}),
    ("المعارض", {"opp-1", "opp-2"}, {"school"}),
    ("والمعارضة", {"opp-1", "opp-2"}, {"hospital"}),
    ("مدينة", {"city"}, {"school"}),
    ("العادة", {"habit"}, {"city"}),
    ("حكومة", {"government", "opp-2"}, {"flights"}),
    # sound plurals and feminine forms
    ("المعارضون", {"opp-1", "opp-2"}, {"assad-2"}),
    ("رحلة", {"flights"}, {"habit"}),
    ("السوري", {"opp-1"}, {"assad-2"}),
    # hamza and alef variants
    ("اطلاق", {"prisoners"}, {"lion"}),
    ("إطلاق", {"prisoners"}, {"lion"}),
    ("آسير", {"prisoners"}, {"lion"}),
    # teh marbuta and alef maqsura
    ("مدرسه", {"school"}, {"hospital"}),
    ("مستشفي", {"hospital"}, {"school"}),
    ("مستشفى", {"hospital"}, {"school"}),
    # names, with and without the article; Arabic-Indic digits
    ("بشار", {"assad-1"}, {"assad-2", "lion"}),
    ("دمشق", {"assad-1"}, {"opp-1"}),
    ("حماه", {"assad-2"}, {"assad-1"}),
    # the hamza seats: مسؤول / مسئول, الشؤون / الشئون
    ("مسؤول", {"official"}, {"school"}),
    ("المسؤول", {"official"}, {"school"}),
    ("الشؤون", {"affairs"}, {"official"}),
    # the name علي, not the preposition على
    ("علي", {"ali"}, {"border", "opp-1"}),
    # a phrase in quotes is required as written
    ("«الأمم المتحدة»", {"un"}, {"us"}),
    ('"الأمم المتحدة"', {"un"}, {"us"}),
]


@pytest.fixture(scope="module")
def articles(stack: Settings) -> Iterator[tuple[Any, str]]:
    es = client(stack.elasticsearch)
    name = f"test-articles-{uuid.uuid4().hex[:10]}"
    es.indices.create(index=name, **index_body(ARTICLES_ALIAS))
    for doc_id, title in DOCS.items():
        es.index(index=name, id=doc_id, document={"id": doc_id, "title": title, "body": ""})
    es.indices.refresh(index=name)
    yield es, name
    es.indices.delete(index=name)
    es.close()


def _product(es: Any, index: str, text: str, **filters: Any) -> list[str]:
    """The ranked ids that the product's own article search finds in ``index``."""
    body = article_search(text, IndexNames(), **filters).body
    return [h["_id"] for h in es.search(index=index, query=body["query"], size=20)["hits"]["hits"]]


@pytest.mark.parametrize(("query", "hits", "non_hits"), CASES, ids=[c[0] for c in CASES])
def test_arabic_search_case(
    articles: tuple[Any, str], query: str, hits: set[str], non_hits: set[str]
) -> None:
    es, index = articles
    found = set(_product(es, index, query))
    assert hits <= found, f"{query!r} missed {hits - found}"
    assert not (non_hits & found), f"{query!r} wrongly found {non_hits & found}"


def test_words_side_by_side_rank_first(articles: tuple[Any, str]) -> None:
    es, index = articles
    ranked = _product(es, index, "الأمم المتحدة")
    assert ranked[0] == "un", ranked
    assert "us" in ranked  # unquoted, the words are alternatives


def test_a_place_is_found_by_a_word_of_its_name_and_an_outlet_whatever_its_case(stack: Settings) -> None:
    es = client(stack.elasticsearch)
    name = f"test-articles-{uuid.uuid4().hex[:10]}"
    es.indices.create(index=name, **index_body(ARTICLES_ALIAS))
    try:
        for doc_id, outlet, place in (
            ("ksa", "sabq", "المملكة العربية السعودية"),
            ("riyadh", "okaz", "الرياض"),
        ):
            document = {"id": doc_id, "title": "خبر", "body": "", "outlet": outlet, "place_names": [place]}
            es.index(index=name, id=doc_id, document=document)
        es.indices.refresh(index=name)
        assert _product(es, name, "خبر", place="السعودية") == ["ksa"]
        assert _product(es, name, "خبر", place="المملكة العربية السعودية") == ["ksa"]
        assert _product(es, name, "خبر", place="رياض") == ["riyadh"]
        assert _product(es, name, "خبر", outlet="Sabq") == ["ksa"]
    finally:
        es.indices.delete(index=name)
        es.close()


def test_assad_ranks_above_lions(articles: tuple[Any, str]) -> None:
    es, index = articles
    ranked = _product(es, index, "الأسد")
    assert set(ranked[:2]) == {"assad-1", "assad-2"}, ranked


def test_setup_is_idempotent(es: Any, index_factory: Callable[..., str]) -> None:
    first = setup(es)
    second = setup(es)
    assert f"component template {COMPONENT}" in first
    assert not any(line.startswith("index khabar-stories") for line in second)
    assert es.indices.exists_index_template(name=ARTICLES_ALIAS)
    assert es.indices.exists_alias(name=STORIES_ALIAS)
    # a new monthly index joins the alias through the template
    monthly = index_factory("khabar-articles-test")
    es.indices.create(index=monthly)
    assert ARTICLES_ALIAS in es.indices.get_alias(index=monthly)[monthly]["aliases"]
    mapping = es.indices.get_mapping(index=monthly)[monthly]["mappings"]
    assert mapping["properties"]["title"]["analyzer"] == "khabar_arabic"


def test_setup_adds_new_fields_to_an_existing_index(es: Any) -> None:
    # a stories index made before the "about" field existed gets it from the next setup
    names = IndexNames(f"test-{uuid.uuid4().hex[:10]}")
    index = names.stories_index
    old = index_body(STORIES_ALIAS)
    old["mappings"] = {**old["mappings"], "properties": dict(old["mappings"]["properties"])}
    del old["mappings"]["properties"]["about"]
    es.indices.create(index=index, aliases={names.stories_alias: {}}, **old)

    def properties() -> dict[str, Any]:
        found: dict[str, Any] = es.indices.get_mapping(index=index)[index]["mappings"]["properties"]
        return found

    try:
        assert "about" not in properties()
        assert f"mappings of {names.stories_alias}-*" in setup(es, names=names)
        assert properties()["about"]["analyzer"] == "khabar_arabic"
    finally:
        drop_prefix(es, names)
