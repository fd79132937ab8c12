"""What a reviewer reads first in a row: the oldest version an instruction names ("as far as 2.4"
-> 2.4) and one line saying why the verdict is what it is. Pure."""

from __future__ import annotations

from labeler.backport_report import message as msg
from labeler.backport_report import patterns as P

_WHY = {
    "instruction:yes": "the message asks for a backport",
    "instruction:wait": "the message asks for a backport after some observation",
    "instruction:uncertain": "the message hedges: the developer leaves the backport open",
    "instruction:no": "the message says no backport is needed",
    "conditional": "the message makes the backport depend on another commit",
    "dev-only": "the bug exists only on the development branch",
    "trailer": "a trailer asks for the stable branches",
    "subject": "its subject tag decides (no instruction in the message)",
    "culprit": "fixes an older commit: is a stable branch affected?",
    "absent": "the code it changes is not on the stable branch",
    "release": "a release, version bump or merge",
    "follows": "a fix: it goes where the commit it fixes goes",
    "needed": "a commit a later pick needs",
    "lookahead": "a commit a later pick needs",
    "pr-label": "the label of its pull request decides",
    "released-fix": "fixes a commit older than this cycle",
    "fix-report": "a fix of code that is on the stable branch",
    "fix-word": "its subject says it fixes something",
    "default": "nothing in the message asks for a backport: it stays on the development branch",
    "model": "the model's reading of the message",
}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def target(message: str) -> str | None:
    """The oldest version a positive instruction names, as written ("2.4"); None when none does."""
    named = []
    for sentence in msg.sentences(msg.clean(message).split("\n", 1)[-1]):
        if P.NO.search(sentence) or not (
            P.YES.search(sentence) or P.WAIT.search(sentence) or P.HEDGED.search(sentence)
        ):
            continue
        named += [v for v in P.TARGET.findall(sentence) if "-dev" not in sentence[sentence.find(v) :][: len(v) + 4]]
    return min(named, key=_version) if named else None


def why(kind: str, target_version: str | None = None, ready_since: str | None = None) -> str:
    """One line for the row: the rule's gist, the target, and when a wait became ready."""
    source, _, verdict = kind.rpartition(":")
    line = _WHY.get(kind) or _WHY.get(source) or f"{source or 'rule'}: {verdict}"
    if target_version and verdict in ("yes", "wait", "uncertain"):
        line += f", as far as {target_version}"
    return line + (f"; ready since {ready_since}" if ready_since else "")
