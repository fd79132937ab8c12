"""Files kept between runs (the backport verdict cache, the replay answer cache, the history SQLite).

They come back from the Actions cache, which anyone who can run code in a default-branch job can
write, and a run can be killed half-way. So a bad file never fails a run and is never saved again:
it is moved aside as `<path>.corrupt-<UTC time>` with a `::warning::` (a file of another format version as
`<path>.old-<time>` with a `::notice::`) and the run goes on as if it were missing. A save is atomic, and
the written file must pass the same check a load makes before it replaces the old one.

`validate(data) -> reason | None` judges the content once the file is a JSON object of the expected
`format` version (`version = (key, number)`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from labeler import runner
from labeler.atomic import NotSaved, atomic_write

MAX_BYTES = 512 * 1024 * 1024

Validate = Callable[[dict[str, Any]], "str | None"]


@dataclass(frozen=True)
class Bad:
    reason: str
    bump: bool = False  # a readable file of another format version: start fresh with a notice


def quarantine(path: str, why: str, *, bump: bool = False) -> str:
    """Rename `path` (file or directory) to `<path>.corrupt-<time>` (`.old-<time>` on a version bump),
    say so once, and return the new name. Never raises: when even the rename fails, the file is
    deleted, and when that fails too the warning says so."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = f"{path}.{'old' if bump else 'corrupt'}-{stamp}"
    try:
        os.replace(path, aside)
    except OSError as e:
        aside = ""
        try:
            os.remove(path)
        except OSError:
            runner.warning(f"{why}; could not move it aside or delete it ({e.strerror}): delete it by hand", file=path)
            return ""
    where = f"moved aside to {os.path.basename(aside)}" if aside else "deleted"
    if bump:
        runner.notice(f"{path}: {why}: {where}; starting fresh")
    else:
        runner.warning(f"{why}: {where}; starting fresh", file=path)
    return aside


def check_json(path: str, *, version: tuple[str, int], validate: Validate) -> Bad | None:
    """Why the file at `path` is not a usable cache of this format (None: it is, or it is missing)."""
    if not os.path.lexists(path):
        return None
    if os.path.isdir(path):
        return Bad("the cache path is a directory, not a file")
    if not os.path.isfile(path):
        return Bad("the cache path is not a regular file")
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return Bad(f"the cache file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        return Bad(f"the cache file cannot be read ({e.strerror})")
    if not raw.strip():
        return Bad("the cache file is empty")
    if b"\x00" in raw:
        return Bad("the cache file holds NUL bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Bad("the cache file is not UTF-8 text")
    except (ValueError, RecursionError) as e:
        return Bad(f"the cache file is not valid JSON ({str(e)[:120]})")
    if not isinstance(data, dict):
        return Bad(f"the cache file holds a JSON {type(data).__name__}, not an object")
    key, number = version
    found = data.get(key)
    if found != number:
        if isinstance(found, int) and not isinstance(found, bool):
            return Bad(f"the cache file has {key} {found}; this labeler reads {key} {number}", bump=True)
        return Bad(f"the cache file has no {key} {number} marker: not a labeler cache of this kind")
    reason = validate(data)
    return Bad(reason) if reason else None


def load_json(path: str | None, what: str, *, version: tuple[str, int], validate: Validate) -> dict[str, Any] | None:
    """The cache's content, or None (missing, or bad and now moved aside: start fresh)."""
    if not path:
        return None
    bad = check_json(path, version=version, validate=validate)
    if bad:
        quarantine(path, f"{what}: {bad.reason}", bump=bad.bump)
        return None
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def save_json(path: str, data: dict[str, Any], what: str, *, version: tuple[str, int], validate: Validate) -> bool:
    """Write `data` atomically, only if the written file validates (else warn and keep the old one)."""
    if os.path.isdir(path):
        quarantine(path, f"{what}: the cache path is a directory, not a file")
    text = json.dumps(data, sort_keys=True, indent=0)

    def check(tmp: str) -> str | None:
        bad = check_json(tmp, version=version, validate=validate)
        return bad.reason if bad else None

    try:
        atomic_write(path, text, check=check)
    except NotSaved as e:
        runner.warning(f"{what}: not saved, the new content does not validate ({e})", file=path)
        return False
    except OSError as e:
        runner.warning(f"{what}: not saved ({e.strerror or e})", file=path)
        return False
    return True


def check_file(path: str, what: str, check: Callable[[str], Bad | None]) -> bool:
    """`--check-cache`: True when `path` holds a valid file; a bad one is quarantined (so a workflow's
    `hashFiles(path)` finds nothing and the save step is skipped); a missing one is a notice."""
    if not os.path.lexists(path):
        runner.notice(f"{what}: no file at {path}: nothing to save")
        return False
    bad = check(path)
    if bad:
        quarantine(path, f"{what}: {bad.reason}", bump=bad.bump)
        return False
    print(f"{what}: {path} is valid")
    return True
