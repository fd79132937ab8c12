"""The NB-weighted half of single-label models (linear._nb_ovr, blended in linear._single)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from labeler.model import linear

# word columns: 0 "crash", 1 "error", 2 "please add", 3 "support", 4 "how", 5 "the" (everywhere)
X = csr_matrix(
    np.array(
        [
            [1, 1, 0, 0, 0, 1],
            [1, 0, 0, 0, 0, 1],
            [0, 1, 0, 0, 0, 1],  # bug
            [0, 0, 1, 1, 0, 1],
            [0, 0, 1, 0, 0, 1],
            [0, 0, 0, 1, 0, 1],  # feature
            [0, 0, 0, 0, 1, 1],
            [0, 0, 0, 0, 1, 1],
            [0, 1, 0, 0, 1, 1],  # question
        ],
        dtype=np.float32,
    )
)
Y = np.repeat(np.eye(3, dtype=np.int8), 3, axis=0)


def test_the_blend_is_one_linear_model_of_both_halves():
    plain = linear._single(X, Y, 10.0, "balanced")
    nb = linear._nb_ovr(X, Y.argmax(axis=1), 3, "balanced")
    half = linear._single(X, Y, 10.0, "balanced", nb_weight=0.5)
    assert plain is not None and half is not None
    np.testing.assert_allclose(half[0], 0.5 * plain[0] + 0.5 * nb[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(half[1], 0.5 * plain[1] + 0.5 * nb[1], rtol=1e-5, atol=1e-6)
    # the weights are plain again: scores of the stored (W, b) rank the training issues right
    z = np.asarray(X @ half[0].T) + half[1]
    assert (z.argmax(axis=1) == Y.argmax(axis=1)).all()


def test_a_word_every_label_shares_gets_no_weight_from_its_ratio():
    W, _ = linear._nb_ovr(X, Y.argmax(axis=1), 3, "balanced")
    assert np.abs(W[:, 5]).max() < 0.2 * np.abs(W[:, :5]).max()  # "the": log-count ratio ~ 0
    assert W[0, 0] > 0 and W[1, 2] > 0 and W[2, 4] > 0  # each label's own words


def test_the_nb_half_is_for_tfidf_only_never_for_sentence_embeddings():
    from labeler.model import features, synthetic, train

    rows = synthetic.corpus(15, seed=5)
    core = train.train(rows, params=train.Params(folds=3))
    assert core.meta["params"]["nb_weight"] == 0.5

    def embedder(texts):  # negative values, as real sentence embeddings have: no count ratio exists
        return np.random.default_rng(len(texts)).normal(size=(len(texts), 8)).astype(np.float32)

    fused = train.train(rows, params=train.Params(folds=3, embed_share=0.5), embedder=embedder)
    assert fused.meta["params"]["nb_weight"] == 0.5  # the TF-IDF model keeps its NB half
    W, b = fused.model.embed_components[linear.POOLED]
    E = embedder([features.embed_text_of(e.title, e.body) for e in rows])
    plain = linear._single(E, train.matrix(rows, fused.meta["labels"]), 10.0, "balanced", nb_weight=0.0)
    assert plain is not None
    np.testing.assert_allclose(W, plain[0], rtol=1e-4, atol=1e-5)  # the embedding model is plain LR
    assert np.isfinite(W).all() and np.isfinite(b).all()


def test_columns_with_negative_values_keep_their_scale_and_stay_finite():
    emb = csr_matrix(np.random.default_rng(0).normal(size=(9, 4)).astype(np.float32))
    from scipy.sparse import hstack

    W, b = linear._nb_ovr(hstack([X, emb], format="csr"), Y.argmax(axis=1), 3, "balanced")
    assert np.isfinite(W).all() and np.isfinite(b).all() and W.shape == (3, 10)


def test_two_labels_blend_too_and_probabilities_sum_to_one():
    two = np.array([[1, 0]] * 3 + [[0, 1]] * 6, dtype=np.int8)
    comps = linear.fit(X, two, ["a/b"] * 9, "single", C=10.0, class_weight="balanced", nb_weight=0.5)
    W, b = comps[linear.POOLED]
    assert W.shape == (2, 6) and b.shape == (2,)
    p = linear.proba(comps, X, ["a/b"] * 9, "single", 0.5)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert (p.argmax(axis=1) == two.argmax(axis=1)).mean() >= 8 / 9
