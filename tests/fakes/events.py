"""Webhook payload fixtures from tests/events/: load, override, write."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parent.parent / "events"
REMOVE = object()  # override value that deletes the key


def names() -> list[str]:
    return sorted(p.name[:-5] for p in EVENTS_DIR.glob("*.json"))


def load_event(name: str, **overrides: Any) -> dict[str, Any]:
    """The payload tests/events/<name>.json, deep-merged with `overrides` (dicts merge, REMOVE deletes)."""
    path = EVENTS_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"no event fixture {name!r}; have: {', '.join(names())}")
    return merge(json.loads(path.read_text(encoding="utf-8")), overrides)


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is REMOVE:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def event_name(name: str) -> str:
    """`issue_comment.created.pr` -> `issue_comment` (the GITHUB_EVENT_NAME)."""
    return name.split(".", 1)[0]
