"""Which pull request brought each commit, from git alone, and the verdict its labels give.

Projects without backport instructions in their messages often decide on the pull request:
systemd labels the ones to pick `needs-stable-backport`, others use `backport <branch>` labels
(korthout/backport-action) or `needs backport to X.Y` (CPython). The labels live on GitHub; which
commits a pull request brought is in git: a merge commit "Merge pull request #N from ..." brought
everything its second parent reaches that the first parent line does not, and a squash merge's
subject ends in "(#N)". A rebase merge leaves no trace, so its commits map to no pull request.
Pure: commits and label names in, plain values out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol


class Commit(Protocol):
    """What the mapping reads of a commit (labeler.git.Commit has it; the core does not import git)."""

    @property
    def sha(self) -> str: ...
    @property
    def parents(self) -> tuple[str, ...]: ...
    @property
    def subject(self) -> str: ...
    @property
    def is_merge(self) -> bool: ...


MERGE = re.compile(r"^Merge pull request #(\d{1,9}) from \S")
SQUASHED = re.compile(r"\(#(\d{1,9})\)\s*$")


def by_commit(commits: Sequence[Commit], until_sha: str) -> dict[str, int]:
    """sha -> pull request number for the non-merge commits of a range (`commits`: the range,
    merges included, as `git log` lists it)."""
    known = {c.sha: c for c in commits}
    line: list[str] = []
    sha: str | None = until_sha
    while sha in known:
        line.append(sha)
        parents = known[sha].parents
        sha = parents[0] if parents else None
    claimed = set(line)
    out: dict[str, int] = {}
    # Oldest merge first: what an earlier merge brought is claimed before a later one walks into it.
    for merge in (known[s] for s in reversed(line) if known[s].is_merge):
        side = _side(merge.parents[1:], known, claimed)
        claimed |= side
        match = MERGE.match(merge.subject)
        if match:
            out.update({s: int(match.group(1)) for s in side if not known[s].is_merge})
    for c in commits:
        match = SQUASHED.search(c.subject)
        if match and not c.is_merge:
            out.setdefault(c.sha, int(match.group(1)))
    return out


def _side(starts: Iterable[str], known: Mapping[str, Commit], claimed: set[str]) -> set[str]:
    seen: set[str] = set()
    stack = [s for s in starts if s in known and s not in claimed]
    while stack:
        sha = stack.pop()
        if sha in seen:
            continue
        seen.add(sha)
        stack.extend(p for p in known[sha].parents if p in known and p not in claimed and p not in seen)
    return seen


def listing_since(dates: Iterable[str]) -> str | None:
    """A lower bound for the `since` of a PR listing: a day before the oldest ISO 8601 date (time
    zones compared as instants; a day of slack for committer clocks); None when no date parses."""
    instants = []
    for text in dates:
        try:
            instant = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            continue
        instants.append(instant if instant.tzinfo else instant.replace(tzinfo=UTC))
    if not instants:
        return None
    return (min(instants) - timedelta(days=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class LabelRule(NamedTuple):
    name: str  # as configured, placeholders filled: shown in reasons
    verdict: str


def expand(labels: Mapping[str, Sequence[str]], versions: Sequence[str], branches: Sequence[str]) -> list[LabelRule]:
    """The configured label names with `{version}` and `{branch}` filled for every stable version and
    branch (a name whose placeholder has no value is left out), in verdict order no > wait > uncertain > yes."""
    out: list[LabelRule] = []
    for verdict in ("no", "wait", "uncertain", "yes"):
        for name in labels.get(verdict, ()):
            values = [name.replace("{version}", v) for v in versions] if "{version}" in name else [name]
            values = [x.replace("{branch}", b) for x in values for b in branches] if "{branch}" in name else values
            out += [LabelRule(v, verdict) for v in dict.fromkeys(values)]
    return out


def branch_name(ref: str) -> str:
    """A stable ref as a label would name it: `origin/2.8` and `refs/remotes/origin/2.8` -> `2.8`."""
    for prefix in ("refs/heads/", "refs/remotes/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
            return ref.split("/", 1)[1] if prefix == "refs/remotes/" and "/" in ref else ref
    head, _, rest = ref.partition("/")
    return rest if rest and head in ("origin", "upstream") else ref


def verdict_of(labels: Iterable[str], rules: Sequence[LabelRule]) -> LabelRule | None:
    """The first rule (strongest verdict first) whose label the pull request carries; names compare
    case-insensitively, as GitHub's do."""
    have = {label.lower() for label in labels}
    return next((rule for rule in rules if rule.name.lower() in have), None)
