"""Precision of extracted names against a review by reading (pure: no I/O beyond the bytes it is given).

People, organisations and places have no gold set, so their precision is measured the way a newsroom would
check it: a sample of articles is run through the enricher, every name it extracts is read in its article
and judged, and the judgements are kept in a JSONL file (``docs/reviews/``), one line per extracted name::

    {"day": "2015-07-25", "article": "<id>", "name": "…", "type": "person", "verdict": "correct"}

The ``type`` is what the name was taken for: ``person`` or ``organisation`` for entities, the feature and
country for places (``city SA``: جدة as Jeddah, not Oujda). Verdicts: ``correct`` (the exact name, taken for
what the article means), ``partial`` (a true name cut short: a word of it missing) and ``wrong`` (anything
else: a common phrase, a name with words that are not part of it, two names run together, a wrong type or
a wrong place).

When the rules change, the same articles are extracted again: a name judged before keeps its verdict, a new
one is *unjudged* and is listed, to be read and added to the file; a name judged correct that the rules no
longer find is *lost* (what a change costs in recall, within the sample).

>>> lines = b'{"day": "2015-07-25", "article": "a1", "name": "x", "type": "person", "verdict": "correct"}'
>>> judged = parse_judgements(lines, name="review")
>>> r = review({"a1": [("x", "person"), ("y", "organisation")]}, judged)
>>> r.precision, r.unjudged, r.lost
(1.0, [('a1', 'y', 'organisation')], [])
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from .errors import ProcessorError

__all__ = ["ENTITY_TYPES", "Judgement", "NameReview", "parse_judgements", "review"]

Verdict = Literal["correct", "partial", "wrong"]
_VERDICTS: Final = ("correct", "partial", "wrong")
#: The types of people and organisations; places carry their feature and country instead.
ENTITY_TYPES: Final = ("person", "organisation")


@dataclass(frozen=True, slots=True)
class Judgement:
    """One extracted name of one article, read and judged."""

    day: str
    article: str
    name: str
    type: str
    verdict: Verdict

    @property
    def key(self) -> tuple[str, str, str]:
        return self.article, self.name, self.type


@dataclass(frozen=True, slots=True)
class NameReview:
    """The names extracted now from the reviewed articles, scored by the judgements."""

    correct: int
    partial: int
    wrong: int
    #: Extracted now but never judged: ``(article, name, type)``, to be read and added to the file.
    unjudged: list[tuple[str, str, str]]
    #: Judged correct before, not extracted now.
    lost: list[Judgement]

    @property
    def judged(self) -> int:
        return self.correct + self.partial + self.wrong

    @property
    def precision(self) -> float:
        """Correct / judged extractions (0.0 when none is judged)."""
        return self.correct / self.judged if self.judged else 0.0

    @property
    def lenient_precision(self) -> float:
        """(Correct + partial) / judged extractions."""
        return (self.correct + self.partial) / self.judged if self.judged else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "lenient_precision": self.lenient_precision,
            "judged": self.judged,
            "correct": self.correct,
            "partial": self.partial,
            "wrong": self.wrong,
            "unjudged": [list(u) for u in self.unjudged],
            "lost": [[j.article, j.name, j.type] for j in self.lost],
        }


def parse_judgements(
    data: bytes, *, name: str, types: Collection[str] | None = ENTITY_TYPES
) -> list[Judgement]:
    """The judgements of a review file; a bad line raises :class:`ProcessorError` naming it. ``types``
    lists the allowed types (None: any non-empty one).

    >>> parse_judgements(b'{"article": "a"}', name="f.jsonl")
    Traceback (most recent call last):
    processors.errors.ProcessorError: review f.jsonl, line 1: needs day, article, name, type and verdict
    """
    out: list[Judgement] = []
    seen: set[tuple[str, str, str]] = set()
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"review {name}, line {number}"
        try:
            row = json.loads(line)
            judgement = Judgement(
                str(row["day"]), str(row["article"]), str(row["name"]), str(row["type"]), row["verdict"]
            )
        except json.JSONDecodeError as exc:
            raise ProcessorError(f"{where}: not JSON ({exc.msg})") from None
        except (KeyError, TypeError):
            raise ProcessorError(f"{where}: needs day, article, name, type and verdict") from None
        if (
            judgement.verdict not in _VERDICTS
            or not judgement.type
            or (types and judgement.type not in types)
        ):
            allowed = ", ".join(types) if types else "any non-empty type"
            raise ProcessorError(
                f"{where}: verdict must be one of {', '.join(_VERDICTS)} and type one of "
                f"{allowed}, got {judgement.verdict!r} and {judgement.type!r}"
            )
        if judgement.key in seen:
            raise ProcessorError(
                f"{where}: {judgement.name!r} of article {judgement.article} is judged twice"
            )
        seen.add(judgement.key)
        out.append(judgement)
    if not out:
        raise ProcessorError(f"review {name}: no judgement")
    return out


def review(found: Mapping[str, Iterable[tuple[str, str]]], judgements: Iterable[Judgement]) -> NameReview:
    """Score ``found`` (article id -> its extracted ``(name, type)``) by the judgements of those articles."""
    by_key = {j.key: j for j in judgements}
    counts = dict.fromkeys(_VERDICTS, 0)
    unjudged: list[tuple[str, str, str]] = []
    extracted: set[tuple[str, str, str]] = set()
    for article, names in found.items():
        for name, kind in names:
            key = (article, name, kind)
            extracted.add(key)
            judgement = by_key.get(key)
            if judgement is None:
                unjudged.append(key)
            else:
                counts[judgement.verdict] += 1
    lost = [j for j in by_key.values() if j.verdict == "correct" and j.key not in extracted]
    return NameReview(counts["correct"], counts["partial"], counts["wrong"], unjudged, lost)
