"""Issues as a whole: one page of the repository's issue list, and a tracking issue kept up to date."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labeler.errors import UserError

if TYPE_CHECKING:
    from github import Github

    from labeler.gh import GitHub


def list_page(client: Github, repo: str, params: dict[str, Any]) -> tuple[dict[str, str], list[Any]]:
    """One GET of `/repos/{repo}/issues` (issues and pull requests): lower-cased headers and the items."""
    from github import GithubException

    try:
        headers, data = client.requester.requestJsonAndCheck("GET", f"/repos/{repo}/issues", parameters=params)
    except GithubException as e:
        message = e.data.get("message") if isinstance(e.data, dict) else e.data
        raise UserError(f"cannot list the issues of {repo}: HTTP {e.status} {message}") from None
    if not isinstance(data, list):
        raise UserError(f"unexpected answer listing the issues of {repo} (not a list)")
    return {k.lower(): str(v) for k, v in (headers or {}).items()}, data


def upsert_issue(github: GitHub, label: str, marker: str, title: str, body: str) -> tuple[int, bool]:
    """Edit our open issue (label + marker, opened by this bot) or open it. Returns (number, created).

    Only our own issue is edited, never one someone else opened with the marker."""
    requester, base = github.client.requester, github.repo.url
    _, found = requester.requestJsonAndCheck("GET", f"{base}/issues", parameters={"state": "open", "labels": label})
    ours = [
        i
        for i in found or []
        if (i.get("body") or "").lstrip().startswith(marker)
        and not i.get("pull_request")
        and github._is_bot(i.get("user") or {})
    ]
    if ours:
        number = int(ours[0]["number"])
        requester.requestJsonAndCheck("PATCH", f"{base}/issues/{number}", input={"body": body})
        return number, False
    _, made = requester.requestJsonAndCheck(
        "POST", f"{base}/issues", input={"title": title, "body": body, "labels": [label]}
    )
    return int(made["number"]), True
