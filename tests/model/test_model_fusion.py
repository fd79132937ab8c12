"""Late fusion: a TF-IDF model and a sentence-embedding model, probabilities averaged at a share
chosen on held-out scores; the model folder holds both as plain arrays."""

from __future__ import annotations

import hashlib
import json
import pickle

import pytest

pytest.importorskip("sklearn")
np = pytest.importorskip("numpy")

from labeler.errors import UserError  # noqa: E402
from labeler.model import encoder, fusion, linear, predict, synthetic, train  # noqa: E402


class Encoder:
    """Hashed bag of words, L2-normalised: a stand-in for MiniLM that carries some meaning."""

    dim, ident, sha256 = 16, "bag-1", None

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def corpus():
    return synthetic.corpus(15, noise=0.3, seed=11)


@pytest.fixture(scope="module")
def fused(tmp_path_factory):
    enc = Encoder()
    trained = train.train(corpus(), params=train.Params(folds=3, embed_share=0.3), embedder=enc.encode)
    folder = tmp_path_factory.mktemp("fused")
    recorded = {"name": "acme/bag", "revision": None, "source": "folder", "ident": enc.ident, "dim": enc.dim}
    train.save(trained, str(folder), encoder=recorded)
    return trained, folder, enc


@pytest.fixture
def copy(fused, tmp_path, monkeypatch):
    monkeypatch.setattr(encoder, "load", lambda spec: Encoder())
    for f in fused[1].iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    return tmp_path


def _meta(folder, **changes):
    meta = json.loads((folder / "meta.json").read_text())
    meta.update(changes)
    (folder / "meta.json").write_text(json.dumps(meta))


def _rehash(folder):
    meta = json.loads((folder / "meta.json").read_text())
    digest = hashlib.sha256((folder / "model.npz").read_bytes()).hexdigest()
    _meta(folder, sha256={**meta["sha256"], "arrays": digest})


def test_fused_probabilities_are_the_weighted_mean_of_both_models(fused):
    trained, _, enc = fused
    model = trained.model
    rows = corpus()[:12]
    X = model.matrix([train.features.text_of(e.title, e.body) for e in rows])
    E = enc.encode([train.features.embed_text_of(e.title, e.body) for e in rows])
    groups = [None] * len(rows)
    p_text = linear.proba(model.components, X, groups, model.mode, model.pool_weight)
    p_embed = linear.proba(model.embed_components, E, groups, model.mode, model.pool_weight)
    assert model.embed_share == 0.3
    np.testing.assert_allclose(model.proba(X, groups, E), 0.7 * p_text + 0.3 * p_embed, rtol=1e-6)
    assert not np.allclose(p_text, p_embed)  # two different models, or the test proves nothing
    np.testing.assert_allclose(model.proba(X, groups, E).sum(axis=1), 1.0, rtol=1e-5)


def test_a_saved_and_loaded_model_predicts_the_same(fused, copy):
    trained, _, enc = fused
    loaded = predict.load(str(copy))
    fresh = predict.Predictor(trained.model, trained.meta, enc)
    items = [(e.title, e.body) for e in corpus()[:20]]
    for a, b in zip(loaded.scores_many(items), fresh.scores_many(items)):
        assert a.keys() == b.keys()
        np.testing.assert_allclose(list(a.values()), list(b.values()), rtol=1e-5)
    assert loaded.suggest(*items[0]) == fresh.suggest(*items[0])
    assert loaded.model.embed_share == 0.3 and loaded.model.embed_dim == Encoder.dim


def test_the_share_minimises_held_out_log_loss_and_ties_go_to_the_smaller():
    y = np.eye(2, dtype=np.int8)[[0, 0, 1, 1]]
    sure_wrong = np.array([[0.9, 0.1], [0.1, 0.9], [0.1, 0.9], [0.9, 0.1]])  # half right, overconfident
    right = np.array([[0.8, 0.2], [0.8, 0.2], [0.2, 0.8], [0.2, 0.8]])
    share, losses = fusion.choose_share(sure_wrong, right, y, "single")
    assert share == 1.0 and losses["1.0"] < losses["0.5"] < losses["0.0"]
    assert fusion.choose_share(right, sure_wrong, y, "single")[0] == 0.0
    assert fusion.choose_share(right, right, y, "single")[0] == 0.0  # no difference: no encoder needed
    multi = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=np.int8)
    assert fusion.choose_share(right, multi * 0.8 + 0.1, multi, "multi")[0] == 1.0


def test_training_chooses_the_share_on_held_out_scores_and_records_them():
    enc = Encoder()
    trained = train.train(corpus(), params=train.Params(folds=3), embedder=enc.encode)
    params = trained.meta["params"]
    assert params["embedded"] is True and set(params["embed_share_log_loss"]) == {f"{s:.1f}" for s in fusion.SHARE_GRID}
    losses = params["embed_share_log_loss"]
    assert losses[f"{params['embed_share']:.1f}"] == min(losses.values())


def test_a_share_of_zero_needs_no_encoder(tmp_path, monkeypatch):
    trained = train.train(corpus(), params=train.Params(folds=3, embed_share=0.0), embedder=Encoder().encode)
    assert trained.model.embed_dim == 0 and not trained.model.embed_components
    train.save(trained, str(tmp_path), encoder={"name": "acme/bag", "source": "folder", "ident": "bag-1", "dim": 16})

    def load(spec):
        raise AssertionError("the encoder was loaded for a model that does not use it")

    monkeypatch.setattr(encoder, "load", load)
    assert predict.load(str(tmp_path)).suggest("crash error", "traceback")


def test_multi_label_models_keep_embeddings_as_columns(tmp_path, monkeypatch):
    """One-vs-rest: each label's regression weighs vectors against words itself, no global share."""
    rows = synthetic.corpus(25, vocab=synthetic.area_vocab(4), multi_label=0.4, seed=2)
    trained = train.train(rows, params=train.Params(folds=3), embedder=Encoder().encode)
    model = trained.model
    assert trained.meta["mode"] == "multi" and model.embed_columns == Encoder.dim
    assert model.embed_dim == 0 and not model.embed_components and model.embed_share == 0
    W, _ = model.components[linear.POOLED]
    assert W.shape == (len(trained.meta["labels"]), model.n_features()) and np.isfinite(W).all()
    assert np.abs(W[:, -Encoder.dim :]).sum() > 0  # the embedding columns carry weight
    train.save(trained, str(tmp_path), encoder={"name": "acme/bag", "source": "folder", "ident": "bag-1", "dim": 16})
    monkeypatch.setattr(encoder, "load", lambda spec: Encoder())
    loaded = predict.load(str(tmp_path))
    fresh = predict.Predictor(model, trained.meta, Encoder())
    a, b = (
        loaded.scores("panel chart broken", "the graph legend"),
        fresh.scores("panel chart broken", "the graph legend"),
    )
    np.testing.assert_allclose([a[k] for k in sorted(a)], [b[k] for k in sorted(b)], rtol=1e-5)
    with pytest.raises(ValueError, match="embedding columns"):
        model.matrix(["no vectors given"])


# a corrupt model folder: a clear error, never code run ------------------------------------------


def test_embedding_weights_of_the_wrong_shape_are_refused(copy):
    with np.load(copy / "model.npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["EW_0"] = arrays["EW_0"][:, :5]
    np.savez(copy / "model.npz", **arrays)
    _rehash(copy)
    with pytest.raises(UserError, match="component E0 do not fit .* 16 features.*retrain"):
        predict.load(str(copy))


def test_a_pickled_embedding_array_is_refused_and_never_runs(copy, tmp_path):
    class Boom:
        def __reduce__(self):
            return (open, (str(tmp_path / "ran"), "w"))

    with np.load(copy / "model.npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["EW_0"] = np.array([Boom()], dtype=object)
    np.savez(copy / "model.npz", **arrays)
    _rehash(copy)
    with pytest.raises(UserError, match="allow_pickle=False|must be plain arrays"):
        predict.load(str(copy))
    assert not (tmp_path / "ran").exists()
    pickle.dumps(Boom())  # the payload is real: unpickling it would have opened the file


@pytest.mark.parametrize(
    "change, message",
    [
        ({"embed_share": 0}, "embedding dimension without an embedding model and its share"),
        ({"embed_share": 1.5}, "embedding dimension without an embedding model and its share"),
        ({"embed_components": []}, "embedding dimension without an embedding model"),
        ({"embed_share": "0.3"}, "valid 'embed_dim', 'embed_share'"),
        ({"embed_components": "E"}, "valid 'embed_dim', 'embed_share'"),
        ({"embed_dim": -1}, "valid 'embed_dim'"),
        ({"embed_columns": "16"}, "valid 'embed_dim'.*'embed_columns'"),
        ({"embed_columns": 3}, "do not fit"),
        ({"format_version": 2}, "version 2 is not supported.*version 2 without sentence embeddings.*retrain"),
    ],
)
def test_inconsistent_embedding_meta_is_refused(copy, change, message):
    _meta(copy, **change)
    with pytest.raises(UserError, match=message):
        predict.load(str(copy))


def test_a_version_2_model_without_embeddings_still_loads(tmp_path):
    trained = train.train(corpus(), params=train.Params(folds=3))
    train.save(trained, str(tmp_path))
    meta = json.loads((tmp_path / "meta.json").read_text())
    for key in ("embed_share", "embed_components"):
        del meta[key]
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "format_version": 2, "embed_weight": 0.0}))
    assert predict.load(str(tmp_path)).suggest("crash error", "traceback")
