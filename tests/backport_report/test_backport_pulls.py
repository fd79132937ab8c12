"""Pull request labels as backport decisions: which PR brought each commit (GitHub merge commits and
squash subjects, in a real git repository), the labels read from the GitHub stand-in, how they
decide next to the commit's own message and the git facts, and what happens when GitHub fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.backport_report.helpers import commit, git, init

from labeler import git as labeler_git
from labeler.backport_report import fate, pulls, rules_config
from labeler.backport_report.facts import Facts, note
from labeler.backport_report.refs import Item
from labeler.backport_report.relations import relate
from labeler.backport_report.rules_config import RulesConfig
from labeler.cli import main

CONFIG = RulesConfig().with_versions(None, (), ("v254-stable",))  # systemd: versions without a minor


def _merge(repo: Path, branch: str, number: int, day: int) -> str:
    date = f"2023-07-{day:02d}T10:00:00+00:00"
    git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        branch,
        "-m",
        f"Merge pull request #{number} from someone/{branch}\n\nTitle of {branch}",
        date=date,
    )
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def prs(tmp_path: Path) -> dict[str, Any]:
    """main: v254 tag and a v254-stable branch; then PR #101 (two commits, merged), a direct push,
    PR #102 (one commit, which merged main into itself first), a squash-merged "(#103)" commit and
    PR #104 whose branch holds a commit of its own and the already merged #101 commits."""
    p = init(tmp_path / "systemd")
    s: dict[str, Any] = {"path": p}
    commit(p, "initial", {"src/core/unit.c": "unit\n", "src/udev/net.c": "net\n", "man/unit.xml": "<x/>\n"})
    git(p, "tag", "v254")
    git(p, "branch", "v254-stable")
    git(p, "checkout", "-q", "-b", "pr101")
    s["a1"] = commit(p, "core: fix a crash when the unit file is empty", {"src/core/unit.c": "unit 2\n"}, day=2)
    s["a2"] = commit(p, "test: cover an empty unit file", {"test/empty.sh": "t\n"}, day=3)
    git(p, "checkout", "-q", "master")
    s["direct"] = commit(p, "man: fix a typo", {"man/unit.xml": "<y/>\n"}, day=4)
    s["m101"] = _merge(p, "pr101", 101, 5)
    git(p, "checkout", "-q", "-b", "pr102", s["direct"])
    s["b1"] = commit(p, "udev: rename the new property", {"src/udev/net.c": "net 2\n"}, day=6)
    git(p, "merge", "-q", "--no-ff", "master", "-m", "Merge branch 'main' into pr102", date="2023-07-07T10:00:00+00:00")
    git(p, "checkout", "-q", "master")
    s["m102"] = _merge(p, "pr102", 102, 8)
    s["squash"] = commit(p, "core: do not leak the unit name (#103)", {"src/core/unit.c": "unit 3\n"}, day=9)
    git(p, "checkout", "-q", "-b", "pr104")
    s["c1"] = commit(p, "udev: log the interface name", {"src/udev/net.c": "net 3\n"}, day=10)
    git(p, "checkout", "-q", "master")
    s["m104"] = _merge(p, "pr104", 104, 11)
    return s


def test_each_commit_maps_to_the_pull_request_that_brought_it(prs):
    every = labeler_git.log(str(prs["path"]), f"v254..{prs['m104']}")
    mapped = pulls.by_commit(every, prs["m104"])
    assert mapped == {prs["a1"]: 101, prs["a2"]: 101, prs["b1"]: 102, prs["squash"]: 103, prs["c1"]: 104}
    assert prs["direct"] not in mapped  # pushed to main: no pull request


def test_a_range_without_merges_or_squash_subjects_maps_nothing(prs):
    every = labeler_git.log(str(prs["path"]), f"v254..{prs['direct']}")
    assert pulls.by_commit(every, prs["direct"]) == {}
    assert pulls.by_commit([], "0" * 40) == {}


@pytest.mark.parametrize(
    "ref, name",
    [
        ("origin/v254-stable", "v254-stable"),
        ("upstream/2.8", "2.8"),
        ("refs/remotes/origin/2.8", "2.8"),
        ("refs/heads/release/2.8", "release/2.8"),
        ("2.8", "2.8"),
        ("release/2.8", "release/2.8"),
    ],
)
def test_branch_names_as_labels_name_them(ref, name):
    assert pulls.branch_name(ref) == name


def test_the_listing_starts_a_day_before_the_oldest_commit_in_utc():
    dates = ["2023-07-02T01:00:00+02:00", "2023-07-01T23:30:00+00:00", "not a date", ""]
    assert pulls.listing_since(dates) == "2023-06-30T23:00:00Z"  # 01:00+02:00 is the older instant
    assert pulls.listing_since(["2023-07-02T10:00:00"]) == "2023-07-01T10:00:00Z"  # no zone: read as UTC
    assert pulls.listing_since(["garbage"]) is None and pulls.listing_since([]) is None


def test_placeholders_expand_for_every_stable_version_and_branch():
    rules = pulls.expand(
        {"yes": ["backport {branch}", "needs backport to {version}", "plain"], "no": ["nope"]}, ["2.8", "2.6"], ["2.8"]
    )
    assert [(r.name, r.verdict) for r in rules] == [
        ("nope", "no"),
        ("backport 2.8", "yes"),
        ("needs backport to 2.8", "yes"),
        ("needs backport to 2.6", "yes"),
        ("plain", "yes"),
    ]
    assert pulls.expand({"yes": ["backport {branch}"]}, ["2.8"], []) == []  # no branch: nothing to match
    assert pulls.verdict_of({"Needs-Stable-Backport"}, CONFIG.label_rules()).verdict == "yes"
    assert pulls.verdict_of({"needs-stable-backport", "no-backport"}, CONFIG.label_rules()).verdict == "no"
    assert pulls.verdict_of({"bug", "backport v254-stable"}, CONFIG.label_rules()).name == "backport v254-stable"
    assert pulls.verdict_of({"bug"}, CONFIG.label_rules()) is None


def _decide(
    messages: list[str],
    labels: dict[int, set[str]],
    *,
    by_pull: dict[str, int] | None = None,
    tree: set[str] | None = None,
    files: dict[str, tuple[str, ...]] | None = None,
    config: RulesConfig = CONFIG,
) -> list[tuple[str, str, str]]:
    items = [Item(f"{i:040x}", m.split("\n", 1)[0], m) for i, m in enumerate(messages, 1)]
    by_pull = by_pull if by_pull is not None else {it.sha: 7 for it in items}
    facts = Facts(
        files=files or {it.sha: ("src/core/unit.c",) for it in items},
        stable_tree=frozenset(tree if tree is not None else {"src/core/unit.c"}),
        pulls=by_pull,
        pr_labels={n: frozenset(v) for n, v in labels.items()},
    )
    decisions, _ = fate.classify(items, config, facts, relate(items))
    return [(d.verdict, d.source, d.reason) for d in decisions]


def test_a_labelled_pull_request_decides_for_its_commits():
    out = _decide(["core: tidy up the unit loader", "core: add a knob"], {7: {"needs-stable-backport"}})
    assert [(v, s) for v, s, _ in out] == [("yes", "pr-label"), ("yes", "pr-label")]
    assert out[0][2] == 'pull request #7 is labelled "needs-stable-backport"'
    assert _decide(["core: fix a crash (#7)"], {7: {"no-backport"}})[0][:2] == ("no", "pr-label")


def test_without_a_label_the_git_rules_decide_as_before():
    assert _decide(["core: tidy up the unit loader"], {})[0][:2] == ("no", "default")
    assert _decide(["core: tidy up"], {8: {"needs-stable-backport"}})[0][:2] == ("no", "default")  # another PR


def test_the_commit_message_a_release_and_absent_code_win_over_the_label():
    labels = {7: {"needs-stable-backport"}}
    said = _decide(["core: knob\n\nNo backport needed, this is only in the dev branch."], labels)
    assert said[0][:2] == ("no", "instruction")
    assert _decide(["Bump version to 255"], labels)[0][:2] == ("no", "release")
    absent = _decide(["test: add a new test"], labels, files={f"{1:040x}": ("test/new.sh",)})
    assert absent[0][:2] == ("no", "absent")
    asked = _decide(["core: fix\n\nThis must be backported to 254."], {7: {"no-backport"}})
    assert asked[0][:2] == ("yes", "instruction")


def test_a_labelled_fix_follows_the_dev_commit_it_fixes():
    first = "core: add the new knob"
    out = _decide(
        [first, f'core: fix the knob\n\nFixes: {1:040x} ("{first}")'],
        {7: {"needs-stable-backport"}},
        by_pull={f"{2:040x}": 7},
    )
    assert out[0][:2] == ("no", "default")
    assert out[1][0] == "no" and out[1][1] == "follows"  # its culprit stays behind: so does the fix


def test_a_labelled_series_pulls_its_unlabelled_prerequisite_in():
    first = "core: add a helper"
    out = _decide(
        [first, f'core: fix the crash\n\nThis needs commit {1:040x} ("{first}").'],
        {7: {"needs-stable-backport"}},
        by_pull={f"{2:040x}": 7},
    )
    assert out[1][:2] == ("yes", "pr-label") and out[0][:2] == ("yes", "needed")


def test_configured_labels_replace_the_defaults_and_an_empty_list_turns_them_off():
    config = rules_config.parse("pr_labels:\n  wait: ['stable: after soak']\n  yes: []\n", "r.yml").with_versions(
        None, ()
    )
    assert config.pr_labels["no"] == ("no-backport", "no backport", "skip-backport")  # defaults kept
    assert _decide(["core: knob"], {7: {"needs-stable-backport"}}, config=config)[0][:2] == ("no", "default")
    assert _decide(["core: knob"], {7: {"stable: after soak"}}, config=config)[0][:2] == ("wait", "pr-label")


def test_the_model_prompt_names_the_label_and_nothing_for_unlabelled_prs():
    sha = "a" * 40
    facts = Facts(pulls={sha: 12}, pr_labels={12: frozenset({"needs-stable-backport"})})
    assert "- brought by pull request #12, labelled needs-stable-backport" in note(sha, facts, relate([]), {})
    assert note(sha, Facts(pulls={sha: 12}), relate([]), {}) == ""


# ------------------------------------------------------------------ the command, with the GitHub stand-in


def _run(prs: dict[str, Any], tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "report.json"
    code = main(
        [
            "backport-report",
            "--repo",
            str(prs["path"]),
            "--since",
            "v254",
            "--stable",
            "v254-stable",
            "--json",
            str(out),
            *extra,
        ]
    )
    return code, (json.loads(out.read_text()) if out.exists() else {})


def _by_subject(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["subject"]: c for c in report["commits"]}


def test_the_command_reads_the_labels_from_github(prs, tmp_path, fake_github):
    fake_github.add_pr(101, labels=["needs-stable-backport"], merged=True)
    fake_github.add_pr(102, labels=["no-backport"], merged=True)
    fake_github.add_pr(104, labels=["enhancement"], merged=True)
    fake_github.add_pr(200, labels=["needs-stable-backport"], merged=True)  # not in the range
    code, report = _run(prs, tmp_path)
    assert code == 0
    got = _by_subject(report)
    assert got["core: fix a crash when the unit file is empty"]["kind"] == "pr-label:yes"
    assert got["core: fix a crash when the unit file is empty"]["pull_request"] == 101
    assert got["core: fix a crash when the unit file is empty"]["confidence"] == 0.8  # the prior: no cycle has labels
    assert got["test: cover an empty unit file"]["kind"] == "absent:no"  # a new file: not on stable
    assert got["udev: rename the new property"]["kind"] == "pr-label:no"
    assert got["udev: log the interface name"]["kind"] != "pr-label:yes"
    assert got["man: fix a typo"]["pull_request"] is None
    assert report["pull_requests"] == {"mapped": 5, "labelled": 3}
    listed = [r for r in fake_github.requests if r.method == "GET" and r.path.endswith("/issues")]
    assert listed and all(r.query.get("since") == "2023-06-01T10:00:00Z" for r in listed)  # oldest (June 2) - 1 day
    assert len(listed) == len({r.name for r in CONFIG.label_rules()})  # one listing per label name, one page each
    assert {r.query["labels"] for r in listed} >= {"needs-stable-backport", "backport v254-stable"}


def test_no_token_reads_nothing_and_on_says_what_is_missing(prs, tmp_path, monkeypatch, _network_guard):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/widgets")
    code, report = _run(prs, tmp_path)
    assert code == 0 and report["pull_requests"] == {"mapped": 5, "labelled": 0}
    code, _ = _run(prs, tmp_path, "--pr-labels", "on")
    assert code == 1


@pytest.mark.parametrize("status", [401, 403, 404, 502])
def test_a_github_failure_warns_in_auto_and_fails_with_on(prs, tmp_path, fake_github, capsys, status):
    fake_github.add_pr(101, labels=["needs-stable-backport"], merged=True)
    fake_github.fail("GET", r"/issues$", status=status, times=50)
    code, report = _run(prs, tmp_path)
    err = capsys.readouterr()
    assert code == 0 and report["pull_requests"]["labelled"] == 0
    assert "pull request labels were not read, verdicts use git alone" in err.out + err.err
    assert "Traceback" not in err.out + err.err
    code, _ = _run(prs, tmp_path, "--pr-labels", "on")
    assert code == 1


@pytest.mark.parametrize("body", [{"message": "not a list"}, ["x", 5, {"number": "7"}, {"pull_request": None}], None])
def test_a_garbled_listing_labels_nothing_and_never_crashes(prs, tmp_path, fake_github, body):
    fake_github.add_pr(101, labels=["needs-stable-backport"], merged=True)
    fake_github.fail("GET", r"/issues$", status=200, times=50, body=body)
    code, report = _run(prs, tmp_path)
    assert code == 0 and report["pull_requests"] == {"mapped": 5, "labelled": 0}


def test_a_failure_halfway_through_the_listings_reads_no_label(prs, tmp_path, fake_github, capsys):
    """All or nothing: verdicts do not depend on which listing happened to fail."""
    fake_github.add_pr(101, labels=["needs-stable-backport"], merged=True)
    fake_github.fail("GET", r"/issues$", status=502, times=50, skip=2)
    code, report = _run(prs, tmp_path)
    assert code == 0 and report["pull_requests"]["labelled"] == 0
    err = capsys.readouterr()
    assert "verdicts use git alone" in err.out + err.err


def test_off_never_asks_github(prs, tmp_path, fake_github):
    fake_github.add_pr(101, labels=["needs-stable-backport"], merged=True)
    code, report = _run(prs, tmp_path, "--pr-labels", "off")
    assert code == 0 and not [r for r in fake_github.requests if r.path.endswith("/issues")]
    assert _by_subject(report)["core: fix a crash when the unit file is empty"]["kind"] != "pr-label:yes"


def test_a_range_without_pull_requests_asks_github_nothing(prs, tmp_path, fake_github):
    out = tmp_path / "r.json"
    code = main(
        [
            "backport-report",
            "--repo",
            str(prs["path"]),
            "--since",
            "v254",
            "--until",
            prs["direct"],
            "--stable",
            "v254-stable",
            "--json",
            str(out),
        ]
    )
    assert code == 0 and not fake_github.requests
    assert "pull_requests" not in json.loads(out.read_text())
