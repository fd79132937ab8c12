"""Sentence embeddings for the `[embed]` extra: onnxruntime + tokenizers, no torch.

An encoder is named by a Hugging Face id (the default's revision pinned) or a local folder; naming it
downloads nothing, loading it finds the files (hub cache, download or folder). Texts become mean-pooled,
L2-normalised float32 vectors, optionally remembered on disk by text hash and encoder.

A local folder has the layout of the model repository on the hub: `config.json`, `tokenizer.json`
and `onnx/model.onnx` (a folder with only `model.safetensors` is refused: turning it into ONNX
needs torch, which the prediction path must not). A hub id is fetched with `huggingface_hub`
into its cache (the retrain workflow keeps that cache in the Actions cache); `HF_HUB_OFFLINE=1`
makes it use the cache only. `load` is the one seam tests replace with a small fake encoder.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from labeler import runner
from labeler.errors import UserError

DEFAULT = "sentence-transformers/all-MiniLM-L6-v2"
# The hub commit of DEFAULT whose tree has onnx/model.onnx; other ids take `id@revision` (else main).
PINNED = {DEFAULT: "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"}
FILES = ("config.json", "tokenizer.json", "onnx/model.onnx")
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length
BATCH = 16
INSTALL = "pip install 'labeler[embed]'"
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


class Encoder(Protocol):
    ident: str  # what the model directory records and the cache is keyed by
    dim: int

    def encode(self, texts: Sequence[str]) -> Any: ...


@dataclass(frozen=True)
class Spec:
    name: str  # as given: hub id or folder
    revision: str | None  # hub revision (None for a folder)
    folder: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "revision": self.revision, "source": "folder" if self.folder else "hub"}


def spec_from(raw: str) -> Spec:
    """`NAME_OR_PATH` from --encoder / LABELER_ENCODER -> Spec; an existing folder wins over an id."""
    raw = raw.strip()
    if not raw:
        raise UserError("--encoder is empty: give a Hugging Face model id or a local model folder")
    if os.path.isdir(raw):
        return Spec(name=raw, revision=None, folder=os.path.abspath(raw))
    name, _, revision = raw.partition("@")
    if not _HUB_ID.match(name):
        raise UserError(f"--encoder {raw!r} is neither a folder nor a Hugging Face id like {DEFAULT}")
    return Spec(name=name, revision=revision or PINNED.get(name, "main"))


def fetch(spec: Spec) -> str:
    """The folder holding the encoder's files: the local one, or the hub snapshot (cache first)."""
    if spec.folder:
        return _check_folder(spec.folder)
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise UserError(f"the encoder {spec.name} needs the [embed] extra: {INSTALL}") from None
    offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    try:
        folder = snapshot_download(
            spec.name, revision=spec.revision, allow_patterns=list(FILES), local_files_only=offline
        )
    except Exception as e:
        hint = (
            "it is not in the Hugging Face cache and HF_HUB_OFFLINE is set"
            if offline
            else "the hub cannot be reached or has no such model/revision"
        )
        raise UserError(
            f"cannot get the encoder {spec.name}@{spec.revision}: {hint} ({type(e).__name__}). "
            "Restore the hub cache, or point --encoder / LABELER_ENCODER at a local folder with "
            f"{', '.join(FILES)}"
        ) from None
    return _check_folder(folder)


def _check_folder(folder: str) -> str:
    missing = [f for f in FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        extra = (
            (
                " (model.safetensors alone is not enough: export it to onnx/model.onnx; the prediction "
                "path does not use torch)"
            )
            if os.path.isfile(os.path.join(folder, "model.safetensors"))
            else ""
        )
        raise UserError(f"the encoder folder lacks {', '.join(missing)}{extra}", file=folder)
    return folder


def file_sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class OnnxEncoder:
    """all-MiniLM-style encoder: tokenizer.json + onnx/model.onnx, mean pooling, L2 norm."""

    def __init__(self, folder: str, *, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError:
            raise UserError(f"sentence embeddings need the [embed] extra: {INSTALL}") from None
        self.folder = folder
        self.sha256 = file_sha256(os.path.join(folder, "onnx", "model.onnx"))
        self.ident = f"onnx-{self.sha256[:16]}"
        self.tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or int(os.environ.get("LABELER_ENCODER_THREADS", "0") or 0)
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            os.path.join(folder, "onnx", "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str]) -> Any:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths share a batch
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            out[idx] = self._batch([texts[i] for i in idx])
        return out

    def _batch(self, texts: list[str]) -> Any:
        import numpy as np

        enc = self.tokenizer.encode_batch([t or " " for t in texts])
        width = max(len(e.ids) for e in enc)
        ids = np.zeros((len(enc), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(enc):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        vecs = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)


def load(spec: Spec) -> Encoder:
    return OnnxEncoder(fetch(spec))


class Cache:
    """Vectors by sha256(text) for one encoder, in `<folder>/<encoder ident>.npz` (no pickle).

    A weekly retrain embeds only issues it has not seen. A cache file that does not load is
    moved aside with a warning and rebuilt."""

    def __init__(self, folder: str | None, encoder: Encoder) -> None:
        self.encoder = encoder
        self.path = os.path.join(folder, f"{encoder.ident}.npz") if folder else None
        self.vectors: dict[str, Any] = self._read()
        self.hits = self.misses = 0

    def _read(self) -> dict[str, Any]:
        import numpy as np

        if not self.path or not os.path.exists(self.path):
            return {}
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vecs = data["keys"], data["vectors"]
                if vecs.ndim != 2 or vecs.shape != (len(keys), self.encoder.dim) or vecs.dtype != np.float32:
                    raise ValueError("shape or type does not match the encoder")
                return {str(k): v for k, v in zip(keys, vecs)}
        except Exception as e:
            runner.warning(f"embedding cache {self.path} is unreadable ({type(e).__name__}: {e}); starting afresh")
            os.replace(self.path, self.path + ".bad")
            return {}

    def encode(self, texts: Sequence[str]) -> Any:
        import numpy as np

        keys = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self.vectors}.items())
        self.hits, self.misses = len(texts) - len(todo), len(todo)
        if todo:
            fresh = self.encoder.encode([t for _, t in todo])
            self.vectors.update({k: v for (k, _), v in zip(todo, fresh)})
            self._write()
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)

    def _write(self) -> None:
        import numpy as np

        if not self.path:
            return
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        keys = sorted(self.vectors)
        tmp = self.path + ".tmp.npz"
        np.savez(
            tmp, keys=np.array(keys, dtype="<U64"), vectors=np.stack([self.vectors[k] for k in keys]).astype(np.float32)
        )
        os.replace(tmp, self.path)
