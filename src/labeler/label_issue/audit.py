"""label-issue's audit comment (pure): what the bot did and why. Model text and other issues' titles are
escaped and their mentions neutralised."""

from __future__ import annotations

from labeler import md
from labeler.label_issue.labeling import MARKER, Pick, Plan

HINT = "<sub>Reply `/label auto` to label again, `/label off` to stop.</sub>"


def render(result: Plan, run_url: str | None = None) -> str:
    """The audit comment."""
    parts = [MARKER, _head(result), "", *_table(result)]
    for section in (_provenance, _dropped, _withheld, _unchecked, _why, _note, _duplicates):
        lines = section(result)
        if lines:
            parts += ["", *lines]
    parts += ["", _footer(result, run_url), "", HINT]
    return "\n".join(parts)


def _head(result: Plan) -> str:
    verb = "would apply" if result.dry_run else "applied"
    head = (
        f"**labeler** {verb} {', '.join(md.code(n) for n in result.apply)}"
        if result.apply
        else f"**labeler** {verb} no label"
    )
    return head + (" — no label reached the confidence threshold" if result.abstained else "")


def _table(result: Plan) -> list[str]:
    rows = [f"| {md.code(p.name)} | {p.confidence:.2f} | {_fate(p, result)} |" for p in result.picks]
    return ["| label | confidence | |", "|---|---|---|", *rows] if rows else ["_No label from labels.yml fits._"]


def _provenance(result: Plan) -> list[str]:
    # built by learned.provenance from label names of labels.yml and numbers only
    return [f"**Where the confidence comes from:** {result.provenance}."] if result.provenance else []


def _dropped(result: Plan) -> list[str]:
    if not result.dropped:
        return []
    return [f"_Ignored {result.dropped} suggestion(s) outside the applicable labels in labels.yml._"]


def _withheld(result: Plan) -> list[str]:
    return [f"- {md.code(name)} not re-applied: removed by {md.escape('@' + who)}" for name, who in result.withheld]


def _unchecked(result: Plan) -> list[str]:
    if not result.unchecked or result.dry_run:
        return []
    return [
        "_Applied nothing: the issue's timeline could not be read, so labels a person removed could not be checked._"
    ]


def _why(result: Plan) -> list[str]:
    return [f"**Why:** {md.escape_untrusted(md.cut(result.rationale, 1000))}"] if result.rationale else []


def _note(result: Plan) -> list[str]:
    return [f"_{md.escape_untrusted(result.note)}_"] if result.note else []


def _duplicates(result: Plan) -> list[str]:
    if not result.duplicates:
        return []
    return [
        "**Possibly the same as:**",
        *(
            f"- #{d['number']} {md.escape(md.cut(d['title'], 120))} ({d['score']:.0%} similar)"
            for d in result.duplicates
        ),
    ]


def _fate(pick: Pick, result: Plan) -> str:
    if pick.name in result.apply:
        return "would apply" if result.dry_run else "applied"
    if pick.suggest_only:
        return "suggestion only (keywords)"
    if not pick.clears:
        return f"below {pick.threshold:.2f}"
    return "suggested" if result.stage != "auto" or result.dry_run else "already present or over the cap"


def _footer(result: Plan, run_url: str | None) -> str:
    bits = [
        f"prompt {md.code(result.prompt_version)}",
        f"provider {md.code(result.provider)}",
        f"model {md.code(result.model)}",
        f"stage {md.code(result.stage)}",
    ]
    if result.dry_run:
        bits.append("dry run: nothing applied")
    if run_url:
        bits.append(f"[run]({run_url})")
    return "<sub>" + " · ".join(bits) + "</sub>"


def render_off(actor: str) -> str:
    return "\n".join(
        [
            MARKER,
            f"**labeler** will not label this issue: turned off by {md.escape('@' + actor)}.",
            "",
            "<sub>Reply `/label auto` to label it again.</sub>",
        ]
    )
