"""A seeded fuzz over event payloads and config files. Never a traceback (exit 3); every input
that is invalid as a file (not JSON, not an object, too deep, bad Unicode, bad YAML, schema errors) ends
with a non-zero exit and one `error:` line."""

import json
import random

import pytest

from fakes.events import load_event
from labeler.cli import main

SEED = 10
BAD_EVENT_FILES = [
    b"",
    b"{",
    b"[1, 2]",
    b"null",
    b'"text"',
    b"\xff\xfe{}",
    b"[" * 100_000 + b"]" * 100_000,
    b"{" + b'"a":{' * 50_000 + b"}" * 50_001,
]
JUNK = [None, True, -1, 0, 2**70, "", "many", "\u202e", [], {}, [1], {"x": 1}, "x" * 10_000, 1.5]


def mutate(payload, rng):
    """Replace one random value anywhere in the payload with junk of another type."""
    paths, stack = [], [((), payload)]
    while stack:
        path, node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            paths.append((*path, key))
            stack.append(((*path, key), value))
    path = rng.choice(paths)
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = rng.choice(JUNK)
    return payload


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code != 3 and "Traceback" not in out + err, (argv, out, err)
    return code, out + err


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "labels.yml"
    path.write_text("labels:\n  - name: bug\n  - name: skill\n  - name: knowledge\n", encoding="utf-8")
    return str(path)


COMMANDS = [
    ("bot", "issue_comment", "issue_comment.created.pr"),
    ("label-issue", "issues", "issues.opened"),
    ("label-issue", "issue_comment", "issue_comment.created"),
]


@pytest.mark.parametrize("command, event_name, sample", COMMANDS)
def test_invalid_event_files_are_errors(fake_github, tmp_path, capsys, cfg, command, event_name, sample):
    for i, content in enumerate(BAD_EVENT_FILES):
        path = tmp_path / f"bad-{i}.json"
        path.write_bytes(content)
        code, text = run(capsys, [command, "--event", str(path), "--event-name", event_name, "--config", cfg])
        assert code == 1 and text.count("error:") == 1, (content[:40], text)


@pytest.mark.parametrize("command, event_name, sample", COMMANDS)
def test_mutated_events_never_crash(fake_github, tmp_path, capsys, cfg, monkeypatch, command, event_name, sample):
    fake_github.violations_ok = True
    fake_github.add_issue(1)
    monkeypatch.setenv("LABELER_DRY_RUN", "true")
    rng = random.Random(SEED)
    for i in range(25):
        payload = mutate(load_event(sample), rng)
        path = tmp_path / f"event-{i}.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        extra = ["--provider", "keywords"] if command == "label-issue" else []
        code, text = run(capsys, [command, "--event", str(path), "--event-name", event_name, "--config", cfg, *extra])
        assert code == 0 or "error:" in text


BAD_CONFIGS = [
    "",
    "- a\n- b\n",
    "labels: 5\n",
    "labels: [5]\n",
    "labels:\n  - name: [x]\n",
    "labels: &a [*a]\n",
    "labels:\n  - {name: a, color: zz, bogus: 1}\n  - {name: a}\n",
    "\t\tlabels:\n",
    "labels: [\n",
    "labels:\n  - name: " + "x" * 100_000 + "\n    color: 5\n",
]


def test_invalid_config_files_are_errors(fake_github, tmp_path, capsys):
    rng = random.Random(SEED)
    configs = BAD_CONFIGS + [
        "labels:\n" + "".join(f"  - {rng.choice(['name', 'color', 'x'])}: {rng.choice(JUNK)!r}\n" for _ in range(3))
        for _ in range(10)
    ]
    for i, text in enumerate(configs):
        path = tmp_path / f"labels-{i}.yml"
        path.write_text(text, encoding="utf-8")
        code, out = run(
            capsys, ["label-issue", "--issue", "1", "--config", str(path), "--provider", "keywords", "--dry-run"]
        )
        if code == 0:  # a random config can be valid: then it must really load
            from labeler import config

            config.parse(text, str(path))
        else:
            assert code == 1 and out.count("error:") == 1, (text[:80], out)
