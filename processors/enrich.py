"""Enrichment (pure): a raw article becomes an :class:`EnrichedArticle`.

Language (:mod:`processors.language`), word count and reading time, TF-IDF keywords against the rolling
:class:`DocumentFrequency` (:mod:`processors.keywords`), places (:mod:`processors.gazetteer`), people and
organisations (:mod:`processors.entities`) and the lead (:mod:`processors.lead`).

The article's own terms are added to the document frequencies *before* its keywords are scored, so every
term has df >= 1 and the result depends only on the statistics up to and including this article, in the
order the agent feeds them (one partition's order, which Kafka keeps).

Reading time uses the IReST standardised reading speeds (Trauzettel-Klosinski & Dietz, IOVS 2012): Arabic
138 words per minute, the slowest of the 17 languages measured, since Arabic words carry clitics (وبالمدينة
is one word); English 228, French 195, Hebrew 187, Turkish 166; Persian and Urdu, not measured there, use
Arabic's figure.

>>> enricher = Enricher()
>>> from contracts.schemas import RawArticle
>>> from datetime import datetime, UTC
>>> raw = RawArticle(id="0123456789abcdef", url="u", canonical_url="u", outlet="x", title="حلب",
...                  content="سبق- حلب: قال الرئيس بشار الأسد إن حلب صامدة.",
...                  published=datetime(2015, 8, 8, tzinfo=UTC),
...                  fetched_at=datetime(2015, 8, 8, tzinfo=UTC), language_hint="ar")
>>> out = enricher.enrich(raw)
>>> out.language, out.word_count, out.lead, [p.name for p in out.places], [e.name for e in out.entities]
('ar', 7, 'قال الرئيس بشار الأسد إن حلب صامدة.', ['حلب'], ['بشار الأسد'])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from contracts.schemas import EnrichedArticle, RawArticle

from .analyzed_text import AnalyzedText
from .entities import KnownNames, extract_entities
from .gazetteer import Gazetteer
from .keywords import DocumentFrequency, count_words, top_keywords
from .language import LanguageDetector
from .lead import clean_body, first_sentences

__all__ = ["TITLE_WEIGHT", "WORDS_PER_MINUTE", "Enricher", "reading_time_s"]

#: Words per minute by language (IReST, see the module docstring); others use ``DEFAULT_WPM``.
WORDS_PER_MINUTE: Final = {"ar": 138, "fa": 138, "ur": 138, "en": 228, "fr": 195, "he": 187, "tr": 166}
DEFAULT_WPM: Final = 180
#: A title word counts this many times in the keyword term frequencies.
TITLE_WEIGHT: Final = 2


def reading_time_s(words: int, language: str) -> int:
    """Seconds to read ``words`` words at the language's speed, rounded up.

    >>> reading_time_s(138, "ar"), reading_time_s(0, "ar"), reading_time_s(100, "en")
    (60, 0, 27)
    """
    return math.ceil(words * 60 / WORDS_PER_MINUTE.get(language, DEFAULT_WPM))


class Enricher:
    """Enrich raw articles; holds the rolling document frequencies the agent snapshots to its table."""

    def __init__(
        self,
        *,
        gazetteer: Gazetteer | None = None,
        detector: LanguageDetector | None = None,
        document_frequency: DocumentFrequency | None = None,
        keywords: int = 10,
    ) -> None:
        self._gazetteer = gazetteer or Gazetteer.load()
        self._detector = detector or LanguageDetector()
        self._df = document_frequency if document_frequency is not None else DocumentFrequency()
        self._keywords = keywords
        self._known = KnownNames.load()

    @property
    def document_frequency(self) -> DocumentFrequency:
        """The rolling document frequencies (updated by every :meth:`enrich`)."""
        return self._df

    def enrich(self, article: RawArticle, *, also_published_by: Sequence[str] = ()) -> EnrichedArticle:
        """The enriched article; updates :attr:`document_frequency` with its terms."""
        # The text is split and analysed once (each distinct word normalised and stemmed once, cached), and
        # every module works on that analysis; see processors/analyzed_text.py.
        body = clean_body(article.content or article.summary)
        analysed_body = AnalyzedText.of(body)
        # Places and names read "title.\nbody": the dot keeps a name from running from title into body.
        text = f"{article.title}.\n{body}"
        analysed = AnalyzedText.of(f"{article.title}.") + analysed_body
        language = self._detector.detect(f"{article.title}\n{body}", hint=article.language_hint)
        words = analysed_body.token_count
        counts = count_words([(AnalyzedText.of(article.title), TITLE_WEIGHT), (analysed_body, 1)])
        self._df.add(counts.counts, day=article.published.date())
        return EnrichedArticle(
            **article.model_dump(exclude={"kind", "schema_version"}),
            language=language,
            word_count=words,
            reading_time_s=reading_time_s(words, language),
            keywords=top_keywords(counts, self._df, k=self._keywords),
            places=self._gazetteer.find_in(analysed),
            entities=extract_entities(text, known=self._known, analysed=analysed),
            lead=first_sentences(body),
            also_published_by=list(dict.fromkeys(also_published_by)),
        )
