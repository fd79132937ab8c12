"""The GitHub layer against the stand-in: sticky comments, idempotent writes, rate limits."""

import pytest

from labeler import gh as gh_mod
from labeler.errors import UserError


@pytest.fixture
def gh(fake_github):
    fake_github.add_issue(5, "t", "b")
    return gh_mod.open_repo()


def test_upsert_creates_once_then_edits_in_place(gh, fake_github):
    marker = "<!-- labeler:test -->"
    cid, created = gh.upsert_comment(5, marker, "first")
    assert created
    again, created = gh.upsert_comment(5, marker, "second")
    assert (again, created) == (cid, False)
    assert fake_github.comments(5) == [f"{marker}\nsecond"]
    before = len(fake_github.writes())
    gh.upsert_comment(5, marker, "second")
    assert len(fake_github.writes()) == before  # unchanged body: no PATCH


def test_only_our_own_marked_comment_counts(gh, fake_github):
    marker = "<!-- labeler:test -->"
    fake_github.add_comment(5, marker + "\nfake", user="mallory")
    fake_github.add_comment(5, marker + "\nother bot", user="dependabot[bot]", user_type="Bot")
    gh_strict = gh_mod.GitHub(gh.client, gh.repo_name, bot_login="github-actions[bot]")
    gh_strict.upsert_comment(5, marker, "ours")
    assert len(fake_github.comments(5)) == 3


def test_post_502_after_apply_does_not_duplicate(gh, fake_github):
    fake_github.fail("POST", r"/comments$", status=502, after_apply=True)
    gh.upsert_comment(5, "<!-- labeler:x -->", "body")
    assert len(fake_github.comments(5)) == 1


def test_post_502_before_apply_is_retried(gh, fake_github):
    fake_github.fail("POST", r"/comments$", status=502, times=2)
    gh.upsert_comment(5, "<!-- labeler:x -->", "body")
    assert len(fake_github.comments(5)) == 1


def test_secondary_rate_limit_on_a_write_waits_and_retries(gh, fake_github):
    fake_github.secondary_rate_limit("POST", r"/labels$", retry_after=0)
    gh.add_labels(5, ["bug", "triage"])
    assert fake_github.issue_labels(5) == ["bug", "triage"]
    posts = [r for r in fake_github.writes() if r.path.endswith("/labels")]
    assert len(posts) == 2 and posts[-1].body == {"labels": ["bug", "triage"]}


def test_client_errors_are_not_retried_and_read_clearly(gh, fake_github):
    fake_github.fail("POST", r"/labels$", status=422, times=1)
    with pytest.raises(UserError, match="refused to label #5: 422"):
        gh.add_labels(5, ["bug"])
    assert len(fake_github.writes()) == 1


def test_status_descriptions_are_ascii_and_short(gh, fake_github):
    fake_github.add_pr(9)
    sha = gh.pull(9).head_sha
    gh.set_status(sha, "pending", "labeler/x", "déjà vu ✓ " * 30)
    [status] = fake_github.statuses(sha)
    assert len(status["description"]) <= 140 and status["description"].isascii()


def test_team_membership_fails_closed(gh, fake_github):
    fake_github.add_team_member("acme", "triagers", "alice")
    fake_github.add_team_member("acme", "triagers", "bob", state="pending")
    assert gh.team_member("acme", "triagers", "alice") is True
    assert gh.team_member("acme", "triagers", "bob") is False
    assert gh.team_member("acme", "triagers", "carol") is False
    fake_github.team_access = 403
    assert gh.team_member("acme", "triagers", "alice") is None


def test_missing_token_is_a_user_error(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    with pytest.raises(UserError, match="GITHUB_TOKEN"):
        gh_mod.connect()


def test_files_at_a_ref(gh, fake_github):
    fake_github.add_pr(9, files={"knowledge/a/qna.yaml": "version: 3\n"})
    head = gh.pull(9).head_sha
    assert gh.file_at("knowledge/a/qna.yaml", head) == "version: 3\n"
    assert gh.file_at("nope.yaml", head) is None
    assert [f["filename"] for f in gh.pull_files(9)] == ["knowledge/a/qna.yaml"]


def test_only_the_bots_own_statuses_count(gh, fake_github):
    fake_github.add_pr(9)
    sha = gh.pull(9).head_sha
    fake_github.add_status(sha, "success", "labeler/enabled", creator="mallory")
    assert [s["context"] for s in gh.statuses(sha)] == ["labeler/enabled"]
    assert gh.own_statuses(sha) == []
    gh.set_status(sha, "pending", "labeler/precheck", "running")
    assert [s["context"] for s in gh.own_statuses(sha)] == ["labeler/precheck"]
