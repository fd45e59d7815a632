"""The Elasticsearch index templates, kept as JSON in ``sinks/mappings`` (pure: no client).

``analysis.json`` is a component template with the Arabic analysis (``khabar_arabic`` with stemming,
``khabar_arabic_exact`` without, the ``khabar_keyword`` normalizer); ``articles.json``, ``stories.json``,
``duplicates.json`` and ``alerts.json`` are index templates composed of it, each behind its alias.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sinks.errors import TemplateError

MAPPINGS = Path(__file__).resolve().parent / "mappings"
COMPONENT = "khabar-analysis"
ARTICLES_ALIAS = "khabar-articles"
STORIES_ALIAS = "khabar-stories"
DUPLICATES_ALIAS = "khabar-duplicates"
ALERTS_ALIAS = "khabar-alerts"


@dataclass(frozen=True, slots=True)
class Templates:
    """The component template and the index templates, by name."""

    component: dict[str, Any]
    index: dict[str, dict[str, Any]]


def _load(name: str) -> dict[str, Any]:
    path = MAPPINGS / name
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TemplateError(f"{path}: {exc}") from None
    if not isinstance(body, dict):
        raise TemplateError(f"{path}: expected a JSON object")
    return body


def load_templates() -> Templates:
    """Read the templates; ``index`` is keyed by template name (= alias)."""
    return Templates(
        component=_load("analysis.json"),
        index={
            ARTICLES_ALIAS: _load("articles.json"),
            STORIES_ALIAS: _load("stories.json"),
            DUPLICATES_ALIAS: _load("duplicates.json"),
            ALERTS_ALIAS: _load("alerts.json"),
        },
    )


def index_body(alias: str, templates: Templates | None = None) -> dict[str, Any]:
    """Settings and mappings of one index as the templates would make it, for a standalone (test) index.

    >>> body = index_body("khabar-articles")
    >>> body["mappings"]["properties"]["title"]["analyzer"]
    'khabar_arabic'
    """
    templates = templates or load_templates()
    if alias not in templates.index:
        raise TemplateError(f"no index template for {alias!r}; known: {sorted(templates.index)}")
    template = templates.index[alias]["template"]
    settings = {**templates.component["template"]["settings"], **template.get("settings", {})}
    return {"settings": settings, "mappings": template["mappings"]}
