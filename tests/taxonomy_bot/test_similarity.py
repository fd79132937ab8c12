import pytest

from labeler.taxonomy_bot.similarity import lcs_length, max_rouge_l, rouge_l, tokens


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The cat sat.", ["the", "cat", "sat"]),
        ("don't STOP-me now!", ["don", "t", "stop", "me", "now"]),
        ("  \n\t ", []),
        ("café 42", ["caf", "42"]),  # rouge_score drops non-ASCII letters the same way
    ],
)
def test_tokens_follow_rouge_score(text, expected):
    assert tokens(text) == expected


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("the cat sat on the mat", "the cat lay on the mat", 0.8333),  # rouge_score's own value
        ("the cat sat on the mat", "the cat sat on the mat", 1.0),
        ("a b c", "x y z", 0.0),
        ("", "anything", 0.0),
        ("anything", "", 0.0),
        ("a b c d", "a c", 2 * (1.0 * 0.5) / 1.5),  # precision 1, recall 0.5
    ],
)
def test_rouge_l(a, b, expected):
    assert rouge_l(a, b) == pytest.approx(expected, abs=1e-4)


def test_rouge_l_is_symmetric_for_f1():
    a, b = "police officers arrested two men", "two men were arrested by police"
    assert rouge_l(a, b) == pytest.approx(rouge_l(b, a))


def test_lcs_is_order_sensitive():
    assert lcs_length(list("abcd"), list("dcba")) == 1
    assert lcs_length(list("abcbdab"), list("bdcaba")) == 4


def test_max_rouge_l_over_pool():
    pool = [tokens("the cat sat on the mat"), tokens("completely different words here")]
    assert max_rouge_l("the cat sat on a mat", pool) == pytest.approx(
        rouge_l("the cat sat on the mat", "the cat sat on a mat")
    )
    assert max_rouge_l("anything", []) == 0.0


def test_bit_parallel_lcs_matches_the_dynamic_programme():
    import random

    rng = random.Random(7)
    for _ in range(500):
        vocab = list("abcdefg")[: rng.randint(1, 7)]
        a = [rng.choice(vocab) for _ in range(rng.randint(0, 70))]
        b = [rng.choice(vocab) for _ in range(rng.randint(0, 70))]
        assert lcs_length(a, b) == lcs_length_dp(a, b)
        assert lcs_length(b, a) == lcs_length_dp(a, b)


def lcs_length_dp(a, b):
    """The textbook O(n*m) dynamic programme: the reference the tests check lcs_length against."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]
