"""Parsed ilab reports -> one `Results`: models agreed on, general scores sided, row keys checked."""

from __future__ import annotations

import re
from typing import Any

from labeler.publish_benchmarks.ilab_text import Report, same_model
from labeler.publish_benchmarks.results import Pair, Results


def _patterns() -> dict[str, re.Pattern[str]]:
    from labeler.publish_benchmarks.structured import schema

    props = schema()["properties"]
    return {
        name: re.compile(props[key]["propertyNames"]["pattern"])
        for name, key in (("MMLU-Branch", "mmlu_branch"), ("MT-Bench-Branch", "mt_bench_branch"))
    }


def assemble(reports: list[Report], reader: Any, build_id: str, build_url: str | None) -> Results:
    for report in reports:
        _check_shape(report, reader)
    branches = [r for r in reports if r.branch]
    if not branches:
        raise reader.fail(
            "no branch report (MMLU-Branch or MT-Bench-Branch, the ones with ## BASE MODEL): "
            "nothing names the base model or holds per-leaf rows",
            line=reports[0].line,
        )
    base, new = branches[0].models["BASE MODEL"][0], branches[0].models["MODEL"][0]
    by_name: dict[str, Report] = {}
    for report in branches:
        _agree(report, base, new, reader)
        _once(by_name, report, reader)
    general = _general([r for r in reports if not r.branch], base, new, reader)
    rows = {name: _rows(by_name.get(name), name, reader) for name in ("MMLU-Branch", "MT-Bench-Branch")}
    return Results(
        build_id=build_id,
        build_url=build_url,
        base_model=base,
        new_model=new,
        general=general,
        mmlu_branch=rows["MMLU-Branch"],
        mt_bench_branch=rows["MT-Bench-Branch"],
        source=reader.path,
    )


def _check_shape(report: Report, reader: Any) -> None:
    if "MODEL" not in report.models:
        raise reader.fail(f"the {report.kind} EVALUATION REPORT has no ## MODEL (SCORE) line", line=report.line)
    if not report.branch and report.rows:
        first = min(line for _, line in report.rows.values())
        raise reader.fail("per-task rows in a report without ## BASE MODEL (SCORE)", line=first)
    if report.kind == "KNOWLEDGE" and report.values:
        raise reader.fail("TURN ONE / TURN TWO / ERROR RATE belong to a SKILL report", line=report.line)


def _agree(report: Report, base: str, new: str, reader: Any) -> None:
    for section, expected in (("BASE MODEL", base), ("MODEL", new)):
        name, _, line = report.models[section]
        if not same_model(name, expected):
            raise reader.fail(
                f"{report.name} names {section.lower()} {name!r}, an earlier report {expected!r}", line=line
            )


def _once(seen: dict[str, Report], report: Report, reader: Any) -> None:
    if report.name in seen:
        raise reader.fail(f"second {report.name} report (first at line {seen[report.name].line})", line=report.line)
    seen[report.name] = report


def _general(reports: list[Report], base: str, new: str, reader: Any) -> dict[str, Pair]:
    """General MMLU/MT-Bench reports name one model each: it is either the base or the new one."""
    sides: dict[tuple[str, str], Report] = {}
    for report in reports:
        name, _, line = report.models["MODEL"]
        side = "new" if same_model(name, new) else "base" if same_model(name, base) else None
        if side is None:
            raise reader.fail(
                f"{report.name} report for {name!r}, which is neither the base model {base!r} "
                f"nor the new model {new!r}",
                line=line,
            )
        if (report.name, side) in sides:
            raise reader.fail(f"second {report.name} report for the {side} model", line=report.line)
        sides[(report.name, side)] = report
    out: dict[str, Pair] = {}
    for name, key in (("MMLU", "mmlu"), ("MT-Bench", "mt_bench")):
        after, before = sides.get((name, "new")), sides.get((name, "base"))
        if before is not None and after is None:
            raise reader.fail(f"{name} report for the base model but none for the new model", line=before.line)
        if after is not None:
            out.update(_general_pairs(key, before, after))
    return out


def _general_pairs(key: str, before: Report | None, after: Report) -> dict[str, Pair]:
    def score(r: Report | None) -> float | None:
        return None if r is None else r.models["MODEL"][1]

    out = {key: Pair(score(before), after.models["MODEL"][1])}
    if key == "mt_bench":
        for section, name in (("TURN ONE", "turn_one"), ("TURN TWO", "turn_two")):
            if section in after.values:
                out[f"mt_bench_{name}"] = Pair(before.values.get(section) if before else None, after.values[section])
        # ilab prints ERROR RATE only when it is above zero
        out["mt_bench_error_rate"] = Pair(
            before.values.get("ERROR RATE", 0.0) if before else None, after.values.get("ERROR RATE", 0.0)
        )
    return out


def _rows(report: Report | None, name: str, reader: Any) -> dict[str, Pair]:
    if report is None:
        return {}
    pattern = _patterns()[name]
    for task, (_, line) in report.rows.items():
        if not pattern.fullmatch(task):
            what = "a qna.yaml path" if name == "MT-Bench-Branch" else "a task name"
            raise reader.fail(f"{task!r} is not {what}", line=line)
    return {task: pair for task, (pair, _) in report.rows.items()}
