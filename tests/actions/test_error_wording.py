"""Inside Actions an error names what the user sets there (the action input, the repository variable); in a
terminal, the command-line flag."""
from __future__ import annotations

import subprocess

import pytest

from labeler import config, git
from labeler.errors import UserError, setting


@pytest.mark.parametrize(("actions", "expected"), [
    (True, "the `stable` input (repository variable `BACKPORT_STABLE` in the drop-in workflow)"),
    (False, "--stable REF"),
])
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
