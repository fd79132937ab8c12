"""FakeGitHub against real PyGithub 2.10: shapes, state, pagination, faults, validation."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC

import github
import pytest
from github import Auth, Github, GithubException, GithubRetry, UnknownObjectException

from fakes import FakeGitHub

TOKEN = "ghs_fake_token_0123456789abcdef"


def client(url: str, retry: object = 0, per_page: int = 30) -> Github:
    return Github(
        base_url=url,
        auth=Auth.Token(TOKEN),
        retry=retry,
        per_page=per_page,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


@pytest.fixture
def gh(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_issue(
        7, "Crash on start", "It crashes", labels=["bug"], user="bob", author_association="CONTRIBUTOR"
    )
    return fake_github


@pytest.fixture
def repo(gh: FakeGitHub) -> github.Repository.Repository:
    return client(gh.url).get_repo("acme/widgets")


def test_repo_and_issue_shapes(gh, repo):
    assert (repo.full_name, repo.default_branch, repo.owner.login) == ("acme/widgets", "main", "acme")
    issue = repo.get_issue(7)
    assert (issue.title, issue.body, issue.user.login, issue.user.type) == (
        "Crash on start",
        "It crashes",
        "bob",
        "User",
    )
    assert [label.name for label in issue.labels] == ["bug"]
    assert issue.pull_request is None and issue.raw_data["author_association"] == "CONTRIBUTOR"
    assert issue.url == f"{gh.url}/repos/acme/widgets/issues/7"  # rewritten from api.github.com
    assert gh.calls() == [("GET", "/repos/acme/widgets"), ("GET", "/repos/acme/widgets/issues/7")]


def test_ghes_prefix_is_accepted_and_kept_in_urls(gh):
    issue = client(gh.ghes_url).get_repo("acme/widgets").get_issue(7)
    issue.create_comment("from GHES")
    assert issue.url.startswith(gh.ghes_url + "/repos/")
    assert gh.requests[-1].path == "/repos/acme/widgets/issues/7/comments"
    assert gh.requests[-1].raw_path.startswith("/api/v3/")


def test_comment_create_edit_and_request_log(gh, repo):
    comment = repo.get_issue(7).create_comment("<!-- labeler:x -->\nfirst")
    comment.edit("<!-- labeler:x -->\nsecond")
    assert gh.comments(7) == ["<!-- labeler:x -->\nsecond"]
    assert comment.user.login == "github-actions[bot]" and comment.user.type == "Bot"
    writes = gh.writes()
    assert [(w.method, w.path, w.body) for w in writes] == [
        ("POST", "/repos/acme/widgets/issues/7/comments", {"body": "<!-- labeler:x -->\nfirst"}),
        ("PATCH", f"/repos/acme/widgets/issues/comments/{comment.id}", {"body": "<!-- labeler:x -->\nsecond"}),
    ]
    assert writes[0].header("authorization") == f"token {TOKEN}"
    assert repo.get_issue(7).get_comment(comment.id).body.endswith("second")


def test_comment_validation_and_foreign_edit(gh, repo):
    foreign = gh.add_comment(7, "mine", user="alice")
    with pytest.raises(GithubException) as e:
        repo.get_issue(7).create_comment("x" * 65537)
    assert e.value.status == 422
    with pytest.raises(GithubException) as e:
        repo.get_issue(7).get_comment(foreign.id).edit("hijack")
    assert e.value.status == 403 and gh.comments(7) == ["mine"]
    gh.foreign_edit_status = None  # what real GitHub does for a token with write access
    repo.get_issue(7).get_comment(foreign.id).edit("edited by the bot")
    assert gh.comments(7) == ["edited by the bot"]


def test_pagination_over_250_comments(gh, repo):
    for i in range(250):
        gh.add_comment(7, f"c{i}")
    bodies = [c.body for c in client(gh.url, per_page=100).get_repo("acme/widgets").get_issue(7).get_comments()]
    assert bodies == [f"c{i}" for i in range(250)]
    pages = [r.query.get("page", "1") for r in gh.requests if r.path.endswith("/issues/7/comments")]
    assert pages == ["1", "2", "3"]
    assert repo.get_issue(7).get_comments().totalCount == 250  # uses the rel="last" link


def test_issue_labels_add_set_remove(gh, repo):
    issue = repo.get_issue(7)
    issue.add_to_labels("triage", "bug")  # PyGithub sends a bare array
    assert gh.issue_labels(7) == ["bug", "triage"]
    assert gh.writes()[-1].body == ["triage", "bug"]
    issue.set_labels("question")
    assert gh.issue_labels(7) == ["question"] and "question" in gh.repo_labels()  # auto-created like GitHub
    issue.remove_from_labels("question")
    with pytest.raises(GithubException) as e:
        issue.remove_from_labels("question")
    assert (e.value.status, e.value.data["message"]) == (404, "Label does not exist")
    client(gh.url).requester.requestJsonAndCheck(
        "POST", f"{gh.url}/repos/acme/widgets/issues/7/labels", input={"labels": ["a b", {"name": "c"}]}
    )
    assert gh.issue_labels(7) == ["a b", "c"]


def test_repo_labels_crud(gh, repo):
    repo.create_label("good first issue", "00ff00", "Easy")
    with pytest.raises(GithubException) as e:
        repo.create_label("Good First Issue", "00ff00")
    assert e.value.status == 422 and e.value.data["errors"][0]["code"] == "already_exists"
    label = repo.get_label("good first issue")
    assert gh.requests[-1].path == "/repos/acme/widgets/labels/good%20first%20issue"
    label.edit("starter", "0000ff", "Renamed")
    assert gh.repo_labels()["starter"] == {"color": "0000ff", "description": "Renamed"}
    assert sorted(x.name for x in repo.get_labels()) == ["bug", "starter"]
    repo.get_label("starter").delete()
    with pytest.raises(UnknownObjectException):
        repo.get_label("starter")
    with pytest.raises(GithubException) as e:
        repo.create_label("bad", "nothex")
    assert e.value.status == 422


def test_list_issues_filters_and_prs(gh, repo):
    gh.add_issue(8, "Closed one", state="closed", labels=["bug"])
    gh.add_issue(9, "Old", labels=["docs"], updated_at="2020-01-01T00:00:00Z", created_at="2020-01-01T00:00:00Z")
    gh.add_pr(10, labels=["bug"])
    assert [i.number for i in repo.get_issues()] == [10, 7, 9]  # created desc; the PR is listed too
    assert [i.number for i in repo.get_issues(state="all", labels=["bug"])] == [10, 8, 7]
    assert repo.get_issue(10).pull_request is not None
    assert [i.number for i in repo.get_issues(sort="created", direction="asc")] == [9, 7, 10]
    from datetime import datetime

    assert 9 not in [i.number for i in repo.get_issues(since=datetime(2021, 1, 1, tzinfo=UTC))]


def test_pull_files_and_contents_at_ref(gh, repo):
    gh.add_file("knowledge/qna.yaml", "old: 1\n")
    pr = gh.add_pr(
        12,
        "a" * 40,
        files={"knowledge/qna.yaml": "old: 2\nnew: 3\n", "docs/new.md": "hi\n", "README.md": None},
        base_files={"README.md": "r\n", "knowledge/qna.yaml": "old: 1\n"},
    )
    pull = repo.get_pull(12)
    assert (pull.head.sha, pull.base.sha, pull.number) == ("a" * 40, pr.base_sha, 12)
    files = {f.filename: (f.status, f.additions, f.deletions) for f in pull.get_files()}
    assert files == {
        "README.md": ("removed", 0, 1),
        "docs/new.md": ("added", 1, 0),
        "knowledge/qna.yaml": ("modified", 2, 1),
    }
    assert repo.get_contents("knowledge/qna.yaml", ref="a" * 40).decoded_content == b"old: 2\nnew: 3\n"
    assert repo.get_contents("knowledge/qna.yaml", ref=pr.base_sha).decoded_content == b"old: 1\n"
    with pytest.raises(UnknownObjectException):
        repo.get_contents("README.md", ref="a" * 40)
    assert [c.path for c in repo.get_contents("", ref="a" * 40)] == ["docs", "knowledge"]
    gh.set_head(12, "b" * 40, files={"docs/new.md": "changed\n"})
    assert repo.get_pull(12).head.sha == "b" * 40
    assert repo.get_contents("docs/new.md", ref="b" * 40).decoded_content == b"changed\n"
    assert [p.number for p in repo.get_pulls(state="open")] == [12]


def test_statuses(gh, repo):
    pr = gh.add_pr(12, "c" * 40)
    commit = repo.get_commit(pr.head_sha)
    commit.create_status("pending", description="working", context="labeler/precheck")
    commit.create_status(
        "success", target_url="https://example.com/run", description="done", context="labeler/precheck"
    )
    commit.create_status("failure", description="no", context="labeler/enabled")
    assert [s.state for s in commit.get_statuses()] == ["failure", "success", "pending"]  # newest first
    combined = commit.get_combined_status()
    assert (combined.state, combined.total_count) == ("failure", 2)
    assert gh.statuses(pr.head_sha)[1] == {
        "state": "success",
        "context": "labeler/precheck",
        "description": "done",
        "target_url": "https://example.com/run",
    }
    for kwargs in ({"state": "shut"}, {"state": "success", "description": "x" * 141}):
        with pytest.raises(GithubException) as e:
            commit.create_status(**kwargs)
        assert e.value.status == 422
    gh.violations_ok = True  # the bad state is also an OpenAPI violation
    with pytest.raises(GithubException) as e:
        repo.get_commit("d" * 40).create_status("success")
    assert e.value.status == 422 and "No commit found" in e.value.data["message"]


def test_team_membership_and_permission(gh):
    g = client(gh.url)
    gh.add_team_member("acme", "triagers", "carol")
    gh.add_team_member("acme", "triagers", "dave", state="pending")
    team = g.get_organization("acme").get_team_by_slug("triagers")
    assert team.get_team_membership("carol").state == "active"
    assert team.get_team_membership("dave").state == "pending"
    with pytest.raises(UnknownObjectException):
        team.get_team_membership("mallory")
    raw = g.requester.requestJsonAndCheck("GET", "/orgs/acme/teams/triagers/memberships/carol")[1]
    assert raw["role"] == "member"
    gh.team_access = 404
    with pytest.raises(UnknownObjectException):
        g.get_organization("acme").get_team_by_slug("triagers").get_team_membership("carol")
    gh.team_access = None
    assert g.get_organization("acme").has_in_members(g.get_user("carol"))
    assert not g.get_organization("acme").has_in_members(g.get_user("mallory"))
    gh.set_permission("carol", "maintain")
    repo = g.get_repo("acme/widgets")
    assert repo.has_in_collaborators("carol") and not repo.has_in_collaborators("mallory")
    assert repo.get_collaborator_permission("carol") == "write"
    assert repo.get_collaborator_role_name("carol") == "maintain"


def test_user_login_and_forbidden(gh):
    g = client(gh.url)
    assert g.get_user().login == "github-actions[bot]"
    assert g.get_rate_limit().resources.core.limit == 5000
    gh.user_status = 403
    with pytest.raises(GithubException) as e:
        client(gh.url).get_user().login
    assert e.value.status == 403 and "not accessible by integration" in e.value.data["message"]


def test_fault_after_apply_duplicates_a_retried_post(gh, repo):
    gh.fail("POST", r"/issues/7/comments$", status=502, after_apply=True)
    retrying = client(gh.url, retry=GithubRetry(total=2, backoff_factor=0)).get_repo("acme/widgets")
    retrying.get_issue(7).create_comment("hello")
    assert gh.comments(7) == ["hello", "hello"]  # why writes must be idempotent


def test_fault_without_apply_is_retried_once(gh):
    gh.fail("POST", r"/issues/7/comments$", status=503, skip=1)
    repo = client(gh.url, retry=GithubRetry(total=2, backoff_factor=0)).get_repo("acme/widgets")
    repo.get_issue(7).create_comment("one")  # skipped by the fault
    repo.get_issue(7).create_comment("two")  # 503, then retried
    assert gh.comments(7) == ["one", "two"]
    assert [r.status for r in gh.requests if r.method == "POST"] == [201, 503, 201]


def test_fault_surfaces_without_retry(gh, repo):
    gh.fail("*", r"/issues/7$", status=404, times=2)
    for _ in range(2):
        with pytest.raises(UnknownObjectException):
            repo.get_issue(7)
    assert repo.get_issue(7).number == 7


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_is_retried_after_retry_after(gh, status):
    gh.secondary_rate_limit("POST", r"/labels$", status=status, retry_after=0)
    repo = client(gh.url, retry=GithubRetry(total=2, backoff_factor=0, secondary_rate_wait=0)).get_repo("acme/widgets")
    repo.get_issue(7).add_to_labels("triage")
    assert gh.issue_labels(7) == ["bug", "triage"]
    assert [r.status for r in gh.requests if r.method == "POST"] == [status, 200]


def test_secondary_rate_limit_without_retry_raises(gh, repo):
    gh.secondary_rate_limit(retry_after=30)
    with pytest.raises(GithubException) as e:
        repo.get_issue(7)
    assert e.value.status == 403 and "secondary rate limit" in e.value.data["message"]


def test_unknown_route_unauthenticated_write_and_rate_headers(gh, repo):
    with pytest.raises(UnknownObjectException) as e:
        client(gh.url).requester.requestJsonAndCheck("GET", "/repos/acme/widgets/frobnicate")
    assert e.value.data["message"] == "Not Found" and "documentation_url" in e.value.data
    with pytest.raises(UnknownObjectException):
        client(gh.url).get_repo("other/repo").full_name
    anonymous = Github(base_url=gh.url, retry=0, seconds_between_requests=0, seconds_between_writes=0)
    with pytest.raises(GithubException) as e:
        anonymous.get_repo("acme/widgets").get_issue(7).create_comment("x")
    assert e.value.status == 401
    with urllib.request.urlopen(f"{gh.url}/repos/acme/widgets") as reply:
        assert int(reply.headers["x-ratelimit-remaining"]) < 5000 and reply.headers["x-ratelimit-reset"]
    gh.violations_ok = True  # the unknown path is a violation too


def test_handler_bug_answers_4xx_not_5xx(gh, repo, monkeypatch):
    monkeypatch.setattr(FakeGitHub, "get_issue", lambda self, req, n: 1 / 0)
    with pytest.raises(GithubException) as e:
        repo.get_issue(7)
    assert e.value.status == 400 and "ZeroDivisionError" in e.value.data["message"]
    assert len(gh.errors) == 1
    gh.errors.clear()  # expected here; the fixture fails tests on fake bugs


def test_malformed_json_body_is_400(gh):
    req = urllib.request.Request(
        f"{gh.url}/repos/acme/widgets/issues/7/comments",
        data=b"{nope",
        method="POST",
        headers={"Authorization": f"token {TOKEN}"},
    )
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 400 and json.loads(e.value.read())["message"] == "Problems parsing JSON"
    gh.violations_ok = True


def test_openapi_violations_are_recorded(gh):
    if gh.validator is None:
        pytest.skip("@octokit/openapi not installed (bash tests/fakes/fetch_assets.sh)")
    g = client(gh.url)
    g.get_repo("acme/widgets").get_issue(7).add_to_labels("ok")  # allow-listed bare array
    assert gh.violations == []
    with pytest.raises(GithubException):
        g.requester.requestJsonAndCheck("POST", "/repos/acme/widgets/issues/7/labels", input={"labels": "bug"})
    assert len(gh.violations) == 1 and "InvalidRequestBody" in gh.violations[0]
    with pytest.raises(GithubException):
        g.requester.requestJsonAndCheck("GET", "/repos/acme/widgets/issues", parameters={"state": "bogus"})
    assert "'bogus' is not one of" in gh.violations[1]
    gh.violations_ok = True


def test_fixture_env(fake_github):
    import os

    assert os.environ["GITHUB_API_URL"] == fake_github.url
    assert os.environ["GITHUB_REPOSITORY"] == "acme/widgets" and os.environ["LABELER_GITHUB_PACE"] == "0"
