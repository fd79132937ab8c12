"""publish-benchmarks against FakeGitHub (real PyGithub over loopback) plus its pure parts.

FakeGitHub has no milestone list, tree or commit-history routes; `history` below adds them to one
fake instance (state: commits touching paths, the PRs that brought them, milestones).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from fakes._http import Reply
from labeler import md
from labeler.cli import main
from labeler.errors import UserError
from labeler.publish_benchmarks import report
from labeler.publish_benchmarks.results import Link, Pair, Results
from labeler.publish_benchmarks.select import load_pr_files, parse_prs

HERE = Path(__file__).parent / "benchmarks_results"
MARKER = "<!-- labeler:publish-benchmarks build=cmb-2024-08-26 -->"


# ------------------------------------------------------------------------------ a build of 50 PRs
def skill(i: int) -> str:
    return f"compositional_skills/writing/freeform/leaf{i:03d}/qna.yaml"


def knowledge(i: int) -> str:
    return f"knowledge/history/topic{i:03d}/qna.yaml"


def build_results(n: int, *, bump: int | None = None) -> dict[str, Any]:
    """PR i (1..n): i % 3 == 0 a knowledge leaf, else a skill leaf; every 10th has no row in the build."""
    mt, mmlu = {}, {}
    for i in range(1, n + 1):
        if i % 10 == 0:
            continue
        if i % 3 == 0:
            mmlu[f"knowledge_history_topic{i:03d}"] = {"base": 0.40, "new": round(0.40 + i / 1000, 3)}
        else:
            mt[skill(i)] = {"base": 5.0, "new": 5.0 + (0.1 if i % 2 else -1.5) + (1 if i == bump else 0)}
    return {
        "build": {"id": "cmb-2024-08-26", "url": "https://example.org/builds/cmb"},
        "models": {"base": "granite-7b-lab", "new": "granite-7b-lab-cmb"},
        "mmlu": {"base": 0.51, "new": 0.52},
        "mt_bench": {"base": 7.1, "new": 7.2},
        "mmlu_branch": mmlu,
        "mt_bench_branch": mt,
    }


def seed_prs(gh: Any, n: int, label: str = "cmb-2024-08-26") -> None:
    if n > 20:
        gh.validator = None  # request shapes are checked against OpenAPI by the smaller tests (~30 ms each)
    for i in range(1, n + 1):
        path = knowledge(i) if i % 3 == 0 else skill(i)
        files = {path: "version: 3\n", path.replace("qna.yaml", "attribution.txt"): "Title of work: x\n"}
        gh.add_pr(i, files=files, labels=[label], merged=True, title=f"Add leaf {i}")
    gh.add_pr(n + 1, files={"README.md": "docs\n"}, labels=[label], merged=True)  # no qna.yaml
    gh.add_pr(n + 2, files={skill(1): "x\n"}, labels=[label], merged=False, state="closed")  # closed unmerged


@pytest.fixture
def build(tmp_path: Path) -> Any:
    def write(n: int = 50, **kw: Any) -> str:
        path = tmp_path / "results.json"
        path.write_text(json.dumps(build_results(n, **kw)))
        return str(path)

    return write


def run(*args: str) -> int:
    return main(["publish-benchmarks", *args])


def ours(gh: Any, number: int) -> list[str]:
    return [b for b in gh.comments(number) if b.startswith("<!-- labeler:publish-benchmarks")]


def posts(gh: Any) -> list[Any]:
    return [r for r in gh.writes() if r.method == "POST"]


def test_fifty_prs_each_get_their_own_rows(fake_github, actions_env, build):
    gh = fake_github
    seed_prs(gh, 50)
    assert run("--results", build(), "--label", "cmb-2024-08-26") == 0
    for i in range(1, 51):
        [body] = ours(gh, i)
        assert body.startswith(MARKER + "\n")
        own = knowledge(i) if i % 3 == 0 else skill(i)
        assert f"`{own}`" in body
        others = [p for p in re.findall(r"`((?:knowledge|compositional_skills)/[^`]+)`", body) if p != own]
        assert others == [], f"PR {i} shows rows of other PRs: {others}"
        if i % 10 == 0:
            assert "no data for this file in this build" in body
        elif i % 3 == 0:
            assert f"| 0.40 | {round(0.40 + i / 1000, 3):.2f} |" in body and "MMLU-Branch (0–1)" in body
        else:
            assert ("⚪ ▲ +0.10 (within noise)" if i % 2 else "🔴 ▼ -1.50") in body
        assert "| MMLU (general knowledge) (0–1) | 0.51 | 0.52 |" in body
    assert gh.comments(51) == [] and gh.comments(52) == []  # README-only PR skipped; unmerged PR not selected
    out = actions_env.outputs()
    assert (out["created"], out["skipped"], out["failed"], out["deferred"]) == ("50", "1", "0", "0")
    summary = actions_env.summary()
    assert summary.count("| posted |") == 50 and "| skipped: changes no qna.yaml file |" in summary
    assert {r["pr"] for r in json.loads(out["report"])} == set(range(1, 52))


def test_second_run_writes_nothing_and_a_changed_row_edits_one_comment(fake_github, actions_env, build):
    gh = fake_github
    seed_prs(gh, 50)
    assert run("--results", build(), "--label", "cmb-2024-08-26") == 0
    first = len(gh.requests)
    assert run("--results", build(), "--label", "cmb-2024-08-26") == 0
    assert [r for r in gh.requests[first:] if r.method != "GET"] == []
    assert actions_env.outputs()["unchanged"] == "50"
    mark = len(gh.requests)
    assert run("--results", build(bump=7), "--label", "cmb-2024-08-26") == 0
    writes = [(r.method, r.path) for r in gh.requests[mark:] if r.method != "GET"]
    assert len(writes) == 1 and writes[0][0] == "PATCH"
    assert all(len(ours(gh, i)) == 1 for i in range(1, 51))


def test_a_post_502_after_it_landed_does_not_duplicate(fake_github, build):
    gh = fake_github
    seed_prs(gh, 50)
    gh.fail("POST", r"/issues/\d+/comments$", status=502, times=1, after_apply=True, skip=25)
    assert run("--results", build(), "--label", "cmb-2024-08-26") == 0  # the landed check found it
    assert all(len(ours(gh, i)) == 1 for i in range(1, 51))


def test_502_halfway_then_rerun_leaves_exactly_one_comment_each(fake_github, build):
    gh = fake_github
    seed_prs(gh, 50)
    # PR 26's POST lands but answers 502, and so does the check listing its comments: the run
    # cannot tell, reports the PR failed, moves on; a later outage stops the run after 3 PRs in a row.
    gh.fail("POST", r"/issues/26/comments$", status=502, times=1, after_apply=True)
    gh.fail("GET", r"/issues/26/comments$", status=502, times=1, skip=1)
    gh.fail("*", r"/pulls/(3[4-9]|4\d|50)/files$", status=502, times=100)
    assert run("--results", build(), "--label", "cmb-2024-08-26") == 1
    assert len(ours(gh, 26)) == 1
    assert sum(len(ours(gh, i)) for i in range(1, 51)) == 33  # 1..33 posted, 34..36 failed, rest deferred
    gh.faults.clear()
    before = len(posts(gh))
    assert run("--results", build(), "--label", "cmb-2024-08-26") == 0
    assert len(posts(gh)) - before == 50 - 33
    assert all(len(ours(gh, i)) == 1 for i in range(1, 51))


def test_a_patch_502_after_apply_is_unchanged_on_rerun(fake_github, build):
    gh = fake_github
    seed_prs(gh, 5)
    assert run("--results", build(5), "--prs", "1-5") == 0
    gh.fail("PATCH", r"/issues/comments/\d+$", status=502, times=1, after_apply=True)
    assert run("--results", build(5, bump=2), "--prs", "1-5") == 1
    mark = len(gh.requests)
    assert run("--results", build(5, bump=2), "--prs", "1-5") == 0
    assert [r for r in gh.requests[mark:] if r.method != "GET"] == []


def test_requests_per_pr(fake_github, build):
    """First run: list files, list comments, POST per PR; re-run: the two lists. Plus the label list."""
    gh = fake_github
    seed_prs(gh, 20)
    run("--results", build(20), "--label", "cmb-2024-08-26")
    assert len(gh.requests) == 1 + 20 * 3 + 1  # label list, 20 PRs, the README-only PR's file list
    mark = len(gh.requests)
    run("--results", build(20), "--label", "cmb-2024-08-26")
    assert len(gh.requests) - mark == 1 + 20 * 2 + 1


def test_dry_run_prints_every_comment_and_writes_nothing(fake_github, build, capsys):
    gh = fake_github
    seed_prs(gh, 5)
    gh.add_comment(2, MARKER + "\nold text", user="github-actions[bot]", user_type="Bot")
    assert run("--results", build(5), "--prs", "1-6", "--dry-run") == 0
    assert gh.writes() == []
    out = capsys.readouterr()
    assert out.out.count(MARKER) == 5
    assert "#1: would post" in out.out and "#2: would edit" in out.out and "#6: skipped" in out.err


def test_dry_run_with_pr_files_needs_no_token_and_no_github(tmp_path, monkeypatch, capsys, build):
    files = tmp_path / "prs.yaml"
    files.write_text(yaml.safe_dump({3: [knowledge(3)], 4: [skill(4), "README.md"], 7: ["docs/x.md"]}))
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")  # nothing listens: any request would fail
    assert run("--results", build(10), "--pr-files", str(files), "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.count("<!-- labeler:publish-benchmarks") == 2 and f"`{skill(4)}`" in out
    assert "README" not in out


def test_without_a_token_a_real_run_says_so(tmp_path, build, capsys):
    files = tmp_path / "prs.json"
    files.write_text(json.dumps({"3": [knowledge(3)]}))
    assert run("--results", build(10), "--pr-files", str(files)) == 1
    assert "GITHUB_TOKEN" in capsys.readouterr().err


def test_explicit_prs_a_missing_one_fails_the_rest_post(fake_github, actions_env, build):
    gh = fake_github
    seed_prs(gh, 3)
    assert run("--results", build(3), "--prs", "#1, 2 99 3") == 1
    assert [len(ours(gh, i)) for i in (1, 2, 3)] == [1, 1, 1]
    report_ = {r["pr"]: r for r in json.loads(actions_env.outputs()["report"])}
    assert report_[99]["action"] == "failed" and "404" in report_[99]["reason"]
    assert "| [#99](https://github.com/acme/widgets/pull/99) | 0 | 0 | failed: " in actions_env.summary()


def test_a_pasted_marker_is_not_ours_and_other_builds_keep_their_comments(fake_github, build, tmp_path):
    gh = fake_github
    seed_prs(gh, 1)
    gh.add_comment(1, MARKER + "\nI copied this", user="mallory")
    gh.add_comment(
        1, "<!-- labeler:publish-benchmarks build=older-build -->\nold", user="github-actions[bot]", user_type="Bot"
    )
    assert run("--results", build(1), "--prs", "1") == 0
    bodies = gh.comments(1)
    assert bodies[0].endswith("I copied this") and bodies[1].endswith("old")  # untouched
    assert len(bodies) == 3 and bodies[2].startswith(MARKER + "\n### Benchmark results")
    assert [c.user for c in gh.comment_objs(1)][2] == "github-actions[bot]"


def test_write_cap_defers_the_rest_and_a_rerun_finishes(fake_github, actions_env, build):
    gh = fake_github
    seed_prs(gh, 8)
    assert run("--results", build(8), "--label", "cmb-2024-08-26", "--max-writes", "5") == 0
    assert actions_env.outputs()["deferred"] == "4"  # 8 PRs + the README one after the cap
    assert sum(len(ours(gh, i)) for i in range(1, 9)) == 5
    assert run("--results", build(8), "--label", "cmb-2024-08-26", "--max-writes", "5") == 0
    assert all(len(ours(gh, i)) == 1 for i in range(1, 9))


def test_config_section_sets_noise_and_cap(fake_github, build, tmp_path):
    gh = fake_github
    seed_prs(gh, 2)
    cfg = tmp_path / "labels.yml"
    cfg.write_text("labels:\n  - name: bug\npublish-benchmarks:\n  noise: {mt-bench-branch: 0.05}\n  chart: false\n")
    assert run("--results", build(2), "--prs", "1,2", "--config", str(cfg)) == 0
    assert "🟢 ▲ +0.10" in ours(gh, 1)[0]
    cfg.write_text("labels:\n  - name: bug\npublish-benchmarks:\n  noise: {mt-bench-branch: -1}\n")
    assert run("--results", build(2), "--prs", "1,2", "--config", str(cfg)) == 1


def test_text_report_with_build_id_flag(fake_github, tmp_path):
    gh = fake_github
    gh.add_pr(4, files={"compositional_skills/linguistics/synonyms/qna.yaml": "x"}, merged=True)
    assert run("--results", str(HERE / "ilab_evaluate.log"), "--build-id", "cmb-2024-08-26", "--prs", "4") == 0
    [body] = ours(gh, 4)
    assert "| 5.90 | 3.53 | 🔴 ▼ -2.37 |" in body


def test_repository_dispatch_payload(fake_github, tmp_path, monkeypatch):
    gh = fake_github
    seed_prs(gh, 3)
    event = tmp_path / "event.json"
    payload = {"action": "publish-benchmarks", "client_payload": {"results": build_results(3), "prs": [1, 2]}}
    event.write_text(json.dumps(payload))
    assert run("--from-event", "--event", str(event)) == 0
    assert [len(ours(gh, i)) for i in (1, 2, 3)] == [1, 1, 0]
    payload["client_payload"]["prs"] = True
    event.write_text(json.dumps(payload))
    assert run("--from-event", "--event", str(event)) == 1
    payload["client_payload"] = {"results": {"build": {"id": "x"}}, "prs": "1"}
    event.write_text(json.dumps(payload))
    assert run("--from-event", "--event", str(event)) == 1


# ------------------------------------------------------------------------------ milestone and discovery
class History:
    """Routes FakeGitHub lacks: milestones, the git tree, commits by path, the PRs of a commit."""

    def __init__(self, gh: Any) -> None:
        self.gh = gh
        self.milestones: list[dict[str, Any]] = []
        self.commits: list[tuple[str, str, list[str]]] = []  # sha, ISO date, paths
        self.pulls_of: dict[str, list[int]] = {}
        original = gh.route
        gh.route = lambda req: self.route(req) or original(req)

    def merge(self, number: int, date: str) -> None:
        pull = self.gh.pulls[number]
        sha = f"{number:040x}"
        self.commits.insert(0, (sha, date, sorted(pull.changed)))
        self.pulls_of[sha] = [number]

    def route(self, req: Any) -> Reply | None:
        base = f"/repos/{self.gh.repo}"
        if req.path == f"{base}/milestones":
            return Reply(200, self.milestones)
        if req.path == f"{base}/git/trees/main":
            files = {p for _, _, paths in self.commits for p in paths}
            return Reply(
                200, {"sha": "t", "truncated": False, "tree": [{"path": p, "type": "blob"} for p in sorted(files)]}
            )
        if req.path == f"{base}/commits":
            since = req.query.get("since", "")
            hits = [c for c in self.commits if req.query["path"] in c[2] and c[1] >= since]
            return self.gh.page(req, [{"sha": sha, "commit": {"author": {"date": d}}} for sha, d, _ in hits])
        m = re.fullmatch(rf"{base}/commits/([0-9a-f]+)/pulls", req.path)
        if m:
            return Reply(200, [self.gh.pull_json(n) for n in self.pulls_of.get(m.group(1), [])])
        return None


def test_milestone_by_title_and_number(fake_github, build):
    gh = fake_github
    hist = History(gh)
    hist.milestones = [{"number": 4, "title": "cmb 2024-08"}]
    for i in (1, 2, 3):
        gh.add_pr(i, files={skill(i): "x"}, merged=True, milestone=4 if i < 3 else None)
    assert run("--results", build(3), "--milestone", "cmb 2024-08") == 0
    assert [len(ours(gh, i)) for i in (1, 2, 3)] == [1, 1, 0]
    assert run("--results", build(3), "--milestone", "4") == 0
    assert run("--results", build(3), "--milestone", "no such") == 1


def test_from_results_finds_merged_prs_by_their_files(fake_github, actions_env, build):
    gh = fake_github
    hist = History(gh)
    seed_prs(gh, 12)
    for i in range(1, 13):
        hist.merge(i, f"2024-08-{i:02d}T00:00:00Z")
    gh.add_pr(30, files={skill(1): "edit"}, merged=True)  # an older PR that touched leaf 1 too
    hist.merge(30, "2024-07-01T00:00:00Z")
    assert run("--results", build(12), "--from-results", "--since", "2024-08-01T00:00:00Z") == 0
    with_rows = {i for i in range(1, 13) if i % 10}
    assert {i for i in range(1, 31) if ours(gh, i)} == with_rows  # PR 10 has no row; PR 30 is too old
    calls = [(r.method, r.path.split("/", 4)[-1]) for r in gh.requests]
    assert calls.count(("GET", "git/trees/main")) == 1
    assert sum(1 for c in calls if c == ("GET", "commits")) == len(with_rows)


# ------------------------------------------------------------------------------ pure parts
def results_(**kw: Any) -> Results:
    base = {
        "build_id": "b1",
        "base_model": "base",
        "new_model": "new",
        "mt_bench_branch": {
            "compositional_skills/a/qna.yaml": Pair(5.0, 6.0),
            "compositional_skills/b/qna.yaml": Pair(6.0, 5.8),
        },
        "mmlu_branch": {"knowledge_x_y": Pair(0.5, 0.4)},
    }
    return Results(**{**base, **kw})


def test_task_name_and_rows_for_files():
    assert (
        report.task_name("knowledge/history/public_transportation/boston/qna.yaml")
        == "knowledge_history_public_transportation_boston"
    )
    assert report.task_name("compositional_skills/a/qna.yaml") is None
    rows = report.rows_for_files(
        [
            "knowledge/x/y/qna.yaml",
            "compositional_skills/a/qna.yaml",
            "compositional_skills/z/qna.yaml",
            "compositional_skills/a/qna.yaml",
        ],
        results_(),
    )
    assert [(r.file, r.benchmark) for r in rows] == [
        ("compositional_skills/a/qna.yaml", "MT-Bench-Branch"),
        ("compositional_skills/z/qna.yaml", None),
        ("knowledge/x/y/qna.yaml", "MMLU-Branch"),
    ]


@pytest.mark.parametrize(
    "pair, metric, expected",
    [
        (Pair(5.0, 6.0), "MT-Bench-Branch", "🟢 ▲ +1.00"),
        (Pair(6.0, 5.0), "MT-Bench-Branch", "🔴 ▼ -1.00"),
        (Pair(6.0, 5.6), "MT-Bench-Branch", "⚪ ▼ -0.40 (within noise)"),
        (Pair(6.0, 6.0), "MT-Bench-Branch", "⚪ = no change"),
        (Pair(None, 6.0), "MT-Bench-Branch", "🆕 new (no base score)"),
        (Pair(0.50, 0.56), "MMLU-Branch", "🟢 ▲ +0.06"),
    ],
)
def test_change_markers(pair, metric, expected):
    assert report.change(pair, report.BRANCH[metric], report.Settings()) == expected


def test_error_rate_going_down_is_better():
    metric = report.GENERAL["mt_bench_error_rate"]
    assert report.change(Pair(0.10, 0.02), metric, report.Settings()) == "🟢 ▼ -0.08"
    assert report.change(Pair(0.02, 0.10), metric, report.Settings()) == "🔴 ▲ +0.08"


def test_render_escapes_untrusted_text_and_neutralises_mentions():
    r = results_(
        links=(Link("@team <img src=x onerror=alert(1)> [x](javascript:y)", "https://e.org/a b(c)"),),
        base_model="@octocat",
        new_model="m`x`|y",
    )
    evil = "compositional_skills/@org/te|am`<b>/qna.yaml"
    body = report.render(report.rows_for_files([evil], r), r, report.Settings())
    assert body.startswith("<!-- labeler:publish-benchmarks build=b1 -->\n")
    assert "<img" not in body and "<b>" not in body.replace(md.code(evil).replace("|", "\\|"), "")
    assert "[x](javascript" not in body and "(https://e.org/a%20b%28c%29)" in body
    assert "@team" not in body  # neutralised outside code spans
    assert "| ``compositional_skills/@org/te\\|am`<b>/qna.yaml`` |" in body


def test_chart_only_for_two_or_more_rows_and_labels_are_safe():
    r = results_()
    one = report.render(report.rows_for_files(["compositional_skills/a/qna.yaml"], r), r, report.Settings())
    assert "mermaid" not in one
    r2 = results_(
        mt_bench_branch={
            'compositional_skills/a"]\nclick/qna.yaml': Pair(5.0, 6.0),
            "compositional_skills/b/qna.yaml": Pair(6.0, 5.8),
        }
    )
    chart = report.charts(report.rows_for_files(list(r2.mt_bench_branch), r2))
    assert 'x-axis ["a___click", "b"]' in chart and "bar [6.00, 5.80]" in chart and "line [5.00, 6.00]" in chart
    assert (
        report.render(report.rows_for_files(list(r2.mt_bench_branch), r2), r2, report.Settings(chart=False)).count(
            "mermaid"
        )
        == 0
    )


def test_a_huge_pr_still_fits_in_one_comment():
    paths = [f"compositional_skills/leaf{i:05d}/qna.yaml" for i in range(3000)]
    r = results_(mt_bench_branch={p: Pair(5.0, 6.0) for p in paths})
    body = report.render(report.rows_for_files(paths, r), r, report.Settings())
    assert len(body) <= md.COMMENT_LIMIT and "truncated" in body


@pytest.mark.parametrize(
    "text, expected", [("12,15", [12, 15]), ("#3 #1 3", [1, 3]), ("20-22", [20, 21, 22]), ("", []), (" 7 ,\n8", [7, 8])]
)
def test_parse_prs(text, expected):
    assert parse_prs(text) == expected


@pytest.mark.parametrize("text", ["abc", "0", "5-3", "1-5000", "1-", "-3", "1.5"])
def test_parse_prs_rejects(text):
    with pytest.raises(UserError, match="--prs"):
        parse_prs(text)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[1, 2]", "must map PR numbers"),
        ("abc: [x]", "not a PR number"),
        ("1: x", "expected a list"),
        ("1: [3]", "expected a list"),
        ("1: [a\n", "not valid YAML"),
    ],
)
def test_pr_files_rejects(tmp_path, text, message):
    path = tmp_path / "prs.yaml"
    path.write_text(text)
    with pytest.raises(UserError, match=message):
        load_pr_files(str(path))


def test_noise_flags(build, tmp_path, capsys):
    files = tmp_path / "prs.yaml"
    files.write_text(yaml.safe_dump({1: [skill(1)]}))
    assert run("--results", build(3), "--pr-files", str(files), "--dry-run", "--noise", "mt-bench-branch=0.01") == 0
    assert "🟢 ▲ +0.10" in capsys.readouterr().out
    assert run("--results", build(3), "--pr-files", str(files), "--dry-run", "--noise", "bogus=1") == 1
    assert run("--results", build(3), "--pr-files", str(files), "--dry-run", "--noise", "mmlu=x") == 1


# ------------------------------------------------------------------------------ the drop-in workflow under act
WORKFLOW = ".github/workflows/publish-benchmarks.yml"


DOWNLOAD_STUB = """\
name: download-artifact (offline stub)
description: "Copies $ACT_ARTIFACTS/<name> to the path input"
inputs:
  name: {description: artifact, required: false, default: ""}
  run-id: {description: ignored, required: false, default: ""}
  github-token: {description: ignored, required: false, default: ""}
  path: {description: destination, required: false, default: ""}
runs:
  using: composite
  steps:
    - shell: bash
      run: mkdir -p "$DEST" && cp -R "$ACT_ARTIFACTS/$NAME/." "$DEST/"
      env:
        DEST: ${{ inputs.path }}
        NAME: ${{ inputs.name }}
"""


def act_run(
    run_act: Any, act_repo: Path, gh: Any, tmp_path: Path, event_name: str, payload: dict[str, Any], **kw: Any
) -> Any:
    stub = tmp_path / "download-artifact-stub"
    stub.mkdir(exist_ok=True)
    (stub / "action.yml").write_text(DOWNLOAD_STUB)
    event = tmp_path / f"{event_name}.json"
    event.write_text(json.dumps(payload))
    env = {
        "GITHUB_API_URL": gh.url,
        "GITHUB_REPOSITORY": "acme/widgets",
        "LABELER_GITHUB_PACE": "0",
        "ACT_ARTIFACTS": str(tmp_path / "artifacts"),
    }
    local = {"actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093": str(stub)}
    return run_act(event_name, event, WORKFLOW, act_repo, env=env, local_repositories=local, **kw)


DISPATCH_INPUTS = {
    "results": "",
    "prs": "",
    "dry-run": "false",
    "from-results": "false",
    "artifact-run-id": "",
    "artifact-name": "benchmark-results",
    "build-id": "",
    "label": "",
    "milestone": "",
}


@pytest.mark.act
def test_workflow_dispatch_posts_from_a_repository_path(run_act, act_repo, fake_github, tmp_path):
    gh = fake_github
    gh.add_pr(4, files={"compositional_skills/linguistics/synonyms/qna.yaml": "x"}, merged=True)
    gh.add_pr(5, files={"knowledge/history/public_transportation/boston/qna.yaml": "x"}, merged=True)
    inputs = {**DISPATCH_INPUTS, "results": "tests/publish_benchmarks/benchmarks_results/cmb_build.yaml", "prs": "4,5"}
    result = act_run(run_act, act_repo, gh, tmp_path, "workflow_dispatch", {"inputs": {}}, inputs=inputs)
    assert result.ok, result.log()
    assert len(ours(gh, 4)) == 1 and "| 5.90 | 3.53 | 🔴 ▼ -2.37 |" in ours(gh, 4)[0]
    assert len(ours(gh, 5)) == 1 and "| 0.40 | 0.58 | 🟢 ▲ +0.18 |" in ours(gh, 5)[0]
    assert result.outputs["created"] == "2"
    assert any("publish-benchmarks: build `cmb-2024-08-26`" in s for s in result.summaries)


@pytest.mark.act
def test_repository_dispatch_posts_inline_results(run_act, act_repo, fake_github, tmp_path):
    gh = fake_github
    seed_prs(gh, 3)
    payload = {
        "action": "publish-benchmarks",
        "client_payload": {"results": build_results(3), "label": "cmb-2024-08-26"},
    }
    result = act_run(run_act, act_repo, gh, tmp_path, "repository_dispatch", payload)
    assert result.ok, result.log()
    assert [len(ours(gh, i)) for i in (1, 2, 3)] == [1, 1, 1]


@pytest.mark.act
def test_workflow_dispatch_from_an_artifact_as_a_dry_run(run_act, act_repo, fake_github, tmp_path):
    gh = fake_github
    gh.add_pr(4, files={"compositional_skills/linguistics/synonyms/qna.yaml": "x"}, merged=True)
    artifact = tmp_path / "artifacts" / "benchmark-results"
    artifact.mkdir(parents=True)
    (artifact / "eval.log").write_text((HERE / "ilab_evaluate.log").read_text())
    inputs = {
        **DISPATCH_INPUTS,
        "results": "eval.log",
        "artifact-run-id": "12345",
        "build-id": "cmb-2024-08-26",
        "prs": "4",
        "dry-run": "true",
    }
    result = act_run(run_act, act_repo, gh, tmp_path, "workflow_dispatch", {"inputs": {}}, inputs=inputs)
    assert result.ok, result.log()
    assert gh.writes() == [] and MARKER in result.log()


def test_duplicates_from_an_earlier_race_are_removed(fake_github, build):
    gh = fake_github
    seed_prs(gh, 1)
    for text in ("first", "second", "third"):
        gh.add_comment(1, f"{MARKER}\n{text}", user="github-actions[bot]", user_type="Bot")
    oldest = gh.comment_objs(1)[0].id
    assert run("--results", build(1), "--prs", "1", "--dry-run") == 0
    assert len(gh.comments(1)) == 3
    assert run("--results", build(1), "--prs", "1") == 0
    [body] = gh.comments(1)
    assert body.startswith(MARKER + "\n### Benchmark results") and gh.comment_objs(1)[0].id == oldest


def test_nearly_used_request_quota_defers_the_rest(fake_github, actions_env, build):
    gh = fake_github
    seed_prs(gh, 4)
    gh.ratelimit_remaining = 3
    assert run("--results", build(4), "--prs", "1-4") == 0
    assert actions_env.outputs()["deferred"] == "3" and "quota is nearly used" in actions_env.summary()
    gh.ratelimit_remaining = 4000
    assert run("--results", build(4), "--prs", "1-4") == 0
    assert all(len(ours(gh, i)) == 1 for i in range(1, 5))


@pytest.mark.parametrize("since", ["yesterday", "2024-13-01", "2024-08-01T25:00:00Z"])
def test_bad_since_is_refused_before_any_request(fake_github, build, since):
    assert run("--results", build(3), "--from-results", "--since", since) == 1
    assert fake_github.requests == []


def test_write_results_converts_a_text_report(tmp_path, capsys):
    out, files = tmp_path / "converted.json", tmp_path / "prs.yaml"
    files.write_text("4: [compositional_skills/linguistics/synonyms/qna.yaml]\n")
    assert (
        run(
            "--results",
            str(HERE / "ilab_evaluate.log"),
            "--build-id",
            "cmb-2024-08-26",
            "--pr-files",
            str(files),
            "--dry-run",
            "--write-results",
            str(out),
        )
        == 0
    )
    data = json.loads(out.read_text())
    assert data["build"] == {"id": "cmb-2024-08-26"} and data["mt_bench_branch"][SYNONYM_PATH] == {
        "base": 5.9,
        "new": 3.53,
    }


SYNONYM_PATH = "compositional_skills/linguistics/synonyms/qna.yaml"


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "no results: pass --results"),
        (["--results", "missing.yaml", "--prs", "1"], "results file not found"),
        (["--results", str(HERE / "cmb_build.yaml")], "choose the pull requests"),
        (["--results", str(HERE / "cmb_build.yaml"), "--label", "x", "--dry-run"], "set GITHUB_TOKEN"),
        (["--results", str(HERE / "cmb_build.yaml"), "--from-event"], "no event"),
    ],
)
def test_usage_errors(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(*args) == 1
    assert message in capsys.readouterr().err


def test_repository_dispatch_dry_run_writes_nothing(fake_github, tmp_path):
    seed_prs(fake_github, 2)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"client_payload": {"results": build_results(2), "prs": "1 2", "dry_run": True}}))
    assert run("--from-event", "--event", str(event)) == 0
    assert fake_github.writes() == []
