"""The two pinned engines of the local stack: where they live, how to fetch them, and the Java to run them.

The versions are pinned once, in ``infra/local/pom.xml``; Maven fetches them from Maven Central into
``<data_dir>/engines`` (``~/.m2`` caches the downloads). Elasticsearch comes from
``org.elasticsearch.distribution.integ-test-zip`` (the real server), which lacks ``analysis-common``,
so the small plugin in ``es-analysis-arabic/`` is compiled here against the distribution's own jars and adds
the ``arabic`` analyzer and filters from Lucene.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from infra.errors import FetchError, ToolMissingError

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
PLUGIN_SOURCE = HERE / "es-analysis-arabic"
PLUGIN_NAME = "khabar-analysis-arabic"
PLUGIN_CLASS = "org.khabar.analysis.ArabicAnalysisPlugin"
MIN_JAVA = 17

_POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


@dataclass(frozen=True, slots=True)
class Versions:
    kafka: str
    elasticsearch: str


def pinned_versions(pom: Path = POM) -> Versions:
    """The engine versions pinned in the pom (the one place they are written)."""
    root = ElementTree.parse(pom).getroot()  # noqa: S314 - our own file

    def prop(name: str) -> str:
        node = root.find(f"m:properties/m:{name}", _POM_NS)
        if node is None or not node.text:
            raise FetchError(f"{pom}: property <{name}> is missing")
        return node.text.strip()

    return Versions(kafka=prop("kafka.version"), elasticsearch=prop("elasticsearch.version"))


@dataclass(frozen=True, slots=True)
class Engines:
    """Paths of the fetched engines under ``<data_dir>/engines``."""

    root: Path
    versions: Versions

    @property
    def kafka_libs(self) -> Path:
        return self.root / f"kafka-{self.versions.kafka}" / "libs"

    @property
    def elasticsearch_home(self) -> Path:
        return self.root / f"elasticsearch-{self.versions.elasticsearch}"

    @property
    def plugin_dir(self) -> Path:
        return self.elasticsearch_home / "plugins" / PLUGIN_NAME

    def fetched(self) -> bool:
        return (self.kafka_libs / f"kafka_2.13-{self.versions.kafka}.jar").is_file() and (
            self.elasticsearch_home / "bin" / "elasticsearch"
        ).is_file()


def find_java(java_home: Path | None = None) -> Path:
    """The ``java`` binary to run the engines (``KHABAR_STACK__JAVA_HOME``, ``JAVA_HOME``, then ``PATH``)."""
    candidates: list[Path] = []
    for home in (java_home, os.environ.get("JAVA_HOME")):
        if home:
            candidates.append(Path(home) / "bin" / "java")
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path))
    for java in candidates:
        if java.is_file() and os.access(java, os.X_OK):
            major = java_major_version(java)
            if major >= MIN_JAVA:
                return java
            raise ToolMissingError(
                f"{java} is Java {major}; the engines need Java {MIN_JAVA} or newer. "
                "Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME."
            )
    raise ToolMissingError(
        "Java is not installed: the local Kafka and Elasticsearch need Java 17 or newer. "
        "Install it (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME."
    )


def java_major_version(java: Path) -> int:
    out = subprocess.run(  # noqa: S603 - a java binary we located
        [str(java), "-version"], capture_output=True, text=True, check=False
    )
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise ToolMissingError(f"cannot read the version of {java}: {out.stderr.strip()[:200]}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_jdk_tool(java: Path, name: str, needed_for: str) -> Path:
    """A JDK tool (``javac``, ``keytool``) beside ``java`` (or the binary it links to), else on ``PATH``."""
    for candidate in (java.parent / name, java.resolve().parent / name):
        if candidate.is_file():
            return candidate
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    raise ToolMissingError(
        f"{name} is missing: {needed_for} needs a JDK, not only a JRE. "
        "Install it (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless)."
    )


def find_javac(java: Path) -> Path:
    return find_jdk_tool(java, "javac", "building the Arabic analysis plugin")


def find_maven() -> Path:
    mvn = shutil.which("mvn")
    if not mvn:
        raise ToolMissingError(
            "Maven is not installed: `khabar stack up` fetches Kafka and Elasticsearch from Maven Central "
            "with it. Install it (Debian/Ubuntu: apt-get install maven; elsewhere https://maven.apache.org)."
        )
    return Path(mvn)


def fetch(engines: Engines, *, java: Path, quiet: bool = True) -> None:
    """Fetch both engines with Maven (a no-op when present) and build the Arabic analysis plugin."""
    if not engines.fetched():
        mvn = find_maven()
        cmd = [str(mvn), "-B", "-f", str(POM), f"-Dkhabar.engines={engines.root.resolve()}", "package"]
        if quiet:
            cmd.insert(1, "-q")
        env = dict(os.environ, JAVA_HOME=str(java.resolve().parent.parent))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)  # noqa: S603
        if proc.returncode != 0 or not engines.fetched():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise FetchError(
                f"Maven could not fetch the engines (exit {proc.returncode}); is Maven Central reachable? "
                f"Run it yourself to see why: {' '.join(cmd)}\n{tail}"
            )
    build_plugin(engines, java=java)


def _plugin_sources() -> list[Path]:
    return sorted(PLUGIN_SOURCE.rglob("*.java"))


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for source in _plugin_sources():
        digest.update(source.read_bytes())
    return digest.hexdigest()


def build_plugin(engines: Engines, *, java: Path) -> Path:
    """Compile the Arabic analysis plugin against the distribution's jars; rebuilt when its source changes."""
    target = engines.plugin_dir
    stamp = target / ".source-sha256"
    digest = _sources_digest()
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return target
    javac = find_javac(java)
    build = engines.root / ".build" / PLUGIN_NAME
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    classpath = str(engines.elasticsearch_home / "lib" / "*")
    cmd = [str(javac), "-nowarn", "--release", "17", "-d", str(build), "-cp", classpath]
    proc = subprocess.run(  # noqa: S603
        [*cmd, *map(str, _plugin_sources())], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise FetchError(f"building the Arabic analysis plugin failed:\n{proc.stderr.strip()[-2000:]}")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with zipfile.ZipFile(target / f"{PLUGIN_NAME}.jar", "w", zipfile.ZIP_DEFLATED) as jar:
        for cls in sorted(build.rglob("*.class")):
            jar.write(cls, cls.relative_to(build).as_posix())
    version = engines.versions.elasticsearch
    (target / "plugin-descriptor.properties").write_text(
        "description=khabar: Lucene Arabic analysis (arabic, arabic_normalization, arabic_stem)\n"
        f"version={version}\nname={PLUGIN_NAME}\nclassname={PLUGIN_CLASS}\n"
        f"java.version={MIN_JAVA}\nelasticsearch.version={version}\n"
    )
    stamp.write_text(digest + "\n")
    return target
