"""GitHub Models' free limits as one run meets them: learned from each response (a transport hook), checked
before each request (wait when the refill is near, give up when it is not), and explained when the provider
stops answering. One Quota per models URL and process, so a backlog's or replay's many requests share it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from labeler import limits

REFUSED = (
    "GitHub Models refused the workflow token (HTTP {status}). Add `models: read` to the job's `permissions:` "
    "(next to `issues: write`); if it is there, this account or organization has no GitHub Models access "
    "(an organization owner enables it in the organization's Copilot / Models policies)"
)
SPENT = (
    "GitHub Models' free rate limit for this model is reached (it resets in about {wait}); "
    "runs after that call it again"
)
_SHARED: dict[str, Quota] = {}


class Quota:
    def __init__(
        self,
        cap: float,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.cap = cap  # the longest wait worth sitting out, in seconds (LABELER_RETRY_AFTER_CAP)
        self.window = limits.Window()
        self.seen_at = 0.0
        self.status = 0
        self.calls = 0  # answered requests
        self._clock, self._wall, self._sleep = clock, wall, sleep

    def observe(self, response: Any) -> None:
        """httpx response hook: remember the quota; on a 429 tell the SDK how long to wait, or not to retry."""
        headers = {k.lower(): v for k, v in response.headers.items()}
        self.status = response.status_code
        if any(k.startswith(("x-ratelimit-", "retry-after")) for k in headers):
            self.window, self.seen_at = limits.window(headers, self._wall()), self._clock()
        if response.status_code < 400:
            self.calls += 1
        elif response.status_code == 429:
            wait = limits.wait_after_429(self.window)
            if wait is not None and wait > self.cap:
                response.headers["x-should-retry"] = "false"  # a day's limit: fall back now, not after retries
            elif wait is not None:
                response.headers["retry-after"] = f"{wait:.3f}"
                response.headers.pop("retry-after-ms", None)

    def wait(self) -> float:
        return limits.pace(self.window) - (self._clock() - self.seen_at) if self.seen_at else 0.0

    def before_request(self) -> str | None:
        """Sleep until the next request can pass; the reason instead when that is longer than the cap."""
        wait = self.wait()
        if wait > self.cap:
            return SPENT.format(wait=limits.duration(wait))
        if wait > 0:
            self._sleep(wait)
        return None

    @property
    def refused(self) -> bool:
        return self.status in (401, 403)

    def unavailable(self) -> str | None:
        """Why the last request failed for good, in words a maintainer can act on; None for other failures."""
        if self.refused:
            return REFUSED.format(status=self.status)
        if self.status == 429:
            after = limits.wait_after_429(self.window)
            return SPENT.format(wait=limits.duration(after) if after is not None else "a minute")
        return None

    def left(self) -> str:
        """Calls made and what GitHub last said is left, for a run's report."""
        left = self.window.remaining_requests
        said = f"; {left} left in the current window" if left is not None else ""
        return f"{self.calls} GitHub Models call(s){said}"


def shared(url: str, cap: float) -> Quota:
    quota = _SHARED.setdefault(url.rstrip("/"), Quota(cap))
    quota.cap = cap
    return quota


def forget() -> None:
    """Start over (tests; a long-lived process pointed at another account)."""
    _SHARED.clear()
