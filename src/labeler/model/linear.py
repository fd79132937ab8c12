"""The fitted model as plain arrays: TF-IDF vocabularies + linear weights, mixed per group.

With sentence embeddings (single-label data) there are two such models: one on the TF-IDF
columns, one on the embedding vectors, each with its own components, and their probabilities are
averaged with the embedding model's `share` (late fusion, `fuse`; fusion.py chooses the share on
held-out scores). Putting the embeddings beside the TF-IDF columns in one regression instead let
one C regularise two very different feature spaces in a softmax over few labels, and its settings
were chosen on the folds that measured it: it did not transfer to NLBSE'24's hidden test split
(see the docs). Multi-label models keep the embeddings as columns (`embed_columns`): there each
label's own one-vs-rest regression weighs vectors against words, a share per label that one
global share would lose on many topical labels (Grafana areas, see the docs).

Components: "" is the model trained on every training issue (pooled across repositories). When
the training data spans several groups (repositories, from a record's `repo` or `source`), each
group with enough issues of every label also gets its own model, and an issue of that group is
scored by averaging the two (per-repository vocabulary and habits + the pooled model's breadth: a
small cross-validated gain, docs/triage-intelligence.md). Issues of unknown groups get the pooled one.

Everything here is numbers and strings: a model directory holds them as `.npz` arrays and JSON,
never as pickles (predict.py loads them; nothing in a model file can run code).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

POOLED = ""
MIN_GROUP_ISSUES = 20
SATURATED = 10.0  # intercept for a label every (or no) training issue has: p ~ 1 (or 0)
NB_C = 30.0  # the NB-weighted models' C (own-repository CV on NLBSE'24: 30 > 10, 100)


def _logreg(X: Any, target: Any, C: float, class_weight: str | None, multinomial: bool) -> tuple[Any, Any]:
    import numpy as np
    from scipy.sparse import issparse
    from sklearn.linear_model import LogisticRegression

    # sag: much faster than lbfgs on TF-IDF rows, which are L2-normalised as sag wants; on the few
    # dense columns of sentence embeddings sag crawls and newton-cg converges in a few steps
    solver = ("sag" if issparse(X) else "newton-cg") if multinomial else "liblinear"
    # liblinear's dual problem has one variable per issue: with fewer issues than features (TF-IDF
    # on issue history) the same fit is faster, with the same predictions
    dual = not multinomial and X.shape[0] < X.shape[1]
    model = LogisticRegression(
        C=C, class_weight=class_weight, solver=solver, max_iter=200, tol=1e-3, random_state=0, dual=dual
    )
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    # dense embedding rows are a small problem: threaded BLAS on two busy cores made it 8x slower
    with warnings.catch_warnings(), threadpool_limits(limits=1 if solver == "newton-cg" else None, user_api="blas"):
        warnings.simplefilter("ignore")  # ConvergenceWarning at tol 1e-3 is harmless here
        model.fit(X, target)
    return model.coef_.astype(np.float32), model.intercept_.astype(np.float32)


def _nb_ovr(X: Any, target: Any, n_labels: int, class_weight: str | None) -> tuple[Any, Any]:
    """NB-weighted logistic regression (Wang & Manning 2012), one-vs-rest: each label's model sees the
    TF-IDF columns scaled by their smoothed log-count ratio r (label vs the rest), so its score is
    (x * r) . w + b = x . (r * w) + b: plain weights again. Columns with negative values (sentence
    embeddings) are no counts: they keep r = 1."""
    import numpy as np
    from scipy.sparse import diags

    W = np.zeros((n_labels, X.shape[1]), dtype=np.float32)
    b = np.zeros(n_labels, dtype=np.float32)
    counts = np.asarray(X.min(axis=0).todense()).ravel() >= 0
    for j in range(n_labels):
        mine = target == j
        pos = np.asarray(X[mine].sum(axis=0)).ravel() + 1.0
        neg = np.asarray(X[~mine].sum(axis=0)).ravel() + 1.0
        r = np.where(counts, np.log(np.clip(pos / pos.sum(), 1e-12, None) / np.clip(neg / neg.sum(), 1e-12, None)), 1.0)
        w, i = _logreg((X @ diags(r)).tocsr(), mine.astype(np.int8), NB_C, class_weight, multinomial=False)
        W[j], b[j] = (w[0] * r).astype(np.float32), i[0]
    return W, b


def _single(X: Any, y: Any, C: float, class_weight: str | None, nb_weight: float = 0.0) -> tuple[Any, Any] | None:
    """Softmax weights (labels, features); None when a label has no training issue. With `nb_weight`
    (TF-IDF columns only) the logits are that share of the NB-weighted one-vs-rest model's and the
    rest the softmax LR's."""
    import numpy as np

    target = y.argmax(axis=1)
    present = np.bincount(target, minlength=y.shape[1])
    if (present == 0).any():
        return None
    W, b = _logreg(X, target, C, class_weight, multinomial=True)
    if y.shape[1] == 2:  # binary LR gives one row z: softmax([-z/2, z/2]) == sigmoid(z)
        W, b = np.vstack([-W / 2, W / 2]), np.array([-b[0] / 2, b[0] / 2], dtype=np.float32)
    if nb_weight > 0:
        Wn, bn = _nb_ovr(X, target, y.shape[1], class_weight)
        W, b = (1 - nb_weight) * W + nb_weight * Wn, (1 - nb_weight) * b + nb_weight * bn
    return W.astype(np.float32), b.astype(np.float32)


def _multi(X: Any, y: Any, C: float, class_weight: str | None) -> tuple[Any, Any]:
    """One-vs-rest sigmoid weights; a label present in all or no issues gets a saturated intercept."""
    import numpy as np

    W = np.zeros((y.shape[1], X.shape[1]), dtype=np.float32)
    b = np.zeros(y.shape[1], dtype=np.float32)
    for j in range(y.shape[1]):
        col = y[:, j]
        if col.min() == col.max():
            b[j] = SATURATED if col[0] else -SATURATED
            continue
        w, i = _logreg(X, col, C, class_weight, multinomial=False)
        W[j], b[j] = w[0], i[0]
    return W, b


def fit(
    X: Any,
    y: Any,
    groups: Sequence[str | None],
    mode: str,
    *,
    C: float,
    class_weight: str | None,
    per_group: bool = True,
    extra: tuple[Any, Any] | None = None,
    nb_weight: float = 0.0,
) -> dict[str, tuple[Any, Any]]:
    """`extra` (X, y): training-only rows (label-name texts, multi-label mode), never scored.
    `nb_weight`: single-label only, see `_single`."""
    import numpy as np

    if mode != "single":
        if extra is not None:
            from scipy.sparse import issparse, vstack

            X = vstack([X, extra[0]], format="csr") if issparse(X) else np.vstack([X, extra[0]])
            y = np.vstack([y, extra[1]])
        return {POOLED: _multi(X, y, C, class_weight)}
    single = partial(_single, C=C, class_weight=class_weight, nb_weight=nb_weight)
    pooled = single(X, y)
    assert pooled is not None, "prepare() guarantees every label has training issues"
    out = {POOLED: pooled}
    names = sorted({g for g in groups if g})
    if per_group and len(names) > 1:
        arr = np.array([g or "" for g in groups], dtype=object)
        for name in names:
            rows = np.flatnonzero(arr == name)
            if len(rows) >= MIN_GROUP_ISSUES and (fitted := single(X[rows], y[rows])):
                out[name] = fitted
    return out


def fuse(p_text: Any, p_embed: Any, share: float) -> Any:
    """The weighted mean of the two models' probabilities (a mean of distributions stays one)."""
    if share <= 0 or p_embed is None:
        return p_text
    return (1 - share) * p_text + share * p_embed


def _link(z: Any, mode: str) -> Any:
    import numpy as np

    if mode == "single":
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def proba(
    components: dict[str, tuple[Any, Any]], X: Any, groups: Sequence[str | None], mode: str, pool_weight: float
) -> Any:
    """Pooled probabilities, averaged with the issue's own group model where there is one."""
    import numpy as np

    W, b = components[POOLED]
    out = _link(np.asarray(X @ W.T) + b, mode)
    arr = np.array([g or "" for g in groups], dtype=object)
    for name, (Wg, bg) in components.items():
        rows = np.flatnonzero(arr == name) if name != POOLED else np.array([], dtype=int)
        if len(rows):
            own = _link(np.asarray(X[rows] @ Wg.T) + bg, mode)
            out[rows] = pool_weight * out[rows] + (1 - pool_weight) * own
    return out


@dataclass
class Model:
    """What a model directory holds, ready to score texts."""

    kinds: tuple[str, ...]
    vocab: dict[str, list[str]]
    idf: dict[str, Any]
    components: dict[str, tuple[Any, Any]]
    mode: str
    pool_weight: float = 0.5
    # sentence embeddings: a second model on the vectors, its probabilities at `embed_share` (0: none)
    embed_components: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    embed_share: float = 0.0
    embed_dim: int = 0
    # multi-label: the embeddings are instead the last `embed_columns` columns of X, so each label's
    # one-vs-rest model weighs them against its words itself
    embed_columns: int = 0
    _vectorizers: list[Any] = field(default_factory=list, repr=False)

    @classmethod
    def from_fitted(cls, vectorizers: list[tuple[str, Any]], **kw: Any) -> Model:
        vocab = {k: _terms(v) for k, v in vectorizers}
        model = cls(
            kinds=tuple(k for k, _ in vectorizers),
            vocab=vocab,
            idf={k: v.idf_.astype("float32") for k, v in vectorizers},
            **kw,
        )
        model._vectorizers = [v for _, v in vectorizers]
        return model

    def vectorizers(self) -> list[Any]:
        from labeler.model import features

        if not self._vectorizers:
            for kind in self.kinds:
                v = features.vectorizer(kind)
                v.vocabulary_ = {t: i for i, t in enumerate(self.vocab[kind])}
                v.idf_ = self.idf[kind]
                self._vectorizers.append(v)
        return self._vectorizers

    def n_features(self) -> int:
        return sum(len(self.vocab[k]) for k in self.kinds) + self.embed_columns

    @property
    def needs_embeddings(self) -> bool:
        return bool(self.embed_dim or self.embed_columns)

    def matrix(self, texts: Sequence[str], embeddings: Any = None) -> Any:
        blocks = [v.transform(list(texts)) for v in self.vectorizers()]
        if self.embed_columns:
            if embeddings is None:
                raise ValueError("this model has sentence-embedding columns: pass the issues' vectors")
            blocks.append(dense(embeddings))
        return stack(blocks)

    def proba(self, X: Any, groups: Sequence[str | None], embeddings: Any = None) -> Any:
        """TF-IDF probabilities, fused with the embedding model's when the model has one."""
        p = proba(self.components, X, groups, self.mode, self.pool_weight)
        if not self.embed_dim:
            return p
        if embeddings is None:
            raise ValueError("this model fuses sentence embeddings: pass the issues' vectors")
        p_embed = proba(self.embed_components, dense(embeddings), groups, self.mode, self.pool_weight)
        return fuse(p, p_embed, self.embed_share)


def stack(blocks: list[Any]) -> Any:
    from scipy.sparse import csr_matrix, hstack, issparse

    return hstack([b if issparse(b) else csr_matrix(b) for b in blocks], format="csr", dtype="float32")


def dense(embeddings: Any) -> Any:
    """Embedding vectors as the float32 rows the embedding model is fitted and scored on."""
    import numpy as np

    return np.ascontiguousarray(embeddings, dtype=np.float32)


def _terms(vectorizer: Any) -> list[str]:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, i in vectorizer.vocabulary_.items():
        terms[i] = term
    return terms
