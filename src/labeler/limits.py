"""Staying inside a hosted model's free limits (pure): what a response says about the quota, how long to
wait before the next request, and a prompt cut to the request size.

GitHub Models' free tier counts requests per minute and per day and caps tokens per request; a 429
carries `retry-after`, and responses may carry `x-ratelimit-*` headers (OpenAI's `remaining-requests` /
`reset-requests` with durations like `6m0s`, or GitHub's `remaining` / `reset` as epoch seconds).
Everything here reads plain values, so the same rules serve label-issue, its backlog and replay,
missing-info and backport-report.
"""

from __future__ import annotations

import email.utils
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

# The free tier's input cap per request for the low and high tiers (GitHub Models docs, "Rate limits").
FREE_INPUT_TOKENS = 8000
# Output tokens the verdict may take, and what the chat template and JSON schema add: kept off the input.
RESERVED_TOKENS = 1200
# Requests in flight at once the free tier allows on the lowest plans (GitHub Models docs, "Rate limits").
FREE_CONCURRENCY = 2
UNSAID_RESET = 60.0
CUT_MARK = "\n[…the rest was cut to fit the model's request size]"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_DURATIONS = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|h|m|s))+")
T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """The quota as the last response told it; None = not said."""

    remaining_requests: int | None = None
    reset_requests: float | None = None  # seconds until the request window refills
    remaining_tokens: int | None = None
    reset_tokens: float | None = None
    retry_after: float | None = None


def seconds(value: str | None, now: float) -> float | None:
    """A wait in seconds from a header value: `1`, `0.5`, `6m0s`, `250ms`, epoch seconds, or an HTTP date."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return _duration(text) if _DURATIONS.fullmatch(_compact(text)) else _http_date(text, now)
    if not math.isfinite(number) or number < 0:
        return None
    return max(number - now, 0.0) if number > 1e9 else number  # epoch seconds (GitHub's x-ratelimit-reset)


def _compact(text: str) -> str:
    return text.replace(" ", "")


def _duration(text: str) -> float:
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * scale[unit] for n, unit in _DURATION.findall(_compact(text)))


def _http_date(text: str, now: float) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - now, 0.0) if when.tzinfo else None


def _int(value: str | None) -> int | None:
    try:
        return max(int(float((value or "").strip())), 0)
    except ValueError:
        return None


def window(headers: Mapping[str, str], now: float) -> Window:
    """What a response's headers say (keys lower case)."""
    get = headers.get
    retry = seconds(get("retry-after-ms"), now)
    return Window(
        remaining_requests=_int(get("x-ratelimit-remaining-requests") or get("x-ratelimit-remaining")),
        reset_requests=seconds(get("x-ratelimit-reset-requests") or get("x-ratelimit-reset"), now),
        remaining_tokens=_int(get("x-ratelimit-remaining-tokens")),
        reset_tokens=seconds(get("x-ratelimit-reset-tokens"), now),
        retry_after=retry / 1000.0 if retry is not None else seconds(get("retry-after"), now),
    )


def wait_after_429(w: Window) -> float | None:
    """How long a 429 asks us to wait: retry-after, else the reset of the exhausted window; None: not said."""
    if w.retry_after is not None:
        return w.retry_after
    resets = [
        r
        for left, r in ((w.remaining_requests, w.reset_requests), (w.remaining_tokens, w.reset_tokens))
        if left == 0 and r is not None
    ]
    return max(resets) if resets else None


def pace(w: Window) -> float:
    """Seconds to wait before the next request so it is not refused: 0 while requests remain; the time to the
    refill when none do (a minute, the shortest window, when the headers do not say when)."""
    if w.retry_after:  # the last answer was a 429
        return w.retry_after
    if w.remaining_requests == 0:
        return w.reset_requests if w.reset_requests is not None else UNSAID_RESET
    if w.remaining_tokens == 0:
        return w.reset_tokens if w.reset_tokens is not None else UNSAID_RESET
    return 0.0


def duration(seconds_left: float) -> str:
    """`45s`, `12 min`, `3 h`: how long until a limit resets, for a notice."""
    if seconds_left < 90:
        return f"{max(round(seconds_left), 1)}s"
    if seconds_left < 3570:
        return f"{round(seconds_left / 60)} min"
    return f"{round(seconds_left / 3600)} h"


def tokens(text: str) -> int:
    """A cautious token estimate: 3 characters a token (code and non-English text run denser than 4)."""
    return -(-len(text) // 3)


def pair_tokens(prompt: tuple[str, str]) -> int:
    return tokens(prompt[0]) + tokens(prompt[1])


def fit(
    render: Callable[[str], T],
    body: str,
    budget: int,
    measure: Callable[[T], int] = pair_tokens,  # type: ignore[assignment]
) -> tuple[T, bool]:
    """The prompt `render(body)` makes, with `body` cut so the whole stays within `budget` tokens by `measure`
    (default: a (system, user) pair); instructions, labels and everything but the body are kept whole.
    Returns (prompt, whether the body was cut)."""
    prompt = render(body)
    if measure(prompt) <= budget or not body:
        return prompt, False
    fixed = measure(render(""))
    keep = len(body)
    for _ in range(32):  # rendering may add to every line (quoting) or cut on its own: shrink until it fits
        used = max(measure(prompt) - fixed, 1)
        keep = max(int(keep * 0.97 * (budget - fixed) / used) - len(CUT_MARK), 0)
        prompt = render(body[:keep].rstrip() + CUT_MARK if keep else CUT_MARK.strip())
        if keep == 0 or measure(prompt) <= budget:
            break
    return prompt, True
