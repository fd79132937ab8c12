"""The missing-info drop-in workflow, end to end under act against the GitHub stand-in."""

import json

import pytest

pytestmark = pytest.mark.act


TEMPLATE = """\
name: Bug report
description: Something is broken
body:
  - type: input
    attributes: {label: Version}
  - type: textarea
    attributes: {label: Steps to reproduce}
"""


def test_incomplete_bug_report_gets_one_label_and_one_comment(run_act, act_repo, fake_github, tmp_path):
    # No history yet: the default asks only for a section of the repository's own template left empty.
    (act_repo / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    (act_repo / ".github" / "ISSUE_TEMPLATE" / "bug.yml").write_text(TEMPLATE)
    body = "### Version\n\n### Steps to reproduce\n\nIt does not work @maintainers"
    fake_github.add_issue(4, "Crash on start", body, labels=["bug"])
    event = {
        "action": "opened",
        "repository": {"full_name": "acme/widgets", "name": "widgets", "owner": {"login": "acme"}},
        "sender": {"login": "alice", "type": "User"},
        "issue": {
            "number": 4,
            "title": "Crash on start",
            "body": body,
            "user": {"login": "alice", "type": "User"},
            "labels": [{"name": "bug"}],
            "state": "open",
            "comments": 0,
            "author_association": "NONE",
        },
    }
    path = tmp_path / "opened.json"
    path.write_text(json.dumps(event))
    env = {"GITHUB_API_URL": fake_github.url, "GITHUB_REPOSITORY": "acme/widgets"}
    result = run_act("issues", path, ".github/workflows/missing-info.yml", act_repo, env=env)
    assert result.ok, result.log()
    assert "needs more info" in fake_github.issue_labels(4)
    [comment] = fake_github.comments(4)
    assert "Version" in comment and "@maintainers" not in comment
    assert "expected" not in comment  # held back: not a section of the template, and nothing measured yet
    assert result.outputs["complete"] == "false"
    assert any("Too little history" in s for s in result.summaries)
