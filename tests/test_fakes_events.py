"""Webhook fixtures (tests/events/), the event_file/actions_env fixtures and the network guard."""

from __future__ import annotations

import json
import os
import socket

import pytest

from conftest import parse_github_file
from fakes import NetworkBlocked, webhooks
from fakes.events import REMOVE, load_event, names

NEEDS_PACKAGES = pytest.mark.skipif(
    not webhooks.available(), reason="@octokit/webhooks-* not installed (bash tests/fakes/fetch_assets.sh)"
)


def test_every_source_has_a_fixture():
    assert names() == sorted(webhooks.SOURCES)


@pytest.mark.parametrize("name", sorted(webhooks.SOURCES))
def test_fixture_structure(name):
    p = load_event(name)
    text = json.dumps(p).lower()
    assert not any(old in text for old in ("codertocat", "hello-world", "octo-org", "octocoders"))
    assert "installation" not in p
    assert (p["repository"]["full_name"], p["repository"]["name"], p["repository"]["owner"]["login"]) == (
        "acme/widgets",
        "widgets",
        "acme",
    )
    assert p["sender"]["login"] in ("alice", "bob") and p["sender"]["type"] == "User"
    if "issue" in p:
        issue = p["issue"]
        assert {"number", "title", "body", "user", "labels", "author_association", "state", "comments"} <= set(issue)
        assert issue["user"]["login"] == "alice" and issue["labels"][0]["name"] == "bug"
        assert ("pull_request" in issue) == name.endswith(".pr")
    if "comment" in p:
        assert {"id", "body", "user", "author_association"} <= set(p["comment"])
        assert p["comment"]["user"]["login"] == "bob" and p["comment"]["author_association"] == "MEMBER"
    if name.endswith(".edited"):
        assert p["changes"]["body"]["from"]
    if name == "pull_request.opened":
        assert p["number"] == p["pull_request"]["number"] == 2
        assert len(p["pull_request"]["head"]["sha"]) == 40 and p["pull_request"]["head"]["repo"]["full_name"]


@NEEDS_PACKAGES
@pytest.mark.parametrize("name", sorted(webhooks.SOURCES))
def test_fixture_is_reproducible_and_valid(name):
    examples, schema = webhooks.load_examples(), webhooks.load_schema()
    full = webhooks.build(name, examples)
    assert webhooks.strict_errors(schema, name, full) == []
    assert webhooks.trim(full) == load_event(name)
    assert webhooks.lenient_errors(schema, name, load_event(name)) == []


@NEEDS_PACKAGES
def test_lenient_validation_still_catches_wrong_values():
    schema = webhooks.load_schema()
    bad = load_event(
        "issue_comment.created", comment={"author_association": "BOSS", "id": "12"}, issue={"state": "shut"}
    )
    errors = webhooks.lenient_errors(schema, "issue_comment.created", bad)
    assert any("BOSS" in e for e in errors) and any("'12'" in e for e in errors)
    trimmed_away = load_event("issue_comment.created", comment={"url": REMOVE})
    assert webhooks.lenient_errors(schema, "issue_comment.created", trimmed_away) == []


def test_event_file_overrides_and_env(event_file):
    path = event_file(
        "issue_comment.created.pr", comment={"body": "/precheck", "user": {"login": "carol"}}, sender=REMOVE
    )
    payload = json.loads(path.read_text())
    assert payload["comment"]["body"] == "/precheck" and payload["comment"]["user"]["login"] == "carol"
    assert payload["comment"]["user"]["type"] == "User"  # merged, not replaced
    assert "sender" not in payload and payload["issue"]["number"] == 2
    assert os.environ["GITHUB_EVENT_PATH"] == str(path) and os.environ["GITHUB_EVENT_NAME"] == "issue_comment"
    with pytest.raises(FileNotFoundError, match="have: "):
        event_file("issues.nope")


def test_actions_env_reads_back_outputs_and_summary(actions_env):
    from labeler import runner

    runner.set_output("labels", "bug\ntriage")
    runner.set_output("count", "2")
    with open(os.environ["GITHUB_OUTPUT"], "a") as f:
        f.write("plain=value=with=equals\n")
    runner.summary("## Result\n")
    assert actions_env.outputs() == {"labels": "bug\ntriage", "count": "2", "plain": "value=with=equals"}
    assert "## Result" in actions_env.summary()


@pytest.mark.parametrize("text, error", [("x<<EOF\nno end\n", "unterminated"), ("garbage\n", "malformed")])
def test_parse_github_file_rejects_broken_files(text, error):
    with pytest.raises(ValueError, match=error):
        parse_github_file(text)


def test_environment_is_scrubbed():
    leaked = [
        k
        for k in os.environ
        if k.startswith(("GITHUB_", "LABELER_", "ANTHROPIC_", "OPENAI_"))
        or k.endswith(("_API_KEY", "_BASE_URL", "_TOKEN"))
    ]
    assert leaked == []


def test_network_guard_blocks_non_loopback(_network_guard):
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("api.github.com", 443)
    import github

    with pytest.raises(NetworkBlocked):
        github.Github(retry=0).get_repo("acme/widgets").full_name
    assert len(_network_guard) == 3
    _network_guard.clear()  # expected here; otherwise the guard fails the test at teardown
    with socket.create_server(("127.0.0.1", 0)) as server:
        socket.create_connection(server.getsockname(), timeout=1).close()
