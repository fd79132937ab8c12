"""`postcheck`: precheck against the candidate model (one trained with this PR's data).

Thin by design: the same questions, scoring, comment shell and artifact as precheck, against the
`LABELER_POSTCHECK_*` endpoint. When the current model's endpoint (`LABELER_PRECHECK_*`) is set
too, both are asked and the comment shows before/after per question.
"""

from __future__ import annotations

from typing import Any

import click

from labeler import md
from labeler.taxonomy_bot.common import Endpoint, common_options, endpoint_options, execute
from labeler.taxonomy_bot.precheck import (
    Options,
    Result,
    by_file,
    cell,
    check,
    details,
    fmt,
    judge_endpoint,
    judge_options,
    mean,
    render,
    tuning_options,
)


def compare_verdict(before: list[Result], after: list[Result], threshold: float, metric: str) -> str:
    """One line per file: did the candidate learn what the contributor wrote?"""
    old, new = mean(before), mean(after)
    if old is None or new is None:
        return "⚠️ not enough scored answers to compare"
    delta = new - old
    arrow = "▲" if delta > 0.005 else "▼" if delta < -0.005 else "="
    well = "answers these well" if new >= threshold else "does not answer these well yet"
    return f"{arrow} mean {metric} {old:.2f} → {new:.2f} ({delta:+.2f}): the candidate {well}"


def render_compare(
    before: list[Result],
    after: list[Result],
    opts: Options,
    *,
    models: list[str],
    sha: str,
    skipped: int,
    metric: str = "ROUGE-L",
    limit: int = 300,
) -> str:
    """Before (current model) / after (candidate) per question, the delta, a verdict per file."""
    old, new = by_file(before), by_file(after)
    summary = [f"- {md.code(p)}: {compare_verdict(old[p], rs, opts.threshold, metric)}" for p, rs in new.items()]
    footer = [
        f"<sub>Before = {md.code(models[0])}, after = {md.code(models[1])}; {metric} against the "
        "contributor's answer (0 to 1). Full answers are in the JSONL artifact of the workflow run.</sub>"
    ]
    if skipped:
        footer.insert(0, f"_{skipped} more questions were not asked (bot.precheck.max-questions)._")
    for size in (limit, 150, 80, 40):
        tables = [_file_table(p, old[p], rs, opts, metric, size) for p, rs in new.items()]
        body = render(
            f"postcheck: {md.code(models[1])} vs {md.code(models[0])} on commit {md.code(sha[:7])}",
            [*summary, "", "\n\n".join(tables)],
            footer,
        )
        if len(body) < md.COMMENT_LIMIT - 2000:
            return body
    return md.fit_comment(body)


def _file_table(path: str, before: list[Result], after: list[Result], opts: Options, metric: str, limit: int) -> str:
    head = (
        "| # | question | contributor answer | before | after | " + metric + " before → after |\n"
        "| ---: | --- | --- | --- | --- | --- |"
    )
    rows = [
        f"| {a.index} | {cell(a.question, limit)} | {cell(a.expected, limit)} | {_answer(b, limit)} | "
        f"{_answer(a, limit)} | {fmt(b.score)} → {fmt(a.score)} |"
        for b, a in zip(before, after)
    ]
    return (
        details(path, f"{len(after)} questions, mean {metric} {fmt(mean(before))} → {fmt(mean(after))}")
        + f"\n\n{head}\n"
        + "\n".join(rows)
        + "\n\n</details>"
    )


def _answer(r: Result, limit: int) -> str:
    return f"⚠️ {cell(r.error, limit)}" if r.error and not r.answer else cell(r.answer, limit)


@click.command("postcheck")
@common_options
@endpoint_options("candidate", "LABELER_POSTCHECK", "candidate model")
@endpoint_options("current", "LABELER_PRECHECK", "current model (optional: adds the before/after view)")
@judge_options
@tuning_options("answers these well")
def command(
    number: int | None,
    repo: str | None,
    config_path: str | None,
    event_path: str | None,
    event_name: str,
    output: str | None,
    dry_run: bool,
    candidate_base_url: str | None,
    candidate_model: str | None,
    candidate_api_key: str | None,
    current_base_url: str | None,
    current_model: str | None,
    current_api_key: str | None,
    use_judge: bool | None,
    judge_provider: str,
    judge_base_url: str | None,
    judge_model: str | None,
    judge_api_key: str | None,
    threshold: float | None,
    concurrency: int | None,
) -> None:
    """Ask the candidate model the PR's seed questions (before/after when the current model is set too)."""
    endpoints = [
        Endpoint("candidate model", "LABELER_POSTCHECK", candidate_base_url, candidate_model, candidate_api_key)
    ]
    if current_base_url:
        endpoints.insert(
            0, Endpoint("current model", "LABELER_PRECHECK", current_base_url, current_model, current_api_key)
        )
    judge = judge_endpoint(judge_provider, judge_base_url, judge_model, judge_api_key)

    def make_work(settings: Any) -> Any:
        opts = Options.from_settings(settings.precheck, threshold=threshold, concurrency=concurrency, judge=use_judge)
        return check("postcheck", endpoints, opts, judge, output, compare=render_compare)

    execute(
        "postcheck",
        number=number,
        repo=repo,
        config_path=config_path,
        event_path=event_path,
        event_name=event_name,
        dry_run=dry_run,
        make_work=make_work,
        accepted="Asking the candidate model the seed questions",
    )
