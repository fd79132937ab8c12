"""How many model calls a backport cycle needs with `--provider github-models` (model scope `unsure`): the
commits whose rules verdict is below the confidence cut, per real cycle, against the free tier's daily
requests.

    .venv/bin/python benchmarks/backport_free_tier.py                 # ../shared/data/backport/*.jsonl
    .venv/bin/python benchmarks/backport_free_tier.py --confident 0.7 0.8 0.9

Each cycle is replayed into a real git repository (benchmarks/backport_replay.py) and classified by the
rules, exactly as the nightly runs; no model is called. The commits below the cut are the ones the model
would be asked about; a nightly run asks only those not in its verdict cache, so the first run of a
cycle pays them all and later nights only the new commits.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys

from backport_quality import evaluate
from backport_replay import DATA, load, stable_tree

FREE_REQUESTS_PER_DAY = 150  # GitHub Models' free tier for a "low" model such as openai/gpt-4.1-mini


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--confident", type=float, nargs="+", default=[0.8, 0.9], help="cuts: rule verdicts at least this sure stay"
    )
    args = parser.parse_args(argv)
    files = sorted(DATA.glob("*.jsonl")) if DATA.is_dir() else []
    if not files:
        print(f"SKIP: no backport data at {DATA}")
        return 0
    print(f"per cycle and cut: commits asked (share), nights of the first run at {FREE_REQUESTS_PER_DAY} requests/day")
    for path in files:
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):  # evaluate's own report
            result = evaluate(path.name, load(path), ["--provider", "rules"], stable_tree(path))
        report = result["report"]
        cells = []
        for cut in args.confident:
            asked = sum(c["confidence"] < cut for c in report.values())
            nights = -(-asked // FREE_REQUESTS_PER_DAY)
            cells.append(f"< {cut:g}: {asked} ({asked / len(report):.0%}), {nights} night(s)")
        print(f"{path.name}: {len(report)} commits; " + "; ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(run())
