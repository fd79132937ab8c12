"""State of the fake GitHub repository and the JSON shapes GitHub returns for it.

URLs are built on API = "https://api.github.com"; the server rewrites them to its own base URL
per request (PyGithub follows `url` fields and Link headers).
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

API = "https://api.github.com"
WEB = "https://github.com"
DOCS = "https://docs.github.com/rest"


def iso(t: datetime | None) -> str | None:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def fake_sha(seed: str) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()


@dataclass
class Issue:
    number: int
    title: str
    body: str | None
    user: str
    user_type: str = "User"
    state: str = "open"
    labels: list[str] = field(default_factory=list)
    author_association: str = "NONE"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    state_reason: str | None = None
    milestone: int | None = None
    assignees: list[str] = field(default_factory=list)
    locked: bool = False
    is_pr: bool = False
    comments: int = 0
    events: list[tuple[str, str, str, datetime]] = field(default_factory=list)  # (labeled|unlabeled, label, actor, at)


@dataclass
class Comment:
    id: int
    issue_number: int
    body: str
    user: str
    user_type: str = "User"
    author_association: str = "NONE"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    reactions: list[tuple[str, str]] = field(default_factory=list)  # (user, content)


@dataclass
class Pull:
    number: int
    head_sha: str
    base_sha: str
    head_ref: str = "feature"
    base_ref: str = "main"
    head_repo: str = ""  # full name of the head repository (a fork when it differs)
    merged: bool = False
    merged_at: datetime | None = None
    draft: bool = False
    changed: dict[str, str | None] = field(default_factory=dict)  # path -> new text (None: removed)


@dataclass
class Status:
    id: int
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    created_at: datetime
    creator: str


class Clock:
    """Deterministic timestamps: every call is one second later than the previous one."""

    def __init__(self, start: datetime | None = None) -> None:
        self.t = start or datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


class Shapes:
    """Builds GitHub-shaped JSON from the state. `repo` is "owner/name"."""

    def __init__(self, repo: str) -> None:
        self.repo = repo
        self.owner, self.name = repo.split("/")
        self._ids: dict[str, int] = {}
        self._counter = itertools.count(1001)

    @property
    def repo_url(self) -> str:
        return f"{API}/repos/{self.repo}"

    def uid(self, key: str) -> int:
        if key not in self._ids:
            self._ids[key] = next(self._counter)
        return self._ids[key]

    def user(self, login: str, user_type: str = "User") -> dict[str, Any]:
        uid = self.uid(f"user:{login}")
        return {
            "login": login,
            "id": uid,
            "node_id": f"U_{uid}",
            "type": user_type,
            "site_admin": False,
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
            "gravatar_id": "",
            "url": f"{API}/users/{login}",
            "html_url": f"{WEB}/{login}",
        }

    def repository(self, default_branch: str) -> dict[str, Any]:
        rid = self.uid(f"repo:{self.repo}")
        r = self.repo_url
        return {
            "id": rid,
            "node_id": f"R_{rid}",
            "name": self.name,
            "full_name": self.repo,
            "owner": self.user(self.owner, "Organization"),
            "private": False,
            "fork": False,
            "html_url": f"{WEB}/{self.repo}",
            "description": "Fake repository",
            "url": r,
            "issues_url": f"{r}/issues{{/number}}",
            "labels_url": f"{r}/labels{{/name}}",
            "pulls_url": f"{r}/pulls{{/number}}",
            "statuses_url": f"{r}/statuses/{{sha}}",
            "default_branch": default_branch,
            "visibility": "public",
            "archived": False,
            "has_issues": True,
            "open_issues_count": 0,
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True},
        }

    def label(self, rec: dict[str, Any]) -> dict[str, Any]:
        from urllib.parse import quote

        return {
            "id": rec["id"],
            "node_id": f"LA_{rec['id']}",
            "url": f"{self.repo_url}/labels/{quote(rec['name'])}",
            "name": rec["name"],
            "color": rec["color"],
            "default": rec.get("default", False),
            "description": rec.get("description"),
        }

    def issue(self, i: Issue, labels: list[dict[str, Any]], pull: Pull | None) -> dict[str, Any]:
        url = f"{self.repo_url}/issues/{i.number}"
        iid = self.uid(f"issue:{i.number}")
        d = {
            "id": iid,
            "node_id": f"I_{iid}",
            "url": url,
            "repository_url": self.repo_url,
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{WEB}/{self.repo}/{'pull' if i.is_pr else 'issues'}/{i.number}",
            "number": i.number,
            "state": i.state,
            "state_reason": i.state_reason,
            "title": i.title,
            "body": i.body,
            "user": self.user(i.user, i.user_type),
            "labels": labels,
            "assignee": self.user(i.assignees[0]) if i.assignees else None,
            "assignees": [self.user(a) for a in i.assignees],
            "milestone": self.milestone(i.milestone),
            "locked": i.locked,
            "active_lock_reason": None,
            "comments": i.comments,
            "created_at": iso(i.created_at),
            "updated_at": iso(i.updated_at),
            "closed_at": iso(i.closed_at),
            "author_association": i.author_association,
            "closed_by": None,
            "performed_via_github_app": None,
        }
        if pull is not None:
            d["pull_request"] = {
                "url": f"{self.repo_url}/pulls/{i.number}",
                "html_url": f"{WEB}/{self.repo}/pull/{i.number}",
                "diff_url": f"{WEB}/{self.repo}/pull/{i.number}.diff",
                "patch_url": f"{WEB}/{self.repo}/pull/{i.number}.patch",
                "merged_at": iso(pull.merged_at),
            }
        return d

    def milestone(self, number: int | None) -> dict[str, Any] | None:
        if number is None:
            return None
        mid = self.uid(f"milestone:{number}")
        return {
            "id": mid,
            "node_id": f"MI_{mid}",
            "number": number,
            "title": f"v{number}",
            "state": "open",
            "url": f"{self.repo_url}/milestones/{number}",
            "html_url": f"{WEB}/{self.repo}/milestone/{number}",
            "labels_url": f"{self.repo_url}/milestones/{number}/labels",
            "description": None,
            "creator": None,
            "open_issues": 0,
            "closed_issues": 0,
            "created_at": None,
            "updated_at": None,
            "closed_at": None,
            "due_on": None,
        }

    def comment(self, c: Comment) -> dict[str, Any]:
        return {
            "id": c.id,
            "node_id": f"IC_{c.id}",
            "url": f"{self.repo_url}/issues/comments/{c.id}",
            "html_url": f"{WEB}/{self.repo}/issues/{c.issue_number}#issuecomment-{c.id}",
            "issue_url": f"{self.repo_url}/issues/{c.issue_number}",
            "body": c.body,
            "user": self.user(c.user, c.user_type),
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "author_association": c.author_association,
            "performed_via_github_app": None,
        }

    def label_event(self, number: int, kind: str, label: str, actor: str, at: datetime, eid: int) -> dict[str, Any]:
        return {
            "id": eid,
            "node_id": f"LE_{eid}",
            "url": f"{self.repo_url}/issues/events/{eid}",
            "actor": self.user(actor, "Bot" if actor.endswith("[bot]") else "User"),
            "event": kind,
            "commit_id": None,
            "commit_url": None,
            "created_at": iso(at),
            "performed_via_github_app": None,
            "label": {"name": label, "color": "ededed"},
        }

    def comment_event(self, c: Comment) -> dict[str, Any]:
        return {**self.comment(c), "event": "commented", "actor": self.user(c.user, c.user_type)}

    def branch(self, ref: str, sha: str, repo: dict[str, Any]) -> dict[str, Any]:
        owner = repo["owner"]["login"]
        return {"label": f"{owner}:{ref}", "ref": ref, "sha": sha, "user": repo["owner"], "repo": repo}

    def pull(self, i: Issue, p: Pull, labels: list[dict[str, Any]], repo: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.repo_url}/pulls/{i.number}"
        head_repo = dict(repo)
        if p.head_repo and p.head_repo != self.repo:
            fork_owner, fork_name = p.head_repo.split("/")
            head_repo.update(
                full_name=p.head_repo,
                name=fork_name,
                fork=True,
                owner=self.user(fork_owner),
                url=f"{API}/repos/{p.head_repo}",
                html_url=f"{WEB}/{p.head_repo}",
                id=self.uid(f"repo:{p.head_repo}"),
            )
        pid = self.uid(f"pull:{i.number}")
        return {
            "id": pid,
            "node_id": f"PR_{pid}",
            "url": url,
            "html_url": f"{WEB}/{self.repo}/pull/{i.number}",
            "diff_url": f"{WEB}/{self.repo}/pull/{i.number}.diff",
            "issue_url": f"{self.repo_url}/issues/{i.number}",
            "commits_url": f"{url}/commits",
            "comments_url": f"{self.repo_url}/issues/{i.number}/comments",
            "statuses_url": f"{self.repo_url}/statuses/{p.head_sha}",
            "number": i.number,
            "state": i.state,
            "locked": i.locked,
            "title": i.title,
            "body": i.body,
            "user": self.user(i.user, i.user_type),
            "labels": labels,
            "milestone": self.milestone(i.milestone),
            "draft": p.draft,
            "created_at": iso(i.created_at),
            "updated_at": iso(i.updated_at),
            "closed_at": iso(i.closed_at),
            "merged_at": iso(p.merged_at),
            "merged": p.merged,
            "mergeable": None,
            "merge_commit_sha": None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": self.branch(p.head_ref, p.head_sha, head_repo),
            "base": self.branch(p.base_ref, p.base_sha, repo),
            "author_association": i.author_association,
            "auto_merge": None,
            "comments": i.comments,
            "commits": 1,
            "additions": 0,
            "deletions": 0,
            "changed_files": len(p.changed),
        }

    def status(self, s: Status) -> dict[str, Any]:
        return {
            "url": f"{self.repo_url}/statuses/{s.sha}",
            "id": s.id,
            "node_id": f"SC_{s.id}",
            "state": s.state,
            "description": s.description,
            "target_url": s.target_url,
            "context": s.context,
            "created_at": iso(s.created_at),
            "updated_at": iso(s.created_at),
            "avatar_url": None,
            "creator": self.user(s.creator, "Bot" if s.creator.endswith("[bot]") else "User"),
        }

    def commit(self, sha: str, parent: str | None) -> dict[str, Any]:
        url = f"{self.repo_url}/commits/{sha}"
        author = {"name": "Fake Author", "email": "author@example.com", "date": "2024-05-01T12:00:00Z"}
        return {
            "sha": sha,
            "node_id": f"C_{sha[:8]}",
            "url": url,
            "html_url": f"{WEB}/{self.repo}/commit/{sha}",
            "comments_url": f"{url}/comments",
            "author": None,
            "committer": None,
            "commit": {
                "message": "commit",
                "author": author,
                "committer": author,
                "comment_count": 0,
                "url": f"{self.repo_url}/git/commits/{sha}",
                "tree": {"sha": fake_sha("tree" + sha), "url": f"{self.repo_url}/git/trees/{sha}"},
            },
            "parents": [{"sha": parent, "url": f"{self.repo_url}/commits/{parent}"}] if parent else [],
            "stats": {"total": 0, "additions": 0, "deletions": 0},
            "files": [],
        }

    def content(self, path: str, data: bytes, ref: str) -> dict[str, Any]:
        encoded = base64.b64encode(data).decode()
        wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
        return {
            "type": "file",
            "encoding": "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": wrapped,
            "sha": blob_sha(data),
            "url": f"{self.repo_url}/contents/{path}?ref={ref}",
            "git_url": f"{self.repo_url}/git/blobs/{blob_sha(data)}",
            "html_url": f"{WEB}/{self.repo}/blob/{ref}/{path}",
            "download_url": f"https://raw.githubusercontent.com/{self.repo}/{ref}/{path}",
            "_links": {
                "self": f"{self.repo_url}/contents/{path}?ref={ref}",
                "git": f"{self.repo_url}/git/blobs/{blob_sha(data)}",
                "html": f"{WEB}/{self.repo}/blob/{ref}/{path}",
            },
        }

    def dir_entry(self, path: str, is_dir: bool, ref: str) -> dict[str, Any]:
        return {
            "type": "dir" if is_dir else "file",
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": fake_sha(path + ref),
            "size": 0,
            "url": f"{self.repo_url}/contents/{path}?ref={ref}",
            "html_url": f"{WEB}/{self.repo}/tree/{ref}/{path}",
            "git_url": None,
            "download_url": None,
            "_links": {"self": f"{self.repo_url}/contents/{path}?ref={ref}", "git": None, "html": None},
        }

    def file_change(self, path: str, old: str | None, new: str | None, head_sha: str) -> dict[str, Any]:
        status = "added" if old is None else "removed" if new is None else "modified"
        diff = list(difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(), lineterm="", n=3))[2:]
        adds = sum(1 for line in diff if line.startswith("+"))
        dels = sum(1 for line in diff if line.startswith("-"))
        return {
            "sha": blob_sha((new or "").encode()),
            "filename": path,
            "status": status,
            "additions": adds,
            "deletions": dels,
            "changes": adds + dels,
            "blob_url": f"{WEB}/{self.repo}/blob/{head_sha}/{path}",
            "raw_url": f"{WEB}/{self.repo}/raw/{head_sha}/{path}",
            "contents_url": f"{self.repo_url}/contents/{path}?ref={head_sha}",
            "patch": "\n".join(diff),
        }


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
