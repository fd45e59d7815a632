"""Search requests for articles and stories, and their hits (pure: builds bodies, parses answers).

Text queries search the stemmed fields and their ``.exact`` subfields together (``most_fields``), titles and
headlines boosted over bodies and summaries, so «الأسد» ranks the name above inflections of أسد and
«معارضة» still finds «والمعارضين». Stories are also searched by what they are about (their top keywords,
people, organisations and places), and a story's score grows with its size (``log10(2 + articles)``): an
editor looking for an event wants the story that covers it, not a one-article column that names it.
Words are alternatives (an editor scanning coverage wants recall), but texts holding them side by side rank
first; a phrase in quotes, "…" or «…», must appear as written («الأمم المتحدة» is not «الولايات المتحدة»).
Highlights come back wrapped in two private-use characters (:data:`MARK_START`, :data:`MARK_END`) that the
renderer turns into styling, so no markup can leak from text.

>>> parse_since("24h")
datetime.timedelta(days=1)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sinks.errors import SearchError
from sinks.indices import IndexNames

MARK_START = "\ue000"
MARK_END = "\ue001"
ARTICLE_FIELDS = ("title^3", "title.exact^6", "body", "body.exact^2", "lead")
STORY_FIELDS = ("headline^3", "headline.exact^6", "summary", "summary.exact^2", "about", "about.exact^2")
_QUOTED = re.compile(r'"([^"]+)"|«([^»]+)»')
_SINCE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

Kind = Literal["article", "story"]


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """Where to search and the body of the ``_search`` request."""

    index: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked hit, article or story, with its highlighted fragments."""

    kind: Kind
    id: str
    score: float | None
    title: str
    when: str | None
    outlets: list[str]
    highlights: list[str] = field(default_factory=list)
    article_count: int | None = None
    story_id: str | None = None
    #: A story's summary (the lead of its headline's article); shown where no highlight is.
    summary: str | None = None


def parse_since(text: str) -> timedelta:
    """``30m``, ``24h``, ``7d`` or ``2w`` as a duration.

    >>> parse_since("90m")
    datetime.timedelta(seconds=5400)
    """
    match = _SINCE.match(text)
    if not match or int(match.group(1)) == 0:
        raise SearchError(f"--since {text!r}: expected a positive number and a unit m, h, d or w, e.g. 24h")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _text_query(text: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """Quoted phrases required as written; the other words any of them, side by side ranked higher.

    >>> query = _text_query('«الأمم المتحدة» سوريا', ("title",))["bool"]
    >>> [(c["multi_match"]["query"], c["multi_match"]["type"]) for c in query["must"]]
    [('الأمم المتحدة', 'phrase'), ('سوريا', 'most_fields')]
    """
    phrases = [double or angled for double, angled in _QUOTED.findall(text)]
    words = _QUOTED.sub(" ", text).strip()
    must: list[dict[str, Any]] = [
        {"multi_match": {"query": phrase, "fields": list(fields), "type": "phrase"}} for phrase in phrases
    ]
    should: list[dict[str, Any]] = []
    if words or not phrases:
        must.append({"multi_match": {"query": words, "fields": list(fields), "type": "most_fields"}})
        should.append(
            {"multi_match": {"query": words, "fields": list(fields), "type": "phrase", "slop": 2, "boost": 2}}
        )
    return {"bool": {"must": must, "should": should}}


def _highlight(*fields: str) -> dict[str, Any]:
    return {
        "pre_tags": [MARK_START],
        "post_tags": [MARK_END],
        "fields": {name: {"fragment_size": 160, "number_of_fragments": 2} for name in fields},
    }


def _filters(
    outlet: tuple[str, str | None], since: tuple[str, datetime | None], place: tuple[str, str | None]
) -> list[dict[str, Any]]:
    """The outlet, time and place filters shared by article and story search: ``(field, value)`` each."""
    filters: list[dict[str, Any]] = []
    if outlet[1]:
        filters.append({"term": {outlet[0]: outlet[1].strip().lower()}})  # outlet ids are lower case
    if since[1] is not None:
        filters.append({"range": {since[0]: {"gte": since[1].isoformat()}}})
    if place[1]:  # the gazetteer's name, or words of it («السعودية» for «المملكة العربية السعودية»)
        name, words = (
            {"term": {place[0]: place[1]}},
            {"match": {f"{place[0]}.words": {"query": place[1], "operator": "and"}}},
        )
        filters.append({"bool": {"should": [name, words], "minimum_should_match": 1}})
    return filters


def article_search(
    text: str,
    names: IndexNames,
    *,
    outlet: str | None = None,
    since: datetime | None = None,
    place: str | None = None,
    size: int = 10,
) -> SearchRequest:
    """Ranked articles for ``text``, optionally from one outlet, since a time, mentioning a place.

    >>> request = article_search("معارضة", IndexNames(), outlet="sabq")
    >>> request.index, request.body["query"]["bool"]["filter"]
    ('khabar-articles', [{'term': {'outlet': 'sabq'}}])
    """
    filters = _filters(("outlet", outlet), ("published", since), ("place_names", place))
    body = {
        "query": {"bool": {"must": [_text_query(text, ARTICLE_FIELDS)], "filter": filters}},
        "highlight": _highlight("title", "body"),
        "_source": ["title", "outlet", "published", "story_id", "also_published_by"],
        "size": size,
    }
    return SearchRequest(names.articles_alias, body)


def story_search(
    text: str,
    names: IndexNames,
    *,
    outlet: str | None = None,
    since: datetime | None = None,
    place: str | None = None,
    size: int = 10,
) -> SearchRequest:
    """Ranked live stories (merged ones left out) for ``text``, with the same filters as articles.

    >>> scored = story_search("الأسد", IndexNames(), place="دمشق").body["query"]["function_score"]
    >>> scored["query"]["bool"]["filter"][0]["bool"]["should"][0]
    {'term': {'top_places.name': 'دمشق'}}
    """
    filters = _filters(("outlets", outlet), ("last_seen", since), ("top_places.name", place))
    matching = {
        "bool": {
            "must": [_text_query(text, STORY_FIELDS)],
            "filter": filters,
            "must_not": [{"term": {"status": "merged"}}],
        }
    }
    size_factor = {"field": "article_count", "modifier": "log2p", "missing": 1}
    body = {
        "query": {
            "function_score": {"query": matching, "field_value_factor": size_factor, "boost_mode": "multiply"}
        },
        "highlight": _highlight("headline", "summary"),
        "_source": ["headline", "summary", "outlets", "last_seen", "article_count", "story_id"],
        "size": size,
    }
    return SearchRequest(names.stories_alias, body)


def top_stories(names: IndexNames, *, top: int = 10, since: datetime | None = None) -> SearchRequest:
    """The biggest live stories: most articles, then most outlets, then most recent.

    >>> top_stories(IndexNames(), top=5).body["sort"][0]
    {'article_count': 'desc'}
    """
    filters: list[dict[str, Any]] = []
    if since is not None:
        filters.append({"range": {"last_seen": {"gte": since.isoformat()}}})
    body = {
        "query": {"bool": {"filter": filters, "must_not": [{"term": {"status": "merged"}}]}},
        "sort": [{"article_count": "desc"}, {"outlet_count": "desc"}, {"last_seen": "desc"}],
        "_source": ["headline", "summary", "outlets", "last_seen", "article_count", "story_id"],
        "size": top,
    }
    return SearchRequest(names.stories_alias, body)


def parse_hits(response: Mapping[str, Any], kind: Kind) -> list[Hit]:
    """The hits of a ``_search`` answer, in rank order.

    >>> hit = {"_id": "a1", "_score": 2.5, "_source": {"title": "عنوان", "outlet": "sabq"},
    ...        "highlight": {"title": ["\\ue000عنوان\\ue001"]}}
    >>> answer = {"hits": {"hits": [hit]}}
    >>> parse_hits(answer, "article")[0].outlets
    ['sabq']
    """
    hits = []
    for raw in response["hits"]["hits"]:
        source = raw.get("_source") or {}
        highlight = raw.get("highlight") or {}
        fragments = [fragment for fragments in highlight.values() for fragment in fragments]
        if kind == "article":
            hits.append(
                Hit(
                    kind=kind,
                    id=raw["_id"],
                    score=raw.get("_score"),
                    title=source.get("title", ""),
                    when=source.get("published"),
                    outlets=[source.get("outlet", ""), *source.get("also_published_by", [])],
                    highlights=fragments,
                    story_id=source.get("story_id"),
                )
            )
        else:
            hits.append(
                Hit(
                    kind=kind,
                    id=raw["_id"],
                    score=raw.get("_score"),
                    title=source.get("headline", ""),
                    when=source.get("last_seen"),
                    outlets=list(source.get("outlets", [])),
                    highlights=fragments,
                    article_count=source.get("article_count"),
                    story_id=source.get("story_id", raw["_id"]),
                    summary=source.get("summary") or None,
                )
            )
    return hits
