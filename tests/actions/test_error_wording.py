"""Inside Actions an error names what the user sets there (the action input, the repository variable); in a
terminal, the command-line flag."""

from __future__ import annotations

import subprocess

import pytest

from labeler import config, git
from labeler.errors import UserError, setting


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (True, "the `stable` input (repository variable `BACKPORT_STABLE` in the drop-in workflow)"),
        (False, "--stable REF"),
    ],
)
def test_setting_names_the_input_in_actions_and_the_flag_in_a_terminal(monkeypatch, actions, expected):
    if actions:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert setting("--stable REF", "stable", "BACKPORT_STABLE") == expected


def test_missing_config_names_the_config_input_in_actions(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match="--config / LABELER_CONFIG"):
        config.find()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    with pytest.raises(UserError, match="set the `config` input"):
        config.find()


def test_since_without_a_dev0_tag_names_the_since_input_and_variable(monkeypatch, tmp_path):
    run = ["git", "-c", "user.name=t", "-c", "user.email=t@e", "-c", "commit.gpgsign=false"]
    subprocess.run([*run, "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*run, "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    subprocess.run([*run, "-C", str(tmp_path), "tag", "v3.1.0"], check=True)
    with pytest.raises(UserError, match=r"set --since REF to any tag or commit"):
        git.default_since(str(tmp_path), "HEAD")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    with pytest.raises(UserError, match=r"the `since` input \(repository variable `BACKPORT_SINCE`"):
        git.default_since(str(tmp_path), "HEAD")


RESULTS = str(
    __import__("pathlib").Path(__file__).resolve().parents[1] / "publish_benchmarks/benchmarks_results/cmb_build.yaml"
)


@pytest.mark.parametrize(
    ("args", "terminal", "actions"),
    [
        (
            ["backport-report", "--stable", "2.8"],
            "nothing to write: set --html FILE and/or --json FILE (or --dry-run)",
            "nothing to write: set the `html` input and/or the `json` input (or the `dry-run` input)",
        ),
        (
            ["backport-report", "--check-cache"],
            "(--check-cache) needs --cache FILE (or LABELER_CACHE)",
            "the verdict cache check (--check-cache) needs the `backport-cache` input",
        ),
        (
            ["backport-report", "--stable", "2.8", "--json", "x.json", "--model", "m"],
            "--model and --prompts need --provider",
            "the `model` input (repository variable `LABELER_MODEL` in the drop-in workflow) and the `prompts` input need "
            "the `provider` input (repository variable `BACKPORT_PROVIDER`",
        ),
        (
            ["backport-report", "--stable", "2.8", "--json", "x.json", "--repo", "/nonexistent/dir"],
            "--git-dir '/nonexistent/dir' is not a directory",
            "the `repo-path` input '/nonexistent/dir' is not a directory",
        ),
        (
            ["publish-benchmarks"],
            "no results: pass --results FILE (LABELER_RESULTS)",
            "no results: pass the `results` input",
        ),
        (
            ["publish-benchmarks", "--results", RESULTS],
            "choose the pull requests: --prs, --pr-files",
            "choose the pull requests: the `prs` input, the `pr-files` input, the `label` input, the `milestone` input or "
            "the `from-results` input",
        ),
        (
            ["publish-benchmarks", "--results", RESULTS, "--prs", "x1"],
            "--prs: 'x1' is not a PR number",
            "the `prs` input: 'x1' is not a PR number",
        ),
    ],
)
def test_command_errors_name_the_input_in_actions_and_the_flag_in_a_terminal(
    monkeypatch, tmp_path, capsys, args, terminal, actions
):
    from labeler.cli import main

    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "GITHUB_TOKEN", "LABELER_CACHE"):
        monkeypatch.delenv(name, raising=False)
    assert main(args) == 1
    out = capsys.readouterr()
    assert terminal in out.out + out.err
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(args) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert actions in text, text
    flags = {a for a in args if a.startswith("--") and a != "--check-cache"} | {
        "--html",
        "--json",
        "--cache",
        "--results",
        "--prs",
    }
    assert not [f for f in flags if f"{f} " in text.replace("`", " ") and f"{f} " in terminal], text


def test_the_model_call_budget_notice_names_the_input_in_actions(monkeypatch):
    from labeler.label_issue.budget import RunBudget

    budget = RunBudget(2)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert "(--max-model-calls)" in budget.reason()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert "(the `max-model-calls` input)" in budget.reason()
