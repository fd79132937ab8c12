"""The verdict cache: keyed by (commit, provider, model, prompt hash), atomic, resumable."""
from __future__ import annotations

import json
import os

import pytest

from labeler.backport_report import cache as cache_mod
from labeler.backport_report.cache import VerdictCache, atomic_write, key
from labeler.errors import UserError


def test_round_trip_and_key_parts(tmp_path):
    path = tmp_path / "sub" / "cache.json"
    c = VerdictCache.load(str(path))
    c.put(key("a" * 40, "anthropic", "m1", "h1"), {"verdict": "yes", "reason": "r"})
    c.flush()
    again = VerdictCache.load(str(path))
    assert again.get(key("a" * 40, "anthropic", "m1", "h1")) == {"verdict": "yes", "reason": "r"}
    for other in (key("b" * 40, "anthropic", "m1", "h1"), key("a" * 40, "openai", "m1", "h1"),
                  key("a" * 40, "anthropic", "m2", "h1"), key("a" * 40, "anthropic", "m1", "h2")):
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

    monkeypatch.setattr(cache_mod.os, "replace", broken)
    with pytest.raises(OSError):
        atomic_write(str(path), "half")
    assert json.loads(path.read_text()) == {"format": 1, "entries": {}}
    assert os.listdir(tmp_path) == ["cache.json"]


@pytest.mark.parametrize("content, words", [
    ("{not json", "unreadable"),
    ("[]", "not a labeler cache"),
    ('{"format": 99, "entries": {}}', "not a labeler cache"),
])
def test_bad_cache_file_is_a_user_error(tmp_path, content, words):
    path = tmp_path / "cache.json"
    path.write_text(content)
    with pytest.raises(UserError, match=words):
        VerdictCache.load(str(path))


def test_malformed_entries_are_dropped(tmp_path):
    path = tmp_path / "cache.json"
    path.write_text(json.dumps({"format": 1, "entries": {"k1": {"verdict": "yes", "reason": "ok"}, "k2": "junk",
                                                         "k3": {"verdict": 1}}}))
    assert list(VerdictCache.load(str(path)).entries) == ["k1"]
