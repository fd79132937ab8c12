"""FakeGitHub: a stateful GitHub REST stand-in on 127.0.0.1 that real PyGithub talks to.

    with FakeGitHub() as gh:                      # or the `fake_github` fixture (env already set)
        gh.add_issue(7, "Crash on start", "details", labels=["bug"])
        g = github.Github(base_url=gh.url, auth=github.Auth.Token("t"), retry=0,
                          seconds_between_requests=0, seconds_between_writes=0)
        g.get_repo("acme/widgets").get_issue(7).create_comment("hi")
        assert gh.comments(7) == ["hi"]
        assert [(r.method, r.path) for r in gh.writes()] == [("POST", "/repos/acme/widgets/issues/7/comments")]

One repository (default "acme/widgets"). Paths are recorded without the optional GHES `/api/v3`
prefix. Unknown routes answer 404 JSON; a bug in the fake answers 400 with the error text (never
5xx: PyGithub retries those) and is kept in `gh.errors` (the fixture fails the test on it).
Faults: `fail()` (any status, optionally after applying the write), `secondary_rate_limit()`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from ._http import LoopbackServer, Reply, Request
from .github_routes import Routes, not_found
from .github_state import API, DOCS, Clock, Comment, Issue, Pull, Shapes, Status, fake_sha

GHES_PREFIX = "/api/v3"


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    after_apply: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    skip: int = 0
    body: Any = None

    def matches(self, req: Request) -> bool:
        return self.method in ("*", req.method) and bool(self.pattern.search(req.path))


class FakeGitHub(Routes, LoopbackServer):
    """Stateful fake of the REST endpoints `labeler` uses. See the module docstring."""

    def __init__(
        self,
        repo: str = "acme/widgets",
        *,
        login: str = "github-actions[bot]",
        default_branch: str = "main",
        validator: Callable[[Request], list[str]] | None = None,
        log_path: str | None = None,
    ) -> None:
        LoopbackServer.__init__(self)
        self.repo = repo
        self.shapes = Shapes(repo)
        self.clock = Clock()
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.violations: list[str] = []  # OpenAPI request-validation failures (see openapi.py)
        self.validator = validator
        self.log_path = log_path
        # Who the token is. GET /user answers `user_status` (a real Actions GITHUB_TOKEN gets 403
        # "Resource not accessible by integration": set user_status=403 to test that path).
        self.login = login
        self.user_status = 200
        self.tokens: dict[str, str] | None = None  # token -> login; None accepts any token as `login`
        self.require_auth = True  # writes without Authorization -> 401
        self.team_access: int | None = None  # 403/404: team endpoints answer that (token lacks org read)
        # Real GitHub lets a write-access token edit anyone's comment; the fake answers this status instead
        # (None: allow) so a test catches code that edits a comment it did not write.
        self.foreign_edit_status: int | None = 403
        self.ratelimit_remaining = 5000
        self.default_branch = default_branch
        self.issues: dict[int, Issue] = {}
        self.pulls: dict[int, Pull] = {}
        self.comments_by_id: dict[int, Comment] = {}
        self.labels: dict[str, dict[str, Any]] = {}  # lower-case name -> record
        self.status_list: list[Status] = []
        self.trees: dict[str, dict[str, str]] = {}  # sha -> {path: text}
        self.refs: dict[str, str] = {}  # branch -> sha
        self.parents: dict[str, str] = {}  # sha -> parent sha
        self.teams: dict[tuple[str, str], dict[str, dict[str, str]]] = {}  # (org, slug) -> user -> membership
        self.permissions: dict[str, str] = {}  # user -> admin|maintain|write|triage|read|none
        self.faults: list[Fault] = []
        self._next_id = 5000
        self.add_commit(fake_sha("initial"), {}, branch=default_branch)

    # ------------------------------------------------------------------ URLs
    @property
    def url(self) -> str:
        """Base URL for GITHUB_API_URL / Github(base_url=...)."""
        return self.base

    @property
    def ghes_url(self) -> str:
        return self.base + GHES_PREFIX

    # ------------------------------------------------------------------ seeding
    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_label(self, name: str, color: str = "ededed", description: str | None = None) -> dict[str, Any]:
        with self.lock:
            rec = {"id": self.new_id(), "name": name, "color": color, "description": description, "default": False}
            self.labels[name.lower()] = rec
            return rec

    def add_issue(
        self,
        number: int,
        title: str = "An issue",
        body: str | None = "",
        labels: list[str] = (),
        user: str = "alice",
        user_type: str = "User",
        state: str = "open",
        author_association: str = "NONE",
        pull_request: bool = False,
        milestone: int | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
        **extra: Any,
    ) -> Issue:
        """Seed an issue (labels missing from the repo are created, as GitHub does when adding)."""
        from .github_state import parse_iso

        with self.lock:
            created = parse_iso(created_at) if created_at else self.clock()
            issue = Issue(
                number=number,
                title=title,
                body=body,
                user=user,
                user_type=user_type,
                state=state,
                labels=[],
                author_association=author_association,
                created_at=created,
                updated_at=parse_iso(updated_at) if updated_at else created,
                milestone=milestone,
                is_pr=pull_request,
                closed_at=created if state == "closed" else None,
                **extra,
            )
            self.issues[number] = issue
            self.set_issue_labels(number, list(labels))
            if pull_request and number not in self.pulls:
                self.pulls[number] = Pull(
                    number,
                    head_sha=fake_sha(f"head{number}"),
                    base_sha=self.refs[self.default_branch],
                    head_repo=self.repo,
                )
                self.trees.setdefault(self.pulls[number].head_sha, dict(self.trees[self.refs[self.default_branch]]))
            return issue

    def add_pr(
        self,
        number: int,
        head_sha: str | None = None,
        files: dict[str, str | None] | None = None,
        labels: list[str] = (),
        base_files: dict[str, str] | None = None,
        title: str = "A pull request",
        body: str | None = "",
        user: str = "alice",
        merged: bool = False,
        state: str = "open",
        head_ref: str = "feature",
        base_ref: str | None = None,
        head_repo: str | None = None,
        draft: bool = False,
        author_association: str = "CONTRIBUTOR",
        **issue_kw: Any,
    ) -> Pull:
        """Seed a PR. `files` are the changed files at the head (None = removed); `base_files` is the base tree
        (default: the default branch's tree). `head_repo` "someone/widgets" makes it a fork PR."""
        with self.lock:
            base_ref = base_ref or self.default_branch
            base_sha = (
                self.refs[base_ref]
                if base_files is None
                else self.add_commit(fake_sha(f"base{number}{sorted(base_files.items())}"), base_files)
            )
            head_sha = head_sha or fake_sha(f"head{number}")
            pull = Pull(
                number,
                head_sha=head_sha,
                base_sha=base_sha,
                head_ref=head_ref,
                base_ref=base_ref,
                head_repo=head_repo or self.repo,
                merged=merged,
                draft=draft,
                changed=dict(files or {}),
            )
            if merged:
                state = "closed"
            self.pulls[number] = pull
            self._write_head(pull)
            self.add_issue(
                number,
                title,
                body,
                labels,
                user=user,
                state=state,
                pull_request=True,
                author_association=author_association,
                **issue_kw,
            )
            if merged:
                pull.merged_at = self.issues[number].closed_at
            return pull

    def set_head(self, number: int, new_sha: str, files: dict[str, str | None] | None = None) -> None:
        """Simulate a push: the PR's head moves to `new_sha` (statuses stay with the old SHA)."""
        with self.lock:
            pull = self.pulls[number]
            pull.head_sha = new_sha
            if files is not None:
                pull.changed.update(files)
            self._write_head(pull)
            self.issues[number].updated_at = self.clock()

    def _write_head(self, pull: Pull) -> None:
        tree = dict(self.trees[pull.base_sha])
        for path, text in pull.changed.items():
            if text is None:
                tree.pop(path, None)
            else:
                tree[path] = text
        self.trees[pull.head_sha] = tree
        self.parents[pull.head_sha] = pull.base_sha

    def add_commit(self, sha: str, files: dict[str, str], branch: str | None = None, parent: str | None = None) -> str:
        """A commit with the full tree `files`; `branch` moves that branch to it."""
        with self.lock:
            self.trees[sha] = dict(files)
            if parent:
                self.parents[sha] = parent
            if branch:
                self.refs[branch] = sha
            return sha

    def add_file(self, path: str, text: str, branch: str | None = None) -> str:
        """Commit one file on a branch (default branch by default); returns the new SHA."""
        with self.lock:
            branch = branch or self.default_branch
            old = self.refs[branch]
            tree = {**self.trees[old], path: text}
            return self.add_commit(fake_sha(f"{old}{path}{text}"), tree, branch=branch, parent=old)

    def add_comment(
        self, number: int, body: str, user: str = "alice", user_type: str = "User", author_association: str = "NONE"
    ) -> Comment:
        with self.lock:
            now = self.clock()
            c = Comment(self.new_id(), number, body, user, user_type, author_association, now, now)
            self.comments_by_id[c.id] = c
            self.issues[number].comments += 1
            return c

    def add_status(
        self,
        sha: str,
        state: str,
        context: str = "default",
        description: str | None = None,
        target_url: str | None = None,
        creator: str | None = None,
    ) -> Status:
        with self.lock:
            s = Status(self.new_id(), sha, state, context, description, target_url, self.clock(), creator or self.login)
            self.status_list.append(s)
            return s

    def add_team_member(self, org: str, slug: str, user: str, state: str = "active", role: str = "member") -> None:
        with self.lock:
            self.teams.setdefault((org, slug), {})[user] = {"state": state, "role": role}

    def add_team(self, org: str, slug: str) -> None:
        with self.lock:
            self.teams.setdefault((org, slug), {})

    def set_permission(self, user: str, permission: str) -> None:
        self.permissions[user] = permission

    def set_issue_labels(self, number: int, names: list[str], actor: str | None = None) -> None:
        """Set an issue's labels; with `actor`, the changes go into its timeline as that user's events."""
        with self.lock:
            issue = self.issues[number]
            before = list(issue.labels)
            issue.labels = []
            for name in names:
                rec = self.labels.get(name.lower()) or self.add_label(name)
                if rec["name"] not in issue.labels:
                    issue.labels.append(rec["name"])
            if actor:
                now = self.clock()
                issue.events += [("unlabeled", n, actor, now) for n in before if n not in issue.labels]
                issue.events += [("labeled", n, actor, now) for n in issue.labels if n not in before]

    def remove_issue_label_as(self, number: int, name: str, actor: str = "maintainer") -> None:
        """A person (or the bot) removes a label: it leaves the issue and an `unlabeled` event is recorded."""
        with self.lock:
            issue = self.issues[number]
            match = [x for x in issue.labels if x.lower() == name.lower()]
            if match:
                issue.labels.remove(match[0])
                issue.events.append(("unlabeled", match[0], actor, self.clock()))

    # ------------------------------------------------------------------ faults
    def fail(
        self,
        method: str,
        path_regex: str,
        status: int = 502,
        times: int = 1,
        after_apply: bool = False,
        headers: dict[str, str] | None = None,
        skip: int = 0,
        body: Any = None,
    ) -> Fault:
        """The next `times` requests matching METHOD ("*" = any) and `path_regex` (re.search on the path
        without /api/v3) get `status`, after letting `skip` matches through. after_apply=True applies the
        write first, then answers the error (a retried POST then duplicates)."""
        msg = (
            body
            if body is not None
            else {
                "message": HTTPStatus(status).phrase
                if status in HTTPStatus._value2member_map_
                else f"fake fault {status}",
                "documentation_url": DOCS,
            }
        )
        fault = Fault(
            method.upper(), re.compile(path_regex), status, times, after_apply, dict(headers or {}), skip, msg
        )
        with self.lock:
            self.faults.append(fault)
        return fault

    def secondary_rate_limit(
        self, method: str = "*", path_regex: str = ".", status: int = 403, retry_after: int = 0, times: int = 1
    ) -> Fault:
        """Answer like GitHub's secondary (abuse) limit: 403/429 with `retry-after` and its message."""
        body = {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        }
        return self.fail(method, path_regex, status, times, headers={"retry-after": str(retry_after)}, body=body)

    def _take_fault(self, req: Request) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(req):
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.times -= 1
                return fault
        return None

    # ------------------------------------------------------------------ assertions
    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests]

    def comments(self, number: int) -> list[str]:
        return [c.body for c in self.comment_objs(number)]

    def comment_objs(self, number: int) -> list[Comment]:
        return sorted((c for c in self.comments_by_id.values() if c.issue_number == number), key=lambda c: c.id)

    def issue_labels(self, number: int) -> list[str]:
        return list(self.issues[number].labels)

    def statuses(self, sha: str) -> list[dict[str, Any]]:
        """Newest first, as GitHub lists them: dicts with state/context/description/target_url."""
        return [
            {"state": s.state, "context": s.context, "description": s.description, "target_url": s.target_url}
            for s in reversed(self.status_list)
            if s.sha == sha
        ]

    def repo_labels(self) -> dict[str, dict[str, Any]]:
        return {r["name"]: {"color": r["color"], "description": r["description"]} for r in self.labels.values()}

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, req: Request) -> Reply:
        prefix = ""
        if req.path.startswith(GHES_PREFIX + "/") or req.path == GHES_PREFIX:
            prefix, req.path = GHES_PREFIX, req.path[len(GHES_PREFIX) :] or "/"
        with self.lock:
            self.requests.append(req)
            self._log(req)
            if self.validator is not None:
                self.violations.extend(self.validator(req))
            reply = self._answer(req)
            self.ratelimit_remaining = max(self.ratelimit_remaining - 1, 0)
            reply.headers.update(self._rate_headers())
        return self._rewrite(reply, self.base + prefix)

    def _answer(self, req: Request) -> Reply:
        fault = self._take_fault(req)
        if fault and not fault.after_apply:
            return Reply(fault.status, fault.body, dict(fault.headers))
        reply = self._authorize(req) or self.route(req)
        if fault:
            return Reply(fault.status, fault.body, dict(fault.headers))
        return reply

    def _authorize(self, req: Request) -> Reply | None:
        auth = req.header("authorization") or ""
        token = auth.split(" ", 1)[1] if " " in auth else ""
        if self.tokens is not None and auth and token not in self.tokens:
            return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        if self.require_auth and not auth and req.method != "GET":
            return Reply(
                401, {"message": "Requires authentication", "documentation_url": "https://docs.github.com/rest"}
            )
        return None

    def actor(self, req: Request) -> str:
        auth = req.header("authorization") or ""
        token = auth.split(" ", 1)[1] if " " in auth else ""
        return (self.tokens or {}).get(token, self.login)

    def _rate_headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(self.ratelimit_remaining),
            "x-ratelimit-used": str(5000 - self.ratelimit_remaining),
            "x-ratelimit-resource": "core",
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-github-request-id": f"FAKE:{len(self.requests)}",
            "x-github-api-version-selected": "2022-11-28",
        }

    @staticmethod
    def _rewrite(reply: Reply, base: str) -> Reply:
        if reply.body is not None and not isinstance(reply.body, bytes):
            reply.body = json.dumps(reply.body).replace(API, base).encode()
        if "Link" in reply.headers:
            reply.headers["Link"] = reply.headers["Link"].replace(API, base)
        return reply

    def _log(self, req: Request) -> None:
        if self.log_path:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(req.as_dict()) + "\n")


__all__ = ["FakeGitHub", "Fault", "not_found"]
