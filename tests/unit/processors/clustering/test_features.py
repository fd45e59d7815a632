"""terms_of analyses each whitespace-separated chunk once (cached): the result must be that of tokenising and
stemming the whole text, whatever the chunks' order, repetition or the limit."""

from hypothesis import given, settings
from hypothesis import strategies as st

from processors.arabic import tokenize
from processors.clustering.features import _term, terms_of

WORDS = ["الأسد", "دمشق،", "وَقالَ", "(2015)", "ميستورا:", "في", "٣", "حلب_اليوم", "الرحيل!", "ﷺ", "a\u200bb"]
SEPARATORS = [" ", "\n", "  \t"]


def whole_text_terms(text: str) -> list[str]:
    return [t for t in (_term(token, 2) for token in tokenize(text)) if t is not None]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=40), st.sampled_from(SEPARATORS))
def test_chunked_terms_equal_whole_text_terms(words: list[str], sep: str) -> None:
    text = sep.join(words)
    assert terms_of(text) == whole_text_terms(text)


@given(st.lists(st.sampled_from(WORDS), max_size=400), st.integers(min_value=1, max_value=300))
def test_a_limit_keeps_the_first_terms(words: list[str], limit: int) -> None:
    text = " ".join(words)
    assert terms_of(text, limit=limit) == terms_of(text)[:limit]
