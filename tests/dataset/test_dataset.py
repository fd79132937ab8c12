"""Datasets: the JSONL reader, label selection, splits, export with card and fine-tuning files."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from labeler import examples
from labeler.cli import main
from labeler.dataset import export as dataset
from labeler.errors import UserError
from labeler.examples import Example
from labeler.history import store as history
from labeler.history.store import StoredIssue


def ex(i, labels, created=None):
    return Example(id=f"r#{i}", title=f"t{i}", body="b", labels=tuple(labels), created_at=created)


# reading ---------------------------------------------------------------------------------------


def test_reader_keeps_extra_fields_and_skips_blank_lines(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"title": "a", "labels": ["bug"], "number": 3}\n\n{"title": "b", "body": null, "labels": []}\n')
    rows = examples.read_jsonl(str(path))
    assert [r.id for r in rows] == ["d.jsonl:1", "d.jsonl:3"]
    assert rows[0].extra == {"number": 3} and rows[1].body == ""
    assert json.loads(json.dumps(rows[0].to_json()))["number"] == 3


def test_reader_file_errors(tmp_path):
    with pytest.raises(UserError, match="cannot read the dataset"):
        examples.read_jsonl(str(tmp_path / "missing.jsonl"))
    (tmp_path / "latin1.jsonl").write_bytes(b'{"title": "caf\xe9", "labels": []}\n')
    with pytest.raises(UserError, match="not UTF-8"):
        examples.read_jsonl(str(tmp_path / "latin1.jsonl"))


def test_duplicate_labels_in_a_record_collapse():
    assert examples.parse_record({"title": "t", "labels": ["a", "a", "b"]}, "x").labels == ("a", "b")


# selecting labels ------------------------------------------------------------------------------


def test_family_min_examples_and_exclusion():
    rows = [ex(1, ["area/ui", "bug"]), ex(2, ["area/ui"]), ex(3, ["area/db"]), ex(4, ["area/ui", "automated-triage"])]
    sel = examples.select_labels(rows, family="area/*", min_examples=2, exclude=("automated-triage",))
    assert sel.labels == ["area/ui"] and sel.dropped == {"area/db": 1}
    assert [e.labels for e in sel.examples] == [("area/ui",), ("area/ui",), ()]


# splits ----------------------------------------------------------------------------------------


def _corpus():
    rows = [ex(i, ["common"]) for i in range(60)] + [ex(100 + i, ["rare"]) for i in range(5)]
    return rows + [ex(200, ["single"]), ex(201, ["pair"]), ex(202, ["pair"]), ex(300, [])]


def test_every_issue_in_exactly_one_split_and_labels_stratified():
    rows = dataset.assign_splits(_corpus(), seed=4)
    assert sorted(e.id for e in rows) == sorted(e.id for e in _corpus())
    assert all(e.split in dataset.SPLITS for e in rows)
    counts = dataset.split_counts(rows)
    assert counts["common"] == {"train": 48, "val": 6, "test": 6}
    assert all(counts["rare"][s] >= 1 for s in dataset.SPLITS)  # 5 issues still reach every split
    assert counts["single"] == {"train": 1, "val": 0, "test": 0}
    assert counts["pair"] == {"train": 1, "val": 0, "test": 1}


def test_multi_label_issues_stratify_by_their_rarest_label():
    rows = [ex(i, ["common", "rare"] if i < 10 else ["common"]) for i in range(50)]
    counts = dataset.split_counts(dataset.assign_splits(rows))
    assert all(counts["rare"][s] >= 1 for s in dataset.SPLITS)


def test_splits_are_deterministic_per_seed():
    def mapping(seed):
        return {e.id: e.split for e in dataset.assign_splits(_corpus(), seed=seed)}

    assert mapping(1) == mapping(1)
    assert mapping(1) != mapping(2)


def test_time_split_puts_the_newest_issues_in_test():
    rows = [ex(i, ["x"], created=f"2024-01-{i + 1:02d}T00:00:00Z") for i in range(20)]
    out = dataset.assign_splits(rows, method="time")
    by_split = {s: [e.created_at for e in out if e.split == s] for s in dataset.SPLITS}
    assert max(by_split["train"]) < min(by_split["val"]) <= max(by_split["val"]) < min(by_split["test"])


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"fractions": (0.5, 0.1, 0.1)}, "add up to 1"),
        ({"fractions": (1.2, -0.1, -0.1)}, ">= 0"),
        ({"method": "random"}, "unknown split method"),
    ],
)
def test_bad_split_options(kw, message):
    with pytest.raises(UserError, match=message):
        dataset.assign_splits(_corpus(), **kw)


# export ----------------------------------------------------------------------------------------

BUG_OK = "### Version\n1.2\n### Steps to reproduce\n1. a\n2. b\n### Expected\nx but y\n```log\nError: z\n```"


def make_history(path, n=40):
    rows = []
    for i in range(1, n + 1):
        labels = ["area/ui" if i % 2 else "area/db"] + (["bug"] if i % 3 == 0 else [])
        if i % 5 == 0:
            labels.append("needs more info")
        if i % 7 == 0:
            labels.append("automated-triage")
        rows.append(
            StoredIssue(
                i,
                f"Issue {i}",
                "short" if i % 5 == 0 else BUG_OK,
                tuple(labels),
                "closed",
                "completed",
                created_at=f"2024-02-{1 + i % 28:02d}T00:00:00Z",
                html_url=f"https://github.com/acme/widgets/issues/{i}",
            )
        )
    rows.append(StoredIssue(99, "Untriaged", "?", (), "open"))
    conn = history.connect(str(path))
    history.upsert(conn, rows)
    history.set_meta(conn, "repo", "acme/widgets")
    conn.commit()
    conn.close()
    return str(path)


def read(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def test_export_writes_splits_card_and_finetuning_files(tmp_path, capsys):
    db = make_history(tmp_path / "h.db")
    assert (
        main(
            [
                "dataset",
                "export",
                "--db",
                db,
                "--out",
                str(tmp_path / "ds"),
                "--family",
                "area/*",
                "--exclude-label",
                "automated-triage",
                "--min-examples",
                "2",
            ]
        )
        == 0
    )
    ds = tmp_path / "ds"
    issues = read(ds / "issues.jsonl")
    assert len(issues) == 40 - 5  # issues 7, 14, .. carry the bot's label: left out; #99 has no area label
    assert all(set(r["labels"]) <= {"area/ui", "area/db"} and r["source"] == "github:acme/widgets" for r in issues)
    ids = [r["id"] for s in ("train", "val", "test") for r in read(ds / f"{s}.jsonl")]
    assert len(ids) == len(set(ids)) == len(issues)  # no issue in two splits
    card = (ds / "README.md").read_text()
    assert "| area/ui |" in card and "| label | train | val | test | total |" in card
    cat = read(ds / "finetune" / "categorizer.train.jsonl")
    assert [m["role"] for m in cat[0]["messages"]] == ["system", "user", "assistant"]
    assert set(json.loads(cat[0]["messages"][2]["content"])["labels"]) <= {"area/ui", "area/db"}
    assert not (ds / "finetune" / "categorizer.test.jsonl").exists()
    qual = read(ds / "finetune" / "qualitizer.train.jsonl") + read(ds / "finetune" / "qualitizer.val.jsonl")
    answers = [json.loads(r["messages"][2]["content"]) for r in qual]
    assert Counter(a["complete"] for a in answers)[False] >= 1 and all(isinstance(a["missing"], list) for a in answers)
    assert all(a["missing"] for a in answers if not a["complete"])
    assert "exported 35 issues of acme/widgets" in capsys.readouterr().out


def test_exported_files_train_and_evaluate(tmp_path, capsys):
    pytest.importorskip("sklearn")
    db = make_history(tmp_path / "h.db", n=80)
    assert main(["dataset", "export", "--db", db, "--out", str(tmp_path / "ds"), "--family", "area/*"]) == 0
    assert main(["model", "train", "--data", str(tmp_path / "ds" / "issues.jsonl"), "--out", str(tmp_path / "m")]) == 0
    assert (
        main(
            [
                "model",
                "eval",
                "--model",
                str(tmp_path / "m"),
                "--data",
                str(tmp_path / "ds" / "test.jsonl"),
                "--json",
                str(tmp_path / "r.json"),
            ]
        )
        == 0
    )


def test_no_qualitizer_without_the_label(tmp_path):
    db = make_history(tmp_path / "h.db")
    assert main(["dataset", "export", "--db", db, "--out", str(tmp_path / "ds"), "--needs-info-label", "stale"]) == 0
    assert not (tmp_path / "ds" / "finetune" / "qualitizer.train.jsonl").exists()


def test_export_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # the annotations below are the Actions format
    empty = history.connect(str(tmp_path / "empty.db"))
    empty.close()
    assert main(["dataset", "export", "--db", str(tmp_path / "empty.db"), "--out", str(tmp_path / "o")]) == 1
    assert "no issues to export" in capsys.readouterr().out
    db = make_history(tmp_path / "h.db")
    assert main(["dataset", "export", "--db", db, "--out", str(tmp_path / "o"), "--family", "nothing/*"]) == 1
    assert "no issue has a label" in capsys.readouterr().out
    assert main(["dataset", "export", "--db", db, "--out", str(tmp_path / "o"), "--fractions", "0.8,0.2"]) == 1
    assert "three numbers" in capsys.readouterr().out
    assert main(["dataset", "export", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "o")]) == 1
    assert "history sync" in capsys.readouterr().out
