"""The offline rules provider: instructions and negations, version ranges, wait hints, tags,
range-wide passes, and its configuration file."""

from __future__ import annotations

import json

import pytest

from labeler.backport_report import rules_config
from labeler.backport_report.rules import Item, classify_all
from labeler.backport_report.rules_config import RulesConfig
from labeler.errors import ConfigError

HAPROXY = RulesConfig().with_versions("2.9", ("2.8",))
SHA = "0123456789abcdef0123456789abcdef01234567"


def verdict(message: str, config: RulesConfig = HAPROXY) -> str:
    subject = message.split("\n", 1)[0]
    return classify_all([Item(SHA, subject, message)], config)[0].verdict


@pytest.mark.parametrize(
    "body, expected",
    [
        ("This must be backported as far as 2.6.", "yes"),
        ("This should be backported to 2.8.", "yes"),
        ("It needs to be backported to all stable branches.", "yes"),
        ("To be backported to 2.8 and 2.6.", "yes"),
        ("Please backport to 2.8.", "yes"),
        ("Don't forget to backport it to 2.8.", "yes"),
        ("This must be applied to 2.8 as well.", "yes"),
        ("It may be backported to 2.8 if needed.", "yes"),  # hedged: picked 89 % of the time
        ("This could probably be backported.", "yes"),
        ("No backport needed.", "no"),
        ("No need to backport.", "no"),
        ("This must not be backported.", "no"),
        ("There is nothing to backport.", "no"),
        ("This doesn't need to be backported.", "no"),
        ("Backport is not needed.", "no"),
        ("This is 2.9-dev only.", "no"),
        ("This should be backported to 3.0 only.", "no"),  # not a maintained branch here
        ("Wait a bit before backporting it.", "wait"),
        ("This should be backported after some observation.", "wait"),
        ("It can be backported to 2.8 slowly.", "wait"),
        ("This must be backported to 2.8, but no hurry.", "wait"),
        # no > wait > yes across sentences, except a negation limited in scope.
        ("This must be backported to 2.8. No backport needed.", "no"),
        ("This must be backported to 2.8. No backport is needed before 2.6.", "yes"),
        ("This must be backported to 2.8. No need to go further, older versions are not affected.", "yes"),
        ("Must be backported to 2.8. No backport needed for 2.6 and older.", "yes"),
        ("Must be backported to 2.6. No backport needed for 2.8 and older.", "no"),
        ("Must be backported to 2.8. Wait a bit before backporting it.", "wait"),
    ],
)
def test_instructions(body, expected):
    assert verdict(f"MINOR: foo: bar\n\n{body}") == expected


@pytest.mark.parametrize(
    "message, expected",
    [
        ("BUG/MINOR: foo: fix a crash\n\nThe pointer could be NULL.", "yes"),
        ("BUG/MEDIUM: foo: fix a crash\n\nNo backport needed.", "no"),
        ("BUG/MINOR: foo: fix a crash\n\nThis was introduced in 2.9-dev3.", "no"),
        ("BUG/MINOR: foo: fix a crash\n\nThis only affects the development branch.", "no"),
        ("BUG/MINOR: foo: fix a crash\n\nNo backport needed before 2.6.", "yes"),
        # a scope word that explains rather than limits
        ("BUG/MINOR: foo: fix\n\nBackport is not needed, the code doesn't exist in older versions.", "no"),
        ("BUG/MINOR: foo: fix\n\nThere's no need to backport this unless someone complains.", "no"),
        ("BUG/MINOR: foo: fix\n\nFor 2.6 and older, no backport is needed.", "yes"),
        ("MINOR: foo: add a keyword", "no"),
        ("CLEANUP: foo: remove dead code", "no"),
        ("DOC: add an example", "no"),
        ("[RELEASE] Released version 2.9-dev4", "no"),
        ("fix(parser): handle empty input", "yes"),
        ("fix: handle empty input", "yes"),
        ("feat: add a flag", "no"),
        ("sched: fix a race\n\nCc: stable@vger.kernel.org", "yes"),
        ("MINOR: foo: bar\n\nuncertain, no explicit instruction", "no"),  # the words are not instructions
        ('BUG/MINOR: quic: fix\n\nThis bug was introduced in 2.6 by commit 1234abcd ("MINOR: x").', "yes"),
    ],
)
def test_tags_trailers_and_dev_only(message, expected):
    assert verdict(message) == expected


def test_without_known_stable_versions_a_version_is_not_an_exclusion():
    assert verdict("MINOR: foo\n\nMust be backported to 3.0 only.", RulesConfig()) == "yes"


def test_the_reason_quotes_the_deciding_sentence():
    item = Item(SHA, "BUG/MINOR: foo", "BUG/MINOR: foo\n\nSome context.\nThis must be backported\nas far as 2.6.")
    decision = classify_all([item], HAPROXY)[0]
    assert decision.reason == 'instruction: "This must be backported as far as 2.6."'
    assert decision.source == "instruction"


def test_people_trailers_do_not_count():
    item = Item(SHA, "MINOR: foo", "MINOR: foo\n\nReported-by: No Backport Needed <x@y>")
    assert classify_all([item], HAPROXY)[0].source == "default"


def shas(n: int) -> list[str]:
    return [f"{i:x}" * 40 for i in range(1, n + 1)]


def test_lookahead_a_prerequisite_goes_along():
    a, b, c = shas(3)
    items = [
        Item(a, "MINOR: foo: add a helper", "MINOR: foo: add a helper"),
        Item(b, "MINOR: bar: unrelated", "MINOR: bar: unrelated"),
        Item(
            c,
            "BUG/MINOR: foo: fix",
            f"BUG/MINOR: foo: fix\n\nIt depends on commit {a[:8]}.\nBoth must be backported to 2.8.",
        ),
    ]
    decisions = classify_all(items, HAPROXY)
    assert [d.verdict for d in decisions] == ["yes", "no", "yes"]
    assert decisions[0].source == "lookahead" and c[:8] in decisions[0].reason


def test_lookahead_by_quoted_subject_and_not_for_the_culprit():
    a, b, c = shas(3)
    items = [
        Item(a, "MINOR: foo: add a helper", "MINOR: foo: add a helper"),
        Item(b, "MINOR: foo: new feature", "MINOR: foo: new feature"),
        Item(
            c,
            "BUG/MINOR: foo: fix",
            'BUG/MINOR: foo: fix\n\nThis needs "MINOR: foo: add a helper" too.\n'
            f"The bug was introduced by commit {b[:8]}. Must be backported to 2.8.",
        ),
    ]
    assert [d.verdict for d in classify_all(items, HAPROXY)] == ["yes", "no", "yes"]


def test_lookahead_can_be_turned_off():
    a, c = shas(2)
    items = [
        Item(a, "MINOR: foo: helper", "MINOR: foo: helper"),
        Item(c, "BUG/MINOR: foo: fix", f"BUG/MINOR: foo: fix\n\nRequires {a[:8]}; must be backported to 2.8."),
    ]
    config = rules_config.parse("lookahead: false\n", "rules.yml").with_versions("2.9", ("2.8",))
    assert [d.verdict for d in classify_all(items, config)] == ["no", "yes"]


@pytest.mark.parametrize(
    "culprit_body, expected",
    [
        ("Must be backported to 2.8.", "yes"),
        ("No backport needed.", "no"),
    ],
)
def test_a_fix_of_a_commit_of_the_range_follows_that_commit(culprit_body, expected):
    a, b = shas(2)
    items = [
        Item(a, "BUG/MINOR: foo: fix", f"BUG/MINOR: foo: fix\n\n{culprit_body}"),
        Item(b, "BUG/MINOR: foo: fix the fix", f"BUG/MINOR: foo: fix the fix\n\nThe bug was introduced by {a[:10]}."),
    ]
    decision = classify_all(items, HAPROXY)[1]
    assert decision.verdict == expected and decision.source == "conditional"


def test_unless_condition_follows_the_named_commit():
    a, b, c = shas(3)
    items = [
        Item(a, "MINOR: quic: compat", "MINOR: quic: compat\n\nShould be backported to 2.8."),
        Item(b, "MINOR: quic: more", f"MINOR: quic: more\n\nNo backport needed unless {a[:7]} gets backported."),
        Item(c, "MINOR: quic: other", "MINOR: quic: other\n\nNo backport needed unless 9999999 gets backported."),
    ]
    assert [d.verdict for d in classify_all(items, HAPROXY)] == ["yes", "yes", "uncertain"]


def test_released_culprit_on_a_non_bug_commit_is_uncertain():
    item = Item(SHA, "DOC: config: fix", "DOC: config: fix\n\nThe mistake was introduced by commit abcdef12.")
    assert classify_all([item], HAPROXY)[0].verdict == "uncertain"


# ---------------------------------------------------------------------------- configuration
def test_config_replaces_subjects_and_adds_phrases(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text(
        "version: 1\nsubjects:\n  - pattern: '^\\[stable\\]'\n    verdict: yes\n"
        "phrases:\n  yes: ['\\bstable material\\b']\n  no: ['\\bdev[- ]only\\b']\ndefault: uncertain\n"
    )
    config = rules_config.load(str(path))
    assert verdict("[stable] thing", config) == "yes"
    assert verdict("BUG/MINOR: x", config) == "uncertain"  # the BUG default was replaced
    assert verdict("x: y\n\nThis is stable material.", config) == "yes"
    assert config.source == str(path) and config.digest != "default"


def test_json_config_and_hedged_setting(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"hedged": "uncertain", "stable_versions": ["2.8"], "dev_version": "2.9"}))
    config = rules_config.load(str(path))
    assert verdict("MINOR: x\n\nIt may be backported.", config) == "uncertain"


def test_config_versions_win_over_the_command_line():
    config = rules_config.parse("stable_versions: ['2.6']\n", "r.yml").with_versions("2.9", ("2.8",))
    assert config.stable_versions == ("2.6",) and config.dev_version == "2.9"


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("hedged: maybe\n", 1, "hedged"),
        ("version: 1\nsubjects:\n  - pattern: '^X'\n    verdict: perhaps\n", 4, "subjects.0.verdict"),
        ("version: 1\nsubjects:\n  - verdict: yes\n", 3, "'pattern' is a required property"),
        ("version: 1\nunknown: 3\n", 2, "unknown: Additional properties"),
        ("stable_versions: ['2.8', 'two']\n", 1, "stable_versions.1"),
        ("pr_labels:\n  yes: needs-backport\n", 2, "pr_labels.yes"),
        ("pr_labels:\n  maybe: [x]\n", 2, "pr_labels.maybe"),
        ("phrases:\n  yes: ['(unclosed']\n", 2, "phrases.yes.0: invalid regular expression"),
        ("subjects:\n  - {pattern: '[', verdict: no}\n", 2, "subjects.0.pattern"),
        ("version: [\n", 2, "not valid YAML"),
        ("- a list\n", 1, "is not of type 'object'"),
        ("version: 2\n", 1, "version"),
    ],
)
def test_bad_config_names_file_line_and_field(text, line, words):
    with pytest.raises(ConfigError) as info:
        rules_config.parse(text, "rules.yml")
    assert info.value.file == "rules.yml" and words in info.value.message
    if line is not None:
        assert info.value.line == line


def test_every_schema_error_is_reported_at_once():
    text = "hedged: maybe\nlookahead: 3\npr_labels:\n  no: ['']\n"
    with pytest.raises(ConfigError) as info:
        rules_config.parse(text, "rules.yml")
    message = info.value.message
    assert info.value.line == 1 and "and 2 more problem(s)" in message
    assert "rules.yml:2: lookahead" in message and "rules.yml:4: pr_labels.no.0" in message


def test_every_bad_regular_expression_is_reported_at_once():
    text = (
        "phrases:\n  no: ['ok', '(a']\nsubjects:\n  - {pattern: '^x', verdict: no}\n  - {pattern: '[', verdict: yes}\n"
    )
    with pytest.raises(ConfigError) as info:
        rules_config.parse(text, "rules.yml")
    assert info.value.line == 2 and "phrases.no.1" in info.value.message
    assert "rules.yml:5: subjects.1.pattern: invalid regular expression" in info.value.message


def test_empty_file_means_defaults():
    assert rules_config.parse("", "r.yml").subjects == RulesConfig().subjects


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        rules_config.load(str(tmp_path / "nope.yml"))


def test_shipped_schema_is_valid_and_documents_every_setting():
    import jsonschema

    schema = rules_config.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) >= {"hedged", "default", "subjects", "trailers", "phrases", "lookahead"}


def items(*messages):
    return [Item(sha, m.split("\n", 1)[0], m) for sha, m in zip(shas(len(messages)), messages)]


def test_prerequisites_listed_by_subject_without_quotes():
    commits = items(
        "MINOR: quic: add the helper",
        "MINOR: quic: add the other helper",
        "MINOR: mux: unrelated",
        "BUG/MEDIUM: quic: fix the race\n\nThis must be backported to 2.8 with the following commits:\n"
        "  - MINOR: quic: add the helper\n  - MINOR: quic: add the other helper",
    )
    assert [d.verdict for d in classify_all(commits, HAPROXY)] == ["yes", "yes", "no", "yes"]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("It relies on the previous commit, and must be backported to 2.8.", ["no", "no", "yes", "yes"]),
        ("It must be backported to 2.8 with the two previous patches.", ["no", "yes", "yes", "yes"]),
        ("It must be backported to 2.8 along with the previous ones.", ["no", "yes", "yes", "yes"]),
        ("This must be backported to 2.8.", ["no", "no", "no", "yes"]),
    ],
)
def test_previous_commits(sentence, expected):
    commits = items(
        "MINOR: mux: other area",
        "MINOR: quic: helper one",
        "MINOR: quic: helper two",
        f"BUG/MINOR: quic: fix\n\n{sentence}",
    )
    assert [d.verdict for d in classify_all(commits, HAPROXY)] == expected


@pytest.mark.parametrize("fix_body, expected", [("Must be backported to 2.8.", "yes"), ("No backport needed.", "no")])
def test_a_prerequisite_announcing_the_next_commit_follows_it(fix_body, expected):
    commits = items(
        "MINOR: quic: add a helper\n\nThis is needed by the next commit.", f"BUG/MINOR: quic: fix\n\n{fix_body}"
    )
    assert classify_all(commits, HAPROXY)[0].verdict == expected


@pytest.mark.parametrize(
    "subject, expected",
    [
        ("DOC: config: fix a typo in tune.bufsize", "uncertain"),
        ("DOC: config: document the new keyword", "no"),
        ("BUILD: fix the build with gcc-14", "uncertain"),
        ("REGTESTS: fix a race in the test", "uncertain"),
    ],
)
def test_doc_build_test_fixes_are_flagged_for_review(subject, expected):
    assert verdict(subject) == expected


@pytest.mark.parametrize(
    "message, expected",
    [
        ("BUG/MINOR: a\n\nThis must be backported to 2.8, 2.6 is not affected.", "yes"),
        ("BUG/MINOR: a\n\n2.8 is not affected.", "no"),
        ("BUG/MINOR: a\n\nOlder versions are not affected.", "yes"),  # a limit, the BUG tag decides
        ("BUG/MINOR: a\n\nIt doesn't affect 2.8.", "no"),
        ("MINOR: a\n\nThis is needed in 2.8 as well.", "yes"),
        ("MINOR: a\n\n2.8 is affected too.", "yes"),
        ("MINOR: a\n\nThis bug affects 2.6 and above.", "yes"),
        ("BUG/MINOR: a\n\nThis only affects 2.9.", "no"),
    ],
)
def test_affected_versions(message, expected):
    assert verdict(message) == expected
