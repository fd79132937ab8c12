"""The measured default against the GitHub stand-in: it asks in public only what beat the label's base rate on
the repository's own history; without history only an empty section of the repository's own template; the
kind of report decides the checklist; nothing the body states is ever asked for."""

from __future__ import annotations

import json

import pytest

from labeler.cli import main
from labeler.missing_info import checks, kind, public, templates
from missing_info.test_replay import LABEL, chance_history, earning_history, write

FORM = """\
name: Bug report
description: Something is broken
body:
  - type: markdown
    attributes: {value: "Thanks for taking the time!"}
  - type: textarea
    attributes: {label: Describe the bug}
    validations: {required: true}
  - type: textarea
    attributes: {label: Steps to reproduce}
  - type: textarea
    attributes: {label: Expected behavior}
  - type: input
    attributes: {label: Version}
"""

FORM_EMPTY = """### Describe the bug
Saving crashes.

### Steps to reproduce
_No response_

### Expected behavior
<!-- Tell us what you expected -->

### Version
2.4.1

### Relevant log output
```shell

```
"""


def seed(fake_github, records):
    for r in records:
        fake_github.add_issue(r["number"], r["title"], r["body"], labels=r["labels"], state="closed")


def comment_of(fake_github, number):
    comments = fake_github.comments(number)
    assert len(comments) <= 1
    return comments[0] if comments else None


# without history: only an empty section of the repository's own template --------------------------------


def test_no_history_asks_only_for_empty_sections_of_the_own_template(fake_github, tmp_path, monkeypatch, actions_env):
    (tmp_path / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    (tmp_path / ".github" / "ISSUE_TEMPLATE" / "bug.yml").write_text(FORM)
    monkeypatch.chdir(tmp_path)
    fake_github.add_issue(7, "Crash on save", FORM_EMPTY)
    assert main(["missing-info", "--issue", "7"]) == 0
    comment = comment_of(fake_github, 7)
    assert "**Steps to reproduce**" in comment and "**Expected behavior**" in comment
    assert "Relevant log output" not in comment  # not a section of this repository's template
    assert fake_github.issue_labels(7) == [LABEL]
    summary = actions_env.summary()
    assert "Relevant log output" in summary and "(held back)" in summary
    assert "Too little history: 0 issue(s), 0 labeled (needs 50 and 10)" in summary


def test_no_history_and_no_template_stays_quiet_and_says_why(fake_github, tmp_path, monkeypatch, actions_env):
    monkeypatch.chdir(tmp_path)
    fake_github.add_issue(7, "Crash on save", FORM_EMPTY)
    assert main(["missing-info", "--issue", "7"]) == 0
    assert fake_github.writes() == []
    summary = actions_env.summary()
    assert "3 ask(s) held back, no comment" in summary and "This repository has no issue template." in summary
    outputs = actions_env.outputs()
    assert outputs["complete"] == "false" and outputs["missing"] == "[]"
    assert json.loads(outputs["held-back"]) == ['"Steps to reproduce"', '"Expected behavior"', '"Relevant log output"']


def test_a_broken_template_is_skipped_with_a_warning(tmp_path, capsys):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "a.yml").write_text("body: [unclosed")
    (folder / "config.yml").write_text("blank_issues_enabled: false\n")
    (folder / "b.md").write_text("---\nname: Bug\n---\n## Steps to reproduce\n\n## What happened?\n")
    (folder / "notes.txt").write_text("### Not a template")
    warnings = []
    assert templates.read(str(folder), warn=warnings.append).headings == {"steps to reproduce", "what happened?"}
    assert len(warnings) == 1 and "a.yml" in warnings[0]


# GitHub's classic bug report template, as many repositories still have it
CLASSIC = """---
name: Bug report
about: Create a report to help us improve
---

**Describe the bug**
A clear and concise description of what the bug is.

**To Reproduce**
Steps to reproduce the behavior:
1. Go to '...'
2. Click on '....'
3. See error

**Expected behavior**
A clear and concise description of what you expected to happen.
"""


def test_template_text_left_as_it_was_counts_as_empty(fake_github, tmp_path, monkeypatch):
    (tmp_path / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    (tmp_path / ".github" / "ISSUE_TEMPLATE" / "bug_report.md").write_text(CLASSIC)
    monkeypatch.chdir(tmp_path)
    body = CLASSIC.split("---\n", 2)[2].replace(
        "A clear and concise description of what the bug is.", "The legend disappears after a zoom."
    )
    fake_github.add_issue(7, "Legend disappears", body)
    assert main(["missing-info", "--issue", "7"]) == 0
    comment = comment_of(fake_github, 7)
    assert "**To Reproduce** (this section of the template is empty)" in comment
    assert "**Expected behavior** (this section of the template is empty)" in comment
    # the same sections, filled in: nothing to ask
    fake_github.add_issue(8, "Legend disappears", "**To Reproduce**\nZoom twice.\n\n**Expected behavior**\nIt stays.")
    assert main(["missing-info", "--issue", "8"]) == 0
    assert comment_of(fake_github, 8) is None


# with history: each item asks only when it beat the base rate ------------------------------------------


def test_history_that_earns_the_ask_lets_those_items_ask_and_no_others(fake_github, tmp_path, monkeypatch, actions_env):
    monkeypatch.chdir(tmp_path)
    seed(fake_github, earning_history())
    fake_github.add_issue(61, "Dashboard crashes", "It crashes when I save.")
    assert main(["missing-info", "--issue", "61"]) == 0
    comment = comment_of(fake_github, 61)
    assert checks.DESCRIBE["steps"] in comment and checks.DESCRIBE["expected_actual"] in comment
    assert checks.DESCRIBE["version"] not in comment  # asking it never beat chance here
    summary = actions_env.summary()
    assert f"{checks.DESCRIBE['version']} (held back)" in summary
    assert "History: 60 issue(s), 22 labeled `needs more info` (base rate 36.7%)" in summary
    assert "- steps: precision 66.7%, recall 90.9%, asked 30 → asks" in summary
    assert "- version: precision 6.7%, recall 9.1%, asked 30 → quiet: precision 6.7% vs base rate 36.7%" in summary


def test_only_earlier_issues_count_and_the_read_is_bounded(fake_github, tmp_path, monkeypatch, actions_env):
    monkeypatch.chdir(tmp_path)
    seed(fake_github, earning_history())
    fake_github.add_issue(61, "Dashboard crashes", "It crashes when I save.")
    # later issues where the label falls at random must not change the verdict on issue 61
    seed(fake_github, [dict(r, number=r["number"] + 100) for r in chance_history()])
    cfg = tmp_path / "labels.yml"
    cfg.write_text("labels:\n  - name: bug\nmissing-info:\n  history-limit: 250\n")
    assert main(["missing-info", "--issue", "61", "--config", str(cfg)]) == 0
    assert checks.DESCRIBE["steps"] in comment_of(fake_github, 61)
    lists = [r for r in fake_github.requests if r.method == "GET" and r.path == "/repos/acme/widgets/issues"]
    assert len(lists) == 2  # 141 issues, 100 a page
    assert "History: 60 issue(s), 22 labeled" in actions_env.summary()
    cfg.write_text("labels:\n  - name: bug\nmissing-info:\n  history-limit: 30\n")
    fake_github.add_issue(62, "Dashboard crashes", "It crashes when I save.")
    assert main(["missing-info", "--issue", "62", "--config", str(cfg)]) == 0
    assert "History: 30 issue(s), 11 labeled" in actions_env.summary()  # the newest 30 before it


def test_history_where_asking_is_chance_stays_quiet_or_only_labels(fake_github, tmp_path, monkeypatch, actions_env):
    monkeypatch.chdir(tmp_path)
    history = write(tmp_path / "h.jsonl", chance_history())
    fake_github.add_issue(100, "Dashboard crashes", "It crashes when I save.")
    assert main(["missing-info", "--issue", "100", "--history", str(history)]) == 0
    assert fake_github.writes() == []
    assert "below 1.25×" in actions_env.summary()
    cfg = tmp_path / "labels.yml"
    cfg.write_text("labels:\n  - name: bug\nmissing-info:\n  when-quiet: label\n")
    assert main(["missing-info", "--issue", "100", "--history", str(history), "--config", str(cfg)]) == 0
    assert fake_github.issue_labels(100) == [LABEL] and fake_github.comments(100) == []


def test_ask_always_asks_everything(fake_github, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fake_github.add_issue(7, "Dashboard crashes", "It crashes when I save.")
    assert main(["missing-info", "--issue", "7", "--ask", "always"]) == 0
    assert all(checks.DESCRIBE[i] in comment_of(fake_github, 7) for i in checks.REQUIRED["bug"])


@pytest.mark.parametrize("snippet", ["min-lift: 0.5", "min-recall: 2", "ask: sometimes", "when-quiet: shout"])
def test_bad_gate_settings_name_the_field(tmp_path, capsys, snippet):
    cfg = tmp_path / "labels.yml"
    cfg.write_text(f"labels:\n  - name: bug\nmissing-info:\n  {snippet}\n")
    write(tmp_path / "h.jsonl", earning_history())
    assert main(["missing-info", "--replay", str(tmp_path / "h.jsonl"), "--config", str(cfg)]) == 1
    assert snippet.split(":")[0] in capsys.readouterr().err


# the kind of report: a question is not a bug ------------------------------------------------------------

CRASH = """App crashes with a traceback when saving an empty widget.

Steps to reproduce:
1. Create a widget with no name
2. Press save

Expected: the widget is saved. Instead the app closes:

```
Traceback (most recent call last):
  File "app.py", line 12, in save
ValueError: empty name
```

Version 2.3.0
"""


@pytest.mark.parametrize(
    "title, body, labels, expected",
    [
        ("App crashes with a traceback when saving an empty widget", CRASH, (), "bug"),
        (
            "How do I change the widget colour?",
            "I would like the widgets to be blue. Where is that set?",
            (),
            "question",
        ),
        ("Why does saving crash with ValueError?", "Traceback (most recent call last):\nValueError: x", (), "bug"),
        ("Feature request: export to CSV", "It would be nice to export a table as CSV.", (), "feature"),
        ("Widgets are slow", "They take 10 s to load.", ("question",), "question"),  # label-issue's decision
        ("Can't save widgets", "Since 2.3 the save button is grey.", (), "bug"),
        ("Cannot log in with SSO", "Since 2.3 the login page loops.", (), "bug"),
        ("Does not render the legend", "The legend is gone.", (), "bug"),
        ("Can I export a dashboard as JSON", "I looked in the share menu.", (), "question"),
    ],
)
def test_the_kind_of_report(title, body, labels, expected):
    assert kind.report_kind(title, body, labels) == expected


def test_a_question_never_gets_the_bug_checklist(fake_github, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fake_github.add_issue(7, "How do I change the widget colour?", "")
    assert main(["missing-info", "--issue", "7", "--ask", "always"]) == 0
    comment = comment_of(fake_github, 7)
    assert checks.DESCRIBE["details"] in comment
    assert not any(checks.DESCRIBE[i] in comment for i in checks.REQUIRED["bug"])


# never ask for what the body states ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, stated",
    [
        ("Steps:\nopen the dashboard and press save", "steps"),
        ("To reproduce: open a dashboard with 30 panels and press save.", "steps"),
        ("1. Run grafana-server with the attached config", "steps"),
        ("STR: open the app, click the bell", "steps"),
        ("Repro steps:\n- open the panel\n- zoom out", "steps"),
        ("Actual: the panel is blank. Expected: the series from the query.", "expected_actual"),
        ("Expected:\nthe alert fires after 5 minutes", "expected_actual"),
        ("**Actual result**: the legend overlaps the graph", "expected_actual"),
        ("I expected a dialog but nothing happened", "expected_actual"),
        ("Running v10.4.2 on Debian", "version"),
        ("```\npanic: runtime error: index out of range\n```", "logs"),
        (CRASH, "steps"),
        (CRASH, "expected_actual"),
    ],
)
def test_never_asks_for_what_the_body_states(body, stated):
    assert stated not in checks.check("Panel problem", body).keys


@pytest.mark.parametrize(
    "body, missing",
    [
        ("The panel is blank since the upgrade.", "steps"),
        ("The panel is blank since the upgrade.", "expected_actual"),
        ("Steps to reproduce are hard to give, it happens randomly. The panel goes blank.", "expected_actual"),
        ("The expected series never shows.", "steps"),
        ("See the panel, it is wrong", "version"),
    ],
)
def test_still_asks_for_what_the_body_lacks(body, missing):
    assert missing in checks.check("Panel problem", body).keys


def test_policy_split_keeps_only_allowed_items():
    info = checks.check("t", FORM_EMPTY)
    shown, held = public.split(info, public.Policy("measured", ("expected_actual",)))
    assert shown.keys == ("expected_actual",) and held == ['"Steps to reproduce"', '"Relevant log output"']
    shown, held = public.split(info, public.Policy("measured", ("template",)))
    assert shown.keys == info.keys and held == []
    assert json.dumps(shown.missing)  # plain strings for the `missing` output
