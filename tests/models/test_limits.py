"""The free limits as plain values: header parsing, waits, pacing, prompts cut to the request size."""

import math

import pytest

from labeler import limits

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1.0),
        ("0.5", 0.5),
        ("6m0s", 360.0),
        ("1h2m3.5s", 3723.5),
        ("250ms", 0.25),
        ("20h", 72000.0),
        (str(int(NOW) + 30), 30.0),  # epoch seconds, GitHub's x-ratelimit-reset
        (str(int(NOW) - 30), 0.0),  # a reset in the past: go now
        ("", None),
        (None, None),
        ("soon", None),
        ("-5", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_seconds(value, expected):
    assert limits.seconds(value, NOW) == expected


def test_an_http_date_is_relative_to_now():
    assert limits.seconds("Thu, 01 Jan 2026 00:01:00 GMT", 1767225600.0) == 60.0
    assert limits.seconds("Thu, 01 Jan 2026 00:01:00", 1767225600.0) is None  # no zone: unknowable


def test_window_reads_openai_and_github_style_headers():
    w = limits.window(
        {"x-ratelimit-remaining-requests": "14", "x-ratelimit-reset-requests": "4s", "retry-after-ms": "1500"}, NOW
    )
    assert (w.remaining_requests, w.reset_requests, w.retry_after) == (14, 4.0, 1.5)
    w = limits.window({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 90)}, NOW)
    assert (w.remaining_requests, w.reset_requests) == (0, 90.0)
    assert limits.window({"x-ratelimit-remaining-requests": "many"}, NOW).remaining_requests is None


def test_wait_after_429():
    assert limits.wait_after_429(limits.Window(retry_after=2.0, remaining_requests=0, reset_requests=60)) == 2.0
    assert limits.wait_after_429(limits.Window(remaining_requests=0, reset_requests=60)) == 60
    assert limits.wait_after_429(limits.Window(remaining_tokens=0, reset_tokens=5, remaining_requests=3)) == 5
    assert limits.wait_after_429(limits.Window(remaining_requests=3, reset_requests=60)) is None
    assert limits.wait_after_429(limits.Window()) is None


def test_pace():
    assert limits.pace(limits.Window()) == 0
    assert limits.pace(limits.Window(remaining_requests=2, reset_requests=50)) == 0
    assert limits.pace(limits.Window(remaining_requests=0, reset_requests=50)) == 50
    assert limits.pace(limits.Window(remaining_requests=0)) == limits.UNSAID_RESET
    assert limits.pace(limits.Window(remaining_tokens=0, reset_tokens=7)) == 7
    assert not math.isinf(limits.pace(limits.Window(remaining_tokens=0)))


def test_duration():
    assert [limits.duration(s) for s in (0.2, 45, 600, 3600, 72000)] == ["1s", "45s", "10 min", "1 h", "20 h"]


def render(body):
    return ("INSTRUCTIONS " * 100, f"Labels: bug, docs\n<body>{body}</body>\nAnswer with the labels.")


def test_a_prompt_within_the_budget_is_untouched():
    prompt, cut = limits.fit(render, "short body", 2000)
    assert prompt == render("short body") and not cut


def test_the_body_is_cut_never_the_instructions_or_the_labels():
    body = "x" * 60_000
    (system, user), cut = limits.fit(render, body, 2000)
    assert cut and limits.pair_tokens((system, user)) <= 2000
    assert system == render("")[0]
    assert user.startswith("Labels: bug, docs\n<body>x") and user.endswith("</body>\nAnswer with the labels.")
    assert limits.CUT_MARK in user


def test_a_budget_smaller_than_the_instructions_sends_no_body():
    (system, user), cut = limits.fit(render, "y" * 5000, 10)
    assert cut and "yy" not in user and system == render("")[0]
    assert limits.fit(render, "", 10) == (render(""), False)


def test_fit_takes_any_prompt_shape():
    prompt, cut = limits.fit(lambda b: f"prefix {b} suffix", "z" * 900, 100, measure=limits.tokens)
    assert cut and limits.tokens(prompt) <= 100 and prompt.startswith("prefix z") and prompt.endswith("suffix")
