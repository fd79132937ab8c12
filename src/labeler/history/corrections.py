"""What people did to the labels the bot applied (pure), read from an issue's timeline or stored label events.

label-issue asks it before labeling: a label a person removed is never re-applied (a person who adds
it back lifts the block: they chose it), and the bot's own removals never block. The monitor and the
dataset ask it afterwards, over many issues, for each bot label's fate:
- kept: still on the issue (or a person removed it and put it back: they chose it);
- removed: a person took it off and added no other label after the bot labelled the issue;
- replaced: a person took it off and added another label (the replacements are recorded).
The bot taking off its own label (e.g. the abstain label on a later run) withdraws it: no fate.
"Kept" includes labels nobody has looked at yet; the review sample is where people look, so the
agreement (Cohen's kappa) is computed there.

Logins are compared as GitHub compares them, without case (`same_login`), everywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from labeler import md

KEPT, REMOVED, REPLACED = "kept", "removed", "replaced"


def same_login(a: str, b: str) -> bool:
    """GitHub logins are case-insensitive: `LABELER_BOT_LOGIN` may be written in any case."""
    return a.lower() == b.lower()


@dataclass(frozen=True)
class LabelEvent:
    issue: int
    id: int
    event: str  # labeled | unlabeled
    label: str
    actor: str
    created_at: str | None = None


@dataclass(frozen=True)
class Outcome:
    issue: int
    label: str
    fate: str  # kept | removed | replaced
    by: str | None = None  # who removed it
    replaced_by: tuple[str, ...] = ()


@dataclass
class Tally:
    kept: int = 0
    removed: int = 0
    replaced: int = 0
    replaced_by: Counter[str] = field(default_factory=Counter)

    @property
    def applied(self) -> int:
        return self.kept + self.removed + self.replaced

    @property
    def precision(self) -> float | None:
        return self.kept / self.applied if self.applied else None


@dataclass(frozen=True)
class Agreement:
    kappa: float | None
    observed: float | None  # share of (issue, label) decisions both made the same way
    issues: int
    labels: tuple[str, ...]
    pairs: int


def from_timeline(number: int, raw: Iterable[Any]) -> list[LabelEvent]:
    """The `labeled`/`unlabeled` items of a REST timeline (or issue events) list; others are dropped."""
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or item.get("event") not in ("labeled", "unlabeled"):
            continue
        label, actor = item.get("label") or {}, item.get("actor") or {}
        name = label.get("name") if isinstance(label, dict) else None
        if not name:
            continue
        raw_id = item.get("id")
        ident = raw_id if isinstance(raw_id, int) else i
        who = str(actor.get("login") or "ghost") if isinstance(actor, dict) else "ghost"
        out.append(LabelEvent(number, ident, str(item["event"]), str(name), who, item.get("created_at")))
    return out


def _order(events: Iterable[LabelEvent]) -> list[LabelEvent]:
    return sorted(events, key=lambda e: (e.created_at or "", e.id))


def outcomes(events: Sequence[LabelEvent], bot_login: str, *, ignore: Iterable[str] = ()) -> list[Outcome]:
    """The fate of each label the bot applied on one issue (events of that issue, any order)."""
    skip = {x.lower() for x in ignore}
    fate: dict[str, str] = {}  # lower-case label -> kept | removed
    names: dict[str, str] = {}
    removers: dict[str, str] = {}
    present: set[str] = set()
    human_added: dict[str, str] = {}  # added by a person after the bot's first label
    bot_started = False
    number = events[0].issue if events else 0
    for e in _order(events):
        key = e.label.lower()
        if key in skip:
            continue
        bot = same_login(e.actor, bot_login)
        if e.event == "labeled":
            present.add(key)
            if bot:
                fate[key], names[key], bot_started = KEPT, e.label, True
            elif key in fate:
                fate[key] = KEPT
            elif bot_started:
                human_added[key] = e.label
        else:
            present.discard(key)
            if bot:
                if fate.get(key) == KEPT:
                    fate.pop(key)
            elif key in fate:
                fate[key], removers[key] = REMOVED, e.actor
            human_added.pop(key, None)
    extra = tuple(name for key, name in human_added.items() if key in present)
    out = []
    for key, state in fate.items():
        if state == REMOVED and extra:
            out.append(Outcome(number, names[key], REPLACED, removers.get(key), extra))
        else:
            out.append(Outcome(number, names[key], state, removers.get(key)))
    return sorted(out, key=lambda o: o.label.lower())


def outcomes_by_issue(
    events: Mapping[int, Sequence[LabelEvent]], bot_login: str, *, ignore: Iterable[str] = ()
) -> dict[int, list[Outcome]]:
    skip = tuple(ignore)
    found = {n: outcomes(evs, bot_login, ignore=skip) for n, evs in events.items()}
    return {n: o for n, o in found.items() if o}


def tally(found: Iterable[Outcome]) -> dict[str, Tally]:
    table: dict[str, Tally] = {}
    for o in found:
        row = table.setdefault(o.label, Tally())
        if o.fate == KEPT:
            row.kept += 1
        elif o.fate == REMOVED:
            row.removed += 1
        else:
            row.replaced += 1
            row.replaced_by.update(o.replaced_by)
    return dict(sorted(table.items(), key=lambda kv: (-kv[1].applied, kv[0])))


def total(table: Mapping[str, Tally]) -> Tally:
    out = Tally()
    for row in table.values():
        out.kept, out.removed, out.replaced = (
            out.kept + row.kept,
            out.removed + row.removed,
            out.replaced + row.replaced,
        )
        out.replaced_by.update(row.replaced_by)
    return out


def cohen_kappa(pairs: Sequence[tuple[bool, bool]]) -> float | None:
    """Cohen's kappa of two raters' yes/no decisions on the same items: (po - pe) / (1 - pe).
    None without items; 1.0 when both agree on everything even if chance agreement is 1."""
    if not pairs:
        return None
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    pa, pb = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1.0:
        return 1.0 if po == 1.0 else None
    return (po - pe) / (1 - pe)


def agreement(issues: Sequence[Any], applied: Mapping[int, Iterable[str]], *, ignore: Iterable[str] = ()) -> Agreement:
    """Bot vs maintainers on `issues` (each with .number and .labels, the labels now): one yes/no
    decision per issue and label, over every label either side used on these issues."""
    skip = {x.lower() for x in ignore}
    bot = {i.number: {x.lower() for x in applied.get(i.number, ())} - skip for i in issues}
    human = {i.number: {x.lower() for x in i.labels} - skip for i in issues}
    universe = sorted(set().union(*bot.values(), *human.values())) if issues else []
    pairs = [(lbl in bot[i.number], lbl in human[i.number]) for i in issues for lbl in universe]
    observed = sum(a == b for a, b in pairs) / len(pairs) if pairs else None
    return Agreement(cohen_kappa(pairs), observed, len(issues), tuple(universe), len(pairs))


def bot_labels(found: Mapping[int, Sequence[Outcome]]) -> dict[int, set[str]]:
    return {n: {o.label for o in outs} for n, outs in found.items()}


# Before labeling: one issue's raw timeline events ---------------------------------------------------
def _actor(event: dict[str, Any]) -> str:
    actor = event.get("actor") or {}
    return str(actor.get("login") or "") if isinstance(actor, dict) else ""


def human_removals(events: list[dict[str, Any]], bot_login: str) -> dict[str, str]:
    """Labels people removed and nobody put back: lower-case label -> who removed it."""
    blocked: dict[str, str] = {}
    for event in events:
        kind, label = event.get("event"), event.get("label")
        if kind not in ("labeled", "unlabeled") or not isinstance(label, dict) or not label.get("name"):
            continue
        name, who = str(label["name"]).lower(), _actor(event)
        if same_login(who, bot_login):
            continue
        if kind == "unlabeled":
            blocked[name] = who or "ghost"
        else:
            blocked.pop(name, None)
    return blocked


def bot_added(events: list[dict[str, Any]], bot_login: str, labels_now: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Labels on the issue now whose last `labeled` event is the bot's. With no audit comment, they
    are what a run that died between the label write and the comment write applied: a re-run plans
    as if they were not there yet, so its one comment tells what the bot applied."""
    last: dict[str, str] = {}
    for event in events:
        label = event.get("label")
        if event.get("event") == "labeled" and isinstance(label, dict) and label.get("name"):
            last[str(label["name"]).lower()] = _actor(event)
    return tuple(n for n in labels_now if same_login(last.get(n.lower(), ""), bot_login))


# After labeling: the monitor's section over a window of issues ----------------------------------------
@dataclass(frozen=True)
class Corrections:
    table: dict[str, Tally]
    overall: Tally
    agreement: Agreement
    issues_with_events: int  # issues of the window the bot labelled, by their stored events


def report(
    issues: Sequence[Any],
    events: Mapping[int, Sequence[LabelEvent]],
    picked: Sequence[Any],
    *,
    bot_login: str,
    ignore: Sequence[str] = (),
) -> Corrections:
    wanted = {i.number for i in issues}
    found = outcomes_by_issue({n: e for n, e in events.items() if n in wanted}, bot_login, ignore=ignore)
    table = tally(o for outs in found.values() for o in outs)
    applied = bot_labels(found)
    reviewed = [i for i in picked if i.number in applied]
    return Corrections(table, total(table), agreement(reviewed, applied, ignore=ignore), len(found))


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def kappa_reading(kappa: float | None) -> str:
    """Landis & Koch's words for a kappa."""
    if kappa is None:
        return "not measurable"
    for bound, word in ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if kappa <= bound:
            return word
    return "almost perfect"


def render(c: Corrections) -> str:
    """The monitor's corrections section, Markdown for the job summary."""
    lines = ["#### Corrections: what people did to the bot's labels", ""]
    if not c.issues_with_events:
        return "\n".join(
            [
                *lines,
                "_No label events of the bot in this window: run `labeler history sync "
                "--label-events <provenance label>` (LABELER_LABEL_EVENTS) to record them._",
                "",
            ]
        )
    o = c.overall
    lines += [
        f"{c.issues_with_events} issues the bot labelled; {o.applied} labels applied: {o.kept} kept, {o.removed} "
        f"removed, {o.replaced} replaced. Live precision {_share(o.precision)} (kept / applied; labels "
        "nobody has reviewed count as kept).",
        "",
        "| label | applied | kept | removed | replaced | replaced by | live precision |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for label, row in list(c.table.items())[:40]:
        by = ", ".join(f"{md.code(x)} ({n})" for x, n in row.replaced_by.most_common(3)) or "–"
        lines.append(
            f"| {md.escape(label)} | {row.applied} | {row.kept} | {row.removed} | {row.replaced} | {by} "
            f"| {_share(row.precision)} |"
        )
    a = c.agreement
    kappa = "–" if a.kappa is None else f"{a.kappa:.2f}"
    lines += [
        "",
        f"**Agreement on the review sample:** Cohen's kappa {kappa} ({kappa_reading(a.kappa)}), "
        f"observed agreement {_share(a.observed)}, over {a.issues} issues × {len(a.labels)} labels "
        "(the bot's labels against the labels the issues carry now).",
        "",
    ]
    return "\n".join(lines)
