"""Which development commits already are on a stable branch, and where.

Three proofs, strongest first: a `(cherry picked from commit <sha>)` trailer naming it (full or
abbreviated; also the kernel's `commit <sha> upstream.`), the same `git patch-id --stable`, the
same subject and author. Pure functions over commits and patch-id maps.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from labeler.git import Commit

_TRAILERS = re.compile(
    r"\(cherry picked from commit ([0-9a-f]{7,40})\)"
    r"|^commit ([0-9a-f]{40}) upstream\.?\s*$"
    r"|^\[\s*[Uu]pstream commit ([0-9a-f]{7,40})\s*\]",
    re.MULTILINE | re.IGNORECASE,
)


class Backport(NamedTuple):
    ref: str  # the stable ref as given on the command line
    sha: str  # the stable branch's commit
    how: str  # trailer | patch-id | subject+author


def trailer_shas(message: str) -> list[str]:
    """Every sha a message says it was picked from (one trailer per hop of a cascade)."""
    return [next(g for g in m.groups() if g).lower() for m in _TRAILERS.finditer(message)]


class _Prefixes:
    def __init__(self, shas: Sequence[str]) -> None:
        self.by7: dict[str, list[str]] = defaultdict(list)
        for sha in shas:
            self.by7[sha[:7]].append(sha)

    def find(self, abbrev: str) -> str | None:
        found = [s for s in self.by7.get(abbrev[:7], ()) if s.startswith(abbrev)]
        return found[0] if len(found) == 1 else None


def find_backports(
    dev: Sequence[Commit],
    stable: Mapping[str, Sequence[Commit]],
    dev_ids: Mapping[str, str],
    stable_ids: Mapping[str, Mapping[str, str]],
) -> dict[str, list[Backport]]:
    """dev sha -> where it went; each stable commit proves at most one dev commit."""
    found: dict[str, list[Backport]] = defaultdict(list)
    dev_shas = {c.sha for c in dev}
    for ref, commits in stable.items():
        # A "stable" ref that contains the dev range (a mistake, or a merged-back branch) proves nothing.
        own = [c for c in commits if c.sha not in dev_shas]
        _match_ref(ref, dev, own, dev_ids, stable_ids.get(ref, {}), found)
    return dict(found)


def _match_ref(
    ref: str,
    dev: Sequence[Commit],
    commits: Sequence[Commit],
    dev_ids: Mapping[str, str],
    ids: Mapping[str, str],
    found: dict[str, list[Backport]],
) -> None:
    prefixes = _Prefixes([c.sha for c in dev])
    matched: set[str] = set()
    used: set[str] = set()

    def claim(dev_sha: str, stable_sha: str, how: str) -> None:
        matched.add(dev_sha)
        used.add(stable_sha)
        found[dev_sha].append(Backport(ref, stable_sha, how))

    for commit in commits:
        for abbrev in trailer_shas(commit.message):
            dev_sha = prefixes.find(abbrev)
            if dev_sha and dev_sha not in matched:
                claim(dev_sha, commit.sha, "trailer")
    by_patch = defaultdict(list)
    for commit in commits:
        if commit.sha not in used and commit.sha in ids:
            by_patch[ids[commit.sha]].append(commit.sha)
    by_subject = defaultdict(list)
    for commit in commits:
        by_subject[(commit.subject, commit.author_name, commit.author_email)].append(commit.sha)
    for commit in dev:
        if commit.sha in matched:
            continue
        candidates = [s for s in by_patch.get(dev_ids.get(commit.sha, ""), ()) if s not in used]
        how = "patch-id"
        if not candidates:
            candidates = [
                s
                for s in by_subject.get((commit.subject, commit.author_name, commit.author_email), ())
                if s not in used
            ]
            how = "subject+author"
        if candidates:
            claim(commit.sha, candidates[0], how)
