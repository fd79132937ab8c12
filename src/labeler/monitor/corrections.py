"""The monitor's corrections section (pure): live precision per label and the bot-vs-maintainer
agreement on the review sample. The counting is labeler.history.corrections.

    report(issues, events, picked, *, bot_login, ignore) -> Corrections
    render(c) -> str                                        Markdown for the job summary
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from labeler import md
from labeler.history import corrections as fates


@dataclass(frozen=True)
class Corrections:
    table: dict[str, fates.Tally]
    overall: fates.Tally
    agreement: fates.Agreement
    issues_with_events: int  # issues of the window the bot labelled, by their stored events


def report(
    issues: Sequence[Any],
    events: Mapping[int, Sequence[fates.LabelEvent]],
    picked: Sequence[Any],
    *,
    bot_login: str,
    ignore: Sequence[str] = (),
) -> Corrections:
    wanted = {i.number for i in issues}
    found = fates.outcomes_by_issue({n: e for n, e in events.items() if n in wanted}, bot_login, ignore=ignore)
    table = fates.tally(o for outs in found.values() for o in outs)
    applied = fates.bot_labels(found)
    reviewed = [i for i in picked if i.number in applied]
    return Corrections(table, fates.total(table), fates.agreement(reviewed, applied, ignore=ignore), len(found))


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
