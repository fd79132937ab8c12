"""The rules learn, from the range's own picks, which of their proposing kinds maintainers follow."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from labeler.backport_report import learn
from labeler.backport_report.learn import Seen
from labeler.cli import main

from .helpers import git, init

NOW = datetime(2023, 9, 1, tzinfo=UTC)


def _seen(n: int, picked: int, kind: str = "fix-report:wait", *, days_ago: float = 60) -> list[Seen]:
    landed = NOW - timedelta(days=days_ago)
    return [
        Seen(
            f"{kind}-{days_ago}-{i}",
            kind,
            kind.rsplit(":", 1)[1],
            landed,
            landed + timedelta(days=5) if i < picked else None,
        )
        for i in range(n)
    ]


def _new(kind: str = "fix-report:wait", sha: str = "new") -> Seen:
    return Seen(sha, kind, kind.rsplit(":", 1)[1], NOW - timedelta(days=2), None)


def _verdicts(seen: list[Seen]) -> dict[str, dict[str, object]]:
    return {s.sha: {"verdict": s.verdict, "reason": "a fix report", "kind": s.kind, "confidence": 0.9} for s in seen}


def test_a_kind_picked_half_the_time_on_enough_commits_is_demoted_with_its_figures():
    seen = [*_seen(40, 20), _new()]
    got = learn.learn(seen, NOW)["fix-report:wait"]
    assert (got.decided, got.picked, got.share, got.demoted) == (40, 20, 0.5, True)
    out = learn.demote(_verdicts(seen), seen, learn.learn(seen, NOW), NOW)
    assert out["new"]["verdict"] == "uncertain"
    assert out["new"]["confidence"] == 0.5
    assert out["new"]["learned"] == {"picked": 20, "decided": 40, "eventual": 0.5}
    assert out["new"]["reason"].startswith(
        "this repository picks about 50 % of `fix-report` commits this cycle (20 of 40 picked so far): "
        "suggested, not proposed."
    )
    assert out["new"]["reason"].endswith("a fix report")
    # decided commits keep the verdict they were measured with
    assert all(out[s.sha]["verdict"] == "wait" for s in seen[:40])


def test_too_little_evidence_keeps_the_verdict_even_at_zero_picked():
    seen = [*_seen(learn.MIN_DECIDED - 1, 0), _new()]
    learned = learn.learn(seen, NOW)
    assert learned["fix-report:wait"].demoted is False
    assert learn.demote(_verdicts(seen), seen, learned, NOW)["new"]["verdict"] == "wait"


def test_a_good_share_is_not_demoted_and_a_slightly_short_one_on_few_commits_neither():
    assert not learn.learn([*_seen(100, 99, "instruction:yes")], NOW)["instruction:yes"].demoted
    # 18 of 20 (0.90) is below the target, but not confidently so
    assert not learn.learn(_seen(20, 18, "follows:yes"), NOW)["follows:yes"].demoted
    # the same share on many commits is
    assert learn.learn(_seen(400, 360, "follows:yes"), NOW)["follows:yes"].demoted


def test_no_and_uncertain_kinds_are_not_measured():
    assert learn.learn(_seen(50, 0, "default:no") + _seen(50, 0, "fix-word:uncertain"), NOW) == {}


def test_only_commits_older_than_the_window_count_so_a_commit_never_judges_itself():
    # forty undecided commits, none picked: nothing is decided yet, so nothing is learnt
    recent = _seen(40, 0, days_ago=learn.WINDOW_DAYS - 1)
    assert learn.learn(recent, NOW) == {}
    # once decided they count, and then they are no longer demoted themselves
    learned = learn.learn(recent, NOW + timedelta(days=2))
    assert learned["fix-report:wait"].demoted
    out = learn.demote(_verdicts(recent), recent, learned, NOW + timedelta(days=2))
    assert {v["verdict"] for v in out.values()} == {"wait"}


def test_a_commit_s_own_pick_after_the_clock_does_not_count():
    landed = NOW - timedelta(days=60)
    late = [Seen(str(i), "instruction:yes", "yes", landed, NOW + timedelta(days=1)) for i in range(30)]
    got = learn.learn(late, NOW)["instruction:yes"]
    assert (got.picked, got.demoted) == (0, True)
    assert learn.learn(late, NOW + timedelta(days=2))["instruction:yes"].picked == 30


def test_a_commit_without_a_readable_date_is_never_decided():
    seen = [Seen(str(i), "follows:yes", "yes", None, None) for i in range(30)]
    assert learn.learn(seen, NOW) == {}


def _late(n: int, picked: int, delay: float, *, days_ago: float = 200, kind: str = "follows:yes") -> list[Seen]:
    landed = NOW - timedelta(days=days_ago)
    pick = landed + timedelta(days=delay)
    return [Seen(f"{days_ago}-{i}", kind, "yes", landed, pick if i < picked else None) for i in range(n)]


def test_a_late_picking_repository_s_slow_but_sure_kind_is_not_demoted():
    """Maintainers pick 29 of 30 such commits, 40 days after they land; twenty more landed 35 days ago
    and are not picked yet. Counted as not picked they would make it 29 of 50 (demoted); they are only
    not picked *yet*, younger than any pick delay seen, so they say nothing about the share."""
    seen = [*_late(30, 29, 40), *_late(20, 0, 40, days_ago=35)]
    got = learn.learn(seen, NOW)["follows:yes"]
    assert (got.decided, got.picked, round(got.share, 2)) == (50, 29, 0.58)
    assert round(got.eventual, 3) == 0.967 and round(got.effective) == 30
    assert got.demoted is False
    assert (
        learn.demote(_verdicts([_new("follows:yes")]), [_new("follows:yes")], {"follows:yes": got}, NOW)["new"][
            "verdict"
        ]
        == "yes"
    )


def test_a_kind_rarely_picked_even_long_after_is_demoted_and_its_late_picks_count():
    """Half of the old commits were never picked in 200 days (one of the picks came 150 days late):
    the same twenty young commits cannot lift that share."""
    seen = [*_late(14, 14, 40), *_late(1, 1, 150, days_ago=199), *_late(15, 0, 40, days_ago=198)]
    seen += _late(20, 0, 40, days_ago=35)
    got = learn.learn(seen, NOW)["follows:yes"]
    assert (got.decided, got.picked, got.eventual) == (50, 15, 0.5)
    assert got.demoted is True and got.upper < 0.7


def test_kaplan_meier_without_censoring_is_the_plain_share_and_censoring_lowers_the_evidence():
    assert learn.kaplan_meier([(5.0, True)] * 20 + [(60.0, False)] * 20) == (0.5, 40.0)
    assert learn.kaplan_meier([(60.0, False)] * 10) == (0.0, 10.0)
    assert learn.kaplan_meier([(5.0, True)] * 3) == (1.0, 3.0)
    # a pick and a censoring on the same day: the censored commit was still at risk that day
    assert learn.kaplan_meier([(5.0, False), (5.0, True)])[0] == 0.5
    share, effective = learn.kaplan_meier([(5.0, True)] * 10 + [(10.0, False)] * 10 + [(20.0, True), (30.0, False)])
    assert share == pytest.approx(1 - 12 / 22 * 1 / 2) and 4 < effective < 6  # 22 commits, but 10 leave early


@pytest.mark.parametrize(("k", "n", "low", "high"), [(0, 16, 0.0, 0.16), (20, 40, 0.6, 0.64), (99, 100, 0.99, 1.0)])
def test_wilson_upper_bound(k, n, low, high):
    assert low <= learn.wilson_upper(k, n) <= high
    assert learn.wilson_upper(0, 0) == 1.0


def test_summary_line_and_json():
    learned = learn.learn([*_seen(40, 20), *_seen(30, 30, "instruction:yes")], NOW)
    assert learn.as_json(learned)["fix-report:wait"] == {
        "decided": 40,
        "picked": 20,
        "share": 0.5,
        "eventual": 0.5,
        "effective": 40.0,
        "upper": 0.626,
        "demoted": True,
    }
    assert learn.as_json(learned)["instruction:yes"]["demoted"] is False
    assert "fix-report:wait 20/40 (~50% eventually)" in learn.summary(learned)
    assert "none below" in learn.summary(learn.learn(_seen(30, 30, "instruction:yes"), NOW))
    assert "nothing decided" in learn.summary({})


def _commit(repo: Path, message: str, name: str, when: str) -> str:
    (repo / name).write_text(message)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message, date=when)
    return git(repo, "rev-parse", "HEAD")


def test_a_rule_maintainers_never_follow_is_demoted_on_later_commits(tmp_path, capsys):
    """Sixteen commits ask for a backport in June and none is picked (one other commit is); in August
    two more ask the same: the nightly of 5 August proposes the June ones as before (already decided)
    and only suggests the August ones."""
    repo = init(tmp_path / "repo")
    _commit(repo, "[RELEASE] Released version 1.0", "VERSION", "2023-05-01T10:00:00+00:00")
    git(repo, "tag", "v1.0")
    git(repo, "branch", "1.0")
    _commit(repo, "[RELEASE] Released version 1.1-dev0", "VERSION", "2023-05-02T10:00:00+00:00")
    git(repo, "tag", "v1.1-dev0")
    june = [
        _commit(
            repo,
            f"BUG/MINOR: part{i}: fix it\n\nMust be backported to 1.0.",
            f"f{i}.c",
            f"2023-06-{i:02d}T10:00:00+00:00",
        )
        for i in range(1, 17)
    ]
    august = [
        _commit(
            repo, f"BUG/MINOR: late{i}: fix it\n\nMust be backported to 1.0.", f"l{i}.c", f"2023-08-0{i}T10:00:00+00:00"
        )
        for i in (1, 2)
    ]
    git(repo, "checkout", "-q", "1.0")
    git(repo, "cherry-pick", "-x", june[0], date="2023-06-20T10:00:00+00:00")
    git(repo, "checkout", "-q", "master")
    out = tmp_path / "r.json"
    args = ["backport-report", "--git-dir", str(repo), "--since", "v1.1-dev0", "--stable", "1.0", "--json", str(out)]
    assert main([*args, "--as-of", "2023-08-05"]) == 0
    assert "suggested, not proposed (picked/decided): instruction:yes 1/16" in capsys.readouterr().out
    data = json.loads(out.read_text())
    by_sha = {c["sha"]: c for c in data["commits"]}
    kind = by_sha[june[1]]["kind"]
    assert kind.endswith(":yes")
    got = data["learned_kinds"][kind]
    assert (got["decided"], got["picked"], got["share"], got["eventual"], got["demoted"]) == (16, 1, 0.062, 0.062, True)
    assert all(by_sha[s]["verdict"] == "yes" for s in june[1:])
    for sha in august:
        assert by_sha[sha]["verdict"] == "uncertain"
        assert by_sha[sha]["confidence"] == 0.062
        assert "picks about 6 % of" in by_sha[sha]["reason"] and "(1 of 16 picked so far)" in by_sha[sha]["reason"]
        assert sha not in data["pick"]
    # in June nothing was decided yet: the same commits were proposed
    assert main([*args, "--as-of", "2023-07-01"]) == 0
    early = json.loads(out.read_text())
    assert early["learned_kinds"] == {}
    assert all(c["verdict"] == "yes" for c in early["commits"] if c["sha"] in june[1:])
