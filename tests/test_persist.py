"""labeler/persist.py: bad files are moved aside with one warning, saves validate first."""

from __future__ import annotations

import json
import os
import stat

import pytest

from bad_files import aside, json_kinds
from labeler import persist

VALID = {"format": 1, "entries": {"k": {"verdict": "yes", "reason": "r"}}}
KINDS = json_kinds(VALID, "format")


def validate(data):
    return None if isinstance(data.get("entries"), dict) else "`entries` is not an object"


def load(path):
    return persist.load_json(str(path), "the test cache", version=("format", 1), validate=validate)


def test_valid_file_loads(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(VALID))
    assert load(path) == VALID and aside(path) == []


def test_missing_file_is_none_without_a_word(tmp_path, capsys):
    assert load(tmp_path / "none.json") is None
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_bad_file_is_moved_aside_with_one_warning(tmp_path, capsys, kind, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = tmp_path / "c.json"
    KINDS[kind](path)
    assert load(path) is None
    assert not path.exists() and len(aside(path)) == 1
    out = capsys.readouterr().out
    command = "::notice::" if kind == "version-bump" else "::warning file="
    assert out.count(command) == 1 and "starting fresh" in out and "Traceback" not in out
    assert load(path) is None  # the next run: nothing left to trip over
    assert capsys.readouterr().out == ""


def test_save_writes_only_what_validates(tmp_path, capsys):
    path = tmp_path / "c.json"
    assert persist.save_json(str(path), VALID, "the test cache", version=("format", 1), validate=validate)
    assert load(path) == VALID
    bad = {"format": 1, "entries": []}
    assert not persist.save_json(str(path), bad, "the test cache", version=("format", 1), validate=validate)
    assert "not saved" in capsys.readouterr().err
    assert load(path) == VALID and sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


def test_save_over_a_directory_moves_it_aside(tmp_path):
    path = tmp_path / "c.json"
    path.mkdir()
    assert persist.save_json(str(path), VALID, "the test cache", version=("format", 1), validate=validate)
    assert load(path) == VALID and len(aside(path)) == 1


def test_quarantine_names_carry_the_time_and_never_collide(tmp_path):
    names = set()
    for _ in range(3):
        (tmp_path / "c.json").write_text("x")
        names.add(persist.quarantine(str(tmp_path / "c.json"), "bad"))
    assert len(names) == 3 and all(".corrupt-" in n for n in names)


def test_check_file_quarantines_so_a_save_step_finds_nothing(tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text("{trunc")
    assert not persist.check_file(
        str(path), "the test cache", lambda p: persist.check_json(p, version=("format", 1), validate=validate)
    )
    assert not path.exists()
    path.write_text(json.dumps(VALID))
    assert persist.check_file(
        str(path), "the test cache", lambda p: persist.check_json(p, version=("format", 1), validate=validate)
    )
    assert path.exists() and "is valid" in capsys.readouterr().out


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_write_honours_the_umask(tmp_path, umask, mode):
    """Like open(): a page or report written under umask 022 is 0644, readable by a web server."""
    from labeler.atomic import atomic_write

    old = os.umask(umask)
    try:
        atomic_write(str(tmp_path / "page.html"), "<p>x</p>")
        atomic_write(str(tmp_path / "page.html"), "<p>y</p>")  # a replaced file too
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "page.html").stat().st_mode) == mode
