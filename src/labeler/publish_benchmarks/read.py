"""Reading a results file: a structured JSON/YAML mapping or an `ilab model evaluate` text report."""

from __future__ import annotations

import os

from labeler.errors import UserError, setting
from labeler.publish_benchmarks import ilab_text, structured
from labeler.publish_benchmarks.assemble import assemble
from labeler.publish_benchmarks.results import BUILD_ID, MAX_BYTES, STRUCTURED, URL, Results


def load(path: str, *, build_id: str | None = None, build_url: str | None = None) -> Results:
    """Read a results file: `.json`, `.yaml`/`.yml`, or an ilab text report (any other name).

    `build_id`/`build_url` override the file's (a text report has none, so it needs `build_id`).
    """
    text = read_text(path)
    return parse(text, path, build_id=build_id, build_url=build_url)


def check_overrides(build_id: str | None, build_url: str | None) -> None:
    if build_id is not None and not BUILD_ID.fullmatch(build_id):
        raise UserError(f"--build-id {build_id!r}: use 1-100 letters, digits and _ . : / + = - (starting alphanumeric)")
    if build_url is not None and (not URL.fullmatch(build_url) or len(build_url) > 2000):
        raise UserError(f"--build-url {build_url!r} is not an http(s) URL")


def read_text(path: str) -> str:
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise UserError(f"results file is larger than {MAX_BYTES // (1024 * 1024)} MiB", file=path)
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise UserError("results file not found", file=path) from None
    except IsADirectoryError:
        raise UserError("results path is a directory, not a file", file=path) from None
    except UnicodeDecodeError as e:
        raise UserError(f"results file is not UTF-8 text (byte {e.start})", file=path) from None
    except OSError as e:
        raise UserError(f"cannot read the results file: {e.strerror}", file=path) from None


def parse(text: str, path: str = "results", *, build_id: str | None = None, build_url: str | None = None) -> Results:
    check_overrides(build_id, build_url)
    if looks_like_ilab_report(text, path):
        return _ilab(text, path, build_id=build_id, build_url=build_url)
    if path.lower().endswith(STRUCTURED) or text.lstrip().startswith("{"):
        return structured.parse(text, path, build_id=build_id, build_url=build_url)
    try:
        return structured.parse(text, path, build_id=build_id, build_url=build_url)
    except UserError as e:
        if not e.message.startswith(("results must be a mapping", "not valid YAML")):
            raise
        raise UserError(
            "neither a JSON/YAML results mapping nor an `ilab model evaluate` text report (no "
            "`# SKILL EVALUATION REPORT` or `# KNOWLEDGE EVALUATION REPORT` line)",
            file=path,
            line=1,
        ) from None


def looks_like_ilab_report(text: str, path: str) -> bool:
    if path.lower().endswith(STRUCTURED):
        return False
    return any(line.strip().startswith("# ") and "EVALUATION REPORT" in line.upper() for line in text.splitlines())


def _ilab(text: str, path: str, *, build_id: str | None = None, build_url: str | None = None) -> Results:
    if not build_id:
        raise UserError(
            "an ilab text report has no build id: pass " + setting("--build-id (LABELER_BUILD_ID)", "build-id"),
            file=path,
        )
    reader = ilab_text.Reader(text, path)
    reports = reader.run()
    return assemble(reports, reader, build_id, build_url)
