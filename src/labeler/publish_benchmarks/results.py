"""Benchmark results of one model build, from a JSON/YAML file or an `ilab model evaluate` text report.

Both inputs become the same `Results`; every problem is a UserError naming the file, the line and the
field. Scores: MMLU and MMLU-Branch 0-1, MT-Bench and MT-Bench-Branch 0-10, MT-Bench error rate 0-1.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from labeler.errors import UserError

STRUCTURED = (".json", ".yaml", ".yml")
MAX_BYTES = 20 * 1024 * 1024
BUILD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/+=-]{0,99}")  # as in the schema; safe in a marker
URL = re.compile(r"https?://[^\s<>\"]+")
GENERAL = ("mmlu", "mt_bench", "mt_bench_turn_one", "mt_bench_turn_two", "mt_bench_error_rate")


@dataclass(frozen=True)
class Pair:
    """Before (base model; None when it had no score) and after (new model)."""

    base: float | None
    new: float

    @property
    def delta(self) -> float | None:
        return None if self.base is None else round(self.new - self.base, 6)

    def as_dict(self) -> dict[str, float | None]:
        return {"base": self.base, "new": self.new}


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Results:
    build_id: str
    base_model: str
    new_model: str
    build_url: str | None = None
    links: tuple[Link, ...] = ()
    general: dict[str, Pair] = field(default_factory=dict)       # keys from GENERAL
    mmlu_branch: dict[str, Pair] = field(default_factory=dict)   # task name -> scores
    mt_bench_branch: dict[str, Pair] = field(default_factory=dict)  # qna.yaml path -> scores
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of benchmark_results.schema.json (a converted text report, normalised)."""
        build: dict[str, Any] = {"id": self.build_id}
        if self.build_url:
            build["url"] = self.build_url
        if self.links:
            build["links"] = [{"title": lk.title, "url": lk.url} for lk in self.links]
        out: dict[str, Any] = {"version": 1, "build": build,
                               "models": {"base": self.base_model, "new": self.new_model}}
        if "mmlu" in self.general:
            out["mmlu"] = self.general["mmlu"].as_dict()
        if "mt_bench" in self.general:
            out["mt_bench"] = {**self.general["mt_bench"].as_dict(), **{
                k: self.general[f"mt_bench_{k}"].as_dict()
                for k in ("turn_one", "turn_two", "error_rate") if f"mt_bench_{k}" in self.general}}
        out["mmlu_branch"] = {k: v.as_dict() for k, v in sorted(self.mmlu_branch.items())}
        out["mt_bench_branch"] = {k: v.as_dict() for k, v in sorted(self.mt_bench_branch.items())}
        return out


def load(path: str, *, build_id: str | None = None, build_url: str | None = None) -> Results:
    """Read a results file: `.json`, `.yaml`/`.yml`, or an ilab text report (any other name).

    `build_id`/`build_url` override the file's (a text report has none, so it needs `build_id`).
    """
    text = read_text(path)
    return parse(text, path, build_id=build_id, build_url=build_url)


def check_overrides(build_id: str | None, build_url: str | None) -> None:
    if build_id is not None and not BUILD_ID.fullmatch(build_id):
        raise UserError(f"--build-id {build_id!r}: use 1-100 letters, digits and _ . : / + = - (starting alphanumeric)")
    if build_url is not None and (not URL.fullmatch(build_url) or len(build_url) > 2000):
        raise UserError(f"--build-url {build_url!r} is not an http(s) URL")


def read_text(path: str) -> str:
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise UserError(f"results file is larger than {MAX_BYTES // (1024 * 1024)} MiB", file=path)
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise UserError("results file not found", file=path) from None
    except IsADirectoryError:
        raise UserError("results path is a directory, not a file", file=path) from None
    except UnicodeDecodeError as e:
        raise UserError(f"results file is not UTF-8 text (byte {e.start})", file=path) from None
    except OSError as e:
        raise UserError(f"cannot read the results file: {e.strerror}", file=path) from None


def parse(text: str, path: str = "results", *, build_id: str | None = None,
          build_url: str | None = None) -> Results:
    from labeler.publish_benchmarks import ilab_text
    from labeler.publish_benchmarks import structured

    check_overrides(build_id, build_url)
    if looks_like_ilab_report(text, path):
        return ilab_text.parse(text, path, build_id=build_id, build_url=build_url)
    if path.lower().endswith(STRUCTURED) or text.lstrip().startswith("{"):
        return structured.parse(text, path, build_id=build_id, build_url=build_url)
    try:
        return structured.parse(text, path, build_id=build_id, build_url=build_url)
    except UserError as e:
        if not e.message.startswith(("results must be a mapping", "not valid YAML")):
            raise
        raise UserError("neither a JSON/YAML results mapping nor an `ilab model evaluate` text report (no "
                        "`# SKILL EVALUATION REPORT` or `# KNOWLEDGE EVALUATION REPORT` line)", file=path, line=1) from None


def looks_like_ilab_report(text: str, path: str) -> bool:
    if path.lower().endswith(STRUCTURED):
        return False
    return any(line.strip().startswith("# ") and "EVALUATION REPORT" in line.upper()
               for line in text.splitlines())
