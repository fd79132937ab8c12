"""`generate`: a sample of synthetic training data from the PR's seed examples, by a teacher model.

Design (../shared/notes/taxonomy.md §5.3; not instructlab-sdg: 3.4 GB of wheels): one chat request
per round with 1-3 randomly sampled seeds and a `[QUESTION] ... [ANSWER] ... [END]` contract
(`[CONTEXT]` too for grounded skills), a tolerant parser, then the old `lab generate` filters:
question length, a denylist, "Write a program", a leading punctuation/non-ASCII character, and
ROUGE-L > threshold against the seeds and everything accepted so far. Every discard has a reason.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import click

from labeler import llm, md, options
from labeler.config import defaults, section_settings
from labeler.prompts import nonce
from labeler.taxonomy_bot.common import (
    Endpoint,
    common_options,
    execute,
    fill,
    prompt_sections,
    write_jsonl,
)
from labeler.taxonomy_bot.precheck import cell, details
from labeler.taxonomy_bot.qna import Qna, Seed
from labeler.taxonomy_bot.similarity import max_rouge_l, tokens

_DEFAULT = defaults("bot.generate")
DENYLIST: tuple[str, ...] = tuple(_DEFAULT["denylist"])
_TAG = re.compile(r"\[\s*(CONTEXT|QUESTION|ANSWER|END)\s*\]:?", re.I)


@dataclass(frozen=True)
class Options:
    """bot.generate in labels.yml; defaults in schemas/bot.schema.json."""

    samples: int = _DEFAULT["samples"]
    max_rounds: int = _DEFAULT["max-rounds"]
    seeds_per_prompt: int = _DEFAULT["seeds-per-prompt"]
    pairs_per_round: int = _DEFAULT["pairs-per-round"]
    temperature: float = _DEFAULT["temperature"]
    max_tokens: int = _DEFAULT["max-tokens"]
    rouge_threshold: float = _DEFAULT["rouge-threshold"]
    min_words: int = _DEFAULT["min-words"]
    max_words: int = _DEFAULT["max-words"]
    denylist: tuple[str, ...] = DENYLIST
    show: int = _DEFAULT["show"]
    system_prompt: str = ""
    knowledge: bool = _DEFAULT["knowledge"]
    seed: int | None = None

    @classmethod
    def from_settings(cls, raw: dict[str, Any], **overrides: Any) -> Options:
        options = section_settings(raw, "bot.generate", cls, overrides)
        return (
            options if options.system_prompt else replace(options, system_prompt=prompt_sections("generate")["system"])
        )


@dataclass(frozen=True)
class Pair:
    question: str
    answer: str
    context: str | None = None


@dataclass
class FileRun:
    path: str
    kept: list[Pair] = field(default_factory=list)
    discarded: Counter[str] = field(default_factory=Counter)
    generated: int = 0
    rounds: int = 0
    error: str = ""


# ---------------------------------------------------------------------------------- pure parts
def format_example(seed: Seed, grounded: bool) -> str:
    context = f"[CONTEXT]\n{seed.context.strip()}\n" if grounded and seed.context else ""
    return f"{context}[QUESTION]\n{seed.question.strip()}\n[ANSWER]\n{seed.answer.strip()}\n[END]"


def build_prompt(qna: Qna, examples: list[Seed], count: int) -> str:
    sections = prompt_sections("generate")
    if qna.kind == "knowledge":
        shown = "\n\n".join(format_example(Seed(s.question, s.answer), False) for s in examples)
        context = examples[0].context or ""
        return fill(
            sections["knowledge"],
            count=count,
            task=qna.task,
            context=context,
            examples=shown,
            nonce=nonce(qna.task, context, shown),
        )
    grounding = (
        "Every pair starts with a [CONTEXT] (a passage, table or record like those in the examples) "
        "and the answer must be derived from it."
        if qna.grounded
        else "The pairs have no context: the question must stand on its own."
    )
    shown = "\n\n".join(format_example(s, qna.grounded) for s in examples)
    return fill(
        sections["skill"], count=count, task=qna.task, grounding=grounding, examples=shown, nonce=nonce(qna.task, shown)
    )


def sample_examples(qna: Qna, k: int, rng: random.Random) -> list[Seed]:
    """k random seeds; for knowledge, k Q&As sharing one context (the excerpt the prompt is about)."""
    seeds = qna.seeds()
    if qna.kind == "knowledge":
        contexts = sorted({s.context or "" for s in seeds})
        chosen = rng.choice(contexts)
        seeds = [s for s in seeds if (s.context or "") == chosen]
    return rng.sample(seeds, min(k, len(seeds)))


def parse_pairs(text: str, default_context: str | None = None) -> list[Pair]:
    """Blocks of [CONTEXT]/[QUESTION]/[ANSWER] ending at [END] or at the next block; tags case-insensitive."""
    pairs: list[Pair] = []
    current: dict[str, str] = {}
    parts = _TAG.split(text)
    for tag, value in zip(parts[1::2], parts[2::2]):
        tag = tag.upper()
        if tag in current or (tag == "CONTEXT" and "QUESTION" in current) or tag == "END":
            _flush(current, pairs, default_context)
            current = {}
        if tag != "END":
            current[tag] = value.strip()
    _flush(current, pairs, default_context)
    return pairs


def without_cut_pair(pairs: list[Pair], text: str, cut: bool) -> tuple[list[Pair], int]:
    """(pairs, how many dropped): when the answer stopped at the token limit, its last pair is cut
    unless an [END] closed it."""
    tags = _TAG.findall(text)
    if cut and pairs and not (tags and tags[-1].upper() == "END"):
        return pairs[:-1], 1
    return pairs, 0


def _flush(current: dict[str, str], pairs: list[Pair], default_context: str | None) -> None:
    if current.get("QUESTION") is not None or current.get("ANSWER") is not None:
        pairs.append(
            Pair(current.get("QUESTION", ""), current.get("ANSWER", ""), current.get("CONTEXT") or default_context)
        )


def discard_reason(pair: Pair, pool: list[list[str]], opts: Options) -> str | None:
    """Why a generated pair is dropped (None = keep). `pool` = tokenised seeds + accepted questions."""
    question = pair.question.strip()
    if not question or not pair.answer.strip():
        return "empty question or answer"
    words = len(question.split())
    if words < opts.min_words or words > opts.max_words:
        return f"question length outside {opts.min_words}-{opts.max_words} words"
    if any(re.search(rf"\b{re.escape(word)}\b", question, re.I) for word in opts.denylist):
        return "denylisted word"
    if question.lower().startswith("write a program"):
        return "asks for a program"
    if not (question[0].isascii() and question[0].isalnum()):
        return "starts with punctuation or a non-ASCII character"
    if max_rouge_l(tokens(question), pool) > opts.rouge_threshold:
        return f"near-duplicate (ROUGE-L > {opts.rouge_threshold:g})"
    return None


def user_text(pair: Pair, with_context: bool) -> str:
    return f"{pair.question}\n{pair.context}" if with_context and pair.context else pair.question


# ---------------------------------------------------------------------------------- running
def generate_for(model: llm.Model, qna: Qna, opts: Options, rng: random.Random) -> FileRun:
    """Rounds until `samples` pairs are kept or `max_rounds` is reached; an endpoint failure stops the file."""
    run = FileRun(qna.path)
    pool = [tokens(s.question) for s in qna.seeds()]
    while len(run.kept) < opts.samples and run.rounds < opts.max_rounds:
        run.rounds += 1
        examples = sample_examples(qna, opts.seeds_per_prompt, rng)
        prompt = build_prompt(qna, examples, min(opts.pairs_per_round, opts.samples - len(run.kept)))
        try:
            text, cut = (
                model.complete(
                    system=opts.system_prompt, prompt=prompt, max_tokens=opts.max_tokens, temperature=opts.temperature
                ),
                False,
            )
        except llm.Truncated as e:  # keep the pairs written before max-tokens, not the one it cut
            text, cut = e.partial, True
        except llm.ModelError as e:
            run.error = e.message
            break
        default_context = examples[0].context if qna.kind == "knowledge" else None
        pairs, dropped = without_cut_pair(parse_pairs(text, default_context), text, cut)
        if dropped:
            run.discarded["cut off by max-tokens"] += dropped
        for pair in pairs:
            run.generated += 1
            _consider(run, pair, pool, opts)
    return run


def _consider(run: FileRun, pair: Pair, pool: list[list[str]], opts: Options) -> None:
    if len(run.kept) >= opts.samples:
        run.discarded["over the requested number"] += 1
        return
    reason = discard_reason(pair, pool, opts)
    if reason:
        run.discarded[reason] += 1
        return
    run.kept.append(pair)
    pool.append(tokens(pair.question))


def render_run(run: FileRun, qna: Qna, opts: Options, limit: int) -> str:
    gone = ", ".join(f"{n} {why}" for why, n in run.discarded.most_common()) or "none"
    line = f"kept {len(run.kept)} of {run.generated} generated in {run.rounds} round(s); discarded: {gone}"
    if run.error:
        line += f"; the teacher endpoint failed: {md.cut(run.error, 200)}"
    with_context = qna.grounded
    head = (
        "| # | "
        + ("context | " if with_context else "")
        + "question | answer |\n| ---: | "
        + ("--- | " if with_context else "")
        + "--- | --- |"
    )
    rows = [
        f"| {i} | "
        + (f"{cell(p.context or '', limit)} | " if with_context else "")
        + f"{cell(p.question, limit)} | {cell(p.answer, limit)} |"
        for i, p in enumerate(run.kept[: opts.show], 1)
    ]
    table = f"\n\n{head}\n" + "\n".join(rows) if rows else "\n\nNothing was kept."
    return f"{details(run.path, line)}{table}\n\n</details>"


def render(
    runs: list[tuple[FileRun, Qna]], opts: Options, *, model: str, sha: str, refused: list[tuple[str, str]]
) -> str:
    for limit in (400, 200, 100):
        parts = [
            f"### generate: {md.code(model)} on commit {md.code(sha[:7])}",
            "",
            *[f"- {md.code(path)}: {why}" for path, why in refused],
            "",
            "\n\n".join(render_run(run, qna, opts, limit) for run, qna in runs),
            "",
            f"<sub>Up to {opts.show} samples per file are shown; all kept pairs are in the JSONL artifact of "
            "the workflow run ({system, user, assistant} rows). This is a sample of what the teacher makes of "
            "the seeds, not the final training data.</sub>",
        ]
        body = "\n".join(parts)
        if len(body) < md.COMMENT_LIMIT - 2000:
            return body
    return md.fit_comment(body)


def rows(runs: list[tuple[FileRun, Qna]], system: str, model: str, sha: str) -> list[str]:
    """Training-format JSONL rows ({system, user, assistant}) plus where each came from."""
    version = prompt_sections("generate")["version"]
    return [
        json.dumps(
            {
                "system": system,
                "user": user_text(p, qna.grounded),
                "assistant": p.answer,
                "taxonomy_path": run.path,
                "teacher": model,
                "sha": sha,
                "prompt_version": version,
            },
            ensure_ascii=False,
        )
        for run, qna in runs
        for p in run.kept
    ]


def work_for(teacher: Endpoint, opts: Options, student_system: str, output: str | None) -> Any:
    def work(pr: Any, files: list[Qna], outcome: Any) -> str:
        allowed = [q for q in files if q.kind == "skill" or opts.knowledge]
        refused = [
            (q.path, "not generated: knowledge needs the source documents (bot.generate.knowledge)")
            for q in files
            if q not in allowed
        ]
        model = teacher.connect()
        rng = random.Random(opts.seed)
        runs = [(generate_for(model, q, opts, rng), q) for q in allowed]
        write_jsonl(output, rows(runs, student_system, model.name, pr.head_sha))
        failed = [run for run, _ in runs if run.error]
        kept = sum(len(run.kept) for run, _ in runs)
        if failed:
            outcome.state, outcome.description = "error", f"The teacher endpoint failed: {failed[0].error}"
        else:
            outcome.state = "success" if kept else "failure"
            outcome.description = f"Kept {kept} generated pairs for {len(runs)} file(s)"
        return render(runs, opts, model=model.name, sha=pr.head_sha, refused=refused)

    return work


@click.command("generate")
@common_options
@options.endpoint("", "LABELER_TEACHER", "teacher model")
@click.option(
    "--samples",
    type=click.IntRange(1, 200),
    envvar="LABELER_SAMPLES",
    show_envvar=True,
    help="Pairs to keep per file (default 10).",
)
@click.option(
    "--seed", type=int, envvar="LABELER_SEED", show_envvar=True, help="Random seed for sampling the examples."
)
def command(
    number: int | None,
    repo: str | None,
    config_path: str | None,
    event_path: str | None,
    event_name: str,
    output: str | None,
    dry_run: bool,
    base_url: str | None,
    model: str | None,
    api_key: str | None,
    samples: int | None,
    seed: int | None,
) -> None:
    """Generate a sample of synthetic data from the PR's seed examples with a teacher model.

    Model calls time out after LABELER_MODEL_TIMEOUT seconds (default 60) and are retried
    LABELER_MODEL_RETRIES times (default 2) by the SDK.
    """
    from labeler.taxonomy_bot.precheck import Options as CheckOptions

    teacher = Endpoint("teacher model", "LABELER_TEACHER", base_url, model, api_key)

    def make_work(settings: Any) -> Any:
        opts = Options.from_settings(settings.generate, samples=samples, seed=seed)
        return work_for(teacher, opts, CheckOptions.from_settings(settings.precheck).system_prompt, output)

    execute(
        "generate",
        number=number,
        repo=repo,
        config_path=config_path,
        event_path=event_path,
        event_name=event_name,
        dry_run=dry_run,
        make_work=make_work,
        accepted="Generating synthetic data from the seed examples",
    )
