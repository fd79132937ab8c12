"""Replay with a scripted model, replay input errors, the backlog with a fault
mid-way and a re-run, the per-run budget. Real SDKs and PyGithub against the stand-ins."""

import json

import pytest

from label_issue.test_label_issue import CONFIG, answer
from labeler.cli import main
from labeler.label_issue import replay
from labeler.label_issue.labeling import MARKER


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "labels.yml"
    path.write_text(CONFIG)
    return str(path)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


# 10 issues: 6 bugs, 4 questions. The script: "crash" titles -> bug 0.9; "how" titles -> bug 0.7;
# "odd" titles -> nothing.
ROWS = (
    [{"id": f"b{i}", "title": f"crash {i}", "body": "", "labels": ["bug"]} for i in range(5)]
    + [{"id": "b5", "title": "odd", "body": "", "labels": ["defect", "wontfix-ish"]}]
    + [{"id": f"q{i}", "title": f"how {i}", "body": "", "labels": ["question"]} for i in range(4)]
)


def script(route, req):
    text = req["messages"][-1]["content"].split("<title>")[1].split("</title>")[0]
    if "crash" in text:
        return answer(("bug", 0.9))
    if "how" in text:
        return answer(("bug", 0.7))
    return answer()


def test_replay_reports_what_the_script_implies_and_caches(fake_llm, tmp_path, cfg, monkeypatch, actions_env):
    fake_llm.responder = script
    data = write_jsonl(tmp_path / "d.jsonl", ROWS)
    out = tmp_path / "r.json"
    args = [
        "label-issue",
        "--replay",
        data,
        "--config",
        cfg,
        "--provider",
        "anthropic",
        "--json",
        str(out),
        "--cache",
        str(tmp_path / "cache.json"),
    ]
    assert main(args) == 0
    report = json.loads(out.read_text())
    bug = report["per_label"]["bug"]
    # bug at 0.6: labeled on 9 of 10 issues, 5 right -> precision 5/9, recall 5/6, coverage 9/10
    assert (bug["tp"], bug["fp"], bug["fn"]) == (5, 4, 1)
    assert bug["precision"] == pytest.approx(5 / 9) and bug["coverage"] == pytest.approx(9 / 10)
    assert report["overall"]["coverage"] == pytest.approx(9 / 10)
    assert report["suggested_min_confidence"]["bug"] == 0.9  # 5/5 above 0.9 reaches the 90 % target
    assert report["suggested_min_confidence"]["question"] is None
    assert report["ignored_labels"] == {"wontfix-ish": 1}
    assert report["cost"]["model_calls"] == 10
    summary = actions_env.summary()
    assert "min-confidence: 0.90" in summary and "xychart-beta" in summary
    assert main(args) == 0  # second replay: all answers from the cache
    assert len(fake_llm.requests) == 10
    assert json.loads(out.read_text())["cost"] == {
        **report["cost"],
        "model_calls": 0,
        "cached_answers": 10,
        "tokens_estimate": 0,
        "seconds": json.loads(out.read_text())["cost"]["seconds"],
    }


def test_replay_from_history_sqlite_with_a_run_budget(fake_llm, tmp_path, cfg, actions_env, capsys):
    from labeler.history import store

    db = str(tmp_path / "history.sqlite")
    conn = store.connect(db)
    store.upsert(
        conn,
        [
            store.StoredIssue(
                number=n,
                title=f"crash {n}",
                body="",
                labels=("bug",),
                state="closed",
                state_reason=None,
                author="a",
                author_association="NONE",
                created_at=f"2024-01-0{n}",
                updated_at=None,
                closed_at=None,
                html_url="",
            )
            for n in range(1, 6)
        ],
    )
    conn.commit()
    fake_llm.responder = script
    out = tmp_path / "r.json"
    assert (
        main(
            [
                "label-issue",
                "--replay",
                db,
                "--config",
                cfg,
                "--provider",
                "openai",
                "--json",
                str(out),
                "--max-model-calls",
                "3",
                "--cache",
                str(tmp_path / "c.json"),
            ]
        )
        == 0
    )
    report = json.loads(out.read_text())
    assert report["issues"] == 3 and report["stopped"] and len(fake_llm.requests) == 3
    assert "budget of 3 model call(s) is spent" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "replay file not found"),
        ("", "the replay file is empty"),
        ("name,labels\nx,bug\n", "unknown replay file"),
        ('{"title": "t", "labels": ["nope"]}\n', "no issue in the replay file carries a label"),
        ('{"title": "t", "labels": "bug"}\n', "'labels' must be a list"),
    ],
)
def test_bad_replay_input_is_one_clear_error(tmp_path, cfg, capsys, content, message):
    path = tmp_path / "in.jsonl"
    if content is not None:
        path.write_text(content)
    assert main(["label-issue", "--replay", str(path), "--config", cfg, "--provider", "keywords"]) == 1
    out = capsys.readouterr()
    assert message in out.out + out.err and "Traceback" not in out.out + out.err


def test_thresholds_pick_the_lowest_cutoff_reaching_the_target():
    cases = [
        replay.Case("1", frozenset({"bug"}), (("bug", 0.9),)),
        replay.Case("2", frozenset({"bug"}), (("bug", 0.8),)),
        replay.Case("3", frozenset(), (("bug", 0.7),)),
        replay.Case("4", frozenset({"bug"}), (("bug", 0.6),)),
    ]
    assert replay.suggest_thresholds(cases, ["bug"], 0.75) == {"bug": 0.6}
    assert replay.suggest_thresholds(cases, ["bug"], 0.9) == {"bug": 0.8}


def backlog(tmp_path, cfg, *extra):
    return main(["label-issue", "--backlog", "--config", cfg, "--repo", "acme/widgets", *extra])


def test_backlog_of_250_with_a_fault_then_a_rerun(fake_github, actions_env, tmp_path, cfg, capsys):
    for n in range(1, 251):
        fake_github.add_issue(
            n, f"Bug: app crashes {n}", "Traceback", created_at=f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}Z"
        )
    fake_github.add_issue(251, "Has a label", "", labels=["question"])
    assert backlog(tmp_path, cfg, "--max-issues", "300") == 0  # dry run by default: reads only
    assert fake_github.writes() == [] and "would apply" in actions_env.summary()
    fake_github.fail("POST", r"/issues/100/labels$", status=502, times=3)  # mid-way: every try of this run
    assert backlog(tmp_path, cfg, "--max-issues", "300", "--no-dry-run") == 1
    assert fake_github.issue_labels(100) == [] and fake_github.issue_labels(250) == ["bug"]
    before = len(fake_github.requests)
    assert backlog(tmp_path, cfg, "--max-issues", "300", "--no-dry-run") == 0
    for n in range(1, 251):
        assert fake_github.issue_labels(n) == ["bug"], n
        assert [c for c in fake_github.comments(n) if c.startswith(MARKER)] == fake_github.comments(n)
        assert len(fake_github.comments(n)) == 1, n
    assert fake_github.comments(251) == []
    label_posts = [r for r in fake_github.requests if r.method == "POST" and r.path.endswith("/labels")]
    assert len([r for r in label_posts if r.path.endswith("/issues/100/labels")]) == 4  # 3 failed tries + 1
    rerun = len(fake_github.requests) - before
    assert rerun <= 4 * 100 + 3  # issues 1..100 left: ≤ 4 requests each, plus the listing pages


def test_backlog_never_re_adds_a_removed_label(fake_github, actions_env, tmp_path, cfg):
    fake_github.add_issue(3, "Bug: app crashes", "Traceback", labels=["bug"])
    fake_github.remove_issue_label_as(3, "bug", "maria")
    assert backlog(tmp_path, cfg, "--no-dry-run") == 0
    assert "bug" not in fake_github.issue_labels(3)
    assert "not re-applied: removed by @\u2060maria" in fake_github.comments(3)[0]


def test_backlog_run_budget_stops_cleanly(fake_github, fake_llm, actions_env, tmp_path, cfg, capsys):
    for n in range(1, 6):
        fake_github.add_issue(n, f"Bug: app crashes {n}", "Traceback")
    fake_llm.responder = lambda route, req: answer(("bug", 0.9))
    assert backlog(tmp_path, cfg, "--no-dry-run", "--provider", "anthropic", "--max-model-calls", "2") == 0
    assert len(fake_llm.requests) == 2
    assert sum(bool(fake_github.issue_labels(n)) for n in range(1, 6)) == 2
    assert "budget of 2 model call(s) is spent" in capsys.readouterr().out


PROVENANCE_CONFIG = CONFIG.replace("label-issue:\n", "  - name: automated-triage\n    auto: false\nlabel-issue:\n") + (
    "  provenance-label: automated-triage\n"
)


def test_backlog_resumes_an_issue_labelled_before_its_comment_failed(fake_github, actions_env, tmp_path):
    """A fault between the label write and the comment write: the re-run leaves the one comment."""
    path = tmp_path / "labels.yml"
    path.write_text(PROVENANCE_CONFIG)
    cfg = str(path)
    for n in range(1, 6):
        fake_github.add_issue(n, f"Bug: app crashes {n}", "Traceback")
    fake_github.add_issue(6, "Labelled by a person", "", labels=["question", "automated-triage"])
    fake_github.add_comment(6, "a person's comment", user="maria")
    fake_github.fail("POST", r"/issues/3/comments$", status=502, times=3)  # every try of this run
    assert backlog(tmp_path, cfg, "--no-dry-run") == 1
    assert fake_github.issue_labels(3) == ["bug", "automated-triage"] and fake_github.comments(3) == []
    fake_github.requests.clear()
    assert backlog(tmp_path, cfg, "--no-dry-run") == 0
    for n in range(1, 6):
        assert fake_github.issue_labels(n) == ["bug", "automated-triage"], n
        assert len(fake_github.comments(n)) == 1, n
    assert "**labeler** applied `bug`, `automated-triage`" in fake_github.comments(3)[0]
    touched = {r.path.split("/")[5] for r in fake_github.requests if r.path.startswith("/repos/acme/widgets/issues/")}
    assert touched == {"1", "2", "3"}  # newest first: #5, #4 done before the fault (commented), #6 a person's comment
    assert backlog(tmp_path, cfg, "--no-dry-run") == 0  # a third run: nothing left
    assert all(len(fake_github.comments(n)) == 1 for n in range(1, 6))


def test_coverage_is_the_share_of_all_issues_never_above_one():
    cases = [replay.Case(str(i), frozenset({"bug"} if i % 2 else ()), (("bug", 0.9),)) for i in range(4)]
    scores = replay.score(cases, ["bug"], {"bug": 0.6})
    assert scores.per_label["bug"].coverage == 1.0 and scores.overall.coverage == 1.0
    assert replay.score(cases[:0], ["bug"], {"bug": 0.6}).per_label["bug"].coverage is None
