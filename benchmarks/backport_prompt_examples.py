"""How the backport prompt's decided-commit examples behave on real cycles, in time order.

At monthly snapshots of each cycle in ../shared/data/backport (what a nightly run would see that
day: a commit is on stable once its first backport is dated), it counts the commits the prompt
would show as decided, how many "not backported" examples were backported later anyway (a wrong
example), and how long the cached prefix is (characters, and tokens at about 4 characters each).

    python benchmarks/backport_prompt_examples.py [--days-after N]
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from pathlib import Path

from _support import setup

setup()

from labeler.backport_report import classify, prompt_examples
from labeler.git import Commit

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "backport"


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def commit(r: dict) -> Commit:
    name, _, mail = r["author"].partition(" <")
    message = f"{r['subject']}\n\n{r.get('body') or ''}"
    return Commit(r["sha"], ("p",), name, mail.rstrip(">"), r["date"], message, r["commit_date"])


def first_backport(r: dict) -> datetime | None:
    dates = [when(b["date"]) for b in r.get("backport_commits") or [] if b.get("date")]
    return min(dates) if dates else None


def snapshot(records: list[dict], day: datetime) -> dict:
    seen = [r for r in records if when(r["commit_date"]) <= day]
    commits = [commit(r) for r in seen]
    on_stable = {r["sha"] for r in seen if (b := first_backport(r)) is not None and b <= day}
    yes, no = prompt_examples.decided(commits, on_stable)
    wrong = {r["sha"] for r in seen if first_backport(r) is not None} & {c.sha for c in no}
    text = prompt_examples.render(commits, on_stable)
    prefix = classify.load_prompts(None, "dev", ["stable"], text).prefix
    shown = text.count("\nDecision: ") + text.startswith("Decision: ")
    return {
        "day": day.date().isoformat(),
        "commits": len(seen),
        "decided_yes": len(yes),
        "decided_no": len(no),
        "no_backported_later": len(wrong),
        "examples_shown": shown,
        "prefix_chars": len(prefix),
        "prefix_tokens_est": len(prefix) // 4,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--days-after", type=int, default=prompt_examples.DECIDED_AFTER_DAYS)
    args = parser.parse_args()
    prompt_examples.DECIDED_AFTER_DAYS = args.days_after
    files = sorted(DATA.glob("*.jsonl"))
    if not files:
        print(f"no data in {DATA}")
        return 2
    for path in files:
        records = sorted((json.loads(x) for x in path.open(encoding="utf-8") if x.strip()), key=lambda r: r["seq"])
        start, end = when(records[0]["commit_date"]), when(records[-1]["commit_date"])
        print(f"## {path.name} ({len(records)} commits, {start.date()}..{end.date()})")
        day = start + timedelta(days=30)
        while day < end + timedelta(days=30):
            print(json.dumps(snapshot(records, min(day, end))))
            day += timedelta(days=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
