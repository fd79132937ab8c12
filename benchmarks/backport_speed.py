"""Speed of `backport-report` with a model: 1,000 commits against the loopback FakeLLM answering
in 250 ms, at concurrency 8. Ideal: 1000 x 0.25 s / 8 = 31.25 s; target ratio <= 1.10 (the pool's
wall time, first call to last answer). Then the nightly case: a re-run with nothing new makes 0 model
calls and never imports the SDK (target <= 1.5 s whole command).

    .venv/bin/python benchmarks/backport_speed.py [--commits 1000] [--latency 0.25] [--concurrency 8]
                                                  [--provider anthropic|openai]
    .venv/bin/python benchmarks/backport_speed.py --rules     # the rules provider, first run and re-run
    .venv/bin/python benchmarks/backport_speed.py --apply     # the apply check of ~300 picks, then cached
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from backport_replay import DATA, SYNTHETIC_TREE, load, replay, stable_tree, synthetic
from labeler.cli import main


def run_once(repo: Path, out: Path, cache: Path, args: argparse.Namespace) -> tuple[float, dict]:
    started = time.perf_counter()
    code = main(
        [
            "backport-report",
            "--repo",
            str(repo),
            "--since",
            "v2.9-dev0",
            "--stable",
            "2.8",
            "--provider",
            args.provider,
            "--model",
            "bench-model",
            "--concurrency",
            str(args.concurrency),
            "--cache",
            str(cache),
            "--json",
            str(out),
            "--html",
            str(out.with_suffix(".html")),
        ]
    )
    if code != 0:
        raise SystemExit(f"the command failed ({code})")
    return time.perf_counter() - started, json.loads(out.read_text())


def bench(args: argparse.Namespace) -> None:
    from fakes import FakeLLM

    with (
        tempfile.TemporaryDirectory(prefix="backport-speed-") as tmp,
        FakeLLM(default="Explanation: nothing asks for it.\nConclusion: no", latency=args.latency) as llm,
    ):
        root = Path(tmp)
        replay(synthetic(args.commits), root / "repo", "v2.9-dev0", "2.8")
        os.environ.update(
            {
                "ANTHROPIC_BASE_URL": llm.anthropic_url,
                "OPENAI_BASE_URL": llm.openai_url,
                "ANTHROPIC_API_KEY": "sk-ant-bench",
                "OPENAI_API_KEY": "sk-bench",
                "LABELER_MODEL_TIMEOUT": "60",
            }
        )
        wall, report = run_once(root / "repo", root / "r1.json", root / "cache.json", args)
        ideal = args.commits * args.latency / args.concurrency
        calls = len(llm.requests)
        pool = report.get("call_seconds") or report["seconds"]
        print(
            f"first run:  {calls} model calls, calls {pool:.1f} s (ideal {ideal:.1f} s, ratio {pool / ideal:.2f}, "
            f"target <= 1.10); classification {report['seconds']:.1f} s incl. the SDK import; "
            f"whole command {wall:.1f} s incl. git, page (load average {os.getloadavg()[0]:.1f})"
        )
        wall2, report2 = run_once(root / "repo", root / "r2.json", root / "cache.json", args)
        print(
            f"re-run:     {len(llm.requests) - calls} model calls (must be 0), {report2['cached']} from the cache, "
            f"whole command {wall2:.1f} s"
        )
        print(f"cache file: {(root / 'cache.json').stat().st_size / 1024:.0f} KiB for {report2['cached']} verdicts")


def bench_rules(args: argparse.Namespace) -> None:
    """The rules provider with git facts on `args.commits` commits (real haproxy records when the
    data is there, else synthetic), twice: targets <= 2 s, re-run <= 1.5 s (whole command)."""
    path = DATA / "haproxy-2.9dev-vs-2.8.jsonl"
    records = load(path)[: args.commits] if path.exists() else synthetic(args.commits)
    tree = stable_tree(path) if path.exists() else SYNTHETIC_TREE
    with tempfile.TemporaryDirectory(prefix="backport-speed-") as tmp:
        root = Path(tmp)
        replay(records, root / "repo", "v2.9-dev0", "2.8", tree)
        for label, target in (("rules, first run", 2.0), ("rules, re-run   ", 1.5)):
            started, cpu = time.perf_counter(), _cpu()
            code = main(
                [
                    "backport-report",
                    "--repo",
                    str(root / "repo"),
                    "--since",
                    "v2.9-dev0",
                    "--stable",
                    "2.8",
                    "--json",
                    str(root / "r.json"),
                    "--html",
                    str(root / "r.html"),
                ]
            )
            wall, cpu = time.perf_counter() - started, _cpu() - cpu
            if code != 0:
                raise SystemExit(f"the command failed ({code})")
            print(
                f"{label}: {len(records)} commits, {wall:.2f} s whole command incl. git facts and page "
                f"(target <= {target} s: {'met' if wall <= target else 'NOT met'}); CPU {cpu:.2f} s incl. git "
                f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
            )


def bench_apply(args: argparse.Namespace) -> None:
    """The apply check: the real haproxy 2.9-dev records replayed with nothing on the stable branch,
    so every Yes is a pick (about 300), each cherry-picked onto the stable tree in order; target
    <= 15 s. Then the re-run, whose results come from the cache."""
    path = DATA / "haproxy-2.9dev-vs-2.8.jsonl"
    records = load(path)[: args.commits] if path.exists() else synthetic(args.commits)
    tree = stable_tree(path) if path.exists() else SYNTHETIC_TREE
    with tempfile.TemporaryDirectory(prefix="backport-speed-") as tmp:
        root = Path(tmp)
        replay(records, root / "repo", "v2.9-dev0", "2.8", tree, picks=False)
        argv = ["backport-report", "--repo", str(root / "repo"), "--since", "v2.9-dev0", "--stable", "2.8"]
        argv += ["--cache", str(root / "cache.json"), "--json", str(root / "r.json")]
        for label in ("apply check", "re-run     "):
            started = time.perf_counter()
            if main(argv) != 0:
                raise SystemExit("the command failed")
            wall = time.perf_counter() - started
            data = json.loads((root / "r.json").read_text())
            statuses = [c["apply"]["status"] for c in data["commits"] if c.get("apply")]
            seconds = data["apply"].get("seconds")
            print(
                f"{label}: {data['apply']['picks']} picks, "
                + (
                    f"check {seconds:.2f} s (target <= 15 s: {'met' if seconds <= 15 else 'NOT met'}); "
                    if seconds
                    else ""
                )
                + f"cached {data['apply']['cached']}; clean {statuses.count('clean')}, conflict "
                f"{statuses.count('conflict')}, skipped {statuses.count('skipped')}; whole command {wall:.2f} s "
                f"(load average {os.getloadavg()[0]:.1f})"
            )


def _cpu() -> float:
    """CPU seconds of this process and its finished children (git): wall time on a shared machine
    depends on the neighbours, this does not."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--provider", choices=["anthropic", "openai"], default="anthropic")
    parser.add_argument("--rules", action="store_true", help="time the rules provider instead of a model")
    parser.add_argument("--apply", action="store_true", help="time the apply check of the pick list")
    parsed = parser.parse_args()
    bench_apply(parsed) if parsed.apply else bench_rules(parsed) if parsed.rules else bench(parsed)
    sys.exit(0)
