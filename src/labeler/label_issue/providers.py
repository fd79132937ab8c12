"""Who recommends the labels: a hosted model (Anthropic, OpenAI-compatible, GitHub Models through the workflow
token), the model learned from the repository's own labeled issues (learned.py), the offline keyword matcher or
a locally trained classifier.

`resolve_provider` picks one from the options and the environment; `recommend` asks it. A new provider
is a name in PROVIDERS, a line in `_detected` if a setting selects it by itself, and an entry in ASK.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from labeler import runner
from labeler.errors import UserError, setting
from labeler.label_issue import keyless, keywords, learned

if TYPE_CHECKING:
    from labeler.config import Config
    from labeler.gh import Issue
    from labeler.label_issue.labeling import Settings

BODY_LIMIT = 8000  # of an issue's body in the prompt (label_issue/prompt.py cuts it; the replay's token estimate)
PROVIDERS = ("anthropic", "openai", "github-models", "learned", "keywords", "local")


@dataclass(frozen=True)
class Provider:
    name: str
    model: str | None = None
    model_path: str | None = None
    history_db: str | None = None  # `labeler history sync` file: examples for the prompt, duplicates
    offline: learned.Offline | None = None  # learned: the repository's model (or the keywords), ready
    models_url: str | None = None  # github-models: its endpoint
    fallback: keyless.Fallback | None = field(default=None, compare=False)  # github-models: who answers instead

    def deciding(self) -> str:
        """The provider whose answer the run used: the offline one once GitHub Models is out."""
        return self.fallback.deciding(self.name) if self.fallback else self.name


class Answer(NamedTuple):
    """What a provider recommended, and who: `note` says why it abstained, if it did."""

    answer: dict[str, Any]
    model: str
    prompt_version: str
    note: str = ""
    thresholds: Mapping[str, float | None] | None = None  # the provider's own per label (None: suggest only)
    provenance: str = ""  # where the confidences come from, for the audit comment


class Request(NamedTuple):
    """One question to a provider: this issue, against this configuration."""

    issue: Issue
    cfg: Config
    settings: Settings
    provider: Provider
    repo: str


def resolve_provider(
    name: str | None,
    model: str | None,
    model_path: str | None,
    history_db: str | None = None,
    *,
    learn: bool = False,
    github_models: bool = False,
    models_url: str | None = None,
    fallback: keyless.Fallback | None = None,
) -> Provider:
    """Explicit choice first; else a configured key picks the hosted model, else GitHub Models when the workflow
    opted in (`github_models`); else, labeling issues (`learn`), the model learned from the repository's history;
    else (a replay) the local model or keywords. GitHub Models comes with that offline provider to fall back on
    (`fallback`, default: go offline whatever stops it)."""
    chosen = (name or "").strip().lower() or _detected(model_path, learn, github_models)
    if chosen not in PROVIDERS:
        raise UserError(f"unknown provider {chosen!r}: choose {', '.join(PROVIDERS[:-1])} or {PROVIDERS[-1]}")
    if chosen == "learned" and not learn:
        raise UserError("a replay of the learned provider would score issues it learned from: use keywords or local")
    if chosen == "local" and not model_path:
        raise UserError(
            "the local provider needs "
            + setting("--model-path (LABELER_MODEL_PATH)", "model-path")
            + ", a directory from `labeler model train`"
        )
    if history_db and not os.path.isfile(history_db):
        runner.warning(f"history file {history_db} not found: no examples or duplicates this time")
        history_db = None
    if chosen == "github-models":
        fallback = fallback or keyless.Fallback(keyless.offline_default(model_path, learn))
    hosted = fallback if chosen == "github-models" else None
    return Provider(chosen, model, model_path, history_db, models_url=models_url, fallback=hosted)


def _detected(model_path: str | None, learn: bool, github_models: bool) -> str:
    from labeler import llm

    return llm.detected(github_models) or keyless.offline_default(model_path, learn)


def recommend(request: Request) -> Answer:
    """The provider's answer. Model failures raise before any write; GitHub Models' refusal or spent limits hand
    the issue to the offline provider (Provider.deciding says who answered)."""
    if request.provider.name in ASK:
        return ASK[request.provider.name](request)
    return keyless.ask(request.provider.fallback, lambda: _ask_model(request), lambda name: _offline(request, name))


def _offline(r: Request, name: str) -> Answer:
    got = ASK[name](r._replace(provider=dataclasses.replace(r.provider, name=name)))
    return got._replace(note="GitHub Models did not answer (the run's warning says why): labeled offline")


def _ask_keywords(r: Request) -> Answer:
    answer = keywords.suggest(r.cfg.applicable(), r.issue.title, r.issue.body, r.settings.max_labels)
    return Answer(answer, "-", keywords.VERSION)


def _ask_learned(r: Request) -> Answer:
    if r.provider.offline is None:  # resolved but never prepared (learned.default_offline): keywords only
        return Answer(*_ask_keywords(r)[:3], thresholds=dict.fromkeys(lbl.name for lbl in r.cfg.applicable()))
    got = learned.recommend(r.provider.offline, r.issue, r.cfg, r.settings)
    return Answer(got.answer, got.model, got.version, thresholds=got.thresholds, provenance=got.provenance)


def _ask_local(r: Request) -> Answer:
    predictor = load_predictor(r.provider.model_path or "")
    # the group training saw for this repository's issues (dataset export writes source github:OWNER/NAME)
    ranked = predictor.suggest(r.issue.title, r.issue.body, f"github:{r.repo}" if r.repo else None)
    answer = {
        "labels": [{"name": n, "confidence": c} for n, c in ranked],
        "rationale": "scored by the classifier trained on this repository's labeled issues",
        "version": "local",
    }
    return Answer(answer, str(predictor.meta.get("version", "local")), "local")


def _ask_model(r: Request) -> Answer:
    """The production prompt (label_issue/prompt.py) for every path: event, backlog and replay."""
    from labeler import llm
    from labeler.label_issue import prompt as label_prompt

    base_url = r.provider.models_url if r.provider.name == "github-models" else None
    model = llm.get_model(r.provider.name, r.provider.model, base_url=base_url)
    shown = label_prompt.examples_for(r.provider.history_db, r.issue, r.cfg, r.settings.provenance_label)
    used, system, user = fitted(r, shown, getattr(model, "max_input_tokens", None))
    wire = label_prompt.wire_schema(r.cfg)  # names an enum of the labels; the local check drops strays instead
    try:
        answer = llm.ask_json(model, system=system, prompt=user, schema=label_prompt.LOCAL_SCHEMA, wire_schema=wire)
    except llm.InvalidAnswer as e:
        return Answer({"labels": [], "rationale": ""}, model.name, used.version, f"abstained: {e.message}")
    return Answer(label_prompt.stamp(answer, used.version), model.name, used.version)


def fitted(r: Request, shown: Any, budget: int | None) -> tuple[Any, str, str]:
    """The production prompt, its body cut to the model's request size where it has one (GitHub Models' free
    tier): the instructions, the labels and the examples stay whole."""
    from labeler.label_issue import prompt as label_prompt

    def render(body: str) -> tuple[Any, str, str]:
        issue = dataclasses.replace(r.issue, body=body)
        return label_prompt.build(issue, r.cfg, r.settings.max_labels, r.repo, shown)

    if not budget:
        return render(r.issue.body)
    from labeler import limits

    built, _ = limits.fit(render, r.issue.body, budget, measure=lambda p: limits.pair_tokens((p[1], p[2])))
    return built


ASK: dict[str, Callable[[Request], Answer]] = {"keywords": _ask_keywords, "local": _ask_local, "learned": _ask_learned}


def duplicates(provider: Provider, issue: Issue, threshold: float) -> tuple[dict[str, Any], ...]:
    if not provider.history_db:
        return ()
    from labeler.label_issue import retrieval

    found = retrieval.possible_duplicates(
        provider.history_db, issue.title, issue.body, threshold, exclude_number=issue.number
    )
    return tuple({"number": d.number, "title": d.title, "url": d.url, "score": d.score} for d in found)


def load_predictor(path: str) -> Any:
    """The local model, loaded once per process (a replay or backlog asks it for every issue);
    a model written again to the same directory is loaded again."""
    try:
        stamp = max((e.stat().st_mtime_ns for e in os.scandir(path)), default=0) if os.path.isdir(path) else 0
    except OSError:
        stamp = 0
    return _load_predictor(path, stamp)


@functools.lru_cache(maxsize=2)
def _load_predictor(path: str, stamp: int) -> Any:
    from labeler.model import predict

    return predict.load(path)
