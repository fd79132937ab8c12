"""missing-info's asks against Grafana's `needs more info` label: do they beat chance? (`--replay`, as a user runs it)

    .venv/bin/python benchmarks/missing_info_grafana.py [--label 'needs more info'] [--json FILE]

Data: ../shared/data/issues/grafana-auto-triager/categorizedIds.json (770 issues, {id, title, body, labels[]};
never copied into the project). The issues are written to a temporary dataset JSONL (`number` = the issue
number, the only time order the file has) and replayed with `labeler missing-info --replay FILE --json OUT`
under the default settings. Printed: precision, recall, base rate and lift of the rules' asks per item and
overall, which items the default would let ask in public (`default_asks`), and the default replayed in time
order (each issue judged only on the issues before it). No threshold here is tuned to this data: the gate's
figures (min-lift, min-recall, min-history, min-labeled) are the schema defaults.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from _support import setup

setup("yaml", "click")

from labeler.cli import main

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "issues"
PATH = DATA / "grafana-auto-triager" / "categorizedIds.json"


def to_jsonl(dest: Path) -> int:
    raw = json.loads(PATH.read_text(encoding="utf-8"))
    with dest.open("w", encoding="utf-8") as f:
        for r in sorted(raw, key=lambda r: int(r["id"])):
            record = {"id": f"grafana#{r['id']}", "number": int(r["id"]), "title": r.get("title") or ""}
            record |= {"body": r.get("body") or "", "labels": list(r.get("labels") or [])}
            f.write(json.dumps(record) + "\n")
    return len(raw)


def fmt(x: float | None, pct: bool = True) -> str:
    return "   –  " if x is None else f"{x:6.1%}" if pct else f"{x:6.2f}"


def show(name: str, c: dict, verdict: str = "") -> None:
    print(
        f"{name:<26} {c['asked']:>5} {fmt(c['precision'])} {fmt(c['recall'])} {fmt(c['base_rate'])} "
        f"{fmt(c['lift'], pct=False)}  {verdict}"
    )


def main_(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="needs more info")
    ap.add_argument("--json", help="also keep the replay's JSON here")
    args = ap.parse_args(argv)
    if not PATH.is_file():
        print(f"Grafana issues not found at {PATH}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "grafana.jsonl", Path(args.json or Path(tmp) / "replay.json")
        n = to_jsonl(data)
        rc = main(["missing-info", "--replay", str(data), "--json", str(out), "--label", args.label])
        if rc:
            return rc
        r = json.loads(out.read_text(encoding="utf-8"))
    print(f"\n{n} Grafana issues in issue-number order; label {args.label!r}; kinds {r['kinds']}")
    print(f"{'item':<26} {'asked':>5} {'prec':>6} {'recall':>6} {'base':>6} {'lift':>6}  default")
    for item, c in r["items"].items():
        show(item, c, "asks" if c["asks"] else f"quiet ({c['why_quiet']})")
    show("any ask (rules, no gate)", r["overall"])
    show("the default's asks", r["default"])
    show("default, in time order", r["time_order"])
    print(f"\ndefault_asks: {str(r['default_asks']).lower()} (items: {', '.join(r['default_items']) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
