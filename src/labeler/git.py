"""Read what the report needs from a local git repository, via the `git` command line.

Only plain values leave this module (`Commit` records, sha -> patch-id maps), so everything
downstream is testable without a repository.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from labeler.errors import UserError, setting

GIT_TIMEOUT = 600.0
# One field per NUL; with -z git also ends each commit with a NUL. Messages cannot hold a NUL.
_LOG_FORMAT = "%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%B"
_FIELDS = 7


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    date: str  # ISO 8601 author date
    message: str
    commit_date: str = ""  # ISO 8601 committer date: when it landed

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def body(self) -> str:
        parts = self.message.split("\n", 1)
        return parts[1].strip("\n") if len(parts) > 1 else ""

    @property
    def author(self) -> str:
        return f"{self.author_name} <{self.author_email}>"

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def git(repo: str, *args: str, stdin: bytes | None = None) -> str:
    """Run git in `repo`; a failure becomes a UserError quoting git's own message."""
    try:
        done = subprocess.run(
            ["git", "-C", repo, *args], input=stdin, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise UserError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise UserError(f"git {args[0]} took longer than {GIT_TIMEOUT:.0f} s in {repo}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(f"git {' '.join(args[:3])} failed in {repo}: {message[-1] if message else done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def check_repo(repo: str) -> None:
    if not os.path.isdir(repo):
        raise UserError(f"{setting('--git-dir', 'repo-path')} {repo!r} is not a directory")
    try:
        git(repo, "rev-parse", "--git-dir")
    except UserError:
        raise UserError(f"{setting('--git-dir', 'repo-path')} {repo!r} is not a git repository") from None


def resolve(repo: str, ref: str, what: str) -> str:
    """The full sha of `ref`, or a UserError naming the option that gave it."""
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
    except UserError:
        raise UserError(f"{what} {ref!r} is not a commit in {repo}") from None


def default_since(repo: str, until: str) -> str:
    """The newest `*-dev0` tag reachable from `until` (patchbot's review start)."""
    try:
        return git(repo, "describe", "--tags", "--abbrev=0", "--match", "*-dev0", until).strip()
    except UserError:
        raise UserError(
            f"no *-dev0 tag is reachable from {until} (HAProxy's convention): set "
            f"{setting('--since REF', 'since', 'BACKPORT_SINCE')} to any tag or commit"
        ) from None


def parse_log(raw: str) -> list[Commit]:
    fields = raw.split("\0")
    commits = []
    for i in range(0, len(fields) - _FIELDS + 1, _FIELDS):
        sha, parents, name, email, date, committed, message = fields[i : i + _FIELDS]
        commits.append(
            Commit(
                sha=sha.strip(),
                parents=tuple(parents.split()),
                author_name=name,
                author_email=email,
                date=date,
                message=message.rstrip("\n"),
                commit_date=committed,
            )
        )
    return commits


def log(repo: str, revision_range: str, *, reverse: bool = True) -> list[Commit]:
    """Commits in `revision_range` (oldest first by default), merges included."""
    args = ["log", "-z", "--topo-order", f"--format={_LOG_FORMAT}", "--no-color"]
    return parse_log(git(repo, *args, *(["--reverse"] if reverse else []), revision_range, "--"))


def patch_ids(repo: str, revision_range: str) -> dict[str, str]:
    """commit sha -> `git patch-id --stable` for the non-merge commits of the range."""
    diff = subprocess.run(
        [
            "git",
            "-C",
            repo,
            "log",
            "-p",
            "--no-merges",
            "--no-color",
            "--no-ext-diff",
            "--format=commit %H",
            revision_range,
            "--",
        ],
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    if diff.returncode != 0:
        raise UserError(f"git log -p {revision_range} failed: {diff.stderr.decode('utf-8', 'replace').strip()}")
    out = git(repo, "patch-id", "--stable", stdin=diff.stdout)
    ids: dict[str, str] = {}
    for line in out.splitlines():
        patch_id, _, sha = line.partition(" ")
        if sha:
            ids[sha.strip()] = patch_id
    return ids


_VERSION = re.compile(r"(\d+)\.(\d+)")


def version_of(ref: str) -> str | None:
    """`v3.0-dev0` -> `3.0`, `origin/2.8` -> `2.8`, `stable-2.6.x` -> `2.6`; None without one."""
    match = _VERSION.search(ref)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def touched_files(repo: str, revision_range: str) -> dict[str, tuple[str, ...]]:
    """commit sha -> the paths it touched (renames as delete + add), for the non-merge commits."""
    raw = git(repo, "log", "--no-merges", "--no-renames", "--name-only", "-z", "--format=%x01%H", revision_range, "--")
    files: dict[str, tuple[str, ...]] = {}
    for chunk in raw.split("\x01")[1:]:
        sha, _, paths = chunk.partition("\0")
        files[sha.strip()] = tuple(p for p in paths.lstrip("\n").split("\0") if p)
    return files


def tree_paths(repo: str, ref: str) -> frozenset[str]:
    """Every path of `ref`'s tree."""
    return frozenset(p for p in git(repo, "ls-tree", "-r", "--name-only", "--full-tree", "-z", ref).split("\0") if p)


def resolve_ids(repo: str, abbrevs: list[str]) -> dict[str, str]:
    """Abbreviated ids that name a commit of the repository -> its full sha (one git call)."""
    if not abbrevs:
        return {}
    out = git(repo, "cat-file", "--batch-check", stdin="".join(f"{a}^{{commit}}\n" for a in abbrevs).encode())
    found = {}
    for abbrev, line in zip(abbrevs, out.splitlines(), strict=False):
        sha, _, kind = line.partition(" ")
        if kind.startswith("commit") and re.fullmatch(r"[0-9a-f]{40}", sha):
            found[abbrev] = sha
    return found


def remote_url(repo: str) -> str | None:
    """The fetch URL of `origin`, else of the first remote; None without one."""
    remotes = git(repo, "remote").split()
    if not remotes:
        return None
    name = "origin" if "origin" in remotes else remotes[0]
    return git(repo, "remote", "get-url", name).strip() or None


def is_ancestor(repo: str, sha: str, ref: str) -> bool:
    done = subprocess.run(
        ["git", "-C", repo, "merge-base", "--is-ancestor", sha, ref],
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    return done.returncode == 0


# ---------------------------------------------------------------------------- scratch cherry-picks
_SCRATCH_ID = {
    "GIT_AUTHOR_NAME": "labeler",
    "GIT_AUTHOR_EMAIL": "labeler@localhost",
    "GIT_COMMITTER_NAME": "labeler",
    "GIT_COMMITTER_EMAIL": "labeler@localhost",
}


@contextmanager
def scratch_objects(repo: str) -> Iterator[dict[str, str]]:
    """An environment whose new git objects go to a temporary directory (the repository's own are
    read through it), deleted afterwards: scratch merges leave nothing in the repository."""
    objects = git(repo, "rev-parse", "--path-format=absolute", "--git-path", "objects").strip()
    with tempfile.TemporaryDirectory(prefix="labeler-objects-") as tmp:
        yield {**os.environ, **_SCRATCH_ID, "GIT_OBJECT_DIRECTORY": tmp, "GIT_ALTERNATE_OBJECT_DIRECTORIES": objects}


def _scratch(repo: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", repo, *args], capture_output=True, text=True, env=env, timeout=GIT_TIMEOUT, check=False
    )


def pick_onto(repo: str, env: dict[str, str], tree: str, commit: str, parent: str) -> tuple[str | None, list[str]]:
    """Cherry-pick `commit` (child of `parent`) onto `tree` without a work tree: a 3-way merge whose
    base is `parent` (git merge-tree --write-tree against a scratch commit of `tree` on `parent`).
    Returns (the new tree, []) when it applies clean, (None, conflicted paths) when it does not."""
    ours = _scratch(repo, env, "commit-tree", tree, "-p", parent, "-m", "scratch")
    if ours.returncode != 0:
        raise UserError(f"git commit-tree failed in {repo}: {ours.stderr.strip()[-300:]}")
    done = _scratch(
        repo, env, "merge-tree", "--write-tree", "--name-only", "--no-messages", ours.stdout.strip(), commit
    )
    lines = done.stdout.splitlines()
    if done.returncode == 0 and lines:
        return lines[0], []
    if done.returncode == 1 and lines:
        return None, [line for line in lines[1:] if line]
    raise UserError(f"git merge-tree failed in {repo}: {done.stderr.strip()[-300:]}")
