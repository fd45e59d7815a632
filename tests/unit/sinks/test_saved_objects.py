"""The Kibana saved objects: valid import format for the pinned Kibana, every field and data view exists."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from sinks.saved_objects import OBJECTS, load_objects, referenced_fields, to_ndjson, validate
from sinks.templates import load_templates
from tests.conftest import ROOT


def _kibana_version() -> str:
    compose = (ROOT / "infra" / "docker-compose.yml").read_text()
    match = re.search(r"image: docker\.elastic\.co/kibana/kibana:(\S+)", compose)
    assert match, "docker-compose.yml pins no Kibana image"
    return match.group(1)


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return load_objects()


def test_every_line_is_a_saved_object(objects: list[dict[str, Any]]) -> None:
    for file in sorted(OBJECTS.glob("*.ndjson")):
        for line in file.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            assert {"type", "id", "attributes", "references"} <= set(obj), file.name


def test_the_objects_are_valid_for_the_pinned_kibana(objects: list[dict[str, Any]]) -> None:
    assert _kibana_version().startswith("8.19.")
    assert validate(objects, load_templates(), _kibana_version()) == []


def test_what_the_issue_asks_for_is_there(objects: list[dict[str, Any]]) -> None:
    by_type: dict[str, set[str]] = {}
    for obj in objects:
        by_type.setdefault(obj["type"], set()).add(obj["id"])
    assert by_type["index-pattern"] == {"khabar-articles", "khabar-stories", "khabar-alerts"}
    assert {
        "khabar-latest-stories",
        "khabar-articles-by-outlet",
        "khabar-articles-by-place",
        "khabar-alerts",
    } <= by_type["search"]
    [dashboard] = [o for o in objects if o["type"] == "dashboard"]
    panels = {r["id"] for r in dashboard["references"]}
    assert panels == {
        "khabar-stories-over-time",
        "khabar-top-outlets",
        "khabar-places-map",
        "khabar-top-entities",
        "khabar-biggest-stories",
        "khabar-alerts",
    }
    assert dashboard["attributes"]["timeFrom"] == "now-24h"


def test_fields_are_found_in_every_kind_of_object(objects: list[dict[str, Any]]) -> None:
    named = {field for obj in objects for _, field in referenced_fields(obj)}
    assert {
        "published",
        "last_seen",
        "headline",
        "outlet",
        "entities.name",
        "locations",
        "place_names",
    } <= named


def _first(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(o for o in objects if o["type"] == kind)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda o: _first(o, "search")["attributes"].update(columns=["nope"]), "field 'nope' is not in"),
        (lambda o: o[0]["attributes"].update(title="logs-*"), "is not an alias of the templates"),
        (lambda o: o[-1]["references"][0].update(id="gone"), "reference lens:gone is not in the files"),
        (lambda o: o[0].update(typeMigrationVersion="99.0.0"), "newer than Kibana 8.19 knows"),
        (lambda o: o[0].update(coreMigrationVersion="7.17.0"), "coreMigrationVersion must be 8.8.0"),
        (lambda o: o[0].update(migrationVersion={"index-pattern": "8.0.0"}), "pre-8.8 'migrationVersion'"),
        (lambda o: o[1].pop("references"), "'references' is missing"),
    ],
)
def test_broken_objects_are_caught(objects: list[dict[str, Any]], change: Any, problem: str) -> None:
    broken = copy.deepcopy(objects)
    change(broken)
    problems = validate(broken, load_templates(), _kibana_version())
    assert any(problem in p for p in problems), problems


def test_ndjson_round_trips(objects: list[dict[str, Any]], tmp_path: Path) -> None:
    path = tmp_path / "all.ndjson"
    path.write_bytes(to_ndjson(objects))
    assert load_objects([path]) == objects
