"""Post the saved objects to Kibana's import API (HTTP adapter, transport injectable for tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from sinks.errors import KibanaError

IMPORT_PATH = "/api/saved_objects/_import"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What Kibana imported."""

    success_count: int
    objects: list[str]


def import_objects(
    ndjson: bytes,
    *,
    url: str,
    transport: httpx.BaseTransport | None = None,
    timeout_s: float = 30.0,
    auth: tuple[str, str] | None = None,
) -> ImportResult:
    """``POST /api/saved_objects/_import?overwrite=true`` with the NDJSON as a multipart file.

    Raises :class:`KibanaError` naming the objects and reasons when Kibana refuses any of them, or the HTTP
    status and body when the request itself fails.
    """
    endpoint = url.rstrip("/") + IMPORT_PATH
    try:
        with httpx.Client(transport=transport, timeout=timeout_s, auth=auth) as http:
            response = http.post(
                endpoint,
                params={"overwrite": "true"},
                headers={"kbn-xsrf": "khabar"},
                files={"file": ("khabar.ndjson", ndjson, "application/ndjson")},
            )
    except httpx.HTTPError as exc:
        raise KibanaError(f"cannot reach Kibana at {url}: {exc}; is it running? (see --url)") from None
    body: dict[str, Any]
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400:
        message = body.get("message") or response.text[:300]
        raise KibanaError(f"Kibana at {url} answered {response.status_code} to the import: {message}")
    if not body.get("success", False):
        problems = [
            f"{e.get('type')}:{e.get('id')}: {(e.get('error') or {}).get('type', 'error')}"
            + (f" {e['error'].get('message', '')}" if isinstance(e.get("error"), dict) else "")
            for e in body.get("errors", [])
        ]
        raise KibanaError(f"Kibana refused {len(problems)} saved object(s): " + "; ".join(problems))
    imported = [f"{r.get('type')}:{r.get('id')}" for r in body.get("successResults", [])]
    return ImportResult(int(body.get("successCount", len(imported))), imported)
