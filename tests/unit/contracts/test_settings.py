from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import SecretStr

from contracts.errors import ConfigError
from contracts.settings import KafkaSettings, load_settings


def test_defaults_are_the_local_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("KHABAR_"):
            monkeypatch.delenv(name)
    settings = load_settings()
    assert settings.kafka.bootstrap == "127.0.0.1:9092"
    assert settings.elasticsearch.hosts == ["http://127.0.0.1:9200"]
    assert settings.data_dir == Path(".khabar")
    assert settings.topics.partitions >= 1


def test_nested_env_vars_and_comma_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHABAR_KAFKA__BOOTSTRAP_SERVERS", "k1:9092, k2:9093")
    monkeypatch.setenv("KHABAR_ELASTICSEARCH__HOSTS", "https://es1:9200,https://es2:9200")
    monkeypatch.setenv("KHABAR_TOPICS__PARTITIONS", "12")
    monkeypatch.setenv("KHABAR_TOPICS__PREFIX", "prod.")
    monkeypatch.setenv("KHABAR_DATA_DIR", "/var/lib/khabar")
    settings = load_settings()
    assert settings.kafka.bootstrap_servers == ["k1:9092", "k2:9093"]
    assert settings.kafka.bootstrap == "k1:9092,k2:9093"
    assert settings.elasticsearch.hosts == ["https://es1:9200", "https://es2:9200"]
    assert settings.topics.partitions == 12
    assert settings.topics.prefix == "prod."
    assert settings.data_dir == Path("/var/lib/khabar")


def test_secrets_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHABAR_ELASTICSEARCH__PASSWORD", "hunter2-very-secret")
    monkeypatch.setenv("KHABAR_KAFKA__SASL_PASSWORD", "kafka-secret")
    settings = load_settings()
    assert settings.elasticsearch.password is not None
    assert settings.elasticsearch.password.get_secret_value() == "hunter2-very-secret"
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "hunter2-very-secret" not in text
        assert "kafka-secret" not in text


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("KHABAR_TOPICS__PARTITIONS", "0", "KHABAR_TOPICS__PARTITIONS"),
        ("KHABAR_KAFKA__BOOTSTRAP_SERVERS", "no-port", "KHABAR_KAFKA__BOOTSTRAP_SERVERS"),
        ("KHABAR_ELASTICSEARCH__HOSTS", "es1:9200", "KHABAR_ELASTICSEARCH__HOSTS"),
        ("KHABAR_STACK__KAFKA_HEAP", "lots", "KHABAR_STACK__KAFKA_HEAP"),
    ],
)
def test_bad_values_name_the_env_var(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, named: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=named):
        load_settings()


def test_alert_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHABAR_ALERTS__WATCH", "داعش, الأمم المتحدة")
    monkeypatch.setenv("KHABAR_ALERTS__GROWTH_OUTLETS", "10,5,10")
    monkeypatch.setenv("KHABAR_ALERTS__WEBHOOK_URL", "https://hooks.example/T0/B0/token-xyz")
    monkeypatch.setenv("KHABAR_ALERTS__WEBHOOK_SECRET", "sign-me")
    alerts = load_settings().alerts
    assert alerts.watch == ["داعش", "الأمم المتحدة"]
    assert alerts.growth_outlets == [5, 10]
    assert alerts.webhook_url is not None
    assert alerts.webhook_url.get_secret_value().endswith("token-xyz")
    for text in (repr(alerts), str(alerts), alerts.model_dump_json()):
        assert "token-xyz" not in text
        assert "sign-me" not in text


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("KHABAR_ALERTS__WEBHOOK_URL", "hooks.example/token-xyz"),
        ("KHABAR_ALERTS__GROWTH_OUTLETS", "1,5"),
        ("KHABAR_ALERTS__GROWTH_HOURS", "0"),
    ],
)
def test_bad_alert_settings_name_the_env_var(monkeypatch: pytest.MonkeyPatch, env: str, value: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=env) as caught:
        load_settings()
    assert "token-xyz" not in str(caught.value)  # a bad webhook URL is not echoed: it may carry a token


def test_a_sasl_cluster_gives_both_clients_its_login_and_a_verifying_tls_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KHABAR_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KHABAR_KAFKA__SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("KHABAR_KAFKA__SASL_USERNAME", "newsroom")
    monkeypatch.setenv("KHABAR_KAFKA__SASL_PASSWORD", "scram-secret")
    kafka = load_settings().kafka
    options = kafka.security_options()
    context = options.pop("ssl_context")
    assert options == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "newsroom",
        "sasl_plain_password": "scram-secret",
    }
    assert isinstance(context, ssl.SSLContext)
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    assert "scram-secret" not in repr(kafka)


def test_plaintext_has_no_tls_context() -> None:
    kafka = KafkaSettings(security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN", sasl_username="u",
                          sasl_password=SecretStr("p"))  # fmt: skip
    assert kafka.ssl_context() is None
    assert "ssl_context" not in kafka.security_options()
    assert KafkaSettings(security_protocol="SSL").security_options()["security_protocol"] == "SSL"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SECURITY_PROTOCOL": "SASL_SSL", "SASL_MECHANISM": "PLAIN"}, "needs KHABAR_KAFKA__SASL_MECHANISM"),
        ({"SASL_MECHANISM": "PLAIN", "SASL_USERNAME": "u", "SASL_PASSWORD": "p"}, "not PLAINTEXT"),
        ({"SECURITY_PROTOCOL": "SSL", "SSL_CAFILE": "/nonexistent/ca.pem"}, "KHABAR_KAFKA__SSL_CAFILE"),
    ],
)
def test_an_incomplete_kafka_login_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"KHABAR_KAFKA__{name}", value)
    with pytest.raises(ConfigError, match=named):
        load_settings()
