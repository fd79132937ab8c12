"""The model path against the loopback FakeLLM: prompt shape, cache, failures, concurrency."""

from __future__ import annotations

import _thread
import json
import threading
import time

import pytest

from backport_report.helpers import build_repo
from labeler.backport_report import classify
from labeler.backport_report.cache import VerdictCache
from labeler.cli import main
from labeler.git import Commit


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return build_repo(tmp_path_factory.mktemp("model") / "haproxy")


@pytest.fixture(autouse=True)
def quick_model(monkeypatch):
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "0")
    monkeypatch.setenv("LABELER_MODEL_TIMEOUT", "5")


def run(repo, tmp_path, provider="anthropic", *extra):
    return main(
        [
            "backport-report",
            "--repo",
            str(repo.path),
            "--stable",
            "2.8",
            "--provider",
            provider,
            "--model",
            "fake-model",
            "--cache",
            str(tmp_path / "cache.json"),
            "--json",
            str(tmp_path / "report.json"),
            "--html",
            str(tmp_path / "page.html"),
            *extra,
        ]
    )


def verdicts(tmp_path):
    data = json.loads((tmp_path / "report.json").read_text())
    return data, {c["sha"]: c for c in data["commits"]}


def by_id(answers):
    """A responder answering per commit, keyed by the 8-char id in the prompt's `#id:` line."""

    def respond(route, body):
        text = body["messages"][-1]["content"]
        text = text if isinstance(text, str) else text[0]["text"]
        return answers.get(text.split("#id: ", 1)[1].split()[0], "Conclusion: no")

    return respond


def test_anthropic_prompt_shape_and_verdicts(repo, tmp_path, fake_llm):
    fake_llm.responder = by_id(
        {repo.sha["fix"][:8]: "It asks for 2.6.\nConclusion: yes", repo.sha["wait"][:8]: "Conclusion: wait"}
    )
    assert run(repo, tmp_path, "anthropic", "--observation-days", "100000") == 0
    data, commits = verdicts(tmp_path)
    assert len(fake_llm.requests) == 9 and data["model_calls"] == 9 and data["cached"] == 0
    assert commits[repo.sha["fix"]]["verdict"] == "yes" and commits[repo.sha["fix"]]["reason"] == "It asks for 2.6."
    assert commits[repo.sha["wait"]]["verdict"] == "wait" and commits[repo.sha["side"]]["verdict"] == "no"
    # the request about the fix itself (another commit's prompt may name it among its repository facts;
    # requests arrive in any order at concurrency 8)
    request = next(
        r.json
        for r in fake_llm.requests
        if r.json["messages"][0]["content"].split("\n", 1)[1].startswith(f"#id: {repo.sha['fix'][:8]} ")
    )
    system = request["system"][0]
    assert system["cache_control"] == {"type": "ephemeral"}
    assert "stable branches: 2.8" in system["text"] and "version 2.9" in system["text"]
    assert "<!--" not in system["text"] and "${" not in system["text"] and "version:" not in system["text"]
    assert data["prompt_version"] == "prefix 2, suffix 2"
    prompt = request["messages"][0]["content"]
    assert prompt.startswith("<commit-") and prompt.split("\n", 1)[1].startswith(
        f"#id: {repo.sha['fix'][:8]} willy@haproxy 03-Jun23 BUG/MINOR: foo: fix crash"
    )
    assert "    This must be backported as far as 2.6." in prompt
    assert "Signed-off-by" not in prompt and "willy@haproxy.example" not in prompt
    assert prompt.rstrip().endswith("Explanation:")
    assert request["model"] == "fake-model"


def test_rerun_with_nothing_new_makes_no_call(repo, tmp_path, fake_llm):
    fake_llm.default = "Conclusion: no"
    assert run(repo, tmp_path) == 0
    first = len(fake_llm.requests)
    assert run(repo, tmp_path) == 0
    data, _ = verdicts(tmp_path)
    assert len(fake_llm.requests) == first == 9 and data["model_calls"] == 0 and data["cached"] == 9


def test_new_model_or_prompt_means_new_calls(repo, tmp_path, fake_llm):
    fake_llm.default = "Conclusion: no"
    assert run(repo, tmp_path) == 0
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "backport_report_prefix.md").write_text("<!-- v2 -->\nYou review commits for ${stable_versions}.\n")
    (prompts / "backport_report_suffix.md").write_text("Answer with Conclusion: yes or no.\n")
    assert run(repo, tmp_path, "anthropic", "--prompts", str(prompts)) == 0
    assert len(fake_llm.requests) == 18
    assert fake_llm.requests[-1].json["system"][0]["text"] == "You review commits for 2.8.\n"
    assert (
        main(
            [
                "backport-report",
                "--repo",
                str(repo.path),
                "--stable",
                "2.8",
                "--provider",
                "anthropic",
                "--model",
                "other-model",
                "--cache",
                str(tmp_path / "cache.json"),
                "--json",
                str(tmp_path / "r2.json"),
            ]
        )
        == 0
    )
    assert len(fake_llm.requests) == 27


def test_openai_route(repo, tmp_path, fake_llm):
    fake_llm.default = "Explanation: nothing asks.\nConclusion: no"
    assert run(repo, tmp_path, "openai") == 0
    assert {r.route for r in fake_llm.requests} == {"openai"}
    messages = fake_llm.requests[0].json["messages"]
    assert messages[0]["role"] == "system" and "expert reviewer" in messages[0]["content"]
    _, commits = verdicts(tmp_path)
    assert {c["verdict"] for c in commits.values()} == {"no"}


@pytest.mark.parametrize(
    "answer", ["", "I have no idea", "Conclusion: yes\nConclusion: no", "Conclusion: maybe", {"unexpected": "json"}]
)
def test_garbage_answers_are_uncertain(repo, tmp_path, fake_llm, answer):
    fake_llm.default = answer
    assert run(repo, tmp_path) == 0
    _, commits = verdicts(tmp_path)
    assert {c["verdict"] for c in commits.values()} == {"uncertain"}
    assert all(c["reason"] for c in commits.values())


def test_server_errors_become_uncertain_and_are_retried_next_run(repo, tmp_path, fake_llm, capsys):
    fake_llm.default = "Conclusion: yes"
    fake_llm.fault(500, times=3)
    assert run(repo, tmp_path, "anthropic", "--concurrency", "1") == 0
    data, commits = verdicts(tmp_path)
    failed = [c for c in commits.values() if c["verdict"] == "uncertain"]
    assert len(failed) == 3 and data["failed"] == 3
    assert all(c["reason"].startswith("model call failed:") and "500" in c["reason"] for c in failed)
    assert run(repo, tmp_path) == 0
    data, commits = verdicts(tmp_path)
    assert data["model_calls"] == 3 and {c["verdict"] for c in commits.values()} == {"yes"}


def test_timeout_becomes_uncertain(repo, tmp_path, fake_llm, monkeypatch):
    monkeypatch.setenv("LABELER_MODEL_TIMEOUT", "0.3")
    fake_llm.default = "Conclusion: no"
    fake_llm.hang(1.0, times=1)
    assert run(repo, tmp_path, "openai", "--concurrency", "1") == 0
    _, commits = verdicts(tmp_path)
    timed_out = [c for c in commits.values() if c["verdict"] == "uncertain"]
    assert len(timed_out) == 1 and "Timeout" in timed_out[0]["reason"]


def test_concurrency_is_bounded(repo, tmp_path, fake_llm):
    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def respond(route, body):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        return "Conclusion: no"

    fake_llm.responder = respond
    assert run(repo, tmp_path, "anthropic", "--concurrency", "3") == 0
    assert state["max"] == 3


def test_dry_run_counts_the_calls_a_run_needs(repo, tmp_path, fake_llm, capsys):
    fake_llm.default = "Conclusion: no"
    assert run(repo, tmp_path, "anthropic", "--shard", "1/1") == 0
    capsys.readouterr()
    assert run(repo, tmp_path, "anthropic", "--dry-run", "--since", "v2.9-dev1") == 0
    assert "6 cached, 0 model calls needed" in capsys.readouterr().out
    assert len(fake_llm.requests) == 9


# ---------------------------------------------------------------------------- interrupted runs
class Interrupting:
    """A stand-in Model that presses Ctrl-C (in the main thread, like a user) during its 4th call."""

    provider, name = "fake", "m"

    def __init__(self, interrupt_at=4):
        self.calls = 0
        self.interrupt_at = interrupt_at
        self.lock = threading.Lock()

    def complete(self, **kwargs):
        with self.lock:
            self.calls += 1
            n = self.calls
        if n == self.interrupt_at:
            _thread.interrupt_main()
        time.sleep(0.05)  # time for the main thread to record the answers before the interrupt
        return "Conclusion: yes"


def commits(n):
    return [Commit(f"{i:040x}", (), "A", "a@x", "2023-01-01T00:00:00+00:00", f"MINOR: c{i}") for i in range(n)]


@pytest.mark.parametrize("concurrency, interrupt_at", [(1, 4), (4, 9)])
def test_interrupted_run_leaves_a_valid_cache_and_resumes(tmp_path, concurrency, interrupt_at):
    path = str(tmp_path / "cache.json")
    prompts = classify.Prompts("prefix", "suffix", "h")
    model = Interrupting(interrupt_at)
    with pytest.raises(KeyboardInterrupt):
        classify.classify(commits(10), model, prompts, VerdictCache.load(path), concurrency=concurrency, flush_every=2)
    saved = len(VerdictCache.load(path).entries)  # loads: the file is valid JSON of our format
    assert 1 <= saved < 10
    resumed = Interrupting(interrupt_at=0)  # a fresh model: a call still running from the first run can't count
    stats = classify.classify(commits(10), resumed, prompts, VerdictCache.load(path), concurrency=concurrency)
    assert stats.cached == saved and stats.calls == resumed.calls == 10 - saved
    assert len(VerdictCache.load(path).entries) == 10


class Raising:
    provider, name = "fake", "m"

    def complete(self, **kwargs):
        raise RuntimeError("connection reset by peer")


def test_any_exception_of_a_call_is_uncertain_and_not_cached(tmp_path):
    cache = VerdictCache.load(str(tmp_path / "c.json"))
    stats = classify.classify(commits(3), Raising(), classify.Prompts("p", "s", "h"), cache)
    assert stats.failed == 3 and not cache.entries
    assert {r["verdict"] for r in stats.results.values()} == {"uncertain"}
    assert all("RuntimeError: connection reset by peer" in r["reason"] for r in stats.results.values())


def test_unsure_scope_asks_only_below_the_threshold_with_repo_facts(repo, tmp_path, fake_llm):
    fake_llm.responder = by_id({})
    assert run(repo, tmp_path, "anthropic", "--model-scope", "unsure", "--confident", "0.9") == 0
    data, commits = verdicts(tmp_path)
    asked = [c for c in commits.values() if c["kind"].startswith("model:")]
    assert data["asked_model"] == len(asked) == len(fake_llm.requests) and 0 < len(asked) < len(commits)
    assert all(c["confidence"] >= 0.9 for c in commits.values() if not c["kind"].startswith("model:"))
    wait = next(
        json.dumps(r.json)
        for r in fake_llm.requests  # its own prompt, not one naming it in its facts
        if r.json["messages"][0]["content"].split("\n", 1)[1].startswith(f"#id: {repo.sha['wait'][:8]} ")
    )
    assert "Repository facts" in wait and "files absent from 2.8 (every file it touches): src/mux.c" in wait


def test_the_cache_key_changes_with_the_facts_shown():
    from labeler.backport_report.classify import Prompts, answer_key

    c = commits(1)[0]
    model = type("M", (), {"provider": "anthropic", "name": "m"})()
    prompts = Prompts("p", "s", "digest")
    assert answer_key(c, model, prompts, "") != answer_key(c, model, prompts, "- fixes abc")
    assert answer_key(c, model, prompts, "- fixes abc") == answer_key(c, model, prompts, "- fixes abc")


@pytest.mark.parametrize("provider, sdk", [("anthropic", "anthropic"), ("openai", "openai")])
def test_a_rerun_with_every_verdict_cached_never_imports_the_sdk(repo, tmp_path, fake_llm, provider, sdk):
    import os
    import subprocess
    import sys

    fake_llm.default = "Explanation: nothing asks for it.\nConclusion: no"
    assert run(repo, tmp_path, provider) == 0
    calls = len(fake_llm.requests)
    args = ["backport-report", "--repo", str(repo.path), "--stable", "2.8", "--provider", provider]
    args += ["--model", "fake-model", "--cache", str(tmp_path / "cache.json"), "--json", str(tmp_path / "r2.json")]
    script = (
        "import sys; from labeler.cli import main; code = main(sys.argv[1:]); "
        f"print('SDK', {sdk!r} in sys.modules); sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert "SDK False" in done.stdout and len(fake_llm.requests) == calls
    # a new commit's prompt needs the model: then the SDK is imported (the stand-in is not silent)
    (tmp_path / "cache.json").unlink()
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=dict(os.environ))
    assert done.returncode == 0 and "SDK True" in done.stdout and len(fake_llm.requests) > calls
