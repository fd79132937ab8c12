"""The GitHub layer: only the calls the commands use, over PyGithub.

Retries: PyGithub owns them for reads and idempotent writes (PATCH/PUT/DELETE). POST is taken
out of its retry set because a retried POST after a 502 duplicates a comment; `_write()` retries
POSTs itself after checking whether the first attempt already landed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from labeler import runner, secrets
from labeler.errors import UserError
from labeler.gh.records import Comment, Issue, PullRequest

T = TypeVar("T")
DEFAULT_BOT_LOGIN = "github-actions[bot]"
WRITE_ATTEMPTS = 3
RATE_LIMIT_WAIT_CAP = 120.0


def _pace() -> float:
    raw = os.environ.get("LABELER_GITHUB_PACE", "").strip()
    try:
        return float(raw) if raw else 1.0
    except ValueError:
        raise UserError(f"LABELER_GITHUB_PACE must be a number, got {raw!r}") from None


def connect(token: str | None = None) -> Any:
    """A PyGithub client for GITHUB_API_URL (GHES works), paced for secondary rate limits."""
    from github import Auth, Github, GithubRetry
    from urllib3.util.retry import Retry

    token = token or os.environ.get("GITHUB_TOKEN")
    if not token:
        raise UserError("no GitHub token: set GITHUB_TOKEN (the action's github-token input)")
    runner.mask(token)
    pace = _pace()
    retry = GithubRetry(
        total=3 if pace else 0,
        backoff_factor=0.5 * pace,
        secondary_rate_wait=60 * pace,
        max_rate_limit_wait=RATE_LIMIT_WAIT_CAP,
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "PATCH"},
    )
    return Github(
        base_url=runner.api_url().rstrip("/"),
        auth=Auth.Token(token),
        timeout=30,
        per_page=100,
        retry=retry,
        seconds_between_requests=0.25 * pace,
        seconds_between_writes=1.0 * pace,
        lazy=True,
    )


def _transient(e: Exception) -> bool:
    from github import GithubException
    from requests.exceptions import RequestException

    if isinstance(e, GithubException):
        return e.status >= 500 or (e.status in (403, 429) and _is_rate_limit(e))
    return isinstance(e, RequestException)


def _is_rate_limit(e: Any) -> bool:
    headers = {k.lower(): v for k, v in (e.headers or {}).items()}
    message = str((e.data or {}).get("message", "") if isinstance(e.data, dict) else e.data).lower()
    return "retry-after" in headers or "rate limit" in message or headers.get("x-ratelimit-remaining") == "0"


def _wait(e: Exception, attempt: int) -> float:
    headers = {k.lower(): v for k, v in (getattr(e, "headers", None) or {}).items()}
    try:
        wait = float(headers["retry-after"])
    except (KeyError, ValueError):
        wait = 60.0 if getattr(e, "status", 0) in (403, 429) else 2.0**attempt
    return min(wait, RATE_LIMIT_WAIT_CAP) * _pace()


def _write(do: Callable[[], T], *, landed: Callable[[], T | None] | None = None, what: str) -> T:
    """Run a POST; on a transient failure check whether it landed anyway before trying again."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            return do()
        except Exception as e:
            if not _transient(e):
                raise _user_error(e, what) from None
            if landed is not None and (result := landed()) is not None:
                return result
            if attempt + 1 == WRITE_ATTEMPTS:
                raise _user_error(e, what) from None
            time.sleep(_wait(e, attempt))
    raise AssertionError("unreachable")


def _user_error(e: Exception, what: str) -> UserError:
    status = getattr(e, "status", None)
    data = getattr(e, "data", None)
    message = data.get("message") if isinstance(data, dict) else str(e)
    return UserError(f"GitHub refused to {what}: {status or ''} {message}".replace("  ", " "))


def failure(e: BaseException) -> UserError | None:
    """A GitHub read that failed for a reason a person can fix, as one message saying what to check."""
    from github import GithubException
    from requests.exceptions import ConnectionError, RequestException, RetryError, Timeout

    url = runner.api_url()
    if isinstance(e, GithubException):
        return _status_failure(e.status, url)
    if isinstance(e, RetryError):
        return UserError(
            f"GitHub at {url} kept failing (server errors after retries): try again later, and check GITHUB_API_URL"
        )
    if isinstance(e, (ConnectionError, Timeout)):
        return UserError(
            f"cannot reach GitHub at {url} ({type(e).__name__}: connection refused, name not "
            "resolved or timed out): check GITHUB_API_URL and the network"
        )
    if isinstance(e, RequestException):
        return UserError(f"the request to GitHub at {url} failed ({type(e).__name__}): check GITHUB_API_URL")
    return None


def _status_failure(status: int, url: str) -> UserError:
    hints = {
        401: "the token was rejected (401 Bad credentials): check GITHUB_TOKEN / the github-token input",
        403: "access denied (403): check the token's scopes and the job's `permissions:`",
        404: "not found (404): check the repository name (GITHUB_REPOSITORY / --repo), the issue or pull "
        "request number, and that the token can see the repository",
        422: "GitHub rejected the request (422): check the inputs",
    }
    hint = hints.get(status) or (
        f"GitHub at {url} failed (HTTP {status}): try again later"
        if status >= 500
        else f"GitHub answered HTTP {status}"
    )
    return UserError(f"GitHub: {hint}")


class GitHub:
    """One repository, through PyGithub. Every method is one or two REST calls."""

    def __init__(self, client: Any, repo: str, *, bot_login: str | None = None) -> None:
        self.client = client
        self.repo_name = repo
        self._repo: Any = None
        self.bot_login = bot_login or os.environ.get("LABELER_BOT_LOGIN") or DEFAULT_BOT_LOGIN

    @property
    def repo(self) -> Any:
        if self._repo is None:
            self._repo = self.client.get_repo(self.repo_name)
        return self._repo

    def _url(self, path: str) -> str:
        return f"{self.repo.url}{path}"

    # issues -------------------------------------------------------------------------------
    def issue(self, number: int) -> Issue:
        _, data = self.client.requester.requestJsonAndCheck("GET", self._url(f"/issues/{number}"))
        return Issue.from_event(data)

    def comments(self, number: int) -> list[Comment]:
        return (
            [
                Comment(
                    id=c.id,
                    body=c.body or "",
                    author=c.user.login if c.user else "",
                    author_is_bot=bool(c.user and c.user.type == "Bot"),
                )
                for c in self.repo.get_issue(number).get_comments()
            ]
            if number
            else []
        )

    def is_ours(self, comment: Comment, marker: str) -> bool:
        """Our marker in a comment we wrote; anyone can paste the marker into their own comment."""
        if not comment.body.lstrip().startswith(marker):
            return False
        return self._is_bot({"login": comment.author, "type": "Bot" if comment.author_is_bot else "User"})

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
                self.client.requester.requestJsonAndCheck(
                    "PATCH", self._url(f"/issues/comments/{current.id}"), input={"body": body}
                )
            return current.id, False

        def create() -> tuple[int, bool]:
            _, data = self.client.requester.requestJsonAndCheck(
                "POST", self._url(f"/issues/{number}/comments"), input={"body": body}
            )
            return int(data["id"]), True

        def landed() -> tuple[int, bool] | None:
            again = self.find_comment(number, marker)
            return (again.id, True) if again else None

        return _write(create, landed=landed, what=f"comment on #{number}")

    def add_labels(self, number: int, names: list[str]) -> None:
        """One call for all labels; adding is a set union, so a retry cannot duplicate."""
        if names:
            _write(
                lambda: self.client.requester.requestJsonAndCheck(
                    "POST", self._url(f"/issues/{number}/labels"), input={"labels": list(names)}
                ),
                what=f"label #{number}",
            )

    def remove_label(self, number: int, name: str) -> None:
        from urllib.parse import quote

        from github import GithubException

        try:
            self.client.requester.requestJsonAndCheck(
                "DELETE", self._url(f"/issues/{number}/labels/{quote(name, safe='')}")
            )
        except GithubException as e:
            if e.status != 404:  # already gone is what we wanted
                raise _user_error(e, f"remove a label from #{number}") from None

    # repository labels ------------------------------------------------------------------------
    def repo_labels(self) -> dict[str, dict[str, str]]:
        return {lbl.name: {"color": lbl.color, "description": lbl.description or ""} for lbl in self.repo.get_labels()}

    def create_label(self, name: str, color: str, description: str) -> None:
        _write(
            lambda: self.client.requester.requestJsonAndCheck(
                "POST", self._url("/labels"), input={"name": name, "color": color, "description": description}
            ),
            landed=lambda: True if name in self.repo_labels() else None,
            what=f"create label {name!r}",
        )

    def update_label(self, name: str, *, new_name: str | None = None, color: str, description: str) -> None:
        from urllib.parse import quote

        body = {"new_name": new_name or name, "color": color, "description": description}
        self.client.requester.requestJsonAndCheck("PATCH", self._url(f"/labels/{quote(name, safe='')}"), input=body)

    def delete_label(self, name: str) -> None:
        from urllib.parse import quote

        self.client.requester.requestJsonAndCheck("DELETE", self._url(f"/labels/{quote(name, safe='')}"))

    # pull requests, contents, statuses, teams ---------------------------------------------------
    def pull(self, number: int) -> PullRequest:
        _, data = self.client.requester.requestJsonAndCheck("GET", self._url(f"/pulls/{number}"))
        return PullRequest.from_api(data)

    def pull_files(self, number: int) -> list[dict[str, Any]]:
        return [{"filename": f.filename, "status": f.status} for f in self.repo.get_pull(number).get_files()]

    def file_at(self, path: str, ref: str) -> str | None:
        """A file's text at a commit, or None when it does not exist there."""
        from github import GithubException

        try:
            content = self.repo.get_contents(path, ref=ref)
        except GithubException as e:
            if e.status == 404:
                return None
            raise _user_error(e, f"read {path}@{ref[:12]}") from None
        if isinstance(content, list):
            return None
        return bytes(content.decoded_content).decode("utf-8", "replace")

    def set_status(self, sha: str, state: str, context: str, description: str, target_url: str | None = None) -> None:
        """Statuses are last-writer-wins, so a retried POST is harmless. ASCII, <= 140 chars."""
        text = secrets.redact(description).encode("ascii", "replace").decode("ascii")[:140]
        body = {"state": state, "context": context, "description": text}
        if target_url:
            body["target_url"] = target_url
        _write(
            lambda: self.client.requester.requestJsonAndCheck("POST", self._url(f"/statuses/{sha}"), input=body),
            what=f"set status {context}",
        )

    def statuses(
        self, sha: str, until: Callable[[dict[str, Any]], bool] | None = None, *, max_pages: int = 50
    ) -> list[dict[str, Any]]:
        """A commit's statuses, newest first, page by page until one matches `until` (all pages without it).
        Busy CI can post hundreds; the first page alone would hide ours."""
        found: list[dict[str, Any]] = []
        for page in range(1, max_pages + 1):
            _, data = self.client.requester.requestJsonAndCheck(
                "GET", self._url(f"/commits/{sha}/statuses"), parameters={"per_page": 100, "page": page}
            )
            batch = list(data or [])
            found += batch
            if len(batch) < 100 or (until is not None and any(until(s) for s in batch)):
                break
        return found

    def own_statuses(self, sha: str, context: str | None = None) -> list[dict[str, Any]]:
        """Only the statuses this bot set: anyone with push access can post a status with our context."""

        def ours(status: dict[str, Any]) -> bool:
            return self._is_bot(status.get("creator") or {})

        def wanted(status: dict[str, Any]) -> bool:
            return ours(status) and context is not None and _same_context(status, context)

        return [s for s in self.statuses(sha, wanted) if ours(s)]

    def _is_bot(self, user: dict[str, Any]) -> bool:
        """Exactly our login: another App (also `type: Bot`) must never pass for us."""
        return str(user.get("login") or "").lower() == self.bot_login.lower()

    def team_member(self, org: str, slug: str, user: str) -> bool | None:
        """True/False for active membership; None when the token cannot see the team (fail closed)."""
        from github import GithubException

        base = runner.api_url().rstrip("/")
        try:
            _, data = self.client.requester.requestJsonAndCheck(
                "GET", f"{base}/orgs/{org}/teams/{slug}/memberships/{user}"
            )
        except GithubException as e:
            if e.status == 404:
                return False
            if e.status in (401, 403):
                return None
            raise _user_error(e, f"check team {org}/{slug}") from None
        except Exception as e:  # retries exhausted, connection: the caller says it could not check
            raise (failure(e) or e) from None
        return bool(data and data.get("state") == "active")


def _same_context(status: dict[str, Any], context: str) -> bool:
    return str(status.get("context", "")).lower() == context.lower()


def open_repo(repo: str | None = None, token: str | None = None) -> GitHub:
    return GitHub(connect(token), runner.repository(repo))


# label-issue: timeline and open-issue listing (issue 14). Kept apart so other moves into gh.py merge cleanly.
class TimelineUnreadable(UserError):
    """The issue's timeline could not be read: callers must not apply what they cannot check."""


def issue_timeline(gh: GitHub, number: int) -> list[dict[str, Any]]:
    """Every event of an issue (labeled, unlabeled, commented, …), oldest first, all pages.

    `GET /repos/{o}/{r}/issues/{n}/timeline`, 100 a page. Any failure raises TimelineUnreadable.
    """
    from github import GithubException
    from requests.exceptions import RequestException

    url: str | None = gh._url(f"/issues/{number}/timeline")
    params: dict[str, Any] | None = {"per_page": 100}
    events: list[dict[str, Any]] = []
    try:
        while url:
            headers, data = gh.client.requester.requestJsonAndCheck("GET", url, parameters=params)
            if not isinstance(data, list):
                raise TimelineUnreadable(f"the timeline of #{number} is not a list")
            events += [e for e in data if isinstance(e, dict)]
            url, params = _next_link(headers or {}), None
    except (GithubException, RequestException) as e:
        raise TimelineUnreadable(
            f"could not read the timeline of #{number} ({getattr(e, 'status', None) or type(e).__name__})"
        ) from None
    return events


def _next_link(headers: dict[str, Any]) -> str | None:
    link = next((v for k, v in headers.items() if k.lower() == "link"), "") or ""
    for part in str(link).split(","):
        if 'rel="next"' in part and "<" in part:
            return part[part.index("<") + 1 : part.index(">")]
    return None


def timeline_comments(events: list[dict[str, Any]]) -> list[Comment]:
    """The issue's comments as the timeline lists them (`commented` events): no second request."""
    found = []
    for e in events:
        if e.get("event") != "commented" or not isinstance(e.get("id"), int):
            continue
        user = e.get("user") or e.get("actor") or {}
        found.append(
            Comment(
                id=e["id"],
                body=str(e.get("body") or ""),
                author=str(user.get("login") or ""),
                author_is_bot=user.get("type") == "Bot",
            )
        )
    return found


def open_issues(gh: GitHub, *, limit: int) -> list[Issue]:
    """Open issues (pull requests left out), newest first, at most `limit`; one request per 100."""
    issues: list[Issue] = []
    page = 1
    while len(issues) < limit:
        _, data = gh.client.requester.requestJsonAndCheck(
            "GET",
            gh._url("/issues"),
            parameters={"state": "open", "sort": "created", "direction": "desc", "per_page": 100, "page": page},
        )
        if not data:
            break
        issues += [Issue.from_event(d) for d in data if isinstance(d, dict) and not d.get("pull_request")]
        if len(data) < 100:
            break
        page += 1
    return issues[:limit]
