"""The strict verdict parser: word boundaries, one conclusion, anything else uncertain."""

from __future__ import annotations

import pytest

from labeler.backport_report.verdict import REASON_LIMIT, parse_answer, parse_verdict


@pytest.mark.parametrize(
    "answer, verdict",
    [
        # patchbot's bug: its regex had no word boundaries, so this read as "no".
        ("The message gives no instruction.\nConclusion: uncertain, no explicit instruction", "uncertain"),
        ("Conclusion: uncertain, no explicit instruction", "uncertain"),
        # ...and any "yes" inside the conclusion sentence (here in "eyes") beat everything.
        ("Conclusion: no, this only pleases the eyes", "no"),
        ("Explanation: must be backported as far as 2.6.\nConclusion: yes", "yes"),
        ("It asks to wait.\nConclusion: wait", "wait"),
        ("Nothing asks for it.\nConclusion: no", "no"),
        ("Conclusion: Yes.", "yes"),
        ("conclusion:yes", "yes"),
        ("**Conclusion:** **yes**", "yes"),
        ("Conclusion: `wait`", "wait"),
        ("Conclusion - no", "no"),
        ("Verdict: yes", "yes"),
        ("yes", "yes"),
        ("  No.  ", "no"),
        # Two different conclusions, or an either/or, is not a verdict.
        ("Conclusion: yes\nOn second thought... Conclusion: no", "uncertain"),
        ("Conclusion: yes\nConclusion: yes", "yes"),
        ("Conclusion: yes/no", "uncertain"),
        ("Conclusion: yes or no, hard to say", "uncertain"),
        ("Conclusion: probably yes", "uncertain"),
        ("Conclusion: yesterday's fix", "uncertain"),
        ("Conclusion: nope", "uncertain"),
        # "In conclusion," is prose, not the marker.
        ('In conclusion, the answer is "yes".', "yes"),
        # The quoted-word fallback, only when one word is quoted.
        ('I would say "wait" here.', "wait"),
        ('Either "yes" or "no".', "uncertain"),
        ("", "uncertain"),
        ("I cannot tell.", "uncertain"),
        ("The eyes have it; nobody knows.", "uncertain"),
        ("Conclusion:", "uncertain"),
    ],
)
def test_parse_verdict(answer, verdict):
    assert parse_verdict(answer) == verdict


def test_reason_is_the_explanation_without_the_conclusion():
    verdict = parse_answer("Explanation: The message says it must be backported\nas far as 2.6.\nConclusion: yes")
    assert verdict == ("yes", "The message says it must be backported as far as 2.6.")


def test_reason_of_an_unreadable_answer_says_so_and_quotes_it():
    verdict = parse_answer("Conclusion: yes\nConclusion: no")
    assert verdict.verdict == "uncertain"
    assert verdict.reason.startswith("no single readable conclusion") and "Conclusion: no" in verdict.reason


def test_empty_answer_has_a_reason():
    assert parse_answer("").reason.endswith("(empty answer)")


def test_reason_is_capped():
    verdict = parse_answer("word " * 1000 + "\nConclusion: no")
    assert verdict.verdict == "no" and len(verdict.reason) <= REASON_LIMIT
