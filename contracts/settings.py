"""One settings object for the whole pipeline, read from ``KHABAR_*`` environment variables.

Nested groups use a double underscore: ``KHABAR_KAFKA__BOOTSTRAP_SERVERS=broker1:9092,broker2:9092``,
``KHABAR_ELASTICSEARCH__HOSTS=https://es1:9200,https://es2:9200``, ``KHABAR_ELASTICSEARCH__PASSWORD=…``.
Secrets are :class:`~pydantic.SecretStr` and never appear in logs or ``repr``.
The defaults are the local stack that ``khabar stack up`` runs.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, FilePath, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from contracts.errors import ConfigError

ENV_PREFIX = "KHABAR_"
ENV_NESTED_DELIMITER = "__"


def _split_csv(value: Any) -> Any:
    """Accept ``a,b`` as well as a list, so env vars stay readable."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class KafkaSettings(BaseModel):
    """How to reach Kafka. Any cluster works by configuration alone."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bootstrap_servers: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["127.0.0.1:9092"])
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    # A PEM bundle of the CA that signed the brokers' certificates (SSL, SASL_SSL); default: the system's.
    ssl_cafile: FilePath | None = None
    client_id: str = "khabar"

    _split = field_validator("bootstrap_servers", mode="before")(_split_csv)

    @field_validator("bootstrap_servers")
    @classmethod
    def _host_port(cls, servers: list[str]) -> list[str]:
        if not servers:
            raise ValueError("at least one bootstrap server is needed, e.g. 127.0.0.1:9092")
        for server in servers:
            host, _, port = server.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"bootstrap server {server!r} is not host:port")
        return servers

    @property
    def bootstrap(self) -> str:
        """The servers as one comma-separated string, the form both Kafka clients accept."""
        return ",".join(self.bootstrap_servers)

    @model_validator(mode="after")
    def _sasl_complete(self) -> Self:
        sasl = self.security_protocol.startswith("SASL_")
        if sasl and not (self.sasl_mechanism and self.sasl_username and self.sasl_password):
            raise ValueError(
                f"security_protocol {self.security_protocol} needs KHABAR_KAFKA__SASL_MECHANISM, "
                "__SASL_USERNAME and __SASL_PASSWORD"
            )
        if self.sasl_mechanism and not sasl:
            raise ValueError(
                f"sasl_mechanism {self.sasl_mechanism} needs KHABAR_KAFKA__SECURITY_PROTOCOL "
                f"SASL_PLAINTEXT or SASL_SSL, not {self.security_protocol}"
            )
        return self

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for SSL and SASL_SSL (certificates and host names verified), else None."""
        if not self.security_protocol.endswith("SSL"):
            return None
        return ssl.create_default_context(cafile=self.ssl_cafile)

    def sasl_login(self) -> dict[str, Any] | None:
        """The SASL login as keywords (``username, password, mechanism, ssl_context``; the form of Faust's
        ``SASLCredentials``), secret revealed; None without SASL."""
        if self.sasl_mechanism is None:
            return None
        secret = self.sasl_password.get_secret_value() if self.sasl_password else None
        return {
            "username": self.sasl_username,
            "password": secret,
            "mechanism": self.sasl_mechanism,
            "ssl_context": self.ssl_context(),
        }

    def security_options(self) -> dict[str, Any]:
        """The security options in the form both kafka-python and aiokafka accept, secrets revealed:
        for the client's constructor only, never for a log.

        >>> KafkaSettings().security_options()
        {'security_protocol': 'PLAINTEXT'}
        """
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        login = self.sasl_login()
        if login is not None:
            options["sasl_mechanism"] = login["mechanism"]
            options["sasl_plain_username"] = login["username"]
            options["sasl_plain_password"] = login["password"]
        context = self.ssl_context()
        if context is not None:
            options["ssl_context"] = context
        return options


class ElasticsearchSettings(BaseModel):
    """How to reach Elasticsearch 8 (or 9): hosts and credentials."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hosts: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["http://127.0.0.1:9200"])
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    request_timeout_s: float = Field(default=30.0, gt=0)

    _split = field_validator("hosts", mode="before")(_split_csv)

    @field_validator("hosts")
    @classmethod
    def _urls(cls, hosts: list[str]) -> list[str]:
        if not hosts:
            raise ValueError("at least one host is needed, e.g. http://127.0.0.1:9200")
        for host in hosts:
            parts = urlsplit(host)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"host {host!r} is not an http(s) URL such as http://127.0.0.1:9200")
        return hosts


class TopicSettings(BaseModel):
    """Topic names, partitions and retention. Scale out by partitions, never by renaming."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._-]*$")
    partitions: int = Field(default=6, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)
    retention_days: int = Field(default=14, ge=1)
    deadletter_retention_days: int = Field(default=30, ge=1)


class StackSettings(BaseModel):
    """The local stack that ``khabar stack up`` runs (not used against a real cluster)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kafka_heap: str = Field(default="1g", pattern=r"^[0-9]+[mg]$")
    elasticsearch_heap: str = Field(default="1g", pattern=r"^[0-9]+[mg]$")
    start_timeout_s: float = Field(default=240.0, gt=0)
    # Elasticsearch refuses to run as root; when started by root it runs as this system user.
    run_as: str = "khabar"
    java_home: Path | None = None
    # The local broker also listens with SASL/PLAIN on its port + 2, so that authenticated clients are
    # tested without a managed cluster; this is that listener's one user (local use only).
    kafka_sasl_username: str = Field(default="khabar", pattern=r"^[A-Za-z0-9_.-]+$")
    kafka_sasl_password: SecretStr = SecretStr("khabar-local")


class ProducerSettings(BaseModel):
    """How producers poll feeds and publish: politeness, limits and backoff."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # None: the registry shipped with khabar (producers/feeds.yaml).
    registry: Path | None = None
    user_agent: str = "khabar/0.1 (Arabic news pipeline; +https://github.com/khabar-news/khabar)"
    connect_timeout_s: float = Field(default=10.0, gt=0)
    read_timeout_s: float = Field(default=30.0, gt=0)
    max_response_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=20)
    per_host_concurrency: int = Field(default=2, ge=1, le=32)
    politeness_delay_s: float = Field(default=1.0, ge=0)
    backoff_base_s: float = Field(default=60.0, gt=0)
    backoff_max_s: float = Field(default=6 * 3600.0, gt=0)
    full_text: bool = False
    # With full_text: fetch the article page of a new entry whose feed content is shorter than this,
    # at most full_text_max_per_host pages per host per round (same HostGate limits and delay as feeds).
    full_text_below_chars: int = Field(default=500, ge=1)
    full_text_max_per_host: int = Field(default=10, ge=1, le=1000)
    # Feeds fetched at once in one round (over all hosts); per host, per_host_concurrency still applies.
    max_concurrency: int = Field(default=16, ge=1, le=256)
    # The Prometheus endpoint of ``khabar produce`` (0: off).
    metrics_port: int = Field(default=9108, ge=0, le=65535)
    # Seen ids older than this are forgotten (items this old have long left their feeds).
    seen_retention_days: float = Field(default=30.0, gt=0)
    # Publishing (kafka-python KafkaProducer; acks=all, idempotent where the broker supports it).
    # auto: zstd, else lz4 (packages zstandard, lz4), else none; kafka-python's gzip (level 9) is too slow
    # on one core (measured by benchmarks/producers.py).
    compression: Literal["auto", "none", "gzip", "lz4", "zstd", "snappy"] = "auto"
    linger_ms: int = Field(default=50, ge=0, le=60_000)
    # Keep batches under the broker's max.message.bytes (1 MiB by default).
    batch_bytes: int = Field(default=512 * 1024, ge=1024, le=1024 * 1024)
    # How long one record may take to be acknowledged, retries included, before it is dead-lettered.
    delivery_timeout_s: float = Field(default=120.0, gt=0)


class ProcessorSettings(BaseModel):
    """The Faust worker of the processors: app id, table store, windows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    app_id: str = Field(default="khabar-processors", pattern=r"^[A-Za-z0-9._-]+$")
    # rocksdb:// in production (state survives restarts locally); memory:// for tests.
    store: str = "rocksdb://"
    # Prometheus metrics of `khabar process` on this port; 0 turns them off.
    metrics_port: int = Field(default=9466, ge=0, le=65535)
    dedupe_window_days: float = Field(default=7.0, gt=0)
    story_window_hours: float = Field(default=72.0, gt=0)
    # A raw article larger than this is dead-lettered at intake: its enriched and clustered records (the
    # article plus what enrichment adds) must still fit a Kafka message (contracts.topics.MAX_MESSAGE_BYTES).
    max_article_bytes: int = Field(default=900_000, ge=10_000, le=1_048_576)


class SinkSettings(BaseModel):
    """The Faust worker of the sinks: bulk sizes, retries and where Kibana is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    app_id: str = Field(default="khabar-sinks", pattern=r"^[A-Za-z0-9._-]+$")
    store: str = "memory://"
    web_port: int = Field(default=6067, ge=1, le=65535)
    bulk_max_docs: int = Field(default=500, ge=1)
    bulk_max_seconds: float = Field(default=1.0, gt=0)
    kibana_url: str = "http://127.0.0.1:5601"
    # Index names start with this prefix: <prefix>-articles-YYYY.MM, <prefix>-stories, <prefix>-duplicates.
    index_prefix: str = Field(default="khabar", pattern=r"^[a-z0-9][a-z0-9._-]*$")
    retry_initial_s: float = Field(default=0.5, gt=0)
    retry_max_s: float = Field(default=30.0, gt=0)
    # Prometheus metrics of the sink worker on this port; 0 turns them off.
    metrics_port: int = Field(default=9467, ge=0, le=65535)


class AlertSettings(BaseModel):
    """Which stories fire alerts (the rules, run by the processors) and where they go (the webhook, called
    by the sinks). Without a webhook URL the alerts are still written to the ``alerts`` topic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # People, organisations, places or phrases to watch: a story about one fires a `watch` alert,
    # once per story and term (KHABAR_ALERTS__WATCH=داعش,الأمم المتحدة). Matched after Arabic normalisation.
    watch: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # A `growth` alert fires when a story reaches each of these outlet counts within growth_hours of its
    # first article (fast growth across outlets).
    growth_outlets: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [5, 10])
    growth_hours: float = Field(default=6.0, gt=0)
    # Where the sinks POST each alert as JSON; a Slack- or Mattermost-style incoming webhook works as is
    # (the payload carries a `text` line). A secret: such URLs carry their token.
    webhook_url: SecretStr | None = None
    # With it, each request is signed: X-Khabar-Signature: sha256=<HMAC-SHA256 of the body, hex>.
    webhook_secret: SecretStr | None = None
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    # 429, 5xx and connection errors are retried with backoff for this long, then dead-lettered.
    webhook_retry_for_s: float = Field(default=300.0, ge=0)

    _split = field_validator("watch", "growth_outlets", mode="before")(_split_csv)

    @field_validator("growth_outlets")
    @classmethod
    def _levels(cls, levels: list[int]) -> list[int]:
        if any(level < 2 for level in levels):
            raise ValueError(f"outlet counts must be at least 2, got {levels}")
        return sorted(set(levels))

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None:
            parts = urlsplit(url.get_secret_value())
            if parts.scheme not in ("http", "https") or not parts.hostname:
                # The URL itself is not echoed: it may carry a token.
                raise ValueError(
                    "the webhook URL must be an http(s) URL such as https://hooks.example/khabar"
                )
        return url


class Settings(BaseSettings):
    """Everything khabar reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        extra="ignore",
        frozen=True,
    )

    data_dir: Path = Path(".khabar")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    elasticsearch: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    stack: StackSettings = Field(default_factory=StackSettings)
    producers: ProducerSettings = Field(default_factory=ProducerSettings)
    processors: ProcessorSettings = Field(default_factory=ProcessorSettings)
    sinks: SinkSettings = Field(default_factory=SinkSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @property
    def worker_state_dir(self) -> Path:
        """Where the Faust workers keep their local table state (RocksDB), one folder per app id. It
        mirrors changelog topics in Kafka, so it is deleted with the Kafka data (``stack up --reset``)."""
        return self.data_dir / "faust"

    log_format: Literal["auto", "json", "console"] = "auto"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation failure into a :class:`ConfigError` that names the env var."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = [str(part) for part in error["loc"]]
            env = ENV_PREFIX + ENV_NESTED_DELIMITER.join(path).upper()
            problems.append(f"{env}: {error['msg']}")
        raise ConfigError(
            "invalid settings; fix these environment variables: " + "; ".join(problems)
        ) from None
