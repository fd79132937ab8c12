"""The gate every model command checks: the PR is open and the bot enabled its current head commit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labeler import md
from labeler.taxonomy_bot.settings import Settings

if TYPE_CHECKING:
    from labeler.gh.records import PullRequest


def enabled_on(statuses: list[dict[str, Any]], context: str) -> bool:
    """Is the newest status with this context (case-insensitive, like GitHub) a success?"""
    for status in statuses:  # newest first
        if str(status.get("context", "")).lower() == context.lower():
            return status.get("state") == "success"
    return False


def refusal(settings: Settings, pr: PullRequest, statuses: list[dict[str, Any]], command: str) -> str | None:
    """Why `command` may not run on this head, or None. Pure: the caller read the PR and statuses once."""
    if pr.state != "open":
        return "this pull request is closed."
    if not enabled_on(statuses, settings.contexts["enabled"]):
        return (
            f"the bot is not enabled on the current commit {md.code(pr.head_sha[:7])}. A triager must run "
            f"{md.code(settings.handle + ' enable')} (enabling applies to one commit; a push needs it again)."
        )
    why = settings.commands_for(pr.labels).get(command)
    return f"{md.code(command)} {why}." if why else None
