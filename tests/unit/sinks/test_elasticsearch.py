"""The Elasticsearch adapter's errors: a cluster that does not answer, or refuses the login, is named."""

from __future__ import annotations

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import AuthenticationException

from contracts.settings import ElasticsearchSettings
from sinks.elasticsearch import answering, client
from sinks.errors import ElasticsearchUnreachableError

NOBODY = ElasticsearchSettings(hosts=["http://127.0.0.1:1"])  # nothing listens on port 1: refused at once


def test_a_cluster_that_does_not_answer_is_named_with_the_setting_to_fix() -> None:
    es = client(NOBODY)
    with pytest.raises(ElasticsearchUnreachableError) as raised, answering(NOBODY):
        es.info()
    es.close()
    message = str(raised.value)
    assert message.startswith("Elasticsearch did not answer at http://127.0.0.1:1 (ConnectionError")
    assert message.endswith(
        "(khabar stack up) or set KHABAR_ELASTICSEARCH__HOSTS (with TLS, also __CA_CERTS)"
    )


def test_a_refused_login_names_the_credentials_to_check() -> None:
    meta = ApiResponseMeta(401, "1.1", HttpHeaders(), 0.01, NodeConfig("http", "es1", 9200))
    expected = r"^Elasticsearch at http://127.0.0.1:1 refused the login \(security_exception\): check KHABAR_"
    with pytest.raises(ElasticsearchUnreachableError, match=expected), answering(NOBODY):
        raise AuthenticationException("security_exception", meta, {"error": "unable to authenticate"})


def test_other_errors_pass_through() -> None:
    with pytest.raises(KeyError), answering(NOBODY):
        raise KeyError("not a connection problem")
