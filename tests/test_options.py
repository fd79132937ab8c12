"""Options several commands share are defined once (labeler/options.py), with one name, env var and default."""

from __future__ import annotations

import ast
from pathlib import Path

import click
from click.testing import CliRunner

from labeler import options
from labeler.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHARED = (
    "--repo",
    "--config",
    "--dry-run",
    "--dry-run/--no-dry-run",
    "--event-name",
    "--issue",
    "--pr",
    "--provider",
    "--model",
    "--model-path",
    "--db",
    "--family",
    "--exclude-label",
    "--bot-login",
    "--teams",
    "--target-precision",
    "--min-examples",
    "--embed-cache",
)
# Same spelling, another meaning (each says so in its help): not the shared option.
OTHER_MEANING = {
    ("backport_report/command.py", "--provider"),  # rules or a model, default rules
    ("model/command.py", "--model"),  # the deprecated name of --model-dir
    ("monitor/command.py", "--issue"),  # the tracking issue's label
}


def _declared(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "option" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and first.value in SHARED:
                found.append(first.value)
    return found


def test_shared_options_are_declared_only_in_labeler_options():
    src = ROOT / "src/labeler"
    offenders = []
    for path in sorted(src.rglob("*.py")):
        where = str(path.relative_to(src))
        if where == "options.py":
            continue
        offenders += [f"{where}: {name}" for name in _declared(path) if (where, name) not in OTHER_MEANING]
    assert offenders == [], "use labeler.options for these"


def _renamed_command():
    @click.command()
    @click.option("--git-dir", "repo", default=".", envvar="LABELER_REPO", callback=options.aliased("repo"))
    @options.deprecated("--repo", "--git-dir", "repo")
    def command(repo):
        click.echo(f"repo={repo}")

    return command


def test_a_renamed_option_keeps_its_old_spelling_with_one_warning(monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("LABELER_REPO", raising=False)
    result = CliRunner().invoke(_renamed_command(), ["--repo", "/src/clone"])
    assert result.exit_code == 0 and "repo=/src/clone" in result.output
    assert result.output.count("::warning::") == 1 and "--repo is deprecated: use --git-dir" in result.output
    result = CliRunner().invoke(_renamed_command(), ["--git-dir", "/a", "--repo", "/b"])
    assert "repo=/a" in result.output  # the new spelling wins
    result = CliRunner().invoke(_renamed_command(), ["--git-dir", "/a"])
    assert "repo=/a" in result.output and "::warning::" not in result.output
    monkeypatch.setenv("LABELER_REPO", "/env")
    result = CliRunner().invoke(_renamed_command(), [])
    assert "repo=/env" in result.output and "::warning::" not in result.output


def test_backport_report_names_its_local_clone_git_dir(capsys):
    assert main(["backport-report", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--git-dir" in text and "LABELER_REPO" in text and "--repo " not in text


def test_shared_options_keep_their_env_vars_and_defaults():
    @click.command()
    @options.repo()
    @options.config()
    @options.dry_run("x", toggle=True, default=None)
    @options.bot_login("x")
    def command(**kw):
        click.echo(repr(sorted(kw.items())))

    env = {"GITHUB_REPOSITORY": "o/r", "LABELER_CONFIG": "c.yml", "LABELER_DRY_RUN": "true"}
    result = CliRunner().invoke(command, [], env=env)
    assert result.output.strip() == repr(
        [("bot_login", "github-actions[bot]"), ("config_path", "c.yml"), ("dry_run", True), ("repo", "o/r")]
    )
