"""Which pull requests a build's results concern, read through labeler.gh (no REST call here).

Finding PRs from the results (`--from-results`), cheaply: the cost follows the build's size, not the
repository's history. For each qna.yaml path in the results, list the default branch's commits that
touched it, then ask which merged PRs brought each commit (cached per SHA). MMLU-Branch rows carry a
task name, not a path; the names are matched against the knowledge qna.yaml files of one recursive
tree listing. About 1 + 2 requests per leaf in the build.
"""

from __future__ import annotations

from labeler.gh import GitHub, pulls
from labeler.publish_benchmarks.report import is_qna


def qna_files(gh: GitHub, number: int) -> list[str]:
    """The PR's changed qna.yaml files that exist after it (a removed file trained nothing)."""
    return [
        f["filename"]
        for f in pulls.changed_files(gh, number)
        if f.get("status") != "removed" and is_qna(str(f.get("filename", "")))
    ]


def from_results(gh: GitHub, paths: list[str], ref: str, since: str | None) -> dict[int, list[str]]:
    """Merged PRs whose commits touched these qna.yaml paths -> the paths each touched."""
    found: dict[int, set[str]] = {}
    pulls_of: dict[str, list[int]] = {}
    for path in paths:
        for sha in pulls.commits_touching(gh, path, ref, since):
            if sha not in pulls_of:
                pulls_of[sha] = pulls.merged_pulls_of(gh, sha)
            for number in pulls_of[sha]:
                found.setdefault(number, set()).add(path)
    return {n: sorted(p) for n, p in sorted(found.items())}
