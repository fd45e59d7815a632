"""kafka-python clients of the configured cluster: one that does not answer is named, not a traceback."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer
from pydantic import SecretStr

from contracts.settings import KafkaSettings
from infra.errors import KafkaUnreachableError
from infra.topics import client_config, connect

NOBODY = KafkaSettings(bootstrap_servers=["127.0.0.1:1"])  # nothing listens on port 1


def test_a_cluster_that_does_not_answer_is_named_with_the_setting_to_fix() -> None:
    with pytest.raises(KafkaUnreachableError) as raised:
        connect(KafkaConsumer, NOBODY, "test", bootstrap_timeout_ms=300)
    message = str(raised.value)
    assert message.startswith("no Kafka broker answered at 127.0.0.1:1 over PLAINTEXT (")
    assert message.endswith("start the local stack (khabar stack up) or set KHABAR_KAFKA__BOOTSTRAP_SERVERS")


def test_with_sasl_the_login_is_named_too() -> None:
    sasl = NOBODY.model_copy(
        update={"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN", "sasl_username": "desk"}
    )
    with pytest.raises(
        KafkaUnreachableError, match=r"refused the login of 'desk'.*KHABAR_KAFKA__SASL_PASSWORD"
    ):
        connect(KafkaConsumer, sasl, "test", bootstrap_timeout_ms=300)


def test_client_options_carry_the_login() -> None:
    kafka = KafkaSettings(security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN", sasl_username="desk",
                          sasl_password=SecretStr("pw"))  # fmt: skip
    config = client_config(kafka, "reader")
    assert (config["client_id"], config["sasl_plain_username"], config["sasl_plain_password"]) == (
        "khabar-reader",
        "desk",
        "pw",
    )
