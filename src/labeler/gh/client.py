"""The client: a PyGithub requester for GITHUB_API_URL, paced, and one repository's calls over it.

Every request goes through `request()`, which turns PyGithub's and requests' exceptions into GitHubError.
Retries: PyGithub owns them for reads and idempotent writes (PATCH/PUT/DELETE). POST is taken out of its
retry set because a retried POST after a 502 duplicates a comment; labeler.gh.writes retries POSTs after
checking whether the first attempt already landed.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from labeler import runner, secrets
from labeler.errors import UserError
from labeler.gh import comments, paging, pulls, ratelimit, writes
from labeler.gh.errors import GitHubError, from_exception, request_name
from labeler.gh.records import Comment, Issue, PullRequest

if TYPE_CHECKING:
    from github import Github as Client
else:
    Client = Any

DEFAULT_BOT_LOGIN = "github-actions[bot]"


def connect(token: str | None = None) -> Client:
    """A PyGithub client for GITHUB_API_URL (GHES works), paced for secondary rate limits."""
    from github import Auth, Github, GithubRetry
    from urllib3.util.retry import Retry

    token = token or os.environ.get("GITHUB_TOKEN")
    if not token:
        raise UserError("no GitHub token: set GITHUB_TOKEN (the action's github-token input)")
    runner.mask(token)
    scale = ratelimit.pace()
    retry = GithubRetry(
        total=3 if scale else 0,
        backoff_factor=0.5 * scale,
        secondary_rate_wait=60 * scale,
        max_rate_limit_wait=ratelimit.WAIT_CAP,
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "PATCH"},
        raise_on_status=False,  # the last answer's status reaches us, not a bare "too many retries"
    )
    return Github(
        base_url=runner.api_url().rstrip("/"),
        auth=Auth.Token(token),
        timeout=30,
        per_page=paging.PER_PAGE,
        retry=retry,
        seconds_between_requests=0.25 * scale,
        seconds_between_writes=1.0 * scale,
        lazy=True,
    )


def request(
    client: Client, method: str, url: str, *, params: dict[str, Any] | None = None, body: Any = None
) -> tuple[dict[str, str], Any]:
    """One REST call: (headers with lower-cased names, parsed JSON). Any failure is a GitHubError."""
    try:
        headers, data = client.requester.requestJsonAndCheck(method, url, parameters=params, input=body)
    except Exception as e:
        raise (from_exception(e, method, url) or e) from None
    return {k.lower(): str(v) for k, v in (headers or {}).items()}, data


class GitHub:
    """One repository. Every method is one REST call, or one listing (labeler.gh.paging)."""

    def __init__(self, client: Client, repo: str, *, bot_login: str | None = None) -> None:
        self.client = client
        self.repo_name = repo
        self.bot_login = bot_login or os.environ.get("LABELER_BOT_LOGIN") or DEFAULT_BOT_LOGIN

    def url(self, path: str) -> str:
        """A path under the repository (`/issues/7`); absolute URLs (Link headers) pass through."""
        return path if path.startswith("http") else f"/repos/{self.repo_name}{path}"

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> tuple[dict[str, str], Any]:
        return request(self.client, method, self.url(path), params=params, body=body)

    def is_bot(self, user: dict[str, Any]) -> bool:
        """Exactly our login: another App (also `type: Bot`) must never pass for us."""
        return str(user.get("login") or "").lower() == self.bot_login.lower()

    # issues and comments --------------------------------------------------------------------------
    def issue(self, number: int) -> Issue:
        return Issue.from_event(self.request("GET", f"/issues/{number}")[1])

    def comments(self, number: int) -> list[Comment]:
        return comments.list_all(self, number) if number else []

    def is_ours(self, comment: Comment, marker: str) -> bool:
        """Our marker in a comment we wrote; anyone can paste the marker into their own comment."""
        if not comment.body.lstrip().startswith(marker):
            return False
        return self.is_bot({"login": comment.author, "type": "Bot" if comment.author_is_bot else "User"})

    def find_comment(self, number: int, marker: str, comments: list[Comment] | None = None) -> Comment | None:
        found = [c for c in (self.comments(number) if comments is None else comments) if self.is_ours(c, marker)]
        return found[0] if found else None

    def upsert_comment(
        self, number: int, marker: str, body: str, existing: Comment | None = None, *, known_absent: bool = False
    ) -> tuple[int, bool]:
        """Edit our marked comment or create it once. Returns (comment id, created)."""
        body = secrets.redact(body)
        if not body.lstrip().startswith(marker):
            body = f"{marker}\n{body}"
        current = existing or (None if known_absent else self.find_comment(number, marker))
        if current is not None:
            if current.body != body:
                self.request("PATCH", f"/issues/comments/{current.id}", body={"body": body})
            return current.id, False

        def create() -> tuple[int, bool]:
            return int(self.request("POST", f"/issues/{number}/comments", body={"body": body})[1]["id"]), True

        def landed() -> tuple[int, bool] | None:
            again = self.find_comment(number, marker)
            return (again.id, True) if again else None

        return writes.write(create, landed=landed, what=f"comment on #{number}")

    def add_labels(self, number: int, names: list[str]) -> None:
        """One call for all labels; adding is a set union, so a retry cannot duplicate."""
        if names:
            body = {"labels": list(names)}
            writes.write(lambda: self.request("POST", f"/issues/{number}/labels", body=body), what=f"label #{number}")

    def remove_label(self, number: int, name: str) -> None:
        try:
            self.request("DELETE", f"/issues/{number}/labels/{quote(name, safe='')}")
        except GitHubError as e:
            if e.status != 404:  # already gone is what we wanted
                raise e.refusing(f"remove a label from #{number}") from None

    # repository labels ----------------------------------------------------------------------------
    def repo_labels(self) -> dict[str, dict[str, str]]:
        found = [lbl for lbl in paging.pages(self, "/labels") if isinstance(lbl, dict)]
        return {str(lbl["name"]): {"color": lbl["color"], "description": lbl.get("description") or ""} for lbl in found}

    def create_label(self, name: str, color: str, description: str) -> None:
        body = {"name": name, "color": color, "description": description}
        writes.write(
            lambda: self.request("POST", "/labels", body=body),
            landed=lambda: True if name in self.repo_labels() else None,
            what=f"create label {name!r}",
        )

    def update_label(self, name: str, *, new_name: str | None = None, color: str, description: str) -> None:
        body = {"new_name": new_name or name, "color": color, "description": description}
        self.request("PATCH", f"/labels/{quote(name, safe='')}", body=body)

    def delete_label(self, name: str) -> None:
        self.request("DELETE", f"/labels/{quote(name, safe='')}")

    # pull requests, contents, statuses, teams -----------------------------------------------------
    def pull(self, number: int) -> PullRequest:
        return PullRequest.from_api(self.request("GET", f"/pulls/{number}")[1])

    def pull_files(self, number: int) -> list[dict[str, Any]]:
        return pulls.changed_files(self, number)

    def file_at(self, path: str, ref: str) -> str | None:
        """A file's text at a commit, or None when it does not exist there (or is a directory)."""
        try:
            _, data = self.request("GET", f"/contents/{quote(path)}", params={"ref": ref})
        except GitHubError as e:
            if e.status == 404:
                return None
            raise e.refusing(f"read {path}@{ref[:12]}") from None
        if not isinstance(data, dict) or data.get("type", "file") != "file":
            return None
        if data.get("encoding") != "base64":
            raise GitHubError(
                "GitHub does not serve this file's content through the API (too large)",
                request=request_name("GET", self.url(path)),
            )
        return base64.b64decode(str(data.get("content") or "")).decode("utf-8", "replace")

    def set_status(self, sha: str, state: str, context: str, description: str, target_url: str | None = None) -> None:
        """Statuses are last-writer-wins, so a retried POST is harmless. ASCII, <= 140 chars."""
        text = secrets.redact(description).encode("ascii", "replace").decode("ascii")[:140]
        body = {"state": state, "context": context, "description": text}
        if target_url:
            body["target_url"] = target_url
        writes.write(lambda: self.request("POST", f"/statuses/{sha}", body=body), what=f"set status {context}")

    def statuses(
        self, sha: str, until: Callable[[dict[str, Any]], bool] | None = None, *, max_pages: int = 50
    ) -> list[dict[str, Any]]:
        """A commit's statuses, newest first, page by page until one matches `until` (all pages without it).
        Busy CI can post hundreds; the first page alone would hide ours."""
        found = paging.pages(
            self,
            f"/commits/{sha}/statuses",
            limit=max_pages,
            enough=None if until is None else lambda items: any(isinstance(s, dict) and until(s) for s in items),
        )
        return [s for s in found if isinstance(s, dict)]

    def own_statuses(self, sha: str, context: str | None = None) -> list[dict[str, Any]]:
        """Only the statuses this bot set: anyone with push access can post a status with our context."""

        def ours(status: dict[str, Any]) -> bool:
            return self.is_bot(status.get("creator") or {})

        def wanted(status: dict[str, Any]) -> bool:
            return ours(status) and context is not None and same_context(status, context)

        return [s for s in self.statuses(sha, wanted) if ours(s)]

    def team_member(self, org: str, slug: str, user: str) -> bool | None:
        """True/False for active membership; None when the token cannot see the team (fail closed)."""
        try:
            _, data = request(self.client, "GET", f"/orgs/{org}/teams/{slug}/memberships/{user}")
        except GitHubError as e:
            if e.status == 404:
                return False
            if e.status in (401, 403):
                return None
            raise  # retries exhausted, no connection: the caller says it could not check
        return bool(isinstance(data, dict) and data.get("state") == "active")


def same_context(status: dict[str, Any], context: str) -> bool:
    return str(status.get("context", "")).lower() == context.lower()


def open_repo(repo: str | None = None, token: str | None = None) -> GitHub:
    return GitHub(connect(token), runner.repository(repo))
