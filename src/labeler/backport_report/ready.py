"""Wait, then ready: a `wait` verdict ("wait a bit before backporting") becomes ready to pick once
the commit has been in the development branch for the observation period. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

DEFAULT_DAYS = 14.0


def age_days(landed: str, now: datetime) -> float | None:
    """Days since `landed` (ISO 8601), None when it cannot be read."""
    try:
        when = datetime.fromisoformat(landed.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, (now - when).total_seconds() / 86400) if when.tzinfo else None


def ripen(verdict: Mapping[str, Any], landed: str, now: datetime, days: float) -> dict[str, Any]:
    """The verdict with `age_days`; a wait past the observation period reads as yes, and says why."""
    out = dict(verdict)
    if out["verdict"] != "wait":
        return out
    age = age_days(landed, now)
    out["age_days"] = None if age is None else round(age, 1)
    if age is not None and age >= days:
        out.update(
            verdict="yes",
            ready=True,
            reason=f"ready: waited {age:.0f} days in the development branch (observation period "
            f"{days:g} days); {out['reason']}",
        )
    else:
        out["ready"] = False
    return out
