"""`label-issue --replay`: the I/O around the pure replay core (read the file, ask the provider with a
cache, time it, write the report to stdout/job summary/--json)."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from labeler import persist, runner
from labeler.config import Config
from labeler.errors import UserError
from labeler.gh import Issue
from labeler.label_issue import replay, replay_data
from labeler.label_issue.budget import RunBudget, spends
from labeler.label_issue.labeling import Settings, picks
from labeler.label_issue.providers import BODY_LIMIT, Provider, Request, recommend
from labeler.llm import ModelUnavailable

CACHE_VERSION = 1


CACHE_WHAT = "the replay answer cache"


def _valid_answer(entry: Any) -> bool:
    """{"answer": {"labels": [{"name", "confidence"}...]}, "model": str, "version": str}: what `picks` reads."""
    if not (
        isinstance(entry, dict)
        and isinstance(entry.get("model"), str)
        and isinstance(entry.get("version"), str)
        and isinstance(entry.get("answer"), dict)
    ):
        return False
    labels = entry["answer"].get("labels") or []
    return isinstance(labels, list) and all(
        isinstance(i, dict)
        and isinstance(i.get("name", ""), str)
        and isinstance(i.get("confidence", 0.0), (int, float))
        and not isinstance(i.get("confidence"), bool)
        for i in labels
    )


def _validate(data: dict[str, Any]) -> str | None:
    return None if isinstance(data.get("answers"), dict) else "`answers` is not an object"


def check_cache(path: str) -> persist.Bad | None:
    """Why the file is not a replay cache this version reads (None: valid or missing)."""
    return persist.check_json(path, version=("version", CACHE_VERSION), validate=_validate)


def _load_cache(path: str) -> dict[str, Any]:
    """The cached answers; a bad file is moved aside with a warning (start fresh), bad entries are dropped."""
    data = persist.load_json(path, CACHE_WHAT, version=("version", CACHE_VERSION), validate=_validate)
    return {k: v for k, v in data["answers"].items() if _valid_answer(v)} if data else {}


def _save_cache(path: str, answers: dict[str, Any]) -> None:
    persist.save_json(
        path,
        {"version": CACHE_VERSION, "answers": answers},
        CACHE_WHAT,
        version=("version", CACHE_VERSION),
        validate=_validate,
    )


def _issue(p: replay_data.Past) -> Issue:
    return Issue(
        number=p.number,
        title=p.title,
        body=p.body,
        labels=(),
        author="",
        author_is_bot=False,
        author_association="NONE",
        state="open",
        is_pr=False,
        comments=0,
        html_url="",
    )


class Source(NamedTuple):
    """Where the past issues come from, how many, and where answers are cached."""

    path: str
    limit: int | None
    sample: int | None
    cache_path: str


@dataclass
class Tally:
    """What the replay asked and found so far."""

    cases: list[replay.Case] = field(default_factory=list)
    calls: int = 0
    cached: int = 0
    tokens: int = 0
    model: str = "-"
    version: str = "-"
    stopped: str = ""
    total: int = 0


def run(
    where: Source,
    cfg: Config,
    settings: Settings,
    provider: Provider,
    spend: RunBudget,
    *,
    target: float,
    json_path: str | None,
) -> None:
    past, ignored = replay_data.load(where.path, cfg, limit=where.limit, sample=where.sample)
    if ignored:
        runner.warning(f"replay: ignored labels not in {cfg.path}: {', '.join(list(ignored)[:20])}")
    cache = _load_cache(where.cache_path)
    started = time.monotonic()
    tally = Tally(total=len(past))
    for p in past:
        answer = _answer(p, cache, tally, cfg, settings, provider, spend)
        if answer is None:
            break
        chosen, _ = picks(answer, cfg, settings)
        tally.cases.append(replay.Case(p.id, p.gold, tuple((c.name, c.confidence) for c in chosen)))
    _save_cache(where.cache_path, cache)
    report = _report(where.path, cfg, settings, provider, tally, target=target, ignored=ignored)
    _write(dataclasses.replace(report, seconds=time.monotonic() - started), json_path)


def _answer(
    p: replay_data.Past,
    cache: dict[str, Any],
    tally: Tally,
    cfg: Config,
    settings: Settings,
    provider: Provider,
    spend: RunBudget,
) -> dict[str, Any] | None:
    """The cached answer for this issue, else the provider's (cached for next time); None: the budget is spent, or
    GitHub Models will not answer (a replay measures one provider: it never goes offline)."""
    key_base = f"{provider.name}|{provider.model or provider.model_path or '-'}"
    hit = next((v for k, v in cache.items() if k.startswith(f"{p.id}|{key_base}|")), None)
    if hit is not None:
        tally.model, tally.version, tally.cached = hit["model"], hit["version"], tally.cached + 1
        return dict(hit["answer"])
    if spend.exhausted(provider.name):
        tally.stopped = spend.reason()
        runner.notice(tally.stopped)
        return None
    repo = os.environ.get("GITHUB_REPOSITORY") or "this repository"
    try:
        got = recommend(Request(_issue(p), cfg, settings, provider, repo))
    except ModelUnavailable as e:
        tally.stopped = _paused(e.message, p.id, tally)
        runner.warning(tally.stopped)
        return None
    except UserError as e:
        raise UserError(f"replay stopped at {p.id}: {e.message}") from None
    spend.charge(provider.name)
    tally.calls += 1
    if spends(provider.name):
        tally.tokens += (len(p.title) + min(len(p.body), BODY_LIMIT) + len(json.dumps(got.answer))) // 4
    tally.model, tally.version = got.model, got.prompt_version
    cache[f"{p.id}|{key_base}|{got.prompt_version}"] = {
        "answer": got.answer,
        "model": got.model,
        "version": got.prompt_version,
    }
    return got.answer


def _paused(reason: str, at: str, tally: Tally) -> str:
    return (
        f"replay stopped at {at}, after {len(tally.cases)} of {tally.total} issue(s): {reason}. The answers so far "
        "are cached (--cache): run it again, keeping that file, to resume from there"
    )


def _report(
    path: str, cfg: Config, settings: Settings, provider: Provider, tally: Tally, *, target: float, ignored: Any
) -> replay.Report:
    labels = [lbl.name for lbl in cfg.applicable()]
    own = {lbl.name: lbl.min_confidence for lbl in cfg.labels if lbl.min_confidence is not None}
    thresholds = {n: own.get(n, settings.min_confidence) for n in labels}
    return replay.Report(
        source=os.path.basename(path),
        provider=provider.name,
        model=tally.model,
        prompt_version=tally.version,
        target=target,
        scores=replay.score(tally.cases, labels, thresholds),
        thresholds=replay.suggest_thresholds(tally.cases, labels, target),
        curve=replay.curve(tally.cases, labels),
        issues=len(tally.cases),
        model_calls=tally.calls,
        cached=tally.cached,
        tokens_estimate=tally.tokens,
        seconds=0.0,
        ignored_labels=ignored,
        stopped=tally.stopped,
    )


def _write(report: replay.Report, json_path: str | None) -> None:
    text = replay.render(report)
    runner.summary(text)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(report.as_dict(), f, indent=2)
    if not runner.in_actions():
        print(text)
