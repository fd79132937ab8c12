"""label-issue with the repository's own trained model and history: --provider local, examples and
duplicates from the history file."""

import json
import random

import pytest

from labeler.cli import main
from labeler.history import store as history
from labeler.history.store import StoredIssue

pytest.importorskip("sklearn")

WORDS = {
    "bug": ["crash", "segfault", "exception", "broken", "fails", "error", "regression", "stack trace"],
    "enhancement": ["support", "add", "option", "would be nice", "proposal", "feature", "allow", "new"],
    "question": ["how", "why", "what is", "help", "documentation unclear", "possible to", "best way", "explain"],
}
FILLER = [
    "the",
    "app",
    "editor",
    "file",
    "save",
    "open",
    "window",
    "settings",
    "plugin",
    "user",
    "when",
    "after",
    "with",
    "on",
]


def corpus(n_per_label, seed):
    rng = random.Random(seed)
    rows = []
    for label, words in WORDS.items():
        for i in range(n_per_label):
            picked = rng.sample(words, 3) + rng.sample(FILLER, 4)
            rng.shuffle(picked)
            rows.append(
                {
                    "id": f"{label}-{seed}-{i}",
                    "title": " ".join(picked[:4]),
                    "body": " ".join(picked),
                    "labels": [label],
                }
            )
    return rows


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("model")
    for name, rows in (("train", corpus(40, 1)), ("val", corpus(20, 2))):
        (tmp / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert (
        main(
            [
                "model",
                "train",
                "--data",
                str(tmp / "train.jsonl"),
                "--val",
                str(tmp / "val.jsonl"),
                "--out",
                str(tmp / "model"),
            ]
        )
        == 0
    )
    return str(tmp / "model")


def event(tmp_path, title, body, number=50):
    path = tmp_path / "event.json"
    path.write_text(
        json.dumps(
            {
                "action": "opened",
                "issue": {
                    "number": number,
                    "title": title,
                    "body": body,
                    "user": {"login": "alice", "type": "User"},
                    "labels": [],
                    "comments": 0,
                },
            }
        )
    )
    return str(path)


def test_local_model_labels_with_calibrated_confidence(model_dir, fake_github, actions_env, tmp_path, monkeypatch):
    fake_github.add_issue(50, "crash segfault exception", "the editor fails with an error")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issues")
    rc = main(
        [
            "label-issue",
            "--event",
            event(tmp_path, "crash segfault exception", "the editor fails with an error"),
            "--config",
            "labels.yml",
            "--provider",
            "local",
            "--model-path",
            model_dir,
        ]
    )
    assert rc == 0
    plan = json.loads(actions_env.outputs()["plan"])
    assert plan["provider"] == "local" and plan["picks"][0]["name"] == "bug"
    assert fake_github.issue_labels(50) == ["bug", "automated-triage"]  # labels.yml's provenance label


def test_local_provider_without_a_model_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LABELER_MODEL_PATH")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # the annotations below are the Actions format
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issues")
    assert (
        main(
            [
                "label-issue",
                "--event",
                event(tmp_path, "t", "b"),
                "--config",
                "labels.yml",
                "--provider",
                "local",
                "--dry-run",
            ]
        )
        == 1
    )
    assert "the `model-path` input" in capsys.readouterr().out  # inside Actions: what the workflow sets
    assert (
        main(
            [
                "label-issue",
                "--event",
                event(tmp_path, "t", "b"),
                "--config",
                "labels.yml",
                "--provider",
                "local",
                "--model-path",
                str(tmp_path),
                "--dry-run",
            ]
        )
        == 1
    )


def test_history_gives_the_model_examples_and_the_comment_duplicates(
    fake_github, fake_llm, actions_env, tmp_path, monkeypatch
):
    db = str(tmp_path / "history.db")
    conn = history.connect(db)
    history.upsert(
        conn,
        [
            StoredIssue(
                3,
                "Editor crashes on save with a segfault",
                "saving big files crashes",
                ("bug",),
                "open",
                html_url="https://github.com/acme/widgets/issues/3",
                created_at="2024-01-01T00:00:00Z",
            ),
            StoredIssue(
                4,
                "Add a dark theme @everyone",
                "please",
                ("enhancement",),
                "closed",
                html_url="https://github.com/acme/widgets/issues/4",
                created_at="2024-01-02T00:00:00Z",
            ),
        ],
    )
    conn.commit()
    conn.close()
    fake_github.add_issue(50)
    fake_llm.enqueue({"labels": [{"name": "bug", "confidence": 0.9}], "rationale": "r", "version": "1"})
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issues")
    rc = main(
        [
            "label-issue",
            "--event",
            event(tmp_path, "Editor crashes on save", "segfault when saving big files"),
            "--config",
            "labels.yml",
            "--provider",
            "anthropic",
            "--history-db",
            db,
        ]
    )
    assert rc == 0
    prompt = fake_llm.prompts()[0]
    assert "<examples-" in prompt and "Editor crashes on save with a segfault" in prompt
    assert "Labels maintainers gave it: bug" in prompt
    comment = fake_github.comments(50)[0]
    assert "Possibly the same as" in comment and "#3 " in comment


def test_replay_with_the_local_model_loads_it_once(model_dir, tmp_path, monkeypatch, capsys):
    """One load per run, not one per issue."""
    from labeler.label_issue import providers as li
    from labeler.model import predict

    loads = []
    real = predict.load
    monkeypatch.setattr(predict, "load", lambda path: loads.append(path) or real(path))
    li._load_predictor.cache_clear()
    rows = corpus(5, 3)
    data = tmp_path / "replay.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert (
        main(
            [
                "label-issue",
                "--replay",
                str(data),
                "--config",
                "labels.yml",
                "--provider",
                "local",
                "--model-path",
                model_dir,
                "--cache",
                str(tmp_path / "cache.json"),
            ]
        )
        == 0
    )
    assert len(rows) > 5 and loads == [model_dir]
