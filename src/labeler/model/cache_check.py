"""`labeler model check-cache`: validate the embedding cache and the Hugging Face hub cache before a
workflow saves them to the Actions cache. Pure Python (no numpy): it runs in the check-cache action's
base environment.

Embedding cache (`--embed-cache`, encoder.Cache): one `<encoder ident>.npz` per encoder, arrays `keys`
(sha256 hex of each text, `<U64`, shape (n,)) and `vectors` (`<f4`, shape (n, dim)). Entries are looked
up by text hash in the file of their encoder, so an entry can never answer for another text or encoder;
what can go wrong is the file itself (truncated, bit rot, mismatched arrays). The zip CRCs and the two
array headers are checked; a bad file is moved to `<folder>.bad/` (outside the saved path), and
encoder.Cache itself moves aside a file that does not load, so a bad file costs one re-embedding.

Hub cache (`--hf-home`, HF_HOME): blobs are named by their content hash (sha256 for large files, the
git blob sha1 for small ones); a blob whose content does not match is deleted, so its snapshot link
dangles and the next online run downloads it again.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import struct
import zipfile

from labeler import runner

_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX40 = re.compile(r"[0-9a-f]{40}")


def _npy_header(data: bytes) -> dict[str, object]:
    if data[:6] != b"\x93NUMPY":
        raise ValueError("not an .npy array")
    major = data[6]
    if major == 1:
        (length,), start = struct.unpack("<H", data[8:10]), 10
    else:
        (length,), start = struct.unpack("<I", data[8:12]), 12
    header = ast.literal_eval(data[start : start + length].decode("latin-1"))
    if not isinstance(header, dict):
        raise ValueError("bad .npy header")
    header["_data"] = len(data) - start - length
    return header


def check_npz(path: str) -> str | None:
    """Why the embedding file at `path` is bad, or None."""
    try:
        with zipfile.ZipFile(path) as z:
            broken = z.testzip()
            if broken:
                return f"CRC mismatch in {broken}"
            names = set(z.namelist())
            if names != {"keys.npy", "vectors.npy"}:
                return f"unexpected arrays {sorted(names)}"
            keys, vecs = _npy_header(z.read("keys.npy")), _npy_header(z.read("vectors.npy"))
    except (OSError, zipfile.BadZipFile, ValueError, SyntaxError, struct.error) as e:
        return f"{type(e).__name__}: {e}"
    kshape, vshape = keys.get("shape"), vecs.get("shape")
    if (
        keys.get("descr") != "<U64"
        or vecs.get("descr") != "<f4"
        or keys.get("fortran_order")
        or vecs.get("fortran_order")
    ):
        return "arrays of the wrong type"
    if not (
        isinstance(kshape, tuple)
        and isinstance(vshape, tuple)
        and len(kshape) == 1
        and len(vshape) == 2
        and kshape[0] == vshape[0]
    ):
        return f"keys {kshape} and vectors {vshape} do not match"
    if keys["_data"] != kshape[0] * 64 * 4 or vecs["_data"] != vshape[0] * vshape[1] * 4:
        return "truncated arrays"
    return None


def check_embed_cache(folder: str) -> int:
    """Move bad `*.npz` files of `folder` to `<folder>.bad/`; the number kept."""
    if not os.path.isdir(folder):
        runner.notice(f"embedding cache: no folder at {folder}: nothing to save")
        return 0
    kept = 0
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        bad = check_npz(path) if name.endswith(".npz") and not name.endswith(".tmp.npz") else "not an embedding file"
        if bad:
            os.makedirs(folder.rstrip("/") + ".bad", exist_ok=True)
            shutil.move(path, os.path.join(folder.rstrip("/") + ".bad", name))
            runner.warning(f"embedding cache: {path} moved aside ({bad}); it is rebuilt on the next retrain")
        else:
            kept += 1
    print(f"embedding cache: {kept} valid file(s) in {folder}")
    return kept


def _blob_ok(path: str, name: str) -> bool:
    if _HEX64.fullmatch(name):
        digest = hashlib.sha256()
    elif _HEX40.fullmatch(name):
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(b"blob %d\0" % os.path.getsize(path))
    else:
        return True  # a name we do not know how to check (left for huggingface-hub)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == name


def check_hub_cache(hf_home: str) -> int:
    """Delete hub blobs whose content does not match their name; the number of valid blobs."""
    hub = os.path.join(hf_home, "hub")
    if not os.path.isdir(hub):
        runner.notice(f"hub cache: no folder at {hub}: nothing to save")
        return 0
    kept = 0
    for repo in sorted(os.listdir(hub)):
        blobs = os.path.join(hub, repo, "blobs")
        if not os.path.isdir(blobs):
            continue
        for name in sorted(os.listdir(blobs)):
            path = os.path.join(blobs, name)
            if name.endswith(".incomplete") or not _blob_ok(path, name):
                os.remove(path)
                runner.warning(f"hub cache: {path} does not match its hash; deleted (downloaded again when online)")
            else:
                kept += 1
    print(f"hub cache: {kept} valid file(s) in {hub}")
    return kept
