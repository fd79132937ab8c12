"""The drop-in workflows run from a consumer repository (tests/consumer/conftest.py) under act, against the
GitHub stand-in: what GitHub received is what a new user of acme-tools/labeler@v1 would see."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from labeler.examples import read_jsonl
from labeler.label_issue.labeling import MARKER

pytestmark = pytest.mark.act
PROVENANCE = "automated-triage"
HISTORY = Path(__file__).resolve().parents[2] / "examples" / "history.jsonl"
REPO = {"full_name": "acme/widgets", "name": "widgets", "owner": {"login": "acme"}, "default_branch": "main"}


def issue_event(
    tmp_path,
    name,
    number=7,
    title="Bug: app crashes on start",
    body="Traceback (most recent call last)",
    labels=(),
    **extra,
):
    issue = {
        "number": number,
        "title": title,
        "body": body,
        "user": {"login": "alice", "type": "User"},
        "labels": [{"name": n} for n in labels],
        "state": "open",
        "comments": 0,
        "author_association": "NONE",
        "html_url": f"https://github.com/acme/widgets/issues/{number}",
    }
    event = {
        "action": "opened",
        "issue": issue,
        "repository": REPO,
        "sender": {"login": "alice", "type": "User"},
        **extra,
    }
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(event))
    return path


def dispatch_event(tmp_path, **inputs):
    path = tmp_path / "dispatch.json"
    path.write_text(json.dumps({"inputs": inputs, "repository": REPO, "ref": "refs/heads/main"}))
    return path


def labeled_history(fake_github, start=100):
    """The repository's labeled history (closed issues), which the default provider learns from."""
    for n, e in enumerate(read_jsonl(str(HISTORY)), start=start):
        fake_github.add_issue(n, e.title, e.body, labels=list(e.labels), state="closed")


def env(fake_github, models=None):
    """The drop-ins opt in to GitHub Models: it is the stand-in when given, else a closed loopback port (unreachable:
    the run goes on offline), never the real service."""
    return {
        "GITHUB_API_URL": fake_github.url,
        "GITHUB_REPOSITORY": "acme/widgets",
        "LABELER_GITHUB_PACE": "0",
        "LABELER_MODELS_URL": models.models_url if models is not None else "http://127.0.0.1:9/inference",
        "LABELER_MODEL_RETRIES": "0",
    }


def test_consumer_repository_holds_only_what_the_docs_say(consumer):
    repo = consumer("issue-labeler.yml")
    files = sorted(
        p.relative_to(repo).as_posix()
        for p in repo.rglob("*")
        if p.is_file() and ".git/" not in p.as_posix() + "/" and not p.relative_to(repo).as_posix().startswith(".git/")
    )
    assert files == [".github/labels.yml", ".github/workflows/issue-labeler.yml", "README.md"]
    text = (repo / ".github/workflows/issue-labeler.yml").read_text()
    assert "uses: ./" not in text and "acme-tools/labeler/actions/label-issue@v1" in text


def test_issue_labeler_offline_then_missing_info_after_labeling(consumer, run_consumer, fake_github, tmp_path):
    repo = consumer("issue-labeler.yml")
    labeled_history(fake_github)
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback (most recent call last)")
    result = run_consumer(repo, "issues", issue_event(tmp_path, "opened"), "issue-labeler.yml", env=env(fake_github))
    assert result.ok, result.log()
    assert result.job_results == {"label": "success", "missing-info": "success"}
    assert fake_github.issue_labels(7) == ["bug", PROVENANCE]
    # missing-info read the issue after labeling, and with no history of its label and no issue template
    # in this repository it asks nothing in public: the job summary says why
    [ours] = fake_github.comments(7)
    assert ours.startswith(MARKER)
    assert any("held back, no comment" in s and "This repository has no issue template." in s for s in result.summaries)


def test_the_issue_labeler_asks_for_github_models_next_to_its_permission(consumer):
    import yaml

    repo = consumer("issue-labeler.yml")
    flow = yaml.safe_load((repo / ".github/workflows/issue-labeler.yml").read_text())
    job = flow["jobs"]["label"]
    assert job["permissions"]["models"] == "read"
    [step] = [s for s in job["steps"] if "label-issue" in s.get("uses", "")]
    assert step["with"]["github-models"] is True
    assert "secrets.GITHUB_TOKEN" not in str(step["with"])  # the action's default github-token is the job's token
    assert flow["permissions"] == {}


def test_issue_labeler_keyless_through_github_models(consumer, run_consumer, fake_github, fake_models, tmp_path):
    repo = consumer("issue-labeler.yml")
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback (most recent call last)")
    fake_models.enqueue({"labels": [{"name": "question", "confidence": 0.9}], "rationale": "asks", "version": "1"})
    result = run_consumer(
        repo,
        "issues",
        issue_event(tmp_path, "opened"),
        "issue-labeler.yml",
        env=env(fake_github, fake_models),
        variables={"LABELER_MISSING_INFO": "false"},
    )
    assert result.ok, result.log()
    [request] = fake_models.requests
    assert request.headers["authorization"] == "Bearer ghs_fake_token_0123456789abcdef"
    assert fake_github.issue_labels(7) == ["question", PROVENANCE]
    [audit] = fake_github.comments(7)
    assert "provider `github-models`" in audit and "model `openai/gpt-4.1-mini`" in audit


def test_issue_labeler_refused_by_github_models_labels_offline(
    consumer, run_consumer, fake_github, fake_models, tmp_path
):
    repo = consumer("issue-labeler.yml")
    labeled_history(fake_github)
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback (most recent call last)")
    fake_models.fault(403, times=9)
    result = run_consumer(
        repo,
        "issues",
        issue_event(tmp_path, "opened"),
        "issue-labeler.yml",
        env=env(fake_github, fake_models),
        variables={"LABELER_MISSING_INFO": "false"},
    )
    assert result.ok, result.log()
    assert result.job_results == {"label": "success"}
    assert len(fake_models.requests) == 1
    assert result.transcript().count("GitHub Models refused the workflow token (HTTP 403)") == 1
    assert fake_github.issue_labels(7) == ["bug", PROVENANCE]  # the model learned from the repository's history
    assert "provider `learned`" in fake_github.comments(7)[0]


def test_slash_label_off_then_auto(consumer, run_consumer, fake_github, tmp_path):
    repo = consumer("issue-labeler.yml")
    labeled_history(fake_github)
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback (most recent call last)")
    variables = {"LABELER_MISSING_INFO": "false"}
    result = run_consumer(
        repo, "issues", issue_event(tmp_path, "opened"), "issue-labeler.yml", env=env(fake_github), variables=variables
    )
    assert result.ok, result.log()
    assert fake_github.issue_labels(7) == ["bug", PROVENANCE]

    def comment(body, cid):
        fake_github.add_comment(7, body)
        c = {"id": cid, "body": body, "user": {"login": "alice", "type": "User"}, "author_association": "NONE"}
        return issue_event(tmp_path, f"comment{cid}", labels=fake_github.issue_labels(7), action="created", comment=c)

    result = run_consumer(
        repo, "issue_comment", comment("/label off", 5), "issue-labeler.yml", env=env(fake_github), variables=variables
    )
    assert result.ok, result.log()
    assert "off" in next(c for c in fake_github.comments(7) if c.startswith(MARKER)).lower()
    before = len(fake_github.writes())
    result = run_consumer(
        repo, "issue_comment", comment("/label auto", 6), "issue-labeler.yml", env=env(fake_github), variables=variables
    )
    assert result.ok, result.log()
    assert fake_github.issue_labels(7) == ["bug", PROVENANCE]
    label_posts = [r.body for r in fake_github.writes()[before:] if r.method == "POST" and r.path.endswith("/labels")]
    assert not any(PROVENANCE in json.dumps(b) for b in label_posts), "provenance label re-posted"
    [audit] = [c for c in fake_github.comments(7) if c.startswith(MARKER)]
    assert f"applied `{PROVENANCE}`" not in audit


def test_sync_labels_dispatch_creates_the_labels_and_push_is_a_dry_run(consumer, run_consumer, fake_github, tmp_path):
    repo = consumer("sync-labels.yml")
    push = tmp_path / "push.json"
    push.write_text(json.dumps({"ref": "refs/heads/main", "repository": REPO, "commits": []}))
    result = run_consumer(repo, "push", push, "sync-labels.yml", env=env(fake_github))
    assert result.ok, result.log()
    assert fake_github.writes() == []
    assert any("Would make" in s for s in result.summaries)
    result = run_consumer(
        repo,
        "workflow_dispatch",
        dispatch_event(tmp_path, **{"dry-run": "false", "prune": "false"}),
        "sync-labels.yml",
        env=env(fake_github),
    )
    assert result.ok, result.log()
    assert {"bug", PROVENANCE} <= set(fake_github.repo_labels())
    assert all(r.method in ("POST", "PATCH") for r in fake_github.writes())


def test_triage_monitor(consumer, run_consumer, fake_github, tmp_path):
    repo = consumer("triage-monitor.yml")
    now = dt.datetime.now(dt.UTC)
    for n in range(1, 41):
        created = (now - dt.timedelta(days=n * 7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        labels = ["bug" if n % 2 else "enhancement"] + ([PROVENANCE] if n < 6 else [])
        fake_github.add_issue(n, f"Issue {n}", "", labels=labels, created_at=created, updated_at=created)
    result = run_consumer(
        repo,
        "workflow_dispatch",
        dispatch_event(tmp_path),
        "triage-monitor.yml",
        env=env(fake_github),
        variables={"LABELER_MONITOR_ISSUE_LABEL": "triage-monitor"},
    )
    assert result.job_results == {"monitor": "success"}, result.log()
    assert any("### Triage monitor" in s for s in result.summaries)
    assert fake_github.issues[41].labels == ["triage-monitor"]


def test_missing_info_standalone(consumer, run_consumer, fake_github, tmp_path):
    repo = consumer("missing-info.yml")
    fake_github.add_issue(9, "It broke", "it does not work", labels=[])
    result = run_consumer(
        repo,
        "issues",
        issue_event(tmp_path, "mi", number=9, title="It broke", body="it does not work"),
        "missing-info.yml",
        env=env(fake_github),
    )
    assert result.ok, result.log()
    # the default has measured nothing on this repository yet and it has no issue template: quiet, with the why
    assert fake_github.issue_labels(9) == [] and fake_github.comments(9) == []
    assert any("Too little history: 0 issue(s)" in s for s in result.summaries)


def test_issue_labeler_with_a_model_and_a_dispatch_dry_run(consumer, run_consumer, fake_github, fake_llm, tmp_path):
    repo = consumer("issue-labeler.yml")
    fake_github.add_issue(7, "Bug: app crashes on start", "Traceback (most recent call last)")
    fake_llm.enqueue({"labels": [{"name": "bug", "confidence": 0.95}], "rationale": "crash", "version": "1"})
    model_env = env(fake_github) | {"ANTHROPIC_BASE_URL": fake_llm.anthropic_url, "LABELER_MODEL_RETRIES": "1"}
    secrets = {"ANTHROPIC_API_KEY": "sk-ant-fake-0123456789abcdef"}
    result = run_consumer(
        repo,
        "issues",
        issue_event(tmp_path, "opened"),
        "issue-labeler.yml",
        env=model_env,
        secrets=secrets,
        variables={"LABELER_MISSING_INFO": "false"},
    )
    assert result.ok, result.log()
    assert fake_github.issue_labels(7) == ["bug", PROVENANCE]
    assert len(fake_llm.requests) == 1

    fake_github.add_issue(8, "Add dark mode", "Please add a dark theme.")
    fake_llm.enqueue({"labels": [{"name": "enhancement", "confidence": 0.9}], "rationale": "r", "version": "1"})
    before = len(fake_github.writes())
    result = run_consumer(
        repo,
        "workflow_dispatch",
        dispatch_event(tmp_path, **{"issue-number": "8", "dry-run": "true"}),
        "issue-labeler.yml",
        env=model_env,
        secrets=secrets,
    )
    assert result.ok and result.job_results == {"label": "success"}, result.log()
    assert fake_github.issue_labels(8) == []
    assert not [r for r in fake_github.writes()[before:] if r.path.endswith("/labels")]


TAXONOMY_SETTINGS = """
bot:
  teams: [acme/triagers]
"""


def test_taxonomy_welcome_enable_precheck_reads_the_config_from_the_checkout(
    consumer, run_consumer, fake_github, fake_llm, labeler_export, tmp_path
):
    from taxonomy_bot.helpers import ORG_TOKEN, comment_event, ours, pr_event, seed_pr

    labels = (labeler_export / "labels.yml").read_text(encoding="utf-8") + TAXONOMY_SETTINGS
    repo = consumer("taxonomy-bot.yml", labels=labels)
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")
    fake_llm.default = "The total is 3.20."
    run_env = env(fake_github) | {"LABELER_MODEL_RETRIES": "0"}
    # no LABELER_TEAMS variable: the teams come from .github/labels.yml, read from the base-branch checkout
    variables = {"LABELER_PRECHECK_BASE_URL": fake_llm.openai_url, "LABELER_PRECHECK_MODEL": "granite-act"}
    opened = tmp_path / "opened.json"
    opened.write_text(json.dumps(pr_event("opened")))
    result = run_consumer(repo, "pull_request_target", opened, "taxonomy-bot.yml", env=run_env, variables=variables)
    assert result.ok and result.job_results == {"route": "success"}, result.log()
    assert "Waiting for a triager" in ours(fake_github, 7, "welcome")[0]

    def command(body, comment_id):
        event = tmp_path / f"event-{comment_id}.json"
        event.write_text(json.dumps(comment_event(body, comment_id=comment_id)))
        return run_consumer(
            repo,
            "issue_comment",
            event,
            "taxonomy-bot.yml",
            env=run_env,
            variables=variables,
            secrets={"LABELER_ORG_TOKEN": ORG_TOKEN},
        )

    result = command(f"@instructlab-bot enable {head[:7]}", 1)  # enable names the commit the triager reviewed
    assert result.ok, result.log()
    assert fake_github.statuses(head)[0]["context"] == "labeler/enabled"
    result = command("@instructlab-bot precheck", 2)
    assert result.ok and result.job_results == {"route": "success", "check": "success"}, result.log()
    (body,) = ours(fake_github, 7, "precheck")
    assert "`granite-act`" in body


def test_backport_nightly_on_a_small_real_git_repository(consumer, run_consumer, fake_github, tmp_path):
    import os
    import subprocess

    from backport_report.helpers import build_repo

    repo = consumer("backport-nightly.yml")
    history = build_repo(tmp_path / "history")
    git_env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
            check=True,
            env=git_env,
        )

    git("fetch", "-q", str(history.path), "master:dev", "2.8:2.8", "--tags")
    git("merge", "-q", "--allow-unrelated-histories", "-m", "Merge the dev history", "dev")
    # A pull request labelled for backporting, merged the GitHub way: its commit has no instruction.
    git("checkout", "-q", "-b", "crash")
    (repo / "src" / "qux.c").write_text("/* qux: no crash */\n")
    git("commit", "-q", "-am", "qux: do not crash on a short read")
    git("checkout", "-q", "-")
    git("merge", "-q", "--no-ff", "-m", "Merge pull request #42 from someone/crash", "crash")
    fake_github.add_pr(42, labels=["needs-stable-backport"], merged=True)
    result = run_consumer(
        repo,
        "workflow_dispatch",
        dispatch_event(tmp_path, since=""),
        "backport-nightly.yml",
        env=env(fake_github),
        variables={"BACKPORT_STABLE": "2.8", "BACKPORT_SINCE": "v2.9-dev0"},
    )
    assert result.job_results == {"report": "success"}, result.log()
    assert result.outputs.get("html") == "backport-report/index.html"
    assert any("### Backport review: v2.9-dev0..HEAD" in s for s in result.summaries)
    listed = [r for r in fake_github.requests if r.path.endswith("/issues")]
    assert listed, result.log()
    assert {r.query["labels"] for r in listed} >= {"needs-stable-backport", "backport 2.8"}
    summary = next(s for s in result.summaries if "### Backport review" in s)
    todo = summary.split("To backport", 1)[1]
    assert "qux: do not crash on a short read" in todo  # no instruction: only the label makes it a yes
    assert "Commits brought by a pull request: 1, 1 of them by one with a backport label." in summary


def test_model_retrain(consumer, run_consumer, fake_github, tmp_path):
    from labeler.model import synthetic

    repo = consumer("model-retrain.yml")
    for n, e in enumerate(synthetic.corpus(30, noise=0.2, seed=5), 1):
        fake_github.add_issue(
            n,
            e.title,
            e.body,
            labels=list(e.labels),
            state="closed",
            created_at=f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
        )
    result = run_consumer(
        repo, "workflow_dispatch", dispatch_event(tmp_path), "model-retrain.yml", env=env(fake_github)
    )
    assert result.job_results == {"retrain": "success"}, result.log()
    assert float(result.outputs["macro-f1"]) > 0.5
    assert "model train (" in result.log() and " done in " in result.log()  # the progress/timing line
    assert fake_github.writes() == []


def test_publish_benchmarks_dispatch(consumer, run_consumer, fake_github, tmp_path):
    from pathlib import Path

    results = (Path(__file__).resolve().parents[1] / "publish_benchmarks/benchmarks_results/cmb_build.yaml").read_text()
    repo = consumer("publish-benchmarks.yml", files={"results/cmb_build.yaml": results})
    fake_github.add_pr(4, files={"compositional_skills/linguistics/synonyms/qna.yaml": "x"}, merged=True)
    fake_github.add_pr(5, files={"knowledge/history/public_transportation/boston/qna.yaml": "x"}, merged=True)
    inputs = {
        "results": "results/cmb_build.yaml",
        "prs": "4,5",
        "dry-run": "false",
        "from-results": "false",
        "artifact-run-id": "",
        "artifact-name": "benchmark-results",
        "build-id": "",
        "label": "",
        "milestone": "",
    }
    result = run_consumer(
        repo,
        "workflow_dispatch",
        dispatch_event(tmp_path),
        "publish-benchmarks.yml",
        env=env(fake_github),
        inputs=inputs,
    )
    assert result.ok, result.log()
    assert result.outputs["created"] == "2"
    assert len(fake_github.comments(4)) == 1 and len(fake_github.comments(5)) == 1


def history_sqlite(path):
    from labeler.history import store

    conn = store.connect(str(path))
    rows = [(n, f"App crashes {n}", "Traceback (most recent call last)", ("bug",)) for n in range(1, 5)]
    rows += [(n, f"Add dark mode {n}", "Please add a feature request", ("enhancement",)) for n in range(5, 8)]
    store.upsert(
        conn,
        [
            store.StoredIssue(
                number=n,
                title=t,
                body=b,
                labels=labels,
                state="closed",
                state_reason=None,
                author="a",
                author_association="NONE",
                created_at=f"2024-01-0{n}",
                updated_at=None,
                closed_at=None,
                html_url="",
            )
            for n, t, b, labels in rows
        ],
    )
    conn.commit()
    conn.close()
    return path


REPLAY_INPUTS = {"provider": "keywords", "limit": "200", "target-precision": "0.9", "max-model-calls": "200"}


def test_label_issue_replay_without_a_history_cache_is_one_clear_error(consumer, run_consumer, fake_github, tmp_path):
    repo = consumer("label-issue-replay.yml")
    result = run_consumer(
        repo,
        "workflow_dispatch",
        dispatch_event(tmp_path),
        "label-issue-replay.yml",
        env=env(fake_github),
        inputs=REPLAY_INPUTS,
    )
    assert result.job_results == {"replay": "failure"}, result.log()
    assert "replay file not found" in result.transcript()
    assert ".labeler/history.sqlite" in result.transcript()
    assert fake_github.writes() == []


def test_label_issue_replay_from_the_restored_history(consumer, run_consumer, fake_github, tmp_path):
    repo = consumer("label-issue-replay.yml")
    db = history_sqlite(tmp_path / "history.sqlite")
    result = run_consumer(
        repo,
        "workflow_dispatch",
        dispatch_event(tmp_path),
        "label-issue-replay.yml",
        env=env(fake_github),
        inputs=REPLAY_INPUTS,
        cache={".labeler/history.sqlite": db},
    )
    assert result.ok, result.log()
    assert "restored" in result.log()
    summary = "\n".join(result.summaries)
    assert "bug" in summary and "min-confidence" in summary, summary
    assert fake_github.writes() == []  # a replay writes nothing to issues


def backlog_issues(fake_github):
    # the label's name in the title, backed by the body: the keyword evidence that clears the default threshold
    fake_github.add_issue(
        1,
        "Bug: app crashes on start",
        "The app crashes. Traceback (most recent call last)",
        created_at="2024-01-01T00:00:01Z",
    )
    fake_github.add_issue(
        2,
        "Bug: crash when saving",
        "Saving crashes the app. Traceback (most recent call last)",
        created_at="2024-01-01T00:00:02Z",
    )
    fake_github.add_issue(3, "Already triaged", "", labels=["question"], created_at="2024-01-01T00:00:03Z")


def test_label_issue_backlog_dry_run_by_default_then_applied(consumer, run_consumer, fake_github, tmp_path):
    repo = consumer("label-issue-backlog.yml")
    backlog_issues(fake_github)
    labeled_history(fake_github)
    schedule = tmp_path / "schedule.json"
    schedule.write_text(json.dumps({"schedule": "17 4 * * *", "repository": REPO}))
    result = run_consumer(repo, "schedule", schedule, "label-issue-backlog.yml", env=env(fake_github))
    assert result.ok, result.log()
    assert fake_github.writes() == []
    summary = "\n".join(result.summaries)
    assert "dry run: nothing applied" in summary and "would apply" in summary and "#1" in summary, summary
    result = run_consumer(
        repo,
        "workflow_dispatch",
        dispatch_event(tmp_path, **{"dry-run": "true", "max-issues": "50"}),
        "label-issue-backlog.yml",
        env=env(fake_github),
    )
    assert result.ok, result.log()
    assert fake_github.writes() == []
    assert any("would apply" in s for s in result.summaries)

    result = run_consumer(
        repo,
        "workflow_dispatch",
        dispatch_event(tmp_path, **{"dry-run": "false", "max-issues": "50"}),
        "label-issue-backlog.yml",
        env=env(fake_github),
    )
    assert result.ok, result.log()
    for n in (1, 2):
        assert "bug" in fake_github.issue_labels(n), n
        [comment] = fake_github.comments(n)
        assert comment.startswith(MARKER)
    assert fake_github.issue_labels(3) == ["question"] and fake_github.comments(3) == []
    assert any("applied" in s for s in result.summaries)


TAXONOMY_GENERATE_SETTINGS = TAXONOMY_SETTINGS + "  generate: {samples: 2, pairs-per-round: 3, show: 1}\n"
TEACHER_ANSWER = (
    "[CONTEXT] Tea 1 x 2.00 = 2.00\nTOTAL 2.00 [QUESTION] What did the tea cost in total? [ANSWER] 2.00 [END]"
    "[CONTEXT] Pie 2 x 1.00 = 2.00 [QUESTION] How many pies were bought here? [ANSWER] Two. [END]"
)


def test_taxonomy_enable_then_postcheck_and_generate(
    consumer, run_consumer, fake_github, fake_llm, labeler_export, tmp_path
):
    from taxonomy_bot.helpers import ORG_TOKEN, comment_event, ours, seed_pr

    labels = (labeler_export / "labels.yml").read_text(encoding="utf-8") + TAXONOMY_GENERATE_SETTINGS
    repo = consumer("taxonomy-bot.yml", labels=labels)
    head = seed_pr(fake_github)
    fake_github.add_team_member("acme", "triagers", "triager")

    def respond(route, body):  # the candidate learned the data, the current model did not; the teacher writes pairs
        return {"teacher-act": TEACHER_ANSWER, "candidate-act": "The total is 3.20."}.get(body["model"], "No idea.")

    fake_llm.responder = respond
    run_env = env(fake_github) | {"LABELER_MODEL_RETRIES": "0"}
    variables = {
        "LABELER_PRECHECK_BASE_URL": fake_llm.openai_url,
        "LABELER_PRECHECK_MODEL": "current-act",
        "LABELER_POSTCHECK_BASE_URL": fake_llm.openai_url,
        "LABELER_POSTCHECK_MODEL": "candidate-act",
        "LABELER_TEACHER_BASE_URL": fake_llm.openai_url,
        "LABELER_TEACHER_MODEL": "teacher-act",
    }

    def command(body, comment_id):
        event = tmp_path / f"event-{comment_id}.json"
        event.write_text(json.dumps(comment_event(body, comment_id=comment_id)))
        return run_consumer(
            repo,
            "issue_comment",
            event,
            "taxonomy-bot.yml",
            env=run_env,
            variables=variables,
            secrets={"LABELER_ORG_TOKEN": ORG_TOKEN},
        )

    result = command(f"@instructlab-bot enable {head[:7]}", 1)
    assert result.ok, result.log()
    assert fake_github.statuses(head)[0]["context"] == "labeler/enabled"

    result = command("@instructlab-bot postcheck", 2)
    assert result.ok and result.job_results == {"route": "success", "check": "success"}, result.log()
    (body,) = ours(fake_github, 7, "postcheck")
    assert "### postcheck: `candidate-act` vs `current-act`" in body and "| No idea. | The total is 3.20. |" in body
    assert (fake_github.statuses(head)[0]["context"], fake_github.statuses(head)[0]["state"]) == (
        "labeler/postcheck",
        "success",
    )

    result = command("@instructlab-bot generate", 3)
    assert result.ok and result.job_results == {"route": "success", "generate": "success"}, result.log()
    (body,) = ours(fake_github, 7, "generate")
    assert "What did the tea cost in total?" in body and "How many pies" not in body  # show: 1 from labels.yml
    latest = fake_github.statuses(head)[0]
    assert (latest["context"], latest["state"]) == ("labeler/generate", "success")
    assert {r.json["model"] for r in fake_llm.requests} == {"current-act", "candidate-act", "teacher-act"}


def test_publish_benchmarks_repository_dispatch(consumer, run_consumer, fake_github, tmp_path):
    from publish_benchmarks.test_publish_benchmarks import build_results, ours, seed_prs

    repo = consumer("publish-benchmarks.yml")
    seed_prs(fake_github, 3)
    event = tmp_path / "repository_dispatch.json"
    event.write_text(
        json.dumps(
            {
                "action": "publish-benchmarks",
                "repository": REPO,
                "client_payload": {"results": build_results(3), "label": "cmb-2024-08-26"},
            }
        )
    )
    result = run_consumer(repo, "repository_dispatch", event, "publish-benchmarks.yml", env=env(fake_github))
    assert result.ok, result.log()
    assert [len(ours(fake_github, i)) for i in (1, 2, 3)] == [1, 1, 1]
    assert all(r.method == "POST" and r.path.endswith("/comments") for r in fake_github.writes())
