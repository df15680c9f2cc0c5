"""The docker-compose deployment and the app's Dockerfile: structure checked here, config by docker-compose.

No Docker engine runs here, so nothing is built or started: the compose file is parsed and checked
for what the README promises, and `docker-compose config` (which needs no engine) validates it
when the binary is installed (`apt-get install docker-compose`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
PASSWORD_VARIABLE = "OPENSEARCH_INITIAL_ADMIN_PASSWORD"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_services_and_optional_profiles(compose):
    services = compose["services"]
    assert set(services) == {"opensearch", "dashboards", "app", "ingest"}
    assert services["dashboards"]["profiles"] == ["dashboards"]
    assert services["ingest"]["profiles"] == ["jobs"]
    assert "profiles" not in services["opensearch"] and "profiles" not in services["app"]


def test_opensearch_is_a_single_node_with_a_password_from_the_environment_a_healthcheck_and_a_volume(compose):
    opensearch = compose["services"]["opensearch"]
    environment = opensearch["environment"]
    assert environment["discovery.type"] == "single-node"
    assert re.fullmatch(r"\$\{OPENSEARCH_INITIAL_ADMIN_PASSWORD:\?.+\}", environment[PASSWORD_VARIABLE])
    assert "-Xms" in environment["OPENSEARCH_JAVA_OPTS"] and "-Xmx" in environment["OPENSEARCH_JAVA_OPTS"]
    assert opensearch["healthcheck"]["test"][0] == "CMD-SHELL"
    assert "_cluster/health" in opensearch["healthcheck"]["test"][1]
    assert "$${OPENSEARCH_INITIAL_ADMIN_PASSWORD}" in opensearch["healthcheck"]["test"][1]  # expanded in the container
    volume = opensearch["volumes"][0].split(":")
    assert volume == ["opensearch-data", "/usr/share/opensearch/data"] and "opensearch-data" in compose["volumes"]
    assert opensearch["ports"] == ["127.0.0.1:9200:9200"]  # not open to the network


def test_app_and_ingest_reach_opensearch_once_it_is_healthy(compose):
    for name in ("app", "ingest"):
        service = compose["services"][name]
        environment = service["environment"]
        assert environment["LESSONS_STORE"] == "opensearch"
        assert environment["LESSONS_OPENSEARCH_URL"] == "https://opensearch:9200"
        assert environment["LESSONS_OPENSEARCH_PASSWORD"].startswith("${OPENSEARCH_INITIAL_ADMIN_PASSWORD:?")
        assert service["depends_on"]["opensearch"]["condition"] == "service_healthy"
        assert service["build"] == "." and service["image"] == "lessons:latest"
    assert compose["services"]["ingest"]["command"][:3] == ["lessons", "ingest", "/documents"]
    assert any(v.endswith(":/documents:ro") for v in compose["services"]["ingest"]["volumes"])


def test_no_secret_is_written_in_the_compose_file():
    text = COMPOSE.read_text(encoding="utf-8")
    for line in text.splitlines():
        if "PASSWORD:" in line and not line.lstrip().startswith("#"):
            assert "${OPENSEARCH_INITIAL_ADMIN_PASSWORD" in line, line


def test_dockerfile_installs_cpu_torch_first_and_runs_as_a_user():
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    runs = [(number, argument) for number, (name, argument) in enumerate(instructions) if name == "RUN"]
    torch = next(n for n, a in runs if "torch==2.13.0" in a)
    assert "--index-url https://download.pytorch.org/whl/cpu" in instructions[torch][1]
    package = next(n for n, a in runs if re.search(r"pip install \.(\s|$)", a))
    assert torch < package
    users = [n for n, (name, argument) in enumerate(instructions) if name == "USER"]
    assert users and instructions[users[-1]][1] not in ("root", "0")
    command = next(n for n, (name, _) in enumerate(instructions) if name == "CMD")
    assert users[-1] < command and "ui/app.py" in instructions[command][1]
    healthcheck = next(a for name, a in instructions if name == "HEALTHCHECK")
    assert "/_stcore/health" in healthcheck
    environment = " ".join(a for name, a in instructions if name == "ENV")
    assert "HF_HUB_OFFLINE=1" in environment


def test_the_build_context_leaves_out_the_environment_and_data():
    ignored = set((REPO / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", ".git", "data", "tests", ".env"} <= ignored


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return None


def test_docker_compose_accepts_the_file(tmp_path):
    command = _compose_command()
    if command is None:
        pytest.skip(
            "neither docker-compose nor the docker compose plugin is installed: `apt-get install docker-compose`"
        )
    environment = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        PASSWORD_VARIABLE: "Checked-0nly-Here!",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config"], capture_output=True, text=True, env=environment, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert resolved["services"]["opensearch"]["environment"][PASSWORD_VARIABLE] == "Checked-0nly-Here!"
    missing = subprocess.run(
        [*command, "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        env={**environment, PASSWORD_VARIABLE: ""},
        cwd=REPO,
        timeout=120,
    )
    assert missing.returncode != 0 and "set OPENSEARCH_INITIAL_ADMIN_PASSWORD" in missing.stderr
