"""The bad cache files, shared by the per-cache tests: each a name and a writer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path


def json_kinds(valid: dict, version_key: str) -> dict[str, Callable[[Path], None]]:
    """Every kind of bad JSON cache file, built from one valid document."""
    text = json.dumps(valid)
    bumped = {**valid, version_key: valid[version_key] + 1}
    first_key = next(k for k in valid if k != version_key)
    return {
        "empty": lambda p: p.write_bytes(b""),
        "whitespace": lambda p: p.write_bytes(b"  \n"),
        "truncated": lambda p: p.write_text(text[: len(text) // 2]),
        "wrong-format": lambda p: p.write_text("entries:\n  - yaml, not json\n"),
        "wrong-type-list": lambda p: p.write_text("[1, 2, 3]"),
        "wrong-type-string": lambda p: p.write_text('"a string"'),
        "wrong-type-member": lambda p: p.write_text(json.dumps({**valid, first_key: ["not", "an", "object"]})),
        "no-version": lambda p: p.write_text(json.dumps({first_key: valid[first_key]})),
        "nul-bytes": lambda p: p.write_bytes(b"\x00" * 64),
        "nul-inside": lambda p: p.write_bytes(text.encode()[:5] + b"\x00" + text.encode()[5:]),
        "invalid-utf8": lambda p: p.write_bytes(b'{"' + version_key.encode() + b'": 1, "\xff\xfe": {}}'),
        "deep-nesting": lambda p: p.write_text("[" * 100_000 + "]" * 100_000),
        "directory": lambda p: (p.mkdir(), (p / "inside.json").write_text(text)),
        "version-bump": lambda p: p.write_text(json.dumps(bumped)),
    }


def aside(path: Path) -> list[Path]:
    """The files a quarantine left next to `path`."""
    return sorted(path.parent.glob(path.name + ".corrupt-*")) + sorted(path.parent.glob(path.name + ".old-*"))
