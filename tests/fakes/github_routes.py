"""Route handlers of FakeGitHub (a mixin: `self` is the FakeGitHub with its state and lock held)."""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from ._http import Reply, Request
from .github_state import API, DOCS, Comment, Issue, parse_iso

R = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
STATUS_STATES = ("error", "failure", "pending", "success")
BODY_LIMIT = 65536


def not_found() -> Reply:
    return Reply(404, {"message": "Not Found", "documentation_url": DOCS})


def invalid(message: str, resource: str = "", field: str = "", code: str = "custom") -> Reply:
    err = {"resource": resource, "code": code, "field": field, "message": message}
    return Reply(422, {"message": "Validation Failed", "errors": [err], "documentation_url": DOCS})


class Routes:
    """Matches `(method, regex)` in order; the named groups become keyword arguments."""

    ROUTES: list[tuple[str, str, str]] = [
        ("GET", r"/user", "get_user"),
        ("GET", r"/users/(?P<login>[^/]+)", "get_named_user"),
        ("GET", R, "get_repo"),
        ("GET", R + r"/issues", "list_issues"),
        ("POST", R + r"/issues", "create_issue"),
        ("GET", R + r"/issues/comments", "list_repo_comments"),
        ("GET", R + r"/issues/comments/(?P<cid>\d+)", "get_comment"),
        ("PATCH", R + r"/issues/comments/(?P<cid>\d+)", "edit_comment"),
        ("DELETE", R + r"/issues/comments/(?P<cid>\d+)", "delete_comment"),
        ("POST", R + r"/issues/comments/(?P<cid>\d+)/reactions", "add_reaction"),
        ("GET", R + r"/issues/(?P<n>\d+)", "get_issue"),
        ("PATCH", R + r"/issues/(?P<n>\d+)", "edit_issue"),
        ("GET", R + r"/issues/(?P<n>\d+)/comments", "list_comments"),
        ("POST", R + r"/issues/(?P<n>\d+)/comments", "create_comment"),
        ("GET", R + r"/issues/(?P<n>\d+)/labels", "get_issue_labels"),
        ("GET", R + r"/issues/(?P<n>\d+)/timeline", "list_timeline"),
        ("POST", R + r"/issues/(?P<n>\d+)/labels", "add_issue_labels"),
        ("PUT", R + r"/issues/(?P<n>\d+)/labels", "set_issue_labels_route"),
        ("DELETE", R + r"/issues/(?P<n>\d+)/labels", "clear_issue_labels"),
        ("DELETE", R + r"/issues/(?P<n>\d+)/labels/(?P<label>[^/]+)", "remove_issue_label"),
        ("GET", R + r"/labels", "list_labels"),
        ("POST", R + r"/labels", "create_label"),
        ("GET", R + r"/labels/(?P<label>[^/]+)", "get_label"),
        ("PATCH", R + r"/labels/(?P<label>[^/]+)", "edit_label"),
        ("DELETE", R + r"/labels/(?P<label>[^/]+)", "delete_label"),
        ("GET", R + r"/pulls", "list_pulls"),
        ("GET", R + r"/pulls/(?P<n>\d+)", "get_pull"),
        ("GET", R + r"/pulls/(?P<n>\d+)/files", "list_pull_files"),
        ("GET", R + r"/contents(?:/(?P<path>.*))?", "get_contents"),
        ("GET", R + r"/commits/(?P<ref>[^/]+)", "get_commit"),
        ("GET", R + r"/commits/(?P<ref>[^/]+)/statuses", "list_statuses"),
        ("GET", R + r"/commits/(?P<ref>[^/]+)/status", "combined_status"),
        ("POST", R + r"/statuses/(?P<sha>[^/]+)", "create_status"),
        ("GET", R + r"/statuses/(?P<ref>[^/]+)", "list_statuses"),  # legacy alias PyGithub uses
        ("GET", R + r"/collaborators/(?P<user>[^/]+)/permission", "get_permission"),
        ("GET", R + r"/collaborators/(?P<user>[^/]+)", "is_collaborator"),
        ("GET", r"/rate_limit", "rate_limit"),
        ("GET", r"/orgs/(?P<org>[^/]+)/members/(?P<user>[^/]+)", "is_org_member"),
        ("GET", r"/orgs/(?P<org>[^/]+)", "get_org"),
        ("GET", r"/orgs/(?P<org>[^/]+)/teams", "list_teams"),
        ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)", "get_team"),
        ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)/memberships/(?P<user>[^/]+)", "get_membership"),
        ("GET", r"/organizations/(?P<org_id>\d+)/team/(?P<team_id>\d+)", "get_team_by_id"),
        (
            "GET",
            r"/organizations/(?P<org_id>\d+)/team/(?P<team_id>\d+)/memberships/(?P<user>[^/]+)",
            "get_membership_by_id",
        ),
    ]
    _compiled: list[tuple[str, re.Pattern[str], str]] | None = None

    # ------------------------------------------------------------------ routing
    def route(self, req: Request) -> Reply:
        if Routes._compiled is None:
            Routes._compiled = [(m, re.compile(p + r"/?"), h) for m, p, h in self.ROUTES]
        for method, pattern, handler in Routes._compiled:
            match = pattern.fullmatch(req.path)
            if match and method == req.method:
                args = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items() if v is not None}
                if "owner" in args and f"{args.pop('owner')}/{args.pop('name')}".lower() != self.repo.lower():
                    return not_found()
                if req.method in ("POST", "PATCH", "PUT") and req.json_error is not None:
                    return Reply(400, {"message": "Problems parsing JSON", "documentation_url": DOCS})
                return getattr(self, handler)(req, **args)
        return not_found()

    def page(self, req: Request, items: list[Any]) -> Reply:
        """GitHub pagination: per_page (default 30, max 100), page; Link with next/last/first/prev."""
        per_page = min(max(_int(req.query.get("per_page"), 30), 1), 100)
        page = max(_int(req.query.get("page"), 1), 1)
        last = max(math.ceil(len(items) / per_page), 1)

        def link(p: int, rel: str) -> str:
            query = urllib.parse.urlencode({**req.query, "page": str(p)})
            return f'<{API}{req.path}?{query}>; rel="{rel}"'

        links = ([link(page + 1, "next"), link(last, "last")] if page < last else []) + (
            [link(page - 1, "prev"), link(1, "first")] if page > 1 else []
        )
        return Reply(200, items[(page - 1) * per_page : page * per_page], {"Link": ", ".join(links)} if links else {})

    # ------------------------------------------------------------------ users, repo, orgs
    def get_user(self, req: Request) -> Reply:
        if self.user_status != 200:
            return Reply(
                self.user_status, {"message": "Resource not accessible by integration", "documentation_url": DOCS}
            )
        login = self.actor(req)
        return Reply(200, self.shapes.user(login, "Bot" if login.endswith("[bot]") else "User"))

    def get_named_user(self, req: Request, login: str) -> Reply:
        return Reply(200, self.shapes.user(login, "Bot" if login.endswith("[bot]") else "User"))

    def get_repo(self, req: Request) -> Reply:
        return Reply(200, self.shapes.repository(self.default_branch))

    def get_org(self, req: Request, org: str) -> Reply:
        if org != self.shapes.owner and not any(o == org for o, _ in self.teams):
            return not_found()
        oid = self.shapes.uid(f"org:{org}")
        return Reply(
            200,
            {
                "login": org,
                "id": oid,
                "node_id": f"O_{oid}",
                "url": f"{API}/orgs/{org}",
                "repos_url": f"{API}/orgs/{org}/repos",
                "description": None,
                "type": "Organization",
                "html_url": f"https://github.com/{org}",
                "avatar_url": "",
            },
        )

    # ------------------------------------------------------------------ issues
    def issue_json(self, issue: Issue) -> dict[str, Any]:
        return self.shapes.issue(issue, self.label_list(issue.labels), self.pulls.get(issue.number))

    def label_list(self, names: list[str]) -> list[dict[str, Any]]:
        return [self.shapes.label(self.labels[n.lower()]) for n in names]

    def get_issue(self, req: Request, n: str) -> Reply:
        issue = self.issues.get(int(n))
        return Reply(200, self.issue_json(issue)) if issue else not_found()

    def list_issues(self, req: Request) -> Reply:
        q = req.query
        state = q.get("state", "open")
        if state not in ("open", "closed", "all"):
            return invalid(f"state {state!r} is not one of open, closed, all", "Issue", "state")
        items = [i for i in self.issues.values() if state == "all" or i.state == state]
        if q.get("labels"):
            wanted = {w.strip().lower() for w in q["labels"].split(",") if w.strip()}
            items = [i for i in items if wanted <= {x.lower() for x in i.labels}]
        if q.get("since"):
            since = parse_iso(q["since"])
            items = [i for i in items if i.updated_at and i.updated_at >= since]
        for key in ("creator", "assignee"):
            if q.get(key):
                items = [
                    i for i in items if (i.user if key == "creator" else i.assignees[:1] and i.assignees[0]) == q[key]
                ]
        milestone = q.get("milestone")
        if milestone == "none":
            items = [i for i in items if i.milestone is None]
        elif milestone == "*":
            items = [i for i in items if i.milestone is not None]
        elif milestone:
            items = [i for i in items if str(i.milestone) == milestone]
        sort_key: Callable[[Issue], Any] = {
            "created": lambda i: (i.created_at, i.number),
            "updated": lambda i: (i.updated_at, i.number),
            "comments": lambda i: (i.comments, i.number),
        }.get(q.get("sort", "created"))
        if sort_key is None:
            return invalid("sort must be created, updated or comments", "Issue", "sort")
        items.sort(key=sort_key, reverse=q.get("direction", "desc") != "asc")
        return self.page(req, [self.issue_json(i) for i in items])

    def create_issue(self, req: Request) -> Reply:
        body = req.body if isinstance(req.body, dict) else {}
        if not isinstance(body.get("title"), str) or not body["title"]:
            return invalid("title is missing", "Issue", "title", "missing_field")
        number = max([*self.issues, 0]) + 1
        issue = self.add_issue(
            number,
            body["title"],
            body.get("body"),
            body.get("labels") or [],
            user=self.actor(req),
            user_type="Bot" if self.actor(req).endswith("[bot]") else "User",
        )
        return Reply(201, self.issue_json(issue))

    def edit_issue(self, req: Request, n: str) -> Reply:
        issue, body = self.issues.get(int(n)), req.body
        if issue is None:
            return not_found()
        if not isinstance(body, dict):
            return invalid("body must be an object", "Issue")
        if "state" in body and body["state"] not in ("open", "closed"):
            return invalid("state is not included in the list", "Issue", "state")
        if isinstance(body.get("body"), str) and len(body["body"]) > BODY_LIMIT:
            return invalid("body is too long (maximum is 65536 characters)", "Issue", "body")
        for key in ("title", "body", "state_reason", "milestone"):
            if key in body:
                setattr(issue, key, body[key])
        if "state" in body and body["state"] != issue.state:
            issue.state = body["state"]
            issue.closed_at = self.clock() if issue.state == "closed" else None
        if "labels" in body:
            self.set_issue_labels(
                issue.number, [x["name"] if isinstance(x, dict) else x for x in body["labels"]], actor=self.actor(req)
            )
        if "assignees" in body:
            issue.assignees = list(body["assignees"])
        issue.updated_at = self.clock()
        return Reply(200, self.issue_json(issue))

    # ------------------------------------------------------------------ comments
    def list_comments(self, req: Request, n: str) -> Reply:
        if int(n) not in self.issues:
            return not_found()
        items = self.comment_objs(int(n))
        if req.query.get("since"):
            since = parse_iso(req.query["since"])
            items = [c for c in items if c.updated_at >= since]
        return self.page(req, [self.shapes.comment(c) for c in items])

    def list_repo_comments(self, req: Request) -> Reply:
        items = sorted(self.comments_by_id.values(), key=lambda c: c.id, reverse=req.query.get("direction") == "desc")
        return self.page(req, [self.shapes.comment(c) for c in items])

    def _comment_body(self, req: Request) -> str | Reply:
        body = req.body.get("body") if isinstance(req.body, dict) else None
        if not isinstance(body, str) or not body:
            return invalid("body is missing", "IssueComment", "body", "missing_field")
        if len(body) > BODY_LIMIT:
            return invalid("Body is too long (maximum is 65536 characters)", "IssueComment", "body")
        return body

    def create_comment(self, req: Request, n: str) -> Reply:
        issue = self.issues.get(int(n))
        body = self._comment_body(req)
        if issue is None or isinstance(body, Reply):
            return body if issue else not_found()
        login = self.actor(req)
        c = self.add_comment(issue.number, body, login, "Bot" if login.endswith("[bot]") else "User", "NONE")
        issue.updated_at = c.created_at
        return Reply(201, self.shapes.comment(c), {"Location": self.shapes.comment(c)["url"]})

    def get_comment(self, req: Request, cid: str) -> Reply:
        c = self.comments_by_id.get(int(cid))
        return Reply(200, self.shapes.comment(c)) if c else not_found()

    def edit_comment(self, req: Request, cid: str) -> Reply:
        c = self.comments_by_id.get(int(cid))
        body = self._comment_body(req)
        if c is None or isinstance(body, Reply):
            return body if c else not_found()
        if c.user != self.actor(req) and self.foreign_edit_status:
            return Reply(
                self.foreign_edit_status,
                {"message": "Resource not accessible by integration", "documentation_url": DOCS},
            )
        c.body, c.updated_at = body, self.clock()
        return Reply(200, self.shapes.comment(c))

    def delete_comment(self, req: Request, cid: str) -> Reply:
        c = self.comments_by_id.pop(int(cid), None)
        if c is None:
            return not_found()
        self.issues[c.issue_number].comments -= 1
        return Reply(204)

    def add_reaction(self, req: Request, cid: str) -> Reply:
        c = self.comments_by_id.get(int(cid))
        content = req.body.get("content") if isinstance(req.body, dict) else None
        if c is None:
            return not_found()
        if content not in ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"):
            return invalid("content is not included in the list", "Reaction", "content")
        login = self.actor(req)
        existing = (login, content) in c.reactions
        if not existing:
            c.reactions.append((login, content))
        return Reply(
            200 if existing else 201,
            {
                "id": self.new_id(),
                "node_id": "REA_1",
                "content": content,
                "user": self.shapes.user(login),
                "created_at": "2024-05-01T12:00:00Z",
            },
        )

    # ------------------------------------------------------------------ issue labels
    def _label_names(self, req: Request) -> list[str] | Reply:
        body = req.body
        raw = body.get("labels") if isinstance(body, dict) else body  # PyGithub sends a bare array
        if not isinstance(raw, list):
            return invalid("labels must be an array", "Label", "labels")
        names = [x.get("name") if isinstance(x, dict) else x for x in raw]
        if not all(isinstance(x, str) and x.strip() for x in names):
            return invalid("label names must be non-empty strings", "Label", "name")
        return names

    def get_issue_labels(self, req: Request, n: str) -> Reply:
        issue = self.issues.get(int(n))
        return self.page(req, self.label_list(issue.labels)) if issue else not_found()

    def add_issue_labels(self, req: Request, n: str, replace: bool = False) -> Reply:
        issue, names = self.issues.get(int(n)), self._label_names(req)
        if issue is None or isinstance(names, Reply):
            return names if issue else not_found()
        self.set_issue_labels(issue.number, names if replace else issue.labels + names, actor=self.actor(req))
        issue.updated_at = self.clock()
        return Reply(200, self.label_list(issue.labels))

    def set_issue_labels_route(self, req: Request, n: str) -> Reply:
        return self.add_issue_labels(req, n, replace=True)

    def clear_issue_labels(self, req: Request, n: str) -> Reply:
        issue = self.issues.get(int(n))
        if issue is None:
            return not_found()
        issue.labels = []
        return Reply(204)

    def remove_issue_label(self, req: Request, n: str, label: str) -> Reply:
        issue = self.issues.get(int(n))
        if issue is None:
            return not_found()
        match = [x for x in issue.labels if x.lower() == label.lower()]
        if not match:
            return Reply(404, {"message": "Label does not exist", "documentation_url": DOCS})
        self.remove_issue_label_as(issue.number, match[0], self.actor(req))
        issue.updated_at = self.clock()
        return Reply(200, self.label_list(issue.labels))

    def list_timeline(self, req: Request, n: str) -> Reply:
        """Label events and comments, oldest first (other event kinds are not modelled)."""
        issue = self.issues.get(int(n))
        if issue is None:
            return not_found()
        items: list[tuple[Any, int, dict[str, Any]]] = [
            (at, i, self.shapes.label_event(issue.number, kind, label, actor, at, 90000 + i))
            for i, (kind, label, actor, at) in enumerate(issue.events)
        ]
        items += [(c.created_at, c.id, self.shapes.comment_event(c)) for c in self.comment_objs(issue.number)]
        items.sort(key=lambda t: (t[0], t[1]))
        return self.page(req, [e for _, _, e in items])

    # ------------------------------------------------------------------ repo labels
    def list_labels(self, req: Request) -> Reply:
        return self.page(req, [self.shapes.label(r) for r in self.labels.values()])

    def get_label(self, req: Request, label: str) -> Reply:
        rec = self.labels.get(label.lower())
        return Reply(200, self.shapes.label(rec)) if rec else not_found()

    def _check_label_fields(self, body: dict[str, Any]) -> Reply | None:
        color = body.get("color")
        if color is not None and not re.fullmatch(r"[0-9a-fA-F]{6}", str(color)):
            return invalid("color is invalid", "Label", "color", "invalid")
        if body.get("description") is not None and len(str(body["description"])) > 100:
            return invalid("description is too long (maximum is 100 characters)", "Label", "description")
        return None

    def create_label(self, req: Request) -> Reply:
        body = req.body if isinstance(req.body, dict) else {}
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            return invalid("name is missing", "Label", "name", "missing_field")
        if name.lower() in self.labels:
            return invalid("already_exists", "Label", "name", "already_exists")
        bad = self._check_label_fields(body)
        if bad:
            return bad
        rec = self.add_label(name, str(body.get("color") or "ededed").lower(), body.get("description"))
        return Reply(201, self.shapes.label(rec))

    def edit_label(self, req: Request, label: str) -> Reply:
        rec, body = self.labels.get(label.lower()), req.body if isinstance(req.body, dict) else {}
        if rec is None:
            return not_found()
        bad = self._check_label_fields(body)
        new_name = body.get("new_name") or body.get("name")
        if bad or (new_name and new_name.lower() != label.lower() and new_name.lower() in self.labels):
            return bad or invalid("already_exists", "Label", "name", "already_exists")
        if new_name and new_name != rec["name"]:
            old = rec["name"]
            del self.labels[old.lower()]
            rec["name"] = new_name
            self.labels[new_name.lower()] = rec
            for issue in self.issues.values():
                issue.labels = [new_name if x == old else x for x in issue.labels]
        if "color" in body:
            rec["color"] = str(body["color"]).lower()
        if "description" in body:
            rec["description"] = body["description"]
        return Reply(200, self.shapes.label(rec))

    def delete_label(self, req: Request, label: str) -> Reply:
        rec = self.labels.pop(label.lower(), None)
        if rec is None:
            return not_found()
        for issue in self.issues.values():
            issue.labels = [x for x in issue.labels if x != rec["name"]]
        return Reply(204)

    # ------------------------------------------------------------------ pulls and contents
    def pull_json(self, number: int) -> dict[str, Any]:
        issue = self.issues[number]
        return self.shapes.pull(
            issue, self.pulls[number], self.label_list(issue.labels), self.shapes.repository(self.default_branch)
        )

    def get_pull(self, req: Request, n: str) -> Reply:
        return Reply(200, self.pull_json(int(n))) if int(n) in self.pulls else not_found()

    def list_pulls(self, req: Request) -> Reply:
        state = req.query.get("state", "open")
        numbers = sorted(
            (n for n in self.pulls if state == "all" or self.issues[n].state == state),
            reverse=req.query.get("direction", "desc") != "asc",
        )
        if req.query.get("base"):
            numbers = [n for n in numbers if self.pulls[n].base_ref == req.query["base"]]
        return self.page(req, [self.pull_json(n) for n in numbers])

    def list_pull_files(self, req: Request, n: str) -> Reply:
        pull = self.pulls.get(int(n))
        if pull is None:
            return not_found()
        base = self.trees[pull.base_sha]
        items = [
            self.shapes.file_change(path, base.get(path), text, pull.head_sha)
            for path, text in sorted(pull.changed.items())
        ]
        return self.page(req, items)

    def resolve(self, ref: str | None) -> str | None:
        ref = ref or self.default_branch
        ref = ref.removeprefix("refs/heads/")
        if ref in self.refs:
            return self.refs[ref]
        return ref if ref in self.trees else None

    def get_contents(self, req: Request, path: str = "") -> Reply:
        ref = req.query.get("ref") or self.default_branch
        sha = self.resolve(ref)
        if sha is None:
            return Reply(404, {"message": f"No commit found for the ref {ref}", "documentation_url": DOCS})
        tree, path = self.trees[sha], path.strip("/")
        if path in tree:
            return Reply(200, self.shapes.content(path, tree[path].encode(), ref))
        prefix = f"{path}/" if path else ""
        children = sorted({p[len(prefix) :].split("/")[0] for p in tree if p.startswith(prefix)})
        if not children:
            return not_found()
        return Reply(200, [self.shapes.dir_entry(prefix + c, f"{prefix}{c}" not in tree, ref) for c in children])

    # ------------------------------------------------------------------ commits and statuses
    def get_commit(self, req: Request, ref: str) -> Reply:
        sha = self.resolve(ref)
        if sha is None:
            return Reply(422, {"message": f"No commit found for SHA: {ref}", "documentation_url": DOCS})
        return Reply(200, self.shapes.commit(sha, self.parents.get(sha)))

    def list_statuses(self, req: Request, ref: str) -> Reply:
        sha = self.resolve(ref)
        if sha is None:
            return not_found()
        return self.page(req, [self.shapes.status(s) for s in reversed(self.status_list) if s.sha == sha])

    def combined_status(self, req: Request, ref: str) -> Reply:
        sha = self.resolve(ref)
        if sha is None:
            return not_found()
        latest: dict[str, Any] = {}
        for s in reversed(self.status_list):
            if s.sha == sha:
                latest.setdefault(s.context.lower(), s)
        states = {s.state for s in latest.values()}
        state = (
            "failure"
            if states & {"error", "failure"}
            else "pending"
            if not states or "pending" in states
            else "success"
        )
        repo = self.shapes.repository(self.default_branch)
        return Reply(
            200,
            {
                "state": state,
                "sha": sha,
                "total_count": len(latest),
                "statuses": [self.shapes.status(s) for s in latest.values()],
                "repository": repo,
                "commit_url": f"{self.shapes.repo_url}/commits/{sha}",
                "url": f"{self.shapes.repo_url}/commits/{sha}/status",
            },
        )

    def create_status(self, req: Request, sha: str) -> Reply:
        body = req.body if isinstance(req.body, dict) else {}
        if body.get("state") not in STATUS_STATES:
            return invalid("state is not included in the list", "Status", "state")
        description = body.get("description")
        if description is not None and len(str(description)) > 140:
            return invalid("description is too long (maximum is 140 characters)", "Status", "description")
        if sha not in self.trees:
            return Reply(422, {"message": f"No commit found for SHA: {sha}", "documentation_url": DOCS})
        context = body.get("context") or "default"
        if sum(1 for s in self.status_list if s.sha == sha and s.context.lower() == context.lower()) >= 1000:
            return invalid("This SHA and context has reached the maximum number of statuses.", "Status")
        s = self.add_status(sha, body["state"], context, description, body.get("target_url"), self.actor(req))
        return Reply(201, self.shapes.status(s))

    # ------------------------------------------------------------------ teams and permissions
    def team_json(self, org: str, slug: str) -> dict[str, Any]:
        oid, tid = self.shapes.uid(f"org:{org}"), self.shapes.uid(f"team:{org}/{slug}")
        url = f"{API}/organizations/{oid}/team/{tid}"
        return {
            "id": tid,
            "node_id": f"T_{tid}",
            "url": url,
            "html_url": f"https://github.com/orgs/{org}/teams/{slug}",
            "name": slug,
            "slug": slug,
            "description": None,
            "privacy": "closed",
            "notification_setting": "notifications_enabled",
            "permission": "pull",
            "members_url": f"{url}/members{{/member}}",
            "repositories_url": f"{url}/repos",
            "parent": None,
        }

    def _team_denied(self) -> Reply | None:
        if self.team_access is None:
            return None
        if self.team_access == 404:
            return not_found()
        return Reply(self.team_access, {"message": "Resource not accessible by integration", "documentation_url": DOCS})

    def list_teams(self, req: Request, org: str) -> Reply:
        return self._team_denied() or self.page(req, [self.team_json(o, s) for o, s in self.teams if o == org])

    def get_team(self, req: Request, org: str, slug: str) -> Reply:
        denied = self._team_denied()
        if denied or (org, slug) not in self.teams:
            return denied or not_found()
        return Reply(200, self.team_json(org, slug))

    def get_membership(self, req: Request, org: str, slug: str, user: str) -> Reply:
        denied = self._team_denied()
        member = self.teams.get((org, slug), {}).get(user)
        if denied or member is None:
            return denied or not_found()
        tid = self.shapes.uid(f"team:{org}/{slug}")
        url = f"{API}/organizations/{self.shapes.uid(f'org:{org}')}/team/{tid}/memberships/{user}"
        return Reply(200, {"url": url, "role": member["role"], "state": member["state"]})

    def _team_by_ids(self, org_id: str, team_id: str) -> tuple[str, str] | None:
        for org, slug in self.teams:
            if (self.shapes.uid(f"org:{org}"), self.shapes.uid(f"team:{org}/{slug}")) == (int(org_id), int(team_id)):
                return org, slug
        return None

    def get_team_by_id(self, req: Request, org_id: str, team_id: str) -> Reply:
        key = self._team_by_ids(org_id, team_id)
        return self.get_team(req, *key) if key else (self._team_denied() or not_found())

    def get_membership_by_id(self, req: Request, org_id: str, team_id: str, user: str) -> Reply:
        key = self._team_by_ids(org_id, team_id)
        return self.get_membership(req, *key, user) if key else (self._team_denied() or not_found())

    def is_collaborator(self, req: Request, user: str) -> Reply:
        granted = self.permissions.get(user, "none") in ("admin", "maintain", "write", "triage")
        return Reply(204) if granted else not_found()

    def is_org_member(self, req: Request, org: str, user: str) -> Reply:
        denied = self._team_denied()
        member = any(o == org and user in members for (o, _), members in self.teams.items())
        return denied or (Reply(204) if member else not_found())

    def rate_limit(self, req: Request) -> Reply:
        core = {
            "limit": 5000,
            "remaining": self.ratelimit_remaining,
            "reset": 1893456000,
            "used": 5000 - self.ratelimit_remaining,
            "resource": "core",
        }
        search = {"limit": 30, "remaining": 30, "reset": 1893456000, "used": 0, "resource": "search"}
        graphql = {**core, "remaining": 5000, "used": 0, "resource": "graphql"}
        return Reply(200, {"resources": {"core": core, "search": search, "graphql": graphql}, "rate": core})

    def get_permission(self, req: Request, user: str) -> Reply:
        perm = self.permissions.get(user, "read")
        role = perm
        legacy = {"maintain": "write", "triage": "read"}.get(perm, perm)
        return Reply(200, {"permission": legacy, "role_name": role, "user": self.shapes.user(user)})


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


__all__ = ["Comment", "Routes", "invalid", "not_found"]
