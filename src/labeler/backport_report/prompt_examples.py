"""The project's own decided commits, as worked examples for the cached prompt prefix (pure).

They teach the model this project's wording and they lengthen the prefix past the providers'
prompt-cache minimum, so every commit after the first of a run reads it from the cache. The choice
is deterministic and oldest first, so the prefix (and the verdict cache keyed by it) stays the same
from run to run once the budget is filled:
- decided yes: commits of the range already on a stable branch (git says so);
- decided no: commits not on a stable branch long after they landed (DECIDED_AFTER_DAYS, well past
  the usual delay to a first backport; PROMPTS.md has the figures).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from labeler.backport_report import message as msg
from labeler.git import Commit

DECIDED_AFTER_DAYS = 60
BUDGET = 12_000  # characters of examples: about 3,000 tokens, so the prefix passes 4,096 tokens
MESSAGE_CHARS = 700  # of each example's message
NONE_YET = "(none yet in this range)"
UNPAIRED = 2  # examples of one kind beyond the pairs


def _when(commit: Commit) -> datetime | None:
    try:
        return datetime.fromisoformat((commit.commit_date or commit.date).replace("Z", "+00:00"))
    except ValueError:
        return None


def decided(commits: Sequence[Commit], on_stable: Collection[str]) -> tuple[list[Commit], list[Commit]]:
    """(backported, left out) commits of the range whose fate is settled, oldest first; merges skipped."""
    dates = [d for d in map(_when, commits) if d is not None]
    if not dates:
        return [c for c in commits if c.sha in on_stable and len(c.parents) < 2], []
    cutoff = max(dates) - timedelta(days=DECIDED_AFTER_DAYS)
    yes, no = [], []
    for commit in commits:
        when = _when(commit)
        if len(commit.parents) > 1 or when is None:
            continue
        if commit.sha in on_stable:
            yes.append(commit)
        elif when <= cutoff:
            no.append(commit)
    return yes, no


def _example(commit: Commit, backported: bool) -> str:
    quoted = msg.model_input(commit.sha, commit.subject, commit.author_email, commit.date, commit.message)
    if len(quoted) > MESSAGE_CHARS:
        quoted = quoted[:MESSAGE_CHARS].rsplit("\n", 1)[0] + "\n    [...]\n"
    decision = "backported to a stable branch" if backported else "not backported"
    return f"{quoted}Decision: {decision}\n"


def render(commits: Sequence[Commit], on_stable: Collection[str], budget: int = BUDGET) -> str:
    """Decided commits alternating yes/no (balanced), oldest first, within `budget` characters, in one block
    whose tag suffix is derived from its text (stable, and no message can contain it)."""
    yes, no = decided(commits, on_stable)
    parts: list[str] = []
    used = 0
    for commit, backported in _alternate(yes, no):
        text = _example(commit, backported)
        if used + len(text) > budget:
            break
        parts.append(text)
        used += len(text)
    if not parts:
        return NONE_YET
    body = "\n".join(parts)
    tag = hashlib.sha256(body.encode()).hexdigest()[:16]
    return f"<examples-{tag}>\n{body}</examples-{tag}>"


def _alternate(yes: list[Commit], no: list[Commit]) -> list[tuple[Commit, bool]]:
    """Yes and no in turn; one side runs out: at most UNPAIRED more of the other, so the examples
    never teach that nearly everything is (or is not) backported."""
    pairs = min(len(yes), len(no))
    out: list[tuple[Commit, bool]] = []
    for i in range(pairs):
        out += [(yes[i], True), (no[i], False)]
    rest = [(c, True) for c in yes[pairs:]] + [(c, False) for c in no[pairs:]]
    return out + rest[:UNPAIRED]
