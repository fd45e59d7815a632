"""AnalyzedText on real SaudiNewsNet rows: the same words, tokens and terms as analysing word by word."""

from __future__ import annotations

import re

import pytest

from processors.analyzed_text import BREAK, AnalyzedText, analyse_word, clear_analysis_caches, keyword_term
from processors.arabic import normalize, normalize_for_matching, tokenize
from producers.corpus import read_corpus, to_raw_article
from tests.conftest import shared_dir

_WORD_RE = re.compile(r"[^\W_]+(?:[\u064b-\u065f\u0670\u0640]+[^\W_]*)*")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    path = shared_dir() / "data" / "saudinewsnet" / "2015-08-08.zip"
    if not path.exists():
        pytest.skip(f"SaudiNewsNet not found at {path}")
    return [f"{a.title}.\n{a.content}" for a in map(to_raw_article, list(read_corpus(path))[:200])]


def _match_tokens(word: str) -> list[str]:
    """What the gazetteer matches of a word: its normalised tokens, marked when it carries tanween."""
    tokens = normalize_for_matching(word).split()
    return [t + "\u064b" for t in tokens] if {"\u064b", "\u064c", "\u064d"} & set(word) else tokens


def test_real_texts_match_word_by_word_analysis(texts: list[str]) -> None:
    clear_analysis_caches()
    for text in texts:
        analysed = AnalyzedText.of(text)
        words = _WORD_RE.findall(text)
        assert [w.text for w in analysed.words] == words
        assert analysed.token_count == len(tokenize(text))
        assert analysed.match_tokens == [t for w in words for t in _match_tokens(w)]
        assert analysed.terms == [t for w in words if (t := keyword_term(normalize(w))) is not None]
        assert len(analysed.keywords) == len(analysed.terms)


def test_token_count_of_unusual_chunks() -> None:
    for text in ["ab\u200ccd", "قال\u06d6ت", "①②", "ﷺ", "حلب،دمشق", "٣٫٥ مليون", "", "   "]:
        assert AnalyzedText.of(text).token_count == len(tokenize(text)), text


def test_breaks_mark_punctuation_between_words() -> None:
    analysed = AnalyzedText.of("وقال «جيش الفتح»، 2015 المُعارضة")
    assert analysed.item_texts == ["وقال", "", "جيش", "الفتح", "", "المُعارضة"]
    assert analysed.item_norms[1] == BREAK.folded
    assert [w is BREAK for w in analysed.items] == [False, True, False, False, True, False]


def test_word_analysis() -> None:
    word = analyse_word("والأسدُ")
    assert (word.norm, word.folded, word.term, word.keyword) == ("والاسد", "والاسد", "اسد", ("اسد", "والأسد"))
    assert analyse_word("في").term is None
    assert analyse_word("2015").alphabetic is False


def test_a_batch_of_new_chunks_is_analysed_as_each_chunk_alone(texts: list[str]) -> None:
    fields = ("words", "token_count", "terms", "keywords", "match_tokens", "item_texts", "item_norms")
    text = "\n".join(texts[:40]) + " «قال»: ﷺ ①② حلب،دمشق ab\u200ccd"
    clear_analysis_caches()
    batch = AnalyzedText.of(text)  # every chunk and word new: one batch
    alone = []
    for chunk in text.split():
        clear_analysis_caches()
        alone.append(AnalyzedText.of(chunk))
    clear_analysis_caches()
    joined = alone[0]
    for part in alone[1:]:
        joined = joined + part
    for field in fields:
        assert getattr(batch, field) == getattr(joined, field), field
