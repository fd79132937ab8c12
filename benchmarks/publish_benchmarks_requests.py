"""GitHub requests per PR for publish-benchmarks over a build of N PRs (default 200), against FakeGitHub.

    python3 benchmarks/publish_benchmarks_requests.py [--prs 200]   # exits 1 when a run failed

Scenarios, each printed as requests (GET/POST/PATCH) total and per PR, plus wall time with pacing off:
  first run (label), re-run with nothing changed, re-run after one row changed, first run via
  --from-results discovery (extra routes for commit history), and a run with a 502 that landed.
Production pacing (1 s per write, 0.25 s per request in PyGithub) is reported as an estimate.
No data files needed; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _support import setup

setup("yaml", "github")

from fakes import FakeGitHub
from fakes._http import Reply
from labeler.cli import main

LABEL = "cmb-build"


def leaf(i: int) -> str:
    return f"knowledge/history/topic{i:04d}/qna.yaml" if i % 3 == 0 else f"compositional_skills/leaf{i:04d}/qna.yaml"


def results(n: int, bump: int | None = None) -> dict[str, Any]:
    mt = {leaf(i): {"base": 5.0, "new": 5.5 + (1 if i == bump else 0)} for i in range(1, n + 1) if i % 3}
    mmlu = {f"knowledge_history_topic{i:04d}": {"base": 0.4, "new": 0.5} for i in range(1, n + 1) if i % 3 == 0}
    return {
        "build": {"id": "bench-1"},
        "models": {"base": "a", "new": "b"},
        "mmlu": {"base": 0.5, "new": 0.51},
        "mt_bench": {"base": 7.0, "new": 7.1},
        "mmlu_branch": mmlu,
        "mt_bench_branch": mt,
    }


def add_history_routes(gh: Any, n: int) -> None:
    """Commit history for --from-results: PR i merged as commit i touching its files."""
    original = gh.route
    base = f"/repos/{gh.repo}"

    def route(req: Any) -> Reply | None:
        if req.path == f"{base}/git/trees/main":
            return Reply(
                200, {"truncated": False, "tree": [{"path": leaf(i), "type": "blob"} for i in range(1, n + 1)]}
            )
        if req.path == f"{base}/commits":
            hits = [i for i in range(1, n + 1) if leaf(i) == req.query.get("path")]
            return gh.page(req, [{"sha": f"{i:040x}"} for i in hits])
        m = re.fullmatch(rf"{base}/commits/([0-9a-f]{{40}})/pulls", req.path)
        if m:
            return Reply(200, [gh.pull_json(int(m.group(1), 16))])
        return original(req)

    gh.route = route


def seed(gh: Any, n: int) -> None:
    for i in range(1, n + 1):
        gh.add_pr(i, files={leaf(i): "version: 3\n"}, labels=[LABEL], merged=True)


FAILURES: list[str] = []


def measure(gh: Any, name: str, n: int, args: list[str]) -> None:
    start, began = len(gh.requests), time.perf_counter()
    rc = main(["publish-benchmarks", *args])
    if rc != 0:
        FAILURES.append(f"{name}: publish-benchmarks exited {rc}")
    seconds = time.perf_counter() - began
    reqs = gh.requests[start:]
    by = collections.Counter(r.method for r in reqs)
    writes = by["POST"] + by["PATCH"]
    paced = writes * 1.0 + len(reqs) * 0.25
    detail = " ".join(f"{m}={by[m]}" for m in ("GET", "POST", "PATCH") if by[m])
    print(
        f"{name:<34} rc={rc}  requests={len(reqs):5d} ({detail})  per PR={len(reqs) / n:4.2f}  "
        f"wall={seconds:5.1f}s  paced estimate={paced / 60:5.1f} min"
    )


def run(n: int) -> None:
    os.environ.update(
        GITHUB_TOKEN="ghs_bench_token_0123456789", GITHUB_REPOSITORY="acme/widgets", LABELER_GITHUB_PACE="0"
    )
    with tempfile.TemporaryDirectory() as tmp, FakeGitHub() as gh, open(os.devnull, "w") as null:
        os.environ["GITHUB_API_URL"] = gh.url
        path, bumped = Path(tmp) / "r.json", Path(tmp) / "r2.json"
        path.write_text(json.dumps(results(n)))
        bumped.write_text(json.dumps(results(n, bump=1)))
        seed(gh, n)
        add_history_routes(gh, n)
        stderr, sys.stderr = sys.stderr, null  # per-PR progress lines
        try:
            print(f"publish-benchmarks, {n} PRs (1 qna.yaml each), FakeGitHub, pacing off")
            measure(gh, "first run (--label)", n, ["--results", str(path), "--label", LABEL])
            measure(gh, "re-run, nothing changed", n, ["--results", str(path), "--label", LABEL])
            measure(gh, "re-run, one row changed", n, ["--results", str(bumped), "--label", LABEL])
            gh.comments_by_id.clear()
            for issue in gh.issues.values():
                issue.comments = 0
            measure(gh, "first run (--from-results)", n, ["--results", str(path), "--from-results"])
            gh.comments_by_id.clear()
            for issue in gh.issues.values():
                issue.comments = 0
            fault = gh.fail("POST", r"/issues/\d+/comments$", status=502, times=1, after_apply=True, skip=n // 2)
            measure(gh, "first run, a 502 that landed", n, ["--results", str(path), "--prs", f"1-{n}"])
            dupes = sum(1 for i in range(1, n + 1) if len(gh.comments(i)) != 1)
            print(
                f"502 injected: {'yes' if fault.times == 0 else 'no'}; "
                f"PRs without exactly one comment afterwards: {dupes}"
            )
            if dupes:
                FAILURES.append(f"{dupes} PRs without exactly one comment after the 502")
        finally:
            sys.stderr = stderr


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=200)
    run(parser.parse_args().prs)
    if FAILURES:
        sys.exit("FAILED: " + "; ".join(FAILURES))
