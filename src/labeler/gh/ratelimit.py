"""How long to wait for GitHub's rate limits, from a response's headers (lower-cased names)."""

from __future__ import annotations

import os

from labeler.errors import UserError

WAIT_CAP = 120.0  # a retried write waits at most this long; a longer limit fails the write (re-run later)


def until_reset(headers: dict[str, str], now: float, *, min_remaining: int = 1) -> float:
    """Seconds to wait before the next request: until `x-ratelimit-reset` (plus one) once fewer than
    `min_remaining` requests are left; 0 while enough are left or when the headers do not say."""
    try:
        remaining, reset = int(headers["x-ratelimit-remaining"]), float(headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return 0.0
    if remaining >= min_remaining:
        return 0.0
    return max(0.0, reset - now) + 1.0


def before_retry(headers: dict[str, str], status: int | None, attempt: int, now: float) -> float:
    """Seconds before retrying a failed request (attempt 0 = the first retry): `retry-after` when given,
    the reset time of an exhausted quota, a minute for a secondary limit, else exponential; capped."""
    try:
        wait = float(headers["retry-after"])
    except (KeyError, ValueError):
        wait = until_reset(headers, now) or (60.0 if status in (403, 429) else 2.0**attempt)
    return min(wait, WAIT_CAP)


def pace() -> float:
    """LABELER_GITHUB_PACE scales every wait and pause (0 = none, for tests)."""
    raw = os.environ.get("LABELER_GITHUB_PACE", "").strip()
    try:
        return float(raw) if raw else 1.0
    except ValueError:
        raise UserError(f"LABELER_GITHUB_PACE must be a number, got {raw!r}") from None
