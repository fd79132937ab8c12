"""Git-aware rules, dependencies and later fixes, confidence, wait -> ready: pure functions, and a
real repository where a fix needs its parent and the page's cid_y list must cherry-pick cleanly."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest

from backport_report.helpers import commit, git, init
from backport_report.test_backport_browser import Page, browser  # noqa: F401 -- the module's Chromium fixture
from labeler.backport_report import confidence, fate, ready
from labeler.backport_report.facts import Facts, note
from labeler.backport_report.refs import Item
from labeler.backport_report.relations import relate
from labeler.backport_report.rules_config import RulesConfig
from labeler.cli import main
from labeler.errors import UserError

CONFIG = RulesConfig().with_versions("2.9", ("2.8",))


def sha(n):
    return f"{n:02d}" + "cd" * 19


def items(*messages):
    return [Item(sha(i), m.split("\n", 1)[0], m) for i, m in enumerate(messages, 1)]


def verdicts(its, facts=None):
    decisions, rel = fate.classify(its, CONFIG, facts)
    return [(d.verdict, d.source) for d in decisions], rel


def test_relations_read_needs_fixes_and_their_inverses():
    its = items(
        "MINOR: a: add a helper",
        "BUG/MINOR: a: fix the helper\n\nThis was introduced by commit " + sha(1)[:10] + ".",
        "BUG/MEDIUM: b: fix a crash\n\nThis must be backported to 2.8 with commit " + sha(1)[:10] + ".",
        'Revert "MINOR: a: add a helper"',
        'BUG/MINOR: c: fix\n\nFixes: 0badc0ffee12 ("older")',
    )
    rel = relate(its)
    assert rel.fixes == {sha(2): [sha(1)], sha(4): [sha(1)]} and rel.fixed_by == {sha(1): [sha(2), sha(4)]}
    assert rel.depends_on == {sha(3): [sha(1)]} and rel.needed_by == {sha(1): [sha(3)]}
    assert rel.fixes_outside == {sha(5): ["0badc0ffee12"]}


def test_git_aware_rules_release_absent_and_fate():
    its = items(
        "[RELEASE] Released version 2.9-dev1",
        "BUG/MINOR: new: fix a crash in the new code",
        "BUG/MINOR: new: fix it again\n\nThis must be backported to 2.8.",
        "MINOR: a: add a helper",
        "BUG/MINOR: a: fix the helper\n\nIntroduced by " + sha(4)[:10] + ".",
        "MEDIUM: b: feature",
        "BUG/MINOR: b: fix it\n\nThis must be backported to 2.8. Fixes: " + sha(6)[:10],
    )
    facts = Facts(
        files={sha(2): ("src/new.c",), sha(3): ("src/new.c",), sha(4): ("a.c",), sha(5): ("a.c",)},
        stable_tree=frozenset({"a.c", "b.c"}),
        on_stable=frozenset({sha(4)}),
        stable_name="2.8",
    )
    got, _ = verdicts(its, facts)
    assert got == [
        ("no", "release"),
        ("no", "absent"),
        ("yes", "instruction"),
        ("no", "default"),
        ("yes", "follows"),
        ("no", "default"),
        ("no", "follows"),
    ]


def test_a_fix_of_a_yes_goes_along_and_a_prerequisite_is_pulled_in():
    its = items(
        "BUG/MINOR: a: fix x\n\nThis must be backported to 2.8.",
        "BUG/MINOR: a: fix the fix\n\nFixes: " + sha(1)[:12],
        "MINOR: b: add a helper",
        "BUG/MEDIUM: b: fix y\n\nIt depends on commit " + sha(3)[:10] + ". Must be backported to 2.8.",
    )
    got, rel = verdicts(its)
    assert got == [("yes", "instruction"), ("yes", "follows"), ("yes", "lookahead"), ("yes", "instruction")]
    assert "Repository facts" in note(sha(4), Facts(), rel, {sha(3): "MINOR: b: add a helper"})
    assert 'depends on 03cdcdcd "MINOR: b: add a helper"' in note(
        sha(4), Facts(), rel, {sha(3): "MINOR: b: add a helper"}
    )


def test_confidence_fit_shrinks_small_kinds_and_caps_big_cycles():
    big = [("default:no", True)] * 900 + [("default:no", False)] * 100
    small = [("odd:yes", True)] * 2
    table = confidence.fit([big + small, [("default:no", True)] * 10])
    assert 0.85 < table["default:no"] < 0.92  # capped: the 1,000-commit cycle counts as 200
    assert table["odd:yes"] < 0.8  # two lucky commits do not make certainty
    assert confidence.confidence("model:yes", {}) == confidence.PRIOR["yes"]
    rows = confidence.reliability([(0.9, True), (0.9, False), (0.3, False)])
    assert rows == [("[0.00, 0.50)", 1, 0.3, 0.0), ("[0.90, 0.95)", 2, 0.9, 0.5)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-12-05", datetime(2023, 12, 5, tzinfo=UTC)),
        ("2023-12-05T10:00:00Z", datetime(2023, 12, 5, 10, tzinfo=UTC)),
        ("2023-12-05T10:00:00+02:00", datetime(2023, 12, 5, 8, tzinfo=UTC)),
    ],
)
def test_as_of_reads_dates_and_times(text, expected):
    assert ready.parse_as_of(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2023-13-01", "05/12/2023"])
def test_as_of_rejects_what_is_not_a_date(text):
    with pytest.raises(UserError, match="--as-of must be a date"):
        ready.parse_as_of(text)


def test_wait_ripens_after_the_observation_period():
    now = datetime(2023, 7, 1, tzinfo=UTC)
    wait = {"verdict": "wait", "reason": "wait a bit"}
    assert ready.ripen(wait, "2023-06-28T00:00:00+00:00", now, 14) == {**wait, "age_days": 3.0, "ready": False}
    ripe = ready.ripen(wait, "2023-06-01T00:00:00+00:00", now, 14)
    # past the period it stays a wait (never a silent yes), marked ready with the day it became so
    assert ripe["verdict"] == "wait" and ripe["ready"] and ripe["ready_since"] == "2023-06-15"
    assert ripe["reason"].startswith("Wait, ready since 2023-06-15 (observation period 14 days): wait a bit")
    assert ready.ripen({"verdict": "no", "reason": "x"}, "garbage", now, 14) == {"verdict": "no", "reason": "x"}


def cherry_repo(path):
    p = init(path)
    commit(p, "[RELEASE] Released version 2.8.0", {"src/a.c": "int a(void)\n{\n\treturn 0;\n}\n"})
    git(p, "tag", "v2.8.0")
    git(p, "branch", "2.8")
    git(p, "tag", "v2.9-dev0")
    parent = commit(p, "MINOR: a: add a limit", {"src/a.c": "int limit = 10;\nint a(void)\n{\n\treturn 0;\n}\n"}, day=3)
    commit(p, "MINOR: b: unrelated", {"src/b.c": "int b;\n"}, day=4)
    child = commit(
        p,
        f"BUG/MINOR: a: check the limit\n\nThis must be backported to 2.8. It depends on commit {parent[:10]}.",
        {"src/a.c": "int limit = 100;\nint a(void)\n{\n\treturn limit;\n}\n"},
        day=5,
    )
    return p, parent, child


def test_json_carries_links_and_confidence(tmp_path):
    p, parent, child = cherry_repo(tmp_path / "repo")
    assert main(["backport-report", "--repo", str(p), "--stable", "2.8", "--json", str(tmp_path / "r.json")]) == 0
    commits = {c["sha"]: c for c in json.loads((tmp_path / "r.json").read_text())["commits"]}
    assert commits[child]["depends_on"] == [parent] and commits[parent]["needed_by"] == [child]
    assert commits[parent]["verdict"] == "yes" and all(0 <= c["confidence"] <= 1 for c in commits.values())
    assert {"fixes", "fixed_by"} <= set(commits[child])


@pytest.mark.browser
def test_the_pages_cid_y_cherry_picks_cleanly_parents_first(browser, tmp_path):  # noqa: F811
    p, parent, child = cherry_repo(tmp_path / "repo")
    assert main(["backport-report", "--repo", str(p), "--stable", "2.8", "--html", str(tmp_path / "page.html")]) == 0
    tab = Page(browser, tmp_path / "page.html").open("#start=all")
    try:
        assert tab.command() == [parent, child]  # the prerequisite, pulled in by the Yes, shows Yes
        tab.tab.click(f'tr[data-sha="{parent}"] input.n')  # the maintainer says no: the Yes still needs it
        assert tab.command() == [child] and tab.needed() == [parent]  # not pasted: listed to confirm
        assert "needed" in tab.tab.get_attribute(f'tr[data-sha="{parent}"]', "class")
        tab.tab.click(f'tr[data-sha="{parent}"] input.y')  # confirmed
        picks = tab.command()
    finally:
        tab.tab.close()
    assert picks == [parent, child]
    git(p, "checkout", "-q", "2.8")
    lone = subprocess.run(["git", "-C", str(p), "cherry-pick", "-sx", child], capture_output=True, text=True)
    assert lone.returncode != 0  # the fix alone does not apply
    git(p, "cherry-pick", "--abort")
    git(p, "cherry-pick", "-sx", *picks)
    assert (p / "src/a.c").read_text() == "int limit = 100;\nint a(void)\n{\n\treturn limit;\n}\n"
