"""Learn a repository from its own labeled issues: train, measure on held-out history, save.

    stale(model_dir, *, max_age_days, source, labels, now=None) -> str | None   why to (re)learn; None: reuse
    learn(history, out_dir, *, source, labels, target=0.9, min_issues=10, seed=0) -> dict   the "learned" block
    learned(meta, labels) -> Learned | None          that block read back from meta.json, validated

The model directory is the one `labeler model train` writes (store.py: arrays and JSON, never a
pickle). Learning adds a "learned" block to meta.json that says where the model's decisions come
from: how many issues of which source, the labels of labels.yml it was learned for, and, per label,
how often the model applied it on a quarter of the history it had not been trained on (held out by
label, seeded) and how often that was right. The thresholds themselves come from the training
part's own held-out scores (train.py: cross-validation at the target precision), so both numbers
come from the repository's history and none from ours.

A label with fewer than `min_issues` issues is not learned: its issues are left out, and label-issue
keeps suggesting it from keywords only. meta.json comes back from the Actions cache, so it is
untrusted: `learned()` accepts only well-formed numbers and the labels asked for.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from labeler.errors import UserError
from labeler.examples import Example
from labeler.model import predict, train

HELD_OUT = 0.25
FILES = ("meta.json", "meta.json.tmp", "model.npz", "vocab.json", "model.joblib")


class TooLittle(UserError):
    """The history has too few labeled issues to learn anything."""


@dataclass(frozen=True)
class Learned:
    source: str
    issues: int
    trained_at: str
    target: float
    held_out: int
    measured: dict[str, tuple[int, int]]  # label -> (applied on held-out history, right)
    scarce: dict[str, int]  # labels left to keywords -> issues carrying them


def _time(raw: Any) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def stale(
    model_dir: str, *, max_age_days: float, source: str, labels: Sequence[str], now: dt.datetime | None = None
) -> str | None:
    """Why the model directory must be learned (again): missing, empty, unreadable, too old, learned
    from another source or for other labels. None: reuse it."""
    if not os.path.isdir(model_dir) or not os.listdir(model_dir):
        return f"no model in {model_dir} yet"
    try:
        meta = predict.read_meta(model_dir)
    except UserError as e:
        return f"the model in {model_dir} is unusable ({e.message})"
    trained, now = _time(meta.get("trained_at")), now or dt.datetime.now(dt.UTC)
    if trained is None or trained > now + dt.timedelta(hours=1):
        return f"the model in {model_dir} has no valid training time"
    age = now - trained
    if age > dt.timedelta(days=max_age_days):
        return f"the model in {model_dir} is {age.days} days old (the limit is {max_age_days:g})"
    block = meta.get("learned")
    if isinstance(block, dict) and block.get("source") != source:
        return f"the model in {model_dir} was learned from another source"
    if isinstance(block, dict) and sorted(map(str, block.get("labels") or ())) != sorted(labels):
        return "the labels of labels.yml changed since the model was learned"
    return None


def usable(history: Sequence[Example], labels: Sequence[str], min_issues: int) -> tuple[list[Example], dict[str, int]]:
    """Issues reduced to the labels with enough history, and the labels without (-> their counts).
    With two or more learnable labels, issues carrying none of them are left out (one label per
    type); with one, they stay as its negatives."""
    wanted = set(labels)
    counts = Counter(lbl for e in history for lbl in set(e.labels) if lbl in wanted)
    kept = {lbl for lbl, n in counts.items() if n >= min_issues}
    scarce = {lbl: counts.get(lbl, 0) for lbl in sorted(wanted - kept)}
    rows = [replace(e, labels=tuple(x for x in dict.fromkeys(e.labels) if x in kept)) for e in history]
    if len(kept) >= 2:
        rows = [e for e in rows if e.labels]
    if not kept or len(rows) < train.MIN_ISSUES:
        raise TooLittle(
            f"too little labeled history to learn from: {len(history)} issues, no label of labels.yml on "
            f"{min_issues} or more of them"
            if not kept
            else f"too little labeled history to learn from ({len(rows)} issues)"
        )
    return rows, scarce


def split(rows: Sequence[Example], seed: int, share: float = HELD_OUT) -> tuple[list[Example], list[Example]]:
    """(training part, held-out part): `share` of each label's issues (by first label), seeded."""
    by_label: dict[str, list[Example]] = {}
    for e in rows:
        by_label.setdefault(e.labels[0] if e.labels else "", []).append(e)
    rng, fit, held = random.Random(seed), [], []
    for name in sorted(by_label):
        group = list(by_label[name])
        rng.shuffle(group)
        cut = round(len(group) * share)
        held += group[:cut]
        fit += group[cut:]
    return fit, held


def measure(rows: Sequence[Example], params: train.Params) -> tuple[int, dict[str, tuple[int, int]]]:
    """Train on three quarters, apply at the target on the rest: (held-out issues, label -> (applied, right))."""
    fit, held = split(rows, params.seed)
    try:
        model = train.train(fit, params=params)
    except UserError:
        return 0, {}
    scored = model_predictor(model)
    tally: dict[str, list[int]] = {}
    for e in held:
        for name in scored.applied(scored.scores(e.title, e.body)):
            counts = tally.setdefault(name, [0, 0])
            counts[0] += 1
            counts[1] += name in e.labels
    return len(held), {name: (a, r) for name, (a, r) in sorted(tally.items())}


def model_predictor(trained: train.Trained) -> predict.Predictor:
    return predict.Predictor(trained.model, {**trained.meta, "encoder": None})


def clear(out_dir: str) -> None:
    """Remove the files a model consists of (a symlink is removed, never followed), nothing else."""
    if os.path.islink(out_dir):
        os.remove(out_dir)
    for name in FILES:
        path = os.path.join(out_dir, name)
        if os.path.lexists(path):
            os.remove(path)


def learn(
    history: Sequence[Example],
    out_dir: str,
    *,
    source: str,
    labels: Sequence[str],
    target: float = 0.9,
    min_issues: int = 10,
    seed: int = 0,
) -> dict[str, Any]:
    """Train on the history, measure on its held-out quarter, write the model directory; returns the
    "learned" block written into meta.json. TooLittle when there is nothing to learn."""
    rows, scarce = usable(history, labels, min_issues)
    params = train.Params(target_precision=target, seed=seed)
    held_out, measured = measure(rows, params)
    trained = train.train(rows, params=params)
    block = {
        "source": source,
        "issues": len(rows),
        "labels": sorted(labels),
        "target": target,
        "held_out": held_out,
        "measured": {name: list(counts) for name, counts in measured.items()},
        "scarce": scarce,
    }
    trained.meta["learned"] = block
    clear(out_dir)
    train.save(trained, out_dir)
    return block


def _count(raw: Any) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 10**9 else None


def learned(meta: dict[str, Any], labels: Sequence[str]) -> Learned | None:
    """The validated "learned" block of a model's meta.json; None when absent or malformed."""
    block, known = meta.get("learned"), set(labels)
    if not isinstance(block, dict) or not isinstance(block.get("source"), str):
        return None
    issues, held_out, target = _count(block.get("issues")), _count(block.get("held_out")), block.get("target")
    measured, scarce = block.get("measured"), block.get("scarce")
    if issues is None or held_out is None or not isinstance(target, float) or not 0 < target <= 1:
        return None
    if not isinstance(measured, dict) or not isinstance(scarce, dict) or not set(measured) | set(scarce) <= known:
        return None
    pairs = {k: v for k, v in measured.items() if isinstance(v, list) and len(v) == 2}
    counts = {k: (_count(v[0]), _count(v[1])) for k, v in pairs.items()}
    if len(pairs) != len(measured) or any(a is None or r is None or r > a for a, r in counts.values()):
        return None
    if any(_count(v) is None for v in scarce.values()):
        return None
    return Learned(
        source=block["source"][:200],
        issues=issues,
        trained_at=str(meta.get("trained_at") or "")[:40],
        target=target,
        held_out=held_out,
        measured={k: (int(a or 0), int(r or 0)) for k, (a, r) in counts.items()},
        scarce={k: int(v) for k, v in scarce.items()},
    )
