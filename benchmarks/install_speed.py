"""How long each composite action takes to get labeler ready, cold and warm.

Runs the two actions/setup.sh steps of every actions/<name>/action.yml (the `key` step, then the
install step, with the action's LABELER_EXTRAS) the way a hosted runner does, with a Python that is
not a virtual environment (default /usr/bin/python3):

- cold: a fresh RUNNER_TEMP, empty uv and pip caches: uv is bootstrapped from requirements/uv.txt
  and every locked package is downloaded and installed;
- warm: the environment restored as actions/cache does it (a zstd-compressed tar of the cold run's
  environment after a first job imported every command and the extras' libraries, bytecode written as
  in a real job, saved and extracted with the same tar and zstd options as actions/cache, the extraction
  included in the time), then the same two steps.

The extras are the action's at its input defaults (no API key: no model SDK); --with anthropic (or
openai) adds a provider SDK to every action, as setting that provider's key does.

Targets: cold <= 15 s, warm <= 3 s per action; exits 1 when one is missed or a setup fails.
Needs only the standard library and network access to PyPI:

    python3 benchmarks/install_speed.py [--python /usr/bin/python3] [--action label-issue ...] [--with anthropic]
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "actions" / "setup.sh"
COLD_TARGET, WARM_TARGET = 15.0, 3.0
EXTRAS = re.compile(r"LABELER_EXTRAS:\s*(.*)")
# Passed through from the host: how to reach PyPI (a proxy, a company CA). Nothing else: no caches, no indexes.
PASS = re.compile(r"^(SSL_CERT_FILE|SSL_CERT_DIR|PIP_CERT|REQUESTS_CA_BUNDLE|(HTTPS?|NO|ALL)_PROXY)$", re.IGNORECASE)


def input_defaults(action_yml: Path) -> dict[str, str]:
    """`inputs.<name>.default` of an action.yml written the way ours are (two-space indents), without a
    YAML library: this script needs only the standard library."""
    text = action_yml.read_text(encoding="utf-8")
    block = re.search(r"^inputs:\n((?:(?:  .*)?\n)*)", text, re.M)
    defaults: dict[str, str] = {}
    name = ""
    for line in (block.group(1) if block else "").splitlines():
        if re.match(r"^  [A-Za-z0-9_-]+:\s*$", line):
            name = line.strip()[:-1]
            defaults[name] = ""
        elif name and (m := re.match(r"^    default:\s*(.*)$", line)):
            value = m.group(1).strip()
            defaults[name] = value[1:-1] if value[:1] in "\"'" and value[-1:] == value[:1] else value
    return defaults


class _Expression(ast.NodeVisitor):
    """The subset of GitHub expressions our LABELER_EXTRAS use: 'literals', inputs.<name>, ==, !=, &&, ||,
    parentheses and format(); && and || return operands, as in GitHub (and Python)."""

    def __init__(self, inputs: dict[str, str]):
        self.inputs = inputs

    def visit_Constant(self, node: ast.Constant) -> str:
        return str(node.value)

    def visit_Subscript(self, node: ast.Subscript) -> str:  # inputs['name'] (hyphens survive)
        return self.inputs.get(str(self.visit(node.slice)), "")

    def visit_BoolOp(self, node: ast.BoolOp) -> str:
        value = ""
        for operand in node.values:
            value = str(self.visit(operand))
            if bool(value) != isinstance(node.op, ast.And):
                return value
        return value

    def visit_Compare(self, node: ast.Compare) -> str:
        left, right = self.visit(node.left).lower(), self.visit(node.comparators[0]).lower()
        return "true" if (left == right) == isinstance(node.ops[0], ast.Eq) else ""

    def visit_Call(self, node: ast.Call) -> str:
        template, *args = (str(self.visit(a)) for a in node.args)
        return template.format(*args)

    def generic_visit(self, node: ast.AST) -> str:
        raise ValueError(f"unsupported expression: {ast.dump(node)}")


def evaluate(expression: str, inputs: dict[str, str]) -> str:
    python = re.sub(r"\binputs\.([A-Za-z0-9_-]+)", r"inputs['\1']", expression)
    python = python.replace("&&", " and ").replace("||", " or ")
    tree = ast.parse(python.strip(), mode="eval")
    return str(_Expression(inputs).visit(tree.body))


def extras_of(action_yml: Path) -> str:
    """LABELER_EXTRAS of the setup step with every input at its default (no key set: no model SDK)."""
    match = EXTRAS.search(action_yml.read_text(encoding="utf-8"))
    value = match.group(1).strip() if match else ""
    defaults = {k: v for k, v in input_defaults(action_yml).items() if "${{" not in v}
    return " ".join(re.sub(r"\$\{\{(.*?)\}\}", lambda m: evaluate(m.group(1), defaults), value).split())


def setup(python: str, temp: Path, extras: str, caches: Path) -> tuple[float, str]:
    env = {
        "PATH": f"{Path(python).parent}:/usr/bin:/bin",
        "HOME": str(caches),
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(temp / "github_output"),
        "LABELER_EXTRAS": extras,
        "UV_CACHE_DIR": str(caches / "uv"),
        "PIP_NO_CACHE_DIR": "1",
        "RUNNER_OS": "Linux",
    }
    env |= {k: v for k, v in os.environ.items() if PASS.match(k)}
    script = f'source "{SETUP}" key && source "{SETUP}"'
    start = time.perf_counter()
    done = subprocess.run(["bash", "-c", script], check=False, env=env, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"setup failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    outputs = dict(line.split("=", 1) for line in (temp / "github_output").read_text().splitlines() if "=" in line)
    return elapsed, outputs["venv"]


# What a first job imports (every command, and the libraries each extra brings), run once before the
# environment is saved: actions/cache saves it after the job, with the __pycache__ files that job wrote.
FIRST_JOB = """
import importlib, sys
from labeler import cli
for module, _ in cli.COMMANDS.values():
    importlib.import_module(module)
extras = set(sys.argv[1:])
heavy = {"local": ["labeler.model.train", "labeler.model.predict", "sklearn.linear_model", "sklearn.model_selection",
                   "sklearn.feature_extraction.text", "sklearn.metrics", "scipy.sparse"],
         "html": ["jinja2"], "anthropic": ["anthropic"], "openai": ["openai"], "taxonomy": ["instructlab.schema"]}
for extra in extras:
    for module in heavy.get(extra, []):
        importlib.import_module(module)
import github, jsonschema, yaml
"""


def first_job(venv: str, extras: str) -> None:
    """Import what a job would, as a job would (bytecode written): the environment then holds what gets cached."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [str(Path(venv) / "bin" / "python"), "-c", FIRST_JOB, *extras.split()], check=True, env=env, timeout=300
    )


def measure(name: str, extras: str, python: str, work: Path) -> tuple[float, float, float]:
    temp, caches = work / "runner-temp", work / "caches"
    for path in (temp, caches):
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
    cold, venv = setup(python, temp, extras, caches)
    first_job(venv, extras)
    archive = work / f"{name}.tzst"  # what actions/cache saves after the job: tar --posix piped through zstdmt
    subprocess.run(
        [
            "tar",
            "--posix",
            "-cf",
            str(archive),
            "--use-compress-program",
            "zstdmt --long=30",
            "-P",
            "-C",
            "/",
            os.path.relpath(venv, "/"),
        ],
        check=True,
    )
    for path in (temp, caches):  # a new runner: nothing but the restored cache
        shutil.rmtree(path)
        path.mkdir(parents=True)
    os.sync()  # a new runner has no writeback of the cold run's files pending: do not time it with the restore
    start = time.perf_counter()
    subprocess.run(
        ["tar", "-xf", str(archive), "-P", "-C", "/", "--use-compress-program", "unzstd --long=30"], check=True
    )
    restore = time.perf_counter() - start
    warm, _ = setup(python, temp, extras, caches)
    archive.unlink()
    return cold, restore, warm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Cold: fresh folder, empty caches. Warm: environment restored from "
        f"the cache. Targets: cold <= {COLD_TARGET:.0f} s, warm <= {WARM_TARGET:.0f} s.",
    )
    parser.add_argument("--python", default="/usr/bin/python3", help="a non-venv Python 3.11+ (the runner's)")
    parser.add_argument("--action", action="append", help="only this action (repeatable; default: all)")
    parser.add_argument(
        "--with",
        dest="extra",
        action="append",
        choices=["anthropic", "openai"],
        default=[],
        help="add this provider SDK to every action's extras, as setting its key does (repeatable)",
    )
    args = parser.parse_args(argv)
    actions = sorted(p.parent.name for p in (ROOT / "actions").glob("*/action.yml"))
    unknown = set(args.action or []) - set(actions)
    if unknown:
        parser.error(f"no such action: {', '.join(sorted(unknown))} (known: {', '.join(actions)})")
    failed = False
    print(f"{'action':20} {'extras':24} {'cold s':>7} {'warm s':>7}  (warm = cache restore + setup)")
    with tempfile.TemporaryDirectory(prefix="labeler-install-") as tmp:
        for name in args.action or actions:
            extras = " ".join(dict.fromkeys(extras_of(ROOT / "actions" / name / "action.yml").split() + args.extra))
            try:
                cold, restore, setup_s = measure(name, extras, args.python, Path(tmp))
                warm = restore + setup_s
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                print(f"{name:20} {extras or '-':24} FAILED: {e}", file=sys.stderr)
                failed = True
                continue
            miss = cold > COLD_TARGET or warm > WARM_TARGET
            failed |= miss
            print(
                f"{name:20} {extras or '-':24} {cold:7.1f} {warm:7.1f}  ({restore:.1f} + {setup_s:.1f})"
                f"{'  target missed' if miss else ''}",
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
