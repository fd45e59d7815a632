"""Kibana saved objects kept in ``infra/kibana/*.ndjson``: load and validate them (pure: no HTTP).

Kibana cannot run on the local stack, so the objects are checked here against what the import API of the
pinned Kibana (8.19) accepts and against the index templates:

- every line is a JSON object with ``type``, ``id``, ``attributes`` and ``references``;
- ``coreMigrationVersion`` is ``8.8.0`` (the value every 8.8+ export carries) and ``typeMigrationVersion`` is
  not newer than what the pinned Kibana knows for that type (Kibana migrates older objects up on import, and
  refuses newer ones); the pre-8.8 ``migrationVersion`` is not used;
- every reference resolves to an object of the files, every ``panelRefName`` and ``indexRefName`` has its
  reference, every data view's title is an alias of the templates, and every field an object names exists in
  that alias's mapping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sinks.errors import KibanaError
from sinks.templates import Templates

OBJECTS = Path(__file__).resolve().parents[1] / "infra" / "kibana"
CORE_MIGRATION_VERSION = "8.8.0"
# The newest typeMigrationVersion of each type we ship, as Kibana 8.19 exports them.
TYPE_VERSIONS: Mapping[str, str] = {
    "index-pattern": "8.0.0",
    "search": "10.5.0",
    "lens": "8.9.0",
    "map": "8.4.0",
    "dashboard": "10.3.0",
}
_KQL_FIELD = re.compile(r"(?:^|\(|\s)(?:not\s+)?([A-Za-z_][\w.]*)\s*:")
RECORDS_FIELD = "___records___"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def load_objects(paths: Sequence[Path] | None = None) -> list[dict[str, Any]]:
    """The saved objects of ``paths`` (default: every ``infra/kibana/*.ndjson``, by name), in order."""
    files = list(paths) if paths is not None else sorted(OBJECTS.glob("*.ndjson"))
    if not files:
        raise KibanaError(f"no saved objects: {OBJECTS} holds no *.ndjson files")
    objects = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise KibanaError(f"{file.name}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(value, dict):
                raise KibanaError(f"{file.name}:{number}: expected a JSON object")
            objects.append(value)
    return objects


def to_ndjson(objects: Iterable[Mapping[str, Any]]) -> bytes:
    """The objects as one NDJSON payload, the form ``_import`` takes.

    >>> to_ndjson([{"type": "index-pattern", "id": "x"}])
    b'{"type": "index-pattern", "id": "x"}\\n'
    """
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")


def mapping_fields(mappings: Mapping[str, Any]) -> set[str]:
    """Every field path of a mapping, sub-fields and object properties included.

    >>> sorted(mapping_fields({"properties": {"t": {"type": "text", "fields": {"exact": {"type": "text"}}},
    ...                                       "p": {"properties": {"name": {"type": "keyword"}}}}}))
    ['p', 'p.name', 't', 't.exact']
    """
    found: set[str] = set()

    def walk(properties: Mapping[str, Any], prefix: str) -> None:
        for name, spec in properties.items():
            path = prefix + name
            found.add(path)
            walk(spec.get("properties", {}), path + ".")
            walk(spec.get("fields", {}), path + ".")

    walk(mappings.get("properties", {}), "")
    return found


def alias_fields(templates: Templates) -> dict[str, set[str]]:
    """The fields of each alias the templates define, by alias."""
    fields = {}
    for body in templates.index.values():
        template = body["template"]
        for alias in template.get("aliases", {}):
            fields[alias] = mapping_fields(template["mappings"])
    return fields


def _json_attr(obj: Mapping[str, Any], key: str, default: str) -> Any:
    return json.loads(obj["attributes"].get(key) or default)


def _ref(obj: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((r for r in obj.get("references", []) if r.get("name") == name), None)


def referenced_fields(obj: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (data view id, field) pairs an object names: columns, sorts, KQL, Lens columns, map geo fields.

    >>> referenced_fields({"type": "index-pattern", "id": "v", "attributes": {"timeFieldName": "published"}})
    [('v', 'published')]
    """
    kind, attributes = obj["type"], obj["attributes"]
    pairs: list[tuple[str, str]] = []
    if kind == "index-pattern":
        if attributes.get("timeFieldName"):
            pairs.append((obj["id"], attributes["timeFieldName"]))
    elif kind == "search":
        source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
        ref = _ref(obj, source.get("indexRefName", ""))
        view = str(ref["id"]) if ref else "?"
        fields = [*attributes.get("columns", []), *(s[0] for s in attributes.get("sort", []))]
        fields += _KQL_FIELD.findall(source.get("query", {}).get("query", ""))
        pairs += [(view, f) for f in fields]
    elif kind == "lens":
        layers = attributes["state"]["datasourceStates"]["formBased"]["layers"]
        for layer_id, layer in layers.items():
            ref = _ref(obj, f"indexpattern-datasource-layer-{layer_id}")
            view = str(ref["id"]) if ref else "?"
            for column in layer["columns"].values():
                if column.get("sourceField") and column["sourceField"] != RECORDS_FIELD:
                    pairs.append((view, column["sourceField"]))
    elif kind == "map":
        for layer in _json_attr(obj, "layerListJSON", "[]"):
            source = layer.get("sourceDescriptor") or {}
            if source.get("indexPatternRefName"):
                ref = _ref(obj, source["indexPatternRefName"])
                view = str(ref["id"]) if ref else "?"
                pairs += [(view, source[key]) for key in ("geoField",) if source.get(key)]
    return pairs


def _check_format(obj: Mapping[str, Any], where: str, kibana_version: str) -> list[str]:
    problems = []
    for key, kind in (("type", str), ("id", str), ("attributes", dict), ("references", list)):
        if not isinstance(obj.get(key), kind):
            problems.append(f"{where}: {key!r} is missing or not a {kind.__name__}")
    if problems:
        return problems
    if "migrationVersion" in obj:
        problems.append(f"{where}: uses the pre-8.8 'migrationVersion'; use typeMigrationVersion")
    if obj.get("coreMigrationVersion") != CORE_MIGRATION_VERSION:
        problems.append(f"{where}: coreMigrationVersion must be {CORE_MIGRATION_VERSION}")
    elif _version(CORE_MIGRATION_VERSION) > _version(kibana_version):
        problems.append(f"{where}: coreMigrationVersion is newer than Kibana {kibana_version}")
    newest = TYPE_VERSIONS.get(obj["type"])
    version = str(obj.get("typeMigrationVersion", ""))
    if newest is None:
        problems.append(f"{where}: type {obj['type']!r} is not one khabar ships ({sorted(TYPE_VERSIONS)})")
    elif not re.fullmatch(r"\d+\.\d+\.\d+", version):
        problems.append(f"{where}: typeMigrationVersion {version!r} is not x.y.z")
    elif _version(version) > _version(newest):
        problems.append(f"{where}: typeMigrationVersion {version} is newer than Kibana 8.19 knows ({newest})")
    for reference in obj["references"]:
        if not {"name", "type", "id"} <= set(reference):
            problems.append(f"{where}: a reference lacks name, type or id: {reference}")
    return problems


def _check_internal_refs(obj: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    names = {r.get("name") for r in obj["references"]}
    if obj["type"] == "dashboard":
        for panel in _json_attr(obj, "panelsJSON", "[]"):
            wanted = f"{panel.get('panelIndex')}:{panel.get('panelRefName')}"
            if wanted not in names:
                problems.append(f"{where}: panel {panel.get('panelIndex')} has no reference {wanted!r}")
    meta = obj["attributes"].get("kibanaSavedObjectMeta", {})
    index_ref = json.loads(meta.get("searchSourceJSON") or "{}").get("indexRefName")
    if index_ref and index_ref not in names:
        problems.append(f"{where}: searchSourceJSON names {index_ref!r} but there is no such reference")
    return problems


def validate(objects: Sequence[Mapping[str, Any]], templates: Templates, kibana_version: str) -> list[str]:
    """Every problem found; an empty list means the objects are fit for Kibana ``kibana_version``."""
    problems: list[str] = []
    for number, obj in enumerate(objects, 1):
        problems += _check_format(obj, f"object {number} ({obj.get('type')}:{obj.get('id')})", kibana_version)
    if problems:
        return problems
    known = {(o["type"], o["id"]) for o in objects}
    ids = [(o["type"], o["id"]) for o in objects]
    problems += [f"{t}:{i} appears more than once" for t, i in sorted(set(ids)) if ids.count((t, i)) > 1]
    fields = alias_fields(templates)
    views = {o["id"]: o["attributes"].get("title") for o in objects if o["type"] == "index-pattern"}
    for view, title in views.items():
        if title not in fields:
            problems.append(
                f"data view {view}: title {title!r} is not an alias of the templates {sorted(fields)}"
            )
    for obj in objects:
        where = f"{obj['type']}:{obj['id']}"
        problems += _check_internal_refs(obj, where)
        for reference in obj["references"]:
            if (reference["type"], reference["id"]) not in known:
                problems.append(
                    f"{where}: reference {reference['type']}:{reference['id']} is not in the files"
                )
        for view, field in referenced_fields(obj):
            title = views.get(view)
            if title is None:
                problems.append(f"{where}: names field {field!r} of an unknown data view {view!r}")
            elif title in fields and field not in fields[title]:
                problems.append(f"{where}: field {field!r} is not in the {title} mapping")
    return problems
