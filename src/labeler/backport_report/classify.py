"""Classify commits with a model: bounded concurrency, cached verdicts, failures as `uncertain`.

The prompt is patchbot's split: a long prefix (project context, cached by the provider as the
system part) and a short suffix (the question and answer format) after the commit message.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import string
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from labeler import limits, prompts
from labeler.backport_report import message as msg
from labeler.backport_report import prompt_examples
from labeler.backport_report.cache import VerdictCache, key
from labeler.backport_report.verdict import parse_answer
from labeler.errors import UserError
from labeler.git import Commit
from labeler.llm import ModelUnavailable
from labeler.prompts import nonce

PREFIX_FILE = "backport_report_prefix.md"
SUFFIX_FILE = "backport_report_suffix.md"
MAX_TOKENS = 400


@dataclass(frozen=True)
class Prompts:
    prefix: str
    suffix: str
    digest: str
    version: str = "unversioned"


def _read(directory: str | None, name: str) -> str:
    if directory is None:
        return resources.files("labeler.backport_report").joinpath("prompts").joinpath(name).read_text("utf-8")
    path = os.path.join(directory, name)
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise UserError(f"--prompts: cannot read {name}: {e.strerror}", file=path) from None


def _strip_header(text: str, where: str) -> tuple[str, str]:
    """(version, body) of a prefix/suffix file: labeler.prompts' format, one section (or `text`)."""
    prompt = prompts.parse(where, text, where, required=(), need_version=False)
    body = prompt.sections.get("text") or "\n\n".join(prompt.sections.values()) + "\n"
    return prompt.version, body


def load_prompts(
    directory: str | None, dev_version: str | None, stable_versions: Sequence[str], examples: str = ""
) -> Prompts:
    """`examples`: the project's decided commits for `${examples}` (prompt_examples.render)."""
    raw_prefix, raw_suffix = _read(directory, PREFIX_FILE), _read(directory, SUFFIX_FILE)
    values = {
        "dev_version": dev_version or "the development version",
        "stable_versions": ", ".join(stable_versions) or "the maintained stable versions",
        "examples": examples or prompt_examples.NONE_YET,
    }
    (prefix_version, prefix), (suffix_version, suffix) = (
        _strip_header(raw_prefix, PREFIX_FILE),
        _strip_header(raw_suffix, SUFFIX_FILE),
    )
    # The examples stay out of the verdict cache's key: they teach, they do not decide, and a new
    # backport changing them must not re-ask every cached commit (nor a dry run over another range).
    keyed = [raw_prefix, raw_suffix, values["dev_version"], values["stable_versions"]]
    digest = hashlib.sha256("\0".join(keyed).encode()).hexdigest()[:16]
    return Prompts(
        string.Template(prefix).safe_substitute(values),
        string.Template(suffix).safe_substitute(values),
        digest,
        f"prefix {prefix_version}, suffix {suffix_version}",
    )


def build_prompt(commit: Commit, prompts: Prompts, note: str = "") -> str:
    """The quoted message in a block its text cannot close, the repository's facts about it (if
    any), then the question (which names the block's tags again)."""
    quoted = msg.model_input(commit.sha, commit.subject, commit.author_email, commit.date, commit.message)
    tag = nonce(quoted, note)
    question = string.Template(prompts.suffix).safe_substitute(nonce=tag)
    return f"<commit-{tag}>\n{quoted}</commit-{tag}>\n\n{note + chr(10) if note else ''}{question}"


def sized_prompt(model: Any, commit: Commit, prompts: Prompts, note: str = "") -> str:
    """build_prompt, with the message cut to the model's request size where it has one (GitHub Models' free tier)."""
    budget = getattr(model, "max_input_tokens", None)
    if not budget:
        return build_prompt(commit, prompts, note)

    def render(message: str) -> tuple[str, str]:
        return prompts.prefix, build_prompt(dataclasses.replace(commit, message=message), prompts, note)

    return limits.fit(render, commit.message, budget)[0][1]


def answer_key(commit: Commit, model: Any, prompts: Prompts, note: str) -> str:
    """What changes the answer: the commit, the model, the prompt files and the facts shown."""
    digest = prompts.digest + (":" + hashlib.sha256(note.encode()).hexdigest()[:12] if note else "")
    return key(commit.sha, model.provider, model.name, digest)


@dataclass
class Stats:
    calls: int = 0
    cached: int = 0
    failed: int = 0
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    call_seconds: float = 0.0  # from the first call to the last answer recorded (the pool's wall time)


def _ask(model: Any, prompts: Prompts, commit: Commit, note: str = "") -> dict[str, Any]:
    try:
        answer = model.complete(
            system=prompts.prefix,
            prompt=sized_prompt(model, commit, prompts, note),
            max_tokens=MAX_TOKENS,
            temperature=0.0,
        )
    except Exception as e:
        failed = {"verdict": "uncertain", "reason": f"model call failed: {type(e).__name__}: {e}"[:500], "error": True}
        if isinstance(e, ModelUnavailable):  # GitHub Models refused, or its free limits are spent
            return {**failed, "reason": str(e)[:500], "unavailable": True}
        return failed
    verdict, reason = parse_answer(answer)
    return {"verdict": verdict, "reason": reason, "answer": answer[:4000]}


class LazyModel:
    """A model client built on first use: a re-run whose verdicts are all cached never imports the
    provider's SDK (seconds of a nightly run). `ensure()` builds it in the calling thread, so a
    missing key is the user's error, not an uncertain verdict per commit."""

    def __init__(self, provider: str, name: str, build: Callable[[], Any]) -> None:
        self.provider, self.name, self._build = provider, name, build
        self._model: Any = None

    def ensure(self) -> Any:
        if self._model is None:
            self._model = self._build()
            self.name = self._model.name
        return self._model

    def complete(self, **kwargs: Any) -> str:
        return str(self.ensure().complete(**kwargs))

    def __getattr__(self, name: str) -> Any:  # the built model's own: its request size, its free quota
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.ensure(), name)


FLUSH_SECONDS = 2.0  # without `flush_every`: persist at most this often (each flush rewrites the whole file)


def classify(
    commits: Sequence[Commit],
    model: Any,
    prompts: Prompts,
    cache: VerdictCache,
    *,
    concurrency: int = 4,
    flush_every: int = 0,
    progress: Callable[[int, int], None] | None = None,
    notes: Mapping[str, str] | None = None,
) -> Stats:
    """Verdicts for `commits`; only those missing from the cache cost a call. Failed calls are
    not cached, so the next run retries them. The cache is flushed every `flush_every` answers
    (default: every few seconds) and when the run ends or is interrupted."""
    stats = Stats()
    notes = notes or {}
    todo = []
    for commit in commits:
        hit = cache.get(answer_key(commit, model, prompts, notes.get(commit.sha, "")))
        if hit is not None:
            stats.results[commit.sha], stats.cached = hit, stats.cached + 1
        else:
            todo.append(commit)
    if todo and hasattr(model, "ensure"):
        model.ensure()
    run = _Run(model, prompts, cache, stats, notes, flush_every)
    run.all(todo, max(1, concurrency), progress)
    return stats


@dataclass
class _Run:
    """One pool of model calls. Workers only call the model; the main thread records answers and
    flushes the cache between waits, so no worker ever waits for bookkeeping."""

    model: Any
    prompts: Prompts
    cache: VerdictCache
    stats: Stats
    notes: Mapping[str, str]
    flush_every: int
    done: int = 0
    flushed_at: float = field(default_factory=time.monotonic)

    def all(self, todo: Sequence[Commit], concurrency: int, progress: Callable[[int, int], None] | None) -> None:
        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="backport-model")
        pending: dict[Future[dict[str, Any]], Commit] = {}
        started = time.monotonic()
        try:
            pending = {pool.submit(_ask, self.model, self.prompts, c, self.notes.get(c.sha, "")): c for c in todo}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                failure = self.harvest(finished, pending)
                if failure is not None:
                    raise failure
                self.maybe_flush()
                if progress:
                    progress(self.done, len(todo))
        finally:
            # Ctrl-C may land while answers wait to be recorded: record them before the last flush.
            self.harvest([f for f in pending if f.done()], pending)
            self.stats.call_seconds = round(time.monotonic() - started, 2)
            pool.shutdown(wait=not pending, cancel_futures=True)
            self.cache.flush()

    def harvest(self, finished: Any, pending: dict[Future[dict[str, Any]], Commit]) -> BaseException | None:
        failure = None
        for future in finished:
            commit = pending.pop(future)
            if future.cancelled() or future.exception() is not None:  # only BaseException escapes _ask
                failure = failure or (None if future.cancelled() else future.exception())
                continue
            _record(
                future.result(),
                commit,
                self.model,
                self.prompts,
                self.cache,
                self.stats,
                self.notes.get(commit.sha, ""),
            )
            self.done += 1
            if self.flush_every and self.done % self.flush_every == 0:
                self.cache.flush()
        return failure

    def maybe_flush(self) -> None:
        if not self.flush_every and time.monotonic() - self.flushed_at >= FLUSH_SECONDS:
            self.cache.flush()
            self.flushed_at = time.monotonic()


def _record(
    result: dict[str, Any],
    commit: Commit,
    model: Any,
    prompts: Prompts,
    cache: VerdictCache,
    stats: Stats,
    note: str = "",
) -> None:
    stats.calls += 1
    stats.results[commit.sha] = result
    if result.pop("error", False):
        stats.failed += 1
    else:
        cache.put(answer_key(commit, model, prompts, note), result)
