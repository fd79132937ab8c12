"""The offline `keywords` provider: a label's name, aliases, examples and description, matched by word form.

No key, no network, deterministic. Evidence per label:
- strong: the name, an alias, or a short example (up to 3 words) appearing as a phrase, unless
  it lies inside a longer phrase of another label ("support" inside "add support for");
- weak: a content word of the description or of a longer example ("App crashes when saving"),
  counted once per word, and only when no other label's vocabulary has that word too.
Words are compared by a light stem (crash / crashes / crashed / crashing; save / saving), case-
insensitive. A mention right after a negation ("not a crash", "doesn't crash", "no error",
"without crashing") is no evidence. A title hit weighs twice a body hit.

The raw score (a title hit weighs twice a body hit, a weak word half a strong one) ranks labels and
keeps out a label with less than half the best other's score. The confidence reported is the
measured precision of the kind of evidence (KINDS below): only the label's own name in the title,
confirmed by evidence in the body, with no other label's phrase in the title, reaches the default
threshold; an example such as "crash" in the title is a suggestion shown in the audit comment, not
applied. It answers in the same shape as the models.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from labeler.config import Label

VERSION = "keywords-3"
BODY_LIMIT = 20_000
STRONG, WEAK = 1.0, 0.5
TITLE, BODY = 2.0, 1.0
SHORT_EXAMPLE = 3  # words: examples up to this long are phrases, longer ones bags of words
NEGATION_WINDOW = 3  # tokens before a match that can negate it
NEGATORS = frozenset({"not", "no", "never", "without", "nor", "none", "non", "cannot"})
STOPWORDS = frozenset(
    """
    a an and are as at be been but by can could do does for from has have how i if in into is it its of on or
    our so some something that the their them then there these this those to too up us use used using was we
    were what when where which while who why will with would you your yet also any all more most other than
    very just only about after before over under new one two get got make made want need like see set way
    thing things work works working issue issues please thank thanks
""".split()
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CODE = re.compile(r"```.*?(?:```|\Z)", re.S)


def stem(word: str) -> str:
    """crash/crashes/crashed/crashing -> crash; save/saves/saving -> sav; errors -> error."""
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            w = w[: -len(suffix)]
            break
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]  # stopped -> stopp -> stop
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _negated(words: Sequence[str], start: int) -> bool:
    before = words[max(0, start - NEGATION_WINDOW) : start]
    return any(w in NEGATORS or w.endswith("n't") for w in before)


@cache
def vocabulary(label: Label) -> tuple[tuple[tuple[str, ...], ...], frozenset[str]]:
    """(strong phrases as stem tuples, weak content-word stems) of one label."""
    strong, weak = [], set()
    for term in (label.name, *label.aliases, *label.examples):
        words = tokens(re.sub(r"[_\-/:]+", " ", term))
        if not words:
            continue
        if term in label.examples and len(words) > SHORT_EXAMPLE:
            weak |= {stem(w) for w in words if _content(w)}
        else:
            strong.append(tuple(stem(w) for w in words))
    weak |= {stem(w) for w in tokens(label.description) if _content(w)}
    return tuple(dict.fromkeys(strong)), frozenset(weak)


def _content(word: str) -> bool:
    return len(word) > 2 and word not in STOPWORDS and word not in NEGATORS and not word.endswith("n't")


def _spans(phrase: tuple[str, ...], stems: Sequence[str], words: Sequence[str]) -> list[tuple[int, int]]:
    """Where the phrase occurs, not right after a negation."""
    n = len(phrase)
    return [
        (i, i + n) for i in range(len(stems) - n + 1) if tuple(stems[i : i + n]) == phrase and not _negated(words, i)
    ]


def _exclusive(labels: Sequence[Label]) -> dict[str, frozenset[str]]:
    """Weak words of each label that no other label's vocabulary (strong or weak) shares."""
    vocab = {lbl.name: vocabulary(lbl) for lbl in labels}
    out = {}
    for name, (_, weak) in vocab.items():
        others: set[str] = set()
        for other, (strong_o, weak_o) in vocab.items():
            if other != name:
                others |= weak_o | {w for p in strong_o for w in p}
        out[name] = weak - others
    return out


def _parts(title: str, body: str) -> list[tuple[float, list[str], list[str]]]:
    out = []
    for weight, text in ((TITLE, title), (BODY, _CODE.sub(" ", body[:BODY_LIMIT]))):
        words = tokens(text)
        out.append((weight, words, [stem(w) for w in words]))
    return out


def _strong_hits(labels: Sequence[Label], words: list[str], stems: list[str]) -> dict[str, set[tuple[str, ...]]]:
    """Strong phrases found per label; a match inside another label's longer match does not count
    ("support" for question inside "add support for" of feature)."""
    found = [
        (lbl.name, phrase, span)
        for lbl in labels
        for phrase in vocabulary(lbl)[0]
        for span in _spans(phrase, stems, words)
    ]
    hits: dict[str, set[tuple[str, ...]]] = {lbl.name: set() for lbl in labels}
    for name, phrase, (a, b) in found:
        if not any(other != name and c <= a and b <= d and d - c > b - a for other, _, (c, d) in found):
            hits[name].add(phrase)
    return hits


def score(
    label: Label, title: str, body: str, weak: frozenset[str] | None = None, labels: Sequence[Label] = ()
) -> tuple[float, list[str]]:
    weak = vocabulary(label)[1] if weak is None else weak
    total, hits = 0.0, []
    for weight, words, stems in _parts(title, body):
        strong = _strong_hits(labels or (label,), words, stems)[label.name]
        total += STRONG * weight * len(strong)
        hits += [" ".join(p) for p in sorted(strong)]
        seen = {s for i, s in enumerate(stems) if s in weak and not _negated(words, i)}
        total += WEAK * weight * len(seen)
        hits += sorted(seen)
    return total, list(dict.fromkeys(hits))


# Evidence kinds, strongest first, and the confidence each reports: the lowest per-label precision of
# that kind of evidence on a public benchmark (benchmarks/keywords_nlbse.py --kinds; the figures and the
# command are in docs/triage-intelligence.md), rounded down to 0.05. "Confirmed" means the label also
# has evidence in the body; "contested" means another label has a phrase in the title.
KINDS: dict[str, float] = {
    "name in title, confirmed": 0.85,  # the label's own name in the title, its evidence in the body
    "name in title": 0.5,
    "phrase in title, confirmed": 0.4,  # an alias or example in the title, evidence in the body
    "phrase in body": 0.4,
    "words in title and body": 0.3,  # description / long-example words only: too rare to measure, as "words"
    "words": 0.3,
    "phrase in title": 0.2,  # alone, an alias or example in the title is often a passing mention
}
CONTESTED = 0.5  # "contested" and not the name-in-title kind: the kind's confidence times this


def _name(label: Label) -> tuple[str, ...]:
    return tuple(stem(w) for w in tokens(re.sub(r"[_\-/:]+", " ", label.name)))


def _contains(phrase: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return n > 0 and any(phrase[i : i + n] == part for i in range(len(phrase) - n + 1))


def evidence(labels: Sequence[Label], title: str, body: str) -> list[tuple[str, float, str, list[str]]]:
    """(label, raw score, evidence kind, hits) for each label with any evidence."""
    weak = _exclusive(labels)
    (_, t_words, t_stems), (_, b_words, b_stems) = _parts(title or "", body or "")
    t_strong, b_strong = _strong_hits(labels, t_words, t_stems), _strong_hits(labels, b_words, b_stems)
    out = []
    for lbl in labels:
        total, hits = score(lbl, title or "", body or "", weak[lbl.name], labels)
        if total <= 0:
            continue
        t_weak = any(s in weak[lbl.name] and not _negated(t_words, i) for i, s in enumerate(t_stems))
        b_weak = any(s in weak[lbl.name] and not _negated(b_words, i) for i, s in enumerate(b_stems))
        confirmed = bool(b_strong[lbl.name]) or b_weak
        name = _name(lbl)
        if any(_contains(p, name) for p in t_strong[lbl.name]):
            kind = "name in title"
        elif t_strong[lbl.name]:
            kind = "phrase in title"
        elif b_strong[lbl.name]:
            kind, confirmed = "phrase in body", False
        else:
            kind, confirmed = ("words in title and body", False) if t_weak and b_weak else ("words", False)
        kind += ", confirmed" if confirmed else ""
        if any(t_strong[o.name] for o in labels if o.name != lbl.name):
            kind += ", contested"
        out.append((lbl.name, total, kind, hits))
    return out


def confidence(kind: str) -> float:
    """The documented confidence of an evidence kind (see KINDS)."""
    base = KINDS[kind.replace(", contested", "")]
    if kind.endswith(", contested"):
        base = round(min(base * CONTESTED, KINDS["phrase in title, confirmed"]), 2)
    return base


def suggest(labels: tuple[Label, ...], title: str, body: str, max_labels: int = 3) -> dict[str, Any]:
    found = evidence(labels, title, body)
    scored = []
    for name, total, kind, hits in found:
        other = max((t for n, t, _, _ in found if n != name), default=0.0)
        if total - 0.5 * other > 0:
            scored.append((confidence(kind), total, name, kind, hits))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    chosen = scored[:max_labels]
    rationale = "; ".join(
        f"{name}: {kind}, matched {', '.join(repr(h) for h in hits[:3])}" for _, _, name, kind, hits in chosen
    )
    return {
        "labels": [{"name": name, "confidence": conf} for conf, _, name, _, _ in chosen],
        "rationale": rationale or "no label name, alias, example or description word appears in the issue",
        "version": VERSION,
    }
