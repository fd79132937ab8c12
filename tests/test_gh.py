"""The GitHub layer against the stand-in: sticky comments, idempotent writes, rate limits."""

import re

import pytest

from conftest import FAKE_GITHUB_TOKEN as FAKE_TOKEN
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


# ---------------------------------------------------------------------------- listings: one request per 100 items


def _comments(gh, fake):
    for i in range(250):
        fake.add_comment(5, f"c{i}")
    return lambda: gh.comments(5), "/repos/acme/widgets/issues/5/comments"


def _timeline(gh, fake):
    for i in range(250):
        fake.add_comment(5, f"c{i}")
    return lambda: gh_mod.issue_timeline(gh, 5), "/repos/acme/widgets/issues/5/timeline"


def _statuses(gh, fake):
    fake.add_pr(9)
    sha = fake.pulls[9].head_sha
    for i in range(250):
        fake.add_status(sha, "success", f"ci/{i}", creator="ci-bot")
    return lambda: gh.statuses(sha), f"/repos/acme/widgets/commits/{sha}/statuses"


def _open_issues(gh, fake):
    for n in range(6, 256):
        fake.add_issue(n, f"t{n}", "b")
    return lambda: gh_mod.open_issues(gh, limit=1000), "/repos/acme/widgets/issues"


def _pull_files(gh, fake):
    fake.add_pr(9, files={f"docs/f{i}.md": "x" for i in range(250)})
    return lambda: gh.pull_files(9), "/repos/acme/widgets/pulls/9/files"


def _labels(gh, fake):
    for i in range(250):
        fake.add_label(f"l{i}")
    return gh.repo_labels, "/repos/acme/widgets/labels"


LISTINGS = [_comments, _timeline, _statuses, _open_issues, _pull_files, _labels]


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda f: f.__name__.strip("_"))
def test_250_items_take_exactly_three_requests(gh, fake_github, listing):
    read, path = listing(gh, fake_github)
    fake_github.requests.clear()
    found = read()
    assert len(found) >= 250
    assert fake_github.calls() == [("GET", path)] * 3
    assert [r.query.get("per_page") for r in fake_github.requests][:1] == ["100"]


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda f: f.__name__.strip("_"))
def test_a_502_halfway_through_a_listing_is_the_one_error_type(gh, fake_github, listing):
    read, path = listing(gh, fake_github)
    fake_github.fail("GET", "^" + re.escape(path) + "$", status=502, skip=1)
    with pytest.raises(gh_mod.GitHubError) as caught:
        read()
    assert caught.value.status == 502 and caught.value.request == f"GET {path}"
    assert "try again later" in caught.value.message and f"GET {path}" in caught.value.message


@pytest.mark.parametrize("status, hint", [(401, "check GITHUB_TOKEN"), (404, "check the repository name")])
def test_401_and_404_name_the_status_the_request_and_what_to_do(gh, fake_github, status, hint):
    fake_github.violations_ok = True
    fake_github.fail("GET", r"/pulls/7$", status=status)
    with pytest.raises(gh_mod.GitHubError) as caught:
        gh.pull(7)
    error = caught.value
    assert isinstance(error, UserError) and error.status == status
    assert error.request == "GET /repos/acme/widgets/pulls/7" and hint in error.message
    assert FAKE_TOKEN not in error.message


def test_no_answer_at_all_is_the_one_error_type(gh, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")
    with pytest.raises(gh_mod.GitHubError) as caught:
        gh_mod.open_repo().issue(5)
    assert caught.value.status is None and caught.value.request == "GET /repos/acme/widgets/issues/5"
    assert "cannot reach GitHub at http://127.0.0.1:9" in caught.value.message


# ---------------------------------------------------------------------------- POSTs that landed


def test_a_label_created_by_a_post_answering_502_is_not_created_twice(gh, fake_github):
    fake_github.fail("POST", r"^/repos/acme/widgets/labels$", status=502, after_apply=True)
    gh.create_label("triage", "ededed", "needs a look")
    posts = [r for r in fake_github.writes() if r.path == "/repos/acme/widgets/labels"]
    assert len(posts) == 1 and list(fake_github.repo_labels()) == ["triage"]


def test_a_comment_posted_despite_a_502_is_found_not_posted_again(gh, fake_github):
    fake_github.fail("POST", r"/issues/5/comments$", status=502, after_apply=True)
    cid, created = gh.upsert_comment(5, "<!-- labeler:x -->", "body")
    posts = [r for r in fake_github.writes() if r.method == "POST"]
    assert len(posts) == 1 and created and [c.id for c in fake_github.comment_objs(5)] == [cid]


def test_when_the_landed_check_fails_too_the_write_is_not_repeated(gh, fake_github):
    fake_github.fail("POST", r"/issues/5/comments$", status=502, after_apply=True)
    fake_github.fail("GET", r"/issues/5/comments$", status=502, skip=1)
    with pytest.raises(gh_mod.GitHubError, match="refused to comment on #5: 502"):
        gh.upsert_comment(5, "<!-- labeler:x -->", "body")
    assert len([r for r in fake_github.writes() if r.method == "POST"]) == 1
