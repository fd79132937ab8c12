"""generate: prompt building, the tolerant parser, the filters, and the command against the fakes."""

import json
import random

import pytest

from labeler.cli import main
from labeler.taxonomy_bot import generate as g
from labeler.taxonomy_bot.generate import Options, Pair, discard_reason, parse_pairs
from labeler.taxonomy_bot.qna import parse
from labeler.taxonomy_bot.similarity import tokens
from taxonomy_bot.helpers import (
    FREEFORM,
    KNOWLEDGE,
    ROOT,
    SKILL,
    comment_event,
    ours,
    seed_pr,
    write_config,
    write_event,
)

OPTS = Options(system_prompt="teacher")


def qna(rel):
    q, _ = parse(f"{rel}/qna.yaml", (ROOT / "valid" / rel / "qna.yaml").read_text())
    return q


def test_grounded_prompt_shows_contexts_and_the_contract():
    q = qna(SKILL)
    prompt = g.build_prompt(q, g.sample_examples(q, 2, random.Random(0)), 4)
    assert "Write 4 new" in prompt and "Task: Read a shop receipt" in prompt
    assert prompt.count("[CONTEXT]\n") == 2 and prompt.count("[END]") >= 2
    assert "must be derived from it" in prompt


def test_freeform_prompt_has_no_context():
    q = qna(FREEFORM)
    prompt = g.build_prompt(q, g.sample_examples(q, 3, random.Random(0)), 5)
    assert "[CONTEXT]\n" not in prompt and "stand on its own" in prompt
    assert prompt.count("[QUESTION]") == 3


def test_knowledge_prompt_uses_one_excerpt():
    q = qna(KNOWLEDGE)
    examples = g.sample_examples(q, 3, random.Random(3))
    assert len({e.context for e in examples}) == 1
    prompt = g.build_prompt(q, examples, 3)
    assert examples[0].context.strip() in prompt and 'knowledge domain "Human anatomy"' in prompt


def test_sampling_is_reproducible():
    q = qna(FREEFORM)
    assert g.sample_examples(q, 3, random.Random(42)) == g.sample_examples(q, 3, random.Random(42))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[QUESTION] What is 2+2? [ANSWER] 4 [END]", [Pair("What is 2+2?", "4")]),
        (
            "[question]: a b c d?\n[answer]: yes\n[question] e f g h?\n[answer] no",
            [Pair("a b c d?", "yes"), Pair("e f g h?", "no")],
        ),
        (
            "Sure! Here they are:\n[CONTEXT]\nT 1\n[QUESTION]\nq?\n[ANSWER]\na\n[END]\n[CONTEXT] T 2 [QUESTION] r? [ANSWER] b",
            [Pair("q?", "a", "T 1"), Pair("r?", "b", "T 2")],
        ),
        ("[QUESTION] only a question [END]", [Pair("only a question", "")]),
        ("no tags at all", []),
        ("", []),
    ],
)
def test_parse_pairs(text, expected):
    assert parse_pairs(text) == expected


def test_parse_pairs_default_context():
    assert parse_pairs("[QUESTION] q [ANSWER] a", default_context="doc") == [Pair("q", "a", "doc")]


POOL = [tokens("What is the capital of France?")]


@pytest.mark.parametrize(
    "question, answer, reason",
    [
        ("How many teas were bought on this receipt?", "Two.", None),
        ("", "x", "empty"),
        ("Why?", "x", "empty" if False else "length"),
        ("word " * 151, "x", "length"),
        ("Describe the image in this receipt please", "x", "denylisted"),
        ("Please go to the website and check", "x", "denylisted"),
        ("Write a program that adds two numbers", "x", "program"),
        ("- What is listed on this receipt?", "x", "punctuation"),
        ("Éclair prices: which one costs the most?", "x", "non-ASCII"),
        ("What is the capital of France?", "Paris", "near-duplicate"),
        ("How much is it in total?", "", "empty"),
    ],
)
def test_discard_reason(question, answer, reason):
    got = discard_reason(Pair(question, answer), POOL, OPTS)
    assert (got is None) if reason is None else (reason in got)


def test_denylist_matches_words_not_substrings():
    assert discard_reason(Pair("What does a profile contain in this record?", "x"), [], OPTS) is None
    custom = Options(system_prompt="t", denylist=("receipt",))
    assert "denylisted" in discard_reason(Pair("What does this receipt say in total?", "x"), [], custom)


class Scripted:
    """A Model stand-in for the pure loop: answers in order, records prompts."""

    name = "teacher"
    provider = "openai"

    def __init__(self, *answers):
        self.answers, self.prompts = list(answers), []

    def complete(self, *, system, prompt, max_tokens=1024, schema=None, temperature=None):
        self.prompts.append(prompt)
        return self.answers.pop(0) if self.answers else ""


def block(q, a="An answer."):
    return f"[QUESTION] {q} [ANSWER] {a} [END]\n"


def test_generate_for_filters_and_dedups_against_earlier_outputs():
    q = qna(FREEFORM)
    first = (
        block("Write a haiku about the sea.")
        + block("Write a haiku about a quiet mountain lake.")
        + block("Write a haiku about a quiet mountain lake!")
        + block("Draw a picture of a lake")
    )
    second = block("Write a haiku about a train at dawn.") + block("Write a haiku about falling rain on tin roofs.")
    run = g.generate_for(
        Scripted(first, second), q, Options(system_prompt="t", samples=3, pairs_per_round=4), random.Random(0)
    )
    assert [p.question for p in run.kept] == [
        "Write a haiku about a quiet mountain lake.",
        "Write a haiku about a train at dawn.",
        "Write a haiku about falling rain on tin roofs.",
    ]
    assert run.generated == 6 and run.rounds == 2
    assert run.discarded == {"near-duplicate (ROUGE-L > 0.9)": 2, "denylisted word": 1}


def test_generate_for_stops_after_max_rounds():
    run = g.generate_for(
        Scripted("garbage", "more garbage"),
        qna(FREEFORM),
        Options(system_prompt="t", samples=5, max_rounds=2),
        random.Random(0),
    )
    assert (run.rounds, run.generated, run.kept) == (2, 0, [])


# ---------------------------------------------------------------------------------- command
@pytest.fixture
def teacher(fake_llm, monkeypatch):
    monkeypatch.setenv("LABELER_TEACHER_BASE_URL", fake_llm.openai_url)
    monkeypatch.setenv("LABELER_TEACHER_MODEL", "teacher-test")
    monkeypatch.setenv("LABELER_MODEL_RETRIES", "0")
    return fake_llm


def run_generate(tmp_path, bot="  generate: {samples: 2, pairs-per-round: 3, show: 1}\n", *extra):
    event = write_event(tmp_path, comment_event("@instructlab-bot generate"))
    return main(
        [
            "generate",
            "--event",
            event,
            "--event-name",
            "issue_comment",
            "--config",
            write_config(tmp_path, bot),
            "--output",
            str(tmp_path / "gen.jsonl"),
            "--seed",
            "1",
            *extra,
        ]
    )


def test_generate_command(fake_github, teacher, actions_env, tmp_path):
    head = seed_pr(fake_github)
    fake_github.add_status(head, "success", "labeler/enabled")
    teacher.enqueue(
        "[CONTEXT] Tea 1 x 2.00 = 2.00\nTOTAL 2.00 [QUESTION] What did the tea cost in total? "
        "[ANSWER] 2.00 [END] [CONTEXT] X [QUESTION] What is the total on this receipt? [ANSWER] 3.20 [END]"
        "[CONTEXT] Pie 2 x 1.00 = 2.00 [QUESTION] How many pies were bought here? [ANSWER] Two. [END]"
    )
    assert run_generate(tmp_path) == 0
    (body,) = ours(fake_github, 7, "generate")
    assert "kept 2 of 3 generated in 1 round(s); discarded: 1 near-duplicate (ROUGE-L &gt; 0.9)" in body
    assert "What did the tea cost in total?" in body and "How many pies" not in body  # show: 1
    rows = [json.loads(x) for x in (tmp_path / "gen.jsonl").read_text().splitlines()]
    assert rows[1]["user"] == "How many pies were bought here?\nPie 2 x 1.00 = 2.00"
    assert rows[0]["system"].startswith("I am an advanced AI") and rows[0]["teacher"] == "teacher-test"
    request = teacher.requests[0].json
    assert request["temperature"] == 0.7 and request["messages"][0]["content"].startswith("You are a careful teacher")
    latest = fake_github.statuses(head)[0]
    assert (latest["context"], latest["state"]) == ("labeler/generate", "success")


def test_generate_refused_for_knowledge(fake_github, teacher, actions_env, tmp_path):
    head = seed_pr(fake_github, leaves=(KNOWLEDGE,), labels=("knowledge",))
    fake_github.add_status(head, "success", "labeler/enabled")
    assert run_generate(tmp_path) == 0
    assert "not available for `knowledge` PRs" in ours(fake_github, 7, "reply")[0]
    assert teacher.requests == [] and [s["context"] for s in fake_github.statuses(head)] == ["labeler/enabled"]


def test_generate_for_knowledge_when_allowed(fake_github, teacher, actions_env, tmp_path):
    head = seed_pr(fake_github, leaves=(KNOWLEDGE,), labels=("knowledge",))
    fake_github.add_status(head, "success", "labeler/enabled")
    teacher.default = block("Which tissue makes up the adenoid in children?", "Lymphoid tissue.")
    assert run_generate(tmp_path, "  generate: {knowledge: true, samples: 1}\n") == 0
    assert "kept 1 of 1" in ours(fake_github, 7, "generate")[0]


def test_teacher_failure_is_an_error_status(fake_github, teacher, actions_env, tmp_path):
    head = seed_pr(fake_github)
    fake_github.add_status(head, "success", "labeler/enabled")
    teacher.fault(503, times=10)
    assert run_generate(tmp_path) == 1
    body = ours(fake_github, 7, "generate")[0]
    assert "the teacher endpoint failed" in body
    latest = fake_github.statuses(head)[0]
    assert latest["state"] == "error" and "teacher endpoint failed" in latest["description"]
    assert len(teacher.requests) == 1  # no further rounds after a failure


def test_nothing_kept_is_a_failure(fake_github, teacher, actions_env, tmp_path):
    head = seed_pr(fake_github)
    fake_github.add_status(head, "success", "labeler/enabled")
    teacher.default = "I cannot help with that."
    assert run_generate(tmp_path) == 1
    assert fake_github.statuses(head)[0]["state"] == "failure"


def test_placeholders_in_seed_text_are_not_expanded():
    q = qna(FREEFORM)
    seed = g.Seed("What does $task or ${count} mean here?", "Literal $examples.")
    prompt = g.build_prompt(q, [seed], 2)
    assert "What does $task or ${count} mean here?" in prompt and "Literal $examples." in prompt
