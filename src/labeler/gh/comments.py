"""Issue and pull request comments read and removed through the requester (one request per page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labeler.gh.paging import pages
from labeler.gh.records import Comment

if TYPE_CHECKING:
    from labeler.gh import GitHub


def list_all(gh: GitHub, number: int) -> list[Comment]:
    """Every comment of an issue or pull request, oldest first."""
    return [Comment.from_api(c) for c in pages(gh, f"/issues/{number}/comments")]


def delete(gh: GitHub, comment_id: int) -> None:
    """DELETE is idempotent: a comment already gone (404) is what we wanted."""
    from github import GithubException

    try:
        gh.client.requester.requestJsonAndCheck("DELETE", f"{gh.repo.url}/issues/comments/{comment_id}")
    except GithubException as e:
        if e.status != 404:
            raise
