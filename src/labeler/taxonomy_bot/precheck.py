"""`precheck`: ask the current model each seed question of the PR's qna.yaml files and compare.

The request is what the trained model sees (`ilab model test`): chat completions at temperature 0,
the InstructLab default system prompt (configurable), user = question [+ "\\n" + context]; knowledge
questions go without their context unless `bot.precheck.knowledge-context` is set. Each answer is
scored against the contributor's (ROUGE-L, or a judge model) and every file gets a verdict.
postcheck reuses all of this with a second endpoint (postcheck.py).
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import click

from labeler import llm, md, options
from labeler.config import default, section_settings
from labeler.errors import UserError
from labeler.gh.records import PullRequest
from labeler.prompts import nonce
from labeler.taxonomy_bot.common import (
    Endpoint,
    F,
    Outcome,
    common_options,
    execute,
    fill,
    prompt_sections,
    write_jsonl,
)
from labeler.taxonomy_bot.qna import Qna, Seed
from labeler.taxonomy_bot.settings import Settings
from labeler.taxonomy_bot.similarity import rouge_l

BREAKER = 3  # consecutive endpoint failures after which the remaining questions are skipped
JUDGE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason", "score"],
    "properties": {  # the reason first: the judge reasons before it scores
        "reason": {"type": "string", "maxLength": 500},
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
    },
}


@dataclass(frozen=True)
class Options:
    """bot.precheck in labels.yml; defaults in schemas/bot.schema.json."""

    system_prompt: str
    threshold: float = default("bot.precheck", "threshold")
    max_questions: int = default("bot.precheck", "max-questions")
    concurrency: int = default("bot.precheck", "concurrency")
    max_tokens: int = default("bot.precheck", "max-tokens")
    knowledge_context: bool = default("bot.precheck", "knowledge-context")
    judge: bool = default("bot.precheck", "judge")

    @classmethod
    def from_settings(cls, raw: dict[str, Any], **overrides: Any) -> Options:
        prompt = raw.get("system-prompt") or prompt_sections("precheck")["system"]
        given = overrides.get("system_prompt")
        return section_settings(
            raw, "bot.precheck", cls, {**overrides, "system_prompt": prompt if given is None else given}
        )


@dataclass(frozen=True)
class Item:
    path: str
    index: int
    seed: Seed
    send_context: bool

    @property
    def prompt(self) -> str:
        if self.send_context and self.seed.context:
            return f"{self.seed.question}\n{self.seed.context}"
        return self.seed.question


@dataclass
class Result:
    path: str
    index: int
    question: str
    context: str | None
    expected: str
    answer: str = ""
    score: float | None = None
    error: str = ""
    note: str = ""  # the judge's reason
    fields: dict[str, Any] = field(default_factory=dict)

    def row(self, **extra: Any) -> str:
        return json.dumps({**asdict(self), **extra}, ensure_ascii=False)


def items_for(files: list[Qna], opts: Options) -> tuple[list[Item], int]:
    """Every question to ask (capped at max-questions) and how many were left out."""
    items = [
        Item(q.path, i, seed, q.kind == "skill" or opts.knowledge_context)
        for q in files
        for i, seed in enumerate(q.seeds(), 1)
    ]
    return items[: opts.max_questions], max(0, len(items) - opts.max_questions)


def ask_all(model: llm.Model, items: list[Item], opts: Options, judge: llm.Model | None = None) -> list[Result]:
    """Ask with bounded concurrency; after BREAKER failures in a row the rest are skipped, not retried."""
    state = {"failures": 0}
    lock = threading.Lock()

    def one(item: Item) -> Result:
        result = Result(item.path, item.index, item.seed.question, item.seed.context, item.seed.answer)
        with lock:
            if state["failures"] >= BREAKER:
                result.error = "not asked: the endpoint kept failing"
                return result
        try:
            result.answer = model.complete(
                system=opts.system_prompt, prompt=item.prompt, max_tokens=opts.max_tokens, temperature=0.0
            ).strip()
        except llm.Truncated as e:  # the answer as the model gave it, cut at max-tokens
            result.answer = e.partial.strip()
        except llm.ModelError as e:
            with lock:
                state["failures"] += 1
            result.error = e.message
            return result
        with lock:
            state["failures"] = 0
        score(result, judge)
        return result

    with ThreadPoolExecutor(max_workers=max(1, opts.concurrency)) as pool:
        return list(pool.map(one, items))


def score(result: Result, judge: llm.Model | None) -> None:
    if judge is None:
        result.score = round(rouge_l(result.expected, result.answer), 4)
        return
    prompts = prompt_sections("precheck")
    texts = {"question": result.question, "reference": result.expected, "answer": result.answer}
    prompt = fill(prompts["judge"], **texts, nonce=nonce(*texts.values()))
    try:
        verdict = llm.ask_json(
            judge, system=prompts["judge-system"], prompt=prompt, schema=JUDGE_SCHEMA, max_tokens=300
        )
    except (llm.ModelError, llm.InvalidAnswer) as e:  # keep the model's answer; only the score is missing
        result.error = f"judge: {e.message}"
        return
    result.score = round((int(verdict["score"]) - 1) / 4, 4)
    result.note = str(verdict["reason"])


def mean(results: list[Result]) -> float | None:
    scores = [r.score for r in results if r.score is not None]
    return round(sum(scores) / len(scores), 4) if scores else None


def verdict(results: list[Result], threshold: float, metric: str) -> str:
    """One line per file: does the model already answer these well?"""
    avg, failed = mean(results), sum(1 for r in results if r.error)
    if avg is None:
        return f"⚠️ no answer could be scored ({failed} failed)"
    tail = f" ({failed} not scored)" if failed else ""
    if avg >= threshold:
        return (
            f"🟢 the model already answers these well (mean {metric} {avg:.2f} ≥ {threshold:.2f}): "
            f"this data may teach it little{tail}"
        )
    return f"🔵 the model does not answer these well yet (mean {metric} {avg:.2f} < {threshold:.2f}){tail}"


def by_file(results: list[Result]) -> dict[str, list[Result]]:
    grouped: dict[str, list[Result]] = {}
    for r in results:
        grouped.setdefault(r.path, []).append(r)
    return grouped


def cell(text: str, limit: int) -> str:
    return md.escape(md.cut(" ".join((text or "").split()), limit)) or "—"


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def details(path: str, text: str) -> str:
    """Open a collapsed block; <summary> is HTML (no Markdown there), so the path is HTML-escaped."""
    return f"<details><summary><code>{html.escape(path)}</code>: {html.escape(text, quote=False)}</summary>"


def answer_cell(r: Result, limit: int) -> str:
    return f"⚠️ {cell(r.error, limit)}" if r.error and not r.answer else cell(r.answer, limit)


def render_file(path: str, results: list[Result], threshold: float, metric: str, limit: int) -> str:
    head = "| # | question | contributor answer | model answer | " + metric + " |\n| ---: | --- | --- | --- | ---: |"
    rows = [
        f"| {r.index} | {cell(r.question, limit)} | {cell(r.expected, limit)} | {answer_cell(r, limit)} | "
        f"{fmt(r.score)} |"
        for r in results
    ]
    scored = [r for r in results if r.score is not None]
    return (
        details(path, f"{len(results)} questions, {len(scored)} scored, mean {metric} {fmt(mean(results))}") + "\n\n"
        f"{head}\n" + "\n".join(rows) + "\n\n</details>"
    )


def render(title: str, sections: list[str], footer: list[str]) -> str:
    return "\n".join([f"### {title}", "", *sections, "", *footer]).rstrip() + "\n"


def render_results(
    results: list[Result],
    opts: Options,
    *,
    model: str,
    sha: str,
    skipped: int,
    extra: list[str],
    title: str = "precheck",
    metric: str = "ROUGE-L",
    limit: int = 400,
) -> str:
    """The whole comment; cells shrink until it fits GitHub's comment limit."""
    files = by_file(results)
    summary = [f"- {md.code(p)}: {verdict(rs, opts.threshold, metric)}" for p, rs in files.items()]
    notes = [*extra] + ([f"_{skipped} more questions were not asked (bot.precheck.max-questions)._"] if skipped else [])
    footer = [
        *notes,
        f"<sub>{metric} compares each model answer with the contributor's answer (0 to 1). "
        "Full answers are in the JSONL artifact of the workflow run.</sub>",
    ]
    for size in (limit, 200, 100, 50):
        body = render(
            f"{title}: {md.code(model)} on commit {md.code(sha[:7])}",
            [*summary, "", "\n\n".join(render_file(p, rs, opts.threshold, metric, size) for p, rs in files.items())],
            footer,
        )
        if len(body) < md.COMMENT_LIMIT - 2000:
            return body
    return md.fit_comment(body)


# ---------------------------------------------------------------------------------- running
def failure_note(runs: list[list[Result]]) -> tuple[str, str]:
    """A CAUTION block and a status description when model or judge calls failed ("" when none did)."""
    total = sum(len(rs) for rs in runs)
    unanswered = [r for rs in runs for r in rs if r.error and not r.answer]
    unscored = [r for rs in runs for r in rs if r.error and r.answer]
    for failed, what in ((unanswered, "model endpoint"), (unscored, "judge")):
        if failed:
            first = failed[0].error
            return (
                f"> [!CAUTION]\n> The {what} failed for {len(failed)} of {total} questions: "
                f"{md.escape(md.cut(first, 300))}\n\n",
                f"{len(failed)} of {total} {what} calls failed: {first}",
            )
    return "", ""


@dataclass(frozen=True)
class Check:
    """The work of precheck (one endpoint) and postcheck (candidate, optionally with the current one
    first: then `compare` renders the before/after view)."""

    name: str
    endpoints: tuple[Endpoint, ...]
    opts: Options
    judge: Endpoint | None
    output: str | None
    compare: Callable[..., str] | None = None

    def __call__(self, pr: PullRequest, files: list[Qna], outcome: Outcome) -> str:
        items, skipped = items_for(files, self.opts)
        models = [e.connect() for e in self.endpoints]
        judge_model = self._judge_model()
        runs = [ask_all(m, items, self.opts, judge_model) for m in models]
        metric = "judge" if judge_model else "ROUGE-L"
        self._write(pr, models, runs, metric)
        caution, failed = failure_note(runs)
        outcome.state, outcome.description = (
            ("error", failed) if failed else ("success", _summary(runs[-1], metric, self.opts))
        )
        return caution + self._render(pr, [m.name for m in models], runs, skipped, metric)

    def _judge_model(self) -> llm.Model | None:
        if self.opts.judge and self.judge is None:
            raise UserError(
                "judge scoring is on but no judge model is set: LABELER_JUDGE_BASE_URL / LABELER_JUDGE_MODEL"
            )
        return self.judge.connect() if (self.opts.judge and self.judge) else None

    def _write(self, pr: PullRequest, models: list[llm.Model], runs: list[list[Result]], metric: str) -> None:
        version = prompt_sections("precheck")["version"]
        rows = [
            r.row(command=self.name, role=e.role, model=m.name, sha=pr.head_sha, metric=metric, prompt_version=version)
            for e, m, rs in zip(self.endpoints, models, runs)
            for r in rs
        ]
        write_jsonl(self.output, rows)

    def _render(self, pr: PullRequest, names: list[str], runs: list[list[Result]], skipped: int, metric: str) -> str:
        if len(runs) == 2 and self.compare:
            return self.compare(
                runs[0], runs[1], self.opts, models=names, sha=pr.head_sha, skipped=skipped, metric=metric
            )
        return render_results(
            runs[0],
            self.opts,
            model=names[0],
            sha=pr.head_sha,
            skipped=skipped,
            extra=[],
            title=self.name,
            metric=metric,
        )


def check(
    name: str,
    endpoints: list[Endpoint],
    opts: Options,
    judge: Endpoint | None,
    output: str | None,
    compare: Callable[..., str] | None = None,
) -> Check:
    return Check(name, tuple(endpoints), opts, judge, output, compare)


@dataclass(frozen=True)
class Tuning:
    """The command line's say over bot.precheck in labels.yml (None: the file's or the default)."""

    threshold: float | None
    concurrency: int | None
    use_judge: bool | None

    def options(self, settings: Settings) -> Options:
        return Options.from_settings(
            settings.precheck, threshold=self.threshold, concurrency=self.concurrency, judge=self.use_judge
        )


def _summary(results: list[Result], metric: str, opts: Options) -> str:
    avg = mean(results)
    return f"Mean {metric} {fmt(avg)} over {len(results)} questions (well answered at >= {opts.threshold:.2f})"


# ---------------------------------------------------------------------------------- command line
def tuning_options(verdict: str) -> Callable[[F], F]:
    """--threshold and --concurrency, shared by precheck and postcheck."""

    def wrap(func: F) -> F:
        func = click.option(
            "--concurrency",
            type=click.IntRange(1, 16),
            envvar="LABELER_CONCURRENCY",
            show_envvar=True,
            help="Parallel model calls (default 4).",
        )(func)
        return click.option(
            "--threshold",
            type=click.FloatRange(0, 1),
            envvar="LABELER_THRESHOLD",
            show_envvar=True,
            help=f"Mean score for '{verdict}' (default 0.5).",
        )(func)

    return wrap


def judge_options(func: F) -> F:
    func = click.option(
        "--judge-provider",
        envvar="LABELER_JUDGE_PROVIDER",
        show_envvar=True,
        type=click.Choice(["openai", "anthropic"]),
        default="openai",
        help="Judge API.",
    )(func)
    func = options.endpoint("judge", "LABELER_JUDGE", "judge model")(func)
    return click.option(
        "--judge/--no-judge",
        "use_judge",
        default=None,
        envvar="LABELER_USE_JUDGE",
        show_envvar=True,
        help="Score with the judge model (config: bot.precheck.judge).",
    )(func)


def judge_endpoint(provider: str, base_url: str | None, model: str | None, api_key: str | None) -> Endpoint | None:
    if not (base_url or model or api_key):
        return None
    return Endpoint("judge", "LABELER_JUDGE", base_url, model, api_key, provider=provider)


@click.command("precheck")
@common_options
@options.endpoint("", "LABELER_PRECHECK", "current model")
@judge_options
@tuning_options("already answers these well")
def command(**given: Any) -> None:
    """Ask the current model each seed question of the PR's changed qna.yaml files.

    Model calls time out after LABELER_MODEL_TIMEOUT seconds (default 60) and are retried
    LABELER_MODEL_RETRIES times (default 2) by the SDK.
    """
    current = Endpoint("current model", "LABELER_PRECHECK", given["base_url"], given["model"], given["api_key"])
    tuning = Tuning(given["threshold"], given["concurrency"], given["use_judge"])
    judge = judge_endpoint(
        given["judge_provider"], given["judge_base_url"], given["judge_model"], given["judge_api_key"]
    )

    def make_work(settings: Settings) -> Check:
        return check("precheck", [current], tuning.options(settings), judge, given["output"])

    execute(
        "precheck",
        number=given["number"],
        repo=given["repo"],
        config_path=given["config_path"],
        event_path=given["event_path"],
        event_name=given["event_name"],
        dry_run=given["dry_run"],
        accepted="Asking the current model the seed questions",
        make_work=make_work,
    )
