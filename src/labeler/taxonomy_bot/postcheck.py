"""`postcheck`: precheck against the candidate model (one trained with this PR's data).

Thin by design: the same questions, scoring, comment shell and artifact as precheck, against the
`LABELER_POSTCHECK_*` endpoint. When the current model's endpoint (`LABELER_PRECHECK_*`) is set
too, both are asked and the comment shows before/after per question.
"""

from __future__ import annotations

from typing import Any

import click

from labeler import md, options
from labeler.taxonomy_bot.common import Endpoint, common_options, execute
from labeler.taxonomy_bot.precheck import (
    Check,
    Options,
    Result,
    Tuning,
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
from labeler.taxonomy_bot.settings import Settings


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
@options.endpoint("candidate", "LABELER_POSTCHECK", "candidate model")
@options.endpoint("current", "LABELER_PRECHECK", "current model (optional: adds the before/after view)")
@judge_options
@tuning_options("answers these well")
def command(**given: Any) -> None:
    """Ask the candidate model the PR's seed questions (before/after when the current model is set too)."""
    endpoints = [
        Endpoint(
            "candidate model",
            "LABELER_POSTCHECK",
            given["candidate_base_url"],
            given["candidate_model"],
            given["candidate_api_key"],
        )
    ]
    if given["current_base_url"]:
        current = (given["current_base_url"], given["current_model"], given["current_api_key"])
        endpoints.insert(0, Endpoint("current model", "LABELER_PRECHECK", *current))
    tuning = Tuning(given["threshold"], given["concurrency"], given["use_judge"])
    judge = judge_endpoint(
        given["judge_provider"], given["judge_base_url"], given["judge_model"], given["judge_api_key"]
    )

    def make_work(settings: Settings) -> Check:
        return check("postcheck", endpoints, tuning.options(settings), judge, given["output"], compare=render_compare)

    execute(
        "postcheck",
        number=given["number"],
        repo=given["repo"],
        config_path=given["config_path"],
        event_path=given["event_path"],
        event_name=given["event_name"],
        dry_run=given["dry_run"],
        make_work=make_work,
        accepted="Asking the candidate model the seed questions",
    )
