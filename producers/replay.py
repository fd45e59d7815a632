"""Replay a corpus in publish-time order at a chosen pace: pure logic, the clock and sleep are injected.

:func:`load` reads a corpus (SaudiNewsNet zips or JSON, JSONL; see :mod:`producers.corpus`) into raw
articles in publish-time order, and keeps every row or file that cannot become an article as a
:class:`Rejected` with the reason, for the dead-letter topic. :class:`Pace` says when each article is due:
``60x`` runs simulated time 60 times faster than real time, ``25/s`` sends 25 articles a second, and no pace
sends as fast as possible. :func:`replay` sends each article when it is due through an injected ``send``
(in khabar, :meth:`producers.publish.Publisher.publish`: the same path as the poller).

>>> from datetime import UTC, datetime
>>> times = [datetime(2015, 8, 8, 9, 0, s, tzinfo=UTC) for s in (0, 30, 30)]
>>> Pace.parse(speed="60x").offsets(times)
[0.0, 0.5, 0.5]
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from pydantic import ValidationError

from contracts.errors import SchemaError
from contracts.schemas import RawArticle

from .corpus import CorpusArticle, corpus_files, read_corpus, to_raw_article
from .errors import CorpusError, PaceError

__all__ = ["DEMO_CORPUS", "Pace", "Rejected", "ReplayPlan", "load", "parse_moment", "replay"]

#: The bundled demo corpus: SaudiNewsNet, 2015-08-08, 1,348 articles (CC BY-NC-SA 4.0; see data/README.md).
DEMO_CORPUS: Final[Path] = Path(__file__).resolve().parent / "data" / "saudinewsnet-2015-08-08.zip"

_SPEED: Final = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*x?\s*$", re.IGNORECASE)
_RATE: Final = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?:/\s*(?P<unit>s|sec|second|m|min|minute))?\s*$")


@dataclass(frozen=True, slots=True)
class Pace:
    """When articles are due: ``speed`` (simulated seconds per real second), ``rate`` (articles per second),
    or neither (as fast as possible).

    >>> Pace(rate=2).offsets([datetime(2015, 8, 8, tzinfo=UTC)] * 3)
    [0.0, 0.5, 1.0]
    """

    speed: float | None = None
    rate: float | None = None

    def __post_init__(self) -> None:
        if self.speed is not None and self.rate is not None:
            raise PaceError("choose one pace: --speed (e.g. 60x) or --rate (e.g. 25/s), not both")
        for name, value in (("speed", self.speed), ("rate", self.rate)):
            if value is not None and not value > 0:
                raise PaceError(f"{name} must be greater than 0, got {value}")

    @classmethod
    def parse(cls, *, speed: str | None = None, rate: str | None = None) -> Pace:
        """A pace from the command-line forms ``60x`` (speed) and ``25/s`` or ``600/min`` (rate).

        >>> Pace.parse(rate="600/min")
        Pace(speed=None, rate=10.0)
        """
        parsed_speed = parsed_rate = None
        if speed is not None:
            match = _SPEED.match(speed)
            if not match:
                raise PaceError(f"speed {speed!r} is not a factor such as 60x or 0.5x")
            parsed_speed = float(match["n"])
        if rate is not None:
            match = _RATE.match(rate)
            if not match:
                raise PaceError(f"rate {rate!r} is not a rate such as 25/s or 600/min")
            per_minute = (match["unit"] or "s").startswith("m")
            parsed_rate = float(match["n"]) / (60.0 if per_minute else 1.0)
        return cls(speed=parsed_speed, rate=parsed_rate)

    def offsets(self, published: Sequence[datetime]) -> list[float]:
        """Seconds after the start at which each article is due (``published`` in publish-time order)."""
        if self.rate is not None:
            return [index / self.rate for index in range(len(published))]
        if self.speed is not None and published:
            first = published[0]
            return [max(0.0, (moment - first).total_seconds() / self.speed) for moment in published]
        return [0.0] * len(published)

    def describe(self) -> str:
        """How the pace reads to a person.

        >>> Pace(speed=60).describe(), Pace().describe()
        ('60x simulated time', 'as fast as possible')
        """
        if self.speed is not None:
            return f"{self.speed:g}x simulated time"
        if self.rate is not None:
            return f"{self.rate:g} articles/s"
        return "as fast as possible"


@dataclass(frozen=True, slots=True)
class Rejected:
    """A corpus row or file that cannot become an article: why, and what it was (for dead-lettering)."""

    source: str
    reason: str
    error_type: str
    payload: str
    key: str | None = None


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    """What a corpus yields: articles in publish-time order, and what was rejected."""

    articles: list[RawArticle]
    rejected: list[Rejected]


def parse_moment(text: str) -> datetime:
    """An ISO date or date-time for ``--from``/``--until``, as aware UTC (a naive value is read as UTC).

    >>> parse_moment("2015-08-08"), parse_moment("2015-08-08T12:00+03:00")
    (datetime.datetime(2015, 8, 8, 0, 0, tzinfo=datetime.timezone.utc), \
datetime.datetime(2015, 8, 8, 9, 0, tzinfo=datetime.timezone.utc))
    """
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PaceError(f"time {text!r} is not ISO 8601, e.g. 2015-08-08 or 2015-08-08T09:30+03:00") from None
    try:
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise PaceError(f"time {text!r} is out of range: in UTC it falls outside years 1-9999") from None


def load(path: Path, *, since: datetime | None = None, until: datetime | None = None) -> ReplayPlan:
    """The corpus at ``path`` (file or folder) with ``since <= published < until``, ready to replay.

    A file that cannot be read, and a row that cannot become an article (no usable URL, invalid record), is
    kept as a :class:`Rejected` instead of stopping the replay; an unknown path or format still raises
    :class:`CorpusError`. Articles are in publish-time order (stable: file name, then position).
    """
    articles: list[RawArticle] = []
    rejected: list[Rejected] = []
    for file in corpus_files(path):

        def bad_row(exc: CorpusError, row: object, file: Path = file) -> None:
            payload = row if isinstance(row, str) else json.dumps(row, ensure_ascii=False, default=str)
            rejected.append(Rejected(str(file), str(exc), type(exc).__name__, payload=payload))

        try:
            items = read_corpus(file, since=since, until=until, on_bad_row=bad_row)
        except (CorpusError, SchemaError) as exc:  # the file itself cannot be read
            rejected.append(Rejected(str(file), str(exc), type(exc).__name__, payload=str(file)))
            continue
        for item in items:
            try:
                articles.append(to_raw_article(item))
            except (CorpusError, ValidationError) as exc:
                reason = str(exc).splitlines()[0] if isinstance(exc, ValidationError) else str(exc)
                rejected.append(Rejected(str(file), reason, type(exc).__name__, payload=_row_json(item)))
    articles.sort(key=lambda article: article.published)
    return ReplayPlan(articles, rejected)


def replay(
    articles: Sequence[RawArticle],
    *,
    pace: Pace,
    send: Callable[[RawArticle], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_sent: Callable[[int], None] | None = None,
) -> int:
    """Send each article when ``pace`` says it is due; return how many were sent.

    ``clock`` is a monotonic clock in seconds and ``sleep`` waits; ``on_sent(n)`` is told after each send.

    >>> now = [0.0]
    >>> sent = []
    >>> replay([], pace=Pace(rate=1), send=sent.append, clock=lambda: now[0], sleep=lambda s: None)
    0
    """
    offsets = pace.offsets([article.published for article in articles])
    start = clock()
    for count, (article, offset) in enumerate(zip(articles, offsets, strict=True), 1):
        wait = start + offset - clock()
        if wait > 0:
            sleep(wait)
        send(article)
        if on_sent is not None:
            on_sent(count)
    return len(articles)


def _row_json(item: CorpusArticle | RawArticle) -> str:
    if isinstance(item, RawArticle):
        return item.model_dump_json()
    row = asdict(item)
    row["published"] = item.published.isoformat()
    return json.dumps(row, ensure_ascii=False)
