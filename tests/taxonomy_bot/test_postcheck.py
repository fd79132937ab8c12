"""postcheck: precheck against the candidate endpoint; before/after when the current one is set too."""

import json

import pytest

from labeler.cli import main
from labeler.taxonomy_bot.postcheck import compare_verdict, render_compare
from labeler.taxonomy_bot.precheck import Options, Result
from taxonomy_bot.helpers import SKILL, comment_event, ours, seed_pr, write_config, write_event


def res(score, index=1):
    return Result("compositional_skills/a/qna.yaml", index, "q", None, "e", answer="a", score=score)


@pytest.mark.parametrize(
    "before, after, fragment",
    [
        ([res(0.2)], [res(0.8)], "▲ mean ROUGE-L 0.20 → 0.80 (+0.60): the candidate answers these well"),
        ([res(0.6)], [res(0.3)], "▼ mean ROUGE-L 0.60 → 0.30 (-0.30): the candidate does not answer these well yet"),
        ([res(0.4)], [res(0.4)], "= mean ROUGE-L 0.40 → 0.40 (+0.00)"),
        ([res(None)], [res(0.4)], "not enough scored answers"),
    ],
)
def test_compare_verdict(before, after, fragment):
    assert fragment in compare_verdict(before, after, 0.5, "ROUGE-L")


def test_render_compare_shows_both_answers():
    before = [
        Result("compositional_skills/a/qna.yaml", 1, "Q one?", None, "Exp", answer="old <b>answer</b>", score=0.1)
    ]
    after = [Result("compositional_skills/a/qna.yaml", 1, "Q one?", None, "Exp", answer="new answer", score=0.9)]
    body = render_compare(before, after, Options(system_prompt="s"), models=["base", "cand"], sha="d" * 40, skipped=0)
    assert "### postcheck: `cand` vs `base` on commit `ddddddd`" in body
    assert "| old &lt;b&gt;answer&lt;/b&gt; | new answer | 0.10 → 0.90 |" in body


@pytest.fixture
def endpoints(fake_llm, monkeypatch):
    monkeypatch.setenv("LABELER_POSTCHECK_BASE_URL", fake_llm.openai_url)
    monkeypatch.setenv("LABELER_POSTCHECK_MODEL", "candidate-test")
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "0")

    def respond(route, body):  # the candidate learned the data; the current model did not
        return "The total is 3.20." if body["model"] == "candidate-test" else "No idea."

    fake_llm.responder = respond
    return fake_llm


def run_postcheck(tmp_path):
    event = write_event(tmp_path, comment_event("@instructlab-bot postcheck"))
    return main(
        [
            "postcheck",
            "--event",
            event,
            "--event-name",
            "issue_comment",
            "--config",
            write_config(tmp_path, "  precheck: {concurrency: 1}\n"),
            "--output",
            str(tmp_path / "post.jsonl"),
        ]
    )


def test_postcheck_candidate_only(fake_github, endpoints, actions_env, tmp_path):
    head = seed_pr(fake_github, leaves=(SKILL,))
    fake_github.add_status(head, "success", "labeler/enabled")
    assert run_postcheck(tmp_path) == 0
    (body,) = ours(fake_github, 7, "postcheck")
    assert "### postcheck: `candidate-test` on commit" in body
    assert {r.json["model"] for r in endpoints.requests} == {"candidate-test"}
    assert fake_github.statuses(head)[0]["context"] == "labeler/postcheck"


def test_postcheck_before_after(fake_github, endpoints, actions_env, tmp_path, monkeypatch):
    monkeypatch.setenv("LABELER_PRECHECK_BASE_URL", endpoints.openai_url)
    monkeypatch.setenv("LABELER_PRECHECK_MODEL", "current-test")
    head = seed_pr(fake_github, leaves=(SKILL,))
    fake_github.add_status(head, "success", "labeler/enabled")
    assert run_postcheck(tmp_path) == 0
    (body,) = ours(fake_github, 7, "postcheck")
    assert "### postcheck: `candidate-test` vs `current-test`" in body
    assert "▲ mean ROUGE-L" in body and "| No idea. | The total is 3.20. |" in body
    rows = [json.loads(x) for x in (tmp_path / "post.jsonl").read_text().splitlines()]
    assert [r["role"] for r in rows] == ["current model"] * 5 + ["candidate model"] * 5
    assert ours(fake_github, 7, "precheck") == []  # its own sticky comment, not precheck's


def test_postcheck_needs_its_endpoint(fake_github, fake_llm, actions_env, tmp_path):
    head = seed_pr(fake_github)
    fake_github.add_status(head, "success", "labeler/enabled")
    assert run_postcheck(tmp_path) == 1
    latest = fake_github.statuses(head)[0]
    assert latest["state"] == "error" and "LABELER_POSTCHECK_BASE_URL" in latest["description"]
