"""Replay label-issue's offline providers (keywords, local) over the NLBSE'24 train split, per repository.

For each repository: a chronological 70/30 split; the local model trains on the 70 % (`labeler model
train`), then `labeler label-issue --replay` runs keywords and local over the 30 % with a
bug/feature/question labels.yml. Prints per-label precision/coverage, overall figures and wall time.
Data stays in a temporary directory (third-party text: never copied into the repository).

Then `labeler label-issue --backlog --no-dry-run` (keywords) over N open issues on the GitHub
stand-in (tests/fakes, real PyGithub over loopback, pacing off): GitHub requests per issue, timeline
read included (target <= 4), and the same for a re-run, which must add no comment.

    PYTHONPATH=src python benchmarks/label_issue_replay.py [--data PATH] [--repos N] [--backlog-issues N] [--skip-replay]

Exit status: non-zero when a step fails, a replay reports no issue, or the backlog misses its target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DATA = "/work/shared/data/issues/nlbse24/derived/issues_train.jsonl"
LABELS_YML = """labels:
  - name: bug
    description: Something does not work
    examples: [crash, error, exception, traceback, fails, broken]
  - name: feature
    description: A new feature or an improvement
    aliases: [enhancement]
    examples: [feature request, add support, it would be nice, please add, proposal, allow]
  - name: question
    description: A request for help or information
    examples: [how do i, how to, is it possible, what is the best way, question]
"""


def labeler(*args: str) -> None:
    cmd = [sys.executable, "-m", "labeler", *args]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, env={**os.environ, "GITHUB_ACTIONS": ""})
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DATA, help="NLBSE'24 issues_train.jsonl (default: %(default)s)")
    parser.add_argument("--repos", type=int, default=0, help="only the first N repositories (0: all)")
    parser.add_argument("--backlog-issues", type=int, default=200, help="open issues on the GitHub stand-in (0: skip)")
    parser.add_argument("--skip-replay", action="store_true", help="only the backlog measurement")
    args = parser.parse_args()
    if not args.skip_replay and (status := replay(args)) != 0:
        return status
    return backlog_requests(args.backlog_issues) if args.backlog_issues else 0


def replay(args: argparse.Namespace) -> int:
    if not os.path.isfile(args.data):
        print(f"no data at {args.data} (--data)", file=sys.stderr)
        return 2
    started = time.monotonic()
    by_repo: dict[str, list[dict]] = defaultdict(list)
    with open(args.data, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                by_repo[json.loads(line)["repo"]].append(json.loads(line))
    repos = sorted(by_repo)[: args.repos or None]
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "labels.yml")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(LABELS_YML)
        print(f"{'repo':22} {'provider':9} {'label':9} {'prec':>6} {'recall':>6} {'cover':>6} {'sugg':>5}  seconds")
        for repo in repos:
            rows = sorted(by_repo[repo], key=lambda r: r["created_at"])
            cut = int(len(rows) * 0.7)
            paths = {}
            for name, part in (("train", rows[:cut]), ("test", rows[cut:])):
                paths[name] = os.path.join(tmp, f"{repo.replace('/', '_')}-{name}.jsonl")
                with open(paths[name], "w", encoding="utf-8") as f:
                    for r in part:
                        f.write(json.dumps({**r, "split": None}) + "\n")
            model_dir = os.path.join(tmp, repo.replace("/", "_") + "-model")
            t0 = time.monotonic()
            labeler("model", "train", "--data", paths["train"], "--out", model_dir)
            train_s = time.monotonic() - t0
            for provider in ("keywords", "local"):
                out = os.path.join(tmp, f"{provider}.json")
                extra = ["--model-path", model_dir] if provider == "local" else []
                t0 = time.monotonic()
                labeler(
                    "label-issue",
                    "--replay",
                    paths["test"],
                    "--config",
                    cfg,
                    "--provider",
                    provider,
                    *extra,
                    "--json",
                    out,
                    "--cache",
                    os.path.join(tmp, f"cache-{repo.replace('/', '_')}-{provider}.json"),
                )
                wall = time.monotonic() - t0
                with open(out, encoding="utf-8") as f:
                    report = json.load(f)
                if not report["issues"]:
                    print(f"{repo}: {provider} replayed no issue", file=sys.stderr)
                    return 1
                for label, c in [*report["per_label"].items(), ("overall", report["overall"])]:
                    sugg = report["suggested_min_confidence"].get(label)
                    print(
                        f"{repo:22} {provider:9} {label:9} {_p(c['precision'])} {_p(c['recall'])} {_p(c['coverage'])} "
                        f"{'-' if sugg is None else format(sugg, '.2f'):>5}  "
                        f"{wall:.1f}{f' (train {train_s:.1f})' if provider == 'local' and label == 'overall' else ''}"
                    )
    print(f"replay wall time, all repositories: {time.monotonic() - started:.1f} s")
    return 0


def backlog_requests(n: int) -> int:
    """GitHub requests per issue of a real backlog run over `n` unlabelled open issues."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fakes import FakeGitHub
    from labeler.cli import main as cli

    os.environ.update(
        GITHUB_TOKEN="ghs_bench_token_0123456789",
        GITHUB_REPOSITORY="acme/widgets",
        LABELER_GITHUB_PACE="0",
        GITHUB_ACTIONS="",
    )
    with FakeGitHub() as gh, tempfile.TemporaryDirectory() as tmp, open(os.devnull, "w") as null:
        os.environ["GITHUB_API_URL"] = gh.url
        cfg = os.path.join(tmp, "labels.yml")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(LABELS_YML)
        for i in range(1, n + 1):
            gh.add_issue(i, ("App crashes with an error" if i % 2 else "How do I configure it?") + f" #{i}", "details")
        args = [
            "label-issue",
            "--backlog",
            "--no-dry-run",
            "--provider",
            "keywords",
            "--config",
            cfg,
            "--repo",
            "acme/widgets",
            "--max-issues",
            str(n),
        ]
        figures = []
        for run in ("first run", "re-run"):
            gh.requests.clear()
            out, sys.stdout = sys.stdout, null
            t0 = time.monotonic()
            try:
                status = cli(args)
            finally:
                sys.stdout = out
            wall = time.monotonic() - t0
            per_issue = len(gh.requests) / n
            figures.append(per_issue)
            kinds = defaultdict(int)
            for r in gh.requests:
                kinds[f"{r.method} {'timeline' if r.path.endswith('/timeline') else r.path.rsplit('/', 1)[-1]}"] += 1
            print(
                f"backlog {run}: {n} issues, {len(gh.requests)} GitHub requests = {per_issue:.2f} per issue "
                f"(target <= 4, timeline read included); {wall:.1f} s; exit {status}; "
                + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:5])
            )
            if status != 0:
                return 1
        extra = sum(1 for i in range(1, n + 1) if len(gh.comments(i)) != 1)
        print(f"issues without exactly one comment after the re-run: {extra}")
        return 0 if figures[0] <= 4 and extra == 0 else 1


def _p(x: float | None) -> str:
    return f"{'-':>6}" if x is None else f"{x * 100:5.1f}%"


if __name__ == "__main__":
    raise SystemExit(main())
