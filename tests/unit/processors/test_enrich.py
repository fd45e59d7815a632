"""Enricher on real SaudiNewsNet rows and the two samples: every field filled, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.schemas import EnrichedArticle, RawArticle, decode, encode
from processors.enrich import Enricher, reading_time_s
from processors.keywords import DocumentFrequency
from producers.corpus import read_corpus, to_raw_article
from tests.conftest import shared_dir


def sample(name: str, article_id: str) -> RawArticle:
    path = shared_dir() / "data" / "samples" / f"syria_2015_outlet_{name}.txt"
    if not path.exists():
        pytest.skip(f"sample not found at {path}")
    when = datetime(2015, 8, 4, tzinfo=UTC)
    return RawArticle(
        id=article_id, url=f"https://{name}.example/1", canonical_url=f"https://{name}.example/1",
        outlet=name,
        title="المعارضة السورية تتقدم", content=path.read_text(), published=when, fetched_at=when,
        language_hint="ar",
    )  # fmt: skip


@pytest.fixture(scope="module")
def corpus_day() -> list[RawArticle]:
    path = shared_dir() / "data" / "saudinewsnet" / "2015-08-08.zip"
    if not path.exists():
        pytest.skip(f"SaudiNewsNet not found at {path}")
    return [to_raw_article(item) for item in read_corpus(path)][:150]


def test_samples_are_enriched() -> None:
    enricher = Enricher()
    a = enricher.enrich(sample("a", "aaaaaaaaaaaaaaaa"), also_published_by=["x", "x", "y"])
    b = enricher.enrich(sample("b", "bbbbbbbbbbbbbbbb"))
    for out in (a, b):
        assert out.language == "ar"
        assert out.word_count > 300
        assert out.reading_time_s == reading_time_s(out.word_count, "ar")
        assert len(out.keywords) == 10
        assert out.lead
        assert len(out.lead) <= 300
        assert "ستيفان دي ميستورا" in {e.name for e in out.entities}
        assert {"سوريا", "اللاذقية", "حماة"} <= {p.name for p in out.places}
    assert a.also_published_by == ["x", "y"]
    assert enricher.document_frequency.documents == 2
    assert decode(encode(a), EnrichedArticle) == a


def test_real_rows_and_determinism(corpus_day: list[RawArticle]) -> None:
    first, second = Enricher(), Enricher(document_frequency=DocumentFrequency())
    outs = [first.enrich(a) for a in corpus_day]
    assert outs == [second.enrich(a) for a in corpus_day]
    assert first.document_frequency.to_bytes() == second.document_frequency.to_bytes()
    with_text = [o for o in outs if o.word_count > 50]
    assert with_text
    assert all(o.language == "ar" and o.keywords and o.lead for o in with_text)
    assert sum(1 for o in with_text if o.places) > 0.8 * len(with_text)
    assert not any(o.lead.startswith(("عين اليوم", "سبق")) for o in outs)


def test_empty_body_falls_back_to_hint() -> None:
    when = datetime(2015, 8, 8, tzinfo=UTC)
    raw = RawArticle(
        id="cccccccccccccccc", url="u", canonical_url="u", outlet="o", title="", content="",
        published=when, fetched_at=when, language_hint="ar",
    )  # fmt: skip
    out = Enricher().enrich(raw)
    assert (out.language, out.word_count, out.reading_time_s, out.keywords, out.lead) == ("ar", 0, 0, [], "")
