"""A repository's issue history in one SQLite file: the input for datasets, retrieval and monitoring.

`sync` stores the issues, `sync_label_events` their label events (read back by labeler.history.corrections);
`load` and `load_events` read them.

Incremental and resumable: issues are listed `sort=updated&direction=asc&since=<cursor>`; every page is
committed together with the cursor (the newest `updated_at` stored), so a sync stopped at any point continues
where it left off, and the next sync fetches only what changed. Each request asks again from the cursor
instead of following page links: an issue updated during the sync moves to the end of the list and would
otherwise shift the later pages past one issue. Pages are paced by the read rate limit: when
`x-ratelimit-remaining` drops below `min_remaining` the sync sleeps until `x-ratelimit-reset` (or stops,
resumable, when that is longer than `max_wait`). Pull requests (in the same REST list) are skipped. Deleted
or transferred issues stay as stored.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labeler import persist, runner
from labeler.errors import UserError
from labeler.gh import ratelimit
from labeler.history.corrections import LabelEvent, from_timeline

if TYPE_CHECKING:
    from labeler.gh import Client

SCHEMA_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS issues (
    number INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, labels TEXT NOT NULL,
    state TEXT NOT NULL, state_reason TEXT, author TEXT, author_association TEXT,
    created_at TEXT, updated_at TEXT, closed_at TEXT, html_url TEXT);
CREATE INDEX IF NOT EXISTS issues_updated ON issues(updated_at);
CREATE INDEX IF NOT EXISTS issues_created ON issues(created_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS label_events (
    issue INTEGER NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, label TEXT NOT NULL, actor TEXT NOT NULL,
    created_at TEXT, PRIMARY KEY (issue, id));
CREATE TABLE IF NOT EXISTS events_synced (issue INTEGER PRIMARY KEY, updated_at TEXT);
"""
COLUMNS = (
    "number",
    "title",
    "body",
    "labels",
    "state",
    "state_reason",
    "author",
    "author_association",
    "created_at",
    "updated_at",
    "closed_at",
    "html_url",
)


@dataclass(frozen=True)
class StoredIssue:
    number: int
    title: str
    body: str
    labels: tuple[str, ...]
    state: str
    state_reason: str | None = None
    author: str | None = None
    author_association: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    closed_at: str | None = None
    html_url: str | None = None


@dataclass(frozen=True)
class SyncResult:
    pages: int
    stored: int  # distinct issues written in this run
    skipped_prs: int  # distinct pull requests seen
    complete: bool
    cursor: str | None


def from_api(item: dict[str, Any]) -> StoredIssue | None:
    """A REST issue object -> StoredIssue; pull requests -> None."""
    if item.get("pull_request"):
        return None
    labels = tuple(str(lbl["name"]) for lbl in item.get("labels") or [] if isinstance(lbl, dict) and lbl.get("name"))
    return StoredIssue(
        number=int(item["number"]),
        title=str(item.get("title") or ""),
        body=str(item.get("body") or ""),
        labels=labels,
        state=str(item.get("state") or "open"),
        state_reason=item.get("state_reason"),
        author=(item.get("user") or {}).get("login"),
        author_association=item.get("author_association"),
        created_at=item.get("created_at"),
        updated_at=item.get("updated_at"),
        closed_at=item.get("closed_at"),
        html_url=item.get("html_url"),
    )


# the database ------------------------------------------------------------------------------------

WHAT = "the history database"
TABLES = {"issues": set(COLUMNS), "meta": {"key", "value"}}
# Added after schema 1 shipped: an older file without them is valid (connect() creates them).
OPTIONAL_TABLES = {
    "label_events": {"issue", "id", "event", "label", "actor", "created_at"},
    "events_synced": {"issue", "updated_at"},
}


def check(db_path: str) -> persist.Bad | None:
    """Why the file is not a history database this version reads (None: valid, missing or empty).
    Opened read-only: a directory, random bytes, a truncated or damaged file, a SQLite file with
    other tables or columns, and another schema version (`bump`) are each named."""
    if not os.path.lexists(db_path):
        return None
    if os.path.isdir(db_path):
        return persist.Bad("the history path is a directory, not a file")
    if not os.path.isfile(db_path):
        return persist.Bad("the history path is not a regular file")
    if os.path.getsize(db_path) == 0:
        return None  # SQLite's own empty database: created on connect
    try:
        conn = sqlite3.connect(f"file:{os.path.abspath(db_path)}?mode=ro", uri=True)
    except sqlite3.Error as e:
        return persist.Bad(f"the history file cannot be opened ({e})")
    try:
        return _content_problem(conn)
    except sqlite3.Error as e:
        return persist.Bad(f"the history file is not a usable SQLite database ({e})")
    finally:
        conn.close()


def _content_problem(conn: sqlite3.Connection) -> persist.Bad | None:
    ok = conn.execute("PRAGMA quick_check").fetchone()
    if not ok or ok[0] != "ok":
        return persist.Bad(f"the history file is damaged ({str(ok and ok[0])[:120]})")
    names = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table, columns in (TABLES | OPTIONAL_TABLES).items():
        found = {str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")}
        if found != columns and (found or table not in OPTIONAL_TABLES):
            what = "no" if not found else "a different"
            return persist.Bad(f"the history file has {what} `{table}` table: not a labeler history database")
    if other := names - set(TABLES) - set(OPTIONAL_TABLES):
        return persist.Bad(
            f"the history file has other tables ({', '.join(sorted(other))[:120]}): not a labeler history database"
        )
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        return persist.Bad("the history file has no schema version: not a labeler history database")
    if str(row[0]) != SCHEMA_VERSION:
        return persist.Bad(
            f"the history file has schema {row[0]}; this labeler reads schema {SCHEMA_VERSION}", bump=True
        )
    return None


def connect(db_path: str, *, create: bool = True) -> sqlite3.Connection:
    """Open (and with `create`, make) the history file. A bad file (see `check`) is moved aside with
    a warning: `create` starts a fresh one (the next sync fetches everything), readers get a UserError."""
    bad = check(db_path)
    if bad:
        persist.quarantine(db_path, f"{WHAT}: {bad.reason}", bump=bad.bump)
        if not create:
            raise UserError(
                f"{WHAT} was unusable ({bad.reason}) and was moved aside: run `labeler history sync`", file=db_path
            )
    if not create and not os.path.isfile(db_path):
        raise UserError("no history database here: run `labeler history sync` first", file=db_path)
    if create and os.path.dirname(db_path):
        os.makedirs(os.path.dirname(db_path), exist_ok=True)
    try:
        conn = sqlite3.connect(db_path)
        conn.executescript(SCHEMA)
        if get_meta(conn, "schema_version") is None:
            set_meta(conn, "schema_version", SCHEMA_VERSION)
            conn.commit()
    except sqlite3.Error as e:  # checked above: only a file that changes under us gets here
        raise UserError(f"not a usable history database ({e})", file=db_path) from None
    return conn


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value)
    )


def upsert(conn: sqlite3.Connection, issues: list[StoredIssue]) -> None:
    rows = [
        (
            i.number,
            i.title,
            i.body,
            json.dumps(list(i.labels)),
            i.state,
            i.state_reason,
            i.author,
            i.author_association,
            i.created_at,
            i.updated_at,
            i.closed_at,
            i.html_url,
        )
        for i in issues
    ]
    conn.executemany(
        f"INSERT OR REPLACE INTO issues({', '.join(COLUMNS)}) VALUES({', '.join('?' * len(COLUMNS))})", rows
    )


def load(db: sqlite3.Connection | str, *, state: str | None = None) -> list[StoredIssue]:
    """Stored issues, oldest first; `state` 'open' or 'closed' filters."""
    conn = connect(db, create=False) if isinstance(db, str) else db
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM issues"
        + (" WHERE state = ?" if state else "")
        + " ORDER BY created_at, number"
    )
    out = []
    for row in conn.execute(sql, (state,) if state else ()):
        values = dict(zip(COLUMNS, row))
        labels = parse_labels(values["labels"])
        if labels is None:
            runner.warning(
                f"{WHAT}: issue #{values['number']} skipped: its `labels` cell is not a JSON list of label names "
                f'({str(values["labels"])[:60]!r}); write it as a list such as ["bug"], or delete the row'
            )
            continue
        out.append(StoredIssue(**{**values, "labels": labels}))
    return out


def parse_labels(cell: Any) -> tuple[str, ...] | None:
    """A stored `labels` cell as names; None when it is not a JSON list of strings (a hand-edited file)."""
    try:
        names = json.loads(cell) if isinstance(cell, str) else None
    except ValueError:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    return tuple(names)


# syncing -----------------------------------------------------------------------------------------


def _check_repo(conn: sqlite3.Connection, repo: str) -> None:
    stored = get_meta(conn, "repo")
    if stored is None:
        set_meta(conn, "repo", repo)
    elif stored.lower() != repo.lower():
        raise UserError(f"this history file holds {stored}, not {repo}: use another --db")


def _fetch(client: Client, repo: str, since: str | None, page: int, per_page: int) -> tuple[dict[str, str], list[Any]]:
    from labeler.gh import issues

    params: dict[str, Any] = {"state": "all", "sort": "updated", "direction": "asc", "per_page": per_page, "page": page}
    if since:
        params["since"] = _overlap(since)
    return issues.list_page(client, repo, params)


def _overlap(cursor: str) -> str:
    """One second before the cursor: whether GitHub's `since` is inclusive or not, nothing updated
    in the cursor's second is missed (re-fetched issues are simply stored again)."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(cursor.replace("Z", "+00:00"))
    except ValueError:
        return cursor
    return (moment - dt.timedelta(seconds=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Pacing:
    min_remaining: int = 100
    max_wait: float = 3600.0
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time


def sync(
    client: Client,
    repo: str,
    conn: sqlite3.Connection,
    *,
    per_page: int = 100,
    max_pages: int | None = None,
    pacing: Pacing | None = None,
    progress: Callable[[str], None] = print,
) -> SyncResult:
    """Fetch what changed since the stored cursor; commit per page (see module docstring)."""
    pacing = pacing or Pacing()
    _check_repo(conn, repo)
    cursor, page = get_meta(conn, "cursor"), int(get_meta(conn, "page") or 1)
    stored: set[int] = set()
    skipped: set[int] = set()
    pages = 0
    progress(f"syncing {repo} " + (f"since {cursor}" if cursor else "from the beginning"))
    while max_pages is None or pages < max_pages:
        headers, items = _fetch(client, repo, cursor, page, per_page)
        issues = [i for i in map(from_api, items) if i is not None]
        cursor, page, done = _advance(cursor, page, items, per_page)
        upsert(conn, issues)
        set_meta(conn, "cursor", cursor or "")
        set_meta(conn, "page", str(page))
        set_meta(conn, "complete", "1" if done else "0")
        conn.commit()
        pages += 1
        stored.update(i.number for i in issues)
        skipped.update(int(item["number"]) for item in items if item.get("pull_request"))
        progress(
            f"page {pages}: {len(issues)} issues, {len(items) - len(issues)} pull requests skipped; "
            f"cursor {cursor or '-'}; rate limit remaining {headers.get('x-ratelimit-remaining', '?')}"
        )
        if done:
            return SyncResult(pages, len(stored), len(skipped), True, cursor)
        if not _pace(headers, pacing, progress):
            break
    return SyncResult(pages, len(stored), len(skipped), False, cursor)


def _advance(cursor: str | None, page: int, items: list[Any], per_page: int) -> tuple[str | None, int, bool]:
    """Next (cursor, page, done). Page numbers only advance while a whole page shares the cursor's
    timestamp (more than per_page issues updated in the same second)."""
    done = len(items) < per_page
    newest = str(items[-1].get("updated_at") or "") if items else ""
    if not newest or (cursor is not None and newest <= cursor):
        return cursor, (1 if done else page + 1), done
    return newest, 1, done


def _pace(headers: dict[str, str], pacing: Pacing, progress: Callable[[str], None]) -> bool:
    wait = ratelimit.until_reset(headers, pacing.now(), min_remaining=pacing.min_remaining)
    if wait <= 0:
        return True
    if wait > pacing.max_wait:
        progress(
            f"rate limit low; reset in {wait:.0f} s exceeds --max-wait {pacing.max_wait:.0f} s: stopping "
            "(progress is saved; run the sync again later)"
        )
        return False
    progress(f"rate limit low ({headers.get('x-ratelimit-remaining')} left): sleeping {wait:.0f} s until reset")
    pacing.sleep(wait)
    return True


# label events (what people did to the bot's labels) ------------------------------------------------

ALL = "all"


@dataclass(frozen=True)
class EventsResult:
    read: int  # timelines read this run
    pending: int  # issues still to read (the next run continues)


def event_candidates(conn: sqlite3.Connection, label: str) -> list[int]:
    """Issues whose timeline is unread or older than the issue: those carrying `label` (the bot's
    provenance label; "all" = every issue) plus those with label events already stored (a person
    may have taken the provenance label off too). Most recently updated first."""
    rows = conn.execute(
        "SELECT i.number, i.labels, EXISTS(SELECT 1 FROM label_events e WHERE e.issue = i.number) FROM issues i "
        "LEFT JOIN events_synced s ON s.issue = i.number "
        "WHERE s.updated_at IS NULL OR s.updated_at < i.updated_at ORDER BY i.updated_at DESC, i.number DESC"
    ).fetchall()
    want = label.lower()
    return [
        int(n)
        for n, labels, known in rows
        if want == ALL or known or want in (x.lower() for x in parse_labels(labels) or ())
    ]


def store_events(conn: sqlite3.Connection, number: int, events: list[LabelEvent], updated_at: str | None) -> None:
    conn.execute("DELETE FROM label_events WHERE issue = ?", (number,))
    conn.executemany(
        "INSERT OR REPLACE INTO label_events(issue, id, event, label, actor, created_at) VALUES(?,?,?,?,?,?)",
        [(e.issue, e.id, e.event, e.label, e.actor, e.created_at) for e in events],
    )
    conn.execute(
        "INSERT INTO events_synced(issue, updated_at) VALUES(?, ?) "
        "ON CONFLICT(issue) DO UPDATE SET updated_at = excluded.updated_at",
        (number, updated_at or ""),
    )


def load_events(db: sqlite3.Connection | str) -> dict[int, list[LabelEvent]]:
    conn = connect(db, create=False) if isinstance(db, str) else db
    out: dict[int, list[LabelEvent]] = {}
    for row in conn.execute(
        "SELECT issue, id, event, label, actor, created_at FROM label_events ORDER BY issue, created_at, id"
    ):
        out.setdefault(int(row[0]), []).append(LabelEvent(int(row[0]), int(row[1]), row[2], row[3], row[4], row[5]))
    return out


def sync_label_events(
    client: Client,
    repo: str,
    conn: sqlite3.Connection,
    *,
    label: str,
    max_issues: int | None = None,
    pacing: Pacing | None = None,
    progress: Callable[[str], None] = print,
) -> EventsResult:
    """Read the timeline of each candidate issue (one request per 100 events) and store its label
    events; committed per issue, so a stopped run continues where it left off. Paced like the sync."""
    from labeler import gh
    from labeler.gh import paging

    pacing = pacing or Pacing()
    todo = event_candidates(conn, label)
    github = gh.GitHub(client, repo)
    read = 0
    for number in todo:
        if max_issues is not None and read >= max_issues:
            break
        updated = conn.execute("SELECT updated_at FROM issues WHERE number = ?", (number,)).fetchone()[0]
        try:
            raw = gh.issue_timeline(github, number)
        except gh.TimelineUnreadable as e:
            progress(f"{e.message}: left for the next run")
            continue
        store_events(conn, number, from_timeline(number, raw), updated)
        conn.commit()
        read += 1
        remaining, reset = paging.rate_limit(github)
        headers = {"x-ratelimit-remaining": str(remaining), "x-ratelimit-reset": str(reset)} if remaining >= 0 else {}
        if not _pace(headers, pacing, progress):
            break
    pending = len(event_candidates(conn, label))
    progress(f"label events: {read} timelines read, {pending} left")
    return EventsResult(read, pending)
