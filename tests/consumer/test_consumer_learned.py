"""A consumer repository with a labeled history and no model key, run by act against the GitHub stand-in: the
issue-labeler drop-in learns the repository's labels on the first issue, keeps the model in the (stubbed) Actions
cache, and the next issue reuses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from consumer.test_consumer_dropins import PROVENANCE, env, issue_event
from labeler.examples import read_jsonl
from labeler.label_issue.labeling import MARKER

pytestmark = pytest.mark.act
HISTORY = Path(__file__).resolve().parents[2] / "examples" / "history.jsonl"
CRASH = (
    "App crashes with a traceback when saving an empty widget",
    "Steps to reproduce:\n1. create a widget\n2. leave every field empty and press Save\n\n"
    '```\nTraceback (most recent call last):\n  File "widgets/save.py", line 88, in save\n'
    "ValueError: widget has no fields\n```\n\nExpected result: an error message instead of a crash.\n\nVersion: 2.3.1",
)
QUESTION = ("How do I change the widget colour?", "The widgets on my dashboard are grey. Where is the colour set?")


def listings(fake_github, since=0):
    return [r for r in fake_github.requests[since:] if r.method == "GET" and r.path == "/repos/acme/widgets/issues"]


def opened(fake_github, tmp_path, number, title, body):
    fake_github.add_issue(number, title, body)
    return issue_event(tmp_path, f"opened-{number}", number=number, title=title, body=body)


def test_the_default_learns_the_repository_once_and_reuses_it(consumer, run_consumer, fake_github, tmp_path):
    repo = consumer("issue-labeler.yml")
    for n, e in enumerate(read_jsonl(str(HISTORY)), start=1):  # 131 labeled issues: the repository's history
        fake_github.add_issue(n, e.title, e.body, labels=list(e.labels), state="closed")
    cache = tmp_path / "actions-cache"

    result = run_consumer(
        repo,
        "issues",
        opened(fake_github, tmp_path, 500, *CRASH),
        "issue-labeler.yml",
        env=env(fake_github),
        cache_dir=cache,
    )
    assert result.ok, result.log()
    labels = fake_github.issue_labels(500)
    assert {"bug", PROVENANCE} <= set(labels) and not {"question", "enhancement", "needs-triage"} & set(labels)
    assert len(listings(fake_github)) == 2  # the history, read once: two pages of 100
    assert "stub cache-save path=.labeler/model" in result.log()
    assert (cache / ".labeler" / "model" / "meta.json").is_file()
    [audit] = [c for c in fake_github.comments(500) if c.startswith(MARKER)]
    assert "learned from 125 labeled issues of this repository" in audit and "`bug` at " in audit
    assert "measured precision" in audit

    before = len(fake_github.requests)
    result = run_consumer(
        repo,
        "issues",
        opened(fake_github, tmp_path, 501, *QUESTION),
        "issue-labeler.yml",
        env=env(fake_github),
        cache_dir=cache,
    )
    assert result.ok, result.log()
    labels = fake_github.issue_labels(501)
    assert {"question", PROVENANCE} <= set(labels) and not {"bug", "enhancement", "needs-triage"} & set(labels)
    assert listings(fake_github, before) == []  # no second learning: the cached model answered
    assert "learning the repository's labels" not in result.log()
    assert "stub cache-restore path=.labeler/model restored" in result.log()
    assert "stub cache-save" not in result.log()
