"""Does each pick apply to the stable branch? Every commit of the pick list is cherry-picked, in
order, onto a scratch copy of the stable branch's tree (git objects in a temporary directory, no
work tree): clean, a conflict naming its files (the run goes on without it), or skipped because a
commit it needs did not apply. Results are cached by stable head and pick list."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from labeler import git


def cache_key(stable_head: str, picks: Sequence[str]) -> str:
    return stable_head + ":" + hashlib.sha256(" ".join(picks).encode()).hexdigest()[:16]


def check(
    repo: str, stable: str, picks: Sequence[str], parents: Mapping[str, str], needs: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, Any]]:
    """sha -> {"status": clean | conflict | skipped, "files": [...]} (skipped: `after` names the pick
    it needed)."""
    results: dict[str, dict[str, Any]] = {}
    if not picks:
        return results
    failed: set[str] = set()
    with git.scratch_objects(repo) as env:
        tree = git.git(repo, "rev-parse", f"{stable}^{{tree}}").strip()
        for sha in picks:
            missing = [n for n in needs.get(sha, ()) if n in failed]
            if missing:
                results[sha] = {"status": "skipped", "files": [], "after": missing[0]}
                failed.add(sha)
                continue
            new_tree, conflicts = git.pick_onto(repo, env, tree, sha, parents[sha])
            if new_tree is None:
                results[sha] = {"status": "conflict", "files": conflicts}
                failed.add(sha)
            else:
                tree = new_tree
                results[sha] = {"status": "clean", "files": []}
    return results
