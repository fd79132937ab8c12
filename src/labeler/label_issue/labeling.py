"""label-issue's decisions, as pure functions: which event does what, the plan, the audit comment."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from labeler import md
from labeler.config import Config, default

if TYPE_CHECKING:
    from labeler.gh import Issue

NAME = "label-issue"
MARKER = md.marker(NAME)
WRITE_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
STAGES = ("suggest", "confident", "auto")
NOTHING_REMOVED: Mapping[str, str] = MappingProxyType({})
_STATE = re.compile(r"<!-- labeler-state (\{[^<>]*\}) -->")


@dataclass(frozen=True)
class Settings:
    """The label-issue section of labels.yml; defaults in schemas/label_issue.schema.json."""

    stage: str = default(NAME, "stage")
    min_confidence: float = default(NAME, "min-confidence")
    max_labels: int = default(NAME, "max-labels")
    abstain_label: str | None = default(NAME, "abstain-label")
    provenance_label: str | None = default(NAME, "provenance-label")
    comment: str = default(NAME, "comment")
    dry_run: bool = False
    max_calls_per_issue: int | None = field(
        default=default(NAME, "max-model-calls-per-issue"), metadata={"key": "max-model-calls-per-issue"}
    )


@dataclass(frozen=True)
class Trigger:
    action: str  # "label", "off" or "skip"
    reason: str
    issue: Issue | None = None
    number: int | None = None
    actor: str = ""
    forced: bool = False
    fresh: bool = False  # a just-opened issue (a job re-run replays it: our comment may exist)
    actor_write: bool = False  # the actor has write access (or the run was dispatched, which needs it)
    once: bool = False  # backlog: an issue the bot already commented on is done (resuming never re-comments)


@dataclass(frozen=True)
class State:
    """What the bot remembers on the issue, in its own comment (nobody else can edit it)."""

    off: bool = False
    applied: tuple[str, ...] = ()
    off_by: str = ""  # who ran /label off
    off_write: bool = False  # ... with write access: only write access turns it back on
    calls: int = 0  # model calls spent on this issue (the per-issue budget)

    @classmethod
    def parse(cls, body: str | None) -> State:
        found = _STATE.search(body or "")
        try:
            raw = json.loads(found.group(1)) if found else {}
        except json.JSONDecodeError:
            raw = {}
        applied = raw.get("applied")
        applied = applied if isinstance(applied, list) else []
        calls = raw.get("calls")
        return cls(
            off=raw.get("off") is True,
            applied=tuple(str(a) for a in applied),
            off_by=str(raw.get("off_by") or ""),
            off_write=raw.get("off_write") is True,
            calls=calls if isinstance(calls, int) and calls >= 0 else 0,
        )

    def line(self) -> str:
        # Label names come from labels.yml (validated: no `<`/`>` can close the comment early).
        data = json.dumps(
            {
                "off": self.off,
                "applied": list(self.applied),
                "off_by": self.off_by,
                "off_write": self.off_write,
                "calls": self.calls,
            },
            ensure_ascii=True,
        )
        return f"<!-- labeler-state {data.replace('<', '').replace('>', '')} -->"


def skip_reason(issue: Issue, state: State, trigger: Trigger) -> str | None:
    if issue.is_pr:
        return "pull requests are not labeled by label-issue"
    if issue.author_is_bot:
        return f"the issue was opened by a bot ({issue.author})"
    if state.off and not trigger.forced:
        return "labeling is off for this issue (/label off); /label auto turns it back on"
    if state.off and state.off_write and not trigger.actor_write:
        return (
            f"labeling was turned off by {state.off_by or 'a maintainer'} (write access); "
            "only someone with write access can turn it back on"
        )
    return None


@dataclass(frozen=True)
class Pick:
    name: str
    confidence: float
    threshold: float
    suggest_only: bool = False  # the provider only suggests it (keywords where there is no history)

    @property
    def clears(self) -> bool:
        return not self.suggest_only and self.confidence >= self.threshold


@dataclass(frozen=True)
class Plan:
    issue: int
    picks: tuple[Pick, ...]
    apply: tuple[str, ...]
    remove: tuple[str, ...]
    abstained: bool
    dropped: int
    rationale: str
    provider: str
    model: str
    prompt_version: str
    stage: str
    dry_run: bool
    note: str = ""
    duplicates: tuple[dict[str, Any], ...] = field(default=())
    withheld: tuple[tuple[str, str], ...] = ()  # (label, who removed it): never re-applied
    unchecked: bool = False  # the timeline could not be read: nothing applied (fail closed)
    provenance: str = ""  # where the confidences come from (Markdown built from labels.yml names and numbers)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["picks"] = [{**asdict(p), "clears": p.clears} for p in self.picks]
        return data


def picks(
    answer: dict[str, Any], config: Config, settings: Settings, own: Mapping[str, float | None] | None = None
) -> tuple[tuple[Pick, ...], int]:
    """The model's labels mapped to labels.yml (aliases to names); anything else is dropped. `own`: thresholds
    an offline provider measured per label (None: suggest only), never taken from a model's answer."""
    best: dict[str, float] = {}
    dropped = 0
    for item in answer.get("labels") or []:
        label = config.canonical(str(item.get("name", "")))
        if label is None or label.deprecated or not label.auto:
            dropped += 1
            continue
        confidence = min(max(float(item.get("confidence", 0.0)), 0.0), 1.0)
        best[label.name] = max(best.get(label.name, 0.0), confidence)
    thresholds = {lbl.name: lbl.min_confidence for lbl in config.labels if lbl.min_confidence is not None}
    chosen = [Pick(n, c, thresholds.get(n, settings.min_confidence)) for n, c in best.items()]
    chosen = [_own(p, own[p.name]) if own and p.name in own else p for p in chosen]
    chosen.sort(key=lambda p: (-p.confidence, p.name))
    return tuple(chosen), dropped


def _own(pick: Pick, threshold: float | None) -> Pick:
    return replace(pick, suggest_only=True) if threshold is None else replace(pick, threshold=threshold)


def plan(
    issue: Issue,
    answer: dict[str, Any],
    config: Config,
    settings: Settings,
    state: State,
    *,
    provider: str,
    model: str,
    prompt_version: str,
    note: str = "",
    removed: Mapping[str, str] | None = NOTHING_REMOVED,
    thresholds: Mapping[str, float | None] | None = None,
) -> Plan:
    """`removed`: labels people removed (lower-case name -> login), never re-applied; None when the
    timeline could not be read, and then nothing is applied (fail closed). `thresholds`: see picks()."""
    chosen, dropped = picks(answer, config, settings, thresholds)
    clearing = [p.name for p in chosen if p.clears]
    abstained = not clearing
    wanted = _marked(_staged(chosen, clearing, settings), abstained, issue, config, settings)
    present = {name.lower() for name in issue.labels}
    withheld = tuple((n, (removed or {})[n.lower()]) for n in wanted if n.lower() in (removed or {}))
    wanted = [n for n in wanted if n.lower() not in (removed or {})]
    apply = tuple(n for n in wanted if n.lower() not in present) if removed is not None else ()
    # Only a label this bot applied may be taken back: the abstention label, once a real one lands.
    remove = tuple(
        n
        for n in state.applied
        if n == settings.abstain_label and clearing and wanted and n not in wanted and n.lower() in present
    )
    return Plan(
        issue=issue.number,
        picks=chosen,
        apply=apply,
        remove=remove,
        abstained=abstained,
        dropped=dropped,
        rationale=str(answer.get("rationale") or ""),
        provider=provider,
        model=model,
        prompt_version=prompt_version,
        stage=settings.stage,
        dry_run=settings.dry_run,
        note=note,
        withheld=withheld,
        unchecked=removed is None,
    )


def _staged(chosen: tuple[Pick, ...], clearing: list[str], settings: Settings) -> list[str]:
    """The clearing labels the rollout stage lets through."""
    if settings.stage == "suggest":
        return []
    if settings.stage == "confident":
        return clearing[: settings.max_labels] if chosen and len(clearing) == len(chosen) else []
    return clearing[: settings.max_labels]


def _marked(wanted: list[str], abstained: bool, issue: Issue, config: Config, settings: Settings) -> list[str]:
    """The abstain label when nothing cleared, or the provenance label next to what did."""
    # A human (or a template) already chose a label from the set: nothing to flag for triage.
    labeled = any((lbl := config.canonical(name)) is not None and lbl.auto for name in issue.labels)
    if abstained and settings.abstain_label and settings.stage != "suggest" and not labeled:
        return [settings.abstain_label]
    if settings.provenance_label and wanted:
        return [*wanted, settings.provenance_label]
    return wanted


def next_state(state: State, result: Plan) -> State:
    if result.dry_run:
        return state
    applied = [n for n in (*state.applied, *result.apply) if n not in result.remove]
    return replace(state, off=False, off_by="", off_write=False, applied=tuple(dict.fromkeys(applied)))


def wants_comment(result: Plan, settings: Settings) -> bool:
    if settings.comment == "never":
        return False
    return settings.comment == "always" or result.abstained or result.dry_run or result.stage == "suggest"
