from __future__ import annotations

import pytest

from sinks.errors import TemplateError
from sinks.indices import IndexNames
from sinks.templates import index_body, load_templates


def test_every_alias_has_an_index_template_and_each_template_its_alias() -> None:
    templates = load_templates()
    assert set(IndexNames().aliases) == set(templates.index)
    for alias, body in templates.index.items():
        assert body["template"]["aliases"] == {alias: {}}
        assert body["index_patterns"] == [f"{alias}-*"]


def test_the_alerts_index_searches_headlines_with_the_arabic_analyzer() -> None:
    body = index_body("khabar-alerts")
    assert body["mappings"]["properties"]["headline"]["analyzer"] == "khabar_arabic"
    assert body["mappings"]["properties"]["fired_at"]["type"] == "date"


def test_a_bad_prefix_is_named() -> None:
    with pytest.raises(TemplateError, match="'Khabar'"):
        IndexNames("Khabar")
