"""Issue and pull request comments, listed and removed through the requester (one request per 100)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labeler.gh.errors import GitHubError
from labeler.gh.paging import pages
from labeler.gh.records import Comment

if TYPE_CHECKING:
    from labeler.gh.client import GitHub


def list_all(gh: GitHub, number: int) -> list[Comment]:
    """Every comment of an issue or pull request, oldest first."""
    return [Comment.from_api(c) for c in pages(gh, f"/issues/{number}/comments") if isinstance(c, dict)]


def delete(gh: GitHub, comment_id: int) -> None:
    """DELETE is idempotent: a comment already gone (404) is what we wanted."""
    try:
        gh.request("DELETE", f"/issues/comments/{comment_id}")
    except GitHubError as e:
        if e.status != 404:
            raise
