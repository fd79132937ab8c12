"""The drop-in workflow .github/workflows/issue-labeler.yml run end to end by act (host mode)
against the GitHub and model stand-ins: the composite action installs labeler, reads the event,
calls the model, labels and comments."""

import json

import pytest

from labeler.label_issue.labeling import MARKER

pytestmark = pytest.mark.act
WORKFLOW = ".github/workflows/issue-labeler.yml"
ALLOWED = {"bug", "enhancement", "question", "documentation", "needs-triage", "automated-triage", "wontfix"}
PROVENANCE = "automated-triage"  # the example labels.yml marks every label the bot applies


def payload(tmp_path, name, **extra):
    issue = {
        "number": 7,
        "title": "Bug: app crashes on start",
        "body": "Traceback (most recent call last)",
        "user": {"login": "alice", "type": "User"},
        "labels": [],
        "state": "open",
        "comments": 0,
        "author_association": "NONE",
        "html_url": "https://github.com/acme/widgets/issues/7",
    }
    event = {
        "action": "opened",
        "issue": issue,
        "repository": {"full_name": "acme/widgets", "name": "widgets", "owner": {"login": "acme"}},
        "sender": {"login": "alice", "type": "User"},
        **extra,
    }
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(event))
    return path


def act(run_act, act_repo, name, event, fake_github, fake_llm=None, secrets=None, models=None):
    env = {"GITHUB_API_URL": fake_github.url, "GITHUB_REPOSITORY": "acme/widgets"}
    # the drop-in opts in to GitHub Models: without a key it asks the stand-in (a closed port when none is given)
    env["LABELER_MODELS_URL"] = models.models_url if models is not None else "http://127.0.0.1:9/inference"
    if fake_llm is not None:
        env.update(
            ANTHROPIC_BASE_URL=fake_llm.anthropic_url, OPENAI_BASE_URL=fake_llm.openai_url, LABELER_MODEL_RETRIES="1"
        )
    # the workflow's missing-info job (after labeling) is covered by tests/consumer; here only labeling runs
    return run_act(
        name, event, WORKFLOW, act_repo, env=env, secrets=secrets or {}, variables={"LABELER_MISSING_INFO": "false"}
    )


def answer(*pairs):
    return {"labels": [{"name": n, "confidence": c} for n, c in pairs], "rationale": "r", "version": "1"}


def test_issue_opened_offline_without_history(run_act, act_repo, fake_github, tmp_path):
    """No key, GitHub Models unreachable and no labeled history to learn from: the keywords only suggest,
    the issue waits for triage."""
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback (most recent call last)")
    result = act(run_act, act_repo, "issues", payload(tmp_path, "opened"), fake_github)
    assert result.ok, result.log()
    assert fake_github.issue_labels(7) == ["needs-triage"]
    [comment] = fake_github.comments(7)
    assert comment.startswith(MARKER) and "| `bug` | 0.85 | suggestion only (keywords) |" in comment
    assert "keywords only (too little labeled history" in comment
    assert json.loads(result.outputs["labels"]) == ["needs-triage"]
    assert result.outputs.get("model-learned") != "true"


def test_issue_opened_offline_when_github_models_refuses(run_act, act_repo, fake_github, fake_models, tmp_path):
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback (most recent call last)")
    fake_models.fault(403, times=9)  # an organization without GitHub Models
    result = act(run_act, act_repo, "issues", payload(tmp_path, "opened"), fake_github, models=fake_models)
    assert result.ok, result.log()
    assert len(fake_models.requests) == 1
    assert fake_github.issue_labels(7) == ["needs-triage"]  # the learned default, here with no history to learn
    [comment] = fake_github.comments(7)
    assert comment.startswith(MARKER) and "provider `learned`" in comment and "GitHub Models did not answer" in comment
    assert result.transcript().count("Add `models: read`") == 1


def test_issue_opened_keyless_through_github_models(run_act, act_repo, fake_github, fake_models, tmp_path):
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback (most recent call last)")
    fake_models.enqueue(answer(("question", 0.9)))
    result = act(run_act, act_repo, "issues", payload(tmp_path, "opened"), fake_github, models=fake_models)
    assert result.ok, result.log()
    [request] = fake_models.requests
    assert request.headers["authorization"] == "Bearer ghs_fake_token_0123456789abcdef"
    assert fake_github.issue_labels(7) == ["question", PROVENANCE]
    assert "provider `github-models`" in fake_github.comments(7)[0]


def test_issue_opened_with_anthropic_and_slash_auto(run_act, act_repo, fake_github, fake_llm, tmp_path):
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback")
    fake_llm.enqueue(answer(("enhancement", 0.9)), answer(("bug", 0.95)))
    secrets = {"ANTHROPIC_API_KEY": "sk-ant-fake-0123456789abcdef"}
    result = act(run_act, act_repo, "issues", payload(tmp_path, "opened"), fake_github, fake_llm, secrets)
    assert result.ok, result.log()
    assert fake_github.issue_labels(7) == ["enhancement", PROVENANCE]
    fake_github.set_issue_labels(7, [])
    fake_github.add_comment(7, "please\n/label auto")
    comment = {
        "id": 5,
        "body": "please\n/label auto",
        "user": {"login": "alice", "type": "User"},
        "author_association": "NONE",
    }
    event = payload(tmp_path, "comment", action="created", comment=comment)
    result = act(run_act, act_repo, "issue_comment", event, fake_github, fake_llm, secrets)
    assert result.ok, result.log()
    assert fake_github.issue_labels(7) == ["bug", PROVENANCE]
    ours = [c for c in fake_github.comments(7) if c.startswith(MARKER)]
    assert len(ours) == 1 and "`bug`" in ours[0]
    assert len(fake_llm.requests) == 2


def test_comment_by_a_stranger_is_skipped_by_the_workflow(run_act, act_repo, fake_github, tmp_path):
    fake_github.add_issue(7)
    comment = {
        "id": 5,
        "body": "/label off",
        "user": {"login": "mallory", "type": "User"},
        "author_association": "CONTRIBUTOR",
    }
    result = act(
        run_act, act_repo, "issue_comment", payload(tmp_path, "c", action="created", comment=comment), fake_github
    )
    assert result.returncode == 0 and result.job_results == {}
    assert fake_github.requests == []


FAULTS = {
    "labels outside the set": lambda llm, gh: llm.enqueue(answer(("admin", 1.0), ("security", 1.0), ("bug", 0.9))),
    "garbage twice": lambda llm, gh: llm.enqueue("<<garbage>>", '{"labels": 3}'),
    "429 then answer": lambda llm, gh: (
        llm.fault(429, headers={"retry-after": "0"}),
        llm.enqueue(answer(("bug", 0.9))),
    ),
    "500 for good": lambda llm, gh: llm.fault(500, times=10),
    "github 502 halfway": lambda llm, gh: (
        llm.enqueue(answer(("bug", 0.9))),
        gh.fail("POST", r"/comments$", status=502, after_apply=True),
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_nothing_outside_labels_yml_under_every_fault(fault, run_act, act_repo, fake_github, fake_llm, tmp_path):
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback")
    FAULTS[fault](fake_llm, fake_github)
    secrets = {"ANTHROPIC_API_KEY": "sk-ant-fake-0123456789abcdef"}
    result = act(run_act, act_repo, "issues", payload(tmp_path, "opened"), fake_github, fake_llm, secrets)
    assert set(fake_github.issue_labels(7)) <= ALLOWED
    assert len([c for c in fake_github.comments(7) if c.startswith(MARKER)]) <= 1
    if fault == "500 for good":
        assert result.job_results == {"label": "failure"}
        assert fake_github.writes() == []
        assert "the Anthropic API failed" in result.transcript()
    else:
        assert result.ok, result.log()
        assert len(fake_github.comments(7)) == 1
