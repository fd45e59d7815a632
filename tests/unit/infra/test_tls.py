"""The local broker's certificate: made once with the JDK's keytool, for the stack's host."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from infra.errors import ToolMissingError
from infra.local import engines, tls
from infra.local.engines import find_java


def test_the_certificate_is_made_once_and_loads_as_a_trust_anchor(tmp_path: Path) -> None:
    made = tls.ensure_broker_tls(tmp_path / "tls", find_java(), "127.0.0.1")
    assert made.certificate.read_text().startswith("-----BEGIN CERTIFICATE-----")
    ssl.create_default_context(cafile=made.certificate)  # a valid PEM certificate
    stamp = made.keystore.stat().st_mtime_ns
    assert tls.ensure_broker_tls(tmp_path / "tls", find_java(), "127.0.0.1") == made
    assert made.keystore.stat().st_mtime_ns == stamp  # kept across restarts, not made again


def test_the_certificate_names_the_stack_host() -> None:
    assert tls._names("10.0.0.7") == "DNS:localhost,IP:10.0.0.7,IP:127.0.0.1"
    assert tls._names("kafka.local") == "DNS:kafka.local,DNS:localhost,IP:127.0.0.1"


def test_a_jre_without_keytool_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text("")
    monkeypatch.setattr(engines.shutil, "which", lambda name: None)
    with pytest.raises(ToolMissingError, match="keytool is missing"):
        tls.ensure_broker_tls(tmp_path / "tls", java, "127.0.0.1")
