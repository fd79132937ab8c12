"""What the repository knows about each commit, as plain values the rules can use: the paths it
touched, the stable branches' trees, which commits of the range already are on a stable branch,
and whether commits quoted from before the range are on one. Built at the edge (pipeline.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Facts:
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stable_tree: frozenset[str] | None = None  # None: not known, no file check
    on_stable: frozenset[str] = frozenset()  # range commits already on a stable branch
    outside: Mapping[str, bool] = field(default_factory=dict)  # quoted older id -> on a stable branch
    stable_name: str = "the stable branch"
    pulls: Mapping[str, int] = field(default_factory=dict)  # sha -> pull request that brought it
    pr_labels: Mapping[int, frozenset[str]] = field(default_factory=dict)  # PR -> its backport labels (read)

    def absent(self, sha: str) -> tuple[str, ...]:
        """The paths `sha` touched that the stable tree does not have."""
        if self.stable_tree is None:
            return ()
        return tuple(p for p in self.files.get(sha, ()) if p not in self.stable_tree)

    def all_absent(self, sha: str) -> bool:
        """Every path the commit touched is missing from stable: the code it changes is not there."""
        touched = self.files.get(sha, ())
        return bool(touched) and len(self.absent(sha)) == len(touched)

    def pull_labels(self, sha: str) -> tuple[int | None, frozenset[str]]:
        """The pull request that brought `sha` (None: not known) and its backport labels."""
        number = self.pulls.get(sha)
        return number, self.pr_labels.get(number, frozenset()) if number is not None else frozenset()

    def outside_on_stable(self, abbrev: str) -> bool | None:
        """A quoted commit from before the range: on stable (True), not (False), unknown (None)."""
        return self.outside.get(abbrev)


def note(sha: str, facts: Facts, rel: Any, subjects: Mapping[str, str]) -> str:
    """What the repository knows about `sha`, as lines for a model's prompt (empty when nothing)."""

    def name(other: str) -> str:
        return f'{other[:8]} "{subjects[other]}"' if other in subjects else other[:12]

    lines = []
    absent = facts.absent(sha)
    if absent:
        every = " (every file it touches)" if facts.all_absent(sha) else ""
        lines.append(f"- files absent from {facts.stable_name}{every}: {', '.join(absent[:8])}")
    for culprit in rel.fixes.get(sha, []):
        where = "already on" if culprit in facts.on_stable else "not on"
        lines.append(f"- fixes {name(culprit)} of this development cycle, {where} {facts.stable_name}")
    for abbrev in rel.fixes_outside.get(sha, []):
        known = {True: f"on {facts.stable_name}", False: f"not on {facts.stable_name}", None: "older than this cycle"}
        lines.append(f"- fixes {abbrev}, {known[facts.outside_on_stable(abbrev)]}")
    number, labels = facts.pull_labels(sha)
    if labels:
        lines.append(f"- brought by pull request #{number}, labelled {', '.join(sorted(labels))}")
    lines += [f"- depends on {name(s)}" for s in rel.depends_on.get(sha, [])]
    lines += [f"- needed by the later {name(s)}" for s in rel.needed_by.get(sha, [])]
    lines += [f"- fixed later by {name(s)}: never pick it without that fix" for s in rel.fixed_by.get(sha, [])]
    return "Repository facts (from git, not from the message):\n" + "\n".join(lines) + "\n" if lines else ""
