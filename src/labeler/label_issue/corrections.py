"""What people did to the bot's labels, read from an issue's timeline (pure).

    human_removals(events, bot_login) -> {label (lower case): login of the person who removed it}

A label a person removed is never re-applied by the bot. A person who later adds the label back
lifts the block (they chose it); the bot's own removals never block.
"""
from __future__ import annotations

from typing import Any


def _login(event: dict[str, Any]) -> str:
    actor = event.get("actor") or {}
    return str(actor.get("login") or "") if isinstance(actor, dict) else ""


def human_removals(events: list[dict[str, Any]], bot_login: str) -> dict[str, str]:
    blocked: dict[str, str] = {}
    for event in events:
        kind, label = event.get("event"), event.get("label")
        if kind not in ("labeled", "unlabeled") or not isinstance(label, dict) or not label.get("name"):
            continue
        name, who = str(label["name"]).lower(), _login(event)
        if who == bot_login:
            continue
        if kind == "unlabeled":
            blocked[name] = who or "ghost"
        else:
            blocked.pop(name, None)
    return blocked
