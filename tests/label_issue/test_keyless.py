"""The keyless path in-process: no API key, the workflow's opt-in, GitHub Models stood in by FakeLLM at a models URL
(real OpenAI SDK), real PyGithub against FakeGitHub. A refusal or spent limits fall back to the offline provider
with one warning and exit 0; without the opt-in nothing calls out."""

import pytest

from conftest import FAKE_GITHUB_TOKEN
from fakes import Raw
from label_issue.test_label_issue import answer, issue_payload, run, seed
from label_issue.test_replay_backlog import ROWS, backlog, write_jsonl
from labeler import quota
from labeler.cli import main
from labeler.label_issue.labeling import MARKER

CONFIG = """
labels:
  - name: bug
    description: Something is broken
    examples: [crash, traceback]
  - name: enhancement
    description: A new feature
  - name: question
"""


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "labels.yml"
    path.write_text(CONFIG)
    return str(path)


@pytest.fixture
def keyless(fake_github, fake_models, actions_env, monkeypatch):
    monkeypatch.setenv("LABELER_GITHUB_MODELS", "true")
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "2")
    return fake_models


def spent_after(answers, fake):
    """Answers `bug` that many times, then a 429 asking to come back in two hours (the day's limit)."""
    spent = {
        "error": {"message": "Rate limit reached", "type": "rate_limit", "param": None, "code": "RateLimitReached"}
    }

    def respond(route, req):
        if len(fake.requests) > answers:
            return Raw(spent, 429, {"retry-after": "7200"})
        return answer(("bug", 0.9))

    return respond


def warnings(capsys):
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("::warning::")]


def test_no_key_and_the_opt_in_labels_through_github_models(keyless, fake_github, tmp_path, monkeypatch, cfg):
    seed(fake_github, title="Add dark mode", body="Please add a dark theme")
    keyless.enqueue(answer(("enhancement", 0.9), rationale="asks for a feature"))
    assert (
        run(tmp_path, monkeypatch, issue_payload(title="Add dark mode", body="Please add a dark theme"), "issues", cfg)
        == 0
    )
    [request] = keyless.requests
    assert request.route == "github-models"
    assert request.headers["authorization"] == f"Bearer {FAKE_GITHUB_TOKEN}"
    assert request.json["model"] == "openai/gpt-4.1-mini"
    wire = request.json["response_format"]["json_schema"]  # the same strict request as the OpenAI provider's
    assert wire["strict"] is True
    assert wire["schema"]["properties"]["labels"]["items"]["properties"]["name"]["enum"] == [
        "bug",
        "enhancement",
        "question",
    ]
    assert fake_github.issue_labels(7) == ["enhancement"]
    [comment] = fake_github.comments(7)
    assert (
        comment.startswith(MARKER)
        and "provider `github-models`" in comment
        and "model `openai/gpt-4.1-mini`" in comment
    )


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_falls_back_offline_with_one_notice_and_exit_0(
    keyless, fake_github, tmp_path, monkeypatch, cfg, capsys, status
):
    seed(fake_github)
    keyless.fault(status, times=5)
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    assert len(keyless.requests) == 1
    [warning] = warnings(capsys)
    assert f"HTTP {status}" in warning and "`models: read`" in warning and "offline learned provider" in warning
    assert FAKE_GITHUB_TOKEN not in warning
    assert fake_github.issue_labels(7) == ["bug"]  # the keywords matched "crash"
    [comment] = fake_github.comments(7)
    assert "provider `learned`" in comment and "GitHub Models did not answer" in comment


def test_a_429_with_retry_after_1_is_retried_and_succeeds(keyless, fake_github, tmp_path, monkeypatch, cfg, capsys):
    seed(fake_github)
    keyless.fault(429, headers={"retry-after": "1"})
    keyless.enqueue(answer(("question", 0.95)))
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    assert len(keyless.requests) == 2 and warnings(capsys) == []
    assert fake_github.issue_labels(7) == ["question"]
    assert "provider `github-models`" in fake_github.comments(7)[0]


def test_limits_spent_for_the_day_fall_back_at_once(keyless, fake_github, tmp_path, monkeypatch, cfg, capsys):
    seed(fake_github)
    keyless.fault(429, times=5, headers={"retry-after": "50000"})
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    assert len(keyless.requests) == 1
    [warning] = warnings(capsys)
    assert "rate limit" in warning and "14 h" in warning
    assert fake_github.issue_labels(7) == ["bug"]


def test_without_the_opt_in_nothing_calls_out(fake_github, fake_models, actions_env, tmp_path, monkeypatch, cfg):
    seed(fake_github)
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    monkeypatch.setenv("LABELER_GITHUB_MODELS", "false")
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    assert fake_models.requests == []
    assert "provider `learned`" in fake_github.comments(7)[0]


def test_the_command_line_opts_in_with_a_flag(fake_github, fake_models, actions_env, tmp_path, monkeypatch, cfg):
    seed(fake_github)
    fake_models.enqueue(answer(("bug", 0.9)))
    args = ["--github-models", "--models-url", fake_models.models_url]
    monkeypatch.delenv("LABELER_MODELS_URL")
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg, *args) == 0
    assert len(fake_models.requests) == 1


def test_a_key_wins_over_github_models(keyless, fake_llm, fake_github, tmp_path, monkeypatch, cfg):
    seed(fake_github)
    fake_llm.enqueue(answer(("bug", 0.9)))
    assert run(tmp_path, monkeypatch, issue_payload(), "issues", cfg) == 0
    assert keyless.requests == [] and [r.route for r in fake_llm.requests] == ["anthropic"]


def test_the_body_is_cut_to_the_free_request_size_never_the_labels(keyless, fake_github, tmp_path, monkeypatch, cfg):
    body = "Traceback line\n" * 3000  # 45,000 characters; BODY_LIMIT keeps 8,000
    seed(fake_github, body=body)
    keyless.enqueue(answer(("bug", 0.9)))
    long_labels = CONFIG + "".join(f"  - name: area-{n}\n    description: {'words ' * 15}\n" for n in range(150))
    (tmp_path / "labels.yml").write_text(long_labels)
    assert run(tmp_path, monkeypatch, issue_payload(body=body), "issues", cfg) == 0
    [request] = keyless.requests
    sent = "".join(m["content"] for m in request.json["messages"])
    assert len(sent) // 3 <= 8000 - 1200
    assert all(f"area-{n}:" in sent for n in range(150)) and "the rest was cut" in sent


def test_backlog_stops_at_spent_limits_and_says_where_the_next_run_starts(keyless, fake_github, tmp_path, cfg, capsys):
    for n in range(1, 6):
        fake_github.add_issue(n, f"Bug: app crashes {n}", "Traceback")
    keyless.responder = spent_after(2, keyless)
    assert backlog(tmp_path, cfg, "--no-dry-run") == 0
    labeled = [n for n in range(1, 6) if fake_github.issue_labels(n)]
    assert labeled == [4, 5]  # newest first
    out = capsys.readouterr().out
    assert "stopped after 2 of 5 issue(s)" in out and "the next run starts with #3" in out
    assert len(keyless.requests) == 3
    keyless.responder = lambda route, req: answer(("bug", 0.9))
    quota.forget()  # the next run: a new process
    assert backlog(tmp_path, cfg, "--no-dry-run") == 0  # the next run resumes
    assert all(fake_github.issue_labels(n) == ["bug"] for n in range(1, 6))
    assert len(keyless.requests) == 6


def test_backlog_goes_offline_on_a_refusal_with_one_warning(keyless, fake_github, tmp_path, cfg, capsys):
    for n in range(1, 4):
        fake_github.add_issue(n, f"Bug: app crashes {n}", "Traceback")
    keyless.fault(403, times=99)
    assert backlog(tmp_path, cfg, "--no-dry-run") == 0
    assert len(keyless.requests) == 1  # asked once, then offline for the rest of the run
    assert len(warnings(capsys)) == 1
    assert all(fake_github.issue_labels(n) == ["bug"] for n in range(1, 4))


def test_replay_stops_at_a_refusal_with_its_resume_point(keyless, tmp_path, cfg, capsys):
    data = write_jsonl(tmp_path / "d.jsonl", ROWS)
    cache = str(tmp_path / "cache.json")
    args = ["label-issue", "--replay", data, "--config", cfg, "--cache", cache]
    keyless.responder = spent_after(3, keyless)
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "replay stopped at b3, after 3 of 10 issue(s)" in out and "cached (--cache)" in out
    keyless.responder = lambda route, req: answer(("bug", 0.9))
    quota.forget()  # the next run: a new process
    assert main(args) == 0
    assert len(keyless.requests) == 4 + 7  # resumed: the three cached answers are not asked again
