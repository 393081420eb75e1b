"""The deployment files read as their tools read them: compose.yaml as YAML, the systemd unit
as an INI file (and by systemd-analyze where it is installed), the Dockerfile instruction by
instruction. Building and running the image needs a working container engine: that test runs
only with FORUM_TEST_DOCKER=1 (see its docstring)."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from forum.settings import SETTINGS_HELP

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
UNIT = ROOT / "deploy" / "forum.service"
HEALTH_URL = "http://127.0.0.1:8000/healthz"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    found: list[tuple[str, str]] = []
    pending = ""
    for line in dockerfile.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        found.append((keyword.upper(), " ".join(arguments.split())))
        pending = ""
    return found


def last(found: list[tuple[str, str]], keyword: str) -> str:
    values = [arguments for name, arguments in found if name == keyword]
    assert values, f"the Dockerfile has no {keyword}"
    return values[-1]


# -- Dockerfile -------------------------------------------------------------------------
def test_the_image_starts_from_a_slim_python_the_forum_supports() -> None:
    found = instructions(DOCKERFILE)
    base = last(found, "FROM")
    image, _, tag = base.partition(":")
    assert image == "python" and tag.endswith("-slim")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={tag.removesuffix('-slim')}"  # the oldest Python the forum promises


def test_the_image_installs_exactly_the_lock_then_the_forum_without_dependencies() -> None:
    runs = [arguments for name, arguments in instructions(DOCKERFILE) if name == "RUN"]
    lock_installs = [r for r in runs if "-r requirements/lock.txt" in r]
    assert lock_installs and all("--require-hashes" in r for r in lock_installs)
    forum_installs = [r for r in runs if "pip install" in r and "-r " not in r]
    assert forum_installs and all("--no-deps" in r for r in forum_installs)
    assert runs.index(lock_installs[0]) < runs.index(forum_installs[0])


def test_every_file_the_image_copies_is_in_the_repository() -> None:
    for name, arguments in instructions(DOCKERFILE):
        if name == "COPY":
            *sources, _target = arguments.split()
            for source in sources:
                assert (ROOT / source).exists(), source


def test_the_forum_runs_as_its_own_user_listening_on_every_interface() -> None:
    found = instructions(DOCKERFILE)
    user = last(found, "USER")
    assert user.split(":")[0] not in ("root", "0")
    keywords = [name for name, _ in found]
    assert keywords.index("USER") < keywords.index("CMD")  # nothing after it runs as root
    assert last(found, "EXPOSE") == "8000"
    command = json.loads(last(found, "CMD"))  # exec form: the server gets signals itself
    assert command == ["forum", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert "/healthz" in last(found, "HEALTHCHECK")


def test_local_state_stays_out_of_the_build_context() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "*.db", "forum.secret", ".env"} <= ignored


# -- compose.yaml ----------------------------------------------------------------------
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def as_started(value: str) -> str:
    """A compose value as compose hands it over, with "secret" for each ${NAME...} from .env."""
    return re.sub(r"\$\{[A-Z_]+(?::-([^}]*)|:\?[^}]*)?\}", lambda m: m[1] or "secret", value)


def test_compose_runs_the_forum_beside_postgresql_and_redis() -> None:
    services = compose()["services"]
    assert set(services) == {"forum", "db", "cache"}
    env = {name: as_started(str(value)) for name, value in services["forum"]["environment"].items()}
    assert env["FORUM_DATABASE_URL"] == "postgresql://forum:secret@db:5432/forum"
    assert urlsplit(env["FORUM_DATABASE_URL"]).scheme == "postgresql"
    assert urlsplit(env["FORUM_DATABASE_URL"]).hostname == "db"
    assert env["FORUM_BROADCAST_URL"] == "redis://cache:6379/0"
    assert services["db"]["image"].startswith("postgres:")
    database = {name: as_started(value) for name, value in services["db"]["environment"].items()}
    assert database == {"POSTGRES_USER": "forum", "POSTGRES_DB": "forum", "POSTGRES_PASSWORD": "secret"}
    assert services["cache"]["image"].startswith("redis:")
    # Redis keeps nothing that matters (README, "Running at scale"): no disk writes.
    assert services["cache"]["command"] == ["redis-server", "--save", "", "--appendonly", "no"]


def test_compose_names_only_real_settings_and_no_secret() -> None:
    env = compose()["services"]["forum"]["environment"]
    forum_names = {name for name in env if name.startswith("FORUM_")}
    assert forum_names <= set(SETTINGS_HELP), forum_names - set(SETTINGS_HELP)
    # Secrets come from .env, and compose refuses to start without them.
    assert env["FORUM_SECRET_KEY"].startswith("${FORUM_SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in env["FORUM_DATABASE_URL"]


def test_compose_keeps_data_in_volumes_and_starts_in_health_order() -> None:
    spec = compose()
    services = spec["services"]
    assert set(spec["volumes"]) == {"forum-data", "db-data"}
    assert "forum-data:/var/lib/forum" in services["forum"]["volumes"]
    assert "db-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert services["forum"]["depends_on"] == {"db": {"condition": "service_healthy"},
                                               "cache": {"condition": "service_healthy"}}
    assert "/healthz" in " ".join(services["forum"]["healthcheck"]["test"])
    assert services["db"]["healthcheck"]["test"][1] == "pg_isready"
    assert services["cache"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    # Reachable from the host's proxy alone, never straight from the internet.
    assert services["forum"]["ports"] == ["127.0.0.1:8000:8000"]
    for name in ("db", "cache"):
        assert "ports" not in services[name]


# -- the systemd unit --------------------------------------------------------------------
def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys keep their case
    parser.read_string(UNIT.read_text())
    return parser


def test_the_unit_runs_the_forum_as_its_own_user_and_restarts_it() -> None:
    service = unit()["Service"]
    assert service["User"] == "forum" and service["Group"] == "forum"
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/forum/forum.env"
    command = shlex.split(service["ExecStart"])
    assert Path(command[0]).name == "forum" and command[1] == "serve"
    assert command[command.index("--host") + 1] == "127.0.0.1"  # nginx in front, on this host
    assert service["WorkingDirectory"] == f"/var/lib/{service['StateDirectory']}"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_the_unit_takes_away_what_the_forum_never_needs() -> None:
    service = unit()["Service"]
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
                       "PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "",
                       "RestrictSUIDSGID": "yes"}.items():
        assert service[key] == value, key


def test_systemd_reads_every_line_of_the_unit(tmp_path: Path) -> None:
    """systemd-analyze names any directive it does not know; the one complaint allowed is that
    the forum is not installed at /opt/forum on this machine."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text())
    result = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60)
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if line.strip() and "/opt/forum/.venv/bin/forum is not executable" not in line]
    assert complaints == []


# -- the image itself --------------------------------------------------------------------
def docker_works() -> bool:
    docker = shutil.which("docker")
    return docker is not None and subprocess.run([docker, "info"], capture_output=True,
                                                 timeout=30).returncode == 0


@pytest.mark.skipif(os.environ.get("FORUM_TEST_DOCKER") != "1",
                    reason="builds the image (minutes, from the package registries): "
                           "set FORUM_TEST_DOCKER=1 to run it")
def test_the_image_builds_and_answers_healthz() -> None:
    """FORUM_TEST_DOCKER=1 pytest tests/test_deployment.py -k image: builds the Dockerfile,
    runs it on its SQLite default and waits for /healthz and the health status to say ok."""
    if not docker_works():
        pytest.skip("no container engine answers here (docker info fails)")
    tag = "practice-forum-test"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=1800)
    container = subprocess.run(["docker", "run", "-d", "--rm", "-p", "127.0.0.1::8000", tag],
                               check=True, capture_output=True, text=True).stdout.strip()
    try:
        port = subprocess.run(["docker", "port", container, "8000"], check=True, capture_output=True,
                              text=True).stdout.split(":")[-1].strip()
        user = subprocess.run(["docker", "exec", container, "id", "-u"], check=True,
                              capture_output=True, text=True).stdout.strip()
        assert user != "0"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(HEALTH_URL.replace("8000", port), timeout=5) as answer:
                    assert json.load(answer)["status"] == "ok"
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    finally:
        subprocess.run(["docker", "stop", container], capture_output=True, timeout=60)
