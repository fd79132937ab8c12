"""Corrections as data: fates of the bot's labels, live precision, kappa, label-event sync, monitor, export."""

from __future__ import annotations

import json

import pytest

from labeler import gh
from labeler.cli import main
from labeler.history import corrections as fates
from labeler.history import store as history
from labeler.history.corrections import LabelEvent
from labeler.history.store import StoredIssue

BOT = "github-actions[bot]"
REPO = "acme/widgets"


def ev(issue, seq, kind, label, actor):
    return LabelEvent(issue, seq, kind, label, actor, f"2024-06-{10 + seq:02d}T00:00:00Z")


def test_fates_kept_removed_replaced_and_withdrawn():
    kept = [ev(1, 1, "labeled", "bug", BOT), ev(1, 2, "labeled", "automated-triage", BOT)]
    removed = [ev(2, 1, "labeled", "bug", BOT), ev(2, 2, "unlabeled", "bug", "maria")]
    replaced = [
        ev(3, 1, "labeled", "bug", BOT),
        ev(3, 2, "labeled", "docs", BOT),
        ev(3, 3, "unlabeled", "bug", "maria"),
        ev(3, 4, "labeled", "feature", "maria"),
    ]
    put_back = [
        ev(4, 1, "labeled", "bug", BOT),
        ev(4, 2, "unlabeled", "bug", "maria"),
        ev(4, 3, "labeled", "bug", "joe"),
    ]
    withdrawn = [ev(5, 1, "labeled", "needs-triage", BOT), ev(5, 2, "unlabeled", "needs-triage", BOT)]
    before_bot = [
        ev(6, 1, "labeled", "area/ui", "maria"),
        ev(6, 2, "labeled", "bug", BOT),
        ev(6, 3, "unlabeled", "bug", "x"),
    ]
    ignore = ("automated-triage",)
    assert [(o.label, o.fate) for o in fates.outcomes(kept, BOT, ignore=ignore)] == [("bug", "kept")]
    assert [(o.label, o.fate, o.by) for o in fates.outcomes(removed, BOT)] == [("bug", "removed", "maria")]
    out = fates.outcomes(replaced, BOT)
    assert [(o.label, o.fate, o.replaced_by) for o in out] == [("bug", "replaced", ("feature",)), ("docs", "kept", ())]
    assert [o.fate for o in fates.outcomes(put_back, BOT)] == ["kept"]
    assert fates.outcomes(withdrawn, BOT) == []
    assert [o.fate for o in fates.outcomes(before_bot, BOT)] == [
        "removed"
    ]  # a label people added before is no replacement
    assert fates.outcomes(list(reversed(replaced)), BOT) == out  # order of the input does not matter


def test_tally_gives_live_precision_with_counts():
    events = {
        1: [ev(1, 1, "labeled", "bug", BOT)],
        2: [ev(2, 1, "labeled", "bug", BOT), ev(2, 2, "unlabeled", "bug", "m")],
        3: [ev(3, 1, "labeled", "bug", BOT), ev(3, 2, "unlabeled", "bug", "m"), ev(3, 3, "labeled", "feature", "m")],
        4: [ev(4, 1, "labeled", "feature", BOT)],
    }
    found = fates.outcomes_by_issue(events, BOT)
    table = fates.tally(o for outs in found.values() for o in outs)
    bug = table["bug"]
    assert (bug.applied, bug.kept, bug.removed, bug.replaced) == (3, 1, 1, 1)
    assert bug.precision == pytest.approx(1 / 3) and bug.replaced_by == {"feature": 1}
    assert table["feature"].precision == 1.0 and list(table) == ["bug", "feature"]
    overall = fates.total(table)
    assert (overall.applied, overall.kept) == (4, 2) and fates.Tally().precision is None


def test_cohen_kappa_matches_the_textbook():
    # 50 items: both yes 20, both no 15, bot yes/human no 5, bot no/human yes 10 -> po .7, pe .5 -> kappa .4
    pairs = [(True, True)] * 20 + [(False, False)] * 15 + [(True, False)] * 5 + [(False, True)] * 10
    assert fates.cohen_kappa(pairs) == pytest.approx(0.4)
    assert fates.cohen_kappa([(True, True), (False, False)]) == pytest.approx(1.0)
    assert fates.cohen_kappa([(True, True)] * 3) == 1.0
    assert fates.cohen_kappa([(True, False), (False, True)]) == pytest.approx(-1.0)
    assert fates.cohen_kappa([]) is None


def test_agreement_on_a_sample():
    issues = [
        StoredIssue(1, "a", "", ("bug", "automated-triage"), "open"),
        StoredIssue(2, "b", "", ("feature",), "open"),
    ]
    a = fates.agreement(issues, {1: {"bug"}, 2: {"bug"}}, ignore=("automated-triage",))
    assert a.labels == ("bug", "feature") and a.pairs == 4 and a.observed == 0.5
    assert a.kappa == pytest.approx(0.0)


def test_from_timeline_keeps_label_events_only():
    raw = [
        {"event": "commented", "id": 5, "body": "hi"},
        {
            "event": "labeled",
            "id": 7,
            "label": {"name": "bug"},
            "actor": {"login": BOT},
            "created_at": "2024-01-01T00:00:00Z",
        },
        {"event": "unlabeled", "id": 8, "label": {"name": "bug"}, "actor": None},
        {"event": "labeled", "id": 9, "label": {}},
    ]
    assert fates.from_timeline(3, raw) == [
        LabelEvent(3, 7, "labeled", "bug", BOT, "2024-01-01T00:00:00Z"),
        LabelEvent(3, 8, "unlabeled", "bug", "ghost", None),
    ]


# sync against the GitHub stand-in ----------------------------------------------------------------


def seed_corrections(fake):
    """#1 bot bug kept; #2 bot bug removed by maria; #3 bot bug replaced by feature; #4 nobody's bot; #5 PR."""
    for n in (1, 2, 3):
        fake.add_issue(n, f"Issue {n}", "body")
        fake.set_issue_labels(n, ["bug", "automated-triage"], actor=BOT)
    fake.remove_issue_label_as(2, "bug", "maria")
    fake.remove_issue_label_as(3, "bug", "maria")
    fake.set_issue_labels(3, ["automated-triage", "feature"], actor="maria")
    fake.add_issue(4, "Issue 4", "body", labels=["question"])


def sync_all(db, **kw):
    conn = history.connect(str(db))
    try:
        history.sync(gh.connect(), REPO, conn, progress=lambda line: None)
        return history.sync_label_events(
            gh.connect(), REPO, conn, progress=lambda line: None, **kw
        ), history.load_events(conn)
    finally:
        conn.close()


def timeline_reads(fake):
    return [r.path for r in fake.requests if r.path.endswith("/timeline")]


def test_label_event_sync_is_incremental_and_capped(fake_github, tmp_path):
    seed_corrections(fake_github)
    result, events = sync_all(tmp_path / "h.db", label="automated-triage", max_issues=2)
    assert (result.read, result.pending) == (2, 1) and len(timeline_reads(fake_github)) == 2
    fake_github.requests.clear()
    result, events = sync_all(tmp_path / "h.db", label="automated-triage")
    assert (result.read, result.pending) == (1, 0) and len(timeline_reads(fake_github)) == 1
    assert sorted(events) == [1, 2, 3]  # #4 has no provenance label: its timeline is never read
    fake_github.requests.clear()
    result, _ = sync_all(tmp_path / "h.db", label="automated-triage")
    assert result.read == 0 and timeline_reads(fake_github) == []  # nothing changed: no timeline read
    fake_github.remove_issue_label_as(1, "automated-triage", "maria")  # provenance gone, events known: still followed
    fake_github.issues[1].updated_at = fake_github.clock()
    fake_github.requests.clear()
    result, events = sync_all(tmp_path / "h.db", label="automated-triage")
    assert result.read == 1 and timeline_reads(fake_github) == ["/repos/acme/widgets/issues/1/timeline"]


def test_unreadable_timeline_is_left_for_the_next_run(fake_github, tmp_path):
    seed_corrections(fake_github)
    fake_github.fail("GET", r"/issues/2/timeline$", status=404)
    result, events = sync_all(tmp_path / "h.db", label="all")
    assert result.pending == 1 and 2 not in events


def test_history_sync_cli_label_events(fake_github, tmp_path, capsys):
    seed_corrections(fake_github)
    db = str(tmp_path / "h.db")
    assert main(["history", "sync", "--repo", REPO, "--db", db, "--label-events", "automated-triage"]) == 0
    assert "label events: 3 timelines read, 0 left" in capsys.readouterr().out


def test_monitor_reports_corrections_and_kappa(fake_github, tmp_path, monkeypatch):
    seed_corrections(fake_github)
    db = str(tmp_path / "h.db")
    assert main(["history", "sync", "--repo", REPO, "--db", db, "--label-events", "automated-triage"]) == 0
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    until = "2024-05-15"  # the stand-in's clock starts 2024-05-01
    assert main(["monitor", "--db", db, "--until", until]) == 0
    summary = (tmp_path / "summary.md").read_text()
    assert "3 labels applied: 1 kept, 1 removed, 1 replaced. Live precision 33%" in summary
    assert "| bug | 3 | 1 | 1 | 1 | `feature` (1) | 33% |" in summary
    # sample = #1..#3: bot said bug on each, people kept bug on #1 and chose feature on #3
    # pairs (bot, human) bug: (1,1) (1,0) (1,0); feature: (0,0) (0,0) (0,1) -> po 3/6, pe .5 -> kappa 0
    assert "Cohen's kappa 0.00 (poor)" in summary and "over 3 issues × 2 labels" in summary
    out = (tmp_path / "out").read_text()
    assert "live-precision" in out and "kappa" in out


def test_monitor_without_events_says_how_to_record_them(tmp_path, monkeypatch):
    conn = history.connect(str(tmp_path / "h.db"))
    history.upsert(conn, [StoredIssue(1, "a", "", ("bug",), "open", created_at="2024-06-01T00:00:00Z")])
    conn.commit()
    conn.close()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    assert main(["monitor", "--db", str(tmp_path / "h.db"), "--until", "2024-06-30"]) == 0
    assert "--label-events" in (tmp_path / "summary.md").read_text()


def test_dataset_export_marks_corrected_issues(fake_github, tmp_path):
    seed_corrections(fake_github)
    db = str(tmp_path / "h.db")
    assert main(["history", "sync", "--repo", REPO, "--db", db, "--label-events", "automated-triage"]) == 0
    out = tmp_path / "ds"
    assert (
        main(
            [
                "dataset",
                "export",
                "--db",
                db,
                "--out",
                str(out),
                "--exclude-label",
                "automated-triage",
                "--keep-unlabelled",
                "--min-examples",
                "1",
            ]
        )
        == 0
    )
    rows = {r["number"]: r for r in map(json.loads, (out / "issues.jsonl").read_text().splitlines())}
    # #1 (bot's guess, untouched) stays out; #2 and #3 were corrected by a person: in, with her labels
    assert sorted(rows) == [2, 3, 4]
    assert rows[3]["labels"] == ["feature"] and rows[3]["corrected"] is True
    assert rows[3]["bot_labels"] == ["bug"] and rows[3]["bot_removed"] == ["bug"]
    assert rows[2]["labels"] == [] and rows[2]["bot_removed"] == ["bug"]
    assert "corrected" not in rows[4]
    assert "a person removed or replaced a label the bot applied: 2" in (out / "README.md").read_text()
