"""What people did to the bot's labels, read from an issue's timeline (pure).

    human_removals(events, bot_login) -> {label (lower case): login of the person who removed it}
    bot_added(events, bot_login, labels_now) -> labels on the issue now that the bot put there

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


def bot_added(events: list[dict[str, Any]], bot_login: str, labels_now: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Labels on the issue now whose last `labeled` event is the bot's. With no audit comment, they
    are what a run that died between the label write and the comment write applied: a re-run plans
    as if they were not there yet, so its one comment tells what the bot applied."""
    last: dict[str, str] = {}
    for event in events:
        label = event.get("label")
        if event.get("event") == "labeled" and isinstance(label, dict) and label.get("name"):
            last[str(label["name"]).lower()] = _login(event)
    return tuple(n for n in labels_now if last.get(n.lower()) == bot_login)
