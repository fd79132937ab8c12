"""`label-issue --replay`: the I/O around the pure replay core (read the file, ask the provider with a
cache, time it, write the report to stdout/job summary/--json). The provider call is passed in
(`ask`), so this module never imports the command."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from labeler import persist, runner
from labeler.config import Config
from labeler.errors import UserError
from labeler.gh import Issue
from labeler.label_issue import replay, replay_data
from labeler.label_issue.budget import RunBudget, spends
from labeler.label_issue.labeling import Settings, picks

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


def run(
    path: str,
    cfg: Config,
    settings: Settings,
    provider: Any,
    ask: Callable[..., Any],
    spend: RunBudget,
    *,
    target: float,
    json_path: str | None,
    limit: int | None,
    sample: int | None,
    cache_path: str,
) -> None:
    past, ignored = replay_data.load(path, cfg, limit=limit, sample=sample)
    if ignored:
        runner.warning(f"replay: ignored labels not in {cfg.path}: {', '.join(list(ignored)[:20])}")
    cache = _load_cache(cache_path)
    cases: list[replay.Case] = []
    calls = cached = tokens = 0
    model_name = version = "-"
    stopped = ""
    started = time.monotonic()
    repo = os.environ.get("GITHUB_REPOSITORY") or "this repository"
    for p in past:
        key_base = f"{provider.name}|{provider.model or provider.model_path or '-'}"
        hit = next((v for k, v in cache.items() if k.startswith(f"{p.id}|{key_base}|")), None)
        if hit is not None:
            answer, model_name, version = hit["answer"], hit["model"], hit["version"]
            cached += 1
        else:
            if spend.exhausted(provider.name):
                stopped = spend.reason()
                runner.notice(stopped)
                break
            try:
                answer, model_name, version, _ = ask(_issue(p), cfg, settings, provider, repo)
            except UserError as e:
                raise UserError(f"replay stopped at {p.id}: {e.message}") from None
            spend.charge(provider.name)
            calls += 1
            tokens += (
                0
                if not spends(provider.name)
                else (len(p.title) + min(len(p.body), 8000) + len(json.dumps(answer))) // 4
            )
            cache[f"{p.id}|{key_base}|{version}"] = {"answer": answer, "model": model_name, "version": version}
        chosen, _ = picks(answer, cfg, settings)
        cases.append(replay.Case(p.id, p.gold, tuple((c.name, c.confidence) for c in chosen)))
    _save_cache(cache_path, cache)
    labels = [lbl.name for lbl in cfg.applicable()]
    thresholds = {
        n: next(
            (lbl.min_confidence for lbl in cfg.labels if lbl.name == n and lbl.min_confidence is not None),
            settings.min_confidence,
        )
        for n in labels
    }
    report = replay.Report(
        source=os.path.basename(path),
        provider=provider.name,
        model=model_name,
        prompt_version=version,
        target=target,
        scores=replay.score(cases, labels, thresholds),
        thresholds=replay.suggest_thresholds(cases, labels, target),
        curve=replay.curve(cases, labels),
        issues=len(cases),
        model_calls=calls,
        cached=cached,
        tokens_estimate=tokens,
        seconds=time.monotonic() - started,
        ignored_labels=ignored,
        stopped=stopped,
    )
    text = replay.render(report)
    runner.summary(text)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(report.as_dict(), f, indent=2)
    if not runner.in_actions():
        print(text)
