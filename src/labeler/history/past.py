"""Past issues with the labels they carry, from a `history sync` SQLite file or a `dataset export` JSONL file:
the one reader for every replay and every measurement on a repository's own history. Every problem with
the file (missing, empty, unknown shape, no issues) is one UserError naming it. The labels are returned as
they are: which of them count (labels.yml, one `needs more info` label) is the caller's business. Time
order is the creation date when every issue has one, else the issue number, which GitHub hands out in order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from labeler import examples
from labeler.errors import UserError

SQLITE_MAGIC = b"SQLite format 3\x00"
KINDS = "a `labeler history sync` SQLite or a `dataset export` JSONL"


@dataclass(frozen=True)
class PastIssue:
    id: str
    number: int
    title: str
    body: str
    labels: tuple[str, ...]
    created_at: str | None = None


def read(path: str) -> list[PastIssue]:
    if not os.path.isfile(path):
        raise UserError(f"replay file not found ({KINDS})", file=path)
    with open(path, "rb") as f:
        head = f.read(4096)
    if not head.strip() and os.path.getsize(path) <= len(head):
        raise UserError("the replay file is empty", file=path)
    if head[:16] == SQLITE_MAGIC:
        return _sqlite(path)
    if head.lstrip()[:1] == b"{":
        return _jsonl(path)
    raise UserError(
        'unknown replay file: expected a history SQLite file or JSONL records ({"title", "body", "labels"} per line)',
        file=path,
    )


def in_time_order(issues: Sequence[PastIssue]) -> list[PastIssue]:
    """Oldest first."""
    if issues and all(i.created_at for i in issues):
        return sorted(issues, key=lambda i: (i.created_at or "", i.number))
    return sorted(issues, key=lambda i: i.number)


def _sqlite(path: str) -> list[PastIssue]:
    import sqlite3

    from labeler.history import store

    try:
        rows = store.load(path)
    except sqlite3.DatabaseError as e:
        raise UserError(f"cannot read the history file: {e}", file=path) from None
    if not rows:
        raise UserError("the history file holds no issues: run `labeler history sync` first", file=path)
    return [PastIssue(f"#{i.number}", i.number, i.title, i.body, i.labels, i.created_at) for i in rows]


def _jsonl(path: str) -> list[PastIssue]:
    out = []
    for n, e in enumerate(examples.read_jsonl(path), 1):
        number = e.extra.get("number")
        number = number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else n
        out.append(PastIssue(e.id, number, e.title, e.body, e.labels, e.created_at))
    return out
