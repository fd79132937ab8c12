"""What one label-issue run does with what it read (pure): skip, turn labeling off, or ask the provider."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from labeler.label_issue import budget, labeling
from labeler.label_issue.labeling import Settings, State, Trigger

if TYPE_CHECKING:
    from labeler.gh import Comment, Issue

SKIP, OFF, ASK = "skip", "off", "ask"


@dataclass(frozen=True)
class Facts:
    """Everything a run needs from GitHub, read once before deciding."""

    issue: Issue  # as planned: labels an earlier run applied without its comment left out
    comments: tuple[Comment, ...]
    existing: Comment | None  # our audit comment
    state: State
    removed: Mapping[str, str] | None  # labels people removed (lower case -> login); None: timeline unreadable
    resumed: tuple[str, ...] = ()  # labels an earlier run applied without writing its comment


class Decision(NamedTuple):
    action: str  # SKIP, OFF or ASK
    notices: tuple[str, ...] = ()
    state: State | None = None  # OFF: the state to write


def resumable(issue: Issue, existing: Comment | None, ours: tuple[str, ...], settings: Settings) -> tuple[str, ...]:
    """Labels that landed while the comment did not (the job died in between): planned as not there yet,
    so this run's one comment says what was applied. Adding them again is a no-op."""
    return ours if existing is None and ours and settings.comment == "always" else ()


def without(issue: Issue, names: tuple[str, ...]) -> Issue:
    return dataclasses.replace(issue, labels=tuple(n for n in issue.labels if n not in names)) if names else issue


def decide(trigger: Trigger, facts: Facts, settings: Settings, provider: str, run_spent: str | None = None) -> Decision:
    """`run_spent`: why the run's own budget allows no more model calls, if it does not."""
    number, state = facts.issue.number, facts.state
    if trigger.action == OFF:
        return Decision(OFF, (f"labeling turned off for #{number}",), turned_off(state, trigger))
    if trigger.once and facts.existing is not None:
        return Decision(SKIP, (f"skipped #{number}: labeler already handled it (its audit comment exists)",))
    if reason := labeling.skip_reason(facts.issue, state, trigger):
        return Decision(SKIP, (f"skipped #{number}: {reason}",))
    untracked = budget.untracked_reason(provider, settings.comment, settings.max_calls_per_issue)
    notices = (untracked,) if untracked else ()
    if reason := budget.issue_cap_reason(provider, state.calls, settings.max_calls_per_issue):
        return Decision(SKIP, (*notices, f"skipped #{number}: {reason}"))
    if run_spent:
        return Decision(SKIP, (*notices, run_spent))
    return Decision(ASK, notices)


def turned_off(state: State, trigger: Trigger) -> State:
    """Who turned it off, and whether with write access (then only write access turns it back on)."""
    write = trigger.actor_write or (state.off and state.off_write)
    return dataclasses.replace(state, off=True, off_by=trigger.actor, off_write=write)


def after(state: State, result: labeling.Plan, provider: str) -> State:
    """The state the audit comment keeps after this run: what was applied, the calls spent."""
    spent = state.calls + (1 if budget.spends(provider) else 0)
    return dataclasses.replace(labeling.next_state(state, result), calls=spent)


def skip_unread(trigger: Trigger, issue: Issue) -> str | None:
    """Pull requests and bots' issues are skipped before any request (turning off always reads on)."""
    if trigger.action == OFF:
        return None
    reason = labeling.skip_reason(issue, State(), trigger)
    return f"skipped #{issue.number}: {reason}" if reason else None
