"""A bad replay answer cache never fails a replay and is never saved again."""

from __future__ import annotations

import json

import pytest

from bad_files import aside, json_kinds
from label_issue.test_replay_backlog import ROWS, cfg, script, write_jsonl  # noqa: F401 (fixture)
from labeler.cli import main
from labeler.label_issue import replay_command

VALID = {"version": 1, "answers": {"b0|anthropic|m|v1": {"answer": {"labels": []}, "model": "m", "version": "v1"}}}
KINDS = json_kinds(VALID, "version")
KINDS["wrong-type-entries"] = lambda p: p.write_text(
    json.dumps(
        {
            "version": 1,
            "answers": {
                f"{r['id']}|anthropic|claude-sonnet-4-5|x": bad
                for r, bad in zip(
                    ROWS,
                    [
                        "junk",
                        3,
                        None,
                        [],
                        {"answer": "no"},
                        {"answer": {"labels": ["bug"]}, "model": "m", "version": "x"},
                        {"answer": {"labels": [{"name": "bug", "confidence": "high"}]}, "model": "m", "version": "x"},
                    ],
                )
            },
        }
    )
)


def replay(tmp_path, cache, config):
    data = write_jsonl(tmp_path / "d.jsonl", ROWS)
    return main(
        [
            "label-issue",
            "--replay",
            data,
            "--config",
            config,
            "--provider",
            "anthropic",
            "--json",
            str(tmp_path / "r.json"),
            "--cache",
            str(cache),
        ]
    )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_replay_on_a_bad_cache_succeeds_and_saves_a_valid_one(fake_llm, tmp_path, cfg, kind, capsys):  # noqa: F811
    fake_llm.responder = script
    cache = tmp_path / "cache.json"
    KINDS[kind](cache)
    assert replay(tmp_path, cache, cfg) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if kind != "wrong-type-entries":  # a valid file with bad entries: the entries are dropped, the file kept
        assert len(aside(cache)) == 1
        assert ("notice:" if kind == "version-bump" else "warning:") in err
    assert replay_command.check_cache(str(cache)) is None
    calls = len(fake_llm.requests)
    assert replay(tmp_path, cache, cfg) == 0 and len(fake_llm.requests) == calls  # served from the saved cache


@pytest.mark.parametrize("kind", sorted(set(KINDS) - {"wrong-type-entries"}))
def test_check_cache_moves_a_bad_file_aside(tmp_path, kind):
    cache = tmp_path / "cache.json"
    KINDS[kind](cache)
    assert main(["label-issue", "--check-cache", "--cache", str(cache)]) == 0
    assert not cache.exists() and len(aside(cache)) == 1


def test_check_cache_keeps_a_valid_file(tmp_path):
    cache = tmp_path / "cache.json"
    cache.write_text(json.dumps(VALID))
    assert main(["label-issue", "--check-cache", "--cache", str(cache)]) == 0 and cache.exists()
