"""The benchmark's replay (benchmarks/backport_replay.py) rebuilds what a git-aware rule sees on the real
repository: each commit's touched files, and for systemd-style records the pull request merges."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from labeler import git
from labeler.backport_report import pulls


def _load_replay():
    """benchmarks/backport_replay.py by path: putting benchmarks/ on sys.path would shadow test packages
    (benchmarks/label_issue.py vs tests/label_issue/)."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "backport_replay.py"
    spec = importlib.util.spec_from_file_location("_bench_backport_replay", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and annotations look the module up by name
    spec.loader.exec_module(module)
    return module


replay = _load_replay().replay


def _record(seq: int, pr: int | None, files: list[str], subject: str | None = None) -> dict:
    return {
        "seq": seq,
        "sha": f"{seq:040x}",
        "subject": subject or f"core: change {seq}",
        "body": "",
        "author": "A <a@example.org>",
        "date": f"2023-07-{seq:02d}T10:00:00+00:00",
        "commit_date": f"2023-07-{seq:02d}T11:00:00+00:00",
        "backported": seq == 2,
        "files": files,
        "backport_commits": [{"date": "2023-08-01T00:00:00+00:00"}] if seq == 2 else [],
        **({"pr": pr, "pr_title": f"PR {pr}"} if pr else {}),
    }


def test_pull_request_records_are_merged_the_github_way_and_keep_their_files(tmp_path):
    records = [
        _record(1, 10, ["src/a.c"]),
        _record(2, None, ["src/b.c"]),
        _record(3, 11, ["src/a.c", "new.c"]),
        _record(4, 10, ["src/c.c"]),
        _record(5, 11, ["src/b.c"]),
        _record(6, None, ["src/a.c"]),
    ]
    by_new = replay(records, tmp_path / "repo", "v254", "stable", ["src/a.c", "src/b.c", "src/c.c"])
    repo = str(tmp_path / "repo")
    every = git.log(repo, "v254..master")
    merges = [c.subject for c in every if c.is_merge]
    assert merges == ["Merge pull request #10 from replay/pr-10", "Merge pull request #11 from replay/pr-11"]
    for sha, record in by_new.items():
        touched = subprocess.run(
            ["git", "-C", repo, "diff-tree", "-r", "--no-commit-id", "--name-only", sha],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert sorted(touched) == sorted(record["files"])  # git lists paths in its own order
    mapped = {
        by_new[sha]["seq"]: number
        for sha, number in pulls.by_commit(every, git.resolve(repo, "master", "master")).items()
    }
    assert mapped == {1: 10, 4: 10, 3: 11, 5: 11}


def test_without_merges_every_record_is_on_one_line(tmp_path):
    records = [_record(1, 10, ["src/a.c"]), _record(2, None, ["src/b.c"])]
    replay(records, tmp_path / "repo", "v254", "stable", ["src/a.c", "src/b.c"], merges=False)
    assert not [c for c in git.log(str(tmp_path / "repo"), "v254..master") if c.is_merge]
