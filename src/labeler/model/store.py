"""The model directory: numbers in `.npz`, words in JSON, nothing that can run code when loaded.

`meta.json` is written last, so a directory whose save was cut short has none and is not a model.

Format (format_version 3; version 2 folders without sentence embeddings read the same):
- `meta.json`: format "labeler-model", labels, mode, thresholds, levels, counts, params,
  components (["", repo, ...]: "" is the pooled model), pool_weight, embed_dim and embed_share
  (0: no embedding model), embed_components (the embedding model's, same naming), embed_columns
  (multi-label: embedding columns after the TF-IDF ones in W; 0: none), encoder (null,
  or the sentence encoder the model needs: name, revision, source, ident, sha256, dim), and
  `files`: {"arrays": "model.npz", "vocab": "vocab.json"} with their sha256 in `sha256`.
- `model.npz` (numpy, read with allow_pickle=False): `idf_<kind>` and `W_<i>`/`b_<i>` per TF-IDF
  component, `EW_<i>`/`Eb_<i>` per embedding component.
- `vocab.json`: {"word": [terms by column], "char": [...]}.

Why: a pickle (joblib) runs code when loaded, so whoever can write the Actions cache entry of the
model could run code in every labeling job. Here every file is parsed as data, file
names must be plain names inside the model folder with the expected suffix, and anything else —
a `model.joblib` from an older labeler, a path like `../x`, a pickled array — is refused with an
error that says to retrain. The sha256s catch a torn or swapped file; they do not authenticate
(whoever can write meta.json can write the hashes), which is fine because data cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from labeler.errors import UserError
from labeler.model import linear

FILES = {"arrays": "model.npz", "vocab": "vocab.json"}
SUFFIX = {"arrays": ".npz", "vocab": ".json"}


def _sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def save(model: linear.Model, meta: dict[str, Any], out_dir: str) -> None:
    import numpy as np

    os.makedirs(out_dir, exist_ok=True)
    meta_path = os.path.join(out_dir, "meta.json")
    for stale in ("meta.json", "model.joblib"):
        if os.path.exists(os.path.join(out_dir, stale)):
            os.remove(os.path.join(out_dir, stale))
    arrays = {f"idf_{k}": model.idf[k].astype(np.float32) for k in model.kinds}
    names, embed_names = sorted(model.components), sorted(model.embed_components)
    for prefix, comps, order in (("", model.components, names), ("E", model.embed_components, embed_names)):
        for i, name in enumerate(order):
            W, b = comps[name]
            arrays[f"{prefix}W_{i}"], arrays[f"{prefix}b_{i}"] = W.astype(np.float32), b.astype(np.float32)
    np.savez_compressed(os.path.join(out_dir, FILES["arrays"]), **arrays)
    with open(os.path.join(out_dir, FILES["vocab"]), "w", encoding="utf-8") as f:
        json.dump({k: model.vocab[k] for k in model.kinds}, f, ensure_ascii=False)
    meta = {
        **meta,
        "files": dict(FILES),
        "components": names,
        "kinds": list(model.kinds),
        "pool_weight": model.pool_weight,
        "embed_dim": model.embed_dim,
        "embed_columns": model.embed_columns,
        "embed_share": model.embed_share,
        "embed_components": embed_names,
        "sha256": {key: _sha256(os.path.join(out_dir, name)) for key, name in FILES.items()},
    }
    tmp = meta_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, meta_path)


def inside(model_dir: str, name: Any, key: str) -> str:
    """The path of a file meta.json names, refused unless it is a plain file name in the folder."""
    where = os.path.join(model_dir, "meta.json")
    if not isinstance(name, str) or not name or name != os.path.basename(name) or name in (".", ".."):
        raise UserError(
            f"meta.json names the {key} file {name!r}: only a plain file name inside the model folder is accepted",
            file=where,
        )
    base = os.path.realpath(model_dir)
    path = os.path.realpath(os.path.join(base, name))
    if os.path.dirname(path) != base:
        raise UserError(f"the {key} file {name!r} resolves outside the model folder: refused", file=where)
    if not name.endswith(SUFFIX[key]):
        raise UserError(
            f"the {key} file {name!r} is not a {SUFFIX[key]} file: a model must be arrays and JSON "
            "(pickle/joblib models can run code and are refused; retrain with this labeler)",
            file=where,
        )
    return path


def _verify(path: str, expected: Any, key: str) -> None:
    try:
        digest = _sha256(path)
    except OSError as e:
        raise UserError(f"cannot read the model's {key} file: {e.strerror}", file=path) from None
    if digest != expected:
        raise UserError(
            f"the {key} file does not match meta.json (sha256 differs): retrain or restore the "
            "whole model folder together",
            file=path,
        )


def load_arrays(model_dir: str, meta: dict[str, Any]) -> linear.Model:
    import numpy as np

    files, hashes = meta["files"], meta["sha256"]
    paths = {key: inside(model_dir, files.get(key), key) for key in FILES}
    for key, path in paths.items():
        _verify(path, hashes.get(key), key)
    try:
        with np.load(paths["arrays"], allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        with open(paths["vocab"], encoding="utf-8") as f:
            vocab = json.load(f)
    except (OSError, ValueError, EOFError) as e:  # a pickled array: ValueError "allow_pickle=False"
        raise UserError(
            f"cannot read the model files ({type(e).__name__}: {e}); a model must be plain arrays and JSON: retrain",
            file=model_dir,
        ) from None
    return _assemble(meta, arrays, vocab, model_dir)


def _assemble(meta: dict[str, Any], arrays: dict[str, Any], vocab: Any, model_dir: str) -> linear.Model:
    import numpy as np

    kinds, names, labels = tuple(meta["kinds"]), list(meta["components"]), meta["labels"]

    def bad(why: str) -> UserError:
        return UserError(f"the model files are inconsistent ({why}): retrain", file=model_dir)

    if not isinstance(vocab, dict) or any(not isinstance(vocab.get(k), list) for k in kinds):
        raise bad("vocab.json lacks a term list")
    if any(not all(isinstance(t, str) for t in vocab[k]) for k in kinds):
        raise bad("vocab.json has non-text terms")
    if any(a.dtype.kind != "f" for a in arrays.values()):
        raise bad("arrays must be floating point")
    columns, dim = int(meta.get("embed_columns") or 0), int(meta.get("embed_dim") or 0)
    width = sum(len(vocab[k]) for k in kinds) + columns
    comps = _components(arrays, "", names, len(labels), width, bad)
    embed_comps = _components(arrays, "E", list(meta.get("embed_components") or []), len(labels), dim, bad)
    share = float(meta.get("embed_share") or 0.0)
    if dim and (not 0 < share <= 1 or linear.POOLED not in embed_comps):
        raise bad("an embedding dimension without an embedding model and its share")
    for k in kinds:
        if arrays.get(f"idf_{k}") is None or arrays[f"idf_{k}"].shape != (len(vocab[k]),):
            raise bad(f"idf of {k!r} does not match its vocabulary")
    if linear.POOLED not in comps:
        raise bad("no pooled component")
    return linear.Model(
        kinds=kinds,
        vocab={k: vocab[k] for k in kinds},
        idf={k: np.asarray(arrays[f"idf_{k}"], dtype=np.float64) for k in kinds},
        components=comps,
        mode=meta["mode"],
        pool_weight=float(meta.get("pool_weight", 0.5)),
        embed_components=embed_comps if dim else {},
        embed_share=share if dim else 0.0,
        embed_dim=dim,
        embed_columns=columns,
    )


def _components(
    arrays: dict[str, Any], prefix: str, names: list[Any], labels: int, width: int, bad: Any
) -> dict[str, tuple[Any, Any]]:
    comps = {}
    for i, name in enumerate(names):
        W, b = arrays.get(f"{prefix}W_{i}"), arrays.get(f"{prefix}b_{i}")
        if W is None or b is None or W.shape != (labels, width) or b.shape != (labels,):
            raise bad(f"weights of component {prefix}{i} do not fit {labels} labels x {width} features")
        comps[str(name)] = (W, b)
    return comps
