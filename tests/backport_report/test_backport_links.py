"""How messages link commits, what the pick list holds, and the apply check: real sentences of
HAProxy cycles for each kind of link, both ways, and a repository whose stable branch has diverged."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from backport_report.helpers import commit, git, init
from backport_report.test_backport_browser import Page, browser  # noqa: F401 -- the module's Chromium fixture
from labeler.backport_report import fate, picklist, summary
from labeler.backport_report.refs import Item
from labeler.backport_report.relations import relate
from labeler.backport_report.rules_config import RulesConfig
from labeler.cli import main

CONFIG = RulesConfig().with_versions("2.9", ("2.8",))
EARLIER = "MINOR: ring: add a function to compute max ring payload"


def sha(n):
    return f"{n:02d}" + "ef" * 19


def pair(sentence, subject="BUG/MEDIUM: x: fix y"):
    """The earlier commit (quoted by id and subject in `sentence`) and the one saying it."""
    text = sentence.format(id=sha(1)[:9], subject=EARLIER)
    return [Item(sha(1), EARLIER, EARLIER), Item(sha(2), subject, f"{subject}\n\n{text}")]


# Sentences as HAProxy developers wrote them (ids and subjects replaced by the earlier commit's).
FIXES = [
    'Commit {id} ("{subject}") forgot -1 on the tgid, thus the groups was not always correctly tested.',
    'sft freeing attempt made in {id} ("{subject}") is incomplete, because sink->sft is meant to be a list.',
    'As found by Coverity, the fix in commit {id} ("{subject}") was still not enough, as scf/scb are dereferenced.',
    'This was introduced in 2.9-dev4 by commit {id} ("{subject}") and detected after a few hours of runtime.',
    'When support for the keyword was added in {id} ("{subject}"), we forgot to copy the attribute.',
    "I was careful to have it for sock_unix.c but missed it for sock_inet which broke with commit {id}.",
]
NOT_FIXES = [
    'The problem was further amplified in 2.9-dev3 with commit {id} ("{subject}") because it now becomes possible.',
    'This bug was revealed by {id} ("{subject}")',
    'Thanks to the ring_max_payload() function introduced in "{subject}", we can now deduce the maximum value.',
    'TARGET_BUFFER still leverages the proper sink API, but thanks to "{subject}" we now explicitly pass the maxlen.',
]


@pytest.mark.parametrize("sentence", FIXES)
def test_wording_that_says_this_commit_repairs_that_one_makes_fixes(sentence):
    rel = relate(pair(sentence))
    assert rel.fixes == {sha(2): [sha(1)]} and rel.fixed_by == {sha(1): [sha(2)]}


@pytest.mark.parametrize("sentence", NOT_FIXES)
def test_where_code_came_from_or_got_worse_is_no_fix(sentence):
    rel = relate(pair(sentence))
    assert rel.fixes == {} and rel.fixed_by == {}


@pytest.mark.parametrize("sentence", NOT_FIXES[2:])
def test_a_function_this_commit_uses_is_a_dependency(sentence):
    rel = relate(pair(sentence))
    assert rel.depends_on == {sha(2): [sha(1)]} and rel.needed_by == {sha(1): [sha(2)]}


def test_an_amplifier_is_not_pulled_in_and_the_fix_keeps_its_instruction():
    its = pair(NOT_FIXES[0] + "\n\nThis must be backported as far as 2.2.", "BUG/MEDIUM: pool: fix releasable pools")
    its[0] = Item(sha(1), "MAJOR: pools: move the shared free_list over buckets", "MAJOR: pools: move it")
    decisions, rel = fate.classify(its, CONFIG)
    assert [(d.verdict, d.source) for d in decisions] == [("no", "default"), ("yes", "instruction")]
    assert rel.depends_on == {} and rel.fixes == {}


def test_thanks_to_an_earlier_function_keeps_the_real_instruction_as_reason():
    text = NOT_FIXES[2] + " This may be backported as far as 2.2."
    decisions, _ = fate.classify(pair(text), CONFIG)
    assert decisions[1].verdict == "yes" and "may be backported as far as 2.2" in decisions[1].reason


def test_release_commits_take_part_in_no_relation():
    release = "[RELEASE] Released version 2.9-dev8\n\nReleased version 2.9-dev8 with the following main changes :\n"
    release += f"    - {EARLIER}\n    - BUG/MEDIUM: x: fix y (introduced by {sha(1)[:9]})\n"
    its = [
        Item(sha(1), EARLIER, EARLIER),
        Item(sha(2), "BUG/MEDIUM: x: fix y", "BUG/MEDIUM: x: fix y"),
        Item(sha(3), "[RELEASE] Released version 2.9-dev8", release),
        Item(sha(4), "BUG/MINOR: z: fix", f"BUG/MINOR: z: fix\n\nIntroduced by {sha(3)[:9]}, needs {sha(3)[:9]}."),
    ]
    rel = relate(its)
    for table in (rel.fixes, rel.fixed_by, rel.depends_on, rel.needed_by):
        assert sha(3) not in table and all(sha(3) not in v for v in table.values())
    assert rel.fixes == {} and rel.depends_on == {}


HEDGED_OPEN = [
    "This could even be backported if needed.",
    "It could be worth backporting this to one LTS version after some observation, though this is not strictly necessary.",
    "This may even be backported later to recent versions to improve memory usage.",
    "It's uncertain whether this should be backported.",
]
HEDGED_YES = [
    "This patch may be backported if needed, as far as 1.8.",
    "Could be backported in 2.7 if needed.",
]


@pytest.mark.parametrize("sentence", HEDGED_OPEN)
def test_hedging_that_leaves_it_open_is_uncertain(sentence):
    decisions, _ = fate.classify([Item(sha(1), "CLEANUP: x: y", f"CLEANUP: x: y\n\n{sentence}")], CONFIG)
    assert (decisions[0].verdict, decisions[0].source) == ("uncertain", "instruction")


@pytest.mark.parametrize("sentence", HEDGED_YES)
def test_a_plain_may_be_backported_keeps_the_hedged_setting(sentence):
    decisions, _ = fate.classify([Item(sha(1), "MINOR: x: y", f"MINOR: x: y\n\n{sentence}")], CONFIG)
    assert decisions[0].verdict == CONFIG.hedged == "yes"


def test_and_later_is_a_version_range_not_a_wait():
    decisions, _ = fate.classify(
        [Item(sha(1), "BUG/MINOR: x", "BUG/MINOR: x\n\nMust be backported to 2.6 and later.")], CONFIG
    )
    assert decisions[0].verdict == "yes"


@pytest.mark.parametrize(
    "message, expected",
    [
        ("BUG/MINOR: x\n\nThis must be backported as far as 2.4.", "2.4"),
        ("BUG/MINOR: x\n\nIt should be backported to 2.8 and 2.6.", "2.6"),
        ("BUG/MINOR: x\n\nNo backport needed, 2.4 is not affected.", None),
        ("BUG/MINOR: x\n\nIntroduced in 2.9-dev3.", None),
    ],
)
def test_target_is_the_oldest_version_asked_for(message, expected):
    assert summary.target(message) == expected


def rec(seq, verdict, **extra):
    return {"seq": seq, "sha": sha(seq), "verdict": verdict, "backported": False, **extra}


def test_the_pick_list_is_the_yes_rows_and_what_they_need_is_listed_apart():
    records = [
        rec(1, "no", needed_by=[sha(3)]),
        rec(2, "yes", backported=True),
        rec(3, "yes", depends_on=[sha(1)]),
        rec(4, "yes", fixes=[{"sha": sha(3), "on_stable": False}]),
        rec(5, "wait", ready=True),
    ]
    assert picklist.pick_lists(records) == ([sha(3), sha(4)], [sha(1)])


def test_a_pulled_in_commit_follows_the_pick_that_needs_it():
    records = [rec(1, "yes", own_verdict="no", pulled_by=sha(2), needed_by=[sha(2)]), rec(2, "no", depends_on=[sha(1)])]
    picklist.settle(records)
    assert records[0]["verdict"] == "no" and picklist.pick_lists(records) == ([], [])
    records[1]["verdict"] = "yes"
    picklist.settle(records)
    assert records[0]["verdict"] == "yes" and picklist.pick_lists(records) == ([sha(1), sha(2)], [])


# ---------------------------------------------------------------------------- a stable branch that diverged
def diverged(path):
    """2.8 forked at v2.8.0 and then changed src/b.c; the dev cycle: a prerequisite chain on src/a.c,
    a fix of src/b.c (conflicts there), a MAJOR rework named only as an amplifier, a release, a
    hedged cleanup."""
    p = init(path)
    commit(p, "[RELEASE] Released version 2.8.0", {"src/a.c": "a0\n", "src/b.c": "b0\n", "src/c.c": "c0\n"})
    git(p, "tag", "v2.8.0")
    git(p, "checkout", "-q", "-b", "2.8")
    commit(p, "BUG/MINOR: b: stable-only change", {"src/b.c": "b-stable\n"}, day=2)
    git(p, "checkout", "-q", "master")
    git(p, "tag", "v2.9-dev0")
    s = {}
    s["helper"] = commit(p, "MINOR: a: add a helper", {"src/a.c": "a0\nhelper\n"}, day=3)
    s["rework"] = commit(p, "MAJOR: c: rework the free list", {"src/c.c": "c-rework\n"}, day=4)
    s["user"] = commit(
        p,
        f"BUG/MEDIUM: a: fix x with the helper\n\nIt depends on commit {s['helper'][:10]}. "
        "This must be backported as far as 2.6.",
        {"src/a.c": "a0\nhelper\nfix\n"},
        day=5,
    )
    s["amplified"] = commit(
        p,
        "BUG/MEDIUM: c: fix a leak\n\nThe problem was further amplified in 2.9-dev3 with commit "
        f'{s["rework"][:10]} ("MAJOR: c: rework the free list").\n\nThis must be backported to 2.8.',
        {"src/a.c": "a0\nhelper\nfix\nleak\n"},
        day=6,
    )
    s["bfix"] = commit(p, "BUG/MINOR: b: fix y\n\nThis should be backported to 2.8.", {"src/b.c": "b-dev\n"}, day=7)
    git(p, "commit", "-q", "--allow-empty", "-m", f"[RELEASE] Released version 2.9-dev1\n\n- {s['rework'][:10]} needed")
    s["release"] = git(p, "rev-parse", "HEAD")
    s["hedged"] = commit(
        p, "CLEANUP: c: tidy\n\nThis could even be backported if needed.", {"src/c.c": "c-tidy\n"}, day=9
    )
    return p, s


def test_a_diverged_stable_branch_gets_an_apply_check_and_exact_picks(tmp_path, browser):  # noqa: F811
    p, s = diverged(tmp_path / "repo")
    git(p, "remote", "add", "origin", "git@github.com:acme/haproxy.git")
    old = os.umask(0o022)
    try:
        args = ["backport-report", "--git-dir", str(p), "--stable", "2.8", "--cache", str(tmp_path / "cache.json")]
        assert main([*args, "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "page.html")]) == 0
    finally:
        os.umask(old)
    data = json.loads((tmp_path / "r.json").read_text())
    commits = {c["sha"]: c for c in data["commits"]}
    assert data["pick"] == [s["helper"], s["user"], s["amplified"], s["bfix"]]  # parents first, no rework
    assert s["rework"] not in data["pick"] and commits[s["rework"]]["verdict"] == "no"
    assert [commits[x]["apply"] for x in data["pick"]] == [
        {"status": "clean", "files": []},
        {"status": "clean", "files": []},
        {"status": "clean", "files": []},
        {"status": "conflict", "files": ["src/b.c"]},
    ]
    assert commits[s["rework"]]["apply"] is None and commits[s["user"]]["target"] == "2.6"
    release = commits[s["release"]]
    assert release["fixes"] == release["depends_on"] == release["needed_by"] == release["fixed_by"] == []
    assert commits[s["hedged"]]["verdict"] == "uncertain"
    for name in ("r.json", "page.html", "cache.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
    page = (tmp_path / "page.html").read_text()
    assert f'href="https://github.com/acme/haproxy/commit/{s["user"]}"' in page and "conflicts in src/b.c" in page
    assert subprocess.run(["git", "-C", str(p), "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    tab = Page(browser, tmp_path / "page.html").open("#start=all")
    try:
        assert tab.command() == data["pick"]
        tab.tab.click(f'tr[data-sha="{s["user"]}"] input.n')  # the fix is refused: its prerequisite leaves too
        assert tab.command() == [s["amplified"], s["bfix"]] and tab.needed() == []
        assert tab.tab.is_checked(f'tr[data-sha="{s["helper"]}"] input.n')
        assert tab.errors == [] and tab.dialogs == []
    finally:
        tab.tab.close()
    # the same stable head and pick list: the apply check comes from the cache
    assert main([*args, "--json", str(tmp_path / "r2.json")]) == 0
    assert json.loads((tmp_path / "r2.json").read_text())["apply"]["cached"] is True
