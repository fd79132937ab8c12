"""Commit references inside messages, resolved against the range: abbreviated ids, subjects
(quoted or listed), "the previous commit", "the next patch"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from labeler.backport_report import patterns as P


@dataclass(frozen=True)
class Item:
    sha: str
    subject: str
    message: str


class Refs:
    """Resolves commit references (abbreviated shas, subjects, "the previous commit") to commits
    of the range."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = items
        self.order = {item.sha: i for i, item in enumerate(items)}
        self.by_subject = {item.subject: item.sha for item in items}
        self.silent = frozenset(item.sha for item in items if P.RELEASE.search(item.subject))
        self.by_head: dict[str, list[str]] = {}
        for item in items:
            if len(item.subject) >= 12 and P.SUBJECT_START.match(item.subject):
                self.by_head.setdefault(item.subject[:12], []).append(item.subject)

    def resolve(self, ref: str) -> str | None:
        if ref in self.by_subject:
            return self.by_subject[ref]
        found = [sha for sha in self.order if sha.startswith(ref.lower())] if len(ref) >= 7 else []
        return found[0] if len(found) == 1 else None

    def mentioned(self, sentence: str) -> list[str]:
        refs = [m.group(1) for m in (*P.SHA.finditer(sentence), *P.QUOTED_SUBJECT.finditer(sentence))]
        refs += self._subjects_in(sentence)
        return list(dict.fromkeys(sha for sha in (self.resolve(r) for r in refs) if sha and sha not in self.silent))

    def _subjects_in(self, sentence: str) -> list[str]:
        """Subjects of the range quoted without quotes (bullet lists of prerequisites)."""
        found = []
        for match in P.SUBJECT_START.finditer(sentence):
            at = match.start()
            found += [s for s in self.by_head.get(sentence[at : at + 12], ()) if sentence.startswith(s, at)]
        return found

    def previous(self, sha: str, sentence: str) -> list[str]:
        """The commits "the previous commit" / "the two previous patches" point at. A plural without
        a number means the run of earlier commits by the same author in the same area (at most 5)."""
        match = P.PREVIOUS.search(sentence)
        if not match:
            return []
        at = self.order[sha]
        words = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
        if match.group(1):
            count = int(words.get(match.group(1).lower(), match.group(1)))
            return [self.items[i].sha for i in range(max(0, at - count), at)]
        if match.group(2).lower() in ("commit", "patch", "fix", "one"):
            return [self.items[at - 1].sha] if at else []
        return self._same_run(at)

    def _same_run(self, at: int) -> list[str]:
        me = self.items[at]
        run = []
        for i in range(at - 1, max(-1, at - 6), -1):
            if _area(self.items[i].subject) != _area(me.subject):
                break
            run.append(self.items[i].sha)
        return run

    def next_of(self, sha: str) -> str | None:
        at = self.order[sha] + 1
        return self.items[at].sha if at < len(self.items) else None

    def any_ref(self, sentence: str) -> bool:
        return bool(P.SHA.search(sentence) or P.QUOTED_SUBJECT.search(sentence))


def _area(subject: str) -> str:
    """`BUG/MINOR: quic: fix x` -> `quic`: the subsystem haproxy-style subjects name."""
    parts = subject.split(":")
    return parts[1].strip().lower() if len(parts) > 2 else parts[0].strip().lower()
