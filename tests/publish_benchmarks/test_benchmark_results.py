"""Results files for publish-benchmarks: JSON/YAML with the shipped schema, ilab text reports, bad input."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from labeler.errors import UserError
from labeler.publish_benchmarks import read, structured
from labeler.publish_benchmarks.results import Pair

HERE = Path(__file__).parent / "benchmarks_results"
BOSTON = "knowledge_history_public_transportation_boston"
SYNONYMS = "compositional_skills/linguistics/synonyms/qna.yaml"
TABLES = "compositional_skills/grounded/reasoning/tables/qna.yaml"


def load(name: str, **kw):
    return read.load(str(HERE / name), **kw)


# ------------------------------------------------------------------------------ good input
def test_yaml_and_json_fixtures_are_the_same_results():
    a, b = load("cmb_build.yaml"), load("cmb_build.json")
    assert a.as_dict() == b.as_dict()
    assert a.build_id == "cmb-2024-08-26" and a.build_url == "https://example.org/builds/cmb-2024-08-26"
    assert a.links[0].title == "Model card"
    assert (a.base_model, a.new_model) == ("granite-7b-lab", "granite-7b-lab-cmb-2024-08-26")
    assert a.general["mmlu"] == Pair(0.51, 0.52)
    assert a.general["mt_bench_error_rate"] == Pair(0.02, 0.01)
    assert a.mmlu_branch[BOSTON] == Pair(0.40, 0.58)
    assert a.mt_bench_branch[SYNONYMS].delta == pytest.approx(-2.37)
    assert a.mt_bench_branch[TABLES] == Pair(None, 5.5) and a.mt_bench_branch[TABLES].delta is None


def test_ilab_text_report_converts_to_the_same_scores():
    text = load("ilab_evaluate.log", build_id="cmb-2024-08-26").as_dict()
    structured_ = load("cmb_build.yaml").as_dict()
    for key in ("mmlu", "mt_bench", "mmlu_branch", "mt_bench_branch"):
        assert text[key] == structured_[key], key
    assert text["models"] == {
        "base": "/var/lib/builds/cmb-2024-08-26/granite-7b-lab",
        "new": "/var/lib/builds/cmb-2024-08-26/checkpoints/samples_74880",
    }


def test_converted_text_report_validates_against_the_shipped_schema(tmp_path):
    data = load("ilab_evaluate.log", build_id="b1", build_url="https://ci.example/b/1").as_dict()
    assert not list(Draft202012Validator(structured.schema()).iter_errors(data))
    out = tmp_path / "r.json"
    out.write_text(json.dumps(data))
    assert read.load(str(out)).as_dict() == data


def test_no_change_and_new_rows_and_missing_error_rate():
    r = load("skills_only.log", build_id="rc2")
    assert r.mt_bench_branch["compositional_skills/extraction/inference/qualitative/e2e-siblings/qna.yaml"] == Pair(
        6.5, 6.5
    )
    assert r.mt_bench_branch["compositional_skills/writing/freeform/haiku/qna.yaml"] == Pair(None, 7.25)
    assert r.general == {} and r.mmlu_branch == {}
    g = load("general_new_only.log", build_id="rc2").general
    assert g["mt_bench"] == Pair(None, 7.0) and g["mt_bench_turn_two"] == Pair(None, 6.6)
    assert g["mt_bench_error_rate"] == Pair(None, 0.0)  # ilab prints ERROR RATE only when above zero
    assert "mmlu" not in g


def test_build_overrides_apply_to_structured_files():
    r = load("cmb_build.yaml", build_id="override-1", build_url="https://ci.example/x")
    assert (r.build_id, r.build_url) == ("override-1", "https://ci.example/x")


# ------------------------------------------------------------------------------ bad structured input
GOOD = textwrap.dedent("""\
    build: {id: b1}
    models: {base: a, new: b}
    mmlu: {base: 0.5, new: 0.6}
    mt_bench_branch:
      compositional_skills/x/qna.yaml: {base: 5, new: 6}
    mmlu_branch:
      knowledge_a_b: {base: 0.1, new: 0.2}
""")

BAD_YAML = [
    ("build: {id: b1\nmodels: x\n", "not valid YAML", 2),
    ("- a\n- b\n", "must be a mapping", 1),
    ("", "must be a mapping", 1),
    ("models: {base: a, new: b}\n", "'build' is a required property", 1),
    (GOOD.replace("id: b1", "id: 'b 1'"), "build.id:", 1),
    (GOOD.replace("id: b1", "id: 20240826"), "build.id: 20240826 is not of type 'string'", 1),
    (GOOD.replace("new: 0.6", "new: 1.5"), "mmlu.new: 1.5 is greater than the maximum of 1", 3),
    (GOOD.replace("new: 0.6", "new: '0.6'"), "mmlu.new: '0.6' is not of type 'number'", 3),
    (GOOD.replace("new: 0.6", "new: true"), "mmlu.new: True is not of type 'number'", 3),
    (GOOD.replace("base: 0.5, new: 0.6", "base: 0.5"), "mmlu: 'new' is a required property", 3),
    (GOOD.replace("new: 0.6", "new: .nan"), "mmlu.new: nan is not a score", 3),
    (
        GOOD.replace("compositional_skills/x/qna.yaml", "compositional_skills/x/README.md"),
        'mt_bench_branch["compositional_skills/x/README.md"]: not a qna.yaml path',
        5,
    ),
    (GOOD.replace("compositional_skills/x/qna.yaml", "../x/qna.yaml"), "not a qna.yaml path", 5),
    (GOOD.replace("compositional_skills/x/qna.yaml", "/abs/x/qna.yaml"), "not a qna.yaml path", 5),
    (GOOD.replace("knowledge_a_b:", "'knowledge a b':"), "not a task name", 7),
    (GOOD.replace("knowledge_a_b:", "123:"), "not a task name", 7),
    (GOOD.replace("{base: 5, new: 6}", "{base: 5, new: 11}"), "is greater than the maximum of 10", 5),
    (GOOD.replace("{base: 5, new: 6}", "{base: -1, new: 6}"), "is less than the minimum of 0", 5),
    (GOOD + "extra: 1\n", "extra: unknown field", 8),
    (GOOD.replace("{base: 5, new: 6}", "{base: 5, new: 6, old: 4}"), ".old: unknown field", 5),
    (GOOD + "mmlu_branch:\n  knowledge_c: {new: 0.1}\n", "duplicate key 'mmlu_branch'", 8),
    (
        GOOD.replace(
            "  knowledge_a_b: {base: 0.1, new: 0.2}", "  knowledge_a_b: {new: 0.2}\n  knowledge_a_b: {new: 0.3}"
        ),
        "duplicate key 'knowledge_a_b'",
        8,
    ),
    (GOOD.replace("build: {id: b1}", "build: {id: b1, url: 'javascript:alert(1)'}"), "build.url:", 1),
    (GOOD.replace("build: {id: b1}", "build: {id: b1, links: [{title: x}]}"), "'url' is a required property", 1),
    (GOOD + "mt_bench: {base: 7}\n", "mt_bench: 'new' is a required property", 8),
    (GOOD + "mt_bench: {new: 7, error_rate: {new: 3}}\n", "mt_bench.error_rate.new: 3 is greater", 8),
    (GOOD + "version: 2\n", "version: 1 was expected", 8),
    (GOOD.replace("models: {base: a, new: b}", "models: {base: a}"), "models: 'new' is a required property", 2),
]


@pytest.mark.parametrize("text, message, line", BAD_YAML)
def test_bad_yaml_names_file_line_and_field(tmp_path, text, message, line):
    path = tmp_path / "results.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as err:
        read.load(str(path))
    assert message in err.value.message
    assert (err.value.file, err.value.line) == (str(path), line)


BAD_JSON = [
    (
        '{"build": {"id": "b1"},\n "models": {"base": "a", "new": "b"},\n "mmlu": {"new": NaN}}',
        "NaN is not a score",
        None,
    ),
    ('{"build": {"id": "b1"},\n "models": {"base": "a" "new": "b"}}', "not valid JSON", 2),
    (
        '{"build": {"id": "b1"},\n "models": {"base": "a", "new": "b"},\n "mmlu": {"new": 2}}',
        "mmlu.new: 2 is greater than the maximum of 1",
        3,
    ),
    (
        '{"build": {"id": "b1"},\n "models": {"base": "a", "new": "b"},\n "models": {"base": "a", "new": "c"}}',
        "duplicate key 'models'",
        3,
    ),
]


@pytest.mark.parametrize("text, message, line", BAD_JSON)
def test_bad_json_names_file_line_and_field(tmp_path, text, message, line):
    path = tmp_path / "results.json"
    path.write_text(text)
    with pytest.raises(UserError) as err:
        read.load(str(path))
    assert message in err.value.message and err.value.line == line and err.value.file == str(path)


def test_unreadable_files(tmp_path):
    with pytest.raises(UserError, match="not found"):
        read.load(str(tmp_path / "missing.json"))
    with pytest.raises(UserError, match="directory"):
        read.load(str(tmp_path))
    (tmp_path / "latin1.yaml").write_bytes(b"build: {id: caf\xe9}\n")
    with pytest.raises(UserError, match="not UTF-8"):
        read.load(str(tmp_path / "latin1.yaml"))


@pytest.mark.parametrize(
    "build_id, build_url, message",
    [
        ("has space", None, "--build-id"),
        ("-leading", None, "--build-id"),
        ("x" * 101, None, "--build-id"),
        ("ok", "ftp://x", "--build-url"),
        ("ok", "https://x/ y", "--build-url"),
    ],
)
def test_bad_overrides(build_id, build_url, message):
    with pytest.raises(UserError, match=message):
        load("cmb_build.yaml", build_id=build_id, build_url=build_url)


# ------------------------------------------------------------------------------ bad text reports
BRANCH = textwrap.dedent("""\
    # SKILL EVALUATION REPORT

    ## BASE MODEL (SCORE)
    base (5.0/10.0)

    ## MODEL (SCORE)
    new (6.0/10.0)

    ### IMPROVEMENTS (0.0 to 10.0):
    1. compositional_skills/a/qna.yaml: 4.0 -> 6.0 (+2.0)
""")

BAD_TEXT = [
    ("just a log line\n", "no `# SKILL EVALUATION REPORT`", 1),
    (BRANCH.replace("4.0 -> 6.0 (+2.0)", "4.0 6.0"), "expected `N. task: base -> new (delta)`", 10),
    (BRANCH.replace("(+2.0)", "(+1.0)"), "delta +1.0 does not match 4.0 -> 6.0", 10),
    (BRANCH.replace("4.0 -> 6.0 (+2.0)", "6.0 -> 4.0 (-2.0)"), "is listed under IMPROVEMENTS", 10),
    (BRANCH.replace("4.0 -> 6.0 (+2.0)", "4.0 -> 12.0 (+8.0)"), "new score 12.0 is outside 0 to 10.0", 10),
    (BRANCH.replace("new (6.0/10.0)", "new 6.0"), "expected `model-name (score/10.0)`", 7),
    (BRANCH + "2. compositional_skills/a/qna.yaml: 4.0 -> 6.0 (+2.0)\n", "appears twice", 11),
    (
        BRANCH.replace("compositional_skills/a/qna.yaml", "compositional_skills/a/README.md"),
        "is not a qna.yaml path",
        10,
    ),
    (BRANCH.replace("## MODEL (SCORE)\nnew (6.0/10.0)\n", ""), "has no ## MODEL (SCORE)", 1),
    (BRANCH.replace("## BASE MODEL (SCORE)\nbase (5.0/10.0)\n", ""), "rows in a report without ## BASE MODEL", 8),
    (BRANCH + "\n### TURN ONE (0.0 to 10.0):\nseven\n", "expected one number under ### TURN ONE", 13),
    (
        BRANCH
        + "# SKILL EVALUATION REPORT\n## BASE MODEL (SCORE)\nbase (5.0/10.0)\n## MODEL (SCORE)\nnew (6.0/10.0)\n",
        "second MT-Bench-Branch report (first at line 1)",
        11,
    ),
    (
        BRANCH
        + "# KNOWLEDGE EVALUATION REPORT\n## BASE MODEL (SCORE)\nother (0.5/1.0)\n## MODEL (SCORE)\nnew (0.6/1.0)\n",
        "names base model 'other'",
        13,
    ),
    (BRANCH + "# SKILL EVALUATION REPORT\n## MODEL (SCORE)\nstranger (7.0/10.0)\n", "neither the base model", 13),
    (
        BRANCH + "# SKILL EVALUATION REPORT\n## MODEL (SCORE)\nbase (7.0/10.0)\n",
        "MT-Bench report for the base model but none for the new model",
        11,
    ),
    (
        BRANCH + "# SKILL EVALUATION REPORT\n## MODEL (SCORE)\nnew (7.0/10.0)\n# SKILL EVALUATION REPORT\n"
        "## MODEL (SCORE)\nnew (7.1/10.0)\n",
        "second MT-Bench report for the new model",
        14,
    ),
    ("# KNOWLEDGE EVALUATION REPORT\n## MODEL (SCORE)\nnew (0.5/1.0)\n", "no branch report", 1),
    (
        (
            "# KNOWLEDGE EVALUATION REPORT\n## BASE MODEL (SCORE)\nb (0.5/1.0)\n## MODEL (SCORE)\nn (0.6/1.0)\n"
            "### TURN ONE (0.0 to 10.0):\n0.7\n"
        ),
        "belong to a SKILL report",
        1,
    ),
    (
        (
            "# KNOWLEDGE EVALUATION REPORT\n## BASE MODEL (SCORE)\nb (0.5/1.0)\n## MODEL (SCORE)\nn (0.6/1.0)\n"
            "### IMPROVEMENTS (0.0 to 1.0):\n1. knowledge a b: 0.5 -> 0.6 (+0.1)\n"
        ),
        "is not a task name",
        7,
    ),
]


@pytest.mark.parametrize("text, message, line", BAD_TEXT)
def test_bad_text_report_names_file_and_line(tmp_path, text, message, line):
    path = tmp_path / "eval.log"
    path.write_text(text)
    with pytest.raises(UserError) as err:
        read.load(str(path), build_id="b1")
    assert message in err.value.message
    assert (err.value.file, err.value.line) == (str(path), line)


def test_text_report_needs_a_build_id():
    with pytest.raises(UserError, match="--build-id"):
        load("ilab_evaluate.log")


def test_log_lines_between_and_after_sections_are_skipped(tmp_path):
    path = tmp_path / "eval.txt"
    path.write_text("starting\n" + BRANCH + "INFO done in 3s\nWARNING something\n")
    r = read.load(str(path), build_id="b1")
    assert r.mt_bench_branch == {"compositional_skills/a/qna.yaml": Pair(4.0, 6.0)}


def test_a_yaml_file_is_never_read_as_a_text_report(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("# SKILL EVALUATION REPORT\n")
    with pytest.raises(UserError, match="must be a mapping"):
        read.load(str(path))


def test_a_log_that_is_neither_format_says_so(tmp_path):
    path = tmp_path / "eval.log"
    path.write_text("Generating answers...\nkey: value: broken\n")
    with pytest.raises(UserError, match="neither a JSON/YAML results mapping nor an `ilab model evaluate`"):
        read.load(str(path))
