"""precheck: questions from qna.yaml, scoring, rendering, and the command against the fakes."""

import json

import pytest

from labeler import md
from labeler.cli import main
from labeler.taxonomy_bot import precheck
from labeler.taxonomy_bot.precheck import Options, Result, items_for, render_results, verdict
from labeler.taxonomy_bot.qna import parse
from taxonomy_bot.helpers import (
    FREEFORM,
    KNOWLEDGE,
    ROOT,
    SKILL,
    comment_event,
    ours,
    seed_pr,
    write_config,
    write_event,
)

OPTS = Options(system_prompt="sys")


def qna(rel):
    q, _ = parse(f"{rel}/qna.yaml", (ROOT / "valid" / rel / "qna.yaml").read_text())
    return q


def test_prompt_file_has_the_instructlab_system_prompt():
    sections = precheck.prompt_sections("precheck")
    assert sections["system"].startswith("I am an advanced AI language model designed to assist you")
    assert set(sections) == {"version", "system", "judge-system", "judge"} and sections["version"] == "2"
    assert Options.from_settings({}).system_prompt == sections["system"]
    assert Options.from_settings({"system-prompt": "Be brief."}, threshold=0.7).threshold == 0.7


def test_grounded_skill_questions_carry_their_context():
    items, skipped = items_for([qna(SKILL)], OPTS)
    assert skipped == 0 and len(items) == 5
    assert (
        items[0].prompt
        == "What is the total on this receipt?\nApples 2 x 0.50 = 1.00\nBread 1 x 2.20 = 2.20\nTOTAL 3.20"
    )


def test_knowledge_questions_go_without_context_unless_configured():
    items, _ = items_for([qna(KNOWLEDGE)], OPTS)
    assert len(items) == 15 and items[0].prompt == "Where are the palatine tonsils located?"
    items, _ = items_for([qna(KNOWLEDGE)], Options(system_prompt="s", knowledge_context=True))
    assert items[0].prompt.startswith("Where are the palatine tonsils located?\nThe palatine tonsils")


def test_max_questions_caps_and_counts():
    items, skipped = items_for([qna(KNOWLEDGE), qna(FREEFORM)], Options(system_prompt="s", max_questions=4))
    assert len(items) == 4 and skipped == 16


def res(score, error="", answer="x"):
    return Result("a/qna.yaml", 1, "q", None, "e", answer=answer, score=score, error=error)


@pytest.mark.parametrize(
    "results, fragment",
    [
        ([res(0.9), res(0.7)], "🟢 the model already answers these well (mean ROUGE-L 0.80 ≥ 0.50)"),
        ([res(0.1), res(0.2)], "🔵 the model does not answer these well yet (mean ROUGE-L 0.15 < 0.50)"),
        ([res(0.5)], "🟢"),
        ([res(None, "boom", "")], "⚠️ no answer could be scored (1 failed)"),
        ([res(0.9), res(None, "boom", "")], "(1 not scored)"),
    ],
)
def test_verdict(results, fragment):
    assert fragment in verdict(results, 0.5, "ROUGE-L")


def test_render_escapes_untrusted_text():
    evil = Result(
        "compositional_skills/x/qna.yaml",
        1,
        "<script>alert(1)</script> | @octocat",
        None,
        "**bold** ![img](http://x)",
        answer="<img src=x onerror=1> @team/all",
        score=0.1,
    )
    body = render_results([evil], OPTS, model="m", sha="c" * 40, skipped=0, extra=[])
    assert "<script>" not in body and "<img" not in body
    assert "@octocat" not in body and "@team/all" not in body  # mentions neutralised
    assert "\\| " in body  # table cells cannot be split
    assert "<details><summary><code>compositional_skills/x/qna.yaml</code>: 1 questions, 1 scored" in body


def test_summary_paths_are_html_escaped():
    r = Result("compositional_skills/<img src=x>/qna.yaml", 1, "q", None, "e", answer="a", score=0.5)
    body = render_results([r], OPTS, model="m", sha="c" * 40, skipped=0, extra=[])
    assert "<code>compositional_skills/&lt;img src=x&gt;/qna.yaml</code>" in body
    assert "<img" not in body.replace("`compositional_skills/<img src=x>/qna.yaml`", "")  # code spans are literal


def test_render_fits_a_comment():
    big = [
        Result("compositional_skills/x/qna.yaml", i, "q " * 3000, None, "e " * 3000, answer="a " * 3000, score=0.2)
        for i in range(1, 200)
    ]
    body = render_results(big, OPTS, model="m", sha="c" * 40, skipped=0, extra=[])
    assert len(body) <= md.COMMENT_LIMIT


# ---------------------------------------------------------------------------------- command
def answers_from(rel):
    """A responder that answers each seed question with the contributor's own answer."""
    known = {s.question: s.answer for s in qna(rel).seeds()}

    def respond(route, body):
        prompt = body["messages"][-1]["content"]
        return next((a for q, a in known.items() if prompt.startswith(q)), "I do not know.")

    return respond


@pytest.fixture
def model_env(fake_llm, monkeypatch):
    monkeypatch.setenv("LABELER_PRECHECK_BASE_URL", fake_llm.openai_url)
    monkeypatch.setenv("LABELER_PRECHECK_MODEL", "granite-test")
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "0")
    return fake_llm


def enable(fake, sha):
    fake.add_status(sha, "success", "labeler/enabled", "Enabled by triager")


def run_precheck(tmp_path, *extra, body="@instructlab-bot precheck", bot="  precheck: {concurrency: 2}\n"):
    event = write_event(tmp_path, comment_event(body))
    return main(
        [
            "precheck",
            "--event",
            event,
            "--event-name",
            "issue_comment",
            "--config",
            write_config(tmp_path, bot),
            "--output",
            str(tmp_path / "answers.jsonl"),
            *extra,
        ]
    )


def test_precheck_after_enable(fake_github, model_env, actions_env, tmp_path):
    head = seed_pr(fake_github)
    enable(fake_github, head)
    model_env.responder = answers_from(SKILL)
    assert run_precheck(tmp_path) == 0
    (body,) = ours(fake_github, 7, "precheck")
    assert f"### precheck: `granite-test` on commit `{head[:7]}`" in body
    assert "🟢 the model already answers these well (mean ROUGE-L 1.00" in body
    assert body.count("| 1.00 |") == 5
    states = [(s["context"], s["state"]) for s in fake_github.statuses(head)]
    assert states[:2] == [("labeler/precheck", "success"), ("labeler/precheck", "pending")]
    request = model_env.requests[0].json
    assert request["temperature"] == 0 and request["messages"][0]["content"].startswith("I am an advanced AI")
    rows = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert len(rows) == 5 and {r["model"] for r in rows} == {"granite-test"} and rows[0]["sha"] == head
    assert actions_env.outputs()["jsonl"] == str(tmp_path / "answers.jsonl")
    assert "### precheck" in actions_env.summary()


def test_rerun_edits_the_same_comment(fake_github, model_env, actions_env, tmp_path):
    enable(fake_github, seed_pr(fake_github))
    model_env.default = "I do not know."
    assert run_precheck(tmp_path) == 0
    assert run_precheck(tmp_path) == 0
    (body,) = ours(fake_github, 7, "precheck")
    assert "🔵 the model does not answer these well yet" in body
    assert [c for c in fake_github.comment_objs(7)]  # exactly one comment in the thread
    assert len(fake_github.comments(7)) == 1


def test_push_after_enable_refuses(fake_github, model_env, actions_env, tmp_path):
    old = seed_pr(fake_github)
    enable(fake_github, old)
    fake_github.set_head(7, "f" * 40)
    assert run_precheck(tmp_path) == 0
    assert fake_github.statuses("f" * 40) == []  # no pending left behind, nothing set at all
    (answer,) = ours(fake_github, 7, "reply to=9001")
    assert "not enabled on the current commit `fffffff`" in answer and "enable" in answer
    assert model_env.requests == []


def test_refused_from_the_terminal_is_an_error(fake_github, model_env, tmp_path, capsys):
    seed_pr(fake_github)
    assert main(["precheck", "--pr", "7"]) == 1
    assert "precheck refused: the bot is not enabled" in capsys.readouterr().err


def test_invalid_qna_reports_lines_and_stops(fake_github, model_env, actions_env, tmp_path, capsys):
    head = seed_pr(fake_github, leaves=("compositional_skills/too_few",), tree="invalid")
    enable(fake_github, head)
    assert run_precheck(tmp_path) == 1
    (body,) = ours(fake_github, 7, "precheck")
    assert "`compositional_skills/too_few/qna.yaml:6`: seed\\_examples: needs at least 5 entries, found 3" in body
    assert "`compositional_skills/too_few/qna.yaml:10`" in body
    out = capsys.readouterr().out
    assert "::error file=compositional_skills/too_few/qna.yaml,line=6::seed_examples: needs at least 5" in out
    assert fake_github.statuses(head)[0]["state"] == "failure"
    assert model_env.requests == []


def test_missing_attribution_is_an_error(fake_github, model_env, actions_env, tmp_path):
    head = seed_pr(fake_github, extra={f"{SKILL}/attribution.txt": " "})
    enable(fake_github, head)
    assert run_precheck(tmp_path) == 1
    assert "attribution.txt is empty" in ours(fake_github, 7, "precheck")[0]


def test_failing_endpoint_sets_error_and_says_so(fake_github, model_env, actions_env, tmp_path):
    head = seed_pr(fake_github)
    enable(fake_github, head)
    model_env.fault(500, times=50)
    assert run_precheck(tmp_path, bot="  precheck: {concurrency: 1}\n") == 1
    (body,) = ours(fake_github, 7, "precheck")
    assert "[!CAUTION]" in body and "failed for 5 of 5 questions" in body
    assert "not asked: the endpoint kept failing" in body
    assert len(model_env.requests) == precheck.BREAKER  # the breaker stopped asking
    latest = fake_github.statuses(head)[0]
    assert latest["state"] == "error" and "5 of 5 model endpoint calls failed" in latest["description"]
    assert all(s["state"] != "pending" for s in fake_github.statuses(head)[:1])


def test_crash_never_leaves_pending(fake_github, model_env, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    enable(fake_github, head)

    def boom(*a, **k):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(precheck, "ask_all", boom)
    assert run_precheck(tmp_path) == 3
    latest = fake_github.statuses(head)[0]
    assert (latest["context"], latest["state"]) == ("labeler/precheck", "error")
    assert "stopped unexpectedly" in latest["description"]
    assert "labeler stopped unexpectedly" in ours(fake_github, 7, "precheck")[0]


def test_missing_endpoint_is_an_error_status(fake_github, fake_llm, actions_env, tmp_path):
    head = seed_pr(fake_github)
    enable(fake_github, head)
    assert run_precheck(tmp_path) == 1
    assert "LABELER_PRECHECK_BASE_URL" in fake_github.statuses(head)[0]["description"]
    assert "precheck failed" in ours(fake_github, 7, "precheck")[0]


def test_knowledge_pr_and_judge(fake_github, model_env, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github, leaves=(KNOWLEDGE,), labels=("knowledge",))
    enable(fake_github, head)
    monkeypatch.setenv("LABELER_JUDGE_BASE_URL", model_env.openai_url)
    monkeypatch.setenv("LABELER_JUDGE_MODEL", "judge-test")

    def respond(route, body):
        if "response_format" in body:
            return {"score": 5, "reason": "same facts"}
        return "An answer."

    model_env.responder = respond
    assert run_precheck(tmp_path, "--judge") == 0
    (body,) = ours(fake_github, 7, "precheck")
    assert "mean judge 1.00" in body and body.count("| 1.00 |") == 15
    judged = [r.json for r in model_env.requests if r.json["model"] == "judge-test"]
    assert len(judged) == 15 and "\n<reference-" in judged[0]["messages"][-1]["content"]


def test_dry_run_prints_and_sets_nothing(fake_github, model_env, tmp_path, capsys):
    seed_pr(fake_github, leaves=(FREEFORM,))
    assert main(["precheck", "--pr", "7", "--dry-run"]) == 0  # no enable needed for a dry run
    assert "<!-- labeler:precheck -->" in capsys.readouterr().out
    assert fake_github.writes() == []


def test_other_command_in_the_event_is_ignored(fake_github, model_env, actions_env, tmp_path):
    seed_pr(fake_github)
    assert run_precheck(tmp_path, body="@instructlab-bot generate") == 0
    assert fake_github.requests == [] and model_env.requests == []


# ---------------------------------------------------------------------------------- opt-in: a real model
LLAMA_SERVER = __import__("os").environ.get("LABELER_TEST_LLAMA_SERVER")  # read before the guard clears LABELER_*


@pytest.mark.local_llm
@pytest.mark.skipif(not LLAMA_SERVER, reason="set LABELER_TEST_LLAMA_SERVER=http://127.0.0.1:PORT (llama-server)")
def test_precheck_against_llama_cpp(fake_github, actions_env, tmp_path, monkeypatch):
    """Real tokenizer, real chat template, real /v1/models discovery; asserts shape, never content."""
    monkeypatch.setenv("LABELER_PRECHECK_BASE_URL", LLAMA_SERVER)
    monkeypatch.setenv("LABELER_MODEL_TIMEOUT", "120")
    head = seed_pr(fake_github, leaves=(FREEFORM,))
    enable(fake_github, head)
    assert run_precheck(tmp_path, bot="  precheck: {concurrency: 1, max-tokens: 64}\n") == 0
    (body,) = ours(fake_github, 7, "precheck")
    assert body.count("\n| ") >= 5 and "mean ROUGE-L" in body
    rows = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert len(rows) == 5 and all(r["answer"] and 0 <= r["score"] <= 1 for r in rows)
    assert fake_github.statuses(head)[0]["state"] == "success"


def test_judge_without_a_judge_endpoint_is_an_error(fake_github, model_env, actions_env, tmp_path):
    head = seed_pr(fake_github)
    enable(fake_github, head)
    assert run_precheck(tmp_path, bot="  precheck: {judge: true}\n") == 1
    assert "no judge model is set" in fake_github.statuses(head)[0]["description"]
    assert model_env.requests == []


def test_judge_failure_keeps_the_answer(fake_github, model_env, actions_env, tmp_path, monkeypatch):
    head = seed_pr(fake_github)
    enable(fake_github, head)
    monkeypatch.setenv("LABELER_JUDGE_BASE_URL", model_env.openai_url)
    monkeypatch.setenv("LABELER_JUDGE_MODEL", "judge-test")
    model_env.responder = lambda route, body: "not json at all" if "response_format" in body else "The total."
    assert run_precheck(tmp_path, "--judge") == 1
    (body,) = ours(fake_github, 7, "precheck")
    assert "no answer could be scored (5 failed)" in body and "The total." in body  # the answers are kept
    assert "The judge failed for 5 of 5 questions" in body
    assert "5 of 5 judge calls failed" in fake_github.statuses(head)[0]["description"]


def test_push_during_the_run_is_reported(fake_github, model_env, actions_env, tmp_path):
    head = seed_pr(fake_github)
    enable(fake_github, head)

    def respond(route, body):  # the contributor pushes while the model is answering
        fake_github.set_head(7, "e" * 40)
        return "An answer."

    model_env.responder = respond
    assert run_precheck(tmp_path) == 0
    (body,) = ours(fake_github, 7, "precheck")
    assert f"moved to `eeeeeee` while this ran; these results are for `{head[:7]}`" in body
    assert fake_github.statuses(head)[0]["context"] == "labeler/precheck"  # statuses stay on the captured SHA
    assert fake_github.statuses("e" * 40) == []
    reads = [r.query.get("ref") for r in fake_github.requests if "/contents/" in r.path]
    assert reads and set(reads) == {head}  # every read pinned to it


def test_model_id_from_v1_models(monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from labeler.errors import UserError
    from labeler.taxonomy_bot.common import Endpoint, discover_model

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            ok = self.path == "/v1/models" and self.server.models is not None
            data = json.dumps({"object": "list", "data": self.server.models} if ok else {"error": "nope"}).encode()
            self.send_response(200 if ok else 404)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    ep = Endpoint("current model", "LABELER_PRECHECK", url, None, None)
    try:
        server.models = [{"id": "granite-served", "object": "model", "created": 0, "owned_by": "me"}]
        assert discover_model(url, None, ep) == "granite-served"
        server.models = []
        with pytest.raises(UserError, match="lists no model: set LABELER_PRECHECK_MODEL"):
            discover_model(url + "/v1", None, ep)
        server.models = None
        with pytest.raises(UserError, match="cannot list the models .*set LABELER_PRECHECK_MODEL"):
            discover_model(url, None, ep)
    finally:
        server.shutdown()


def test_a_key_echoed_by_the_endpoint_never_leaves_the_process(
    fake_github, model_env, actions_env, tmp_path, monkeypatch, capfd
):
    """Comment, summary, JSONL, statuses and the log never hold the key; errors are
    published as status code + error type."""
    key = "sk-live-SECRET0123456789abcdefXYZ"
    monkeypatch.setenv("LABELER_PRECHECK_API_KEY", key)
    head = seed_pr(fake_github)
    enable(fake_github, head)
    model_env.fault(
        401,
        times=50,
        body={
            "error": {
                "message": f"Incorrect API key provided: {key}",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_api_key",
            }
        },
    )
    assert run_precheck(tmp_path, bot="  precheck: {concurrency: 1}\n") == 1
    out = capfd.readouterr()
    (body,) = ours(fake_github, 7, "precheck")
    log = "\n".join(line for line in out.out.splitlines() if not line.startswith("::add-mask::"))
    published = [
        body,
        actions_env.summary(),
        log,
        out.err,
        json.dumps(fake_github.statuses(head)),
        (tmp_path / "answers.jsonl").read_text() if (tmp_path / "answers.jsonl").exists() else "",
    ]
    assert all(key not in text and "Incorrect API key" not in text for text in published)
    assert "HTTP 401 invalid\\_request\\_error" in body
    assert f"::add-mask::{key}" in out.out
