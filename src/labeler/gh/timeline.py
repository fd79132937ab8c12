"""An issue's timeline (labeled, unlabeled, commented, ... events) and the comments it lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labeler.gh.errors import GitHubError, TimelineUnreadable
from labeler.gh.paging import pages
from labeler.gh.records import Comment

if TYPE_CHECKING:
    from labeler.gh.client import GitHub


def issue_timeline(gh: GitHub, number: int) -> list[dict[str, Any]]:
    """Every event of an issue, oldest first, all pages. Any failure raises TimelineUnreadable."""
    try:
        events = pages(gh, f"/issues/{number}/timeline", limit=None)
    except GitHubError as e:
        raise TimelineUnreadable(
            f"could not read the timeline of #{number}: {e.hint}", request=e.request, status=e.status, reason=e.reason
        ) from None
    return [e for e in events if isinstance(e, dict)]


def timeline_comments(events: list[dict[str, Any]]) -> list[Comment]:
    """The issue's comments as the timeline lists them (`commented` events): no second request."""
    found = []
    for e in events:
        if e.get("event") != "commented" or not isinstance(e.get("id"), int):
            continue
        user = e.get("user") or e.get("actor") or {}
        found.append(
            Comment(
                id=e["id"],
                body=str(e.get("body") or ""),
                author=str(user.get("login") or ""),
                author_is_bot=user.get("type") == "Bot",
            )
        )
    return found
