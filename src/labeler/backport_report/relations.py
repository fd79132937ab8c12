"""Dependencies and later fixes between the commits of a range, from what their messages say:
`depends_on` (earlier commits a commit says it needs), `needed_by` (later commits that say they
need it), `fixes` (the commit it fixes: "introduced by X", `Fixes: X`, "follow-up to X", a revert)
and `fixed_by` (later commits fixing it). Pure: items and their references in, lists of shas out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from labeler.backport_report import message as msg
from labeler.backport_report import patterns as P
from labeler.backport_report.refs import Item, Refs

FIX_OF = re.compile(
    r"\b(?:introduc\w*|caus\w*|broke\w*|regress\w*|follow(?:s|ing)?[- ]?ups?|fix(?:es|ed|ing)?\s*:|"
    r"fixup|amend\w*|revert\w*|complement\w*|(?:this|it)\s+fix(?:es)?\s+(?:commit|the\s+\w+\s+in)|"
    # the cause in other words: "because of commit X", "in X I erroneously used", "Following X"
    r"because\s+of|due\s+to|erroneous\w*|wrongly|by\s+mistake|mistakenly|^following|"
    # what a commit left undone: "X forgot to reset the flag", "the fix in X is incomplete"
    r"forg[eo]t\w*|incomplete|missed|(?:still\s+)?not\s+enough)\b",
    re.I,
)
_MAY_NAME = re.compile(
    r"[0-9a-f]{7}|[\"\u201c]|[A-Z]{2,}[A-Z0-9]*(?:/[A-Z]+)?:|previous|preceding|next|following|"
    r"upcoming|subsequent",
    re.I,
)
REVERT = re.compile(r'^Revert\s+"(.+)"\s*$')


@dataclass
class Relations:
    depends_on: dict[str, list[str]] = field(default_factory=dict)
    needed_by: dict[str, list[str]] = field(default_factory=dict)
    fixes: dict[str, list[str]] = field(default_factory=dict)
    fixed_by: dict[str, list[str]] = field(default_factory=dict)
    fixes_outside: dict[str, list[str]] = field(default_factory=dict)  # quoted ids not in the range

    def add(self, kind: str, inverse: str, child: str, parent: str) -> None:
        for table, key, value in ((getattr(self, kind), child, parent), (getattr(self, inverse), parent, child)):
            if value not in table.setdefault(key, []):
                table[key].append(value)


def _earlier(refs: Refs, sha: str, found: Sequence[str]) -> list[str]:
    return [s for s in found if s != sha and refs.order[s] < refs.order[sha]]


def _fix_sentence(item: Item, refs: Refs, sentence: str, out: Relations) -> bool:
    """A sentence saying this commit repairs an earlier one (True also when it only says where a bug
    got worse: that names no prerequisite either)."""
    part = P.blamed(sentence)
    if P.USES.search(sentence) and not part:
        return False  # "thanks to the function introduced in X": a dependency
    if not (FIX_OF.search(part) or P.INTRODUCED.search(part) or part.lower().startswith("fixes")):
        return part != sentence
    culprits = _earlier(refs, item.sha, refs.mentioned(part))
    for culprit in culprits:
        out.add("fixes", "fixed_by", item.sha, culprit)
    outside = [m.group(1) for m in P.SHA.finditer(part) if not refs.resolve(m.group(1))]
    if outside:
        out.fixes_outside.setdefault(item.sha, []).extend(outside)
    return bool(culprits or outside or part != sentence)


def _relate_one(item: Item, refs: Refs, out: Relations) -> None:
    if item.sha in refs.silent:  # a release lists what it ships: no link either way
        return
    revert = REVERT.match(item.subject)
    if revert and refs.resolve(revert.group(1)):
        out.add("fixes", "fixed_by", item.sha, refs.resolve(revert.group(1)) or "")
    body = msg.strip_diff(item.message).split("\n", 1)[1] if "\n" in item.message else ""
    for sentence in msg.sentences(body, lists=True):
        if not _MAY_NAME.search(sentence):  # no id, quoted subject, tag or "previous/next": nothing to relate
            continue
        if P.NEEDED_BY_NEXT.search(sentence) and refs.next_of(item.sha):
            out.add("depends_on", "needed_by", refs.next_of(item.sha) or "", item.sha)
        if _fix_sentence(item, refs, sentence, out):
            continue
        if P.USES.search(sentence) or (
            (P.DEPENDS.search(sentence) or P.YES.search(sentence)) and not P.CULPRIT.search(sentence)
        ):
            for parent in _earlier(refs, item.sha, refs.mentioned(sentence) + refs.previous(item.sha, sentence)):
                out.add("depends_on", "needed_by", item.sha, parent)


def relate(items: Sequence[Item], refs: Refs | None = None) -> Relations:
    refs = refs or Refs(items)
    out = Relations()
    for item in items:
        _relate_one(item, refs, out)
    return out
