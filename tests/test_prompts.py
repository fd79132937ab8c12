import pytest

from labeler import prompts
from labeler.errors import UserError


def test_packaged_prompt_has_version_and_parts():
    p = prompts.load("label_issue", package="labeler.label_issue")
    assert p.version == "1"
    system, user = p.render(repo="o/r", labels="- bug", max_labels="3", version=p.version,
                            examples="", title="T $labels", body="B ${repo}")
    assert "o/r" in system and "- bug" in system
    # single pass: placeholders inside untrusted text are not expanded
    assert "T $labels" in user and "B ${repo}" in user


def test_prompt_versions_are_recorded_in_prompts_md():
    changelog = open("PROMPTS.md", encoding="utf-8").read()
    assert "label_issue.md" in changelog and "version 1" in changelog


def test_bad_prompt_files_are_user_errors(tmp_path):
    (tmp_path / "x.md").write_text("no header\n")
    with pytest.raises(UserError, match="version"):
        prompts.load("x", str(tmp_path))
    with pytest.raises(UserError, match="cannot read"):
        prompts.load("missing", str(tmp_path))
