"""Finding pull requests: by label, by milestone, by the commits that touched a path; their files.

Every list is paginated at 100 per page (labeler.gh.paging). From commits to PRs, cheaply: list the
branch's commits that touched a path (`GET /commits?path=P`, optionally `since=`), then ask which
merged PRs brought a commit (`GET /commits/{sha}/pulls`); the files of a tree come from one recursive
listing (`GET /git/trees/{ref}?recursive=1`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from labeler.errors import UserError
from labeler.gh.paging import pages

if TYPE_CHECKING:
    from labeler.gh.client import GitHub


def changed_files(gh: GitHub, number: int) -> list[dict[str, Any]]:
    """The PR's files (`filename`, `status`, ...): at most 30 pages, GitHub's own cap of 3,000 files."""
    return pages(gh, f"/pulls/{number}/files", limit=30)


def _merged_numbers(items: list[Any]) -> list[int]:
    """The merged pull requests' numbers in an issue listing; anything not shaped like one is skipped."""

    def merged(item: Any) -> bool:
        pull = item.get("pull_request") if isinstance(item, dict) else None
        return isinstance(pull, dict) and bool(pull.get("merged_at")) and type(item.get("number")) is int

    return sorted(item["number"] for item in items if merged(item))


def with_label(gh: GitHub, label: str, since: str | None = None) -> list[int]:
    """Merged pull requests with this label (updated at or after `since`, ISO 8601, when given)."""
    return _merged_numbers(
        pages(gh, "/issues", {"state": "closed", "labels": label, **({"since": since} if since else {})})
    )


def milestone_number(gh: GitHub, milestone: str) -> int:
    if milestone.isdigit():
        return int(milestone)
    found = [m["number"] for m in pages(gh, "/milestones", {"state": "all"}) if m.get("title") == milestone]
    if not found:
        raise UserError(f"no milestone titled {milestone!r} in {gh.repo_name}")
    return int(found[0])


def in_milestone(gh: GitHub, milestone: str) -> list[int]:
    """Merged pull requests in this milestone (title or number)."""
    return _merged_numbers(pages(gh, "/issues", {"state": "closed", "milestone": milestone_number(gh, milestone)}))


def default_branch(gh: GitHub) -> str:
    _, data = gh.request("GET", "")
    return str(data["default_branch"])


def tree_paths(gh: GitHub, ref: str) -> tuple[list[str], bool]:
    """Every file path at `ref` (one request) and whether GitHub truncated the listing."""
    _, data = gh.request("GET", f"/git/trees/{quote(ref, safe='')}", params={"recursive": "1"})
    paths = [e["path"] for e in data.get("tree", []) if e.get("type") == "blob"]
    return paths, bool(data.get("truncated"))


def commits_touching(gh: GitHub, path: str, ref: str, since: str | None) -> list[str]:
    """SHAs of the commits on `ref` that changed `path` (newest first; at most 10 pages)."""
    params = {"path": path, "sha": ref, **({"since": since} if since else {})}
    return [commit["sha"] for commit in pages(gh, "/commits", params, limit=10)]


def merged_pulls_of(gh: GitHub, sha: str) -> list[int]:
    """The merged pull requests of this repository that brought a commit."""
    return [
        p["number"]
        for p in pages(gh, f"/commits/{sha}/pulls", limit=5)
        if p.get("merged_at") and _same_repo(p, gh.repo_name)
    ]


def _same_repo(pull: dict[str, Any], repo: str) -> bool:
    full = ((pull.get("base") or {}).get("repo") or {}).get("full_name")
    return full is None or str(full).lower() == repo.lower()
