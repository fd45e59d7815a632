"""Posting saved objects through an httpx MockTransport: the multipart request and Kibana's error answers."""

from __future__ import annotations

import httpx
import pytest

from sinks.errors import KibanaError
from sinks.kibana import import_objects

NDJSON = b'{"type":"index-pattern","id":"khabar-articles","attributes":{},"references":[]}\n'


def test_the_request_is_a_multipart_ndjson_upload_with_overwrite() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "success": True,
                "successCount": 1,
                "successResults": [{"type": "index-pattern", "id": "khabar-articles"}],
            },
        )

    result = import_objects(NDJSON, url="http://kibana:5601/", transport=httpx.MockTransport(handler))

    assert result.success_count == 1
    assert result.objects == ["index-pattern:khabar-articles"]
    [request] = seen
    assert request.method == "POST"
    assert str(request.url) == "http://kibana:5601/api/saved_objects/_import?overwrite=true"
    assert request.headers["kbn-xsrf"]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.read()
    assert b'name="file"; filename="khabar.ndjson"' in body
    assert NDJSON in body


def test_objects_kibana_refuses_are_named() -> None:
    answer = {
        "success": False,
        "successCount": 0,
        "errors": [
            {
                "type": "lens",
                "id": "khabar-top-outlets",
                "error": {"type": "missing_references", "message": "gone"},
            }
        ],
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    with pytest.raises(KibanaError, match="lens:khabar-top-outlets: missing_references"):
        import_objects(NDJSON, url="http://kibana:5601", transport=transport)


def test_an_http_error_carries_kibanas_message() -> None:
    answer = {"statusCode": 415, "error": "Unsupported Media Type", "message": "Unsupported file extension"}
    transport = httpx.MockTransport(lambda request: httpx.Response(415, json=answer))
    with pytest.raises(KibanaError, match="answered 415 to the import: Unsupported file extension"):
        import_objects(NDJSON, url="http://kibana:5601", transport=transport)


def test_an_unreachable_kibana_says_so() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(KibanaError, match="cannot reach Kibana"):
        import_objects(NDJSON, url="http://kibana:5601", transport=httpx.MockTransport(refuse))
