"""Unit tests for producers.registry: the shipped registry, validation errors, and the YAML round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from producers.errors import RegistryError
from producers.registry import DEFAULT_REGISTRY, Outlet, dump_registry, load_registry, parse_registry

pytestmark = pytest.mark.unit

REQUIRED = {
    "aljazeera", "alarabiya", "bbc-arabic", "skynewsarabia", "france24-ar", "rt-arabic", "dw-arabic",
    "aawsat", "alaraby", "alquds-alarabi", "spa", "qna", "wam", "kuna", "mena", "aps", "map", "petra",
}  # fmt: skip


def test_shipped_registry_has_the_required_sources() -> None:
    registry = load_registry()
    ids = {outlet.id for outlet in registry.outlets}
    assert len(registry.outlets) >= 40
    assert ids >= REQUIRED
    scopes = {outlet.scope for outlet in registry.outlets}
    assert {"pan-arab", "national", "agency"} <= scopes
    countries = {outlet.country for outlet in registry.outlets}
    assert {"SA", "EG", "AE", "QA", "KW", "MA", "DZ", "JO"} <= countries
    feeds = registry.feeds()
    assert all(feed.url.startswith("https://") and feed.language == "ar" for feed in feeds)
    assert all(feed.interval_s >= 60 for feed in feeds)
    assert len({feed.key for feed in feeds}) == len(feeds)


def test_defaults_apply_and_disabled_outlets_are_skipped() -> None:
    text = """
defaults: {language: ar, interval_s: 900}
outlets:
  - {id: a, name: A, country: eg, feeds: ['https://a.example/rss', 'https://a.example/atom']}
  - {id: b, name: B, country: MA, language: fr, interval_s: 120, feeds: ['https://b.example/rss']}
  - {id: c, name: C, country: JO, enabled: false, feeds: ['https://c.example/rss']}
"""
    registry = parse_registry(text, source="t.yaml")
    feeds = registry.feeds()
    assert [(f.outlet, f.country, f.language, f.interval_s) for f in feeds] == [
        ("a", "EG", "ar", 900.0),
        ("a", "EG", "ar", 900.0),
        ("b", "MA", "fr", 120.0),
    ]
    assert feeds[0].host == "a.example"
    assert len(registry.feeds(include_disabled=True)) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "outlets: [{id: x, name: X, country: XYZ, feeds: ['https://x/']}]",
            "outlet 'x' (outlets[0]).country",
        ),
        ("outlets: [{id: x, name: X, country: SA, feeds: ['ftp://x/']}]", "is not an http(s) URL"),
        ("outlets: [{id: x, name: X, country: SA, feeds: []}]", "outlet 'x' (outlets[0]).feeds"),
        ("outlets: [{id: Bad Id, name: X, country: SA, feeds: ['https://x/']}]", "outlets[0]"),
        ("outlets: [{id: x, name: X, country: SA, interval_s: 5, feeds: ['https://x/']}]", "interval_s"),
        ("outlets: [{id: x, name: X, country: SA, feeds: ['https://x/'], colour: red}]", "colour"),
        (
            "outlets: [{id: x, name: X, country: SA, feeds: ['https://x/']},"
            " {id: x, name: Y, country: SA, feeds: ['https://y/']}]",
            "outlet id 'x' is used twice",
        ),
        (
            "outlets: [{id: x, name: X, country: SA, feeds: ['https://x/']},"
            " {id: y, name: Y, country: SA, feeds: ['https://x/']}]",
            "listed by both 'x' and 'y'",
        ),
        ("outlets: [", "is not valid YAML"),
        ("- just a list", "expected a mapping"),
        ("version: 2\noutlets: [{id: x, name: X, country: SA, feeds: ['https://x/']}]", "version"),
    ],
)
def test_invalid_registries_name_the_file_and_the_entry(text: str, expected: str) -> None:
    with pytest.raises(RegistryError) as caught:
        parse_registry(text, source="my-feeds.yaml")
    message = str(caught.value)
    assert "my-feeds.yaml" in message
    assert expected in message


def test_unreadable_file_is_a_registry_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot be read"):
        load_registry(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(RegistryError, match=str(bad)):
        load_registry(bad)


def test_dump_round_trips(tmp_path: Path) -> None:
    outlets = [
        Outlet(
            id="sabq", name="سبق", country="SA", interval_s=60, feeds=["http://127.0.0.1:1/feeds/sabq.xml"]
        ),
        Outlet(id="okaz", name="عكاظ", country="SA", feeds=["http://127.0.0.1:1/feeds/okaz.xml"]),
    ]
    path = tmp_path / "r.yaml"
    path.write_text(dump_registry(outlets), encoding="utf-8")
    loaded = load_registry(path)
    assert loaded.outlets == outlets
    assert "سبق" in path.read_text(encoding="utf-8")


def test_default_registry_path_is_the_shipped_file() -> None:
    assert DEFAULT_REGISTRY.name == "feeds.yaml"
    assert DEFAULT_REGISTRY.exists()
