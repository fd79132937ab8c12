"""A model folder is data: loading it never runs code, and it never reads outside its folder."""

from __future__ import annotations

import json
import pickle

import pytest

pytest.importorskip("sklearn")

from labeler.errors import UserError
from labeler.model import predict, synthetic, train


class Boom:
    """Unpickling this would write a file: proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("model")
    train.save(train.train(synthetic.corpus(12, seed=1), params=train.Params(folds=2)), str(path))
    return path


@pytest.fixture
def copy(model_dir, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    for f in model_dir.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    return folder


def _meta(folder, **changes):
    meta = json.loads((folder / "meta.json").read_text())
    meta.update(changes)
    (folder / "meta.json").write_text(json.dumps(meta))


def test_a_model_loads_and_predicts(copy):
    assert predict.load(str(copy)).suggest("crash error exception", "traceback broken")


def test_a_pickled_array_file_is_refused_and_never_runs(copy, tmp_path):
    proof = tmp_path / "ran"
    (copy / "model.npz").write_bytes(pickle.dumps(Boom(str(proof))))
    import hashlib

    sha = hashlib.sha256((copy / "model.npz").read_bytes()).hexdigest()
    meta = json.loads((copy / "meta.json").read_text())
    _meta(copy, sha256={**meta["sha256"], "arrays": sha})  # an attacker rewrites the hash too
    with pytest.raises(UserError, match="must be plain arrays and JSON"):
        predict.load(str(copy))
    assert not proof.exists()


def test_an_npz_holding_an_object_array_is_refused(copy, tmp_path):
    import hashlib

    import numpy as np

    proof = tmp_path / "ran"
    np.savez(copy / "model.npz", W_0=np.array([Boom(str(proof))], dtype=object))
    meta = json.loads((copy / "meta.json").read_text())
    _meta(copy, sha256={**meta["sha256"], "arrays": hashlib.sha256((copy / "model.npz").read_bytes()).hexdigest()})
    with pytest.raises(UserError, match="allow_pickle=False|must be plain arrays"):
        predict.load(str(copy))
    assert not proof.exists()


def test_an_old_joblib_model_folder_is_refused(tmp_path, capsys):
    (tmp_path / "model.joblib").write_bytes(pickle.dumps(Boom(str(tmp_path / "ran"))))
    with pytest.raises(UserError, match="pickle .* refused: retrain"):
        predict.load(str(tmp_path))
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize(
    "name, message",
    [
        ("../model.npz", "only a plain file name"),
        ("/etc/passwd", "only a plain file name"),
        ("sub/model.npz", "only a plain file name"),
        ("..", "only a plain file name"),
        ("", "only a plain file name"),
        (None, "only a plain file name"),
        ("model.joblib", "not a .npz file.*pickle/joblib models can run code"),
        ("model.pkl", "not a .npz file"),
    ],
)
def test_file_names_outside_the_folder_or_of_other_kinds_are_refused(copy, name, message):
    _meta(copy, files={"arrays": name, "vocab": "vocab.json"})
    with pytest.raises(UserError, match=message):
        predict.load(str(copy))


def test_a_symlink_out_of_the_folder_is_refused(copy, tmp_path):
    outside = tmp_path / "outside.npz"
    outside.write_bytes((copy / "model.npz").read_bytes())
    (copy / "link.npz").symlink_to(outside)
    _meta(copy, files={"arrays": "link.npz", "vocab": "vocab.json"})
    with pytest.raises(UserError, match="resolves outside the model folder"):
        predict.load(str(copy))


@pytest.mark.parametrize(
    "vocab, message",
    [
        ({"word": "not a list"}, "lacks a term list"),
        ({"word": [1, 2]}, "non-text terms"),
        ({"word": ["only", "two"]}, "do not fit|does not match"),
    ],
)
def test_inconsistent_files_are_refused(copy, vocab, message):
    import hashlib

    (copy / "vocab.json").write_text(json.dumps(vocab))
    meta = json.loads((copy / "meta.json").read_text())
    _meta(copy, sha256={**meta["sha256"], "vocab": hashlib.sha256((copy / "vocab.json").read_bytes()).hexdigest()})
    with pytest.raises(UserError, match=message):
        predict.load(str(copy))


def test_oversized_meta_is_refused(copy):
    (copy / "meta.json").write_text(" " * (11 * 2**20) + "{}")
    with pytest.raises(UserError, match="larger than 10 MiB"):
        predict.load(str(copy))
