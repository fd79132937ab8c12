"""Whole-file reads and writes that never leave half a file: the pure part of labeler/persist.py.

A write goes to a temporary file in the same directory, is checked (when a check is given) and replaces the
target in one `os.replace`. A JSON file a person passes that cannot be read is a UserError naming the file.

No runner, no warnings: feature cores (backport_report.report) use it too.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from labeler import secrets
from labeler.errors import UserError


class NotSaved(Exception):
    """The new content failed its check: the old file (if any) is left as it was."""


_UMASK_LOCK = threading.Lock()


def _default_mode() -> int:
    """What `open()` would give a new file: 0666 less the umask (tempfile.mkstemp makes 0600, which a
    web server serving the page or a later job under another user cannot read)."""
    with _UMASK_LOCK:  # reading the umask means setting it: no other thread may see the zero
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: str, text: str, *, check: Callable[[str], str | None] | None = None) -> None:
    """Replace `path` with `text` in one step; with `check`, only when the written temp file passes it."""
    text = secrets.redact(text)  # the page, report.json and caches may be published
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        os.fchmod(fd, _default_mode())
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        reason = check(tmp) if check else None
        if reason:
            raise NotSaved(reason)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_json(path: str, problem: str) -> Any:
    """A JSON file's content; `problem` (with {} for the reason) becomes the UserError naming the file."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError, RecursionError) as e:
        raise UserError(problem.format(str(e)[:200]), file=path) from None
