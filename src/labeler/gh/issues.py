"""Issues as a whole: the repository's open issues, one page of its issue list, a tracking issue kept up to date."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labeler.gh import client as _client
from labeler.gh.errors import GitHubError, request_name
from labeler.gh.paging import pages
from labeler.gh.records import Issue

if TYPE_CHECKING:
    from labeler.gh.client import Client, GitHub


def list_page(client: Client, repo: str, params: dict[str, Any]) -> tuple[dict[str, str], list[Any]]:
    """One GET of `/repos/{repo}/issues` (issues and pull requests): lower-cased headers and the items.

    For a caller that pages by its own cursor (labeler.history.store); every other listing uses paging.pages."""
    url = f"/repos/{repo}/issues"
    headers, data = _client.request(client, "GET", url, params=params)
    if not isinstance(data, list):
        raise GitHubError("GitHub's answer was not a list of issues", request=request_name("GET", url), status=200)
    return headers, data


def open_issues(gh: GitHub, *, limit: int) -> list[Issue]:
    """Open issues (pull requests left out), newest first, at most `limit`; one request per 100."""

    def issues_only(items: list[Any]) -> list[dict[str, Any]]:
        return [d for d in items if isinstance(d, dict) and not d.get("pull_request")]

    found = pages(
        gh,
        "/issues",
        {"state": "open", "sort": "created", "direction": "desc"},
        limit=None,
        enough=lambda items: len(issues_only(items)) >= limit,
    )
    return [Issue.from_event(d) for d in issues_only(found)[:limit]]


def upsert_issue(github: GitHub, label: str, marker: str, title: str, body: str) -> tuple[int, bool]:
    """Edit our open issue (label + marker, opened by this bot) or open it. Returns (number, created).

    Only our own issue is edited, never one someone else opened with the marker."""
    found = pages(github, "/issues", {"state": "open", "labels": label})
    ours = [
        i
        for i in found
        if isinstance(i, dict)
        and (i.get("body") or "").lstrip().startswith(marker)
        and not i.get("pull_request")
        and github.is_bot(i.get("user") or {})
    ]
    if ours:
        number = int(ours[0]["number"])
        github.request("PATCH", f"/issues/{number}", body={"body": body})
        return number, False
    _, made = github.request("POST", "/issues", body={"title": title, "body": body, "labels": [label]})
    return int(made["number"]), True
