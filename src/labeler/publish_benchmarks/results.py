"""Benchmark results of one model build, from a JSON/YAML file or an `ilab model evaluate` text report.

Both inputs become the same `Results`; every problem is a UserError naming the file, the line and the
field. Scores: MMLU and MMLU-Branch 0-1, MT-Bench and MT-Bench-Branch 0-10, MT-Bench error rate 0-1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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
    general: dict[str, Pair] = field(default_factory=dict)  # keys from GENERAL
    mmlu_branch: dict[str, Pair] = field(default_factory=dict)  # task name -> scores
    mt_bench_branch: dict[str, Pair] = field(default_factory=dict)  # qna.yaml path -> scores
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of benchmark_results.schema.json (a converted text report, normalised)."""
        build: dict[str, Any] = {"id": self.build_id}
        if self.build_url:
            build["url"] = self.build_url
        if self.links:
            build["links"] = [{"title": lk.title, "url": lk.url} for lk in self.links]
        out: dict[str, Any] = {"version": 1, "build": build, "models": {"base": self.base_model, "new": self.new_model}}
        if "mmlu" in self.general:
            out["mmlu"] = self.general["mmlu"].as_dict()
        if "mt_bench" in self.general:
            out["mt_bench"] = {
                **self.general["mt_bench"].as_dict(),
                **{
                    k: self.general[f"mt_bench_{k}"].as_dict()
                    for k in ("turn_one", "turn_two", "error_rate")
                    if f"mt_bench_{k}" in self.general
                },
            }
        out["mmlu_branch"] = {k: v.as_dict() for k, v in sorted(self.mmlu_branch.items())}
        out["mt_bench_branch"] = {k: v.as_dict() for k, v in sorted(self.mt_bench_branch.items())}
        return out
