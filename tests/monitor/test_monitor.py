"""Monitoring: windows, drift statistics, the review sample, the summary and the tracking issue."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from labeler.cli import main
from labeler.history import store as history
from labeler.history.store import StoredIssue
from labeler.monitor import drift as monitor

UNTIL = dt.datetime(2024, 6, 30, tzinfo=dt.UTC)


def issue(n, labels, days_ago, title=None):
    created = (UNTIL - dt.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return StoredIssue(
        n,
        title or f"Issue {n}",
        "",
        tuple(labels),
        "open",
        created_at=created,
        html_url=f"https://github.com/acme/widgets/issues/{n}",
    )


def corpus(recent_mix, baseline_mix, bot_every=2):
    rows, n = [], 0
    for label, count in baseline_mix.items():
        for _ in range(count):
            n += 1
            rows.append(issue(n, [label], 40 + n % 300))
    for label, count in recent_mix.items():
        for _ in range(count):
            n += 1
            rows.append(issue(n, [label] + (["automated-triage"] if n % bot_every == 0 else []), n % 29))
    return rows


def test_windows_split_by_created_at():
    rows = [issue(1, [], 5), issue(2, [], 31), issue(3, [], 500), issue(4, [], -1)]
    recent, baseline = monitor.windows(rows, until=UNTIL, days=30, baseline_days=365)
    assert [i.number for i in recent] == [1] and [i.number for i in baseline] == [2]
    assert [i.number for i in monitor.windows(rows, until=UNTIL, days=30, baseline_days=0)[1]] == [2, 3]


def test_same_mix_is_no_drift():
    rows = corpus({"bug": 30, "feature": 20}, {"bug": 60, "feature": 40})
    recent, baseline = monitor.windows(rows, until=UNTIL, days=30)
    d = monitor.drift(recent, baseline, ignore=("automated-triage",))
    assert d.judged and not d.drifted and d.psi < 0.01 and d.tvd < 0.01


def test_shifted_mix_is_drift():
    rows = corpus({"bug": 5, "feature": 45}, {"bug": 60, "feature": 40})
    recent, baseline = monitor.windows(rows, until=UNTIL, days=30)
    d = monitor.drift(recent, baseline, ignore=("automated-triage",))
    assert d.drifted and d.psi > 0.25 and d.tvd == pytest.approx(0.5, abs=0.01)
    assert monitor.verdict(d).startswith("DRIFT: PSI")


def test_psi_matches_the_formula():
    assert monitor.psi([0.5, 0.5], [0.5, 0.5]) == 0
    assert monitor.psi([0.9, 0.1], [0.5, 0.5]) == pytest.approx(0.4 * math.log(1.8) - 0.4 * math.log(0.2))


def test_unlabelled_issues_count_as_none_and_family_filters():
    rows = [issue(1, ["area/ui", "bug"], 1), issue(2, ["bug"], 1)]
    assert monitor.distribution(rows, family="area/*") == {"area/ui": 1, monitor.NONE: 1}


def test_too_few_issues_is_not_judged():
    rows = corpus({"bug": 3}, {"feature": 100})
    d = monitor.drift(*monitor.windows(rows, until=UNTIL, days=30))
    assert not d.judged and not d.drifted and "too few issues" in monitor.verdict(d)


def test_sample_is_seeded_and_only_bot_labelled():
    rows = corpus({"bug": 40}, {})
    a = monitor.sample(rows, 5, label="automated-triage", seed="2024-06-30")
    assert len(a) == 5 and all("automated-triage" in i.labels for i in a)
    assert a == monitor.sample(rows, 5, label="automated-triage", seed="2024-06-30")
    assert a != monitor.sample(rows, 5, label="automated-triage", seed="2024-07-01")


def test_render_escapes_titles_and_lists_the_sample():
    rows = [issue(1, ["bug", "automated-triage"], 1, title="@admin <script> | broken")]
    d = monitor.drift(rows, rows, min_issues=1)
    text = monitor.render(d, rows, family=None, days=30, label="automated-triage")
    assert "@\u2060admin" in text and "&lt;script&gt;" in text and "\\|" in text
    assert "- [ ] [#1](https://github.com/acme/widgets/issues/1)" in text


def make_db(path, rows):
    conn = history.connect(str(path))
    history.upsert(conn, rows)
    conn.commit()
    conn.close()
    return str(path)


def test_cli_summary_outputs_and_gate(tmp_path, monkeypatch, capsys):
    db = make_db(tmp_path / "h.db", corpus({"bug": 5, "feature": 45}, {"bug": 60, "feature": 40}))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    assert main(["monitor", "--db", db, "--until", "2024-06-30"]) == 0
    assert "DRIFT" in capsys.readouterr().out
    summary = (tmp_path / "summary.md").read_text()
    assert "| feature |" in summary and "Review sample: 10" in summary
    assert "drift<<" in (tmp_path / "out").read_text()
    assert main(["monitor", "--db", db, "--until", "2024-06-30", "--fail-on-drift"]) == 1
    assert main(["monitor", "--db", db, "--until", "yesterday"]) == 1


def test_cli_keeps_one_tracking_issue(fake_github, tmp_path, capsys):
    db = make_db(tmp_path / "h.db", corpus({"bug": 30}, {"bug": 30}))
    fake_github.add_issue(1, "Fake", "<!-- labeler:monitor -->\nnot ours", labels=["triage-monitor"], user="mallory")
    assert main(["monitor", "--db", db, "--until", "2024-06-30", "--issue", "triage-monitor"]) == 0
    assert main(["monitor", "--db", db, "--until", "2024-06-30", "--issue", "triage-monitor"]) == 0
    ours = [i for i in fake_github.issues.values() if i.user == "github-actions[bot]"]
    assert len(ours) == 1 and ours[0].labels == ["triage-monitor"] and "no drift" in ours[0].body
    assert fake_github.issues[1].body.endswith("not ours")
    out = capsys.readouterr().out
    assert "opened tracking issue" in out and "updated tracking issue" in out


@pytest.mark.act
def test_triage_monitor_workflow_under_act(run_act, act_repo, fake_github, tmp_path):
    import json

    from act.harness import stub_remote_actions

    now = dt.datetime.now(dt.UTC)
    for n in range(1, 61):
        created = (now - dt.timedelta(days=n * 5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        labels = ["bug" if n % 2 else "feature"] + (["automated-triage"] if n < 6 else [])
        fake_github.add_issue(n, f"Issue {n}", "", labels=labels, created_at=created, updated_at=created)
    event = tmp_path / "dispatch.json"
    event.write_text(json.dumps({"inputs": {}}))
    result = run_act(
        "workflow_dispatch",
        event,
        ".github/workflows/triage-monitor.yml",
        act_repo,
        local_repositories=stub_remote_actions(act_repo / ".github/workflows/triage-monitor.yml", tmp_path / "stubs"),
        variables={"LABELER_MONITOR_ISSUE_LABEL": "triage-monitor"},
        env={"GITHUB_API_URL": fake_github.url, "GITHUB_REPOSITORY": "acme/widgets", "LABELER_GITHUB_PACE": "0"},
    )
    log = result.log()
    assert result.job_results == {"monitor": "success"}, log
    assert any("### Triage monitor" in s for s in result.summaries)
    assert "opened tracking issue #61" in log
    assert fake_github.issues[61].labels == ["triage-monitor"]
    assert "stub cache-save path=.labeler/history.sqlite" in log
