"""A bad verdict cache never fails the nightly and is never saved again."""

from __future__ import annotations

import json

import pytest

from backport_report.helpers import build_repo
from backport_report.test_backport_model import run
from bad_files import aside, json_kinds
from labeler.backport_report import cache as cache_mod
from labeler.backport_report.cache import VerdictCache, key
from labeler.cli import main

VALID = {"format": 1, "entries": {key("a" * 40, "anthropic", "m", "h"): {"verdict": "yes", "reason": "r"}}}
KINDS = json_kinds(VALID, "format")


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return build_repo(tmp_path_factory.mktemp("corrupt") / "haproxy")


@pytest.fixture(autouse=True)
def quick_model(monkeypatch):
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "0")
    monkeypatch.setenv("LABELER_MODEL_TIMEOUT", "5")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_bad_cache_starts_fresh_and_saves_a_valid_file(tmp_path, kind, capsys):
    path = tmp_path / "cache.json"
    KINDS[kind](path)
    c = VerdictCache.load(str(path))
    assert c.entries == {} and len(aside(path)) == 1
    err = capsys.readouterr().err
    assert ("notice:" if kind == "version-bump" else "warning:") in err and "verdict cache" in err
    c.put(key("b" * 40, "anthropic", "m", "h"), {"verdict": "no", "reason": "r"})
    c.flush()
    assert cache_mod.check(str(path)) is None
    assert VerdictCache.load(str(path)).get(key("b" * 40, "anthropic", "m", "h")) == {"verdict": "no", "reason": "r"}


@pytest.mark.parametrize("kind", ["truncated", "nul-bytes", "invalid-utf8", "directory", "version-bump"])
def test_the_nightly_run_succeeds_on_a_bad_cache(repo, tmp_path, fake_llm, kind, capsys):
    fake_llm.responder = lambda route, body: "Conclusion: no"
    KINDS[kind](tmp_path / "cache.json")
    assert run(repo, tmp_path) == 0
    first = len(fake_llm.requests)
    assert "Traceback" not in capsys.readouterr().err
    assert cache_mod.check(str(tmp_path / "cache.json")) is None
    assert run(repo, tmp_path) == 0 and len(fake_llm.requests) == first  # the saved cache serves the next run


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_check_cache_moves_a_bad_file_aside_so_the_save_step_skips_it(tmp_path, kind, capsys):
    path = tmp_path / "cache.json"
    KINDS[kind](path)
    assert main(["backport-report", "--check-cache", "--cache", str(path)]) == 0
    assert not path.exists() and len(aside(path)) == 1


def test_check_cache_keeps_a_valid_file(tmp_path, capsys):
    path = tmp_path / "cache.json"
    path.write_text(json.dumps(VALID))
    assert main(["backport-report", "--check-cache", "--cache", str(path)]) == 0
    assert path.exists() and "is valid" in capsys.readouterr().out
    assert main(["backport-report", "--check-cache", "--cache", str(tmp_path / "none.json")]) == 0
    assert main(["backport-report", "--check-cache"]) == 1
