"""The default offline provider: a model learned from the repository's own labeled issues, keywords where
the history is thin.

    offline = default_offline(gh, cfg, settings, options, repo)   learn once if needed, else reuse the model
    rec = recommend(offline, issue, cfg, settings)                 answer + per-label thresholds + provenance

`default_offline` is the one function that gives a repository's offline provider (a hosted model's
fallback uses it too). The model directory (`options.model_path`) is reused while it is younger than
`options.max_age_days`, learned from the same source for the same labels; otherwise the labeled
history is read (through GitHub: issues carrying a label of labels.yml, newest first, at most
`max_issues`, for at most `budget_seconds`; or from a JSONL file), learned (model/learn.py) and
saved there. The directory comes back from the Actions cache: a model that does not load is learned
again with a warning, never trusted (store.py never unpickles).

A learned label is applied when its confidence (the estimated precision at its score) reaches the
target precision it was learned for (or its labels.yml `min-confidence`). A label with too little
history, and every label when there is no history at all, is suggested from keywords only: shown
with its measured confidence, never applied.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from labeler import md, runner
from labeler.errors import UserError
from labeler.examples import Example, read_jsonl
from labeler.label_issue import keywords

if TYPE_CHECKING:
    from labeler.config import Config
    from labeler.gh import GitHub, Issue
    from labeler.label_issue.labeling import Settings
    from labeler.model.learn import Learned

DEFAULT_MODEL_PATH = ".labeler/model"
BODY_LIMIT = 20_000
PAGE = 100
MAX_PAGES = 100


@dataclass(frozen=True)
class Options:
    model_path: str = DEFAULT_MODEL_PATH
    max_age_days: float = 7.0
    max_issues: int = 2000
    budget_seconds: float = 60.0
    min_issues: int = 10  # per label: fewer and the label stays with the keywords
    target: float = 0.9
    history_file: str | None = None  # labeled issues as JSONL instead of GitHub (offline runs)


@dataclass(frozen=True)
class Offline:
    predictor: Any = None  # predict.Predictor, or None: keywords only
    learned: Learned | None = None
    why_keywords: str = ""
    source: str = ""


@dataclass(frozen=True)
class Recommendation:
    answer: dict[str, Any]
    model: str
    version: str
    thresholds: dict[str, float | None] = field(default_factory=dict)  # None: suggest only
    provenance: str = ""


def learnable(cfg: Config, settings: Settings) -> list[str]:
    skip = {settings.abstain_label, settings.provenance_label}
    return sorted(lbl.name for lbl in cfg.applicable() if lbl.name not in skip)


def history_examples(items: Iterable[Any], cfg: Config, labels: Sequence[str], exclude: Iterable[str]) -> list[Example]:
    """Issues (REST list items) carrying a label of `labels` (names or aliases), as examples; pull
    requests, issues with an `exclude` label (the bot's own work) and malformed items left out."""
    from labeler.gh.records import Issue

    wanted, skip, found = set(labels), {x.lower() for x in exclude if x}, []
    for raw in items:
        try:
            issue = Issue.from_event(raw)
        except UserError:
            continue
        if issue.is_pr or any(n.lower() in skip for n in issue.labels):
            continue
        names = [lbl.name for n in issue.labels if (lbl := cfg.canonical(n)) is not None and lbl.name in wanted]
        if names:
            found.append(
                Example(f"#{issue.number}", issue.title, md.cut(issue.body, BODY_LIMIT), tuple(dict.fromkeys(names)))
            )
    return found


def read_github(
    gh: GitHub, cfg: Config, labels: Sequence[str], options: Options, exclude: Iterable[str]
) -> list[Example]:
    """The newest labeled issues, page by page, until `max_issues`, the time budget or the last page."""
    from labeler.gh import paging

    started, found = time.monotonic(), []
    params = {"state": "all", "sort": "created", "direction": "desc", "per_page": PAGE}
    for page in range(1, MAX_PAGES + 1):
        items = paging.pages(gh, "/issues", {**params, "page": page}, limit=1)
        found += history_examples(items, cfg, labels, exclude)
        if len(found) >= options.max_issues or len(items) < PAGE:
            break
        if time.monotonic() - started > options.budget_seconds:
            runner.notice(f"reading the history stopped after {options.budget_seconds:g} s ({page} pages)")
            break
    return found[: options.max_issues]


def read_file(path: str, cfg: Config, labels: Sequence[str]) -> list[Example]:
    wanted = set(labels)
    rows = []
    for e in read_jsonl(path):
        names = [lbl.name for n in e.labels if (lbl := cfg.canonical(n)) is not None and lbl.name in wanted]
        if names:
            rows.append(Example(e.id, e.title, md.cut(e.body, BODY_LIMIT), tuple(dict.fromkeys(names))))
    return rows


def _loaded(path: str) -> Any:
    """The model at `path`, or None (with a warning) when it does not load."""
    try:
        return _load(path, max((e.stat().st_mtime_ns for e in os.scandir(path)), default=0))
    except (UserError, OSError) as e:
        runner.warning(f"the model in {path} does not load ({e}): learning it again")
        return None


@functools.lru_cache(maxsize=2)
def _load(path: str, stamp: int) -> Any:
    from labeler.model import predict

    return predict.load(path)


def _keywords_only(why: str, source: str) -> Offline:
    runner.notice(f"label-issue: keywords only, suggestions not applied: {why}")
    return Offline(why_keywords=why, source=source)


def default_offline(gh: GitHub | None, cfg: Config, settings: Settings, options: Options, repo: str) -> Offline:
    """The repository's offline provider: its learned model (learned now if missing, stale or broken) or,
    without enough history, the keywords (suggest only)."""
    labels = learnable(cfg, settings)
    source = f"file:{os.path.basename(options.history_file)}" if options.history_file else f"github:{repo}"
    if importlib.util.find_spec("sklearn") is None:
        return _keywords_only("scikit-learn is not installed (pip install 'labeler[local]')", source)
    from labeler.model import learn

    reason = learn.stale(options.model_path, max_age_days=options.max_age_days, source=source, labels=labels)
    if reason is None and (predictor := _loaded(options.model_path)) is not None:
        return Offline(predictor, learn.learned(predictor.meta, labels), source=source)
    if options.history_file is None and gh is None:
        return _keywords_only("no history to learn from (no GitHub token, no --learn-from file)", source)
    runner.notice(f"label-issue: learning the repository's labels: {reason or 'the model does not load'}")
    exclude = [settings.provenance_label or ""]
    with runner.timed("reading the labeled history"):
        history = (
            read_file(options.history_file, cfg, labels)
            if options.history_file
            else read_github(gh, cfg, labels, options, exclude)  # type: ignore[arg-type]
        )
    try:
        with runner.timed(f"learning from {len(history)} labeled issues"):
            learn.learn(
                history,
                options.model_path,
                source=source,
                labels=labels,
                target=options.target,
                min_issues=options.min_issues,
            )
    except learn.TooLittle as e:
        return _keywords_only(e.message, source)
    runner.set_output("model-learned", "true")  # the workflow saves the directory to the Actions cache
    predictor = _loaded(options.model_path)
    if predictor is None:
        raise UserError(f"the model just learned in {options.model_path} does not load")
    return Offline(predictor, learn.learned(predictor.meta, labels), source=source)


def learned_labels(p: Any, issue: Issue, names: Sequence[str]) -> list[dict[str, Any]]:
    """The model's labels of `names` with confidence > 0. Only what the model applies at its target may
    reach it: the others are shown just below (a single-label model applies its top label only)."""
    scores = p.scores(issue.title, issue.body)
    confidence, applied = p.confidences(scores), p.applied(scores)
    below = max(0.0, math.ceil(p.target * 20 - 1) / 20)  # the confidence level (0.05 steps) under the target
    if p.mode == "single" and scores:  # one label is right: another is at most as likely as the top one is wrong
        top = max(scores, key=lambda k: scores[k])
        below = min(below, math.floor((1 - confidence.get(top, 0.0)) * 20 + 1e-9) / 20)
    found = [
        {"name": n, "confidence": confidence.get(n, 0.0) if n in applied else min(confidence.get(n, 0.0), below)}
        for n in names
    ]
    return sorted((a for a in found if a["confidence"] > 0), key=lambda a: -a["confidence"])


def recommend(offline: Offline, issue: Issue, cfg: Config, settings: Settings) -> Recommendation:
    """The learned labels with their confidences and thresholds (the target they were learned for),
    plus keyword suggestions (suggest only) for the labels the model does not know."""
    labels, p = learnable(cfg, settings), offline.predictor
    known = [n for n in (p.labels if p is not None else ()) if n in labels]
    answer = learned_labels(p, issue, known) if p is not None else []
    thresholds: dict[str, float | None] = dict.fromkeys(known, p.target if p is not None else None)
    rest = tuple(lbl for lbl in cfg.applicable() if lbl.name in labels and lbl.name not in known)
    hint = keywords.suggest(rest, issue.title, issue.body, settings.max_labels) if rest else {"labels": []}
    for item in hint["labels"]:
        thresholds[item["name"]] = None
        answer.append(item)
    why = ["scored by the model learned from this repository's labeled issues"] if p is not None else []
    why += [f"keywords: {hint['rationale']}"] if hint["labels"] else []
    version = "learned" if p is not None else keywords.VERSION
    return Recommendation(
        answer={"labels": answer, "rationale": "; ".join(why), "version": version},
        model=str(p.meta.get("version", "learned")) if p is not None else "-",
        version=version,
        thresholds=thresholds,
        provenance=provenance(offline, answer, thresholds),
    )


def _where(source: str) -> str:
    return "this repository" if source.startswith("github:") else md.code(source.split(":", 1)[-1])


def _measured(learned: Learned, name: str) -> str:
    if not learned.held_out:
        return "precision not measured (too little history to hold some out)"
    applied, right = learned.measured.get(name, (0, 0))
    if not applied:
        return f"not applied to any of {learned.held_out} held-out issues"
    return f"measured precision {right / applied:.2f} at its threshold ({right} of {applied} held-out issues)"


def provenance(offline: Offline, answer: Sequence[dict[str, Any]], thresholds: dict[str, float | None]) -> str:
    """Where the decision comes from, for the audit comment (label names from labels.yml, numbers only)."""
    suggested = [a["name"] for a in answer if thresholds.get(a["name"]) is None]
    tail = (
        f"; {', '.join(md.code(n) for n in suggested)} from keywords only (too little history): suggested, not applied"
        if suggested and offline.predictor is not None
        else ""
    )
    if offline.predictor is None:
        return (
            f"keywords only ({offline.why_keywords}): each confidence is the measured precision of that kind of "
            "evidence; suggestions, not applied"
        )
    top = next((a for a in answer if thresholds.get(a["name"]) is not None), None)
    learned = offline.learned
    if learned is None:
        counts = offline.predictor.meta.get("counts") or {}
        n = counts.get("train") if isinstance(counts, dict) and isinstance(counts.get("train"), int) else "?"
        head = f"model trained by `labeler model train` on {n} issues"
        return head + (f"; {md.code(top['name'])} at {top['confidence']:.2f}" if top else "") + tail
    head = f"learned from {learned.issues} labeled issues of {_where(learned.source)} ({learned.trained_at[:10]})"
    if top is None:
        return head + "; no learned label fits" + tail
    return f"{head}; {md.code(top['name'])} at {top['confidence']:.2f}, {_measured(learned, top['name'])}{tail}"
