"""Numbers for the taxonomy bot: ROUGE-L cost (pure Python) and qna.yaml validation.

    python3 benchmarks/taxonomy_bot.py     # re-runs itself under .venv/bin/python when needed

Part 1 runs anywhere (generated text). Part 2 times precheck's bounded concurrency against the
loopback FakeLLM (tests/fakes) with a fixed latency per request. Part 3 validates the real files in ../shared/data/taxonomy
(relative to the project root; never copied in) and skips with one line when they are absent.
Expected there (taxonomy.md §4): 23 of 24 files under knowledge/ and compositional_skills/ pass with
their own version (the v1 knowledge file fails: deprecated).
"""

from __future__ import annotations

import random
import statistics
import sys
import time

from _support import ROOT, setup

DATA = ROOT.parent / "shared" / "data" / "taxonomy"
setup("yaml", "instructlab.schema", "openai")

from labeler.taxonomy_bot import qna as taxonomy
from labeler.taxonomy_bot.generate import Options, Pair, discard_reason
from labeler.taxonomy_bot.similarity import rouge_l, tokens

WORDS = [
    "the",
    "a",
    "receipt",
    "total",
    "price",
    "item",
    "cost",
    "tea",
    "milk",
    "bread",
    "how",
    "many",
    "what",
    "which",
    "is",
    "was",
    "were",
    "paid",
    "tonsil",
    "adenoid",
    "tissue",
    "immune",
    "throat",
    "nose",
    "lymphoid",
    "ring",
    "sample",
    "answer",
    "question",
    "model",
    "data",
]


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def time_pairs(n_words: int, pairs: int = 300) -> float:
    rng = random.Random(n_words)
    data = [(tokens(text(rng, n_words)), tokens(text(rng, n_words))) for _ in range(pairs)]
    start = time.perf_counter()
    for a, b in data:
        rouge_l(a, b)
    return (time.perf_counter() - start) / pairs * 1e6


def rouge_part() -> None:
    for n in (10, 50, 150, 400):
        print(f"rouge_l: {n:>3}-word texts: {time_pairs(n):9.1f} µs per pair")
    rng = random.Random(0)
    pool = [tokens(text(rng, 15)) for _ in range(200)]
    candidates = [Pair(text(rng, 15).capitalize() + "?", "yes") for _ in range(50)]
    opts = Options(system_prompt="t")
    start = time.perf_counter()
    for c in candidates:
        discard_reason(c, pool, opts)
    per = (time.perf_counter() - start) / len(candidates) * 1e3
    print(f"generate filter: one 15-word question vs a pool of 200: {per:.2f} ms")


def concurrency_part(latency: float = 0.1, questions: int = 40) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from fakes import FakeLLM
    from labeler import llm
    from labeler.taxonomy_bot.precheck import Item, Options, ask_all
    from labeler.taxonomy_bot.qna import Seed

    items = [
        Item("compositional_skills/x/qna.yaml", i, Seed(f"Question {i}?", "An answer."), True) for i in range(questions)
    ]
    with FakeLLM(default="An answer.", latency=latency) as fake:
        model = llm.get_model("openai", "bench", base_url=fake.openai_url, api_key="k")
        for workers in (1, 4, 8):
            start = time.perf_counter()
            ask_all(model, items, Options(system_prompt="s", concurrency=workers))
            took = time.perf_counter() - start
            print(
                f"precheck: {questions} questions at {latency * 1000:.0f} ms each, concurrency {workers}: {took:.2f} s"
            )


def validation_part() -> None:
    if not DATA.is_dir():
        print(f"SKIP: {DATA} is absent (real qna.yaml files); part 3 not run")
        return
    files = sorted(p for p in DATA.rglob("qna.yaml") if taxonomy.is_qna(str(p.relative_to(DATA))))
    times, passed = [], 0
    for path in files:
        rel = str(path.relative_to(DATA))
        start = time.perf_counter()
        qna, problems = taxonomy.parse(rel, path.read_text(encoding="utf-8"))
        times.append((time.perf_counter() - start) * 1e3)
        passed += qna is not None
        errors = [p for p in problems if p.severity == "error"]
        print(
            f"{'ok  ' if qna else 'FAIL'} {rel}" + (f"  ({len(errors)} errors, first: {errors[0]})" if errors else "")
        )
    print(
        f"validation: {passed}/{len(files)} pass with their own version; "
        f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms per file"
    )


if __name__ == "__main__":
    import argparse

    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    rouge_part()
    concurrency_part()
    validation_part()
