"""Index names of one khabar deployment, derived from a prefix (pure: no client).

Everything the sinks write lives under one prefix, ``khabar`` by default, so tests and parallel pipelines get
their own indices by configuration alone:

- ``<prefix>-articles-YYYY.MM``: monthly article indices (by ``published``), alias ``<prefix>-articles``;
- ``<prefix>-stories-000001``: one document per story, alias ``<prefix>-stories``;
- ``<prefix>-duplicates-000001``: one document per original article that has duplicates, alias
  ``<prefix>-duplicates``. Its ``_id`` is the original's id, an address a duplicate knows without knowing the
  original's month;
- ``<prefix>-alerts-000001``: one document per alert fired, ``_id`` = the alert id, alias ``<prefix>-alerts``.

>>> names = IndexNames("khabar")
>>> names.articles_alias, names.stories_index
('khabar-articles', 'khabar-stories-000001')
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sinks.errors import TemplateError

_PREFIX = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True, slots=True)
class IndexNames:
    """The aliases, patterns and concrete indices under one prefix."""

    prefix: str = "khabar"

    def __post_init__(self) -> None:
        if not _PREFIX.match(self.prefix):
            raise TemplateError(
                f"index prefix {self.prefix!r} is not a valid Elasticsearch name start; "
                "use lowercase letters, digits, '.', '_' or '-'"
            )

    @property
    def articles_alias(self) -> str:
        return f"{self.prefix}-articles"

    @property
    def articles_pattern(self) -> str:
        return f"{self.prefix}-articles-*"

    @property
    def stories_alias(self) -> str:
        return f"{self.prefix}-stories"

    @property
    def stories_index(self) -> str:
        return f"{self.prefix}-stories-000001"

    @property
    def duplicates_alias(self) -> str:
        return f"{self.prefix}-duplicates"

    @property
    def duplicates_index(self) -> str:
        return f"{self.prefix}-duplicates-000001"

    @property
    def alerts_alias(self) -> str:
        return f"{self.prefix}-alerts"

    @property
    def alerts_index(self) -> str:
        return f"{self.prefix}-alerts-000001"

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every alias, which is also the name of its index template.

        >>> IndexNames("t").aliases
        ('t-articles', 't-stories', 't-duplicates', 't-alerts')
        """
        return (self.articles_alias, self.stories_alias, self.duplicates_alias, self.alerts_alias)

    @property
    def all_pattern(self) -> str:
        """Every index of this prefix (for cleanup and for ``_cat`` listings)."""
        return f"{self.prefix}-*"

    def article_index(self, published: datetime) -> str:
        """The monthly index of an article, by its UTC publish month.

        >>> IndexNames("khabar").article_index(datetime(2015, 8, 8, 3, 30, tzinfo=UTC))
        'khabar-articles-2015.08'
        """
        month = published.astimezone(UTC)
        return f"{self.articles_alias}-{month:%Y.%m}"


def rename_template(body: dict[str, Any], *, alias: str, pattern: str) -> dict[str, Any]:
    """An index template body re-targeted at ``pattern`` with the alias ``alias`` (the mappings unchanged).

    >>> body = {"index_patterns": ["khabar-articles-*"], "template": {"aliases": {"khabar-articles": {}}}}
    >>> rename_template(body, alias="t-articles", pattern="t-articles-*")["template"]["aliases"]
    {'t-articles': {}}
    """
    renamed = copy.deepcopy(body)
    renamed["index_patterns"] = [pattern]
    renamed.setdefault("template", {})["aliases"] = {alias: {}}
    return renamed
