"""The local broker's TLS material: one self-signed certificate for the stack's host (and ``localhost``,
``127.0.0.1``), made once with the JDK's ``keytool``. The broker serves it from a PKCS12 keystore; clients
trust its PEM copy (``KHABAR_KAFKA__SSL_CAFILE``), so TLS is verified for real, host name included."""

from __future__ import annotations

import ipaddress
import subprocess
from dataclasses import dataclass
from pathlib import Path

from infra.errors import StackError
from infra.local.engines import find_jdk_tool

#: Guards a throwaway key of a local test broker, nothing else; a real cluster brings its own certificates.
KEYSTORE_PASSWORD = "khabar-local-tls"  # noqa: S105 - see above


@dataclass(frozen=True, slots=True)
class BrokerTls:
    keystore: Path  # PKCS12, for the broker (ssl.keystore.location)
    certificate: Path  # PEM, for the clients to trust


def _names(host: str) -> str:
    names = {"DNS:localhost", "IP:127.0.0.1"}
    try:
        names.add(f"IP:{ipaddress.ip_address(host)}")
    except ValueError:
        names.add(f"DNS:{host}")
    return ",".join(sorted(names))


def ensure_broker_tls(directory: Path, java: Path, host: str) -> BrokerTls:
    """The keystore and certificate under ``directory``, made on first use (kept across restarts)."""
    tls = BrokerTls(directory / "broker.p12", directory / "broker.pem")
    if tls.keystore.is_file() and tls.certificate.is_file():
        return tls
    directory.mkdir(parents=True, exist_ok=True)
    tls.keystore.unlink(missing_ok=True)
    keytool = str(find_jdk_tool(java, "keytool", "the local broker's TLS listener"))
    store = ["-keystore", str(tls.keystore), "-storetype", "PKCS12", "-storepass", KEYSTORE_PASSWORD]
    for args in (
        ["-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
         "-dname", "CN=khabar-local-kafka", "-ext", f"SAN={_names(host)}", "-ext", "BC:c=ca:true",
         "-keypass", KEYSTORE_PASSWORD, *store],
        ["-exportcert", "-alias", "broker", "-rfc", "-file", str(tls.certificate), *store],
    ):  # fmt: skip
        done = subprocess.run([keytool, *args], capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise StackError(f"keytool could not make the local broker's certificate: {done.stderr[-800:]}")
    return tls
