import pytest

from labeler import config
from labeler.label_issue import keywords

CFG = config.load("labels.yml")


def test_keywords_finds_whole_words_and_prefers_the_title():
    ans = keywords.suggest(CFG.applicable(), "App crashes on start", "there is a traceback")
    assert ans["labels"][0] == {"name": "bug", "confidence": keywords.KINDS["phrase in title, confirmed"]}
    assert keywords.suggest(CFG.applicable(), "documentation", "")["labels"][0]["name"] == "documentation"


def test_no_match_is_an_empty_answer_and_substrings_do_not_count():
    ans = keywords.suggest(CFG.applicable(), "Terrors of the deep", "bugle")
    assert ans["labels"] == [] and ans["rationale"]


def test_never_suggests_labels_the_bot_may_not_apply():
    ans = keywords.suggest(CFG.applicable(), "wontfix needs-triage", "wontfix")
    assert all(lbl["name"] not in ("wontfix", "needs-triage") for lbl in ans["labels"])


def test_huge_bodies_are_bounded():
    ans = keywords.suggest(CFG.applicable(), "", "x " * 2_000_000 + " crash")
    assert ans["labels"] == []


def _label(name, description="", aliases=(), examples=()):
    return config.Label(name=name, description=description, aliases=tuple(aliases), examples=tuple(examples))


ISSUE11 = (
    _label("bug", "Something is broken, for example a crash", examples=("App crashes when saving",)),
    _label("feature", "A request for new functionality"),
    _label("question", "Asking how to do something"),
)


def test_descriptions_and_sentence_examples_count_by_word_form():
    ans = keywords.suggest(
        ISSUE11,
        "Crash when saving a file with unicode name",
        "Open a file named \u00e9.txt, press save: the app crashes with a segfault.",
    )
    # Recognised as the top suggestion; description words are weak evidence (see docs/label-issue.md),
    # so it is shown in the audit comment, not applied at 0.6.
    assert ans["labels"][0] == {"name": "bug", "confidence": keywords.KINDS["words in title and body"]}
    assert "bug: words in title and body" in ans["rationale"] and "'crash'" in ans["rationale"]
    with_example = keywords.suggest(
        CFG.applicable(), "Crash when saving a file with unicode name", "press save: the app crashes with a segfault."
    )
    assert with_example["labels"][0] == {"name": "bug", "confidence": keywords.KINDS["phrase in title, confirmed"]}


def test_confidence_is_the_measured_precision_of_the_evidence_kind():
    """Only the label's own name in the title, confirmed in the body and uncontested, reaches the
    default threshold 0.6 (0.89-1.00 precise per label on NLBSE'24: benchmarks/keywords_nlbse.py)."""
    assert [k for k, c in keywords.KINDS.items() if c >= 0.6] == ["name in title, confirmed"]
    labels = CFG.applicable()
    applied = keywords.suggest(labels, "Bug: saving fails", "The app crashes with a traceback.")
    assert applied["labels"][0] == {"name": "bug", "confidence": 0.85}
    assert keywords.suggest(labels, "Bug: saving fails", "")["labels"][0] == {"name": "bug", "confidence": 0.5}
    assert keywords.suggest(labels, "Saving fails", "The app crashes.")["labels"][0]["confidence"] == 0.4
    contested = keywords.suggest(labels, "Bug: how do I save?", "The app crashes.")["labels"]
    assert contested[0]["name"] == "bug" and contested[0]["confidence"] < 0.6
    assert "contested" in keywords.suggest(labels, "Bug: how do I save?", "The app crashes.")["rationale"]


def test_the_readme_demo_suggests_bug_offline():
    import json

    with open("examples/issue-opened.json", encoding="utf-8") as f:
        issue = json.load(f)["issue"]
    ans = keywords.suggest(CFG.applicable(), issue["title"], issue["body"])
    assert ans["labels"][0]["name"] == "bug"


@pytest.mark.parametrize("form", ["crash", "crashes", "crashed", "crashing", "Crashes"])
def test_word_forms(form):
    assert keywords.stem(form) == "crash"
    assert keywords.suggest(CFG.applicable(), f"It {form} on start", "")["labels"][0]["name"] == "bug"


@pytest.mark.parametrize(
    "text", ["This is not a crash", "It doesn't crash", "no error at all", "It runs without crashing"]
)
def test_negated_mentions_are_no_evidence(text):
    assert all(lbl["name"] != "bug" for lbl in keywords.suggest(CFG.applicable(), text, "")["labels"])


def test_aliases_and_names_with_separators():
    ans = keywords.suggest(CFG.applicable(), "Feature request: dark mode", "")
    assert ans["labels"][0]["name"] == "enhancement"


def test_words_shared_by_two_labels_are_no_weak_evidence():
    labels = (_label("a", "widget rendering"), _label("b", "widget storage"))
    ans = keywords.suggest(labels, "widget", "widget widget")
    assert ans["labels"] == []
    assert keywords.suggest(labels, "rendering", "")["labels"][0]["name"] == "a"


def test_close_calls_get_lower_confidence():
    clear = keywords.suggest(CFG.applicable(), "Bug: app crashes", "crash")["labels"][0]["confidence"]
    mixed = keywords.suggest(CFG.applicable(), "Bug: how do i avoid it? is it possible?", "crash")["labels"][0]
    assert mixed["confidence"] < clear
