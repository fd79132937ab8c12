"""label-issue's default without a key, end to end: it learns each repository from its own labeled history.

    python3 benchmarks/label_issue_learned.py [--seeds 1,2,3] [--history 200] [--opened 40] [--no-speed]

Real issues (NLBSE'24 train split, ../shared/data/issues/nlbse24). For each repository and seed: a
seeded random `--history` of its issues sits, labeled and closed, in the GitHub REST stand-in
(tests/fakes); `--opened` other issues of the repository are then opened one by one and each runs
`labeler label-issue` (the CLI, in process) with no key, its model directory empty at first. The
first event reads the history through the stand-in, learns and labels; the others reuse the model.
Labels: benchmarks/keywords_labels.yml (the project's example taxonomy, `enhancement` named
`feature`, as NLBSE names it). Not time order: NLBSE'24 sampled each label from different periods.

Prints per repository and seed: coverage (share of opened issues that got a type label applied) and
realised precision (applied labels that are the issue's own); per repository over the seeds; the
mean over repositories. Then (unless --no-speed) the two timings: learning on 2,000 issues (a fresh
`python -m labeler label-issue` process with an empty model directory and 2,000 labeled issues in
the stand-in: reading them, learning, labeling) and a warm run (a fresh process, model in place).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _support import ROOT, setup

setup("yaml", "github", "sklearn")

from classifier_common import DATA, skip
from fakes import FakeGitHub
from labeler.cli import main
from labeler.examples import Example, read_jsonl

PATH = DATA / "nlbse24" / "derived" / "issues_train.jsonl"
LABELS = Path(__file__).with_name("keywords_labels.yml")
TYPES = {"bug", "feature", "question"}
TOKEN = "ghs_bench_token_0123456789"


@dataclass
class Outcome:
    opened: int = 0
    applied: int = 0
    right: int = 0
    learned: int = 0  # events that learned (1: the first; more would mean the model was not reused)
    seconds: float = 0.0

    @property
    def coverage(self) -> float:
        return self.applied / self.opened if self.opened else 0.0

    @property
    def precision(self) -> float:
        return self.right / self.applied if self.applied else float("nan")


def event(tmp: Path, number: int, e: Example) -> Path:
    issue = {
        "number": number,
        "title": e.title,
        "body": e.body,
        "user": {"login": "reporter", "type": "User"},
        "labels": [],
        "state": "open",
        "comments": 0,
        "author_association": "NONE",
    }
    path = tmp / f"event-{number}.json"
    path.write_text(json.dumps({"action": "opened", "issue": issue, "repository": {"full_name": "acme/widgets"}}))
    return path


def environment(gh: FakeGitHub, model: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.endswith("_BASE_URL")}
    return keep | {
        "GITHUB_API_URL": gh.url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": gh.repo,
        "GITHUB_EVENT_NAME": "issues",
        "LABELER_GITHUB_PACE": "0",
        "LABELER_MODEL_PATH": str(model),
    }


def seed_history(gh: FakeGitHub, history: list[Example]) -> None:
    for n, e in enumerate(history, start=1):
        created = f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z"
        gh.add_issue(n, e.title, e.body, labels=list(e.labels), state="closed", created_at=created, updated_at=created)


def one_repository(rows: list[Example], seed: int, n_history: int, n_opened: int) -> Outcome:
    mine = list(rows)
    random.Random(seed).shuffle(mine)
    history, opened = mine[:n_history], mine[n_history : n_history + n_opened]
    out = Outcome()
    with FakeGitHub() as gh, tempfile.TemporaryDirectory() as tmp:
        seed_history(gh, history)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(environment(gh, Path(tmp) / "model"))
        try:
            for i, e in enumerate(opened, start=len(history) + 1):
                gh.add_issue(i, e.title, e.body)
                listed = sum(1 for r in gh.requests if r.method == "GET" and r.path.endswith("/issues"))
                started = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    rc = main(["label-issue", "--event", str(event(Path(tmp), i, e)), "--config", str(LABELS)])
                out.seconds += time.perf_counter() - started
                if rc != 0:
                    sys.exit(f"FAILED: label-issue exited {rc}")
                out.learned += any(r.method == "GET" and r.path.endswith("/issues") for r in gh.requests[listed:])
                applied = set(gh.issue_labels(i)) & TYPES
                out.opened += 1
                out.applied += bool(applied)
                out.right += bool(applied) and applied <= set(e.labels)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return out


def quality(rows: list[Example], seeds: list[int], n_history: int, n_opened: int) -> None:
    repos = sorted({str(e.extra.get("repo")) for e in rows})
    print(
        f"label-issue, no key, default provider, NLBSE'24: {n_history} labeled issues of history, {n_opened} "
        f"others opened one by one, seeds {seeds}; labels {LABELS.name}"
    )
    per_repo: dict[str, list[Outcome]] = {}
    for repo in repos:
        mine = [e for e in rows if e.extra.get("repo") == repo]
        for seed in seeds:
            o = one_repository(mine, seed, n_history, n_opened)
            per_repo.setdefault(repo, []).append(o)
            print(
                f"  {repo:<22} seed {seed}: coverage {o.coverage:5.1%}  precision {o.precision:.3f}  "
                f"({o.right}/{o.applied} right, {o.opened} opened; learned {o.learned}x; {o.seconds / o.opened:.2f} s/event)"
            )
    print("per repository (pooled over the seeds):")
    cov, prec = [], []
    for repo, outs in per_repo.items():
        pooled = Outcome(*(sum(getattr(o, f) for o in outs) for f in ("opened", "applied", "right", "learned")))
        cov.append(pooled.coverage)
        prec += [pooled.precision] if pooled.applied else []  # nothing applied: no precision to average
        print(f"  {repo:<22} coverage {pooled.coverage:5.1%}  precision {pooled.precision:.3f}")
    everything = [o for outs in per_repo.values() for o in outs]
    right, applied = sum(o.right for o in everything), sum(o.applied for o in everything)
    print(
        f"mean over repositories: coverage {statistics.mean(cov):5.1%}  precision {statistics.mean(prec):.3f}  "
        f"(pooled: precision {right / max(1, applied):.3f}; target: precision >= 0.85 at coverage >= 0.40)"
    )


def speed(rows: list[Example], n: int = 2000) -> None:
    """Learning on `n` issues and a warm run, each in a fresh process as an Actions job runs it."""
    pool = list(rows)
    history = [pool[i % len(pool)] for i in random.Random(0).sample(range(n), n)]  # 1,500 issues, some twice
    with FakeGitHub() as gh, tempfile.TemporaryDirectory() as tmp:
        seed_history(gh, history)
        env = environment(gh, Path(tmp) / "model")
        times, cpu = [], []
        for k in range(4):
            number = n + 1 + k
            gh.add_issue(number, "App crashes with a traceback on start", "Traceback (most recent call last)")
            cmd = [sys.executable, "-m", "labeler", "label-issue", "--event", str(event(Path(tmp), number, history[k]))]
            started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [*cmd, "--config", str(LABELS)], check=False, env=env, capture_output=True, text=True, cwd=ROOT
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(time.perf_counter() - started)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if done.returncode != 0:
                sys.exit(f"FAILED: {done.stdout}\n{done.stderr}")
        meta = json.loads((Path(tmp) / "model" / "meta.json").read_text())
    print(
        f"learning on {meta['learned']['issues']} labeled issues (read through the stand-in, learned, labeled; fresh "
        f"process, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}): {times[0]:.1f} s wall, "
        f"{cpu[0]:.1f} s CPU (target <= 60 s)"
    )
    print(
        f"warm labeling run (fresh process, model in place): median {statistics.median(times[1:]):.2f} s wall, "
        f"{statistics.median(cpu[1:]):.2f} s CPU (target <= 3 s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--history", type=int, default=200)
    parser.add_argument("--opened", type=int, default=40)
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    if not PATH.is_file():
        skip(f"NLBSE'24 data not found at {PATH}")
    data = read_jsonl(str(PATH))
    quality(data, [int(s) for s in args.seeds.split(",") if s], args.history, args.opened)
    if not args.no_speed:
        speed(data)
