"""The one error type that leaves labeler.gh: which request failed, how, and what to do about it.

PyGithub's and requests' exceptions are turned into it where a request is made (labeler.gh.client.request),
so callers catch one type, and the CLI shows it as one `::error::` line, never a traceback.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from labeler import runner
from labeler.errors import UserError

HINTS = {
    401: "GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN / the github-token input",
    403: "GitHub denied access (403): check the token's scopes and the job's `permissions:`",
    404: "GitHub found nothing there (404): check the repository name (GITHUB_REPOSITORY / --repo), the issue "
    "or pull request number, and that the token can see the repository",
    422: "GitHub rejected the request (422): check the inputs",
}


class GitHubError(UserError):
    """A GitHub request that failed: `status` (None when no answer came), `request` ("GET /repos/o/r/issues",
    never the token) and `hint` (what happened and what to check, naming GitHub). `transient` failures are
    worth retrying later."""

    def __init__(
        self,
        hint: str,
        *,
        request: str,
        status: int | None = None,
        reason: str = "",
        headers: dict[str, str] | None = None,
        transient: bool = False,
    ) -> None:
        answered = f"HTTP {status} {reason}".strip() if status is not None else "no answer"
        super().__init__(f"{hint} ({request}: {answered})")
        self.hint, self.request, self.status, self.reason = hint, request, status, reason
        self.headers = dict(headers or {})
        self.transient = transient

    def refusing(self, what: str) -> GitHubError:
        """The same failure, told as the write it stopped."""
        copy = GitHubError(
            self.hint,
            request=self.request,
            status=self.status,
            reason=self.reason,
            headers=self.headers,
            transient=self.transient,
        )
        if self.status is None:
            copy.message = f"could not {what}: {self.hint} ({self.request})"
        else:
            copy.message = f"GitHub refused to {what}: {self.status} {self.reason}; {self.hint} ({self.request})"
        copy.args = (copy.message,)
        return copy


class TimelineUnreadable(GitHubError):
    """The issue's timeline could not be read: callers must not apply what they cannot check."""


def request_name(method: str, url: str) -> str:
    """METHOD /path, without host or query (which is where a token could hide)."""
    return f"{method.upper()} {urlsplit(url).path or url}"


def status_hint(status: int) -> str:
    if status in HINTS:
        return HINTS[status]
    if status >= 500:
        return f"GitHub at {runner.api_url()} failed (HTTP {status}): try again later"
    return f"GitHub answered HTTP {status}"


def is_rate_limit(status: int | None, headers: dict[str, str], reason: str) -> bool:
    if status not in (403, 429):
        return False
    return "retry-after" in headers or "rate limit" in reason.lower() or headers.get("x-ratelimit-remaining") == "0"


def from_exception(e: BaseException, method: str, url: str) -> GitHubError | None:
    """PyGithub's or requests' exception as a GitHubError; None for anything else (a bug: let it show)."""
    from github import GithubException
    from requests.exceptions import RequestException

    request = request_name(method, url)
    if isinstance(e, GithubException):
        headers = {k.lower(): str(v) for k, v in (e.headers or {}).items()}
        data = e.data
        reason = str(data.get("message") or "") if isinstance(data, dict) else str(data or "")[:200]
        transient = e.status >= 500 or is_rate_limit(e.status, headers, reason)
        hint = status_hint(e.status)
        return GitHubError(hint, request=request, status=e.status, reason=reason, headers=headers, transient=transient)
    if isinstance(e, RequestException):
        return _no_answer(e, request)
    return None


def _no_answer(e: BaseException, request: str) -> GitHubError:
    from requests.exceptions import ConnectionError, RetryError, Timeout

    api = runner.api_url()
    if isinstance(e, RetryError):
        found = re.search(r"too many (\d{3}) error", str(e))
        status = int(found.group(1)) if found else None
        hint = f"GitHub at {api} kept failing (server errors after retries): try again later, and check GITHUB_API_URL"
        return GitHubError(hint, request=request, status=status, transient=True)
    if isinstance(e, (ConnectionError, Timeout)):
        hint = (
            f"cannot reach GitHub at {api} ({type(e).__name__}: connection refused, name not resolved or timed out): "
            "check GITHUB_API_URL and the network"
        )
        return GitHubError(hint, request=request, transient=True)
    hint = f"the request to GitHub at {api} failed ({type(e).__name__}): check GITHUB_API_URL"
    return GitHubError(hint, request=request)
