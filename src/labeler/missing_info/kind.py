"""What kind of report an issue is (bug, feature, question), so a question never gets the bug checklist.

The labels come first (a type label a maintainer or label-issue applied); without one, the issue's own
words decide: a title asking how/what/why/can..., or ending in "?", is a question unless the report
carries a bug's evidence (a traceback, an error, a crash, steps to reproduce); a feature request says so
("feature request", "it would be nice", "please add", a feature template's headings). Anything else is
reported as a bug, as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# "Can't save" and "Does not render" report a failure: a negated verb is no question
_QUESTION_TITLE = re.compile(
    r"^\W*(?:\[?question\]?\s*:?|q:|how\b|what\b|why\b|where\b|which\b|when\b|is there\b|are there\b|"
    r"(?:can|could|should|does|do|is it)(?!n?['’]t\b|not\b|\s+not\b)\b)|\?\s*$",
    re.I,
)
_BUG_EVIDENCE = re.compile(
    r"Traceback \(most recent call last\)|\b\w*(?:Error|Exception)\b[:(]|\bpanic:|\bcrash(?:es|ed|ing)?\b|"
    r"\bsegfault\b|\bregression\b|\bsteps to reproduce\b|\bhow (?:do we|to) reproduce\b|\bstack ?trace\b|"
    r"\bbroken\b|\bbug\b|\bfails?\b|\bfailed\b|\bdoes(?: not|n't) work\b",
    re.I,
)
_FEATURE = re.compile(
    r"\bfeature request\b|^\W*\[?(?:feature|feat|enhancement|proposal|rfc)\]?\s*:|"
    r"\bit would be (?:nice|great|useful|good)\b|"
    r"\bplease (?:add|support|allow)\b|\badd (?:support|an? option) for\b|\bsupport for\b.*\?|"
    r"\bis your feature request related\b|\bdescribe the (?:solution|feature)\b|\bwhy is this (?:needed|important)\b",
    re.I | re.M,
)


def of_labels(labels: Sequence[str]) -> str | None:
    """The kind a type label states (type/feature-request -> feature, ...), None when no label says."""
    low = " ".join(labels).lower()
    if "feature" in low or "enhancement" in low:
        return "feature"
    if "question" in low:
        return "question"
    return "bug" if "bug" in low else None


def of_text(title: str, body: str | None) -> str:
    text = f"{title}\n{body or ''}"
    if _FEATURE.search(text):
        return "feature"
    if _QUESTION_TITLE.search(title.strip()) and not _BUG_EVIDENCE.search(text):
        return "question"
    return "bug"


def report_kind(title: str, body: str | None, labels: Sequence[str] = ()) -> str:
    return of_labels(labels) or of_text(title, body)
