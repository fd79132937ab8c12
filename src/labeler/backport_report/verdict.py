"""Turn a model's free-text answer into one of four verdicts, strictly.

patchbot's parser (post-ai.sh) matched `(conclusion|verdict)[: ][^.]*yes` without word boundaries,
so "Conclusion: uncertain, no explicit instruction" read as "no" and any "eyes" read as "yes".
Here the verdict word must come first after the marker, as a whole word; an answer with two
different conclusions, or none we can read, is `uncertain`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from labeler.backport_report import message as msg

VERDICTS = ("yes", "wait", "uncertain", "no")
_WORD = r"(yes|no|wait|uncertain)"
_MARKER = re.compile(r"\b(?:conclusion|verdict)\s*[:\-\u2013\u2014]", re.IGNORECASE)
# After a marker: optional markdown/quotes, the word, and not "yes/no" or "yes or no".
_AFTER_MARKER = re.compile(r"[\s*_`\"'\u201c\u2018]*" + _WORD + r"\b(?!\s*(?:/|\bor\b))", re.IGNORECASE)
_QUOTED = re.compile(r"[\"'\u201c\u2018`]" + _WORD + r"[\"'\u201d\u2019`]", re.IGNORECASE)
_BARE = re.compile(r"^\W*" + _WORD + r"\W*$", re.IGNORECASE)
_CONCLUSION_TAIL = re.compile(r"\**\b(?:conclusion|verdict)\s*[:\-\u2013\u2014][^\n]*", re.IGNORECASE)
REASON_LIMIT = 600


class Verdict(NamedTuple):
    verdict: str
    reason: str


def conclusions(answer: str) -> list[str | None]:
    """The verdict after each marker, None where a marker is followed by anything else."""
    found: list[str | None] = []
    for marker in _MARKER.finditer(answer):
        match = _AFTER_MARKER.match(answer, marker.end())
        found.append(match.group(1).lower() if match else None)
    return found


def read_verdict(answer: str) -> str | None:
    """The one verdict the answer states, or None when it states none or several."""
    bare = _BARE.match(answer.strip())
    if bare:
        return bare.group(1).lower()
    found = conclusions(answer)
    if found:
        return found[0] if len(set(found)) == 1 else None
    quoted = {m.group(1).lower() for m in _QUOTED.finditer(answer)}
    return quoted.pop() if len(quoted) == 1 else None


def parse_verdict(answer: str) -> str:
    return read_verdict(answer) or "uncertain"


def explanation(answer: str) -> str:
    """The answer without its conclusion(s), on one line, capped."""
    text = _CONCLUSION_TAIL.sub("", answer)
    text = re.sub(r"^\s*explanation\s*:\s*", "", text.strip(), flags=re.IGNORECASE)
    return _squeeze(text)


def _squeeze(text: str) -> str:
    text = " ".join(text.split())
    return msg.shorten(text, REASON_LIMIT)


def parse_answer(answer: str) -> Verdict:
    verdict = read_verdict(answer)
    if verdict is None:
        return Verdict(
            "uncertain",
            "no single readable conclusion in the model's answer: " + (_squeeze(answer) or "(empty answer)"),
        )
    return Verdict(verdict, explanation(answer) or _squeeze(answer))
