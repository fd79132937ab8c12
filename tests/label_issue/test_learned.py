"""The default offline provider: reads the labeled history through GitHub (the REST stand-in), learns once,
reuses the model, relearns a broken or stale one, and falls back to keyword suggestions (never applied)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

from labeler import config
from labeler import gh as gh_mod
from labeler.examples import read_jsonl
from labeler.gh.records import Issue
from labeler.label_issue import labeling, learned
from labeler.label_issue.labeling import Settings, State

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "examples" / "history.jsonl"
CRASH = (
    "App crashes with a traceback when saving an empty widget",
    "Steps:\n1. save\n\nTraceback (most recent call last)",
)


@pytest.fixture(scope="module")
def cfg():
    return config.load(str(ROOT / "labels.yml"))


@pytest.fixture
def settings(cfg):
    return dataclasses.replace(Settings(), abstain_label="needs-triage", provenance_label="automated-triage")


def issue(title, body, number=500, labels=()):
    return Issue(number, title, body, tuple(labels), "alice", False, "NONE", "open", False, 0, "")


def seed(fake, rows=None):
    for n, e in enumerate(rows if rows is not None else read_jsonl(str(HISTORY)), start=1):
        fake.add_issue(n, e.title, e.body, labels=list(e.labels), state="closed")


def listings(fake):
    return [r for r in fake.requests if r.method == "GET" and r.path == "/repos/acme/widgets/issues"]


def test_history_examples_keeps_labeled_issues_of_labels_yml(cfg):
    items = [
        {"number": 1, "title": "a", "body": "x", "labels": [{"name": "Type: Bug"}]},  # alias
        {"number": 2, "title": "b", "body": None, "labels": [{"name": "feature"}, {"name": "wontfix"}]},
        {"number": 3, "title": "c", "labels": [{"name": "bug"}], "pull_request": {"url": "u"}},
        {"number": 4, "title": "d", "labels": [{"name": "bug"}, {"name": "automated-triage"}]},  # the bot's own
        {"number": 5, "title": "e", "labels": [{"name": "wontfix"}]},
        {"number": "6", "title": "f", "labels": [{"name": "bug"}]},
        "garbage",
    ]
    found = learned.history_examples(items, cfg, ["bug", "enhancement"], ["automated-triage"])
    assert [(e.id, e.labels, e.body) for e in found] == [("#1", ("bug",), "x"), ("#2", ("enhancement",), "")]


def test_reading_github_pages_newest_first_and_stops_at_the_count(fake_github, cfg):
    for n in range(1, 251):
        fake_github.add_issue(n, f"issue {n}", "body", labels=["bug"] if n % 2 else [], pull_request=n % 7 == 0)
    options = learned.Options(max_issues=30)
    found = learned.read_github(gh_mod.open_repo(), cfg, ["bug"], options, ["automated-triage"])
    assert len(found) == 30 and found[0].id == "#249"
    assert [r.query.get("page") for r in listings(fake_github)] == ["1"]
    assert all(r.query.get("state") == "all" and r.query.get("direction") == "desc" for r in listings(fake_github))
    found = learned.read_github(gh_mod.open_repo(), cfg, ["bug"], learned.Options(), [])
    assert len(found) == len([n for n in range(1, 251) if n % 2 and n % 7])
    assert [r.query.get("page") for r in listings(fake_github)][1:] == ["1", "2", "3"]


def test_reading_github_stops_at_the_time_budget(fake_github, cfg):
    for n in range(1, 251):
        fake_github.add_issue(n, f"issue {n}", "body", labels=["bug"])
    found = learned.read_github(gh_mod.open_repo(), cfg, ["bug"], learned.Options(budget_seconds=0), [])
    assert len(found) == 100 and len(listings(fake_github)) == 1


def test_learns_once_from_github_then_reuses_the_model(fake_github, cfg, settings, tmp_path, capsys):
    seed(fake_github)
    options = learned.Options(model_path=str(tmp_path / "model"))
    offline = learned.default_offline(gh_mod.open_repo(), cfg, settings, options, "acme/widgets")
    assert offline.predictor is not None and offline.learned.source == "github:acme/widgets"
    assert offline.learned.scarce == {"documentation": 6}
    assert len(listings(fake_github)) == 2  # 131 issues: two pages
    again = learned.default_offline(gh_mod.open_repo(), cfg, settings, options, "acme/widgets")
    assert again.predictor is not None and len(listings(fake_github)) == 2  # no second learning
    assert capsys.readouterr().err.count("learning the repository's labels") == 1


def test_a_broken_cached_model_is_learned_again_with_a_warning(fake_github, cfg, settings, tmp_path, capsys):
    seed(fake_github)
    options = learned.Options(model_path=str(tmp_path / "model"))
    learned.default_offline(gh_mod.open_repo(), cfg, settings, options, "acme/widgets")
    arrays = tmp_path / "model" / "model.npz"
    arrays.write_bytes(arrays.read_bytes()[:-50])  # torn: its sha256 no longer matches meta.json
    capsys.readouterr()
    offline = learned.default_offline(gh_mod.open_repo(), cfg, settings, options, "acme/widgets")
    out = capsys.readouterr().err
    assert "warning" in out and "does not load" in out and "learning the repository's labels" in out
    assert offline.predictor is not None and len(listings(fake_github)) == 4


def test_a_stale_model_is_learned_again(fake_github, cfg, settings, tmp_path):
    seed(fake_github)
    options = learned.Options(model_path=str(tmp_path / "model"))
    learned.default_offline(gh_mod.open_repo(), cfg, settings, options, "acme/widgets")
    meta_path = tmp_path / "model" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["trained_at"] = "2020-01-01T00:00:00+00:00"
    meta_path.write_text(json.dumps(meta))
    learned.default_offline(gh_mod.open_repo(), cfg, settings, options, "acme/widgets")
    assert len(listings(fake_github)) == 4
    assert json.loads(meta_path.read_text())["trained_at"] > "2020"


def test_without_history_keywords_only_suggest(fake_github, cfg, settings, tmp_path):
    seed(fake_github, read_jsonl(str(HISTORY))[:8])
    options = learned.Options(model_path=str(tmp_path / "model"))
    offline = learned.default_offline(gh_mod.open_repo(), cfg, settings, options, "acme/widgets")
    assert offline.predictor is None and "too little labeled history" in offline.why_keywords
    assert not (tmp_path / "model").exists()
    rec = learned.recommend(offline, issue("Bug: crash on start", "Traceback (most recent call last)"), cfg, settings)
    assert rec.answer["labels"][0]["name"] == "bug" and rec.thresholds["bug"] is None
    result = labeling.plan(
        issue("Bug: crash on start", "Traceback"),
        rec.answer,
        cfg,
        settings,
        State(),
        provider="learned",
        model=rec.model,
        prompt_version=rec.version,
        thresholds=rec.thresholds,
    )
    assert result.apply == ("needs-triage",) and result.picks[0].suggest_only and not result.picks[0].clears
    assert rec.provenance.startswith("keywords only (too little labeled history")


def test_no_token_and_no_file_means_keywords(cfg, settings, tmp_path):
    offline = learned.default_offline(None, cfg, settings, learned.Options(model_path=str(tmp_path / "m")), "a/b")
    assert offline.predictor is None and "no history to learn from" in offline.why_keywords


def test_learned_labels_apply_and_thin_labels_are_keyword_suggestions(cfg, settings, tmp_path):
    options = learned.Options(model_path=str(tmp_path / "m"), history_file=str(HISTORY))
    offline = learned.default_offline(None, cfg, settings, options, "acme/widgets")
    crash = issue(*CRASH)
    rec = learned.recommend(offline, crash, cfg, settings)
    assert rec.answer["labels"][0]["name"] == "bug" and rec.answer["labels"][0]["confidence"] >= 0.9
    assert rec.thresholds == {"bug": 0.9, "enhancement": 0.9, "question": 0.9}
    assert "learned from 125 labeled issues of `history.jsonl`" in rec.provenance
    assert "`bug` at " in rec.provenance and "measured precision" in rec.provenance
    docs = issue("Typo in the docs", "The readme has a typo in the tutorial docs")
    rec = learned.recommend(offline, docs, cfg, settings)
    assert rec.thresholds["documentation"] is None
    result = labeling.plan(
        docs,
        rec.answer,
        cfg,
        settings,
        State(),
        provider="learned",
        model="m",
        prompt_version="v",
        thresholds=rec.thresholds,
    )
    assert "documentation" not in result.apply
    assert "`documentation` from keywords only" in rec.provenance


def test_a_single_label_model_applies_one_label(cfg, settings, tmp_path):
    options = learned.Options(model_path=str(tmp_path / "m"), history_file=str(HISTORY))
    offline = learned.default_offline(None, cfg, settings, options, "acme/widgets")
    for title, body in [CRASH, ("How do I change the widget colour?", "Where is it set?"), ("Add CSV export", "")]:
        rec = learned.recommend(offline, issue(title, body), cfg, settings)
        clearing = [a["name"] for a in rec.answer["labels"] if a["confidence"] >= (rec.thresholds[a["name"]] or 2)]
        assert len(clearing) <= 1


def test_an_answer_cannot_set_its_own_thresholds(cfg, settings):
    answer = {"labels": [{"name": "bug", "confidence": 0.5}], "rationale": "", "version": "1", "thresholds": {"bug": 0}}
    result = labeling.plan(issue("x", "y"), answer, cfg, settings, State(), provider="p", model="m", prompt_version="v")
    assert result.apply == ("needs-triage",)


def test_the_model_path_defaults_inside_the_workspace():
    assert not os.path.isabs(learned.DEFAULT_MODEL_PATH)


def test_the_default_without_a_key_is_learned_and_a_replay_cannot_use_it(monkeypatch):
    from labeler.errors import UserError
    from labeler.label_issue import providers

    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    assert providers.resolve_provider(None, None, None, learn=True).name == "learned"
    assert providers.resolve_provider(None, None, None).name == "keywords"  # a replay
    assert providers.resolve_provider("keywords", None, None, learn=True).name == "keywords"
    with pytest.raises(UserError, match="would score issues it learned from"):
        providers.resolve_provider("learned", None, None)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake-0123456789")
    assert providers.resolve_provider(None, None, None, learn=True).name == "anthropic"


def test_the_audit_comment_says_where_the_confidence_comes_from(cfg, settings, tmp_path):
    from labeler.label_issue import audit

    options = learned.Options(model_path=str(tmp_path / "m"), history_file=str(HISTORY))
    offline = learned.default_offline(None, cfg, settings, options, "acme/widgets")
    docs = issue("Typo in the docs", "The readme has a typo in the tutorial docs, and the app crashes")
    rec = learned.recommend(offline, docs, cfg, settings)
    result = labeling.plan(
        docs,
        rec.answer,
        cfg,
        settings,
        State(),
        provider="learned",
        model="m",
        prompt_version="v",
        thresholds=rec.thresholds,
    )
    text = audit.render(dataclasses.replace(result, provenance=rec.provenance))
    assert "**Where the confidence comes from:** learned from 125 labeled issues" in text
    assert "| `documentation` | " in text and "suggestion only (keywords)" in text
