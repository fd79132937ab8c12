"""POSTs retried on transient failures, without duplicating one that landed anyway.

A 502 (or a dropped connection) can come after GitHub applied the write: before each retry, and before
giving up, `landed()` looks for the result; when it finds it, that is the answer. A failure of that look
is not retried: the caller cannot tell whether the write landed, and says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import tenacity

from labeler.gh import ratelimit
from labeler.gh.errors import GitHubError

T = TypeVar("T")
ATTEMPTS = 3


class _Unchecked(Exception):
    """landed() failed: carried past the retry policy, which only retries the write itself."""

    def __init__(self, error: GitHubError) -> None:
        super().__init__(error.message)
        self.error = error


def _transient(e: BaseException) -> bool:
    return isinstance(e, GitHubError) and e.transient


def _wait(state: tenacity.RetryCallState) -> float:
    e = state.outcome.exception() if state.outcome else None
    if not isinstance(e, GitHubError):
        return 0.0
    return ratelimit.before_retry(e.headers, e.status, state.attempt_number - 1, time.time()) * ratelimit.pace()


def _check(landed: Callable[[], T | None] | None) -> T | None:
    try:
        return landed() if landed is not None else None
    except GitHubError as e:
        raise _Unchecked(e) from None


def write(do: Callable[[], T], *, landed: Callable[[], T | None] | None = None, what: str) -> T:
    """Run a POST (up to ATTEMPTS times); a failure is a GitHubError telling `what` it stopped."""
    tries = 0

    def attempt() -> T:
        nonlocal tries
        tries += 1
        if tries > 1 and (found := _check(landed)) is not None:
            return found
        return do()

    def last_chance(state: tenacity.RetryCallState) -> T:
        if (found := _check(landed)) is not None:
            return found
        assert state.outcome is not None
        raise state.outcome.exception()  # type: ignore[misc]

    policy = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(ATTEMPTS),
        retry=tenacity.retry_if_exception(_transient),
        wait=_wait,
        retry_error_callback=last_chance,
        reraise=True,
    )
    try:
        return policy(attempt)
    except _Unchecked as e:
        raise e.error.refusing(what) from None
    except GitHubError as e:
        raise e.refusing(what) from None
