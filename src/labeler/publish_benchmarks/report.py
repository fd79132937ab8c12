"""Pure decisions for publish-benchmarks: a PR's rows from its changed files, the comment, the summary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote

from labeler import md
from labeler.config import default
from labeler.publish_benchmarks.results import Pair, Results

NAME = "publish-benchmarks"
DEFAULT_NOISE: dict[str, float] = default(NAME, "noise")
CHART_MAX_BARS = 12


class Metric(NamedTuple):
    label: str
    top: float
    noise_key: str
    lower_is_better: bool = False


GENERAL = {
    "mmlu": Metric("MMLU (general knowledge)", 1.0, "mmlu"),
    "mt_bench": Metric("MT-Bench (general skills)", 10.0, "mt-bench"),
    "mt_bench_turn_one": Metric("MT-Bench turn one", 10.0, "mt-bench"),
    "mt_bench_turn_two": Metric("MT-Bench turn two", 10.0, "mt-bench"),
    "mt_bench_error_rate": Metric("MT-Bench error rate", 1.0, "mt-bench-error-rate", lower_is_better=True),
}
BRANCH = {
    "MMLU-Branch": Metric("MMLU-Branch", 1.0, "mmlu-branch"),
    "MT-Bench-Branch": Metric("MT-Bench-Branch", 10.0, "mt-bench-branch"),
}


@dataclass(frozen=True)
class Settings:
    """The publish-benchmarks section of labels.yml; defaults in schemas/publish_benchmarks.schema.json."""

    noise: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_NOISE))
    chart: bool = default(NAME, "chart")


@dataclass(frozen=True)
class Row:
    file: str  # the qna.yaml path the PR changed
    benchmark: str | None = None  # "MMLU-Branch" | "MT-Bench-Branch"; None: the build has no data for it
    key: str | None = None  # task name or qna.yaml path in the results
    pair: Pair | None = None


def is_qna(path: str) -> bool:
    return path == "qna.yaml" or path.endswith("/qna.yaml")


def task_name(qna_path: str) -> str | None:
    """knowledge/history/public_transportation/boston/qna.yaml -> knowledge_history_public_transportation_boston"""
    parts = qna_path.split("/")[:-1]
    return "_".join(parts) if parts and parts[0] == "knowledge" else None


def rows_for_files(files: list[str] | tuple[str, ...], results: Results) -> tuple[Row, ...]:
    """Each changed qna.yaml: its MT-Bench-Branch row by path, its MMLU-Branch row by task name, or none."""
    rows: list[Row] = []
    for path in sorted(set(files)):
        found = []
        if path in results.mt_bench_branch:
            found.append(Row(path, "MT-Bench-Branch", path, results.mt_bench_branch[path]))
        task = task_name(path)
        if task is not None and task in results.mmlu_branch:
            found.append(Row(path, "MMLU-Branch", task, results.mmlu_branch[task]))
        rows.extend(found or [Row(path)])
    return tuple(rows)


def result_paths(results: Results, tree: list[str] | None) -> tuple[list[str], list[str]]:
    """qna.yaml paths the results speak of, and MMLU-Branch tasks no file in `tree` maps to."""
    paths = set(results.mt_bench_branch)
    by_task = {task_name(p): p for p in tree or [] if is_qna(p) and task_name(p)}
    paths.update(by_task[t] for t in results.mmlu_branch if t in by_task)
    return sorted(paths), sorted(t for t in results.mmlu_branch if t not in by_task)


# ------------------------------------------------------------------------------ rendering
def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def change(pair: Pair, metric: Metric, settings: Settings) -> str:
    """🟢/🔴 for a change beyond the noise threshold, ⚪ within it; arrows show the direction."""
    if pair.delta is None:
        return "🆕 new (no base score)"
    delta = round(pair.delta, 2)
    if delta == 0:
        return "⚪ = no change"
    arrow = "▲" if delta > 0 else "▼"
    if abs(delta) <= settings.noise.get(metric.noise_key, 0.0):
        return f"⚪ {arrow} {delta:+.2f} (within noise)"
    better = (delta < 0) if metric.lower_is_better else (delta > 0)
    return f"{'🟢' if better else '🔴'} {arrow} {delta:+.2f}"


def cell_code(text: str) -> str:
    """An inline code span safe inside a table cell (a pipe would split the cell)."""
    return md.code(md.cut(text, 200)).replace("|", "\\|")


def safe_url(url: str) -> str:
    """Percent-encode what could end a Markdown link early (parentheses, spaces, angle brackets)."""
    return quote(url, safe=":/?#[]@!$&*+,;=%~._-")


def link(title: str, url: str) -> str:
    return f"[{md.escape(title)}]({safe_url(url)})"


def header(results: Results) -> str:
    build = md.code(results.build_id)
    if results.build_url:
        build = f"[{build}]({safe_url(results.build_url)})"
    lines = [
        f"### Benchmark results of model build {build}",
        "",
        f"Base model {cell_code(results.base_model)} → new model {cell_code(results.new_model)}.",
    ]
    if results.links:
        lines.append(" · ".join(link(lk.title, lk.url) for lk in results.links))
    return "\n".join(lines)


def rows_table(rows: tuple[Row, ...], results: Results, settings: Settings) -> str:
    out = ["| File | Benchmark | Before | After | Change |", "| --- | --- | ---: | ---: | --- |"]
    for row in rows:
        if row.pair is None or row.benchmark is None:
            out.append(f"| {cell_code(row.file)} | – | – | – | no data for this file in this build |")
            continue
        metric = BRANCH[row.benchmark]
        scale = f"{row.benchmark} (0–{metric.top:g})"
        out.append(
            f"| {cell_code(row.file)} | {scale} | {fmt(row.pair.base)} | {fmt(row.pair.new)} | "
            f"{change(row.pair, metric, settings)} |"
        )
    return "\n".join(out)


def general_table(results: Results, settings: Settings) -> str:
    if not results.general:
        return "_The results hold no general scores._"
    out = ["| Benchmark | Before | After | Change |", "| --- | ---: | ---: | --- |"]
    for key, metric in GENERAL.items():
        if key in results.general:
            pair = results.general[key]
            note = " (lower is better)" if metric.lower_is_better else f" (0–{metric.top:g})"
            out.append(
                f"| {metric.label}{note} | {fmt(pair.base)} | {fmt(pair.new)} | {change(pair, metric, settings)} |"
            )
    return "\n".join(out)


def _chart_label(row: Row, used: set[str]) -> str:
    leaf = row.file.rsplit("/", 2)[-2] if row.file.count("/") else row.file
    label = re.sub(r"[^A-Za-z0-9_.-]", "_", leaf)[:24] or "leaf"
    base, n = label, 2
    while label in used:
        label, n = f"{base}-{n}", n + 1
    used.add(label)
    return label


def charts(rows: tuple[Row, ...]) -> str:
    """A Mermaid bar/line chart per benchmark with two or more before/after rows (one row needs no chart)."""
    out = []
    for name, metric in BRANCH.items():
        mine = [r for r in rows if r.benchmark == name and r.pair and r.pair.base is not None][:CHART_MAX_BARS]
        if len(mine) < 2:
            continue
        used: set[str] = set()
        labels = ", ".join(f'"{_chart_label(r, used)}"' for r in mine)
        after = ", ".join(fmt(r.pair.new) for r in mine if r.pair)
        before = ", ".join(fmt(r.pair.base) for r in mine if r.pair)
        out.append(
            "\n".join(
                [
                    "```mermaid",
                    "xychart-beta",
                    f'    title "{name}: after (bars) vs before (line)"',
                    f"    x-axis [{labels}]",
                    f'    y-axis "score" 0 --> {metric.top:g}',
                    f"    bar [{after}]",
                    f"    line [{before}]",
                    "```",
                ]
            )
        )
    return "\n\n".join(out)


def legend(results: Results, settings: Settings) -> str:
    noise = ", ".join(f"{k} ±{v:g}" for k, v in sorted(settings.noise.items()))
    return (
        f"<sub>🟢 better · 🔴 worse · ⚪ within run-to-run noise ({md.escape(noise)}) · "
        f"🆕 no base score. Re-running publish-benchmarks for build {cell_code(results.build_id)} "
        "edits this comment.</sub>"
    )


def render(rows: tuple[Row, ...], results: Results, settings: Settings) -> str:
    """The whole sticky comment for one PR; deterministic, so an unchanged re-run sends no PATCH."""
    parts = [
        md.marker(NAME, build=results.build_id),
        header(results),
        "#### This pull request's data",
        rows_table(rows, results, settings),
    ]
    chart = charts(rows) if settings.chart else ""
    if chart:
        parts.append(chart)
    parts += ["#### General scores (the whole build)", general_table(results, settings), legend(results, settings)]
    return md.fit_comment("\n\n".join(parts).replace(parts[0] + "\n\n", parts[0] + "\n", 1))
