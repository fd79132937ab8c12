"""`labeler model train|eval` in-process: files in, files and exit codes out."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("sklearn")

from labeler.cli import main
from labeler.dataset.export import assign_splits
from labeler.examples import write_jsonl
from labeler.model import synthetic


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    rows = assign_splits(synthetic.corpus(25, noise=0.25, seed=7), seed=3)
    write_jsonl(str(tmp_path / "issues.jsonl"), rows)
    for split in ("train", "val", "test"):
        write_jsonl(str(tmp_path / f"{split}.jsonl"), [e for e in rows if e.split == split])
    return tmp_path


def test_train_then_eval_writes_a_report(files, capsys):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "model"]) == 0
    assert "thresholds for precision 0.9" in capsys.readouterr().out
    assert main(["model", "eval", "--model", "model", "--data", "test.jsonl", "--json", "r.json"]) == 0
    out = capsys.readouterr().out
    assert "macro F1" in out and "confusion matrix" in out
    report = json.loads((files / "r.json").read_text())
    assert {"macro_f1", "micro_f1", "per_label", "at_thresholds", "coverage_curve"} <= set(report)
    assert "macro-f1<<" in (files / "output").read_text()
    summary = (files / "summary.md").read_text()
    assert "Offline model evaluation" in summary
    assert "```mermaid\nxychart-beta" in summary and summary.count("    line [") == 2
    assert "| true \\ predicted | `bug` | `feature` | `question` |" in summary
    grid = report["confusion"]["rows_gold_cols_predicted"]
    assert f"| `bug` | {' | '.join(map(str, grid[0]))} |" in summary


def test_split_field_selects_train_val_and_test(files, capsys):
    assert main(["model", "train", "--data", "issues.jsonl", "--out", "m", "--target-precision", "0.8"]) == 0
    meta = json.loads((files / "m" / "meta.json").read_text())
    assert meta["calibration"] == "validation file"
    assert meta["counts"]["train"] == sum(1 for line in open(files / "train.jsonl"))
    assert main(["model", "eval", "--model", "m", "--data", "issues.jsonl"]) == 0
    reports = list((files / "reports").glob("eval_*.json"))
    assert len(reports) == 1
    assert json.loads(reports[0].read_text())["issues"] == sum(1 for line in open(files / "test.jsonl"))


def test_min_macro_f1_gate_fails_the_step(files, capsys):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m"]) == 0
    assert main(["model", "eval", "--model-dir", "m", "--data", "test.jsonl", "--json", "r.json"]) == 0
    assert "deprecated" not in capsys.readouterr().err
    report = json.loads((files / "r.json").read_text())
    expected = 0 if report["macro_f1"] >= 1.0 else 1
    assert (
        main(["model", "eval", "--model", "m", "--data", "test.jsonl", "--json", "r.json", "--min-macro-f1", "1.0"])
        == expected
    )
    assert (
        main(["model", "eval", "--model", "m", "--data", "test.jsonl", "--json", "r.json", "--min-macro-f1", "0.0"])
        == 0
    )


def test_malformed_line_names_file_and_line(files, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # the annotations below are the Actions format
    text = (files / "train.jsonl").read_text().splitlines()
    text[2] = '{"title": "broken", "labels": ["bug"]'
    (files / "bad.jsonl").write_text("\n".join(text) + "\n")
    assert main(["model", "train", "--data", "bad.jsonl", "--out", "m"]) == 1
    assert "::error file=bad.jsonl,line=3::not valid JSON" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "the dataset has no records"),
        ("\n\n", "the dataset has no records"),
        ('{"title": 5, "labels": []}\n', "line=1::'title' must be a string"),
        ('{"title": "x", "labels": "bug"}\n', "'labels' must be a list"),
        ('{"title": "x", "labels": [""]}\n', "'labels' must be a list of non-empty strings"),
        ('{"title": "x", "labels": [], "split": "dev"}\n', "'split' must be one of"),
        ("[1, 2]\n", "each line must be a JSON object"),
        ('{"id": 1, "title": "x", "labels": []}\n{"id": 1, "title": "y", "labels": []}\n', "line=2::duplicate id"),
    ],
)
def test_bad_datasets_are_user_errors(files, capsys, content, message, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # the annotations below are the Actions format
    (files / "bad.jsonl").write_text(content)
    assert main(["model", "train", "--data", "bad.jsonl", "--out", "m"]) == 1
    assert message in capsys.readouterr().out


def test_bad_c_and_missing_model(files, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # the annotations below are the Actions format
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m", "--C", "-1"]) == 1
    assert "--C must be positive" in capsys.readouterr().out
    assert main(["model", "eval", "--model", "nowhere", "--data", "test.jsonl"]) == 1
    assert "meta.json is missing" in capsys.readouterr().out


def test_family_and_min_examples_filter_labels(files, capsys):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m", "--family", "b*", "--C", "auto"]) == 0
    meta = json.loads((files / "m" / "meta.json").read_text())
    assert meta["labels"] == ["bug"] and meta["mode"] == "multi"
    assert set(meta["params"]["C_grid_macro_f1"]) == {"1.0", "3.0", "10.0", "30.0"}


def test_command_modules_import_no_heavy_libraries():
    """`labeler model --help` and friends must not pull scikit-learn, PyGithub or the LLM SDKs."""
    import subprocess
    import sys

    code = (
        "import sys, labeler.model.command, labeler.history.command, labeler.dataset.command, "
        "labeler.missing_info.command, labeler.monitor.command, labeler.label_issue.retrieval; "
        "print(sorted(m for m in ('sklearn', 'numpy', 'github', 'anthropic', 'openai') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_conservative_thresholds_are_recorded(files, capsys):
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m", "--conservative"]) == 0
    assert json.loads((files / "m" / "meta.json").read_text())["params"]["z"] == 1.0


def test_eval_model_is_a_deprecated_alias_of_model_dir(files, capsys):
    """`--model` is a model name everywhere else; the old `eval --model DIR` still works, with a warning."""
    assert main(["model", "train", "--data", "train.jsonl", "--out", "m"]) == 0
    capsys.readouterr()
    assert main(["model", "eval", "--model", "m", "--data", "test.jsonl", "--json", "r.json"]) == 0
    assert "use --model-dir" in capsys.readouterr().err
    assert main(["model", "eval", "--data", "test.jsonl"]) == 2
    assert "--model-dir" in capsys.readouterr().err
    assert main(["model", "eval", "--help"]) == 0
    assert "--model-dir" in (out := capsys.readouterr().out) and "--model " not in out
