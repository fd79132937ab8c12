"""One YAML reader, no anchors/aliases, size cap, bounded messages, all errors."""

import time

import pytest

from labeler import config, yamlfile
from labeler.errors import ConfigError
from labeler.taxonomy_bot import qna

BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
    for i in range(8)
)


def test_an_alias_bomb_in_a_contributors_qna_is_refused_fast():
    start = time.monotonic()
    found, problems = qna.parse("compositional_skills/x/qna.yaml", "version: 3\ncreated_by: me\n" + BOMB)
    assert found is None and "anchors and aliases" in problems[0].message
    assert time.monotonic() - start < 1 and all(len(p.message) < 400 for p in problems)


@pytest.mark.parametrize("text", ["labels: &l [{name: a}]\nx: *l\n", "labels:\n  - &n {name: a}\n  - *n\n"])
def test_labels_yml_refuses_aliases(text):
    with pytest.raises(ConfigError, match="anchors and aliases"):
        config.parse(text)


def test_size_cap():
    with pytest.raises(ConfigError, match="larger than"):
        yamlfile.load("a: " + "x" * (yamlfile.MAX_BYTES + 1), "big.yml")


def test_labels_yml_reports_every_error_with_file_line_key():
    text = "labels:\n  - name: a\n    colour: red\n  - name: b\n    color: 12\n  - description: no name\n"
    with pytest.raises(ConfigError) as info:
        config.parse(text, "labels.yml")
    message = str(info.value)
    assert "labels.yml:3: labels.0.colour" in message
    assert "labels.yml:5: labels.1.color" in message
    assert "labels.yml:6: labels.2" in message and "'name' is a required property" in message


def test_error_messages_never_print_a_huge_value():
    text = "labels:\n  - name: a\n    color: [" + ",".join(["x" * 50] * 200) + "]\n"
    with pytest.raises(ConfigError) as info:
        config.parse(text, "labels.yml")
    assert len(str(info.value)) < 600
