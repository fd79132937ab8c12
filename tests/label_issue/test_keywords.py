import pytest

from labeler import config
from labeler.label_issue import keywords

CFG = config.load("labels.yml")


def test_keywords_finds_whole_words_and_prefers_the_title():
    ans = keywords.suggest(CFG.applicable(), "App crashes on start", "there is a traceback")
    assert ans["labels"][0]["name"] == "bug"
    assert ans["labels"][0]["confidence"] > 0.75
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


ISSUE11 = (_label("bug", "Something is broken, for example a crash", examples=("App crashes when saving",)),
           _label("feature", "A request for new functionality"),
           _label("question", "Asking how to do something"))


def test_descriptions_and_sentence_examples_count_by_word_form():
    ans = keywords.suggest(ISSUE11, "Crash when saving a file with unicode name",
                           "Open a file named \u00e9.txt, press save: the app crashes with a segfault.")
    assert ans["labels"][0]["name"] == "bug" and ans["labels"][0]["confidence"] >= 0.6


@pytest.mark.parametrize("form", ["crash", "crashes", "crashed", "crashing", "Crashes"])
def test_word_forms(form):
    assert keywords.stem(form) == "crash"
    assert keywords.suggest(CFG.applicable(), f"It {form} on start", "")["labels"][0]["name"] == "bug"


@pytest.mark.parametrize("text", ["This is not a crash", "It doesn't crash", "no error at all", "It runs without crashing"])
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
    clear = keywords.suggest(CFG.applicable(), "App crashes", "crash")["labels"][0]["confidence"]
    mixed = keywords.suggest(CFG.applicable(), "App crashes", "how do i avoid it? is it possible?")["labels"][0]
    assert mixed["confidence"] < clear
