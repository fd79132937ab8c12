"""The text reports `ilab model evaluate` prints, converted to `Results`.

One file may hold several reports (a pipeline log: mmlu, mmlu_branch, mt_bench, mt_bench_branch);
text between reports is ignored. Shapes (instructlab/instructlab src/instructlab/model/evaluate.py):

    # KNOWLEDGE EVALUATION REPORT | # SKILL EVALUATION REPORT
    ## BASE MODEL (SCORE)          <- only in branch reports
    /models/granite-7b-lab (0.51/1.0)
    ## MODEL (SCORE)
    /models/candidate (0.53/1.0)
    ### IMPROVEMENTS (0.0 to 1.0):   1. task: 0.4 -> 0.6 (+0.2)     (REGRESSIONS alike)
    ### NO CHANGE (0.0 to 1.0):      1. task (0.5)
    ### NEW (0.0 to 10.0):           1. path/qna.yaml (6.0)          <- MT-Bench-Branch only
    ### TURN ONE / TURN TWO (0.0 to 10.0):  one number; ### ERROR RATE: one number (printed if > 0)
    ### SCORES (0.0 to 1.0):         mmlu_subject - 0.5              <- general MMLU, ignored

A numbered line inside a section must parse (an error names the line); a blank or unnumbered line
ends the section, so log lines interleaved with the reports are skipped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from labeler.errors import UserError
from labeler.publish_benchmarks.results import Pair

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
HEADER = re.compile(r"#\s+(SKILL|KNOWLEDGE) EVALUATION REPORT\s*")
MODEL_HEADER = re.compile(r"##\s+(BASE MODEL|MODEL) \(SCORE\)\s*")
MODEL_LINE = re.compile(rf"(?P<name>.+?) \((?P<score>{_NUM})/(?P<max>{_NUM})\)\s*")
SECTION = re.compile(r"###\s+(IMPROVEMENTS|REGRESSIONS|NO CHANGE|NEW|TURN ONE|TURN TWO|ERROR RATE|SCORES)\b.*")
CHANGED = re.compile(rf"\d+\.\s+(?P<task>.+?):\s+(?P<base>{_NUM})\s+->\s+(?P<new>{_NUM})\s+\((?P<delta>{_NUM})\)\s*")
SINGLE = re.compile(rf"\d+\.\s+(?P<task>.+?)\s+\((?P<score>{_NUM})\)\s*")
VALUE = re.compile(rf"\s*(?P<value>{_NUM})\s*")
ROW = re.compile(r"\d+\.\s")
SUBJECT = re.compile(rf"\S.*\s-\s(?:{_NUM}|nan)\s*")
DELTA_SLACK = 0.021  # base, new and delta are each rounded to 2 places


@dataclass
class Report:
    kind: str  # "SKILL" | "KNOWLEDGE"
    line: int
    models: dict[str, tuple[str, float, int]] = field(default_factory=dict)  # "BASE MODEL"/"MODEL" -> name, score, line
    rows: dict[str, tuple[Pair, int]] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)  # TURN ONE, TURN TWO, ERROR RATE

    @property
    def branch(self) -> bool:
        return "BASE MODEL" in self.models

    @property
    def name(self) -> str:
        return {
            ("SKILL", True): "MT-Bench-Branch",
            ("SKILL", False): "MT-Bench",
            ("KNOWLEDGE", True): "MMLU-Branch",
            ("KNOWLEDGE", False): "MMLU",
        }[(self.kind, self.branch)]

    @property
    def top(self) -> float:
        return 10.0 if self.kind == "SKILL" else 1.0


class Reader:
    """Walks the lines once; `fail()` raises a UserError pointing at the current line."""

    def __init__(self, text: str, path: str) -> None:
        self.lines = text.splitlines()
        self.path = path
        self.no = 0
        self.reports: list[Report] = []
        self.section: str | None = None

    def fail(self, message: str, line: int | None = None) -> UserError:
        return UserError(message, file=self.path, line=line or self.no)

    def run(self) -> list[Report]:
        for no, raw in enumerate(self.lines, 1):
            self.no = no
            self.step(raw.rstrip())
        if not self.reports:
            raise self.fail("no `# SKILL EVALUATION REPORT` or `# KNOWLEDGE EVALUATION REPORT` found", line=1)
        return self.reports

    def step(self, line: str) -> None:
        if HEADER.fullmatch(line):
            self.reports.append(Report(kind=HEADER.fullmatch(line).group(1), line=self.no))  # type: ignore[union-attr]
            self.section = None
        elif not self.reports:
            return  # log lines before the first report
        elif m := MODEL_HEADER.fullmatch(line) or SECTION.fullmatch(line):
            self.section = m.group(1)
        elif not line.strip():
            self.section = None
        elif self.section is not None:
            self.row(line.strip())

    def row(self, line: str) -> None:
        """Rows are numbered; an unnumbered line ends a row section (logs often follow without a blank)."""
        report, section = self.reports[-1], self.section
        if section in ("BASE MODEL", "MODEL"):
            self.model(report, section, line)
            self.section = None
        elif section in ("TURN ONE", "TURN TWO", "ERROR RATE"):
            self.value(report, section, line)
            self.section = None
        elif section == "SCORES" or not ROW.match(line):
            self.section = section if section == "SCORES" and SUBJECT.fullmatch(line) else None
        elif section in ("IMPROVEMENTS", "REGRESSIONS"):
            self.changed(report, section, line)
        elif section is not None:
            self.single(report, section, line)

    def model(self, report: Report, section: str, line: str) -> None:
        m = MODEL_LINE.fullmatch(line)
        if not m:
            raise self.fail(f"expected `model-name (score/{report.top})` under ## {section} (SCORE), got {line!r}")
        if section in report.models:
            raise self.fail(f"second ## {section} (SCORE) in one report")
        report.models[section] = (m["name"].strip(), self.score(report, m["score"], "score"), self.no)

    def changed(self, report: Report, section: str, line: str) -> None:
        m = CHANGED.fullmatch(line)
        if not m:
            raise self.fail(f"expected `N. task: base -> new (delta)` under ### {section}, got {line!r}")
        base, new = self.score(report, m["base"], "base score"), self.score(report, m["new"], "new score")
        if abs((new - base) - float(m["delta"])) > DELTA_SLACK:
            raise self.fail(f"delta {m['delta']} does not match {m['base']} -> {m['new']}")
        if (new < base) if section == "IMPROVEMENTS" else (new > base):
            raise self.fail(f"{m['base']} -> {m['new']} is listed under {section}")
        self.add(report, m["task"], Pair(base, new))

    def single(self, report: Report, section: str, line: str) -> None:
        m = SINGLE.fullmatch(line)
        if not m:
            raise self.fail(f"expected `N. task (score)` under ### {section}, got {line!r}")
        score = self.score(report, m["score"], "score")
        self.add(report, m["task"], Pair(None if section == "NEW" else score, score))

    def value(self, report: Report, section: str, line: str) -> None:
        m = VALUE.fullmatch(line)
        if not m:
            raise self.fail(f"expected one number under ### {section}, got {line!r}")
        if section in report.values:
            raise self.fail(f"### {section} has more than one value")
        top = 1.0 if section == "ERROR RATE" else report.top
        report.values[section] = self.bounded(float(m["value"]), top, section.lower())

    def score(self, report: Report, text: str, what: str) -> float:
        return self.bounded(float(text), report.top, what)

    def bounded(self, value: float, top: float, what: str) -> float:
        if not 0 <= value <= top:
            raise self.fail(f"{what} {value} is outside 0 to {top}")
        return value

    def add(self, report: Report, task: str, pair: Pair) -> None:
        task = task.strip()
        if task in report.rows:
            raise self.fail(
                f"{task!r} appears twice in the {report.name} report (first at line {report.rows[task][1]})"
            )
        report.rows[task] = (pair, self.no)


def same_model(a: str, b: str) -> bool:
    """ilab prints models as given: a path on one line, the same path or its basename on another."""
    return a == b or os.path.basename(os.path.normpath(a)) == os.path.basename(os.path.normpath(b))
