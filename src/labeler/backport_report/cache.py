"""The verdict cache: one JSON file the workflow keeps between runs (actions/cache or a branch).

Keyed by (commit, provider, model, prompt hash), so a new prompt or model re-classifies
everything while a nightly run only pays for new commits. Writes go to a temporary file in the
same directory, then `os.replace`: an interrupted run leaves the old or the new file, never half.
A bad file (empty, truncated, not JSON or UTF-8, NUL bytes, a directory, another format version) is
moved aside with a warning and the run starts with an empty cache; a file is only written when it
validates (labeler/persist.py). `labeler backport-report --check-cache` does the same before a save.
"""

from __future__ import annotations

import threading
from typing import Any

from labeler import persist
from labeler.atomic import atomic_write, read_json

__all__ = ["FORMAT", "VerdictCache", "atomic_write", "check", "key", "read_json"]

FORMAT = 1
WHAT = "the verdict cache"


def key(sha: str, provider: str, model: str, prompt_hash: str) -> str:
    return f"{sha}:{provider}:{model}:{prompt_hash}"


class VerdictCache:
    """Thread-safe map key -> {"verdict", "reason", "answer"}; `flush()` persists atomically."""

    def __init__(self, path: str | None, entries: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = path
        self.entries = entries or {}
        self._lock = threading.Lock()
        self._dirty = False
        self.apply: dict[str, Any] = {}  # the apply check's last results, by stable head and pick list

    @classmethod
    def load(cls, path: str | None) -> VerdictCache:
        """A bad file (see labeler/persist.py) is moved aside with a warning: start with an empty cache."""
        data = persist.load_json(path, WHAT, version=("format", FORMAT), validate=_validate)
        if data is None:
            return cls(path)
        cache = cls(path, {k: v for k, v in data["entries"].items() if _valid(v)})
        applied = data.get("apply")
        cache.apply = applied if isinstance(applied, dict) else {}
        return cache

    def put_apply(self, cache_key: str, results: dict[str, Any]) -> None:
        """Keep only the latest apply check: a new stable head or pick list makes older ones useless."""
        with self._lock:
            self.apply = {cache_key: results}
            self._dirty = True

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
            data = {"format": FORMAT, "entries": dict(self.entries), "apply": self.apply}
            self._dirty = False
        persist.save_json(self.path, data, WHAT, version=("format", FORMAT), validate=_validate)


def _valid(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("verdict"), str) and isinstance(value.get("reason"), str)


def _validate(data: dict[str, Any]) -> str | None:
    if not isinstance(data.get("entries"), dict):
        return "`entries` is not an object"
    return None


def check(path: str) -> persist.Bad | None:
    """Why the file is not a verdict cache this version reads (None: valid or missing)."""
    return persist.check_json(path, version=("format", FORMAT), validate=_validate)
