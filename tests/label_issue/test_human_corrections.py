"""Removed labels stay removed, who turned labeling off,
links in rationales, one comment per re-run, the per-issue model budget. Real PyGithub and SDKs
against the stand-ins."""

import json

import pytest

from label_issue.test_label_issue import CONFIG, answer, comment_payload, issue_payload, run, seed
from labeler import md
from labeler.history import corrections
from labeler.label_issue.labeling import MARKER, State


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "labels.yml"
    path.write_text(CONFIG)
    return str(path)


def ours(gh, number=7):
    return [c for c in gh.comments(number) if c.startswith(MARKER)]


def edited_payload(comments=1):
    payload = issue_payload(comments=comments)
    payload.update(action="edited", changes={"body": {"from": "old"}})
    return payload


def test_pure_removals_by_people_block_and_a_re_add_lifts_the_block():
    def ev(kind, name, who):
        return {"event": kind, "label": {"name": name, "color": "fff"}, "actor": {"login": who}}

    events = [
        ev("labeled", "bug", "github-actions[bot]"),
        ev("unlabeled", "bug", "maria"),
        ev("unlabeled", "question", "github-actions[bot]"),
        ev("unlabeled", "Docs", "li"),
        ev("labeled", "docs", "li"),
        {"event": "commented", "body": "hi"},
    ]
    assert corrections.human_removals(events, "github-actions[bot]") == {"bug": "maria"}


@pytest.mark.parametrize("how", ["label auto", "edit"])
def test_a_label_a_person_removed_is_not_re_added(fake_github, actions_env, tmp_path, monkeypatch, cfg, how):
    seed(fake_github)
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    assert fake_github.issue_labels(7) == ["bug"]
    fake_github.remove_issue_label_as(7, "bug", "maria")
    if how == "edit":
        assert run(tmp_path, monkeypatch, edited_payload(), "issues", cfg) == 0
    else:
        fake_github.add_comment(7, "/label auto")
        assert run(tmp_path, monkeypatch, comment_payload("/label auto", comments=2), "issue_comment", cfg) == 0
    assert "bug" not in fake_github.issue_labels(7)
    [comment] = ours(fake_github)
    assert "not re-applied: removed by @\u2060maria" in comment and "@maria" not in comment


def test_an_unreadable_timeline_applies_nothing_and_says_so(
    fake_github, actions_env, tmp_path, monkeypatch, cfg, capsys
):
    seed(fake_github)
    fake_github.fail("GET", r"/timeline$", status=500, times=50)
    monkeypatch.setenv("GITHUB_API_URL", fake_github.url)
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    assert fake_github.issue_labels(7) == []
    [comment] = ours(fake_github)
    assert "timeline could not be read" in comment
    assert "could not read the timeline of #7" in capsys.readouterr().out


def test_rerun_of_an_opened_job_leaves_one_comment(fake_github, actions_env, tmp_path, monkeypatch, cfg):
    seed(fake_github)
    for _ in range(2):  # GitHub's "Re-run jobs" replays the same payload (comments: 0)
        assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    assert len(ours(fake_github)) == 1 and len(fake_github.comments(7)) == 1
    assert fake_github.issue_labels(7) == ["bug"]


def test_the_author_cannot_undo_a_maintainers_off(fake_github, actions_env, tmp_path, monkeypatch, cfg):
    seed(fake_github)
    fake_github.add_comment(7, "/label off", user="maria", author_association="MEMBER")
    off = comment_payload("/label off", user="maria", assoc="MEMBER")
    assert run(tmp_path, monkeypatch, off, "issue_comment", cfg) == 0
    state = State.parse(ours(fake_github)[0])
    assert state.off and state.off_by == "maria" and state.off_write
    fake_github.add_comment(7, "/label auto")
    assert run(tmp_path, monkeypatch, comment_payload("/label auto", comments=2), "issue_comment", cfg) == 0
    assert fake_github.issue_labels(7) == []  # alice (the author) may not turn it back on
    by_member = comment_payload("/label auto", user="li", assoc="COLLABORATOR", comments=3)
    assert run(tmp_path, monkeypatch, by_member, "issue_comment", cfg) == 0
    assert fake_github.issue_labels(7) == ["bug"]


def test_the_author_can_undo_their_own_off(fake_github, actions_env, tmp_path, monkeypatch, cfg):
    seed(fake_github)
    assert run(tmp_path, monkeypatch, comment_payload("/label off"), "issue_comment", cfg) == 0
    assert State.parse(ours(fake_github)[0]).off_write is False
    assert run(tmp_path, monkeypatch, comment_payload("/label auto", comments=2), "issue_comment", cfg) == 0
    assert fake_github.issue_labels(7) == ["bug"]


@pytest.mark.parametrize("text", ["#1", "acme/other#3", "GH-4", "https://evil.example/login", "www.evil.example"])
def test_rationale_cross_references_and_links_are_neutralised(
    fake_github, fake_llm, actions_env, tmp_path, monkeypatch, cfg, text
):
    seed(fake_github)
    fake_llm.enqueue(answer(("bug", 0.9), rationale=f"Same as {text}, see there."))
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg, "--provider", "anthropic") == 0
    [comment] = ours(fake_github)
    why = next(line for line in comment.splitlines() if line.startswith("**Why:**"))
    assert text not in why and text.replace("\u2060", "") == md.neutralize_references(text).replace("\u2060", "")


def test_per_issue_budget_stops_cleanly(fake_github, fake_llm, actions_env, tmp_path, monkeypatch, cfg, capsys):
    path = tmp_path / "capped.yml"
    path.write_text(CONFIG + "  max-model-calls-per-issue: 2\n")
    seed(fake_github)
    fake_llm.responder = lambda route, req: answer(("bug", 0.9))
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", str(path), "--provider", "anthropic") == 0
    for _ in range(3):  # the author edits again and again
        fake_github.set_issue_labels(7, [])
        assert run(tmp_path, monkeypatch, edited_payload(), "issues", str(path), "--provider", "anthropic") == 0
    assert len(fake_llm.requests) == 2
    assert State.parse(ours(fake_github)[0]).calls == 2
    assert fake_github.issue_labels(7) == []  # nothing applied beyond the cap
    assert "per-issue budget of 2 model call(s) is spent" in capsys.readouterr().out
    assert json.loads(actions_env.outputs()["labels"]) == []


def test_bot_added_lists_labels_on_the_issue_the_bot_put_there():
    from labeler.history import corrections as c

    def e(kind, name, who):
        return {"event": kind, "label": {"name": name}, "actor": {"login": who}}

    events = [
        e("labeled", "bug", "github-actions[bot]"),
        e("labeled", "docs", "maria"),
        e("labeled", "question", "github-actions[bot]"),
        e("labeled", "Question", "joe"),
    ]
    assert c.bot_added(events, "github-actions[bot]", ("bug", "docs", "question")) == ("bug",)
    assert c.bot_added([], "github-actions[bot]", ("bug",)) == ()


def test_per_issue_budget_with_comment_never_is_documented_as_not_applying(
    fake_github, fake_llm, actions_env, tmp_path, monkeypatch, cfg, capsys
):
    """No comment, no durable count: the cap does not apply, and every run says so."""
    from labeler.label_issue import budget

    path = tmp_path / "silent.yml"
    path.write_text(CONFIG + "  max-model-calls-per-issue: 1\n  comment: never\n")
    seed(fake_github)
    fake_llm.responder = lambda route, req: answer(("bug", 0.9))
    for payload in (issue_payload(), edited_payload(), edited_payload()):
        fake_github.set_issue_labels(7, [])
        assert run(tmp_path, monkeypatch, payload, "issues", str(path), "--provider", "anthropic") == 0
    assert len(fake_llm.requests) == 3 and ours(fake_github) == []
    assert capsys.readouterr().out.count("does not apply with `comment: never`") == 3
    assert budget.untracked_reason("keywords", "never", 1) is None
    assert budget.untracked_reason("openai", "always", 1) is None
    assert budget.untracked_reason("openai", "never", None) is None


def test_a_bot_login_configured_in_another_case_still_knows_its_own_removals(
    fake_github, actions_env, tmp_path, monkeypatch, cfg
):
    """GitHub compares logins without case: the bot taking its own label off must not block it for good."""
    monkeypatch.setenv("LABELER_BOT_LOGIN", "GitHub-Actions[bot]")
    seed(fake_github)
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    assert fake_github.issue_labels(7) == ["bug"]
    fake_github.remove_issue_label_as(7, "bug", "github-actions[bot]")
    assert run(tmp_path, monkeypatch, edited_payload(), "issues", cfg) == 0
    assert fake_github.issue_labels(7) == ["bug"]
    [comment] = ours(fake_github)
    assert "not re-applied" not in comment
