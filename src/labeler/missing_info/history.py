"""The history the live check and the replay measure on: a history file (--history, --replay) or the
repository's newest issues read through GitHub (bounded: `history-limit` issues, 100 a request), only those
opened before the issue being checked, so each issue is judged on what came before it.

The label should be the maintainers' judgement, not the bot's: when a history SQLite holds the label's
events (`labeler history sync --label-events LABEL`), an issue whose label only bots ever added is left
out. Read through GitHub, who added a label is not known (one more request per issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labeler.history import past, store
from labeler.history.corrections import LabelEvent

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


def from_file(path: str, label: str, *, before: int | None = None, bot_login: str = "") -> list[past.PastIssue]:
    rows = [p for p in past.in_time_order(past.read(path)) if before is None or p.number < before]
    if _is_sqlite(path):
        return maintainers_only(rows, store.load_events(path), label, bot_login)
    return rows


def _is_sqlite(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == past.SQLITE_MAGIC


def maintainers_only(
    rows: list[past.PastIssue], events: dict[int, list[LabelEvent]], label: str, bot_login: str = ""
) -> list[past.PastIssue]:
    """Leave out the issues whose `label` was only ever added by a bot (no events known: kept)."""
    want = label.casefold()

    def by_bot(e: LabelEvent) -> bool:
        return e.actor.endswith("[bot]") or (bool(bot_login) and e.actor == bot_login)

    def bot_only(p: past.PastIssue) -> bool:
        added = [e for e in events.get(p.number, []) if e.event == "labeled" and e.label.casefold() == want]
        return bool(added) and all(by_bot(e) for e in added)

    return [p for p in rows if not bot_only(p)]


def _past(s: store.StoredIssue) -> past.PastIssue:
    return past.PastIssue(f"#{s.number}", s.number, s.title, s.body, s.labels, s.created_at)
