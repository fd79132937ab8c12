"""Wait, then ready: a `wait` verdict ("wait a bit before backporting") becomes ready to pick once
the commit has been in the development branch for the observation period. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from labeler.errors import UserError

DEFAULT_DAYS = 14.0


def age_days(landed: str, now: datetime) -> float | None:
    """Days since `landed` (ISO 8601), None when it cannot be read."""
    try:
        when = datetime.fromisoformat(landed.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, (now - when).total_seconds() / 86400) if when.tzinfo else None


def ripen(verdict: Mapping[str, Any], landed: str, now: datetime, days: float) -> dict[str, Any]:
    """The verdict with `age_days`; a wait past the observation period stays a wait, marked `ready`
    with the day it became ready (`ready_since`): the reviewer decides, nothing picks it silently."""
    out = dict(verdict)
    if out["verdict"] != "wait":
        return out
    age = age_days(landed, now)
    out["age_days"] = None if age is None else round(age, 1)
    out["ready"] = age is not None and age >= days
    if out["ready"]:
        since = (now - timedelta(days=(age or 0) - days)).date().isoformat()
        out["ready_since"] = since
        out["reason"] = f"Wait, ready since {since} (observation period {days:g} days): {out['reason']}"
    return out


def parse_as_of(text: str | None) -> datetime:
    """`--as-of`: a date or an ISO 8601 time (UTC unless it says otherwise); None is now."""
    if not text:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--as-of must be a date (2023-12-05) or an ISO 8601 time, got {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
