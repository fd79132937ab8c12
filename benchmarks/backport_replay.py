"""Shared pieces of the backport benchmarks: replay commit records into a real git repository,
and generate a synthetic HAProxy-like corpus when the real data is absent.

Records follow ../shared/data/backport/*.jsonl (seq, sha, subject, body, author, date,
commit_date, backported, backport_commits, range). Every dev commit is replayed in order with its
message, author and dates, rewriting the paths it touched (`files`) with placeholder content on top
of a root commit that holds the stable tree at the start of the cycle (`*.stable-tree.txt`), so git
facts (files absent from stable) are what they would be on the real repository. Commit ids quoted
in later messages are rewritten to the replayed ids so range-wide rules still resolve them.
Backported commits are added to a stable branch as `-x` cherry-picks that keep its tree, in the
order they were backported.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "backport"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

_HEX = re.compile(r"\b[0-9a-f]{7,40}\b")
_AUTHOR = re.compile(r"^(.*?)\s*<([^>]*)>\s*$")


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return sorted((json.loads(line) for line in f if line.strip()), key=lambda r: r["seq"])


def stable_tree(jsonl: Path) -> list[str] | None:
    """The sidecar `<name>.stable-tree.txt`: the stable branch's paths at the start of the cycle."""
    sidecar = jsonl.with_name(jsonl.name.removesuffix(".jsonl") + ".stable-tree.txt")
    if not sidecar.exists():
        return None
    return [line for line in sidecar.read_text(encoding="utf-8", errors="surrogateescape").split("\n") if line]


def is_merge(record: dict[str, Any]) -> bool:
    """Merges are not in the data's parents; their subjects give them away (the command skips merges)."""
    return record["subject"].startswith(("Merge pull request", "Merge branch", "Merge tag", "Merge remote"))


def _who(author: str) -> tuple[str, str]:
    match = _AUTHOR.match(author) or _AUTHOR.match(f"{author} <unknown@example.org>")
    name, email = match.groups() if match else ("unknown", "unknown@example.org")
    return (name or "unknown").replace("<", "").replace(">", ""), email.replace(">", "")


def _stamp(iso: str) -> str:
    """ISO 8601 -> fast-import's `<unix seconds> <+hhmm>`."""
    when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{int(when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _data(text: str | bytes) -> bytes:
    raw = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    return b"data %d\n" % len(raw) + raw + b"\n"


class Replayer:
    """One `git fast-import` process; `get-mark` answers each commit's sha on the cat-blob pipe, so
    later messages can quote the replayed ids of earlier commits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        subprocess.run(["git", "init", "-q", "-b", "master", str(path)], check=True, env=self.env)
        self.read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            ["git", "-C", str(path), "fast-import", "--quiet", "--done", f"--cat-blob-fd={write_fd}"],
            stdin=subprocess.PIPE,
            env=self.env,
            pass_fds=(write_fd,),
        )
        os.close(write_fd)
        self.answers = os.fdopen(self.read_fd, "rb")
        self.mark = 0
        self.marks: dict[str, int] = {}  # objects written in this stream are named by mark, not sha

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.path), *args], capture_output=True, text=True, check=True, env=self.env
        )
        return done.stdout.strip()

    def commit(
        self,
        ref: str,
        message: str,
        parent: str | None,
        author: str,
        date: str,
        commit_date: str,
        files: Iterable[tuple[str, str]] = (),
        merge: str | None = None,
    ) -> str:
        assert self.proc.stdin is not None
        self.mark += 1
        name, email = _who(author)
        out = [
            f"commit {ref}\nmark :{self.mark}\n".encode(),
            f"author {name} <{email}> {_stamp(date)}\n".encode("utf-8", "surrogateescape"),
            f"committer replay <replay@example.org> {_stamp(commit_date or date)}\n".encode(),
            _data(message),
        ]
        out += [f"from :{self.marks[parent]}\n".encode()] if parent else []
        out += [f"merge :{self.marks[merge]}\n".encode()] if merge else []
        out += [b"M 100644 inline " + _quote_path(path) + b"\n" + _data(content) for path, content in files]
        out.append(f"get-mark :{self.mark}\n".encode())
        self.proc.stdin.write(b"".join(out))
        self.proc.stdin.flush()
        sha = self.answers.readline().decode().strip()
        self.marks[sha] = self.mark
        return sha

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"done\n")
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")
        self.answers.close()


def _quote_path(path: str) -> bytes:
    raw = path.encode("utf-8", "surrogateescape")
    if not re.search(rb'[\x00-\x1f"\\]', raw) and not raw.startswith(b'"'):
        return raw
    return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n") + b'"'


def _rewrite(text: str, old_to_new: dict[str, str], by7: dict[str, list[str]]) -> str:
    """Quoted ids of earlier commits point at their replayed twins (same length)."""

    def swap(match: re.Match[str]) -> str:
        found = [old for old in by7.get(match.group(0)[:7], ()) if old.startswith(match.group(0))]
        return old_to_new[found[0]][: len(match.group(0))] if len(found) == 1 else match.group(0)

    return _HEX.sub(swap, text)


def replay(
    records: Sequence[dict[str, Any]],
    path: Path,
    since: str,
    stable: str,
    tree: Sequence[str] | None = None,
    picks: bool = True,
    merges: bool = True,
) -> dict[str, dict[str, Any]]:
    """Build the repository (backports.md §2): a root whose tree holds every path of the stable tree
    (`tree`), tagged `since` and branched as `stable`; one commit per record rewriting its `files`;
    the backported ones cherry-picked (`-x`, tree kept) onto `stable` unless `picks` is false.
    Records naming a pull request (`pr`, systemd) go, with `merges`, on a branch forked from the main
    line at the PR's first commit and merged GitHub's way ("Merge pull request #N from ...", the PR
    title as body) after its last one, as on the real repository; the others go on the main line.
    Returns replayed sha -> record (merges left out)."""
    repo = Replayer(path)
    first = records[0]["date"] if records else "2023-01-01T00:00:00+00:00"
    base = repo.commit(
        "refs/heads/master",
        f"[RELEASE] Released version {since}",
        None,
        "Replay <replay@example.org>",
        first,
        first,
        ((p, p + "\n") for p in tree or ()),
    )
    kept = [r for r in records if not is_merge(r)]
    last = {r["pr"]: i for i, r in enumerate(kept) if merges and r.get("pr")}
    head, old_to_new, by_new = base, {}, {}
    branches: dict[Any, tuple[str, dict[str, str]]] = {}  # PR -> (branch head, its files' contents)
    by7: dict[str, list[str]] = {}
    for i, record in enumerate(kept):
        body = _rewrite(record["body"], old_to_new, by7) if record.get("body") else ""
        message = record["subject"] + ("\n\n" + body if body else "")
        files = [(p, f"{p} {record['seq']}\n") for p in record.get("files") or ()]
        number = record.get("pr") if merges else None
        if number:
            tip, written = branches.get(number, (head, {}))
            sha = repo.commit(
                f"refs/heads/pr/{number}",
                message,
                tip,
                record["author"],
                record["date"],
                record.get("commit_date", ""),
                files,
            )
            branches[number] = (sha, {**written, **dict(files)})
            if last[number] == i:
                title = record.get("pr_title") or f"pull request {number}"
                head = repo.commit(
                    "refs/heads/master",
                    f"Merge pull request #{number} from replay/pr-{number}\n\n{title}",
                    head,
                    "Replay <replay@example.org>",
                    record.get("commit_date") or record["date"],
                    record.get("commit_date", ""),
                    branches[number][1].items(),
                    merge=sha,
                )
        else:
            sha = head = repo.commit(
                "refs/heads/master",
                message,
                head,
                record["author"],
                record["date"],
                record.get("commit_date", ""),
                files,
            )
        old_to_new[record["sha"]] = sha
        by7.setdefault(record["sha"][:7], []).append(record["sha"])
        by_new[sha] = record
    _stable_branch(repo, by_new if picks else {}, base, stable)
    repo.close()
    repo.git("tag", since, base)
    return by_new


def _stable_branch(repo: Replayer, by_new: dict[str, dict[str, Any]], base: str, stable: str) -> None:
    picks = sorted(
        (
            (min((b.get("date") or r["date"]) for b in r.get("backport_commits") or [{}]), sha, r)
            for sha, r in by_new.items()
            if r.get("backported")
        ),
        key=lambda t: t[0],
    )
    head = base
    for date, sha, record in picks:
        message = f"{record['subject']}\n\n{record.get('body', '')}".rstrip() + f"\n\n(cherry picked from commit {sha})"
        head = repo.commit(f"refs/heads/{stable}", message, head, record["author"], record["date"], date)
    if not picks:
        repo.commit(
            f"refs/heads/{stable}",
            "stable: nothing picked yet",
            base,
            "Replay <replay@example.org>",
            "2023-01-01T00:00:00+00:00",
            "2023-01-01T00:00:00+00:00",
        )


# ---------------------------------------------------------------------------- synthetic corpus
TAGS = [
    ("BUG/MINOR", 184),
    ("BUG/MEDIUM", 94),
    ("BUG/MAJOR", 10),
    ("MINOR", 340),
    ("MEDIUM", 116),
    ("DOC", 72),
    ("CLEANUP", 41),
    ("BUILD", 35),
    ("REGTESTS", 27),
    ("CI", 21),
    ("REORG", 28),
    ("OPTIM", 7),
    ("MAJOR", 7),
]
AREAS = ["mux-h2", "quic", "ssl", "stream", "cli", "peers", "http-ana", "config", "resolvers", "lua", "stats"]
YES = [
    "This must be backported as far as {v}.",
    "This should be backported to {v}.",
    "It needs to be backported to all stable branches.",
    "Must be backported to {v} and older.",
    "This should be backported\nup to {v}.",
]
HEDGED = [
    "It may be backported to {v} if needed.",
    "This could be backported to {v}.",
    "It can probably be backported.",
]
WAIT = [
    "This should be backported to {v}, but wait a bit before backporting it.",
    "It can be backported after some observation.",
]
NO = [
    "No backport needed.",
    "No need to backport, this is only in the dev branch.",
    "This was introduced in {dev}-dev{n}, no backport needed.",
    "There is nothing to backport.",
]
FILLER = [
    "The {a} code could crash when a connection was closed early.",
    "This happens with large headers.",
    "Reported in GitHub issue #{n}.",
    "Let's also update the comment.",
    "The counter was not reset.",
]
# (instruction class, P(backported)) from backports.md §2 (haproxy 2.9-dev hints table).
CLASSES = [("yes", 202, 0.98), ("hedged", 44, 0.89), ("wait", 11, 0.73), ("no", 92, 0.07), ("none", 699, None)]
NONE_RATE = {"BUG": 0.55, "DOC": 0.2, "BUILD": 0.12, "REGTESTS": 0.3, "CI": 0.35, "MINOR": 0.08}


def _pick(rng: random.Random, weighted: Iterable[tuple[Any, int]]) -> Any:
    items = list(weighted)
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def synthetic(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """A HAProxy-shaped corpus with labels drawn from the measured rates (for a smoke run only)."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for seq in range(1, n + 1):
        tag = _pick(rng, TAGS)
        cls = _pick(rng, ((c, w) for c, w, _ in CLASSES))
        rate = {c: p for c, _, p in CLASSES}[cls]
        if rate is None:
            rate = NONE_RATE.get(tag.split("/")[0], 0.05)
        lines = [rng.choice(FILLER).format(a=rng.choice(AREAS), n=rng.randint(100, 2500))]
        if cls != "none":
            lines.append(
                rng.choice({"yes": YES, "hedged": HEDGED, "wait": WAIT, "no": NO}[cls]).format(
                    v=rng.choice(["2.8", "2.6", "2.4"]), dev="2.9", n=rng.randint(1, 9)
                )
            )
        prerequisite = out and cls == "yes" and rng.random() < 0.08
        if prerequisite:
            lines.append(f"It depends on commit {out[-1]['sha'][:10]} which must be backported too.")
            out[-1]["backported"] = True
        area = rng.choice(AREAS)
        out.append(
            {
                "seq": seq,
                "sha": f"{rng.getrandbits(160):040x}",
                "files": [f"src/{area}.c"],
                "subject": f"{tag}: {area}: change number {seq}",
                "body": "\n".join(lines),
                "author": f"Dev {seq % 7} <dev{seq % 7}@example.org>",
                "date": f"2023-{6 + seq * 6 // (n + 1):02d}-{1 + seq % 28:02d}T10:00:00+00:00",
                "backported": rng.random() < rate,
                "type": tag.split("/")[0],
                "range": "v2.9-dev0..v3.0-dev0",
            }
        )
    return out


SYNTHETIC_TREE = [f"src/{area}.c" for area in AREAS]


def tag_of(record: dict[str, Any]) -> str:
    return str(record.get("type") or re.split(r"[/:(]", record["subject"], maxsplit=1)[0].strip() or "?")


def count(values: Iterable[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in Counter(values).most_common())
