"""Learning a repository: when a model directory is reused or learned again, what learning writes, and
that the "learned" block read back from a (cached, untrusted) meta.json is validated."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

from labeler.examples import Example, read_jsonl
from labeler.model import learn, predict

HISTORY = Path(__file__).resolve().parents[2] / "examples" / "history.jsonl"
LABELS = ["bug", "documentation", "enhancement", "question"]
SOURCE = "github:acme/widgets"


@pytest.fixture(scope="module")
def history():
    return read_jsonl(str(HISTORY))


@pytest.fixture(scope="module")
def model_dir(history, tmp_path_factory):
    path = tmp_path_factory.mktemp("learned")
    learn.learn(history, str(path), source=SOURCE, labels=LABELS)
    return path


def fresh(model_dir, **kw):
    args = {"max_age_days": 7, "source": SOURCE, "labels": LABELS} | kw
    return learn.stale(str(model_dir), **args)


def test_a_fresh_model_is_reused(model_dir):
    assert fresh(model_dir) is None


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"now": dt.timedelta(days=8)}, "days old"),
        ({"max_age_days": 0.0001, "now": dt.timedelta(minutes=1)}, "days old"),
        ({"source": "github:acme/other"}, "another source"),
        ({"labels": ["bug", "question"]}, "labels of labels.yml changed"),
    ],
)
def test_an_old_foreign_or_outdated_model_is_learned_again(model_dir, change, why):
    if "now" in change:  # that long after training
        trained = dt.datetime.fromisoformat(predict.read_meta(str(model_dir))["trained_at"])
        change = {**change, "now": trained + change["now"]}
    assert why in fresh(model_dir, **change)


def test_missing_or_empty_directory(tmp_path):
    assert "no model" in fresh(tmp_path / "none")
    (tmp_path / "empty").mkdir()
    assert "no model" in fresh(tmp_path / "empty")


@pytest.mark.parametrize(
    "meta",
    ["{not json", json.dumps({"format": "pickle"}), json.dumps([1, 2])],
)
def test_an_unreadable_model_is_learned_again(tmp_path, meta):
    (tmp_path / "meta.json").write_text(meta)
    assert "unusable" in fresh(tmp_path)


@pytest.mark.parametrize("when", ["yesterday-ish", "2999-01-01T00:00:00+00:00", None])
def test_a_training_time_that_is_not_a_time_or_in_the_future_is_learned_again(model_dir, tmp_path, when):
    for f in model_dir.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    meta = json.loads((tmp_path / "meta.json").read_text())
    meta["trained_at"] = when
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    assert "no valid training time" in fresh(tmp_path)


def test_learning_writes_a_model_that_says_where_it_comes_from(model_dir, history):
    predictor = predict.load(str(model_dir))
    got = learn.learned(predictor.meta, LABELS)
    assert got.source == SOURCE and got.target == 0.9
    assert got.issues == sum(1 for e in history if set(e.labels) & {"bug", "enhancement", "question"})
    assert got.scarce == {"documentation": 6}  # fewer than 10 issues: left to the keywords
    assert set(predictor.labels) == {"bug", "enhancement", "question"}
    assert 0 < got.held_out < got.issues / 3
    assert all(0 <= right <= applied for applied, right in got.measured.values())
    assert sum(a for a, _ in got.measured.values()) > 0


def test_held_out_part_is_a_quarter_of_each_label(history):
    rows, _ = learn.usable(history, LABELS, 10)
    fit, held = learn.split(rows, seed=3)
    assert sorted(e.id for e in fit + held) == sorted(e.id for e in rows)
    for name in ("bug", "enhancement", "question"):
        total = sum(e.labels[0] == name for e in rows)
        assert sum(e.labels[0] == name for e in held) == round(total * learn.HELD_OUT)
    assert learn.split(rows, seed=3) == (fit, held)


def example(n, *labels):
    return Example(f"#{n}", f"title {n}", "body", tuple(labels))


def test_usable_keeps_labels_with_enough_issues_and_drops_issues_without_one():
    rows = [example(i, "bug") for i in range(10)] + [example(10 + i, "question") for i in range(10)]
    rows += [example(30, "documentation"), example(31, "documentation", "bug"), example(32, "wontfix")]
    kept, scarce = learn.usable(rows, LABELS, 10)
    assert scarce == {"documentation": 2, "enhancement": 0}
    assert {e.id for e in kept} == {e.id for e in rows} - {"#30", "#32"}
    assert next(e for e in kept if e.id == "#31").labels == ("bug",)


def test_one_learnable_label_keeps_the_other_issues_as_its_negatives():
    rows = [example(i, "bug") for i in range(12)] + [example(20 + i, "question") for i in range(4)]
    kept, _ = learn.usable(rows, LABELS, 10)
    assert len(kept) == 16 and sum(not e.labels for e in kept) == 4


@pytest.mark.parametrize(
    "rows", [[], [example(i, "bug") for i in range(9)], [example(i, "wontfix") for i in range(50)]]
)
def test_too_little_history(rows, tmp_path):
    with pytest.raises(learn.TooLittle, match="too little labeled history"):
        learn.learn(rows, str(tmp_path / "m"), source=SOURCE, labels=LABELS)
    assert not (tmp_path / "m").exists()


def test_learning_replaces_only_model_files_and_never_follows_a_planted_link(history, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model.npz").symlink_to(outside)
    (folder / "notes.txt").write_text("mine")
    learn.learn(history, str(folder), source=SOURCE, labels=LABELS)
    assert outside.read_text() == "keep me" and (folder / "notes.txt").read_text() == "mine"
    assert not (folder / "model.npz").is_symlink()
    assert fresh(folder) is None


def good_block():
    return {
        "source": SOURCE,
        "issues": 200,
        "labels": LABELS,
        "target": 0.9,
        "held_out": 50,
        "measured": {"bug": [10, 9]},
        "scarce": {"documentation": 3},
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"issues": -1},
        {"issues": True},
        {"issues": "200"},
        {"target": 2.0},
        {"target": "0.9"},
        {"measured": {"bug": [9, 10]}},  # more right than applied
        {"measured": {"bug": [10]}},
        {"measured": {"admin": [1, 1]}},  # a label not in labels.yml
        {"measured": []},
        {"scarce": {"documentation": -3}},
        {"source": 7},
    ],
)
def test_a_malformed_learned_block_is_ignored(bad):
    assert learn.learned({"learned": good_block(), "trained_at": "2026-01-01"}, LABELS) is not None
    assert learn.learned({"learned": {**good_block(), **bad}}, LABELS) is None


def test_no_learned_block():
    assert learn.learned({}, LABELS) is None
    assert learn.learned({"learned": "yes"}, LABELS) is None


def test_examples_are_not_mutated(history):
    before = [replace(e) for e in history]
    learn.usable(history, LABELS, 10)
    assert history == before
