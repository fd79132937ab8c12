"""qna.yaml validation against instructlab-schema v1-v3, with line numbers, and seed extraction."""

from pathlib import Path

import pytest

from labeler.taxonomy_bot import qna as taxonomy

ROOT = Path(__file__).parent


def load(tree, rel):
    return taxonomy.parse(rel, (ROOT / tree / rel).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "rel, kind, version, grounded, seeds",
    [
        ("knowledge/science/human_body/tonsils/qna.yaml", "knowledge", 3, True, 15),
        ("compositional_skills/extraction/receipt/totals/qna.yaml", "skill", 3, True, 5),
        ("compositional_skills/writing/poetry/haiku/qna.yaml", "skill", 3, False, 5),
        ("compositional_skills/writing/freeform/limerick/qna.yaml", "skill", 2, False, 5),
        ("compositional_skills/arithmetic/v1/qna.yaml", "skill", 1, False, 1),
    ],
)
def test_valid_files(rel, kind, version, grounded, seeds):
    qna, problems = load("valid", rel)
    assert qna is not None, problems
    assert (qna.kind, qna.version, qna.grounded, len(qna.seeds())) == (kind, version, grounded, seeds)
    assert all(p.severity == "warning" for p in problems)


def test_older_versions_warn_unless_latest_is_required():
    rel = "compositional_skills/writing/freeform/limerick/qna.yaml"
    _, problems = load("valid", rel)
    assert [(p.line, p.severity) for p in problems] == [(1, "warning")]
    qna, problems = taxonomy.parse(rel, (ROOT / "valid" / rel).read_text(), require_latest=True)
    assert qna is None and "not the latest schema version (3)" in problems[0].message


@pytest.mark.parametrize(
    "rel, expected",
    [
        (
            "compositional_skills/too_few/qna.yaml",
            [
                (3, "task_description: must not be empty"),
                (4, "colour: unknown key ('colour' was unexpected)"),
                (6, "seed_examples: needs at least 5 entries, found 3"),
                (10, "seed_examples[1].hint: unknown key ('hint' was unexpected)"),
            ],
        ),
        (
            "compositional_skills/bad_yaml/qna.yaml",
            [
                (
                    5,
                    "not valid YAML: found unexpected end of stream (while scanning a quoted scalar starting on line 5)",
                ),
            ],
        ),
        ("compositional_skills/duplicates/qna.yaml", [(9, "duplicate question (first asked on line 5)")]),
        ("compositional_skills/version4/qna.yaml", [(2, "unsupported version 4 (use one of 1, 2, 3)")]),
        (
            "knowledge/old_v1/qna.yaml",
            [
                (1, "version 1: Version 1 is not supported for knowledge. Minimum supported version is 3."),
            ],
        ),
        (
            "knowledge/missing_outline/qna.yaml",
            [
                (1, "(top level): missing required key 'document_outline'"),
                (9, "seed_examples[0].questions_and_answers: needs at least 3 entries, found 2"),
            ],
        ),
    ],
)
def test_invalid_files_report_lines(rel, expected):
    qna, problems = load("invalid", rel)
    assert qna is None
    assert [(p.line, p.message) for p in problems] == expected
    assert all(p.path == rel and p.severity == "error" for p in problems)


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("- just\n- a list\n", 1, "must be a YAML mapping"),
        ("", 1, "must be a YAML mapping"),
        ("version: true\ncreated_by: x\n", 1, "unsupported version True"),
        ("version: '3'\n", 1, "unsupported version '3'"),
        ("a: [1, 2\n", 1, "while parsing a flow sequence starting on line 1"),
    ],
)
def test_odd_inputs(text, line, fragment):
    qna, problems = taxonomy.parse("compositional_skills/x/qna.yaml", text)
    assert qna is None
    assert problems[0].line == line and fragment in problems[0].message


def test_duplicate_seed_objects_are_caught_by_the_schema():
    seed = "  - question: Same?\n    answer: Same.\n"
    text = "version: 3\ncreated_by: a\ntask_description: t\nseed_examples:\n" + seed * 5
    _, problems = taxonomy.parse("compositional_skills/x/qna.yaml", text)
    assert "seed_examples: has duplicate entries (two identical items)" in [p.message for p in problems]


def test_non_sha_document_commit_is_a_warning():
    rel = "knowledge/science/human_body/tonsils/qna.yaml"
    text = (ROOT / "valid" / rel).read_text().replace("0123456789abcdef0123456789abcdef01234567", "main")
    qna, problems = taxonomy.parse(rel, text)
    assert qna is not None
    assert [(p.severity, p.message) for p in problems] == [
        ("warning", "document.commit 'main' does not look like a commit SHA")
    ]
    assert problems[0].line == text.splitlines().index("  commit: main") + 1


def test_path_outside_the_taxonomy_is_refused():
    qna, problems = taxonomy.parse("docs/qna.yaml", "version: 3\n")
    assert qna is None and "not under knowledge/" in problems[0].message


@pytest.mark.parametrize(
    "path, expected",
    [
        ("knowledge/a/b/qna.yaml", True),
        ("compositional_skills/a/qna.yaml", True),
        ("foundational_skills/a/qna.yaml", False),
        ("knowledge/a/attribution.txt", False),
        ("docs/template_qna.yaml", False),
        ("knowledge/qna.yaml.bak", False),
    ],
)
def test_is_qna(path, expected):
    assert taxonomy.is_qna(path) is expected


def test_knowledge_seeds_carry_their_context():
    qna, _ = load("valid", "knowledge/science/human_body/tonsils/qna.yaml")
    first = qna.seeds()[0]
    assert first.question == "Where are the palatine tonsils located?"
    assert first.context.startswith("The palatine tonsils are two oval masses")
    assert qna.task == "Human anatomy"


def test_freeform_seeds_have_no_context():
    qna, _ = load("valid", "compositional_skills/writing/poetry/haiku/qna.yaml")
    assert {s.context for s in qna.seeds()} == {None}
    assert qna.seeds()[0].answer.splitlines()[0] == "Waves fold into foam"


@pytest.mark.parametrize(
    "version, text, expected",
    [
        (3, None, "attribution.txt is missing"),
        (3, "  \n", "attribution.txt is empty"),
        (3, "Title of work: x\n", None),
        (1, None, None),
    ],
)
def test_attribution(version, text, expected):
    qna = taxonomy.Qna("compositional_skills/a/qna.yaml", "skill", version, {})
    problem = taxonomy.attribution_problem(qna, text)
    assert (problem.message.split(" (")[0] if problem else None) == expected
    if problem:
        assert problem.path == "compositional_skills/a/attribution.txt"


class StubGitHub:
    """Only the two calls read_changed makes; records the refs it was asked for."""

    def __init__(self, files, tree):
        self.files, self.tree, self.refs = files, tree, []

    def pull_files(self, number):
        return self.files

    def file_at(self, path, ref):
        self.refs.append(ref)
        return self.tree.get(path)


def test_read_changed_filters_pins_and_caps():
    skill = (ROOT / "valid/compositional_skills/writing/poetry/haiku/qna.yaml").read_text()
    files = [{"filename": f"compositional_skills/s{i}/qna.yaml", "status": "added"} for i in range(3)]
    files += [
        {"filename": "compositional_skills/gone/qna.yaml", "status": "removed"},
        {"filename": "README.md", "status": "modified"},
        {"filename": "compositional_skills/s0/attribution.txt", "status": "added"},
    ]
    tree = {f"compositional_skills/s{i}/qna.yaml": skill for i in range(3)}
    tree["compositional_skills/s0/attribution.txt"] = "Title of work: x"
    gh = StubGitHub(files, tree)
    qnas, problems = taxonomy.read_changed(gh, 7, "a" * 40, max_files=2)
    assert [q.path for q in qnas] == ["compositional_skills/s0/qna.yaml"]
    assert [(p.path, p.severity) for p in problems] == [
        ("compositional_skills/s2/qna.yaml", "warning"),  # over max-files: named, not checked
        ("compositional_skills/s1/attribution.txt", "error"),
    ]
    assert set(gh.refs) == {"a" * 40}


def test_read_changed_reports_a_file_missing_at_the_sha():
    gh = StubGitHub([{"filename": "knowledge/a/qna.yaml", "status": "modified"}], {})
    qnas, problems = taxonomy.read_changed(gh, 7, "b" * 40)
    assert qnas == [] and problems[0].message == f"not found at commit {'b' * 12}"
