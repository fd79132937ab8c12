"""The offline `keywords` provider: a label's name, aliases, examples and description, matched by word form.

No key, no network, deterministic. Evidence per label:
- strong: the name, an alias, or a short example (up to 3 words) appearing as a phrase, unless
  it lies inside a longer phrase of another label ("support" inside "add support for");
- weak: a content word of the description or of a longer example ("App crashes when saving"),
  counted once per word, and only when no other label's vocabulary has that word too.
Words are compared by a light stem (crash / crashes / crashed / crashing; save / saving), case-
insensitive. A mention right after a negation ("not a crash", "doesn't crash", "no error",
"without crashing") is no evidence. A title hit weighs twice a body hit.

Confidence grows with the evidence and shrinks when another label has nearly as much:
confidence = 1 - exp(-(score - 0.5 * best other score) / 2). One strong title hit alone ~0.63, a
strong title hit and a body hit ~0.78. It answers in the same shape as the models.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from labeler.config import Label

VERSION = "keywords-2"
BODY_LIMIT = 20_000
STRONG, WEAK = 1.0, 0.5
TITLE, BODY = 2.0, 1.0
SHORT_EXAMPLE = 3        # words: examples up to this long are phrases, longer ones bags of words
NEGATION_WINDOW = 3      # tokens before a match that can negate it
NEGATORS = frozenset({"not", "no", "never", "without", "nor", "none", "non", "cannot"})
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "so",
        "some",
        "something",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "those",
        "to",
        "too",
        "up",
        "us",
        "use",
        "used",
        "using",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yet",
        "also",
        "any",
        "all",
        "more",
        "most",
        "other",
        "than",
        "very",
        "just",
        "only",
        "about",
        "after",
        "before",
        "over",
        "under",
        "new",
        "one",
        "two",
        "get",
        "got",
        "make",
        "made",
        "want",
        "need",
        "like",
        "see",
        "set",
        "way",
        "thing",
        "things",
        "work",
        "works",
        "working",
        "issue",
        "issues",
        "please",
        "thank",
        "thanks",
    ]
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
    return [(i, i + n) for i in range(len(stems) - n + 1) if tuple(stems[i : i + n]) == phrase and not _negated(words, i)]


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
    found = [(lbl.name, phrase, span) for lbl in labels for phrase in vocabulary(lbl)[0] for span in _spans(phrase, stems, words)]
    hits: dict[str, set[tuple[str, ...]]] = {lbl.name: set() for lbl in labels}
    for name, phrase, (a, b) in found:
        if not any(other != name and c <= a and b <= d and d - c > b - a for other, _, (c, d) in found):
            hits[name].add(phrase)
    return hits


def score(label: Label, title: str, body: str, weak: frozenset[str] | None = None, labels: Sequence[Label] = ()) -> tuple[float, list[str]]:
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


def suggest(labels: tuple[Label, ...], title: str, body: str, max_labels: int = 3) -> dict[str, Any]:
    weak = _exclusive(labels)
    raw = [(lbl.name, *score(lbl, title or "", body or "", weak[lbl.name], labels)) for lbl in labels]
    scored = []
    for name, total, hits in raw:
        other = max((t for n, t, _ in raw if n != name), default=0.0)
        margin = total - 0.5 * other
        if total > 0 and margin > 0:
            scored.append((round(1 - math.exp(-margin / 2), 3), name, hits))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen = scored[:max_labels]
    rationale = "; ".join(f"{name}: matched {', '.join(repr(h) for h in hits[:3])}" for _, name, hits in chosen)
    return {
        "labels": [{"name": name, "confidence": conf} for conf, name, _ in chosen],
        "rationale": rationale or "no label name, alias, example or description word appears in the issue",
        "version": VERSION,
    }
