"""The sink worker's Faust app, built without services: how it reaches Kafka."""

from __future__ import annotations

import ssl
import uuid
from pathlib import Path

from contracts.settings import KafkaSettings, Settings
from sinks.app import build_app


def test_the_sink_worker_reaches_a_tls_cluster_with_a_verifying_context(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, kafka=KafkaSettings(security_protocol="SSL"))
    app = build_app(settings, app_id=f"t-{uuid.uuid4().hex[:8]}", store="memory://")
    credentials = app.conf.broker_credentials
    assert credentials.protocol.value == "SSL"
    assert credentials.context.verify_mode == ssl.CERT_REQUIRED
    assert app.conf.broker_client_id == "khabar-sinks"
