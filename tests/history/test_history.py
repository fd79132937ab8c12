"""History sync against FakeGitHub (real PyGithub over loopback): incremental, resumable, paced."""

from __future__ import annotations

import sqlite3

import pytest

from labeler import gh
from labeler.cli import main
from labeler.errors import UserError
from labeler.history import store as history

REPO = "acme/widgets"
LIST = r"^/repos/acme/widgets/issues$"


def seed(fake, n, start=1, prs=(), **kw):
    for number in range(start, start + n):
        if number in prs:
            fake.add_pr(number, title=f"PR {number}")
        else:
            fake.add_issue(number, f"Issue {number}", f"body {number}", labels=["bug"] if number % 2 else [], **kw)


def run(db, *, per_page=10, **kw):
    conn = history.connect(str(db))
    try:
        result = history.sync(gh.connect(), REPO, conn, per_page=per_page, progress=lambda line: None, **kw)
        return result, history.load(conn)
    finally:
        conn.close()


def list_queries(fake):
    return [r.query for r in fake.requests if r.method == "GET" and r.path == "/repos/acme/widgets/issues"]


def test_from_api_skips_prs_and_reads_fields():
    item = {
        "number": 3,
        "title": "t",
        "body": None,
        "labels": [{"name": "bug"}, {"name": ""}],
        "state": "closed",
        "state_reason": "completed",
        "user": {"login": "alice"},
        "author_association": "MEMBER",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-02T00:00:00Z",
        "closed_at": "2024-01-03T00:00:00Z",
        "html_url": "https://github.com/acme/widgets/issues/3",
    }
    issue = history.from_api(item)
    assert issue.body == "" and issue.labels == ("bug",) and issue.author == "alice"
    assert issue.author_association == "MEMBER" and issue.closed_at == "2024-01-03T00:00:00Z"
    assert history.from_api({**item, "pull_request": {"url": "x"}}) is None


def test_full_sync_stores_issues_and_skips_prs(fake_github, tmp_path):
    seed(fake_github, 25, prs={4, 9})
    result, issues = run(tmp_path / "h.db")
    assert result.complete and result.skipped_prs == 2
    assert [i.number for i in issues] == [n for n in range(1, 26) if n not in (4, 9)]
    assert issues[0].labels == ("bug",) and issues[1].labels == ()
    assert all(
        q["state"] == "all" and q["sort"] == "updated" and q["direction"] == "asc" for q in list_queries(fake_github)
    )


def test_second_sync_fetches_only_what_changed(fake_github, tmp_path):
    seed(fake_github, 25)
    run(tmp_path / "h.db")
    fake_github.requests.clear()
    fake_github.issues[3].title = "Renamed"
    fake_github.set_issue_labels(3, ["feature"])
    fake_github.issues[3].updated_at = fake_github.clock()
    seed(fake_github, 1, start=26)
    result, issues = run(tmp_path / "h.db")
    assert result.complete and len(list_queries(fake_github)) == 1
    assert "since" in list_queries(fake_github)[0]
    assert result.stored == 4  # the two changes + the issues of the cursor second and the one before
    by_number = {i.number: i for i in issues}
    assert by_number[3].title == "Renamed" and by_number[3].labels == ("feature",)
    assert len(issues) == 26


def test_interrupted_sync_resumes_without_gaps_or_duplicates(fake_github, tmp_path):
    seed(fake_github, 35)
    fake_github.fail("GET", LIST, status=422, skip=2)  # the third page fails
    with pytest.raises(UserError, match="HTTP 422"):
        run(tmp_path / "h.db")
    conn = sqlite3.connect(tmp_path / "h.db")
    assert 10 < conn.execute("SELECT COUNT(*) FROM issues").fetchone()[0] < 35  # two pages committed
    assert conn.execute("SELECT value FROM meta WHERE key='complete'").fetchone()[0] == "0"
    conn.close()
    result, issues = run(tmp_path / "h.db")
    assert result.complete and [i.number for i in issues] == list(range(1, 36))


def test_max_pages_stops_and_the_next_run_continues(fake_github, tmp_path):
    seed(fake_github, 30)
    first, issues = run(tmp_path / "h.db", max_pages=1)
    assert not first.complete and len(issues) == 10
    second, issues = run(tmp_path / "h.db")
    assert second.complete and len(issues) == 30


def test_issue_updated_during_the_sync_does_not_hide_another(fake_github, tmp_path, monkeypatch):
    """Following page links would skip an issue when an earlier one moves to the end of the list."""
    seed(fake_github, 25)
    real_fetch, calls = history._fetch, []

    def fetch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # after page 1 was read, issue 2 changes and moves to the end
            fake_github.issues[2].updated_at = fake_github.clock()
        return real_fetch(*args, **kwargs)

    monkeypatch.setattr(history, "_fetch", fetch)
    result, issues = run(tmp_path / "h.db")
    assert result.complete and [i.number for i in issues] == list(range(1, 26))


def test_more_issues_in_one_second_than_a_page(fake_github, tmp_path):
    seed(fake_github, 23, updated_at="2024-06-01T00:00:00Z", created_at="2024-06-01T00:00:00Z")
    seed(fake_github, 2, start=24)
    result, issues = run(tmp_path / "h.db", per_page=5)
    assert result.complete and len(issues) == 25


def test_low_rate_limit_sleeps_until_reset(fake_github, tmp_path):
    seed(fake_github, 25)
    fake_github.ratelimit_remaining = 50
    slept = []
    pacing = history.Pacing(min_remaining=60, max_wait=7200, sleep=slept.append)
    result, issues = run(tmp_path / "h.db", pacing=pacing)
    assert result.complete and len(issues) == 25
    assert len(slept) == 2 and all(3590 < s <= 3602 for s in slept)  # two pages had a next page


def test_wait_longer_than_max_wait_stops_resumably(fake_github, tmp_path):
    seed(fake_github, 25)
    fake_github.ratelimit_remaining = 5
    slept = []
    result, issues = run(tmp_path / "h.db", pacing=history.Pacing(min_remaining=10, max_wait=60, sleep=slept.append))
    assert not result.complete and len(issues) == 10 and slept == []


def test_database_of_another_repo_is_refused(fake_github, tmp_path):
    seed(fake_github, 3)
    run(tmp_path / "h.db")
    conn = history.connect(str(tmp_path / "h.db"))
    with pytest.raises(UserError, match="holds acme/widgets, not other/repo"):
        history.sync(gh.connect(), "other/repo", conn, progress=lambda line: None)


def test_not_a_database_and_wrong_schema_start_fresh(tmp_path):
    (tmp_path / "junk.db").write_text("this is not sqlite" * 100)
    history.connect(str(tmp_path / "junk.db")).close()
    assert history.check(str(tmp_path / "junk.db")) is None
    conn = history.connect(str(tmp_path / "h.db"))
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    assert history.check(str(tmp_path / "h.db")).bump
    history.connect(str(tmp_path / "h.db")).close()
    assert history.check(str(tmp_path / "h.db")) is None
    with pytest.raises(UserError, match="run `labeler history sync` first"):
        history.load(str(tmp_path / "missing.db"))


def test_unknown_repo_is_a_user_error(fake_github, tmp_path):
    conn = history.connect(str(tmp_path / "h.db"))
    with pytest.raises(UserError, match="HTTP 404"):
        history.sync(gh.connect(), "acme/nope", conn, progress=lambda line: None)


def test_cli_sync(fake_github, tmp_path, capsys, monkeypatch):
    seed(fake_github, 12, prs={5})
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    assert main(["history", "sync", "--db", str(tmp_path / "h.db"), "--per-page", "5"]) == 0
    captured = capsys.readouterr()
    assert "11 stored" in captured.out and "1 pull requests skipped" in captured.out
    assert "page 1:" in captured.err
    assert "complete<<" in (tmp_path / "out").read_text()


def test_database_directory_is_created(tmp_path):
    history.connect(str(tmp_path / ".labeler" / "nested" / "h.db")).close()
    assert (tmp_path / ".labeler" / "nested" / "h.db").is_file()
