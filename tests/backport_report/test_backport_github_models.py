"""backport-report with GitHub Models (FakeLLM at a models URL, the workflow token): only the commits the rules are
unsure about are asked, two at a time; the run reports the calls made and left; spent limits keep the rules'
verdicts for the rest, with one warning, and the next run asks about those."""

from __future__ import annotations

import threading

import pytest

from backport_report.helpers import build_repo
from backport_report.test_backport_model import by_id, run, verdicts
from conftest import FAKE_GITHUB_TOKEN
from fakes import Raw
from labeler import limits, quota

SPENT = {"error": {"message": "Rate limit reached", "type": "rate_limit", "param": None, "code": "RateLimitReached"}}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return build_repo(tmp_path_factory.mktemp("models") / "haproxy")


@pytest.fixture
def models(fake_models, fake_github, monkeypatch):
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "0")
    monkeypatch.setenv("LABELER_MODEL_TIMEOUT", "5")
    fake_models.reply_headers = {"x-ratelimit-remaining-requests": "149"}
    return fake_models


def test_only_the_unsure_commits_go_to_github_models(repo, tmp_path, models, actions_env, capsys):
    models.responder = by_id({})
    assert run(repo, tmp_path, "github-models", "--concurrency", "8") == 0
    data, commits = verdicts(tmp_path)
    asked = [c for c in commits.values() if c["kind"].startswith("model:")]
    assert data["model_scope"] == "unsure" and data["asked_model"] == len(asked) == len(models.requests)
    assert 0 < len(asked) < len(commits)
    assert {r.headers["authorization"] for r in models.requests} == {f"Bearer {FAKE_GITHUB_TOKEN}"}
    assert {r.path for r in models.requests} == {"/inference/chat/completions"}
    assert data["quota"] == f"{len(asked)} GitHub Models call(s); 149 left in the current window"
    assert f"::notice::backport-report: {len(asked)} GitHub Models call(s)" in capsys.readouterr().out


def test_spent_limits_keep_the_rules_verdicts_and_the_next_run_asks(repo, tmp_path, models, actions_env, capsys):
    answered = []
    lock = threading.Lock()

    def one_then_spent(route, body):
        with lock:  # two requests are in flight at once
            answered.append(not answered)
            first = answered[-1]
        return "Conclusion: no" if first else Raw(SPENT, 429, {"retry-after": "7200"})

    models.responder = one_then_spent
    assert run(repo, tmp_path, "github-models", "--model-scope", "all") == 0
    _, commits = verdicts(tmp_path)
    assert len([c for c in commits.values() if c["kind"].startswith("model:")]) == 1
    assert not any("rate limit" in c["reason"] or "failed" in c["reason"] for c in commits.values())
    out = capsys.readouterr().out
    assert out.count("::warning::GitHub Models' free rate limit") == 1
    assert f"{len(commits) - 1} commit(s) keep the rules' verdict" in out
    assert len(models.requests) <= 3  # the answer, and one 429 per request in flight: then no more calls
    before = len(models.requests)
    models.responder = lambda route, body: "Conclusion: no"
    quota.forget()  # the next night: a new process
    assert run(repo, tmp_path, "github-models", "--model-scope", "all") == 0
    assert len(models.requests) - before == len(commits) - 1  # the answered one came from the cache


def test_a_huge_message_is_cut_to_the_free_request_size_never_the_instructions():
    from labeler import llm
    from labeler.backport_report import classify
    from labeler.git import Commit

    model = llm.GitHubModelsModel(name="m", api_key="k", base_url="http://127.0.0.1:9/inference")
    prompts = classify.Prompts("You review commits. " * 200, "Answer: Conclusion: yes/no/wait/uncertain.", "h")
    commit = Commit("a" * 40, (), "W", "w@x", "2024-01-01T00:00:00Z", "BUG/MINOR: foo\n\n" + "a long line\n" * 9000)
    prompt = classify.sized_prompt(model, commit, prompts)
    assert limits.tokens(prompts.prefix) + limits.tokens(prompt) <= model.max_input_tokens
    assert "Subject: BUG/MINOR: foo" in prompt and prompt.rstrip().endswith("yes/no/wait/uncertain.")
    assert "the rest was cut" in prompt
    assert classify.sized_prompt(object(), commit, prompts).count("a long line") == 9000  # no budget: all of it
