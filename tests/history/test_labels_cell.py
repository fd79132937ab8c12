"""A hand-edited `labels` cell (not JSON, not a list of names) is reported with its issue and skipped."""

from __future__ import annotations

import json
import sqlite3

import pytest

from labeler.cli import main
from labeler.history import store as history

BAD_CELLS = ["bug, feature", '{"bug": true}', '"bug"', "[1, 2]", "null", ""]


def make_db(path, bad_cell):
    conn = history.connect(str(path))
    rows = [
        history.StoredIssue(
            n,
            f"Issue {n}",
            "body",
            ("bug",) if n % 2 else ("feature", "automated-triage"),
            "open",
            created_at=f"2024-06-{1 + n % 28:02d}T00:00:00Z",
            updated_at=f"2024-06-{1 + n % 28:02d}T00:00:00Z",
            html_url=f"https://github.com/acme/widgets/issues/{n}",
        )
        for n in range(1, 61)
    ]
    history.upsert(conn, rows)
    conn.execute("UPDATE issues SET labels = ? WHERE number = 17", (bad_cell,))
    conn.commit()
    conn.close()
    return str(path)


@pytest.mark.parametrize("cell", BAD_CELLS)
def test_load_skips_the_issue_and_warns_naming_it(tmp_path, capsys, cell):
    db = make_db(tmp_path / "h.db", cell)
    issues = history.load(db)
    assert sorted(i.number for i in issues) == [n for n in range(1, 61) if n != 17]
    out = "".join(capsys.readouterr())
    assert "#17" in out and "labels" in out and out.count("#17") == 1


def test_a_warning_in_actions_is_an_annotation(tmp_path, capsys, monkeypatch):
    db = make_db(tmp_path / "h.db", '{"bug": true}')
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    history.load(db)
    assert "::warning::" in capsys.readouterr().out


@pytest.mark.parametrize("cell", ["not json", '{"area/ui": 1}'])
def test_monitor_and_dataset_go_on(tmp_path, capsys, monkeypatch, cell):
    db = make_db(tmp_path / "h.db", cell)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    assert main(["monitor", "--db", db, "--until", "2024-06-30"]) == 0
    assert main(["dataset", "export", "--db", db, "--out", str(tmp_path / "ds")]) == 0
    out = capsys.readouterr().out
    assert "Traceback" not in out and "internal error" not in out
    assert out.count("::warning::") >= 2 and "#17" in out
    exported = [json.loads(line)["number"] for line in (tmp_path / "ds" / "issues.jsonl").read_text().splitlines()]
    assert 17 not in exported and len(exported) == 59


def test_a_sync_after_a_bad_cell_still_picks_candidates(tmp_path):
    db = make_db(tmp_path / "h.db", "not json")
    conn = sqlite3.connect(db)
    try:
        assert 17 not in history.event_candidates(conn, "bug") and 1 in history.event_candidates(conn, "bug")
    finally:
        conn.close()
