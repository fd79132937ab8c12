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
