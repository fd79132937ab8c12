"""The verdict cache: one JSON file the workflow keeps between runs (actions/cache or a branch).

Keyed by (commit, provider, model, prompt hash), so a new prompt or model re-classifies
everything while a nightly run only pays for new commits. Writes go to a temporary file in the
same directory, then `os.replace`: an interrupted run leaves the old or the new file, never half.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from typing import Any

from labeler import secrets
from labeler.errors import UserError

FORMAT = 1


def key(sha: str, provider: str, model: str, prompt_hash: str) -> str:
    return f"{sha}:{provider}:{model}:{prompt_hash}"


class VerdictCache:
    """Thread-safe map key -> {"verdict", "reason", "answer"}; `flush()` persists atomically."""

    def __init__(self, path: str | None, entries: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = path
        self.entries = entries or {}
        self._lock = threading.Lock()
        self._dirty = False

    @classmethod
    def load(cls, path: str | None) -> VerdictCache:
        if not path or not os.path.exists(path):
            return cls(path)
        data = read_json(path, "the verdict cache is unreadable ({}); delete it to start afresh")
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("entries"), dict):
            raise UserError(f"the verdict cache is not a labeler cache (format {FORMAT}); delete it to start afresh",
                            file=path)
        return cls(path, {k: v for k, v in data["entries"].items() if _valid(v)})

    def get(self, cache_key: str) -> dict[str, Any] | None:
        with self._lock:
            return self.entries.get(cache_key)

    def put(self, cache_key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self.entries[cache_key] = value
            self._dirty = True

    def flush(self) -> None:
        """Write the file if anything changed since the last flush."""
        with self._lock:
            if not self.path or not self._dirty:
                return
            payload = json.dumps({"format": FORMAT, "entries": self.entries}, sort_keys=True, indent=0)
            self._dirty = False
        atomic_write(self.path, payload)


def _valid(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("verdict"), str) and isinstance(value.get("reason"), str)


def read_json(path: str, problem: str) -> Any:
    """A JSON file's content; `problem` (with {} for the reason) becomes the UserError naming the file."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise UserError(problem.format(e), file=path) from None


def atomic_write(path: str, text: str) -> None:
    """Replace `path` with `text` in one step (temp file in the same directory + os.replace)."""
    text = secrets.redact(text)  # the page and report.json are published
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
