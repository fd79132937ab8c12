"""Options that do nothing in a run's mode say so once; links from the clone's remote; --as-of; a
pick after a conflict it needs is skipped."""

from __future__ import annotations

import json

import pytest

from backport_report.helpers import build_repo, commit, git, init
from labeler.backport_report import applycheck
from labeler.backport_report.command import unused
from labeler.backport_report.pipeline import web_url
from labeler.cli import main


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return build_repo(tmp_path_factory.mktemp("options") / "haproxy")


def base(repo, tmp_path, *extra):
    return [
        "backport-report",
        "--git-dir",
        str(repo.path),
        "--stable",
        "2.8",
        "--json",
        str(tmp_path / "r.json"),
        *extra,
    ]


def warnings(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]


def test_model_options_with_the_rules_provider_say_so_once(repo, tmp_path, capsys):
    assert main(base(repo, tmp_path, "--concurrency", "8", "--confident", "0.5")) == 0
    assert warnings(capsys) == [
        "warning: --concurrency does nothing with --provider rules (it applies to model calls)",
        "warning: --confident does nothing with --provider rules (it applies to model calls)",
    ]


def test_an_option_from_the_environment_counts_too(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LABELER_MODEL_SCOPE", "unsure")
    assert main(base(repo, tmp_path)) == 0
    assert warnings(capsys) == ["warning: --model-scope does nothing with --provider rules (it applies to model calls)"]


def test_defaults_and_used_options_say_nothing(repo, tmp_path, capsys):
    assert main(base(repo, tmp_path, "--cache", str(tmp_path / "c.json"), "--observation-days", "7")) == 0
    assert warnings(capsys) == []
    assert (tmp_path / "c.json").exists()  # the rules provider keeps the apply check there


def test_merge_and_check_cache_and_dry_run_name_what_they_ignore(repo, tmp_path, capsys):
    assert main(base(repo, tmp_path)) == 0
    capsys.readouterr()
    merged = ["backport-report", "--merge", str(tmp_path / "r.json"), "--json", str(tmp_path / "m.json")]
    assert main([*merged, "--git-dir", str(repo.path), "--as-of", "2023-12-01"]) == 0
    assert warnings(capsys) == [
        "warning: --git-dir does nothing with --merge (shard reports are merged, git is not read)",
        "warning: --as-of does nothing with --merge (shard reports are merged, git is not read)",
    ]
    assert main(["backport-report", "--check-cache", "--cache", str(tmp_path / "c.json"), "--stable", "2.8"]) == 0
    assert warnings(capsys) == ["warning: --stable does nothing with --check-cache (it only checks --cache)"]
    assert main(base(repo, tmp_path, "--dry-run")) == 0
    assert warnings(capsys) == ["warning: --json does nothing with --dry-run (nothing is written)"]


def test_unused_is_pure():
    assert unused({"provider": "anthropic", "concurrency": 8}, {"concurrency"}) == []
    assert unused({"provider": "rules"}, set()) == []


@pytest.mark.parametrize(
    "remote, url",
    [
        ("git@github.com:acme/haproxy.git", "https://github.com/acme/haproxy"),
        ("https://github.com/acme/haproxy.git", "https://github.com/acme/haproxy"),
        ("https://token@gitlab.example/group/sub/repo", "https://gitlab.example/group/sub/repo"),
        ("ssh://git@git.example:2222/acme/repo.git", "https://git.example/acme/repo"),
        ("/srv/git/haproxy.git", None),
        ("file:///srv/git/haproxy", None),
        ("https://evil.example/../x", None),
        (None, None),
    ],
)
def test_web_url_of_a_remote(remote, url):
    assert web_url(remote) == url


def test_as_of_reviews_a_past_cycle_as_it_stood(repo, tmp_path):
    assert main(base(repo, tmp_path, "--as-of", "2023-06-10")) == 0
    data = json.loads((tmp_path / "r.json").read_text())
    waited = next(c for c in data["commits"] if c["verdict"] == "wait")
    assert data["as_of"] == "2023-06-10T00:00:00+00:00" and waited["ready"] is False
    assert main(base(repo, tmp_path, "--as-of", "2024-01-01")) == 0
    waited = next(c for c in json.loads((tmp_path / "r.json").read_text())["commits"] if c["verdict"] == "wait")
    assert waited["ready"] is True and waited["ready_since"] <= "2024-01-01"


def test_as_of_garbage_is_a_user_error(repo, tmp_path, capsys):
    assert main(base(repo, tmp_path, "--as-of", "last tuesday")) == 1
    assert "--as-of must be a date" in capsys.readouterr().err


def test_a_pick_after_a_conflict_it_needs_is_skipped_and_the_rest_goes_on(tmp_path):
    p = init(tmp_path / "repo")
    commit(p, "root", {"a.c": "a0\n", "b.c": "b0\n"})
    git(p, "branch", "stable")
    git(p, "checkout", "-q", "stable")
    commit(p, "stable: a", {"a.c": "a-stable\n"}, day=2)
    git(p, "checkout", "-q", "master")
    first = commit(p, "change a", {"a.c": "a1\n"}, day=3)
    second = commit(p, "change a again", {"a.c": "a2\n"}, day=4)
    other = commit(p, "change b", {"b.c": "b1\n"}, day=5)
    parents = {first: git(p, "rev-parse", f"{first}^"), second: first, other: second}
    objects = git(p, "count-objects", "-v")
    results = applycheck.check(str(p), "stable", [first, second, other], parents, {second: [first]})
    assert results == {
        first: {"status": "conflict", "files": ["a.c"]},
        second: {"status": "skipped", "files": [], "after": first},
        other: {"status": "clean", "files": []},
    }
    # the scratch trees and commits went to a temporary object directory: the repository is unchanged
    assert git(p, "count-objects", "-v") == objects and git(p, "status", "--porcelain") == ""


def test_an_option_at_its_default_from_the_environment_says_nothing(repo, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LABELER_CONCURRENCY", "4")  # the action passes every input, defaults included
    assert main(base(repo, tmp_path)) == 0
    assert warnings(capsys) == []
