"""The history the live check measures on: a history file (--history) or the repository's newest issues
read through GitHub (bounded: `history-limit` issues, 100 a request), only those opened before the issue
being checked, so each issue is judged on what came before it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labeler.history import past, store

if TYPE_CHECKING:
    from labeler.gh import GitHub

PER_PAGE = 100


def from_github(github: GitHub, *, before: int, limit: int) -> list[past.PastIssue]:
    """Up to `limit` issues (pull requests left out) numbered below `before`, oldest first."""
    from labeler.gh import issues

    found: list[past.PastIssue] = []
    page = 1
    while len(found) < limit:
        params = {"state": "all", "sort": "created", "direction": "desc", "per_page": PER_PAGE, "page": page}
        _, data = issues.list_page(github.client, github.repo_name, params)
        for item in data:
            stored = store.from_api(item) if isinstance(item, dict) and isinstance(item.get("number"), int) else None
            if stored is not None and stored.number < before:
                found.append(_past(stored))
        if len(data) < PER_PAGE:
            break
        page += 1
    return past.in_time_order(found[:limit])


def from_file(path: str, *, before: int | None = None) -> list[past.PastIssue]:
    rows = past.in_time_order(past.read(path))
    return [p for p in rows if before is None or p.number < before]


def _past(s: store.StoredIssue) -> past.PastIssue:
    return past.PastIssue(f"#{s.number}", s.number, s.title, s.body, s.labels, s.created_at)
