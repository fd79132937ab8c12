"""GitHub reads for publish-benchmarks: which PRs, their changed qna.yaml files, their comments.

Every list is paginated at 100 per page through the requester (one request per page; PyGithub's
`repo.get_pull(n)` / `get_issue(n)` would add a GET per PR first).

Finding PRs from the results (`--from-results`), cheaply: the cost follows the build's size, not the
repository's history. For each qna.yaml path in the results, list the default branch's commits that
touched it (`GET /commits?path=P`, optionally `since=`), then ask which merged PRs brought each commit
(`GET /commits/{sha}/pulls`, cached per SHA). MMLU-Branch rows carry a task name, not a path; the
names are matched against the knowledge qna.yaml files of one recursive tree listing
(`GET /git/trees/{branch}?recursive=1`). About 1 + 2 requests per leaf in the build.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from labeler.errors import UserError
from labeler.gh import Comment, GitHub
from labeler.publish_benchmarks.report import is_qna

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def refused(e: Exception, what: str) -> UserError:
    status = getattr(e, "status", None)
    data = getattr(e, "data", None)
    message = data.get("message") if isinstance(data, dict) else str(e)
    return UserError(f"GitHub refused to {what}: {status or ''} {message}".replace("  ", " ").strip())


def pages(gh: GitHub, path: str, params: dict[str, Any] | None = None, *, limit: int = 100) -> list[Any]:
    """GET a list through every Link: rel="next" page (at most `limit` pages)."""
    url: str | None = path if path.startswith("http") else f"{gh.repo.url}{path}"
    params = {"per_page": 100, **(params or {})}
    items: list[Any] = []
    for _ in range(limit):
        if url is None:
            break
        headers, data = gh.client.requester.requestJsonAndCheck("GET", url, parameters=params)
        items.extend(data or [])
        found = _NEXT.search({k.lower(): v for k, v in (headers or {}).items()}.get("link", ""))
        url, params = (found.group(1), None) if found else (None, None)
    return items


def qna_files(gh: GitHub, number: int) -> list[str]:
    """The PR's changed qna.yaml files that exist after it (a removed file trained nothing)."""
    return [f["filename"] for f in pages(gh, f"/pulls/{number}/files", limit=30)
            if f.get("status") != "removed" and is_qna(str(f.get("filename", "")))]


def comments(gh: GitHub, number: int) -> list[Comment]:
    return [Comment(id=int(c["id"]), body=c.get("body") or "", author=(c.get("user") or {}).get("login", ""),
                    author_is_bot=(c.get("user") or {}).get("type") == "Bot")
            for c in pages(gh, f"/issues/{number}/comments")]


def delete_comment(gh: GitHub, comment_id: int) -> None:
    """DELETE is idempotent: a comment already gone (404) is what we wanted."""
    from github import GithubException

    try:
        gh.client.requester.requestJsonAndCheck("DELETE", f"{gh.repo.url}/issues/comments/{comment_id}")
    except GithubException as e:
        if e.status != 404:
            raise


def _merged(issue: dict[str, Any]) -> bool:
    return bool((issue.get("pull_request") or {}).get("merged_at"))


def with_label(gh: GitHub, label: str) -> list[int]:
    items = pages(gh, "/issues", {"state": "closed", "labels": label})
    return sorted(i["number"] for i in items if _merged(i))


def milestone_number(gh: GitHub, milestone: str) -> int:
    if milestone.isdigit():
        return int(milestone)
    found = [m["number"] for m in pages(gh, "/milestones", {"state": "all"}) if m.get("title") == milestone]
    if not found:
        raise UserError(f"no milestone titled {milestone!r} in {gh.repo_name}")
    return int(found[0])


def in_milestone(gh: GitHub, milestone: str) -> list[int]:
    items = pages(gh, "/issues", {"state": "closed", "milestone": milestone_number(gh, milestone)})
    return sorted(i["number"] for i in items if _merged(i))


def default_branch(gh: GitHub) -> str:
    _, data = gh.client.requester.requestJsonAndCheck("GET", gh.repo.url)
    return str(data["default_branch"])


def tree_paths(gh: GitHub, ref: str) -> tuple[list[str], bool]:
    """Every file path at `ref` (one request) and whether GitHub truncated the listing."""
    _, data = gh.client.requester.requestJsonAndCheck(
        "GET", f"{gh.repo.url}/git/trees/{quote(ref, safe='')}", parameters={"recursive": "1"})
    paths = [e["path"] for e in data.get("tree", []) if e.get("type") == "blob"]
    return paths, bool(data.get("truncated"))


def from_results(gh: GitHub, paths: list[str], ref: str, since: str | None) -> dict[int, list[str]]:
    """Merged PRs whose commits touched these qna.yaml paths -> the paths each touched."""
    found: dict[int, set[str]] = {}
    pulls_of: dict[str, list[int]] = {}
    for path in paths:
        params = {"path": path, "sha": ref, **({"since": since} if since else {})}
        for commit in pages(gh, "/commits", params, limit=10):
            sha = commit["sha"]
            if sha not in pulls_of:
                pulls_of[sha] = [p["number"] for p in pages(gh, f"/commits/{sha}/pulls", limit=5)
                                 if p.get("merged_at") and _same_repo(p, gh.repo_name)]
            for number in pulls_of[sha]:
                found.setdefault(number, set()).add(path)
    return {n: sorted(p) for n, p in sorted(found.items())}


def _same_repo(pull: dict[str, Any], repo: str) -> bool:
    full = ((pull.get("base") or {}).get("repo") or {}).get("full_name")
    return full is None or str(full).lower() == repo.lower()
