"""The verdict cache: keyed by (commit, provider, model, prompt hash), atomic, resumable."""

from __future__ import annotations

import json
import os

import pytest

from labeler.backport_report.cache import VerdictCache, atomic_write, key


def test_round_trip_and_key_parts(tmp_path):
    path = tmp_path / "sub" / "cache.json"
    c = VerdictCache.load(str(path))
    c.put(key("a" * 40, "anthropic", "m1", "h1"), {"verdict": "yes", "reason": "r"})
    c.flush()
    again = VerdictCache.load(str(path))
    assert again.get(key("a" * 40, "anthropic", "m1", "h1")) == {"verdict": "yes", "reason": "r"}
    for other in (
        key("b" * 40, "anthropic", "m1", "h1"),
        key("a" * 40, "openai", "m1", "h1"),
        key("a" * 40, "anthropic", "m2", "h1"),
        key("a" * 40, "anthropic", "m1", "h2"),
    ):
        assert again.get(other) is None


def test_flush_without_changes_does_not_write(tmp_path):
    path = tmp_path / "cache.json"
    VerdictCache.load(str(path)).flush()
    assert not path.exists()


def test_failed_replace_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "cache.json"
    atomic_write(str(path), '{"format": 1, "entries": {}}')

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        atomic_write(str(path), "half")
    assert json.loads(path.read_text()) == {"format": 1, "entries": {}}
    assert os.listdir(tmp_path) == ["cache.json"]


@pytest.mark.parametrize("content", ["{not json", "[]", '{"format": 99, "entries": {}}'])
def test_bad_cache_file_starts_fresh(tmp_path, content):
    path = tmp_path / "cache.json"
    path.write_text(content)
    assert VerdictCache.load(str(path)).entries == {} and not path.exists()


def test_malformed_entries_are_dropped(tmp_path):
    path = tmp_path / "cache.json"
    path.write_text(
        json.dumps(
            {"format": 1, "entries": {"k1": {"verdict": "yes", "reason": "ok"}, "k2": "junk", "k3": {"verdict": 1}}}
        )
    )
    assert list(VerdictCache.load(str(path)).entries) == ["k1"]
