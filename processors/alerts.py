"""Alert rules (pure): which story updates matter to a desk. Each fires once per story.

Two rules, configured by :class:`contracts.settings.AlertSettings`:

- ``growth``: the story reached ``n`` outlets within ``growth_hours`` of its first article, for each ``n`` of
  ``growth_outlets`` (5 and 10 by default). A wire copy's outlet counts: an editor's "ten outlets ran this"
  counts reprints too.
- ``watch``: the story is about a watched person, organisation, place or phrase. The term is looked for as
  whole words, after Arabic normalisation (alef and hamza forms, teh marbuta, tashkeel), in the story's
  headline, its lead (the summary), its top keywords and, in a story of three articles or more, its three
  most named people, organisations and places. A name mentioned once deep in one article does not fire:
  that would alert on every story that cites Iran. A one-letter proclitic (و ف ب ل ك) may precede it:
  «وداعش» names داعش, and «للأمم المتحدة» الأمم المتحدة.

What fired is kept per story (:class:`Fired`, the stage's table entry), so a redelivered update fires
nothing new. The alert id hashes the story, the rule and the level or term, so a receiver can drop a repeat
(after lost state, say). A closed or merged story fires nothing and its entry goes. A story that absorbs
another fires for itself: what the absorbed story fired stays with its id. Times are the story's own, never
the wall clock, so a replay of the same updates fires the same alerts.

>>> from datetime import UTC, datetime, timedelta
>>> from contracts.schemas import StoryUpdate
>>> t0 = datetime(2015, 8, 8, 6, tzinfo=UTC)
>>> rules = AlertRules(watch=["الدولة الإسلامية"], growth_outlets=[3], growth_hours=6)
>>> update = StoryUpdate(story_id="s-1", version=4, event="updated", status="active",
...     headline="هجوم لتنظيم الدولة الاسلامية", first_seen=t0, last_seen=t0 + timedelta(hours=2),
...     article_count=4, outlets=["okaz", "alriyadh", "alwatan"], updated_at=t0 + timedelta(hours=2))
>>> alerts, fired = rules.evaluate(update, Fired())
>>> for alert in alerts: print(alert.rule, "|", alert.reason)
growth | reached 3 outlets within 2.0 h of its first article
watch | names «الدولة الإسلامية» (headline)
>>> rules.evaluate(update, fired)[0]
[]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from contracts.schemas import Alert, StoryUpdate

from .arabic import tokenize
from .errors import AlertStateError

__all__ = ["AlertRules", "Fired", "WatchTerm"]

#: Letters written onto the word they precede: the conjunctions و and ف, then the prepositions ب and ل (ك,
#: "like", is left out: it would make «كامل» name أمل). At most one of each, in that order.
_CONJUNCTIONS: Final = ("", "و", "ف")
_PREPOSITIONS: Final = ("", "ب", "ل")
#: A term this short takes a conjunction only: «بعون» is "with the help", not "with Aoun".
_SHORT_TERM: Final = 3
#: A story's people, organisations and places count for ``watch`` when it has this many articles, and then
#: only its ``_TOP_NAMES`` most named ones: a name mentioned once in one article is not what a story is about.
_NAMES_FROM_ARTICLES: Final = 3
_TOP_NAMES: Final = 3
_FORMAT: Final = 1


@dataclass(frozen=True, slots=True)
class WatchTerm:
    """A watched term as written and as the tokens it is matched by.

    >>> WatchTerm.of("الأمم المتحدة").tokens
    ('الامم', 'المتحده')
    >>> WatchTerm.of("الأمم المتحدة").found_in(["اجتماع", "للامم", "المتحده"])
    True
    """

    text: str
    tokens: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> WatchTerm:
        """The term of ``text``; raise :class:`AlertStateError` when it has no word to match."""
        tokens = tuple(tokenize(text, fold_teh_marbuta=True))
        if not tokens:
            raise AlertStateError(
                f"watch term {text!r} has no word to match; remove it from KHABAR_ALERTS__WATCH"
            )
        return cls(text.strip(), tokens)

    def found_in(self, tokens: Sequence[str]) -> bool:
        """Whether the term's tokens occur in ``tokens`` in a row, the first one as written or after a
        conjunction (و ف) and a preposition (ب ل), one of each at most (ل before the article is written
        لل); a term of three letters or fewer takes a conjunction only.

        >>> WatchTerm.of("الرياض").found_in(["وبالرياض"]), WatchTerm.of("أمل").found_in(["كامل"])
        (True, False)
        """
        first, rest, n = self.tokens[0], list(self.tokens[1:]), len(self.tokens)
        prepositions = _PREPOSITIONS if len(first) > _SHORT_TERM else ("",)
        heads = {c + p + first for c in _CONJUNCTIONS for p in prepositions}
        if first.startswith("ال"):  # ل + الامم is written للامم
            heads |= {c + "ل" + first[1:] for c in _CONJUNCTIONS}
        for i in range(len(tokens) - n + 1):
            if tokens[i] in heads and list(tokens[i + 1 : i + n]) == rest:
                return True
        return False


@dataclass(slots=True)
class Fired:
    """What already fired for one story: markers such as ``growth:5`` and ``watch:داعش``.

    >>> Fired.from_bytes(Fired({"growth:5"}).to_bytes()).markers
    {'growth:5'}
    """

    markers: set[str] = field(default_factory=set)

    def to_bytes(self) -> bytes:
        """The table entry: versioned JSON."""
        return json.dumps({"format": _FORMAT, "fired": sorted(self.markers)}, ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Fired:
        """Read :meth:`to_bytes`; raise :class:`AlertStateError` for anything else."""
        try:
            payload = json.loads(data)
            if payload["format"] != _FORMAT:
                raise ValueError(f"format {payload['format']!r}, this khabar reads {_FORMAT}")
            markers = payload["fired"]
            if not isinstance(markers, list) or not all(isinstance(m, str) for m in markers):
                raise ValueError("'fired' is not a list of strings")
        except (ValueError, KeyError, TypeError) as exc:
            raise AlertStateError(f"alert state {bytes(data[:40])!r} cannot be read: {exc}") from None
        return cls(set(markers))


class AlertRules:
    """The growth and watch rules (see the module docstring)."""

    def __init__(
        self, *, watch: Iterable[str] = (), growth_outlets: Iterable[int] = (5, 10), growth_hours: float = 6.0
    ) -> None:
        terms: dict[tuple[str, ...], WatchTerm] = {}
        for term in map(WatchTerm.of, watch):  # «أبها» and «ابها» are one term: it fires once
            terms.setdefault(term.tokens, term)
        self.watch = list(terms.values())
        self.growth_outlets = sorted(set(growth_outlets))
        self.growth_hours = growth_hours

    def evaluate(self, update: StoryUpdate, fired: Fired) -> tuple[list[Alert], Fired]:
        """The alerts ``update`` fires that ``fired`` does not hold yet, and what has fired after them."""
        if update.status != "active":
            return [], fired
        alerts = [*self._growth(update, fired), *self._watched(update, fired)]
        if not alerts:
            return [], fired
        return alerts, Fired(fired.markers | {_marker(a) for a in alerts})

    def _growth(self, update: StoryUpdate, fired: Fired) -> list[Alert]:
        hours = (update.last_seen - update.first_seen).total_seconds() / 3600
        if hours > self.growth_hours:
            return []
        outlets = len(update.outlets)
        return [
            _alert(
                update,
                "growth",
                str(level),
                f"reached {level} outlets within {hours:.1f} h of its first article",
            )
            for level in self.growth_outlets
            if outlets >= level and f"growth:{level}" not in fired.markers
        ]

    def _watched(self, update: StoryUpdate, fired: Fired) -> list[Alert]:
        if not self.watch:
            return []
        fields = [
            ("headline", update.headline),
            ("lead", update.summary),
            *(("keyword", keyword) for keyword in update.top_keywords),
        ]
        if update.article_count >= _NAMES_FROM_ARTICLES:  # names ranked by how many articles name them
            fields += [(e.type, e.name) for e in update.top_entities[:_TOP_NAMES]]
            fields += [("place", p.name) for p in update.top_places[:_TOP_NAMES]]
        tokens = [(where, tokenize(text, fold_teh_marbuta=True)) for where, text in fields]
        alerts = []
        for term in self.watch:
            if f"watch:{' '.join(term.tokens)}" in fired.markers:
                continue
            where = next((where for where, words in tokens if term.found_in(words)), None)
            if where is not None:
                alerts.append(
                    _alert(update, "watch", " ".join(term.tokens), f"names «{term.text}» ({where})")
                )
        return alerts


def _alert(update: StoryUpdate, rule: str, detail: str, reason: str) -> Alert:
    key = f"{update.story_id}\x1f{rule}\x1f{detail}".encode()
    return Alert(
        alert_id=hashlib.blake2b(key, digest_size=8).hexdigest(),
        rule=rule,
        reason=reason,
        story_id=update.story_id,
        story_version=update.version,
        headline=update.headline,
        outlets=list(update.outlets),
        article_count=update.article_count,
        fired_at=update.updated_at,
        detail=detail,
        summary=update.summary,
    )


def _marker(alert: Alert) -> str:
    return f"{alert.rule}:{alert.detail}"
