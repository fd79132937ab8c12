"""Typed records of what GitHub returns: the one place raw REST/webhook dicts become objects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from labeler.errors import UserError


@dataclass(frozen=True)
class Issue:
    number: int
    title: str
    body: str
    labels: tuple[str, ...]
    author: str
    author_is_bot: bool
    author_association: str
    state: str
    is_pr: bool
    comments: int
    html_url: str

    @classmethod
    def from_event(cls, raw: dict[str, Any]) -> Issue:
        """The one place raw issue dicts (webhook or REST) become a record."""
        if not isinstance(raw, dict) or not isinstance(raw.get("number"), int):
            raise UserError("the event has no issue with a number")
        user = raw.get("user") or {}
        return cls(
            number=raw["number"],
            title=str(raw.get("title") or ""),
            body=str(raw.get("body") or ""),
            labels=tuple(str(lbl.get("name", "")) for lbl in raw.get("labels") or [] if isinstance(lbl, dict)),
            author=str(user.get("login") or ""),
            author_is_bot=user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]"),
            author_association=str(raw.get("author_association") or "NONE"),
            state=str(raw.get("state") or "open"),
            is_pr=bool(raw.get("pull_request")),
            comments=_count(raw.get("comments"), "comments"),
            html_url=str(raw.get("html_url") or ""),
        )


def _count(value: Any, field: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UserError(f"the issue's `{field}` must be a non-negative number, got {str(value)[:40]!r}")
    return value


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    author: str
    author_is_bot: bool

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> Comment:
        user = raw.get("user") or {}
        return cls(
            id=int(raw["id"]),
            body=raw.get("body") or "",
            author=user.get("login", ""),
            author_is_bot=user.get("type") == "Bot",
        )


@dataclass(frozen=True)
class PullRequest:
    number: int
    head_sha: str
    labels: tuple[str, ...]
    state: str
    author: str

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> PullRequest:
        sha = str((data.get("head") or {}).get("sha") or "")
        if not re.fullmatch(r"[0-9a-f]{40}", sha):
            raise UserError(f"pull request #{data.get('number')} has no usable head SHA")
        return cls(
            number=int(data["number"]),
            head_sha=sha,
            state=str(data.get("state") or "open"),
            labels=tuple(str(lbl.get("name")) for lbl in data.get("labels") or [] if isinstance(lbl, dict)),
            author=str((data.get("user") or {}).get("login") or ""),
        )
