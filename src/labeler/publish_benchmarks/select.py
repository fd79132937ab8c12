"""publish-benchmarks inputs: which pull requests (explicit numbers, a --pr-files map, a label, a
milestone, or discovery from the results: labeler.publish_benchmarks.prs says what that costs), the
repository_dispatch payload, and the settings (labels.yml section + flags)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labeler import runner
from labeler.errors import UserError, setting
from labeler.gh import GitHub, pulls
from labeler.publish_benchmarks import report
from labeler.publish_benchmarks.report import Settings
from labeler.publish_benchmarks.results import Results


@dataclass(frozen=True)
class Target:
    number: int
    files: tuple[str, ...] | None = None  # qna.yaml files when known (--pr-files); else listed via the API


def choose_prs() -> str:
    """The error when no pull request was chosen, naming the flags (terminal) or the action inputs (Actions)."""
    names = [
        setting("--prs", "prs"),
        setting("--pr-files", "pr-files"),
        setting("--label", "label"),
        setting("--milestone", "milestone"),
        setting("--from-results", "from-results"),
    ]
    return f"choose the pull requests: {', '.join(names[:-1])} or {names[-1]}"


def parse_prs(text: str | None) -> list[int]:
    """`12,15`, `#12 #15`, `20-24` (ranges up to 1000) -> sorted unique PR numbers."""
    numbers: set[int] = set()
    for token in (text or "").replace(",", " ").split():
        token = token.lstrip("#")
        lo, sep, hi = token.partition("-")
        if not lo.isdigit() or (sep and not hi.lstrip("#").isdigit()) or int(lo) < 1:
            raise UserError(f"{setting('--prs', 'prs')}: {token!r} is not a PR number or a range like 20-24")
        first, last = int(lo), int(hi.lstrip("#")) if sep else int(lo)
        if last < first or last - first >= 1000:
            raise UserError(f"{setting('--prs', 'prs')}: range {token!r} must go upwards and span at most 1000 numbers")
        numbers.update(range(first, last + 1))
    return sorted(numbers)


def load_pr_files(path: str) -> dict[int, tuple[str, ...]]:
    """--pr-files: a JSON/YAML mapping PR number -> changed file paths (so no API call lists them)."""
    from labeler import yamlfile
    from labeler.publish_benchmarks.read import read_text

    data = yamlfile.load(read_text(path), path)[0]
    if not isinstance(data, dict) or not data:
        raise UserError("must map PR numbers to lists of changed file paths", file=path)
    out: dict[int, tuple[str, ...]] = {}
    for key, files in data.items():
        if not str(key).isdigit() or int(key) < 1:
            raise UserError(f"{key!r} is not a PR number", file=path)
        if not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
            raise UserError(f"{key}: expected a list of file paths", file=path)
        out[int(key)] = tuple(f for f in files if report.is_qna(f))
    return out


def check_since(since: str | None) -> str | None:
    """An ISO 8601 date or time for GitHub's `since=`; a bad one would be a 422 halfway through."""
    if not since:
        return None
    from datetime import datetime

    try:
        datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(
            f"{setting('--since', 'since')} {since!r} is not an ISO 8601 date or time "
            "(2024-08-26 or 2024-08-26T00:00:00Z)"
        ) from None
    return since


def select(
    gh: GitHub | None,
    results: Results,
    *,
    prs: list[int],
    label: str | None,
    milestone: str | None,
    discover: bool,
    since: str | None,
    pr_files: dict[int, tuple[str, ...]] | None,
) -> list[Target]:
    numbers = set(prs) or (set(pr_files or {}) if not (label or milestone or discover) else set())
    if (label or milestone or discover) and gh is None:
        raise UserError(
            f"{setting('--label', 'label')}, {setting('--milestone', 'milestone')} and "
            f"{setting('--from-results', 'from-results')} read GitHub: set GITHUB_TOKEN"
        )
    if label and gh:
        numbers.update(pulls.with_label(gh, label))
    if milestone and gh:
        numbers.update(pulls.in_milestone(gh, milestone))
    if discover and gh:
        numbers.update(_discover(gh, results, check_since(since)))
    if not numbers and not (label or milestone or discover):
        raise UserError(choose_prs())
    return [Target(n, (pr_files or {}).get(n)) for n in sorted(numbers)]


def _discover(gh: GitHub, results: Results, since: str | None) -> list[int]:
    from labeler.publish_benchmarks import prs

    ref = pulls.default_branch(gh)
    tree, truncated = pulls.tree_paths(gh, ref) if results.mmlu_branch else ([], False)
    if truncated:
        runner.warning("the repository tree listing was truncated: some MMLU-Branch tasks may find no file")
    paths, orphans = report.result_paths(results, tree)
    for task in orphans:
        runner.warning(f"MMLU-Branch task {task} matches no knowledge qna.yaml on {ref}")
    return list(prs.from_results(gh, paths, ref, since))


EVENT_KEYS: dict[str, type | tuple[type, ...]] = {
    "results": dict,
    "build_id": str,
    "build_url": str,
    "prs": (str, list),
    "label": str,
    "milestone": (str, int),
    "from_results": bool,
    "since": str,
    "dry_run": bool,
}


def from_event(payload: dict[str, Any]) -> dict[str, Any]:
    """repository_dispatch `client_payload`: the results inline plus the same choices as the flags."""
    data = payload.get("client_payload")
    if not isinstance(data, dict):
        raise UserError("the event has no client_payload object (repository_dispatch)")
    for key, value in data.items():
        kind = EVENT_KEYS.get(key)
        if kind is None:
            raise UserError(f"client_payload.{key}: unknown field (known: {', '.join(EVENT_KEYS)})")
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise UserError(f"client_payload.{key}: wrong type {type(value).__name__}")
    if "results" not in data:
        raise UserError("client_payload.results: the results object is required")
    if isinstance(data.get("prs"), list):
        data = {**data, "prs": " ".join(str(n) for n in data["prs"])}
    return data


@dataclass(frozen=True)
class Section:
    """The publish-benchmarks section of labels.yml; defaults in schemas/publish_benchmarks.schema.json."""

    noise: dict[str, float]
    chart: bool
    max_writes: int


def settings_from(
    config_path: str | None, noise: tuple[str, ...], chart: bool | None, max_writes: int | None = None
) -> tuple[Settings, int]:
    """Flags and env vars win over the section (when there is a labels.yml), which wins over the schema's defaults."""
    from labeler import config as config_mod

    cfg = config_mod.load_optional(config_path)
    section = config_mod.section_settings(cfg, report.NAME, Section, {"chart": chart, "max_writes": max_writes})
    return Settings(noise={**section.noise, **_noise_flags(noise)}, chart=section.chart), section.max_writes


def _noise_flags(noise: tuple[str, ...]) -> dict[str, float]:
    levels: dict[str, float] = {}
    for item in noise:
        for pair in item.replace(",", " ").split():
            key, _, value = pair.partition("=")
            if key not in report.DEFAULT_NOISE:
                raise UserError(f"--noise {pair!r}: key must be one of {', '.join(report.DEFAULT_NOISE)}")
            try:
                levels[key] = abs(float(value))
            except ValueError:
                raise UserError(f"--noise {pair!r}: {value!r} is not a number") from None
    return levels
