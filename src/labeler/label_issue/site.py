"""The GitHub label-issue talks to: the repository through `labeler.gh`, or an offline stand-in.

A dry run without a token works offline: `Offline` answers the same calls from the event, reads an empty
timeline and keeps the writes it was asked for, so the steps of a run never ask whether GitHub is there.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

from labeler import gh as gh_mod
from labeler.errors import UserError
from labeler.gh import Comment, Issue


class Site(Protocol):
    repo_name: str
    bot_login: str

    def issue(self, number: int) -> Issue: ...
    def timeline(self, number: int) -> list[dict[str, Any]]: ...
    def comments(self, number: int) -> list[Comment]: ...
    def find_comment(self, number: int, marker: str, comments: list[Comment] | None = None) -> Comment | None: ...
    def upsert_comment(
        self, number: int, marker: str, body: str, existing: Comment | None = None, *, known_absent: bool = False
    ) -> tuple[int, bool]: ...
    def add_labels(self, number: int, names: list[str]) -> None: ...
    def remove_label(self, number: int, name: str) -> None: ...
    def open_issues(self, limit: int) -> list[Issue]: ...


class Online:
    """The repository, through the one GitHub layer."""

    def __init__(self, github: gh_mod.GitHub) -> None:
        self.github = github
        self.repo_name = github.repo_name
        self.bot_login = github.bot_login

    def issue(self, number: int) -> Issue:
        return self.github.issue(number)

    def timeline(self, number: int) -> list[dict[str, Any]]:
        return gh_mod.issue_timeline(self.github, number)

    def comments(self, number: int) -> list[Comment]:
        return self.github.comments(number)

    def find_comment(self, number: int, marker: str, comments: list[Comment] | None = None) -> Comment | None:
        return self.github.find_comment(number, marker, comments)

    def upsert_comment(
        self, number: int, marker: str, body: str, existing: Comment | None = None, *, known_absent: bool = False
    ) -> tuple[int, bool]:
        return self.github.upsert_comment(number, marker, body, existing, known_absent=known_absent)

    def add_labels(self, number: int, names: list[str]) -> None:
        self.github.add_labels(number, names)

    def remove_label(self, number: int, name: str) -> None:
        self.github.remove_label(number, name)

    def open_issues(self, limit: int) -> list[Issue]:
        return gh_mod.open_issues(self.github, limit=limit)


class Offline:
    """No token, dry run: the event's issue, no history, and the writes recorded instead of sent."""

    def __init__(self, repo_name: str, issue: Issue | None = None) -> None:
        self.repo_name = repo_name
        self.bot_login = os.environ.get("LABELER_BOT_LOGIN") or gh_mod.DEFAULT_BOT_LOGIN
        self.event_issue = issue
        self.writes: list[tuple[Any, ...]] = []

    def issue(self, number: int) -> Issue:
        if self.event_issue is None or self.event_issue.number != number:
            raise UserError(f"reading issue #{number} needs a GitHub token (GITHUB_TOKEN)")
        return self.event_issue

    def timeline(self, number: int) -> list[dict[str, Any]]:
        return []

    def comments(self, number: int) -> list[Comment]:
        return []

    def find_comment(self, number: int, marker: str, comments: list[Comment] | None = None) -> Comment | None:
        return None

    def upsert_comment(
        self, number: int, marker: str, body: str, existing: Comment | None = None, *, known_absent: bool = False
    ) -> tuple[int, bool]:
        self.writes.append(("comment", number, body))
        return 0, existing is None

    def add_labels(self, number: int, names: list[str]) -> None:
        self.writes.append(("labels", number, tuple(names)))

    def remove_label(self, number: int, name: str) -> None:
        self.writes.append(("unlabel", number, name))

    def open_issues(self, limit: int) -> list[Issue]:
        raise UserError("listing open issues needs a GitHub token (GITHUB_TOKEN)")


def connect(repo: str | None, dry_run: bool, issue: Issue | None = None) -> Site:
    """A dry run without a token stays offline; anything else needs GitHub."""
    if dry_run and not os.environ.get("GITHUB_TOKEN"):
        return Offline(repo or os.environ.get("GITHUB_REPOSITORY") or "this repository", issue)
    return online(repo)


def online(repo: str | None) -> Online:
    return Online(gh_mod.open_repo(repo))
