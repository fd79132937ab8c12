import pytest

from labeler import config
from labeler.errors import ConfigError

VALID = """
labels:
  - name: bug
    color: "#D73A4A"
    aliases: [defect]
  - name: old
    deprecated: true
  - name: wontfix
    auto: false
label-issue:
  stage: confident
"""


def test_the_repository_labels_yml_validates():
    cfg = config.load("labels.yml")
    assert {lbl.name for lbl in cfg.labels} >= {"bug", "enhancement", "question", "needs-triage"}


def test_parse_maps_aliases_and_normalises_colors():
    cfg = config.parse(VALID)
    assert cfg.canonical("DEFECT").name == "bug"
    assert cfg.canonical("Bug").color == "d73a4a"
    assert [lbl.name for lbl in cfg.applicable()] == ["bug"]
    assert cfg.section("label-issue") == {"stage": "confident"}
    assert cfg.section("bot") == {}


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("labels:\n  - name: bug\n    colour: fff\n", 3, "'colour' was unexpected"),
        ("labels:\n  - name: bug\n    color: red\n", 3, "does not match"),
        ("labels: []\n", 1, "should be non-empty"),
        ("labels:\n  - description: no name\n", 2, "'name' is a required property"),
        ("labels:\n  - name: a\n  - name: b\n    aliases: [A]\n", 3, "already used by label 'a'"),
        ("labels:\n  - name: a\n  - name: A\n", 3, "already used"),
        ("labels:\n  - name: a\nlabel-issue:\n  stage: yolo\n", 4, "'yolo' is not one of"),
        ("labels:\n  - name: a\nlabel-issue:\n  max-labels: 0\n", 4, "less than the minimum"),
        ("labels:\n  - name: a\nunknown-section: {}\n", 3, "'unknown-section' was unexpected"),
        ("labels: [\n", 2, "not valid YAML"),
        ("- just\n- a list\n", 1, "must be a mapping"),
        ("labels:\n  - name: 'a,b'\n", 2, "does not match"),
    ],
)
def test_invalid_config_names_file_line_and_key(text, line, words):
    with pytest.raises(ConfigError) as caught:
        config.parse(text, "cfg/labels.yml")
    assert caught.value.file == "cfg/labels.yml"
    assert caught.value.line == line
    assert words in caught.value.message


def test_find_prefers_dot_github(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="no config file"):
        config.find()
    (tmp_path / "labels.yml").write_text("labels: [{name: a}]\n")
    assert config.find() == "labels.yml"
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "labels.yml").write_text("labels: [{name: b}]\n")
    assert config.load().labels[0].name == "b"


def test_missing_or_binary_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        config.load(str(tmp_path / "nope.yml"))
    bad = tmp_path / "bin.yml"
    bad.write_bytes(b"\xff\xfe\x00labels")
    with pytest.raises(ConfigError, match="cannot read"):
        config.load(str(bad))


def test_section_settings_defaults_then_section_then_overrides():
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class S:
        stage: str = "x"
        max_labels: int = 0
        calls: int | None = field(default=None, metadata={"key": "max-model-calls-per-issue"})

    assert config.section_settings(None, "label-issue", S) == S("auto", 3, 5)
    assert config.section_settings(
        {"stage": "suggest", "max-model-calls-per-issue": None}, "label-issue", S, {"max_labels": 7, "stage": None}
    ) == S("suggest", 7, None)
    assert config.defaults("bot.precheck")["threshold"] == 0.5
    assert config.defaults("publish-benchmarks")["noise"]["mmlu"] == 0.01
