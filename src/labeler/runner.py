"""Runner I/O: the only module that reads the Actions environment or writes workflow commands.

Outside Actions (a maintainer's terminal) every function degrades gracefully: outputs and the
summary go nowhere unless their files are set, annotations are plain lines on stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

from labeler import secrets
from labeler.errors import UserError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def event(path: str | None = None) -> dict[str, Any]:
    """The webhook payload: from `path`, else from GITHUB_EVENT_PATH."""
    path = path or os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        raise UserError("no event: pass --event FILE or run inside GitHub Actions (GITHUB_EVENT_PATH)")
    try:
        with open(path, encoding="utf-8") as f:
            payload = json.load(f)
    except OSError as e:
        raise UserError(f"cannot read the event file: {e.strerror}", file=path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        line = getattr(e, "lineno", None)
        raise UserError(f"the event file is not valid JSON ({str(e)[:200]})", file=path, line=line) from None
    except RecursionError:
        raise UserError("the event file nests too deeply to be a webhook payload", file=path) from None
    if not isinstance(payload, dict):
        raise UserError("the event file must hold a JSON object", file=path)
    try:
        return dict(repaired(payload))
    except RecursionError:
        raise UserError("the event file nests too deeply to be a webhook payload", file=path) from None


_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")


def repaired(value: Any) -> Any:
    """Every string with its lone UTF-16 surrogates and NULs as U+FFFD: a person can type them into an
    issue, and no UTF-8 writer (the model SDKs, GitHub, the job summary) takes them. JSON has already
    joined the valid surrogate pairs, so any surrogate left is a lone one."""
    if isinstance(value, str):
        return _UNWRITABLE.sub("\ufffd", value)
    if isinstance(value, list):
        return [repaired(v) for v in value]
    if isinstance(value, dict):
        return {repaired(k): repaired(v) for k, v in value.items()}
    return value


def event_name(default: str = "") -> str:
    return os.environ.get("GITHUB_EVENT_NAME", default)


def repository(override: str | None = None) -> str:
    repo = override or os.environ.get("GITHUB_REPOSITORY", "")
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise UserError(f"repository must look like OWNER/NAME, got {repo!r} (--repo or GITHUB_REPOSITORY)")
    return repo


def api_url() -> str:
    return os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL


def server_url() -> str:
    return (os.environ.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/")


def run_url() -> str | None:
    run_id, repo = os.environ.get("GITHUB_RUN_ID"), os.environ.get("GITHUB_REPOSITORY")
    return f"{server_url()}/{repo}/actions/runs/{run_id}" if run_id and repo else None


def _escape_data(value: str) -> str:
    value = secrets.redact(value)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, message: str, **props: Any) -> None:
    """A workflow command inside Actions; outside, one plain `name: file:line: message` line on stderr."""
    if not in_actions():
        where = ":".join(str(props[k]) for k in ("file", "line") if props.get(k) is not None)
        print(f"{name}: {where + ': ' if where else ''}{secrets.redact(message)}", file=sys.stderr, flush=True)
        return
    props_str = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props.items() if v is not None)
    sep = " " if props_str else ""
    print(f"::{name}{sep}{props_str}::{_escape_data(message)}", file=sys.stdout, flush=True)


def error(message: str, *, file: str | None = None, line: int | None = None) -> None:
    _command("error", message, file=file, line=line)


def warning(message: str, *, file: str | None = None, line: int | None = None) -> None:
    _command("warning", message, file=file, line=line)


def notice(message: str) -> None:
    _command("notice", message)


def mask(secret: str | None) -> None:
    """Ask the runner to hide a secret in every later log line (only inside Actions)."""
    secrets.register(secret)
    if secret and in_actions():
        for line in secret.splitlines():
            if line.strip():
                print(f"::add-mask::{line}", flush=True)


def mask_secrets() -> None:
    """::add-mask:: every secret in the environment (tokens and model keys), once at start-up."""
    for value in secrets.values():
        mask(value)


@contextlib.contextmanager
def group(title: str) -> Iterator[None]:
    actions = in_actions()
    print(f"::group::{_escape_data(title)}" if actions else f"--- {secrets.redact(title)}", flush=True)
    try:
        yield
    finally:
        if actions:
            print("::endgroup::", flush=True)


def set_output(name: str, value: str) -> None:
    """Write a step output; a random delimiter keeps attacker text from closing the block."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    delimiter = f"ghadelimiter_{os.urandom(16).hex()}"
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{name}<<{delimiter}\n{secrets.redact(value)}\n{delimiter}\n")


SUMMARY_LIMIT = 1024 * 1024 - 1024


def summary(markdown: str) -> None:
    """Append to the job summary, cut below GitHub's 1 MiB per-step limit."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    markdown = secrets.redact(markdown)
    data = markdown.encode("utf-8")
    if len(data) > SUMMARY_LIMIT:
        markdown = data[:SUMMARY_LIMIT].decode("utf-8", "ignore") + "\n\n_(summary truncated)_\n"
    with open(path, "a", encoding="utf-8") as f:
        f.write(markdown.rstrip("\n") + "\n")


class Progress:
    """Progress of long work: a bar redrawn in place on a terminal; in Actions logs (or any non-terminal) one
    line at most every `every` seconds, plus the last one. `finish()` prints the timing line."""

    def __init__(self, label: str, total: int | None = None, *, every: float = 10.0) -> None:
        import time

        self.label, self.total, self.every = label, total, every
        self.done = 0
        self._clock = time.monotonic
        self._start = self._last = self._clock()
        self._bar = sys.stderr.isatty() and not in_actions()

    def update(self, done: int, total: int | None = None) -> None:
        self.done, self.total = done, total if total is not None else self.total
        now, of = self._clock(), f"/{self.total}" if self.total else ""
        if self._bar and self.total:
            filled = int(30 * done / max(self.total, 1))
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}{of}")
            sys.stderr.flush()
        elif now - self._last >= self.every or (self.total and done >= self.total):
            self._last = now
            print(f"{self.label}: {done}{of} ({now - self._start:.0f} s)", file=sys.stderr, flush=True)

    def finish(self, note: str = "") -> None:
        if self._bar and self.total:
            sys.stderr.write("\n")
        count = f"{self.done}{f'/{self.total}' if self.total else ''} " if self.done else ""
        print(
            f"{self.label}: {count}done in {self._clock() - self._start:.1f} s{f' ({note})' if note else ''}",
            file=sys.stderr,
            flush=True,
        )


@contextlib.contextmanager
def timed(label: str, total: int | None = None) -> Iterator[Progress]:
    """`with timed("model train") as p: ...` -> progress via p.update(), then one final timing line."""
    progress = Progress(label, total)
    yield progress
    progress.finish()
