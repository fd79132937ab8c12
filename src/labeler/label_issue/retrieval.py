"""Similar past issues from the history file: few-shot examples for prompts, possible duplicates.

Each is a Similar record whose score is the cosine similarity (0..1). TF-IDF (word 1-2-grams, English
stop words removed, the title counted twice) with cosine similarity, computed on the runner from the
SQLite history (labeling.md §6.9, §7: brute force is enough for one query per run). scikit-learn when
installed (labeler[local]); otherwise a small pure-Python TF-IDF with the same weighting ideas. The
index is cached per file and modification time, so label-issue can ask for examples and duplicates
with one build.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from labeler.history import store as history

MAX_BODY_CHARS = 5_000
_TOKEN = re.compile(r"[a-z0-9][a-z0-9_.+#-]*[a-z0-9]|[a-z0-9]")
_STOP = frozenset(
    """
    a an and are as at be but by for from has have i if in is it its of on or so that the this to was were
    when which will with you your my we our not no can
""".split()
)


@dataclass(frozen=True)
class Similar:
    number: int
    title: str
    labels: tuple[str, ...]
    state: str
    url: str
    score: float
    body: str = ""


def document(title: str, body: str | None) -> str:
    body = re.sub(r"<!--.*?-->", " ", (body or "")[: MAX_BODY_CHARS * 2], flags=re.S)[:MAX_BODY_CHARS]
    return f"{title}\n{title}\n{body}"


class Index:
    """Issues + their TF-IDF vectors; query() returns (position, cosine) pairs."""

    def __init__(self, issues: Sequence[history.StoredIssue]) -> None:
        self.issues = list(issues)
        docs = [document(i.title, i.body) for i in self.issues]
        self._sk = _SklearnIndex(docs) if _have_sklearn() and docs else None
        self._py = None if self._sk or not docs else _PurePythonIndex(docs)

    def query(self, title: str, body: str | None) -> list[float]:
        if not self.issues:
            return []
        doc = document(title, body)
        return self._sk.query(doc) if self._sk else self._py.query(doc)  # type: ignore[union-attr]


def _have_sklearn() -> bool:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


class _SklearnIndex:
    def __init__(self, docs: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, stop_words="english", max_features=500_000, dtype=_f32()
        )
        self.n = len(docs)
        try:
            self.matrix = self.vectorizer.fit_transform(docs)
        except ValueError:  # every document is empty or only stop words
            self.matrix = None

    def query(self, doc: str) -> list[float]:
        if self.matrix is None:
            return [0.0] * self.n
        scores = self.matrix @ self.vectorizer.transform([doc]).T
        return [float(s) for s in scores.toarray().ravel()]


def _f32() -> Any:
    import numpy as np

    return np.float32


def tokens(text: str) -> list[str]:
    words = [w for w in _TOKEN.findall(text.lower()) if w not in _STOP]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


class _PurePythonIndex:
    """Sublinear tf * smoothed idf, L2-normalised sparse dicts: the scikit-learn weighting."""

    def __init__(self, docs: list[str]) -> None:
        counts = [Counter(tokens(d)) for d in docs]
        df = Counter(t for c in counts for t in c)
        n = len(docs)
        self.idf = {t: math.log((1 + n) / (1 + f)) + 1 for t, f in df.items()}
        self.vectors = [self._vector(c) for c in counts]

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        vec = {t: (1 + math.log(c)) * self.idf[t] for t, c in counts.items() if t in self.idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def query(self, doc: str) -> list[float]:
        q = self._vector(Counter(tokens(doc)))
        return [sum(w * v.get(t, 0.0) for t, w in q.items()) for v in self.vectors]


_CACHE: dict[tuple[str, float, int], Index] = {}


def index_for(db_path: str) -> Index:
    stat = os.stat(db_path) if os.path.exists(db_path) else None
    key = (os.path.abspath(db_path), stat.st_mtime if stat else 0.0, stat.st_size if stat else 0)
    if key not in _CACHE:
        _CACHE.clear()  # one history file per run: keep memory flat
        _CACHE[key] = Index(history.load(db_path))
    return _CACHE[key]


def similar(
    db_path: str,
    title: str,
    body: str | None,
    k: int = 5,
    *,
    state: str | None = None,
    exclude_number: int | None = None,
    before: int | None = None,
) -> list[Similar]:
    """The k most similar stored issues (score > 0), best first; `state` 'open'/'closed' filters;
    `before` keeps only issues numbered lower (opened earlier)."""
    index = index_for(db_path)
    scored = [
        (s, i)
        for s, i in zip(index.query(title, body), index.issues)
        if s > 0
        and i.number != exclude_number
        and (state is None or i.state == state)
        and (before is None or i.number < before)
    ]
    scored.sort(key=lambda p: (-p[0], -p[1].number))
    return [
        Similar(i.number, i.title, i.labels, i.state, i.html_url or "", round(min(1.0, s), 4), i.body)
        for s, i in scored[:k]
    ]


def possible_duplicates(
    db_path: str, title: str, body: str | None, threshold: float = 0.5, exclude_number: int | None = None, *, k: int = 5
) -> list[Similar]:
    """Open issues at least `threshold` similar (0.5 is a starting point: measure on your history)."""
    return [
        s for s in similar(db_path, title, body, k, state="open", exclude_number=exclude_number) if s.score >= threshold
    ]


def render_examples(items: Sequence[Similar], *, max_chars: int = 300) -> str:
    """Labelled examples for a prompt. Titles are untrusted: one line, cut, no tags of their own."""
    import html

    parts = []
    for s in items:
        title = html.escape(" ".join(s.title.split())[:max_chars], quote=False)
        labels = ", ".join(s.labels) or "(none)"
        parts.append(f'<example number="{s.number}">\n<title>{title}</title>\n<labels>{labels}</labels>\n</example>')
    return "\n".join(parts)
