"""label-issue's one read of the event: the webhook payload -> a Trigger (what this run should do)."""

from __future__ import annotations

from typing import Any

from labeler import runner, slash
from labeler.errors import UserError
from labeler.gh import Issue
from labeler.label_issue.labeling import WRITE_ASSOCIATIONS, Trigger


def from_event(event_path: str | None, event_name: str | None, number: int | None = None) -> Trigger:
    """The run's one read of the event file (none with --issue alone); the name is inferred when not given."""
    payload = runner.event(event_path) if event_path else {}
    return read_trigger(event_name or _infer_event_name(payload), payload, number)


def _infer_event_name(payload: dict[str, Any]) -> str:
    if "comment" in payload:
        return "issue_comment"
    if "issue" in payload:
        return "issues"
    return "workflow_dispatch" if "inputs" in payload else ""


def read_trigger(event_name: str, payload: dict[str, Any], number: int | None = None) -> Trigger:
    """Decide from the event alone what this run should do; a payload of the wrong shape is a clear error."""
    try:
        return _read_trigger(event_name, payload, number)
    except (AttributeError, TypeError, ValueError, KeyError) as e:
        raise UserError(
            f"the {event_name or 'unknown'} event payload is malformed ({type(e).__name__}): "
            "check the event file and GITHUB_EVENT_NAME"
        ) from None


def _read_trigger(event_name: str, payload: dict[str, Any], number: int | None) -> Trigger:
    if number is not None:
        return Trigger("label", f"requested for #{number}", number=number, forced=True, actor_write=True)
    if event_name == "workflow_dispatch":
        raw = (payload.get("inputs") or {}).get("issue-number") or (payload.get("inputs") or {}).get("issue_number")
        if not str(raw or "").strip().isdigit():
            return Trigger("skip", "workflow_dispatch needs the issue-number input (a positive number)")
        return Trigger("label", "manual run", number=int(str(raw).strip()), forced=True, actor_write=True)
    if event_name == "issues":
        return _issues_trigger(payload)
    if event_name == "issue_comment":
        return _comment_trigger(payload)
    return Trigger(
        "skip",
        f"label-issue does not handle {event_name or 'unknown'} events (it handles issues, "
        "issue_comment and workflow_dispatch)",
    )


def _issues_trigger(payload: dict[str, Any]) -> Trigger:
    action = payload.get("action")
    issue = Issue.from_event(payload.get("issue") or {})
    if action == "opened":
        return Trigger("label", "issue opened", issue=issue, fresh=True)
    if action == "edited":
        changes = payload.get("changes") or {}
        if "title" in changes or "body" in changes:
            return Trigger("label", "title or body edited", issue=issue)
        return Trigger("skip", "the edit changed neither title nor body")
    return Trigger("skip", f"issues.{action} is not handled")


def _comment_trigger(payload: dict[str, Any]) -> Trigger:
    action, comment = payload.get("action"), payload.get("comment") or {}
    issue = Issue.from_event(payload.get("issue") or {})
    user = comment.get("user") or {}
    if action not in ("created", "edited"):
        return Trigger("skip", f"issue_comment.{action} is not handled")
    if user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]"):
        return Trigger("skip", "comments by bots are ignored")
    previous = ((payload.get("changes") or {}).get("body") or {}).get("from") if action == "edited" else None
    found = slash.new_commands(str(comment.get("body") or ""), previous, "/label")
    if not found:
        return Trigger("skip", "no new /label command in the comment")
    actor = str(user.get("login") or "")
    write = comment.get("author_association") in WRITE_ASSOCIATIONS
    if not (actor == issue.author or write):
        return Trigger("skip", f"{actor} may not run /label here (issue author or write access only)")
    words = found[-1]
    if words[:1] == ("off",):
        return Trigger("off", f"/label off by {actor}", issue=issue, actor=actor, actor_write=write)
    if words[:1] == ("auto",):
        return Trigger("label", f"/label auto by {actor}", issue=issue, actor=actor, forced=True, actor_write=write)
    return Trigger("skip", "unknown /label command (use /label auto or /label off)")
