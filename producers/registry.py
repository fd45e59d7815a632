"""The feed registry: which outlets khabar polls, where their feeds are, and how often. Pure: no network.

A registry is a YAML file (``producers/feeds.yaml`` ships with khabar)::

    version: 1
    defaults: {language: ar, interval_s: 600}
    outlets:
      - id: bbc-arabic
        name: BBC Arabic
        country: GB
        scope: pan-arab
        feeds: [https://feeds.bbci.co.uk/arabic/rss.xml]

:func:`load_registry` validates it and raises :class:`RegistryError` naming the file, the entry and what to
fix. :meth:`Registry.feeds` flattens it into one :class:`FeedSpec` per URL, the unit the poller schedules.

>>> registry = parse_registry(
...     "outlets: [{id: x, name: X, country: sa, feeds: ['https://x.com/rss']}]", source="inline"
... )
>>> [(f.outlet, f.url, f.country, f.interval_s) for f in registry.feeds()]
[('x', 'https://x.com/rss', 'SA', 600.0)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import RegistryError

__all__ = [
    "DEFAULT_REGISTRY",
    "FeedSpec",
    "Outlet",
    "Registry",
    "dump_registry",
    "load_registry",
    "parse_registry",
]

#: The registry shipped with khabar.
DEFAULT_REGISTRY: Final = Path(__file__).with_name("feeds.yaml")
#: The shortest polling interval a registry may ask for: nobody polls a newsroom more than once a minute.
MIN_INTERVAL_S: Final = 60.0


class Defaults(BaseModel):
    """Values for outlets that do not set their own."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str = Field(default="ar", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    interval_s: float = Field(default=600.0, ge=MIN_INTERVAL_S)


class Outlet(BaseModel):
    """One news outlet and its feeds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    name: str = Field(min_length=1)
    country: str
    scope: Literal["pan-arab", "national", "agency", "local"] = "national"
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    interval_s: float | None = Field(default=None, ge=MIN_INTERVAL_S)
    feeds: list[str] = Field(min_length=1)
    enabled: bool = True

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise ValueError(f"country {value!r} is not an ISO 3166-1 alpha-2 code such as SA or EG")
        return code

    @field_validator("feeds")
    @classmethod
    def _feed_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"feed {url!r} is not an http(s) URL")
        if len(set(urls)) != len(urls):
            raise ValueError("a feed URL is listed twice")
        return urls


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed URL to poll, with what every article from it inherits. ``key`` identifies it everywhere."""

    outlet: str
    url: str
    name: str
    country: str
    language: str
    interval_s: float

    @property
    def key(self) -> str:
        """The feed's identity in the seen-store, the health file and the metrics: its URL."""
        return self.url

    @property
    def host(self) -> str:
        """The lower-case host, the unit of politeness."""
        return (urlsplit(self.url).hostname or "").lower()


class Registry(BaseModel):
    """A validated registry: defaults and outlets with unique ids and unique feed URLs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    defaults: Defaults = Field(default_factory=Defaults)
    outlets: list[Outlet] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        seen_ids: set[str] = set()
        seen_urls: dict[str, str] = {}
        for outlet in self.outlets:
            if outlet.id in seen_ids:
                raise ValueError(f"outlet id {outlet.id!r} is used twice; ids must be unique")
            seen_ids.add(outlet.id)
            for url in outlet.feeds:
                if url in seen_urls:
                    raise ValueError(f"feed {url} is listed by both {seen_urls[url]!r} and {outlet.id!r}")
                seen_urls[url] = outlet.id
        return self

    def feeds(self, *, include_disabled: bool = False) -> list[FeedSpec]:
        """Every feed to poll, in registry order (disabled outlets left out unless asked for)."""
        return [
            FeedSpec(
                outlet=outlet.id,
                url=url,
                name=outlet.name,
                country=outlet.country,
                language=outlet.language or self.defaults.language,
                interval_s=outlet.interval_s or self.defaults.interval_s,
            )
            for outlet in self.outlets
            if outlet.enabled or include_disabled
            for url in outlet.feeds
        ]


def _describe(error: Any, document: Any) -> str:
    loc = list(error["loc"])
    where = ".".join(str(part) for part in loc) or "(top level)"
    if len(loc) >= 2 and loc[0] == "outlets" and isinstance(loc[1], int):
        outlets = document.get("outlets") if isinstance(document, dict) else None
        entry = outlets[loc[1]] if isinstance(outlets, list) and loc[1] < len(outlets) else None
        if isinstance(entry, dict) and entry.get("id"):
            where = f"outlet {entry['id']!r} (outlets[{loc[1]}]){'.' if loc[2:] else ''}"
            where += ".".join(str(part) for part in loc[2:])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"


def parse_registry(text: str, *, source: str) -> Registry:
    """Validate registry YAML; ``source`` (a file name) appears in every error.

    >>> parse_registry("outlets: []", source="feeds.yaml")
    Traceback (most recent call last):
    ...
    producers.errors.RegistryError: registry feeds.yaml is invalid: outlets: List should have at least 1 item after validation, not 0
    """  # noqa: E501
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegistryError(f"registry {source} is not valid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise RegistryError(f"registry {source}: expected a mapping with an 'outlets' list at the top level")
    try:
        return Registry.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(_describe(error, document) for error in exc.errors()[:5])
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise RegistryError(f"registry {source} is invalid: {problems}{more}") from None


def load_registry(path: Path | None = None) -> Registry:
    """Read and validate a registry file (default: the one shipped with khabar)."""
    path = path or DEFAULT_REGISTRY
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"registry {path} cannot be read: {exc}; pass an existing YAML file") from None
    return parse_registry(text, source=str(path))


def dump_registry(outlets: Iterable[Outlet], *, defaults: Defaults | None = None) -> str:
    """Registry YAML for ``outlets`` (what the local feed server writes); round-trips through
    :func:`parse_registry`.

    >>> text = dump_registry([Outlet(id="x", name="X", country="SA", feeds=["http://127.0.0.1:8/x.xml"])])
    >>> parse_registry(text, source="t").outlets[0].feeds
    ['http://127.0.0.1:8/x.xml']
    """
    registry = Registry(defaults=defaults or Defaults(), outlets=list(outlets))
    document = registry.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
