"""label-issue benchmarks: CLI startup, end-to-end wall time without the model, GitHub requests.

    python3 benchmarks/label_issue.py [--issues 30]

Runs real PyGithub and the real Anthropic SDK against the loopback stand-ins in tests/fakes
(the model answers instantly, so the time is ours). Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import ROOT, setup

setup("yaml", "github", "anthropic")

from fakes import FakeGitHub, FakeLLM
from labeler.cli import main


def startup(runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "labeler", "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def payload(number: int, comment: str | None = None) -> dict:
    issue = {
        "number": number,
        "title": f"Crash #{number} with a traceback",
        "body": "It crashes. " * 50,
        "user": {"login": "alice", "type": "User"},
        "labels": [],
        "state": "open",
        "comments": 1 if comment else 0,
        "author_association": "NONE",
    }
    event = {"action": "created" if comment else "opened", "issue": issue, "repository": {"full_name": "acme/widgets"}}
    if comment:
        event["comment"] = {
            "id": 1,
            "body": comment,
            "user": {"login": "alice", "type": "User"},
            "author_association": "NONE",
        }
    return event


def run_case(
    gh: FakeGitHub, tmp: Path, name: str, number: int, provider: str, comment: str | None = None
) -> tuple[float, int]:
    event = tmp / f"{name}-{number}.json"
    event.write_text(json.dumps(payload(number, comment)))
    os.environ["GITHUB_EVENT_NAME"] = name
    before = len(gh.requests)
    start = time.perf_counter()
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):  # the command's own output, ::add-mask::
        rc = main(["label-issue", "--event", str(event), "--config", str(ROOT / "labels.yml"), "--provider", provider])
    elapsed = time.perf_counter() - start
    if rc != 0:
        sys.exit(f"FAILED: label-issue exited {rc} for #{number}")
    return elapsed, len(gh.requests) - before


def end_to_end(issues: int) -> None:
    with FakeGitHub() as gh, FakeLLM() as llm, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(
            GITHUB_API_URL=gh.url,
            GITHUB_TOKEN="ghs_bench_token_0123456789",
            GITHUB_REPOSITORY=gh.repo,
            LABELER_GITHUB_PACE="0",
            GITHUB_ACTIONS="true",
            ANTHROPIC_BASE_URL=llm.anthropic_url,
            ANTHROPIC_API_KEY="sk-ant-bench-0123456789",
        )
        llm.responder = lambda route, req: {
            "labels": [{"name": "bug", "confidence": 0.9}],
            "rationale": "crash",
            "version": "1",
        }
        for provider in ("keywords", "anthropic"):
            times, requests, auto_requests = [], [], []
            for i in range(issues):
                number = 1000 * (provider == "anthropic") + i + 1
                gh.add_issue(number, "Crash", "It crashes.")
                elapsed, count = run_case(gh, Path(tmp), "issues", number, provider)
                times.append(elapsed)
                requests.append(count)
                gh.add_comment(number, "/label auto")
                auto_requests.append(run_case(gh, Path(tmp), "issue_comment", number, provider, "/label auto")[1])
            print(
                f"label-issue[{provider}] issues.opened wall (model excluded): median {statistics.median(times) * 1000:.0f} ms, "
                f"p90 {sorted(times)[int(0.9 * len(times)) - 1] * 1000:.0f} ms over {issues} issues"
            )
            print(
                f"label-issue[{provider}] GitHub requests per labeled issue: opened {statistics.mean(requests):.1f} "
                f"(max {max(requests)}), /label auto {statistics.mean(auto_requests):.1f} (max {max(auto_requests)}); target <= 3"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=30)
    args = parser.parse_args()
    print(f"labeler --help startup: median {startup() * 1000:.0f} ms (python -m labeler, 7 runs)")
    end_to_end(args.issues)
