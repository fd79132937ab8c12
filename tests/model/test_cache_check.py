"""`labeler model check-cache`: bad embedding files and hub blobs are moved aside before a save."""

from __future__ import annotations

import hashlib
import os

import pytest
from click.testing import CliRunner

np = pytest.importorskip("numpy")

from labeler.model import cache_check  # noqa: E402
from labeler.model.command import command  # noqa: E402


def _write(path: str, n: int = 2, dim: int = 3) -> bytes:
    np.savez(path, keys=np.array([f"{i:064x}" for i in range(n)], dtype="<U64"), vectors=np.ones((n, dim), np.float32))
    with open(path, "rb") as f:
        return f.read()


def test_embedding_files_that_do_not_check_out_are_moved_out_of_the_saved_folder(tmp_path):
    folder = tmp_path / "emb"
    folder.mkdir()
    good = _write(str(folder / "enc.npz"))
    (folder / "cut.npz").write_bytes(good[:-40])
    flipped = bytearray(good)
    flipped[200] ^= 1
    (folder / "flip.npz").write_bytes(bytes(flipped))
    np.savez(str(folder / "odd.npz"), keys=np.array(["x" * 64], dtype="<U64"), vectors=np.ones((2, 3), np.float32))
    result = CliRunner().invoke(command, ["check-cache", "--embed-cache", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(folder)) == ["enc.npz"]
    assert sorted(os.listdir(tmp_path / "emb.bad")) == ["cut.npz", "flip.npz", "odd.npz"]


def test_hub_blobs_are_checked_against_their_names(tmp_path):
    blobs = tmp_path / "hub" / "models--x--y" / "blobs"
    blobs.mkdir(parents=True)
    big, small = b"weights" * 100, b"{}"
    (blobs / hashlib.sha256(big).hexdigest()).write_bytes(big)
    (blobs / hashlib.sha1(b"blob 2\0" + small).hexdigest()).write_bytes(small)
    (blobs / hashlib.sha256(b"other").hexdigest()).write_bytes(b"tampered")
    assert cache_check.check_hub_cache(str(tmp_path)) == 2
    assert len(os.listdir(blobs)) == 2


def test_missing_caches_are_a_notice():
    assert cache_check.check_embed_cache("/nonexistent/emb") == 0
    assert cache_check.check_hub_cache("/nonexistent/hf") == 0
