"""A generated labelled-issue corpus for tests, benchmarks (`--synthetic`) and smoke runs.

Not real data: every number measured on it only shows the code works end to end. Each label has
its own vocabulary; issues mix in shared words and words of other labels (`noise`) so that the
classes overlap and a classifier cannot be perfect.
"""

from __future__ import annotations

import random

from labeler.examples import Example

SHARED = (
    "the",
    "when",
    "after",
    "using",
    "with",
    "project",
    "please",
    "thanks",
    "today",
    "again",
    "version",
    "latest",
    "build",
    "page",
    "user",
    "window",
    "file",
    "setting",
    "team",
    "docs",
)

TYPE_VOCAB = {
    "bug": (
        "crash",
        "error",
        "exception",
        "broken",
        "fails",
        "regression",
        "traceback",
        "segfault",
        "wrong",
        "unexpected",
        "null",
        "freeze",
        "hang",
        "stack",
        "corrupt",
    ),
    "feature": (
        "add",
        "support",
        "option",
        "request",
        "proposal",
        "enhance",
        "allow",
        "would",
        "nice",
        "configurable",
        "new",
        "ability",
        "extend",
        "idea",
        "roadmap",
    ),
    "question": (
        "how",
        "why",
        "question",
        "possible",
        "help",
        "understand",
        "documentation",
        "example",
        "explain",
        "recommend",
        "best",
        "guidance",
        "anyone",
        "clarify",
        "usage",
    ),
}


def area_vocab(n_areas: int) -> dict[str, tuple[str, ...]]:
    """Area labels 'area/a0'.. with 12 made-up topic words each."""
    return {f"area/a{i}": tuple(f"topic{i}x{j}" for j in range(12)) for i in range(n_areas)}


def _words(
    rng: random.Random, vocab: dict[str, tuple[str, ...]], labels: tuple[str, ...], n: int, noise: float
) -> list[str]:
    others = [lbl for lbl in vocab if lbl not in labels]
    words = []
    for _ in range(n):
        roll = rng.random()
        if roll < noise and others:
            words.append(rng.choice(vocab[rng.choice(others)]))
        elif roll < noise + 0.35:
            words.append(rng.choice(SHARED))
        else:
            words.append(rng.choice(vocab[rng.choice(labels)]))
    return words


def corpus(
    n_per_label: int = 40,
    *,
    vocab: dict[str, tuple[str, ...]] | None = None,
    noise: float = 0.3,
    multi_label: float = 0.0,
    seed: int = 0,
    start_year: int = 2020,
) -> list[Example]:
    """`n_per_label` issues per label; a fraction `multi_label` gets a second label."""
    rng = random.Random(seed)
    vocab = vocab or dict(TYPE_VOCAB)
    names = sorted(vocab)
    examples = []
    for i in range(n_per_label * len(names)):
        first = names[i % len(names)]
        labels: tuple[str, ...] = (first,)
        if multi_label and len(names) > 1 and rng.random() < multi_label:
            labels = (first, rng.choice([n for n in names if n != first]))
        title = " ".join(_words(rng, vocab, labels, rng.randint(4, 9), noise))
        body = " ".join(_words(rng, vocab, labels, rng.randint(20, 80), noise))
        month = 1 + i * 12 // (n_per_label * len(names))
        examples.append(
            Example(
                id=f"synthetic#{i + 1}",
                title=title.capitalize(),
                body=body,
                labels=labels,
                created_at=f"{start_year + i % 3}-{month:02d}-{1 + i % 28:02d}T12:00:00Z",
                source="synthetic",
            )
        )
    return examples
