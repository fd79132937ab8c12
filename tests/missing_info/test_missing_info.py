"""Missing-information check: rules (pure), LLM path (FakeLLM), model path, the command (FakeGitHub)."""

from __future__ import annotations

import json

import pytest

from labeler import llm
from labeler.cli import main
from labeler.gh import Issue
from labeler.missing_info import ask, command
from labeler.missing_info import checks as missing_info

FULL_BUG = """### Describe the bug
Saving crashes.

### Steps to reproduce
1. Open a file
2. Press save

### Expected behavior
It saves, but instead the app closes.

### Version
2.4.1

### Logs
```
Traceback (most recent call last):
ValueError: boom
```
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


# rules -----------------------------------------------------------------------------------------


def test_complete_bug_report():
    info = missing_info.check("Crash on save", FULL_BUG)
    assert info.complete and info.missing == [] and info.source == "rules"


def test_empty_template_sections_are_quoted():
    info = missing_info.check("Crash on save", FORM_EMPTY)
    assert not info.complete
    assert info.missing == ['"Steps to reproduce"', '"Expected behavior"', '"Relevant log output"']
    assert info.keys == ("steps", "expected_actual", "logs")
    assert info.empty_headings == ("Steps to reproduce", "Expected behavior", "Relevant log output")


@pytest.mark.parametrize(
    "body, missing_keys",
    [
        ("", ("version", "steps", "expected_actual", "logs")),
        ("It crashes", ("version", "steps", "expected_actual", "logs")),
        ("Version 3.1. Steps to reproduce: click. I expected a dialog but got nothing. Error: boom", ()),
        ("On 3.1:\n1. click\n2. wait\nExpected a dialog, instead nothing. ![shot](x.png)", ()),
        ("On v3.1 I expected it to work but it crashed", ("steps", "logs")),
        ("<!-- Version: 1.2.3 -->\n<!-- steps to reproduce: -->", ("version", "steps", "expected_actual", "logs")),
    ],
)
def test_free_text_bug_reports(body, missing_keys):
    assert missing_info.check("Crash", body).keys == missing_keys


def test_headings_inside_code_blocks_are_not_sections():
    body = "Version 1.2\n```bash\n# Steps to reproduce\n\n```\n1. run\n2. see\nexpected x but got y, Error: z"
    assert missing_info.check("t", body).complete


def test_bold_headings_count_as_sections():
    body = "**Steps to reproduce**\n\n**Expected behavior**\nit works but it fails\n"
    info = missing_info.check("t", body, require=("steps",))
    assert info.missing == ['"Steps to reproduce"']


@pytest.mark.parametrize(
    "kind, body, complete",
    [
        ("feature", "Please add dark mode so that I can work at night", True),
        ("feature", "Add dark mode", False),
        ("question", "How do I configure the proxy? I tried setting the env var and it is ignored.", True),
        ("question", "proxy?", False),
    ],
)
def test_other_kinds(kind, body, complete):
    assert missing_info.check("t", body, kind=kind).complete is complete


def test_bad_kind_or_item():
    with pytest.raises(ValueError, match="kind must be one of"):
        missing_info.check("t", "b", kind="chore")
    with pytest.raises(ValueError, match="unknown required item"):
        missing_info.check("t", "b", require=("colour",))


def test_huge_body_is_fine():
    info = missing_info.check("t", "x " * 500_000 + "\nversion 1.2")
    assert "version" not in info.keys


def test_comment_is_polite_escaped_and_marked():
    info = missing_info.MissingInfo(missing=['"Steps @to *reproduce*"', "the version <b>you</b> use"], complete=False)
    body = missing_info.render_comment(info, marker="<!-- m -->")
    assert body.startswith("<!-- m -->\nThanks for opening this issue!")
    assert "**Steps @\u2060to \\*reproduce\\***" in body and "(this section of the template is empty)" in body
    assert "&lt;b&gt;" in body and "never closes issues" in body


# LLM path ----------------------------------------------------------------------------------------


def test_llm_check(fake_llm):
    fake_llm.enqueue(
        {"complete": False, "missing": ['"Steps to reproduce"', "  the   version "], "remarks": "No steps."}
    )
    info = ask.check_llm(llm.get_model("anthropic"), "Crash", FORM_EMPTY)
    assert info.missing == ['"Steps to reproduce"', "the version"] and info.source == "llm"
    sent = json.dumps(fake_llm.requests[-1].json)
    assert "Steps to reproduce" in sent and "version: 1" not in sent  # the issue is sent, the header is not


def test_llm_complete_wins_and_bad_answers_are_reasked(fake_llm):
    fake_llm.enqueue({"complete": "yes"})
    fake_llm.enqueue({"complete": True, "missing": ["ignored"], "remarks": "fine"})
    info = ask.check_llm(llm.get_model("openai"), "t", "b")
    assert info.complete and info.missing == []


def test_prompt_file_has_version_and_parts():
    system, user = missing_info.build_prompt("T $needs", "B", kind="feature")
    assert "the use case" in system and "T $needs" in user


# trained-model path ----------------------------------------------------------------------------


class StubPredictor:
    labels = ["needs more info"]
    thresholds = {"needs more info": 0.5}

    def __init__(self, score):
        self.score = score

    def scores(self, title, body):
        return {"needs more info": self.score}

    def confidence(self, label, score):
        return 0.9 if score >= 0.5 else 0.3


def test_model_path_uses_threshold_and_rules_for_wording():
    assert missing_info.check_model(StubPredictor(0.2), "t", "b", label="needs more info").complete
    info = missing_info.check_model(StubPredictor(0.8), "t", FORM_EMPTY, label="needs more info")
    assert not info.complete and info.missing[0] == '"Steps to reproduce"' and info.source == "model"
    info = missing_info.check_model(StubPredictor(0.8), "t", FULL_BUG, label="needs more info")
    assert info.missing == ["more detail: how to reproduce the problem and what you observed"]
    with pytest.raises(ValueError, match="not trained on the label"):
        missing_info.check_model(StubPredictor(0.8), "t", "b", label="other")


def test_model_path_with_a_real_model(tmp_path):
    pytest.importorskip("sklearn")
    from labeler.examples import Example
    from labeler.model import predict, train

    rows = [
        Example(str(i), "crash", "it crashes" if i % 2 else FULL_BUG, ("needs more info",) if i % 2 else ())
        for i in range(40)
    ]
    train.save(train.train(rows, params=train.Params(folds=3, target_precision=0.8)), str(tmp_path))
    predictor = predict.load(str(tmp_path))
    assert not missing_info.check_model(predictor, "crash", "it crashes", label="needs more info").complete
    assert missing_info.check_model(predictor, "crash", FULL_BUG, label="needs more info").complete


# plan (pure) -----------------------------------------------------------------------------------


def issue(**kw):
    base = dict(
        number=7,
        title="Crash",
        body="",
        labels=(),
        author="alice",
        author_is_bot=False,
        author_association="NONE",
        state="open",
        is_pr=False,
        comments=0,
        html_url="",
    )
    return Issue(**{**base, **kw})


INCOMPLETE = missing_info.MissingInfo(missing=["the version you are using"], complete=False)
COMPLETE = missing_info.MissingInfo(missing=[], complete=True)


@pytest.mark.parametrize(
    "labels, info, ours, add, remove, comment",
    [
        ((), INCOMPLETE, None, "needs more info", None, "ask"),
        (("needs more info",), INCOMPLETE, "old", None, None, "ask"),
        ((), COMPLETE, None, None, None, None),
        (("needs more info",), COMPLETE, None, None, None, None),  # a human's label: left alone
        (("needs more info",), COMPLETE, "asked", None, "needs more info", "thanks"),
        ((), COMPLETE, "asked", None, None, "thanks"),
    ],
)
def test_plan(labels, info, ours, add, remove, comment):
    result = command.plan(issue(labels=labels), info, label="needs more info", ours=ours)
    assert (result.add_label, result.remove_label) == (add, remove)
    if comment is None:
        assert result.comment is None
    else:
        assert result.comment.startswith(command.MARKER)
        assert ("could you add" in result.comment) == (comment == "ask")


@pytest.mark.parametrize(
    "kw, reason",
    [
        ({"is_pr": True}, "a pull request"),
        ({"state": "closed"}, "closed"),
        ({"author_is_bot": True}, "bot"),
        ({"author_association": "MEMBER"}, "member"),
        ({"labels": ("wip",)}, "exempt"),
        ({}, ""),
    ],
)
def test_skip_reasons(kw, reason):
    got = command.skip_reason(issue(**kw), command.SKIP_ASSOCIATIONS, ("wip",))
    assert (reason in got) if reason else got == ""


def test_kind_from_labels():
    assert missing_info.kind_of(("type/feature-request",)) == "feature"
    assert missing_info.kind_of(("question",)) == "question"
    assert missing_info.kind_of(("area/x",)) == "bug"


# the command against FakeGitHub ------------------------------------------------------------------
# These tests are about the comment and label mechanics, so every ask goes out (`ask: always`); the
# measured default is tested in test_public.py.


@pytest.fixture
def ask_always(monkeypatch):
    monkeypatch.setenv("LABELER_MISSING_INFO_ASK", "always")


@pytest.mark.usefixtures("ask_always")
def test_command_labels_and_comments_once(fake_github, capsys):
    fake_github.add_issue(7, "Crash on save", FORM_EMPTY)
    assert main(["missing-info", "--issue", "7"]) == 0
    assert main(["missing-info", "--issue", "7"]) == 0  # a second run edits nothing, posts nothing new
    assert fake_github.issue_labels(7) == ["needs more info"]
    comments = fake_github.comments(7)
    assert len(comments) == 1 and "**Steps to reproduce**" in comments[0]
    assert not any(r.method == "PATCH" and r.path[-9:] == "/issues/7" for r in fake_github.requests)  # never closes


@pytest.mark.usefixtures("ask_always")
def test_command_thanks_and_unlabels_after_an_edit(fake_github):
    fake_github.add_issue(7, "Crash on save", FORM_EMPTY)
    assert main(["missing-info", "--issue", "7"]) == 0
    fake_github.issues[7].body = FULL_BUG
    assert main(["missing-info", "--issue", "7"]) == 0
    assert fake_github.issue_labels(7) == []
    comments = fake_github.comments(7)
    assert len(comments) == 1 and command.THANKS_PREFIX in comments[0]
    assert fake_github.issues[7].state == "open"


@pytest.mark.usefixtures("ask_always")
def test_command_dry_run_writes_nothing(fake_github, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    fake_github.add_issue(7, "Crash", "")
    assert main(["missing-info", "--issue", "7", "--dry-run", "--label", "status: info needed"]) == 0
    assert fake_github.writes() == []
    assert "missing 4 item(s)" in capsys.readouterr().out
    assert "complete<<" in (tmp_path / "out").read_text()


@pytest.mark.usefixtures("ask_always")
def test_command_skips_maintainers_unless_asked(fake_github):
    fake_github.add_issue(7, "Crash", "", author_association="MEMBER")
    assert main(["missing-info", "--issue", "7"]) == 0
    assert fake_github.writes() == []
    assert main(["missing-info", "--issue", "7", "--check-maintainers"]) == 0
    assert fake_github.issue_labels(7) == ["needs more info"]


@pytest.mark.usefixtures("ask_always")
def test_command_from_an_event_file(fake_github, tmp_path):
    fake_github.add_issue(7, "Crash", "")
    payload = {
        "action": "opened",
        "issue": {
            "number": 7,
            "title": "Crash",
            "body": "",
            "labels": [],
            "user": {"login": "alice", "type": "User"},
            "state": "open",
            "author_association": "NONE",
        },
    }
    (tmp_path / "event.json").write_text(json.dumps(payload))
    assert main(["missing-info", "--event", str(tmp_path / "event.json")]) == 0
    assert fake_github.issue_labels(7) == ["needs more info"]


def test_command_model_method_needs_a_model(fake_github, capsys):
    fake_github.add_issue(7, "Crash", "")
    assert main(["missing-info", "--issue", "7", "--method", "model"]) == 1
    assert "--method model needs --model-path" in capsys.readouterr().err


@pytest.mark.usefixtures("ask_always")
def test_command_llm_method_against_the_fake(fake_github, fake_llm, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    fake_github.add_issue(7, "Crash", FORM_EMPTY)
    fake_llm.enqueue({"complete": False, "missing": ['"Steps to reproduce"'], "remarks": "No steps."})
    assert main(["missing-info", "--issue", "7", "--method", "llm"]) == 0  # OPENAI_API_KEY picks openai
    assert fake_llm.requests[-1].route == "openai"
    assert "**Steps to reproduce**" in fake_github.comments(7)[0]


def test_command_llm_method_without_a_key(fake_github, monkeypatch, capsys):
    fake_github.add_issue(7, "Crash", "")
    assert main(["missing-info", "--issue", "7", "--method", "llm"]) == 1
    assert "--method llm needs a key" in capsys.readouterr().err


# the composite action under act ------------------------------------------------------------------

WORKFLOW = """\
name: missing-info
on:
  issues:
    types: [opened, edited]
permissions: {}
jobs:
  check:
    runs-on: ubuntu-latest
    permissions: {contents: read, issues: write}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with: {persist-credentials: false}
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0
        with: {python-version: "3.12"}
      - id: check
        uses: ./actions/missing-info
        with: {label: "status: needs info", exempt-labels: "wip skip-check"}
      - shell: bash
        env: {COMPLETE: "${{ steps.check.outputs.complete }}"}
        run: echo "complete output=$COMPLETE"
"""


@pytest.mark.act
def test_action_under_act(run_act, act_repo, fake_github, tmp_path):
    fake_github.add_issue(7, "Crash on save", FORM_EMPTY)
    (act_repo / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    (act_repo / ".github" / "ISSUE_TEMPLATE" / "bug.md").write_text("## Steps to reproduce\n\n## Expected behavior\n")
    (act_repo / ".github" / "workflows" / "missing-info-test.yml").write_text(WORKFLOW)
    event = tmp_path / "opened.json"
    event.write_text(
        json.dumps(
            {
                "action": "opened",
                "repository": {"full_name": "acme/widgets"},
                "issue": {
                    "number": 7,
                    "title": "Crash on save",
                    "body": FORM_EMPTY,
                    "labels": [],
                    "state": "open",
                    "author_association": "NONE",
                    "user": {"login": "alice", "type": "User"},
                },
            }
        )
    )
    result = run_act(
        "issues",
        event,
        ".github/workflows/missing-info-test.yml",
        act_repo,
        env={"GITHUB_API_URL": fake_github.url, "GITHUB_REPOSITORY": "acme/widgets", "LABELER_GITHUB_PACE": "0"},
    )
    assert result.job_results == {"check": "success"}, result.log()
    assert "complete output=false" in result.log()
    assert fake_github.issue_labels(7) == ["status: needs info"]
    assert len(fake_github.comments(7)) == 1 and "**Steps to reproduce**" in fake_github.comments(7)[0]
    assert any("Missing information" in s for s in result.summaries)
