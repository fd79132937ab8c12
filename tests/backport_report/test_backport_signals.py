"""The second set of message rules, as pure functions: prerequisite lists after a colon, quoted subjects
kept whole, the cause in other words, prerequisites and fixes of a wait, and the fix signals of
projects that write no backport instructions (auto-detected)."""

from __future__ import annotations

from dataclasses import replace

from labeler.backport_report import fate
from labeler.backport_report import message as msg
from labeler.backport_report.facts import Facts
from labeler.backport_report.refs import Item
from labeler.backport_report.relations import Relations, relate
from labeler.backport_report.rules import Decision
from labeler.backport_report.rules_config import RulesConfig, parse

CONFIG = RulesConfig().with_versions("2.9", ("2.8",))


def sha(n):
    return f"{n:02d}" + "ab" * 19


def items(*messages):
    return [Item(sha(i), m.split("\n", 1)[0], m) for i, m in enumerate(messages, 1)]


def test_a_list_after_a_colon_belongs_to_the_sentence_announcing_it():
    text = "Fix it.\n\nThis should be backported, along with the commits it relies on:\n\n  MINOR: a: add x\n  MINOR: b: add y"
    assert msg.sentences(text)[-1] == "MINOR: a: add x MINOR: b: add y"
    assert msg.sentences(text, lists=True)[-1].endswith("relies on: MINOR: a: add x MINOR: b: add y")


def test_prerequisites_listed_after_a_colon_are_related_and_pulled_in():
    its = items(
        "MINOR: a: add a helper",
        "MINOR: b: add another helper",
        "BUG/MINOR: c: fix x\n\nThis must be backported to 2.8, along with the following commits it "
        "relies on:\n\n   MINOR: a: add a helper\n   MINOR: b: add another helper",
    )
    rel = relate(its)
    assert rel.needed_by == {sha(1): [sha(3)], sha(2): [sha(3)]}
    decisions, _ = fate.classify(its, CONFIG)
    assert [(d.verdict, d.source) for d in decisions] == [("yes", "needed"), ("yes", "needed"), ("yes", "instruction")]


def test_a_sentence_end_inside_a_quoted_subject_does_not_split():
    text = 'This must only be backported if "BUG/MEDIUM: mux-h1; Ignore headers" is backported. Done.'
    assert msg.sentences(text) == [
        'This must only be backported if "BUG/MEDIUM: mux-h1; Ignore headers" is backported.',
        "Done.",
    ]


def test_the_cause_in_other_words_makes_a_fix_relation():
    its = items(
        "CI: use dnf git",
        f"CI: fix dnf syntax\n\nIn {sha(1)[:10]} I erroneously used dnf git.",
        f'REGTESTS: delay start\n\nBecause of the commit {sha(1)[:9]} ("CI: use dnf git"), scripts fail.',
        f'DOC: add a matrix entry\n\nFollowing {sha(1)[:7]} ("CI: use dnf git"), it was missing.',
    )
    assert relate(its).fixed_by == {sha(1): [sha(2), sha(3), sha(4)]}


def test_prerequisites_and_fixes_of_a_wait_are_uncertain():
    its = items(
        "MINOR: a: add a helper",
        "MEDIUM: b: use the helper\n\nIt could be backported after some observation, along with the previous commit.",
        f"BUG/MINOR: b: fix it\n\nIntroduced by {sha(2)[:10]}.",
    )
    decisions, _ = fate.classify(its, CONFIG)
    assert [(d.verdict, d.source) for d in decisions] == [
        ("uncertain", "lookahead"),
        ("wait", "instruction"),
        ("uncertain", "follows"),
    ]
    rel = relate(its)
    out = [Decision("no", "", "default"), Decision("wait", "", "instruction"), Decision("no", "", "default")]
    fate.pull_prerequisites(its, out, rel)
    assert (out[0].verdict, out[0].source) == ("uncertain", "needed")


def test_instructed_is_the_share_of_commits_with_an_instruction():
    said, plain = Decision("yes", "", "instruction"), Decision("no", "", "default")
    assert fate.instructed([said] + [plain] * 19) and not fate.instructed([said] + [plain] * 20)
    assert not fate.instructed([])


FACTS = Facts(
    files={sha(i): ("src/a.c",) for i in range(1, 8)} | {sha(5): ("src/new.c",)},
    stable_tree=frozenset({"src/a.c"}),
    outside={"0badc0ffee": True, "deadbeef00": False},
    stable_name="v254-stable",
)


def signal(message, n=1, decision=None, rel=None):
    item = Item(sha(n), message.split("\n", 1)[0], message)
    return fate.fix_signal(item, decision or Decision("no", "", "default"), FACTS, rel or Relations())


def test_a_fix_of_a_released_commit_waits():
    rel = Relations(fixes_outside={sha(1): ["0badc0ffee"]})
    assert signal("core: fix x\n\nFixes: 0badc0ffee", rel=rel)[:1] + signal("x", rel=rel)[2:3] == (
        "wait",
        "released-fix",
    )
    unknown = Relations(fixes_outside={sha(1): ["1234567"]})  # older than the range, not resolved
    assert signal("core: x", rel=unknown).source == "released-fix"
    not_released = Relations(fixes_outside={sha(1): ["deadbeef00"]})
    assert signal("core: tweak x", rel=not_released).source == "default"


def test_fix_reports_wait_and_fix_words_are_uncertain():
    for body in (
        "Fixes #1234",
        "Closes: https://github.com/o/r/issues/12",
        'Fixes: abc ("x")',
        "This is a regression since v253.",
        "Follow-up for #123.",
    ):
        assert signal(f"core: do x\n\n{body}")[:3:2] == ("wait", "fix-report"), body
    assert signal("core: fix a leak in x")[:3:2] == ("uncertain", "fix-word")
    assert signal("core: add a knob").source == "default"


def test_fix_signals_keep_instructions_absent_code_and_positives():
    kept = [Decision("no", "", "instruction"), Decision("no", "", "release"), Decision("yes", "", "subject")]
    assert all(signal("core: fix x\n\nFixes #1", decision=d) == d for d in kept)
    assert signal("new: fix x\n\nFixes #1", n=5).source == "default"  # every file absent from stable


def test_fix_signals_are_on_only_where_instructions_are_rare():
    quiet = items(*[f"core: tweak {i}" for i in range(30)], "core: fix a crash\n\nFixes #77")
    chatty = items(*[f"MINOR: a: tweak {i}\n\nNo backport needed." for i in range(30)], "core: fix x\n\nFixes #77")
    facts = Facts(stable_tree=frozenset())
    assert fate.classify(quiet, CONFIG, facts)[0][-1].source == "fix-report"
    assert fate.classify(chatty, CONFIG, facts)[0][-1].source == "default"
    assert fate.classify(chatty, replace(CONFIG, fix_signals=True), facts)[0][-1].source == "fix-report"
    assert fate.classify(quiet, replace(CONFIG, fix_signals=False), facts)[0][-1].source == "default"


def test_the_rules_file_sets_fix_signals():
    assert parse("fix_signals: false\n", "r.yml").fix_signals is False
    assert parse("fix_signals: auto\n", "r.yml").fix_signals == "auto"
    assert parse("{}", "r.yml").fix_signals == "auto"


def test_a_fix_that_also_blames_an_older_commit_keeps_its_own_verdict():
    """The dev-cycle culprit stays behind, but the bug is older: the fix's own instruction decides."""
    culprit = "MAJOR: pools: move the free list over buckets"
    both = (
        f'BUG/MEDIUM: pool: fix x\n\nThe bug was introduced by commit 0badc0ffee ("MEDIUM: pools: batches").\n\n'
        f'It was amplified with commit {sha(1)[:9]} ("{culprit}") which caused more of it.\n\n'
        "This must be backported to 2.8."
    )
    only_new = f'BUG/MEDIUM: pool: fix y\n\nThis was introduced by commit {sha(1)[:9]} ("{culprit}").'
    released = f"BUG/MEDIUM: pool: fix z\n\nCaused by commit {sha(1)[:9]}, and by deadbeef00 before it.\n\nThis must be backported to 2.8."
    its = items(culprit, both, only_new, released)
    facts = Facts(stable_tree=frozenset(), outside={"0badc0ffee": True, "deadbeef00": False})
    decisions, rel = fate.classify(its, CONFIG, facts)
    # "amplified with X" says where the bug got worse, not what this commit repairs: no link to X
    assert sha(2) not in rel.fixes and rel.fixes_outside[sha(2)] == ["0badc0ffee"]
    assert [(d.verdict, d.source) for d in decisions] == [
        ("no", "default"),
        ("yes", "instruction"),
        ("no", "follows"),
        ("no", "follows"),
    ]
