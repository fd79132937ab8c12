import pytest

from labeler import prompts
from labeler.errors import UserError


def test_packaged_prompt_has_version_and_parts():
    p = prompts.load("label_issue", package="labeler.label_issue")
    assert p.version == "1"
    system, user = p.render(
        repo="o/r", labels="- bug", max_labels="3", version=p.version, examples="", title="T $labels", body="B ${repo}"
    )
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


def test_one_format_for_every_packaged_prompt():
    """label-issue, missing-info, the taxonomy bot and backport-report parse through labeler.prompts."""
    from importlib import resources

    for package in ("labeler.label_issue", "labeler.missing_info", "labeler.taxonomy_bot", "labeler.backport_report"):
        for path in (resources.files(package) / "prompts").iterdir():
            p = prompts.parse(path.name, path.read_text("utf-8"), path.name, required=())
            assert p.version != prompts.UNVERSIONED and all(p.sections.values()), path.name
    assert set(prompts.load("precheck", package="labeler.taxonomy_bot", required=()).sections) == {
        "system",
        "judge-system",
        "judge",
    }


def test_named_sections_and_a_file_without_sections():
    p = prompts.parse(
        "x",
        "version: 2\n<!-- for people -->\n---- system ----\nS $a\n---- extra-part ----\nE\n",
        "x",
        required=("system",),
    )
    assert p.version == "2" and p.sections == {"system": "S $a", "extra-part": "E"}
    assert prompts.fill(p.system, a="$b") == "S $b"
    with pytest.raises(UserError, match="no `---- user ----` section"):
        _ = p.user
    plain = prompts.parse(
        "prefix", "version: 3\n<!-- note -->\nYou review commits.\n", "prefix", required=(), need_version=False
    )
    assert plain.version == "3" and plain.sections == {"text": "You review commits.\n"}
    assert (
        prompts.parse("suffix", "Answer yes or no.\n", "suffix", required=(), need_version=False).version
        == "unversioned"
    )
