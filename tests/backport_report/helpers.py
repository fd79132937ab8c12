"""Real git repositories for the backport-report tests (helpers, no tests of their own).

`build_repo(path)` makes a HAProxy-shaped history: a `2.8` stable branch forked at v2.8.0, a dev
branch from v2.9-dev0 with BUG/MINOR/DOC commits, a merge, and backports proven three ways:
`-x` trailers (full and abbreviated), a reworded cherry-pick found only by patch-id, and an
adapted fix found only by subject + author.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

XSS_SUBJECT = 'MINOR: cli: <img src=x onerror=alert(1)> "quoted" & @everyone'
AUTHOR = "Willy Dev <willy@haproxy.example>"
OTHER = "Amaury Dev <amaury@haproxy.example>"


def git(repo: Path, *args: str, date: str = "2023-06-01T10:00:00+00:00", author: str = AUTHOR) -> str:
    name, _, email = author.partition(" <")
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email.rstrip(">"),
        "GIT_COMMITTER_NAME": "Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(repo: Path, message: str, files: dict[str, str], *, day: int = 1, author: str = AUTHOR) -> str:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        git(repo, "add", name)
    date = f"2023-06-{day:02d}T10:00:00+00:00" if day <= 30 else f"2023-07-{day - 30:02d}T10:00:00+00:00"
    git(repo, "commit", "-q", "-m", message, date=date, author=author)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class Repo:
    path: Path
    sha: dict[str, str] = field(default_factory=dict)  # short name -> dev sha


def init(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "master")
    git(path, "config", "user.name", "Committer")
    git(path, "config", "user.email", "committer@example.org")
    return path


def build_repo(path: Path) -> Repo:
    repo = Repo(init(path))
    p = repo.path
    base = {
        f"src/{n}.c": f"/* {n} */\nint {n}(void)\n{{\n\treturn 0;\n}}\n" for n in ("foo", "bar", "baz", "qux", "doc")
    }
    commit(p, "[RELEASE] Released version 2.8.0", base)
    git(p, "tag", "v2.8.0")
    git(p, "branch", "2.8")
    commit(p, "[RELEASE] Released version 2.9-dev0", {"VERSION": "2.9-dev0\n"}, day=2)
    git(p, "tag", "v2.9-dev0")
    s = repo.sha
    s["fix"] = commit(
        p,
        "BUG/MINOR: foo: fix crash on empty input\n\nThe parser dereferenced a NULL pointer when the "
        "input was empty.\nThis must be backported as far as 2.6.\n\nSigned-off-by: Willy Dev "
        "<willy@haproxy.example>",
        {"src/foo.c": "/* foo */\nint foo(void)\n{\n\treturn 1;\n}\n"},
        day=3,
    )
    s["feature"] = commit(
        p,
        "MINOR: bar: add a new keyword",
        {"src/bar.c": "/* bar */\nint bar(void)\n{\n\treturn 2;\n}\n"},
        day=4,
        author=OTHER,
    )
    s["nobackport"] = commit(
        p,
        "BUG/MEDIUM: baz: fix a leak in the new keyword\n\nThis was introduced in 2.9-dev1, no backport needed.",
        {"src/baz.c": "/* baz */\nint baz(void)\n{\n\treturn 3;\n}\n"},
        day=5,
    )
    git(p, "tag", "v2.9-dev1")
    s["doc"] = commit(
        p,
        "DOC: config: fix a typo in the foo section\n\nIt may be backported to 2.8.",
        {"src/doc.c": "/* doc: fixed */\nint doc(void)\n{\n\treturn 0;\n}\n"},
        day=6,
    )
    s["adapted"] = commit(
        p,
        "BUG/MINOR: qux: fix the return value\n\nSee #1234 and commit " + s["fix"][:10] + ".",
        {"src/qux.c": "/* qux */\nint qux(void)\n{\n\treturn 4;\n}\n"},
        day=7,
    )
    git(p, "checkout", "-q", "-b", "side")
    s["side"] = commit(p, "MINOR: side: prepare the ground", {"src/side.c": "int side;\n"}, day=8)
    git(p, "checkout", "-q", "master")
    s["wait"] = commit(
        p,
        "BUG/MAJOR: mux: fix a rare race\n\nThis should be backported to 2.8, but wait a bit before backporting it.",
        {"src/mux.c": "int mux;\n"},
        day=9,
    )
    git(p, "merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side", date="2023-06-10T10:00:00+00:00")
    s["merge"] = git(p, "rev-parse", "HEAD")
    s["xss"] = commit(p, XSS_SUBJECT + "\n\nNo backport needed.", {"src/cli.c": "int cli;\n"}, day=11)
    s["abbrev"] = commit(
        p, "BUG/MINOR: cli: fix the help output\n\nMust be backported to 2.8.", {"src/help.c": "int help;\n"}, day=12
    )
    _backport(repo)
    return repo


def _backport(repo: Repo) -> None:
    p, s = repo.path, repo.sha
    git(p, "checkout", "-q", "2.8")
    git(p, "cherry-pick", "-x", s["fix"], date="2023-06-20T10:00:00+00:00")
    git(p, "cherry-pick", s["doc"], date="2023-06-21T10:00:00+00:00")
    git(
        p,
        "commit",
        "-q",
        "--amend",
        "-m",
        "DOC: config: fix a typo (reworded on the way)",
        date="2023-06-21T10:00:00+00:00",
    )  # no trailer, new subject: only the patch-id links it
    commit(
        p,
        "BUG/MINOR: qux: fix the return value",
        {"src/qux.c": "/* qux */\nint qux(void)\n{\n\treturn 5;\n}\n"},
        day=22,
    )  # adapted diff, no trailer: only subject + author link it
    git(p, "cherry-pick", s["abbrev"], date="2023-06-23T10:00:00+00:00")
    git(
        p,
        "commit",
        "-q",
        "--amend",
        "-m",
        "BUG/MINOR: cli: fix the help output\n\nMust be backported to 2.8.\n\n"
        f"(cherry picked from commit {s['abbrev'][:8]})",
        date="2023-06-23T10:00:00+00:00",
    )
    git(p, "checkout", "-q", "master")
