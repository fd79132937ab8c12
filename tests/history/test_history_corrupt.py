"""A bad history SQLite never fails the sync and is never saved again. Real SQLite."""

from __future__ import annotations

import os
import sqlite3

import pytest

from bad_files import aside
from history.test_history import REPO, run, seed
from labeler.cli import main
from labeler.errors import UserError
from labeler.history import store as history


def _valid(path):
    conn = history.connect(str(path))
    history.upsert(conn, [history.StoredIssue(n, f"t{n}", "b", ("bug",), "open") for n in range(1, 200)])
    conn.commit()
    conn.close()


def _truncated(path):
    _valid(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _damaged(path):
    _valid(path)
    data = bytearray(path.read_bytes())
    data[4096:8192] = os.urandom(4096)  # the second page: a table's b-tree
    path.write_bytes(bytes(data))


def _other_schema(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE issues (id INTEGER, payload BLOB)")
    conn.commit()
    conn.close()


def _other_app(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE accounts (name TEXT)")
    conn.commit()
    conn.close()


def _bump(path):
    _valid(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


KINDS = {
    "random-bytes": lambda p: p.write_bytes(os.urandom(8192)),
    "text": lambda p: p.write_text("this is not sqlite\n" * 100),
    "nul-bytes": lambda p: p.write_bytes(b"\x00" * 8192),
    "invalid-utf8": lambda p: p.write_bytes(b"\xff\xfe" * 4096),
    "truncated": _truncated,
    "damaged-page": _damaged,
    "wrong-schema": _other_schema,
    "other-tables": _other_app,
    "directory": lambda p: (p.mkdir(), (p / "x").write_text("x")),
    "version-bump": _bump,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_sync_moves_a_bad_history_aside_and_starts_fresh(fake_github, tmp_path, kind, capsys):
    db = tmp_path / "h.sqlite"
    KINDS[kind](db)
    assert history.check(str(db)) is not None
    seed(fake_github, 7)
    result, issues = run(db)
    assert result.complete and [i.number for i in issues] == list(range(1, 8))
    assert len(aside(db)) == 1 and history.check(str(db)) is None
    err = capsys.readouterr().err
    assert ("notice:" if kind == "version-bump" else "warning:") in err and "starting fresh" in err


@pytest.mark.parametrize("kind", ["random-bytes", "truncated", "wrong-schema", "directory", "version-bump"])
def test_cli_sync_on_a_bad_history_succeeds(fake_github, tmp_path, kind, capsys):
    db = tmp_path / "h.sqlite"
    KINDS[kind](db)
    seed(fake_github, 3)
    assert main(["history", "sync", "--db", str(db), "--repo", REPO]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert main(["history", "check", "--db", str(db)]) == 0 and db.is_file()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_check_moves_a_bad_history_aside_so_the_save_step_skips_it(tmp_path, kind):
    db = tmp_path / "h.sqlite"
    KINDS[kind](db)
    assert main(["history", "check", "--db", str(db)]) == 0
    assert not db.exists() and len(aside(db)) == 1


def test_check_keeps_a_valid_and_an_empty_history(tmp_path, capsys):
    _valid(tmp_path / "h.sqlite")
    (tmp_path / "empty.sqlite").write_bytes(b"")
    for name in ("h.sqlite", "empty.sqlite"):
        assert main(["history", "check", "--db", str(tmp_path / name)]) == 0 and (tmp_path / name).exists()
    assert aside(tmp_path / "h.sqlite") == []


@pytest.mark.parametrize("kind", ["random-bytes", "wrong-schema"])
def test_readers_get_one_error_and_the_file_is_moved_aside(tmp_path, kind):
    db = tmp_path / "h.sqlite"
    KINDS[kind](db)
    with pytest.raises(UserError, match="moved aside: run `labeler history sync`"):
        history.load(str(db))
    assert not db.exists()
