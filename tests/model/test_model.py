"""The offline classifier: calibration, training, the model directory, evaluation."""

from __future__ import annotations

import json
import math
import random

import pytest

pytest.importorskip("sklearn")

from labeler.dataset.export import assign_splits
from labeler.errors import UserError
from labeler.examples import Example
from labeler.model import (
    calibrate,
    evaluate,
    features,
    predict,
    synthetic,
    train,
)

# calibration (pure) ---------------------------------------------------------------------------


def test_cutoffs_perfect_separation_reaches_every_level():
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
    positive = [True] * 5 + [False] * 5
    found = calibrate.cutoffs(scores, positive, min_support=5)
    assert found[1.0] == 0.5
    assert found[0.5] == 0.05  # all ten: precision 0.5
    assert calibrate.threshold(found, 0.9) == 0.5
    assert calibrate.confidence(found, 0.55) == 1.0
    assert calibrate.confidence(found, 0.35) == 0.7  # 5 of 7 = 0.714 -> level 0.70


def test_cutoffs_need_min_support():
    found = calibrate.cutoffs([0.9, 0.8, 0.1], [True, True, False], min_support=5)
    assert found == {}
    assert calibrate.threshold(found, 0.9) == math.inf
    assert calibrate.confidence(found, 0.99) == 0.0


def test_tied_scores_are_taken_together():
    # four tied scores with two positives: a cutoff there means all four (precision 0.5)
    found = calibrate.cutoffs([0.5, 0.5, 0.5, 0.5], [True, True, False, False], min_support=1)
    assert max(found) == 0.5


@pytest.mark.parametrize("seed", range(5))
def test_confidence_clears_target_exactly_at_threshold(seed):
    rng = random.Random(seed)
    scores = [rng.random() for _ in range(200)]
    positive = [rng.random() < s for s in scores]
    found = calibrate.cutoffs(scores, positive)
    for target in (0.5, 0.7, 0.9):
        cut = calibrate.threshold(found, target)
        for s in scores:
            assert (calibrate.confidence(found, s) >= target) == (s >= cut)


def test_levels_round_trip_json():
    found = {0.5: 0.123456789, 0.9: 0.75}
    assert calibrate.from_json(json.loads(json.dumps(calibrate.to_json(found)))) == found
    with pytest.raises(ValueError):
        calibrate.from_json({"0.5": 1})


# features -------------------------------------------------------------------------------------

ISSUE_FORM = """### Issue type

Bug

### Source

binary

### GPU model and memory

_No response_

### Current behavior?

Saving a checkpoint crashes, see https://example.com/logs/1234?x=1 and www.example.org/a.

- [X] I searched existing issues
- [ ] I am willing to submit a PR

### Standalone code to reproduce the issue

```python
model.save("x")
```

### Relevant log output

```shell
Traceback (most recent call last):
  File "x.py", line 1
```
"""

VSCODE_TEMPLATE = """<!-- Please search existing issues to avoid creating duplicates. -->
<!-- Describe the feature you'd like. -->
Allow pinning tabs per workspace.\r\n\r\n<!-- ignored?"""


def test_text_drops_boilerplate_and_keeps_template_evidence():
    text = features.text_of("Crash on save", ISSUE_FORM)
    assert text.startswith("Crash on save\nCrash on save\n")
    assert "_No response_" not in text and "willing to submit" not in text  # empty answers, unticked boxes
    assert "example.com" not in text and "www.example" not in text and text.count("xxurl") == 2
    assert "### Issue type" in text and "Bug" in text  # the template chosen is evidence
    assert "Traceback" in text and "I searched existing issues" in text  # logs and ticked boxes stay
    assert "Describe the feature you'd like" in features.text_of("t", VSCODE_TEMPLATE)
    assert "<!--" not in features.text_of("t", VSCODE_TEMPLATE)


def test_embedding_text_is_prose_only():
    text = features.embed_text_of("Crash on save", ISSUE_FORM)
    assert text.startswith("Crash on save\n")
    assert "Traceback" not in text and "model.save" not in text and "###" not in text
    assert "Saving a checkpoint crashes" in text and "xxurl" in text
    assert "Describe the feature" not in features.embed_text_of("t", VSCODE_TEMPLATE)
    assert len(features.embed_text_of("t", "word " * 100_000)) <= features.MAX_EMBED_CHARS


def test_text_caps_size_and_survives_pathological_bodies():
    import time

    started = time.perf_counter()
    for body in (
        "x" * 10**6,
        " \n" * 300_000,
        "<!--" + "a" * 200_000,
        "```\n" * 50_000,
        "- [ ] " * 100_000,
        "\x00" * 1000,
    ):
        text = features.text_of("t", body)
        assert len(text) <= features.MAX_BODY_CHARS + 10
    assert time.perf_counter() - started < 5


def test_text_handles_missing_body():
    assert features.text_of("t", None) == "t\nt\n"


# preparing training data ----------------------------------------------------------------------


def _ex(i, labels, words="crash error"):
    return Example(id=str(i), title=f"{words} {i}", body=words, labels=tuple(labels))


def test_label_with_one_example_is_dropped_and_reported():
    rows = [_ex(i, ["bug"]) for i in range(6)] + [_ex(i + 6, ["feature"]) for i in range(6)] + [_ex(99, ["rare"])]
    prep = train.prepare(rows, min_examples=2)
    assert prep.labels == ["bug", "feature"]
    assert prep.dropped == {"rare": 1}
    assert prep.mode == "multi"  # the issue that lost its only label has none now


def test_single_label_mode_detected():
    rows = [_ex(i, ["bug" if i % 2 else "feature"]) for i in range(12)]
    assert train.prepare(rows).mode == "single"


@pytest.mark.parametrize(
    "rows, message",
    [
        ([_ex(i, ["bug"]) for i in range(5)], "at least 10"),
        ([_ex(i, [f"l{i}"]) for i in range(12)], "no label has 2"),
        ([_ex(i, ["bug"]) for i in range(12)], "only one label"),
    ],
)
def test_nothing_to_learn_is_a_user_error(rows, message):
    with pytest.raises(UserError, match=message):
        train.prepare(rows)


# training, the model directory, prediction ----------------------------------------------------


@pytest.fixture(scope="module")
def corpus():
    return assign_splits(synthetic.corpus(30, noise=0.25, seed=3), seed=1)


@pytest.fixture(scope="module")
def model_dir(corpus, tmp_path_factory):
    path = tmp_path_factory.mktemp("model")
    trained = train.train([e for e in corpus if e.split == "train"], params=train.Params(folds=3))
    train.save(trained, str(path))
    return path


def test_meta_describes_the_model(model_dir):
    meta = json.loads((model_dir / "meta.json").read_text())
    assert meta["format"] == "labeler-model" and meta["format_version"] == 3
    assert meta["files"] == {"arrays": "model.npz", "vocab": "vocab.json"} and meta["encoder"] is None
    assert sorted(p.name for p in model_dir.iterdir()) == ["meta.json", "model.npz", "vocab.json"]
    assert meta["labels"] == ["bug", "feature", "question"] and meta["mode"] == "single"
    assert meta["counts"]["train"] > 0 and meta["trained_at"]
    assert set(meta["thresholds"]) == set(meta["labels"])


def test_suggest_is_sorted_and_calibrated(model_dir, corpus):
    predictor = predict.load(str(model_dir))
    test = [e for e in corpus if e.split == "test"]
    for e in test:
        ranked = predictor.suggest(e.title, e.body)
        confs = [c for _, c in ranked]
        assert confs == sorted(confs, reverse=True)
        assert all(c in calibrate.LEVELS and c > 0 for c in confs)
        scores = predictor.scores(e.title, e.body)
        assert predictor.top is not None  # single-label data: the top label is calibrated
        for label, conf in ranked:
            assert (conf >= 0.9) == (label in predictor.applied(scores))


def test_model_learns_the_synthetic_labels(model_dir, corpus):
    report = evaluate.evaluate(predict.load(str(model_dir)), [e for e in corpus if e.split == "test"])
    assert report["macro_f1"] > 0.8
    assert report["confusion"]["labels"] == ["bug", "feature", "question"]
    shares = report["at_thresholds"]
    assert shares["match"] + shares["mismatch"] + shares["abstain"] + shares["no_existing"] == pytest.approx(1)


def test_gold_labels_never_reach_the_features(tmp_path):
    """Random labels: if labels leaked into features, held-out F1 would be far above chance."""
    rng = random.Random(0)
    rows = [
        Example(id=str(i), title=e.title, body=e.body, labels=(rng.choice(["a", "b"]),))
        for i, e in enumerate(synthetic.corpus(60, seed=5))
    ]
    rows = assign_splits(rows, fractions=(0.6, 0.1, 0.3), seed=2)  # ~54 test issues: chance is ~0.5
    trained = train.train([e for e in rows if e.split != "test"], params=train.Params(folds=3))
    train.save(trained, str(tmp_path))
    report = evaluate.evaluate(predict.load(str(tmp_path)), [e for e in rows if e.split == "test"])
    assert report["macro_f1"] < 0.7


def test_multi_label_model(tmp_path):
    rows = synthetic.corpus(25, vocab=synthetic.area_vocab(4), multi_label=0.4, seed=2)
    trained = train.train(rows, params=train.Params(folds=3))
    train.save(trained, str(tmp_path))
    predictor = predict.load(str(tmp_path))
    assert predictor.mode == "multi"
    report = evaluate.evaluate(predictor, rows[:20])
    assert report["confusion"] is None and set(report["per_label"]) == set(predictor.labels)


def test_label_names_are_extra_training_text_in_multi_label_mode():
    assert train.label_text("area/panel/time-series") == "panel time series\npanel time series"
    assert train.label_text("datasource/CloudWatch Logs").startswith("CloudWatch Logs")
    assert train.label_text("bug") == "bug\nbug"
    # a label whose name is in the issue but whose few training issues do not say it
    rows = [
        Example(id=str(i), title=f"graph broken {i}", body="the panel shows nothing", labels=("area/graph",))
        for i in range(6)
    ]
    rows += [
        Example(
            id=f"h{i}", title=f"heatmap colours wrong {i}", body="the panel shows nothing", labels=("area/heatmap",)
        )
        for i in range(6)
    ]
    rows += [
        Example(id=f"a{i}", title=f"alert rule fails {i}", body="alerting stops", labels=("area/alerting",))
        for i in range(2)
    ]
    rows += [Example(id=f"n{i}", title=f"docs typo {i}", body="", labels=()) for i in range(4)]  # multi-label mode
    on = train.train(rows, params=train.Params(folds=2, min_support=1))
    off = train.train(rows, params=train.Params(folds=2, min_support=1, label_text=0))
    assert on.meta["params"]["label_text"] == 3 and off.meta["params"]["label_text"] == 0

    def score(t: train.Trained) -> float:
        p = predict.Predictor(t.model, t.meta).scores("alerting", "")
        return p["area/alerting"] - max(p["area/graph"], p["area/heatmap"])

    assert score(on) > score(off)


def test_validation_file_sets_thresholds_and_refits(corpus, tmp_path):
    tr = [e for e in corpus if e.split == "train"]
    va = [e for e in corpus if e.split == "val"]
    trained = train.train(tr, va, train.Params(min_support=2))
    assert trained.meta["calibration"] == "validation file"
    assert trained.meta["counts"]["val"] == len(va) and trained.meta["params"]["refit_on_val"]


def test_huge_body_trains_and_predicts(tmp_path):
    rows = synthetic.corpus(8, seed=4)
    rows[0] = Example(id="huge", title=rows[0].title, body=rows[0].body + " crash" * 300_000, labels=rows[0].labels)
    train.save(train.train(rows, params=train.Params(folds=2)), str(tmp_path))
    assert predict.load(str(tmp_path)).suggest("t", "crash " * 200_000) is not None


# refusing bad model directories ----------------------------------------------------------------


def _copy_model(model_dir, tmp_path):
    for name in ("meta.json", "model.npz", "vocab.json"):
        (tmp_path / name).write_bytes((model_dir / name).read_bytes())
    return tmp_path


def _edit_meta(path, **changes):
    meta = json.loads((path / "meta.json").read_text())
    meta.update(changes)
    (path / "meta.json").write_text(json.dumps(meta))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": "other"}, "not a labeler-model"),
        ({"format_version": 99}, "version 99 is not supported"),
        ({"labels": []}, "no label list"),
        ({"thresholds": {"bug": 0.5}}, "'thresholds' do not match"),
        ({"sha256": {"arrays": "0" * 64, "vocab": "0" * 64}}, "does not match meta.json"),
    ],
)
def test_bad_meta_is_refused(model_dir, tmp_path, change, message):
    path = _copy_model(model_dir, tmp_path)
    _edit_meta(path, **change)
    with pytest.raises(UserError, match=message):
        predict.load(str(path))


def test_missing_meta_or_model_is_refused(model_dir, tmp_path):
    with pytest.raises(UserError, match="meta.json is missing"):
        predict.load(str(tmp_path))
    path = _copy_model(model_dir, tmp_path)
    (path / "model.npz").unlink()
    with pytest.raises(UserError, match="cannot read the model's arrays file"):
        predict.load(str(path))


def test_truncated_model_file_is_refused(model_dir, tmp_path):
    path = _copy_model(model_dir, tmp_path)
    data = (path / "model.npz").read_bytes()
    (path / "model.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError, match="sha256 differs"):
        predict.load(str(path))


def test_meta_json_not_json(tmp_path):
    (tmp_path / "meta.json").write_text("{nope")
    with pytest.raises(UserError, match="cannot read the model's meta.json"):
        predict.load(str(tmp_path))


def test_wilson_bound_is_more_cautious():
    assert calibrate.lower_bound(5, 5, 0.0) == 1.0
    assert calibrate.lower_bound(5, 5, 1.0) == pytest.approx(5 / 6)
    assert calibrate.lower_bound(0, 0, 1.0) == 0.0
    scores = [1 - i / 40 for i in range(40)]
    positive = [i < 20 or i % 2 == 0 for i in range(40)]
    plain, wilson = calibrate.cutoffs(scores, positive), calibrate.cutoffs(scores, positive, z=1.0)
    assert calibrate.threshold(wilson, 0.9) > calibrate.threshold(plain, 0.9)


def test_coverage_curve_has_counts_and_no_fake_zero_precision(model_dir, corpus):
    report = evaluate.evaluate(predict.load(str(model_dir)), [e for e in corpus if e.split == "test"])
    for row in report["coverage_curve"]:
        assert row["kept"] <= row["issues"] and row["correct"] <= row["kept"]
        assert (row["precision"] is None) == (row["kept"] == 0)


def test_feature_kinds(tmp_path):
    rows = synthetic.corpus(10, seed=9)
    trained = train.train(rows, params=train.Params(folds=2, features=("word",)))
    assert trained.meta["params"]["features"] == ["word"]
    assert trained.model.kinds == ("word",)
    with pytest.raises(ValueError, match="feature kinds"):
        features.build(("bpe",))
