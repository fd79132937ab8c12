"""The taxonomy bot's settings (the `bot:` section of labels.yml) and its command grammar: event -> trigger.

Pure: every command of the family reads its settings and its trigger through this module.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from labeler import slash
from labeler.config import default, section_settings
from labeler.errors import UserError

DEFAULT_HANDLE: str = default("bot", "handle")
COMMANDS = ("enable", "help", "precheck", "postcheck", "generate")
MODEL_COMMANDS = ("precheck", "postcheck", "generate")
DEFAULT_ASSOCIATIONS: tuple[str, ...] = tuple(default("bot", "author-associations"))
DEFAULT_CONTEXTS: dict[str, str] = default("bot", "statuses")


@dataclass(frozen=True)
class Settings:
    """The `bot:` section of labels.yml with defaults filled in (schemas/bot.schema.json)."""

    handle: str = DEFAULT_HANDLE
    teams: tuple[str, ...] = tuple(default("bot", "teams"))
    associations: tuple[str, ...] = field(default=DEFAULT_ASSOCIATIONS, metadata={"key": "author-associations"})
    skill_label: str = field(default=default("bot", "labels")["skill"], metadata={"key": "labels.skill"})
    knowledge_label: str = field(default=default("bot", "labels")["knowledge"], metadata={"key": "labels.knowledge"})
    auto_label: bool = default("bot", "auto-label")
    contexts: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CONTEXTS), metadata={"key": "statuses"})
    require_latest: bool = field(
        default=default("bot", "require-latest-version"), metadata={"key": "require-latest-version"}
    )
    require_attribution: bool = default("bot", "require-attribution")
    max_files: int = default("bot", "max-files")
    precheck: dict[str, Any] = field(default_factory=dict)  # read by precheck.Options (bot.precheck)
    generate: dict[str, Any] = field(default_factory=dict)  # read by generate.Options (bot.generate)

    @classmethod
    def from_section(cls, raw: dict[str, Any]) -> Settings:
        settings = section_settings(raw, "bot", cls)
        return replace(settings, handle=normalize_handle(settings.handle))

    def commands_for(self, labels: tuple[str, ...] | list[str]) -> dict[str, str | None]:
        """command -> None when the PR's labels allow it, else the reason it is not available."""
        names = {name.lower() for name in labels}
        skill, knowledge = self.skill_label.lower() in names, self.knowledge_label.lower() in names
        need = f"needs the `{self.skill_label}` or `{self.knowledge_label}` label"
        gen_ok = skill or (knowledge and self.generate.get("knowledge"))
        gen_why = (
            f"not available for `{self.knowledge_label}` PRs: generation needs the source documents"
            if knowledge and not skill
            else f"needs the `{self.skill_label}` label"
        )
        return {
            "precheck": None if skill or knowledge else need,
            "postcheck": None if skill or knowledge else need,
            "generate": None if gen_ok else gen_why,
        }


def normalize_handle(handle: str) -> str:
    handle = handle.strip()
    return handle if handle.startswith("@") else f"@{handle}"


def load_settings(path: str | None = None, *, handle: str | None = None, teams: str | None = None) -> Settings:
    """Settings from labels.yml (when there is one), then flag/env overrides for handle and teams."""
    from labeler import config

    handle = handle or os.environ.get("LABELER_HANDLE") or None  # every command must parse the same prefix
    teams = teams if teams is not None else os.environ.get("LABELER_TEAMS")
    cfg = config.load_optional(path)
    settings = Settings.from_section(cfg.section("bot")) if cfg else Settings()
    overrides: dict[str, Any] = {}
    if handle:
        overrides["handle"] = normalize_handle(handle)
    if teams is not None and teams.strip():
        overrides["teams"] = tuple(parse_teams(teams))
    return replace(settings, **overrides) if overrides else settings


def parse_teams(text: str) -> list[str]:
    teams = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    bad = [t for t in teams if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9_.-]*", t)]
    if bad:
        raise UserError(f"teams must be org/team-slug entries, got {', '.join(map(repr, bad))}")
    return teams


# ---------------------------------------------------------------------------------- parsing
def command_words(body: str, handle: str) -> list[str] | None:
    """The words after `@handle` when the first visible words are `@handle ...` (slash's scanner), else None."""
    words = slash.first_words(body or "")
    if not words or words[0].rstrip(":,").lower() != normalize_handle(handle).lower():
        return None
    return words[1:]


def parse_command(body: str, handle: str) -> str | None:
    """The command when the first visible words are `@handle command` ("help" when bare), else None."""
    words = command_words(body, handle)
    if words is None:
        return None
    if not words:
        return "help"
    match = re.match(r"[A-Za-z][A-Za-z0-9_-]*", words[0])
    return match.group(0).lower() if match else words[0][:40]


@dataclass(frozen=True)
class Trigger:
    number: int
    command: str | None  # None: nothing to do (see `reason`); "welcome" for PR events
    actor: str = ""  # who asked: the event's sender (on `edited`, the editor, not the comment's author)
    comment_id: int | None = None
    reason: str = ""
    args: tuple[str, ...] = ()


def trigger(event_name: str, payload: dict[str, Any], settings: Settings) -> Trigger:
    """What the event asks for; the one place the raw payload is read."""
    if event_name in ("pull_request_target", "pull_request"):
        return _pr_trigger(payload, settings)
    if event_name != "issue_comment":
        return Trigger(0, None, reason=f"event {event_name or '(none)'} is not handled")
    issue, comment = _mapping(payload.get("issue")), _mapping(payload.get("comment"))
    number, user = _number(issue.get("number")), _mapping(comment.get("user"))
    login = str(_mapping(payload.get("sender")).get("login") or user.get("login") or "")
    words = command_words(str(comment.get("body") or ""), settings.handle)
    command = parse_command(str(comment.get("body") or ""), settings.handle)
    reason = _comment_skip_reason(payload, issue, user, command, settings) or _editor_reason(payload, user, login)
    if reason:
        return Trigger(number, None, login, reason=reason)
    if payload.get("action") == "edited":
        before = _mapping(_mapping(payload.get("changes")).get("body")).get("from")
        if before is not None and parse_command(str(before), settings.handle) == command:
            return Trigger(number, None, login, reason=f"edited comment: `{command}` already ran")
    return Trigger(number, command, login, comment_id=_number(comment.get("id")) or None, args=tuple((words or [])[1:]))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _editor_reason(payload: dict[str, Any], author: dict[str, Any], sender: str) -> str:
    """Only a comment's author may turn it into a command by editing it (the author association is theirs)."""
    if payload.get("action") == "edited" and sender.lower() != str(author.get("login") or "").lower():
        return (
            f"comment edited by {sender or 'someone'}, not its author: "
            "commands in edited comments count only for the author"
        )
    return ""


def _comment_skip_reason(
    payload: dict[str, Any], issue: dict[str, Any], user: dict[str, Any], command: str | None, settings: Settings
) -> str:
    association = str((payload.get("comment") or {}).get("author_association") or "NONE")
    if payload.get("action") not in ("created", "edited"):
        return f"comment {payload.get('action')}: nothing to do"
    if not issue.get("pull_request"):
        return "a comment on an issue, not a pull request"
    if user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]"):
        return "comment written by a bot (loop guard)"
    if command is None:
        return "no command for " + settings.handle
    if issue.get("state", "open") != "open":
        return "the pull request is closed"
    if association not in settings.associations:
        return f"{user.get('login')} ({association}) is not allowed to run commands"
    return ""


def _pr_trigger(payload: dict[str, Any], settings: Settings) -> Trigger:
    pr, action = payload.get("pull_request") or {}, payload.get("action")
    number = int(pr.get("number") or payload.get("number") or 0)
    label = str((payload.get("label") or {}).get("name") or "").lower()
    if action in ("opened", "reopened") or (
        action == "labeled" and label in (settings.skill_label.lower(), settings.knowledge_label.lower())
    ):
        return Trigger(number, "welcome", str((payload.get("sender") or {}).get("login") or ""))
    return Trigger(number, None, reason=f"pull request {action}: nothing to do")


# ---------------------------------------------------------------------------------- command
