"""Labelled-issue datasets: the one JSONL format, splits, a dataset card and fine-tuning files.

Record format (one JSON object per line; the same for training, evaluation and exports, whatever
the source — a history export or a file a user brings)::

    {"id": "acme/widgets#12", "title": "...", "body": "...", "labels": ["bug"],
     "created_at": "2024-05-01T10:00:00Z", "split": "train", "source": "github:acme/widgets"}

Only `title` and `labels` are required; `id` defaults to `FILE:LINE`. Bad lines raise a
`UserError` naming the file and line.

Interfaces:
    read_jsonl(path) -> list[Example]
    write_jsonl(path, examples) -> int (records written)
    assign_splits(examples, *, fractions=(0.8, 0.1, 0.1), method="stratified", seed=0) -> list[Example]
    select_labels(examples, *, family=None, min_examples=1, exclude=()) -> Selection
    from_history(stored_issues, repo) -> list[Example]
    export(examples, out_dir, ExportOptions(...)) -> ExportResult   (files + dataset card; see export())
"""
from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from labeler.errors import UserError

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Example:
    id: str
    title: str
    body: str
    labels: tuple[str, ...]
    created_at: str | None = None
    split: str | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        record = {"id": self.id, "title": self.title, "body": self.body, "labels": list(self.labels),
                  "created_at": self.created_at, "split": self.split, "source": self.source}
        return {**self.extra, **record}


_KNOWN = {"id", "title", "body", "labels", "created_at", "split", "source"}


def parse_record(raw: Any, default_id: str) -> Example:
    """One decoded JSON value -> Example; ValueError says what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("each line must be a JSON object")
    title, body, labels = raw.get("title"), raw.get("body") or "", raw.get("labels")
    if not isinstance(title, str):
        raise ValueError("'title' must be a string")
    if not isinstance(body, str):
        raise ValueError("'body' must be a string or null")
    if not isinstance(labels, list) or not all(isinstance(x, str) and x.strip() for x in labels):
        raise ValueError("'labels' must be a list of non-empty strings")
    split = raw.get("split")
    if split is not None and split not in SPLITS:
        raise ValueError(f"'split' must be one of {', '.join(SPLITS)} or null, got {split!r}")
    ident = raw.get("id", default_id)
    return Example(id=str(ident), title=title, body=body, labels=tuple(dict.fromkeys(labels)),
                   created_at=_opt_str(raw.get("created_at")), split=split, source=_opt_str(raw.get("source")),
                   extra={k: v for k, v in raw.items() if k not in _KNOWN})


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def read_jsonl(path: str) -> list[Example]:
    """Read and validate a JSONL dataset; blank lines are skipped, everything else must parse."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as e:
        raise UserError(f"cannot read the dataset: {e.strerror}", file=path) from None
    except UnicodeDecodeError as e:
        raise UserError(f"the dataset is not UTF-8 ({e.reason})", file=path) from None
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        examples.append(_parse_line(line, path, number, seen))
    if not examples:
        raise UserError("the dataset has no records", file=path)
    return examples


def _parse_line(line: str, path: str, number: int, seen: dict[str, int]) -> Example:
    try:
        example = parse_record(json.loads(line), f"{os.path.basename(path)}:{number}")
    except json.JSONDecodeError as e:
        raise UserError(f"not valid JSON: {e.msg} (column {e.colno})", file=path, line=number) from None
    except ValueError as e:
        raise UserError(str(e), file=path, line=number) from None
    if example.id in seen:
        raise UserError(f"duplicate id {example.id!r} (first on line {seen[example.id]})", file=path, line=number)
    seen[example.id] = number
    return example


def write_jsonl(path: str, rows: Iterable[Example | dict[str, Any]]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            data = row.to_json() if isinstance(row, Example) else row
            f.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


# label selection ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    examples: list[Example]
    labels: list[str]
    dropped: dict[str, int]  # label -> count, removed for having too few examples


def select_labels(examples: Sequence[Example], *, family: str | None = None, min_examples: int = 1,
                  exclude: Sequence[str] = ()) -> Selection:
    """Keep labels matching `family` (a glob like 'area/*') with >= min_examples issues.

    Issues carrying any `exclude` label (e.g. the bot's provenance label) are dropped so the model
    never learns from its own guesses. Issues left without labels stay (as negatives).
    """
    kept_issues = [e for e in examples if not set(e.labels) & set(exclude)]
    def wanted(label: str) -> bool:
        return family is None or fnmatch.fnmatchcase(label, family)
    counts = Counter(lbl for e in kept_issues for lbl in e.labels if wanted(lbl))
    keep = {lbl for lbl, n in counts.items() if n >= min_examples}
    dropped = {lbl: n for lbl, n in counts.items() if lbl not in keep}
    out = [dataclasses.replace(e, labels=tuple(lbl for lbl in e.labels if lbl in keep)) for e in kept_issues]
    return Selection(examples=out, labels=sorted(keep), dropped=dict(sorted(dropped.items())))


# splits ----------------------------------------------------------------------------------------

def _rank(seed: int, ident: str) -> str:
    return hashlib.sha256(f"{seed}:{ident}".encode()).hexdigest()


def _sizes(n: int, fractions: tuple[float, float, float]) -> tuple[int, int, int]:
    """Counts for train/val/test: train first for tiny groups, then test, then val."""
    n_test = round(n * fractions[2])
    n_val = round(n * fractions[1])
    if n >= 3:
        n_test, n_val = max(n_test, 1 if fractions[2] else 0), max(n_val, 1 if fractions[1] else 0)
    elif n == 2:
        n_test, n_val = (1 if fractions[2] else 0), 0
    else:
        n_test = n_val = 0
    n_val = min(n_val, max(0, n - 1 - n_test))
    return n - n_val - n_test, n_val, n_test


def assign_splits(examples: Sequence[Example], *, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
                  method: str = "stratified", seed: int = 0) -> list[Example]:
    """Give every example exactly one split.

    stratified: grouped by the example's rarest label, so every label lands in each split when it
    has >= 3 issues; deterministic for a seed. time: the oldest issues train, the newest test
    (labeling.md §7: the honest setting for "how will it do on the next issues").
    """
    if abs(sum(fractions) - 1.0) > 1e-6 or min(fractions) < 0:
        raise UserError(f"split fractions must be >= 0 and add up to 1, got {fractions}")
    if method == "time":
        ordered = sorted(examples, key=lambda e: (e.created_at or "", e.id))
        return _cut(ordered, fractions)
    if method != "stratified":
        raise UserError(f"unknown split method {method!r} (stratified or time)")
    totals = Counter(lbl for e in examples for lbl in e.labels)
    groups: dict[str, list[Example]] = {}
    for e in examples:
        key = min(e.labels, key=lambda lbl: (totals[lbl], lbl)) if e.labels else ""
        groups.setdefault(key, []).append(e)
    out: list[Example] = []
    for key in sorted(groups):
        out += _cut(sorted(groups[key], key=lambda e: _rank(seed, e.id)), fractions)
    return out


def _cut(ordered: list[Example], fractions: tuple[float, float, float]) -> list[Example]:
    n_train, n_val, _ = _sizes(len(ordered), fractions)
    names = ["train"] * n_train + ["val"] * n_val + ["test"] * (len(ordered) - n_train - n_val)
    return [dataclasses.replace(e, split=name) for e, name in zip(ordered, names)]


def split_counts(examples: Sequence[Example]) -> dict[str, dict[str, int]]:
    """label -> split -> count (plus '(no label)' for issues without a kept label)."""
    table: dict[str, dict[str, int]] = {}
    for e in examples:
        for lbl in e.labels or ("(no label)",):
            row = table.setdefault(lbl, {s: 0 for s in SPLITS})
            row[e.split or "train"] += 1
    return dict(sorted(table.items()))


# export from the history file --------------------------------------------------------------------

@dataclass(frozen=True)
class ExportOptions:
    family: str | None = None
    min_examples: int = 1
    exclude: tuple[str, ...] = ()          # e.g. the bot's provenance label: never learn our own guesses
    method: str = "stratified"
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    seed: int = 0
    keep_unlabelled: bool = False          # categorizer files keep issues without a kept label
    needs_info_label: str | None = "needs more info"
    max_chars: int = 4_000                 # body cut in fine-tuning files (grafana capped total tokens)


def from_history(issues: Sequence[Any], repo: str) -> list[Example]:
    return [Example(id=f"{repo}#{i.number}", title=i.title, body=i.body, labels=tuple(i.labels),
                    created_at=i.created_at, source=f"github:{repo}",
                    extra={"number": i.number, "state": i.state, "state_reason": i.state_reason, "url": i.html_url})
            for i in issues]


def categorizer_record(e: Example, labels: Sequence[str], max_chars: int) -> dict[str, Any]:
    """OpenAI chat fine-tuning line: system (allowed labels), user (the issue), assistant (minified JSON)."""
    system = ("You label GitHub issues. Choose zero or more labels, only from this list: "
              + ", ".join(labels) + '. Answer with JSON: {"labels": [...]}')
    answer = json.dumps({"labels": sorted(e.labels)}, separators=(",", ":"), ensure_ascii=False)
    return {"messages": [{"role": "system", "content": system},
                         {"role": "user", "content": f"Title: {e.title}\n\n{e.body[:max_chars]}"},
                         {"role": "assistant", "content": answer}]}


def qualitizer_record(e: Example, needs_info_label: str, max_chars: int) -> dict[str, Any]:
    """Same prompt as `labeler missing-info --method llm`, so a fine-tuned model drops in."""
    from labeler.missing_info import checks as missing_info

    kind = missing_info.kind_of(e.labels)
    system, user = missing_info.build_prompt(e.title, e.body[:max_chars], kind=kind)
    incomplete = needs_info_label in e.labels
    rules = missing_info.check(e.title, e.body, kind=kind)
    missing = (rules.missing or ["more detail to reproduce or understand the problem"]) if incomplete else []
    remarks = "A maintainer asked for more information." if incomplete else "A maintainer could act on it."
    answer = json.dumps({"complete": not incomplete, "missing": missing, "remarks": remarks},
                        separators=(",", ":"), ensure_ascii=False)
    return {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user},
                         {"role": "assistant", "content": answer}]}


def qualitizer_pool(examples: Sequence[Example], needs_info_label: str) -> list[Example]:
    """Positives: issues with the label. Negatives: issues a maintainer could act on (closed as
    completed, or triaged with another label); untriaged open issues are neither."""
    return [e for e in examples
            if needs_info_label in e.labels or e.extra.get("state_reason") == "completed" or e.labels]


@dataclass(frozen=True)
class ExportResult:
    files: dict[str, int]                 # relative path -> records written
    counts: dict[str, dict[str, int]]     # label -> split -> count
    dropped: dict[str, int]


def export(issues: Sequence[Example], out_dir: str, options: ExportOptions = ExportOptions(),
           *, title: str = "issues") -> ExportResult:
    """Write issues.jsonl, {train,val,test}.jsonl, finetune/*.jsonl and README.md (dataset card)."""
    if not issues:
        raise UserError("no issues to export (run `labeler history sync` first?)")
    every = [e for e in issues if not set(e.labels) & set(options.exclude)]
    selection = select_labels(every, family=options.family, min_examples=options.min_examples)
    split_all = assign_splits(selection.examples, fractions=options.fractions, method=options.method, seed=options.seed)
    originals = {e.id: e for e in every}
    rows = [e for e in split_all if e.labels or options.keep_unlabelled]
    if not rows:
        raise UserError("no issue has a label that passes --family/--min-examples")
    os.makedirs(os.path.join(out_dir, "finetune"), exist_ok=True)
    files = {"issues.jsonl": write_jsonl(os.path.join(out_dir, "issues.jsonl"), rows)}
    for split in SPLITS:
        files[f"{split}.jsonl"] = write_jsonl(os.path.join(out_dir, f"{split}.jsonl"), [e for e in rows if e.split == split])
    files.update(_finetune(out_dir, "categorizer", rows,
                           lambda e: categorizer_record(e, selection.labels, options.max_chars)))
    label = options.needs_info_label
    if label and any(label in e.labels for e in every):
        full = [dataclasses.replace(originals[e.id], split=e.split) for e in split_all]
        files.update(_finetune(out_dir, "qualitizer", qualitizer_pool(full, label),
                               lambda e: qualitizer_record(e, label, options.max_chars)))
    counts = split_counts(rows)
    with open(os.path.join(out_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(card(title, options, counts, selection.dropped, files, len(every)))
    return ExportResult(files=files, counts=counts, dropped=selection.dropped)


def _finetune(out_dir: str, name: str, rows: Sequence[Example],
              record: Callable[[Example], dict[str, Any]]) -> dict[str, int]:
    """train and val files only: the test split never goes to a fine-tuning service."""
    return {f"finetune/{name}.{split}.jsonl": write_jsonl(os.path.join(out_dir, "finetune", f"{name}.{split}.jsonl"),
                                                           (record(e) for e in rows if e.split == split))
            for split in ("train", "val")}


def card(title: str, options: ExportOptions, counts: dict[str, dict[str, int]], dropped: dict[str, int],
         files: dict[str, int], considered: int) -> str:
    import datetime as dt

    from labeler import __version__

    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# Dataset card: {title}", "", f"Exported by labeler {__version__} on {when} from {considered} issues.", "",
             "## Selection", "",
             f"- label family: `{options.family or 'all labels'}`; labels with fewer than {options.min_examples} issues dropped",
             f"- issues with these labels left out entirely: {', '.join(options.exclude) or '(none)'}",
             f"- split: {options.method}, train/val/test = {options.fractions}, seed {options.seed}; "
             "every issue is in exactly one split",
             f"- dropped labels: {', '.join(f'{k} ({v})' for k, v in dropped.items()) or '(none)'}", "",
             "## Counts per label and split", "", "| label | train | val | test | total |", "| --- | ---: | ---: | ---: | ---: |"]
    for label, row in counts.items():
        lines.append(f"| {label.replace('|', '/')} | {row['train']} | {row['val']} | {row['test']} | {sum(row.values())} |")
    lines += ["", "## Files", "", *[f"- `{name}`: {n} records" for name, n in files.items()], "",
              "## Caveats", "",
              "- Issue text is written by third parties: use it to evaluate and train for this repository; "
              "check the licence before sharing it.",
              "- Labels record maintainers' habits, including mistakes and labels added long after the issue.",
              "- Fine-tuning files hold train and val only; the test split is for `labeler model eval`.", ""]
    return "\n".join(lines)
