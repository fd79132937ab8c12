"""Run a workflow under act (nektos/act, host mode) offline, the way testing.md §1 describes.

    result = run_act("issues", event_path, ".github/workflows/issue-labeler.yml", repo_dir, tmp_path,
                     venv=act_venv, env={"GITHUB_API_URL": gh.url}, secrets={"ANTHROPIC_API_KEY": "sk-ant-..."})
    assert result.job_results == {"label": "success"}     # {} means skipped: check it!

Every pitfall of §1.3 is handled here: act runs with a scrubbed environment (PATH and HOME only;
everything else via --env/-s), every `runs-on` label of the workflow is mapped to host mode,
`--no-cache-server`, the action cache lives in tmp_path, `actions/setup-python@<any ref>` is
replaced by tests/act/stubs/setup-python (a dedicated venv first on PATH), and the work tree is a
throw-away git copy of the project with origin https://github.com/acme/widgets.
Use the pytest fixtures `act_venv`, `act_repo`, `run_act` (tests/conftest.py); mark tests `act`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
STUB_SETUP_PYTHON = HERE / "stubs" / "setup-python"
STUB_CACHE = HERE / "stubs" / "cache"
HOST_LABELS = ["ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04", "self-hosted", "linux", "x64"]
FAKE_TOKEN = "ghs_fake_token_0123456789abcdef"  # long: short fake secrets mangle logs when masked
ORIGIN = "https://github.com/acme/widgets"
USES = re.compile(r"^\s*-?\s*uses:\s*['\"]?(actions/setup-python@[^\s'\"#]+)", re.MULTILINE)
CACHE_USES = re.compile(r"^\s*-?\s*uses:\s*['\"]?(actions/cache@[^\s'\"#]+)", re.MULTILINE)


@dataclass
class ActResult:
    returncode: int
    records: list[dict[str, Any]]
    outputs: dict[str, str]  # every `set-output` (step and nested composite steps; last wins)
    summaries: list[str]  # $GITHUB_STEP_SUMMARY contents, in order
    job_results: dict[str, str]  # jobID -> success|failure; a job skipped by `if:` is absent
    stdout: str
    stderr: str
    step_results: dict[str, str] = field(default_factory=dict)  # "job/stepID" -> result

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and bool(self.job_results) and set(self.job_results.values()) == {"success"}

    def transcript(self) -> str:
        """The log plus the job summaries. act (host mode) returns from a failing step without waiting for
        the step's last output to be copied from its pty, so under load a failing step's final lines can be
        missing from the log; what a step wrote to $GITHUB_STEP_SUMMARY is read from a file and never is."""
        return self.log() + "".join(self.summaries)

    def log(self) -> str:
        """Human-readable step output (for assertion messages)."""
        return "".join(r["msg"] if r.get("raw_output") else r.get("msg", "") + "\n" for r in self.records) + self.stderr


def act_binary() -> str | None:
    sibling = Path(sys.executable).with_name("act")
    return str(sibling) if sibling.exists() else shutil.which("act")


def build_venv(path: Path) -> Path:
    """A venv for ACT_SETUP_PYTHON_VENV: pip, setuptools, and the pinned runtime deps (all extras)."""
    uv = Path(sys.executable).with_name("uv")
    uv_cmd = [str(uv)] if uv.exists() else [sys.executable, "-m", "uv"]
    subprocess.run([*uv_cmd, "venv", "-q", "--seed", "--python", sys.executable, str(path)], check=True)
    python = str(path / "bin" / "python")
    reqs = sorted((PROJECT / "requirements").glob("*.txt"))
    if reqs:
        args = [a for r in reqs for a in ("-r", str(r))]
    else:
        import tomllib  # no requirements/*.txt: fall back to pyproject's dependencies

        pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text())
        args = list(pyproject["project"]["dependencies"])
    subprocess.run([*uv_cmd, "pip", "install", "-q", "--python", python, *args], check=True)
    subprocess.run([*uv_cmd, "pip", "install", "-q", "--python", python, "setuptools>=68", "wheel"], check=True)
    return path


def copy_project(dest: Path, source: Path = PROJECT) -> Path:
    """Copy tracked + untracked-but-not-ignored files into a fresh git repo with an acme/widgets origin."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=source,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, listed):
        src = source / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    dest.mkdir(parents=True, exist_ok=True)
    return init_repo(dest)


def init_repo(repo: Path) -> Path:
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(repo), "GIT_CONFIG_NOSYSTEM": "1"}
    for cmd in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "--allow-empty", "-m", "snapshot"],
        ["remote", "add", "origin", ORIGIN],
    ):
        subprocess.run([*git, *cmd], cwd=repo, check=True, env=env, capture_output=True)
    return repo


def runs_on_labels(workflow: Path) -> list[str]:
    doc = yaml.safe_load(workflow.read_text(encoding="utf-8")) or {}
    labels: list[str] = []
    for job in (doc.get("jobs") or {}).values():
        value = job.get("runs-on", []) if isinstance(job, dict) else []
        for label in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
            if isinstance(label, str) and "${{" not in label:
                labels.append(label)
    return labels


def setup_python_refs(repo_dir: Path, workflow: Path) -> set[str]:
    files = [workflow, *repo_dir.glob("actions/*/action.yml"), *repo_dir.glob("actions/*/action.yaml")]
    return {m for f in files for m in USES.findall(f.read_text(encoding="utf-8"))} | {"actions/setup-python@v5"}


def cache_refs(*roots: Path | str) -> set[str]:
    """`actions/cache@REF` used inside composite actions (the environment cache of actions/setup.sh): act would
    clone it, so it is mapped to an offline stub (under act the setup-python stub's venv is active, so setup.sh
    skips the cache step anyway)."""
    paths = [Path(root) for root in roots]
    files = [f for root in paths for f in [*root.glob("actions/*/action.yml"), root / "action.yml"] if f.exists()]
    return {m for f in files for m in CACHE_USES.findall(f.read_text(encoding="utf-8"))}


def command(
    event_name: str,
    event_file: Path,
    workflow: Path,
    repo_dir: Path,
    tmp_path: Path,
    venv: Path | None,
    env: dict[str, str],
    secrets: dict[str, str],
    inputs: dict[str, str],
    variables: dict[str, str],
    local_repositories: dict[str, Path],
) -> list[str]:
    labels = dict.fromkeys([*HOST_LABELS, *runs_on_labels(workflow)])
    cmd = [
        act_binary() or "act",
        event_name,
        "-e",
        str(event_file),
        "-W",
        str(workflow),
        "--json",
        "--no-cache-server",
        "--action-cache-path",
        str(tmp_path / "act-cache"),
    ]
    cmd += [a for label in labels for a in ("-P", f"{label}=-self-hosted")]
    mapping = dict.fromkeys(setup_python_refs(repo_dir, workflow), STUB_SETUP_PYTHON)
    for ref in cache_refs(repo_dir, *local_repositories.values()):
        stubbed = local_repositories.get(ref)  # the workflow's own cache/restore, cache/save stubs: add the root
        if stubbed is not None and not (Path(stubbed) / "action.yml").exists():
            shutil.copy(STUB_CACHE / "action.yml", Path(stubbed) / "action.yml")
        mapping[ref] = STUB_CACHE
    mapping |= local_repositories
    cmd += [a for ref, path in mapping.items() for a in ("--local-repository", f"{ref}={path}")]
    env = ({"ACT_SETUP_PYTHON_VENV": str(venv)} if venv else {}) | env
    cmd += [a for k, v in env.items() for a in ("--env", f"{k}={v}")]
    cmd += [a for k, v in ({"GITHUB_TOKEN": FAKE_TOKEN} | secrets).items() for a in ("-s", f"{k}={v}")]
    cmd += [a for k, v in inputs.items() for a in ("--input", f"{k}={v}")]
    cmd += [a for k, v in variables.items() for a in ("--var", f"{k}={v}")]
    return cmd


def run_act(
    event_name: str,
    event_file: Path | str,
    workflow: Path | str,
    repo_dir: Path,
    tmp_path: Path,
    env: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
    inputs: dict[str, str] | None = None,
    *,
    venv: Path | None = None,
    variables: dict[str, str] | None = None,
    local_repositories: dict[str, Path] | None = None,
    timeout: float = 300,
) -> ActResult:
    """Run `act EVENT` in repo_dir. `workflow` is relative to repo_dir or absolute. env/secrets/inputs/variables
    become --env/-s/--input/--var (GITHUB_TOKEN secret defaults to a fake)."""
    workflow = (repo_dir / workflow).resolve() if not Path(workflow).is_absolute() else Path(workflow)
    if inputs:  # with -e, act takes inputs from the payload only (as GitHub does) and ignores --input
        payload = json.loads(Path(event_file).read_text(encoding="utf-8"))
        payload["inputs"] = {**(payload.get("inputs") or {}), **inputs}
        event_file = tmp_path / "act-event.json"
        event_file.write_text(json.dumps(payload), encoding="utf-8")
    home = tmp_path / "act-home"
    home.mkdir(exist_ok=True)
    (home / ".actrc").write_text("")  # no first-run survey, no developer defaults
    cmd = command(
        event_name,
        Path(event_file),
        workflow,
        repo_dir,
        tmp_path,
        venv,
        dict(env or {}),
        dict(secrets or {}),
        dict(inputs or {}),
        dict(variables or {}),
        dict(local_repositories or {}),
    )
    path = f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin" if venv else "/usr/local/bin:/usr/bin:/bin"
    cp = subprocess.run(
        cmd,
        cwd=repo_dir,
        env={"PATH": path, "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return parse(cp.returncode, cp.stdout, cp.stderr)


def parse(returncode: int, stdout: str, stderr: str) -> ActResult:
    records = []
    for line in stdout.splitlines():
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    outputs = {r["name"]: r["arg"] for r in records if r.get("command") == "set-output"}
    summaries = [r["content"] for r in records if r.get("command") == "summary"]
    jobs = {r.get("jobID", r.get("job", "")): r["jobResult"] for r in records if "jobResult" in r}
    steps = {
        f"{r.get('jobID')}/{'/'.join(r.get('stepID') or r.get('stepid') or [])}": r["stepResult"]
        for r in records
        if "stepResult" in r
    }
    return ActResult(returncode, records, outputs, summaries, jobs, stdout, stderr, steps)


RECORDING_STUB = """\
name: {name} (offline stub)
description: "Stands in for {name} under act: prints its path and key inputs"
inputs:
{inputs}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        STUB_PATH: ${{{{ inputs.path }}}}
        STUB_KEY: ${{{{ inputs.key }}}}
      run: |
        echo "stub {name} path=$STUB_PATH key=$STUB_KEY exists=$(test -e "$STUB_PATH" && echo yes || echo no)"
"""
_REMOTE_USES = re.compile(
    r"^\s*-?\s*uses:\s*['\"]?((?!actions/(?:checkout|setup-python)@)[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[\w.-]+)",
    re.MULTILINE,
)


def stub_remote_actions(workflow: Path, root: Path) -> dict[str, Path]:
    """A recording stub for every remote action a workflow uses (act fetches them all up front, even those
    of skipped steps), except checkout (act copies the work tree) and setup-python (see run_act).
    Returns the --local-repository mapping; sub-actions (`actions/cache/restore`) live under their repo."""
    text = Path(workflow).read_text(encoding="utf-8")
    keys = sorted({"path", "key", *re.findall(r"^\s{10,}([\w-]+):", text, re.MULTILINE)})
    inputs = "\n".join(f'  {k}: {{description: "stub input", required: false, default: ""}}' for k in keys)
    mapping: dict[str, Path] = {}
    for uses in sorted(set(_REMOTE_USES.findall(text))):
        ref, version = uses.rsplit("@", 1)
        owner, repo, *sub = ref.split("/")
        base = root / f"{owner}-{repo}-{version[:12]}"
        action_dir = base.joinpath(*sub)
        action_dir.mkdir(parents=True, exist_ok=True)
        name = "-".join([repo, *sub])  # actions/cache/restore prints "stub cache-restore ..."
        (action_dir / "action.yml").write_text(RECORDING_STUB.format(name=name, inputs=inputs), encoding="utf-8")
        mapping[f"{owner}/{repo}@{version}"] = base
    return mapping
