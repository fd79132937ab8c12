"""What the repository knows about each commit, as plain values the rules can use: the paths it
touched, the stable branches' trees, which commits of the range already are on a stable branch,
and whether commits quoted from before the range are on one. Built at the edge (pipeline.py)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Facts:
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stable_tree: frozenset[str] | None = None      # None: not known, no file check
    on_stable: frozenset[str] = frozenset()        # range commits already on a stable branch
    outside: Mapping[str, bool] = field(default_factory=dict)  # quoted older id -> on a stable branch
    stable_name: str = "the stable branch"

    def absent(self, sha: str) -> tuple[str, ...]:
        """The paths `sha` touched that the stable tree does not have."""
        if self.stable_tree is None:
            return ()
        return tuple(p for p in self.files.get(sha, ()) if p not in self.stable_tree)

    def all_absent(self, sha: str) -> bool:
        """Every path the commit touched is missing from stable: the code it changes is not there."""
        touched = self.files.get(sha, ())
        return bool(touched) and len(self.absent(sha)) == len(touched)

    def outside_on_stable(self, abbrev: str) -> bool | None:
        """A quoted commit from before the range: on stable (True), not (False), unknown (None)."""
        return self.outside.get(abbrev)
