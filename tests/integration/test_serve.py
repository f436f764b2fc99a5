"""The real servers: `python -m service serve` (as make run starts it) and gunicorn."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture
def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAVELRISK_")}
    env.update(TRAVELRISK_DATABASE_URL=database_url, TRAVELRISK_SCHEDULER_ENABLED="false")
    for args in (["db", "upgrade"], ["demo", "load", "--if-empty"]):
        subprocess.run(
            [sys.executable, "-m", "service", *args],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    return env


def run_server(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def dev_server(environment: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "service", "serve", "--port", str(port)]
    yield from run_server(command, environment, port)


@pytest.fixture
def gunicorn_server(environment: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{port}", "service.wsgi:app"]
    yield from run_server(command, environment, port)


def test_serve_answers_with_every_country_and_the_demo_data(dev_server: str) -> None:
    assert get_json(f"{dev_server}/healthz") == (200, {"status": "ok"})
    status, ready = get_json(f"{dev_server}/readyz")
    assert status == 200 and ready["database"] is True
    status, countries = get_json(f"{dev_server}/v1/countries")
    assert status == 200
    assert len(countries["items"]) >= 249
    levels = {c["iso2"]: c["overall"]["level"] for c in countries["items"]}
    assert levels["ML"] == 4 and levels["PT"] == 1


def test_gunicorn_serves_the_wsgi_app(gunicorn_server: str) -> None:
    status, mali = get_json(f"{gunicorn_server}/v1/countries/mli")
    assert status == 200 and mali["name"] == "Mali"
    status, problem = get_json(f"{gunicorn_server}/v1/countries/Atlantis")
    assert status == 404 and problem["status"] == 404
