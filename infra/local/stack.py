"""Run the local Kafka (KRaft) and Elasticsearch JVMs in the background: up, down, status, logs.

Each engine has a directory under ``<data_dir>`` with its config, data, a pid file and a log. ``up`` is
idempotent: an engine that already answers is left alone. Data survives ``down``; ``reset`` clears it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import pwd
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from contracts.settings import KafkaSettings, Settings
from infra.errors import StackError
from infra.local.engines import HERE, Engines, fetch, find_java, pinned_versions
from infra.local.tls import KEYSTORE_PASSWORD, BrokerTls, ensure_broker_tls

TEMPLATES = HERE / "templates"
KAFKA = "kafka"
ELASTICSEARCH = "elasticsearch"


@dataclass(frozen=True, slots=True)
class Health:
    """What ``status`` reports for one engine."""

    name: str
    address: str
    pid: int | None
    running: bool
    healthy: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Layout:
    """Where one engine keeps its files."""

    home: Path

    @property
    def config(self) -> Path:
        return self.home / "config"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def pid_file(self) -> Path:
        return self.home / "pid"

    @property
    def log_file(self) -> Path:
        return self.home / "console.log"


def _host_port(address: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(address if "//" in address else f"//{address}")
    return parts.hostname or "127.0.0.1", parts.port or default_port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of this process is not alive
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def _runs(pid: int, marker: str) -> bool:
    """Whether ``pid`` is alive and runs the engine whose command line holds ``marker``: a pid file left by
    a machine restart may name an unrelated process by now, which ``down`` must never signal. Without
    ``/proc`` (macOS) the pid is all there is to go by.

    >>> import os
    >>> _runs(os.getpid(), "no such engine"), _runs(os.getpid(), "python")
    (False, True)
    """
    if not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no /proc at all, or the process just ended
    except OSError:
        return True  # not ours to read: another user's process, judged by its pid alone
    return marker.encode() in cmdline


def _read_pid(layout: Layout) -> int | None:
    try:
        return int(layout.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


class LocalStack:
    """The local Kafka and Elasticsearch of one data directory."""

    def __init__(self, settings: Settings, *, log: Callable[[str], None] = print) -> None:
        self.settings = settings
        self.log = log
        self.root = settings.data_dir.resolve()
        self.engines = Engines(self.root / "engines", pinned_versions())
        self.kafka = Layout(self.root / KAFKA)
        self.elasticsearch = Layout(self.root / ELASTICSEARCH)
        self.kafka_host, self.kafka_port = _host_port(settings.kafka.bootstrap_servers[0], 9092)
        self.kafka_sasl_port = self.kafka_port + 2
        self.kafka_tls_port = self.kafka_port + 3
        self.es_host, self.es_port = _host_port(settings.elasticsearch.hosts[0], 9200)
        self.es_url = f"http://{self.es_host}:{self.es_port}"

    def sasl_kafka(self, *, tls: bool = False) -> KafkaSettings:
        """Client settings for the local broker's SASL/PLAIN listener (port + 2), or with ``tls`` its SASL_SSL
        one (port + 3, trusting the stack's own certificate): its one user's login."""
        stack = self.settings.stack
        return KafkaSettings(
            bootstrap_servers=[f"{self.kafka_host}:{self.kafka_tls_port if tls else self.kafka_sasl_port}"],
            security_protocol="SASL_SSL" if tls else "SASL_PLAINTEXT",
            sasl_mechanism="PLAIN",
            sasl_username=stack.kafka_sasl_username,
            sasl_password=stack.kafka_sasl_password,
            ssl_cafile=self.kafka_tls.certificate if tls else None,
            client_id=self.settings.kafka.client_id,
        )

    @property
    def kafka_tls(self) -> BrokerTls:
        """Where the broker's TLS keystore and certificate are (made by ``up``)."""
        directory = self.kafka.config / "tls"
        return BrokerTls(directory / "broker.p12", directory / "broker.pem")

    # -- health --

    def kafka_health(self) -> Health:
        pid = _read_pid(self.kafka)
        running = pid is not None and _runs(pid, self._marker(KAFKA))
        address = f"{self.kafka_host}:{self.kafka_port}"
        try:
            from kafka import KafkaAdminClient

            with _quiet("kafka"):
                admin = KafkaAdminClient(
                    bootstrap_servers=address, request_timeout_ms=3000, bootstrap_timeout_ms=3000
                )
                try:
                    cluster = admin.describe_cluster()
                finally:
                    admin.close()
            brokers = len(cluster.get("brokers", []))
            return Health(
                KAFKA, address, pid, running, True, f"{brokers} broker(s), cluster {cluster['cluster_id']}"
            )
        except Exception as exc:  # any failure to answer a metadata request means not healthy
            return Health(
                KAFKA,
                address,
                pid,
                running,
                False,
                f"no metadata answer: {type(exc).__name__}: {str(exc)[:80]}",
            )

    def elasticsearch_health(self) -> Health:
        pid = _read_pid(self.elasticsearch)
        running = pid is not None and _runs(pid, self._marker(ELASTICSEARCH))
        try:
            with urllib.request.urlopen(f"{self.es_url}/_cluster/health", timeout=3) as response:  # noqa: S310
                body = json.loads(response.read())
            status = body.get("status", "red")
            return Health(
                ELASTICSEARCH, self.es_url, pid, running, status in ("green", "yellow"), f"status {status}"
            )
        except (OSError, urllib.error.URLError, ValueError) as exc:
            return Health(ELASTICSEARCH, self.es_url, pid, running, False, f"no answer: {type(exc).__name__}")

    def status(self) -> list[Health]:
        return [self.kafka_health(), self.elasticsearch_health()]

    # -- up --

    def up(self, *, reset: bool = False) -> list[Health]:
        """Fetch, configure and start both engines, then wait until both answer. Harmless when running."""
        if reset:
            self.down(reset=True)
        java = find_java(self.settings.stack.java_home)
        before = {h.name: h for h in self.status()}
        if all(h.healthy for h in before.values()):
            self.log("the local stack is already running")
            return list(before.values())
        self.log(f"fetching engines into {self.engines.root} (cached after the first run)")
        fetch(self.engines, java=java)
        started: dict[str, subprocess.Popen[bytes]] = {}
        if not before[KAFKA].healthy:
            started[KAFKA] = self._start_kafka(java)
        if not before[ELASTICSEARCH].healthy:
            started[ELASTICSEARCH] = self._start_elasticsearch(java)
        return self._wait(started)

    def _marker(self, name: str) -> str:
        """What the command line of this data dir's engine holds: Kafka's config path, or the main class of
        Elasticsearch (whose command line names no data dir)."""
        return str(self.kafka.config) if name == KAFKA else "org.elasticsearch.bootstrap.Elasticsearch"

    def _ensure_free(self, name: str, layout: Layout) -> None:
        pid = _read_pid(layout)
        if pid is not None and _runs(pid, self._marker(name)):
            raise StackError(
                f"{name} (pid {pid}) is running but does not answer; see `khabar stack logs {name}`, "
                "or stop it with `khabar stack down`"
            )

    def _sasl_password(self) -> str:
        password = self.settings.stack.kafka_sasl_password.get_secret_value()
        if not password or any(char in password for char in '"\\\n\r'):
            raise StackError(
                "KHABAR_STACK__KAFKA_SASL_PASSWORD must be non-empty, without quotes, backslashes or "
                "line breaks"
            )
        return password

    def _start_kafka(self, java: Path) -> subprocess.Popen[bytes]:
        layout = self.kafka
        self._ensure_free(KAFKA, layout)
        for path in (layout.config, layout.data):
            path.mkdir(parents=True, exist_ok=True)
        values = {
            "host": self.kafka_host,
            "port": str(self.kafka_port),
            "controller_port": str(self.kafka_port + 1),
            "sasl_port": str(self.kafka_sasl_port),
            "sasl_username": self.settings.stack.kafka_sasl_username,
            "sasl_password": self._sasl_password(),
            "tls_port": str(self.kafka_tls_port),
            "keystore": str(
                ensure_broker_tls(self.kafka_tls.keystore.parent, java, self.kafka_host).keystore
            ),
            "keystore_password": KEYSTORE_PASSWORD,
            "data_dir": str(layout.data),
            "partitions": str(self.settings.topics.partitions),
        }
        server = layout.config / "server.properties"
        server.write_text(Template((TEMPLATES / "kafka.properties").read_text()).substitute(values))
        log4j = layout.config / "log4j2.properties"
        shutil.copyfile(TEMPLATES / "kafka-log4j2.properties", log4j)
        base = [str(java), f"-Dlog4j2.configurationFile={log4j}", "-cp", str(self.engines.kafka_libs / "*")]
        if not (layout.data / "meta.properties").is_file():
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            self.log(f"formatting KRaft storage (cluster id {cluster_id})")
            fmt = subprocess.run(  # noqa: S603
                [*base, "kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}", "-c", str(server)],
                capture_output=True,
                text=True,
                check=False,
            )
            if fmt.returncode != 0:
                raise StackError(
                    f"formatting Kafka storage failed:\n{fmt.stdout[-1500:]}{fmt.stderr[-1500:]}"
                )
        heap = self.settings.stack.kafka_heap
        cmd = [base[0], f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC", *base[1:], "kafka.Kafka", str(server)]
        self.log(
            f"starting Kafka {self.engines.versions.kafka} on {self.kafka_host}:{self.kafka_port} "
            f"(SASL/PLAIN on :{self.kafka_sasl_port}, SASL_SSL on :{self.kafka_tls_port})"
        )
        return self._spawn(cmd, layout, cwd=layout.home, write_pid=True)

    def _start_elasticsearch(self, java: Path) -> subprocess.Popen[bytes]:
        layout = self.elasticsearch
        self._ensure_free(ELASTICSEARCH, layout)
        for path in (layout.config, layout.data, layout.logs):
            path.mkdir(parents=True, exist_ok=True)
        home = self.engines.elasticsearch_home
        for name in ("jvm.options", "log4j2.properties"):
            shutil.copyfile(home / "config" / name, layout.config / name)
        values = {
            "host": self.es_host,
            "port": str(self.es_port),
            "transport_port": str(self.es_port + 100),
            "data_dir": str(layout.data),
            "logs_dir": str(layout.logs),
        }
        template = Template((TEMPLATES / "elasticsearch.yml").read_text())
        (layout.config / "elasticsearch.yml").write_text(template.substitute(values))
        heap = self.settings.stack.elasticsearch_heap
        env = dict(
            os.environ,
            ES_PATH_CONF=str(layout.config),
            ES_JAVA_HOME=str(java.resolve().parent.parent),
            ES_JAVA_OPTS=f"-Xms{heap} -Xmx{heap}",
        )
        cmd = [str(home / "bin" / "elasticsearch"), "-p", str(layout.pid_file)]
        if os.geteuid() == 0:
            user = self._service_user()
            self.log(f"running as root: Elasticsearch refuses root, so it runs as the system user {user!r}")
            _chown_tree(layout.home, user)
            self._check_reachable(user, home / "bin" / "elasticsearch", layout.home)
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *cmd]
        self.log(f"starting Elasticsearch {self.engines.versions.elasticsearch} on {self.es_url}")
        layout.pid_file.unlink(missing_ok=True)
        return self._spawn(cmd, layout, cwd=layout.home, write_pid=False, env=env)

    def _service_user(self) -> str:
        user = self.settings.stack.run_as
        try:
            pwd.getpwnam(user)
        except KeyError:
            self.log(f"creating the system user {user!r} for Elasticsearch")
            subprocess.run(  # noqa: S603
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user],  # noqa: S607
                check=True,
                capture_output=True,
            )
        return user

    def _check_reachable(self, user: str, launcher: Path, home: Path) -> None:
        as_user = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups"]
        probe = subprocess.run(  # noqa: S603
            [
                *as_user,
                "sh",
                "-c",
                'test -x "$1" && test -w "$2"',
                "probe",
                str(launcher),
                str(home),
            ],
            capture_output=True,
            check=False,
        )
        if probe.returncode != 0:
            raise StackError(
                f"the user {user!r} that runs Elasticsearch cannot reach {self.root} (a parent directory is "
                "private to root); point KHABAR_DATA_DIR at a directory it can reach, e.g. /var/lib/khabar"
            )

    def _spawn(
        self,
        cmd: list[str],
        layout: Layout,
        *,
        cwd: Path,
        write_pid: bool,
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        with open(layout.log_file, "ab") as log:
            log.write(
                f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S')} khabar stack up: {' '.join(cmd)}\n".encode()
            )
            log.flush()
            proc = subprocess.Popen(  # noqa: S603
                cmd,
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        if write_pid:
            layout.pid_file.write_text(f"{proc.pid}\n")
        return proc

    def _wait(self, started: dict[str, subprocess.Popen[bytes]]) -> list[Health]:
        deadline = time.monotonic() + self.settings.stack.start_timeout_s
        checks = {KAFKA: self.kafka_health, ELASTICSEARCH: self.elasticsearch_health}
        layouts = {KAFKA: self.kafka, ELASTICSEARCH: self.elasticsearch}
        while True:
            health = {name: check() for name, check in checks.items()}
            if all(h.healthy for h in health.values()):
                return list(health.values())
            for name, proc in started.items():
                if proc.poll() is not None and not health[name].healthy:
                    raise StackError(
                        f"{name} exited with code {proc.returncode} while starting; its log "
                        f"({layouts[name].log_file}) ends with:\n{_tail(layouts[name].log_file, 25)}"
                    )
            if time.monotonic() > deadline:
                waiting = ", ".join(f"{h.name} ({h.detail})" for h in health.values() if not h.healthy)
                raise StackError(
                    f"timed out after {self.settings.stack.start_timeout_s:.0f}s waiting for {waiting}; "
                    "see `khabar stack logs`"
                )
            time.sleep(1.0)

    # -- down --

    def down(self, *, reset: bool = False, timeout_s: float = 60.0) -> list[str]:
        """Stop both engines by pid (TERM, then KILL after ``timeout_s``); ``reset`` deletes their data and
        the workers' local table state."""
        stopped = []
        for name, layout in ((ELASTICSEARCH, self.elasticsearch), (KAFKA, self.kafka)):
            pid = _read_pid(layout)
            if pid is not None and _runs(pid, self._marker(name)):
                self.log(f"stopping {name} (pid {pid})")
                try:
                    _terminate(pid, timeout_s)
                except PermissionError:
                    raise StackError(
                        f"{name} (pid {pid}) belongs to another user (started with sudo?): stop it as that "
                        f"user, e.g. `sudo khabar stack down`"
                    ) from None
                stopped.append(name)
            elif pid is not None:
                self.log(
                    f"{name}: pid file {layout.pid_file} names pid {pid}, which is not {name}: left alone"
                )
            layout.pid_file.unlink(missing_ok=True)
        if reset:
            # The workers' local tables mirror changelog topics that go with the Kafka data: a worker that
            # found them after a reset would refuse to start (its offsets are past the empty changelog).
            state = self.settings.worker_state_dir.resolve()
            for home in (self.kafka.home, self.elasticsearch.home, state):
                if home.exists():
                    self.log(f"deleting {home}")
                    shutil.rmtree(home)
        return stopped

    # -- logs --

    def log_files(self) -> dict[str, Path]:
        return {KAFKA: self.kafka.log_file, ELASTICSEARCH: self.elasticsearch.log_file}


@contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """Silence a client's connection errors while probing an engine that may still be starting."""
    log = logging.getLogger(logger)
    previous = log.level
    log.setLevel(logging.CRITICAL + 1)  # children without their own level inherit it
    try:
        yield
    finally:
        log.setLevel(previous)


def _terminate(pid: int, timeout_s: float) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.2)


def _chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _tail(path: Path, lines: int) -> str:
    return "\n".join(tail_lines(path, lines))


def tail_lines(path: Path, lines: int) -> Iterator[str]:
    """The last ``lines`` lines of a log file (empty when it does not exist)."""
    if not path.is_file():
        return iter(())
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 256 * 1024))
        text = handle.read().decode("utf-8", errors="replace")
    return iter(text.splitlines()[-lines:])
