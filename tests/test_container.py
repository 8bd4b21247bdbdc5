"""The container's promises: non-root, the database on a volume, a health check on /healthz,
the ports exposed. The static checks run everywhere; building and starting the image needs a
Docker engine and is skipped, with its reason, where there is none (a skipped test is not a
passed one)."""

import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_the_dockerfile_runs_as_a_user_that_is_not_root_with_the_database_on_a_volume():
    steps = instructions()
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the last USER is not root"
    last_user = max(i for i, (word, _) in enumerate(steps) if word == "USER")
    assert not any(word == "RUN" for word, _ in steps[last_user:]), "nothing runs as root after USER"
    [volume] = [rest for word, rest in steps if word == "VOLUME"]
    assert "/data" in volume
    env = " ".join(rest for word, rest in steps if word == "ENV")
    assert "TANDEM_DB=/data/tandem.db" in env, "the database is on the volume"
    [health] = [rest for word, rest in steps if word == "HEALTHCHECK"]
    assert "/healthz" in health and "CMD" in health
    exposed = {port for word, rest in steps if word == "EXPOSE" for port in rest.split()}
    assert {"3000", "3978"} <= exposed
    assert steps[0][0] == "FROM" and "slim" in steps[0][1], "a small base image"
    assert (ROOT / ".dockerignore").read_text().count(".env") >= 1, "no secrets in the image"


def test_the_compose_file_keeps_the_database_on_a_named_volume():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service = compose["services"]["tandem"]
    assert "tandem-data:/data" in service["volumes"] and "tandem-data" in compose["volumes"]
    assert service["env_file"] == ".env" and service["restart"] == "unless-stopped"
    assert "3000:3000" in service["ports"]


def docker_available() -> str | None:
    """Why Docker cannot be used here, or None when it can."""
    if shutil.which("docker") is None:
        return "no docker command on this machine"
    result = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        return f"`docker info` failed: {(result.stderr or result.stdout).strip().splitlines()[-1:]}"
    return None


@pytest.mark.skipif(docker_available() is not None, reason=f"needs a Docker engine: {docker_available()}")
def test_the_image_builds_and_becomes_healthy_against_the_fake_slack(tmp_path):
    from testing.slack import FakeSlack

    fake = FakeSlack()
    fake.server.server_close()
    from http.server import ThreadingHTTPServer
    fake.server = ThreadingHTTPServer(("0.0.0.0", 0), fake._handler())
    fake.thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    fake.start()
    port = fake.server.server_address[1]
    tag = "tandem-test:latest"
    name = f"tandem-test-{port}"
    try:
        subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=900)
        subprocess.run(["docker", "run", "-d", "--name", name, "--network", "host",
                        "--health-interval", "2s", "--health-start-period", "30s",
                        "-e", "SLACK_BOT_TOKEN=xoxb-test", "-e", "SLACK_SIGNING_SECRET=secret",
                        "-e", f"SLACK_API_URL=http://127.0.0.1:{port}/api/", "-e", "TANDEM_CHANNEL=C0SHARED",
                        "-e", "PORT=3999", tag], check=True, timeout=120)
        # `docker events` blocks until the container reports its health (no polling, no sleeping).
        events = subprocess.run(["docker", "events", "--filter", f"container={name}", "--filter",
                                 "event=health_status", "--format", "{{.Status}}", "--since", "0s", "--until", "90s"],
                                capture_output=True, text=True, timeout=120)
        assert "health_status: healthy" in events.stdout
        user = subprocess.run(["docker", "exec", name, "id", "-u"], capture_output=True, text=True, check=True)
        assert user.stdout.strip() != "0"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        fake.stop()
