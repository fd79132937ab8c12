"""`missing-info --replay`: precision, recall and base rate of the asks against a label, per item, and
whether the default would ask in public (`default_asks`), on small history files both ways."""

from __future__ import annotations

import json

import pytest

from labeler.cli import main
from labeler.history import past
from labeler.missing_info import measure, replay

LABEL = "needs more info"

# A thin report: no steps, no expected/actual, no logs, but a version.
THIN = "The dashboard crashes when I save it. Grafana 10.2.1 on Linux."
# A complete report, written freely, without any version.
FULL = """Saving a dashboard closes the editor.

Steps:
1. Open any dashboard
2. Press Ctrl+S

Expected: the dashboard is saved. Actual: the editor closes and the change is lost.

```
Error: cannot save dashboard (409)
```
"""


def record(n, body, labels):
    return {"id": f"acme#{n}", "number": n, "title": f"Issue {n}", "body": body, "labels": labels}


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def earning_history():
    """Thin reports mostly got the label, full ones rarely: asking for steps beats chance; the version
    is asked only of the full reports, which rarely got the label: asking for it does not."""
    out = []
    for n in range(1, 61):
        thin = n % 2 == 0
        labeled = (n % 6 != 0) if thin else (n % 15 == 1)
        out.append(record(n, THIN if thin else FULL, [LABEL] if labeled else ["bug"]))
    return out


def chance_history():
    """The label falls on thin and full reports alike: no ask beats the base rate."""
    return [record(n, THIN if n % 2 else FULL, [LABEL] if n % 4 < 2 else []) for n in range(1, 81)]


def replay_json(tmp_path, records, *extra):
    src, out = write(tmp_path / "history.jsonl", records), tmp_path / "out.json"
    assert main(["missing-info", "--replay", str(src), "--json", str(out), *extra]) == 0
    return json.loads(out.read_text())


def test_an_item_that_beats_the_base_rate_lets_the_default_ask(tmp_path, capsys):
    r = replay_json(tmp_path, earning_history())
    assert r["overall"]["issues"] == 60 and r["overall"]["labeled"] == 22
    steps, version = r["items"]["steps"], r["items"]["version"]
    assert steps["precision"] == pytest.approx(20 / 30, abs=1e-4) and steps["base_rate"] == pytest.approx(
        22 / 60, abs=1e-4
    )
    assert steps["recall"] == pytest.approx(20 / 22, abs=1e-4) and steps["asks"] is True
    assert version["asks"] is False and "below 1.25×" in version["why_quiet"]
    assert r["default_asks"] is True and "steps" in r["default_items"] and "version" not in r["default_items"]
    assert r["default"]["precision"] >= 1.25 * r["default"]["base_rate"]
    out = capsys.readouterr().out
    assert "**default_asks: true**" in out and "| `steps` | 30 | 66.7% | 90.9% | 36.7% | 1.82 | asks |" in out


def test_an_item_that_does_not_beat_it_keeps_the_default_quiet_and_says_why(tmp_path, actions_env):
    r = replay_json(tmp_path, chance_history())
    assert r["default_asks"] is False and r["default_items"] == []
    assert r["items"]["steps"]["precision"] == pytest.approx(0.5) and r["items"]["steps"]["base_rate"] == 0.5
    assert r["items"]["steps"]["why_quiet"] == "precision 50.0% vs base rate 50.0% (1.00×), below 1.25×"
    assert r["default"]["asked"] == 0
    summary = actions_env.summary()
    assert "**default_asks: false**" in summary and "precision 50.0% vs base rate 50.0% (1.00×)" in summary
    assert actions_env.outputs()["default-asks"] == "false"


def test_thresholds_come_from_the_config(tmp_path):
    cfg = tmp_path / "labels.yml"
    cfg.write_text("labels:\n  - name: bug\nmissing-info:\n  min-lift: 2.5\n  min-recall: 0.1\n")
    r = replay_json(tmp_path, earning_history(), "--config", str(cfg))
    assert r["thresholds"]["min_lift"] == 2.5 and r["default_asks"] is False  # 1.82× is not 2.5×


def test_recall_below_the_bar_keeps_an_item_quiet():
    cases = [measure.Case(str(n), n < 30, frozenset({"steps"}) if n < 3 else frozenset()) for n in range(100)]
    decision = measure.decide(cases, measure.Gate())
    assert decision.allowed == () and "recall 10.0% < 20%" in decision.why["steps"]


def test_items_that_beat_chance_alone_must_beat_it_together():
    # a: 10 asks, 5 right; b: 10 asks, the same 5 right plus 5 others wrong -> together 15 asks, 5 right
    cases = [measure.Case(str(n), n < 5, frozenset({"a", "b"}) if n < 5 else frozenset()) for n in range(50)]
    cases += [measure.Case(f"x{n}", False, frozenset({"a"})) for n in range(5)]
    cases += [measure.Case(f"y{n}", False, frozenset({"b"})) for n in range(5)]
    cases += [measure.Case(f"z{n}", True, frozenset()) for n in range(5)]
    gate = measure.Gate(min_lift=3.0, min_recall=0.2, min_history=10, min_labeled=5)
    decision = measure.decide(cases, gate, items=("a", "b"))
    assert decision.per_item["a"].lift == pytest.approx(0.5 / (10 / 65)) and not decision.why["a"]
    assert decision.allowed == ("a",) and "not with the others" in decision.why["b"]


def test_time_order_uses_only_earlier_issues():
    # the first 60 issues earn the ask; later ones never carry the label: early asks are right, late ones wrong
    early = [measure.Case(str(n), n % 2 == 0, frozenset({"steps"}) if n % 2 == 0 else frozenset()) for n in range(60)]
    late = [measure.Case(f"l{n}", False, frozenset({"steps"})) for n in range(10)]
    counts = measure.realised(early + late, measure.Gate(min_history=50, min_labeled=10))
    assert counts.issues == 20 and counts.asked == 15 and counts.hits == 5


def test_too_little_history_is_quiet_and_says_so(tmp_path):
    r = replay_json(tmp_path, earning_history()[:20])
    assert r["enough_history"] is False and r["default_asks"] is False and r["mode"] == "template-only"
    assert "too little history: 20 issue(s)" in r["items"]["steps"]["why_quiet"]


def history_sqlite(tmp_path):
    from labeler.history import store

    db = tmp_path / "history.sqlite"
    conn = store.connect(str(db))
    rows = earning_history()
    store.upsert(
        conn,
        [
            store.StoredIssue(
                r["number"],
                r["title"],
                r["body"],
                tuple(r["labels"]),
                "closed",
                created_at=f"2024-01-{1 + i // 3:02d}T{i % 3:02d}:00:00Z",
            )
            for i, r in enumerate(rows)
        ],
    )
    conn.commit()
    conn.close()
    return db


def test_a_history_sqlite_replays_too(tmp_path):
    out = tmp_path / "out.json"
    assert main(["missing-info", "--replay", str(history_sqlite(tmp_path)), "--json", str(out)]) == 0
    assert json.loads(out.read_text())["default_asks"] is True


def test_issues_only_a_bot_labeled_are_not_the_maintainers_judgement(tmp_path, monkeypatch):
    from labeler.history import store
    from labeler.history.corrections import LabelEvent

    db = history_sqlite(tmp_path)
    conn = store.connect(str(db))
    events = {2: ["github-actions[bot]"], 4: ["github-actions[bot]"], 14: ["github-actions[bot]", "alice"]}
    events |= {16: ["my-app"], 20: ["alice"]}
    for number, actors in events.items():
        labeled = [LabelEvent(number, i, "labeled", LABEL.title(), a) for i, a in enumerate(actors, number * 10)]
        store.store_events(conn, number, labeled, "2024-02-01T00:00:00Z")
    conn.commit()
    conn.close()
    monkeypatch.setenv("LABELER_BOT_LOGIN", "my-app")
    out = tmp_path / "out.json"
    assert main(["missing-info", "--replay", str(db), "--json", str(out)]) == 0
    r = json.loads(out.read_text())
    assert (r["overall"]["issues"], r["overall"]["labeled"]) == (57, 19)  # 2, 4 and 16 left out; 14 and 20 kept


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "the replay file is empty"),
        ('{"title": "x", "labels": ["bug"]}\n{"title": 3}\n', "history.jsonl:2: 'title' must be a string"),
        ('{"title": "x", "labels": ["bug"]}\nnot json\n', "history.jsonl:2: not valid JSON"),
        ("title,body\nx,y\n", "unknown replay file"),
        ("\n\n", "the replay file is empty"),
    ],
)
def test_malformed_replay_files_are_one_clear_error(tmp_path, capsys, content, message):
    (tmp_path / "history.jsonl").write_text(content)
    assert main(["missing-info", "--replay", str(tmp_path / "history.jsonl")]) == 1
    assert message in capsys.readouterr().err


def test_a_broken_sqlite_file_is_one_clear_error(tmp_path, capsys):
    (tmp_path / "h.sqlite").write_bytes(past.SQLITE_MAGIC + b"\x00" * 200)
    assert main(["missing-info", "--replay", str(tmp_path / "h.sqlite")]) == 1
    assert "h.sqlite" in capsys.readouterr().err


def test_a_missing_file_or_label_is_one_clear_error(tmp_path, capsys):
    assert main(["missing-info", "--replay", str(tmp_path / "nope.jsonl")]) == 1
    assert "replay file not found" in capsys.readouterr().err
    write(tmp_path / "h.jsonl", [record(1, THIN, ["bug", "question"]), record(2, FULL, [])])
    assert main(["missing-info", "--replay", str(tmp_path / "h.jsonl"), "--label", "status: info"]) == 1
    err = capsys.readouterr().err
    assert "no issue in the replay file carries the label 'status: info'" in err and "bug, question" in err


def test_the_label_matches_whatever_its_case(tmp_path):
    rows = [record(n, THIN, ["Needs More Info"]) for n in range(1, 4)]
    result = replay.run(str(write(tmp_path / "h.jsonl", rows)), measure.Gate(), label=LABEL, json_path=None)
    assert result["overall"]["labeled"] == 3
