"""Does an issue carry what a maintainer needs? Rules, an LLM, or a model trained on history.

Each way answers with a MissingInfo; the rules are pure, the model is a classifier trained on a
`needs more info` label, and the LLM's prompt is the one the fine-tuning files use too. What is
missing is asked for in one polite sticky comment.

MissingInfo.missing lists what to ask for in the issue's own words: a template heading the author
left empty is quoted as written ("Steps to reproduce"); otherwise a short plain description.
The rules (grafana's qualitizer idea, github/issue-labeler's body-missing checks): a bug needs
the version, steps to reproduce, expected vs actual behaviour, and evidence (logs, an error
message, a stack trace or a screenshot); a feature request needs its use case; a question
needs some detail. An empty template section counts as missing even when other text would match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from labeler import slash

KINDS = ("bug", "feature", "question")
REQUIRED = {"bug": ("version", "steps", "expected_actual", "logs"), "feature": ("use_case",), "question": ("details",)}
DESCRIBE = {
    "version": "the version you are using",
    "steps": "steps to reproduce the problem",
    "expected_actual": "what you expected to happen and what happened instead",
    "logs": "error messages, logs or a screenshot",
    "use_case": "the use case: what you are trying to do and why",
    "details": "a few more details about your question",
}
# which template headings stand for which item (lower-case substrings)
HEADING_KEYS = {
    "version": ("version", "environment", "release"),
    "steps": ("steps", "reproduc", "repro", "how to trigger"),
    "expected_actual": ("expected", "actual", "what happened", "current behavio", "observed"),
    "logs": ("log", "stack trace", "traceback", "error message", "output", "screenshot", "crash report"),
    "use_case": ("use case", "motivation", "problem", "why", "describe the feature", "context"),
}
EMPTY_ANSWERS = {"", "_no response_", "no response", "n/a", "na", "none", "-", "...", "tbd", "todo"}

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FENCE_LINE = re.compile(r"^[ \t]*(?:```|~~~)[^\n]*$", re.M)
_HEADING = re.compile(r"^(?:#{1,6}\s+(?P<h>.+?)\s*#*|\*\*(?P<b>[^*\n]{2,80})\*\*:?)\s*$", re.M)
_PATTERNS = {
    "version": re.compile(r"\bv?\d+\.\d+(?:\.\d+)?\b|\bversion\b\W{0,3}\w*\d|\bcommit\s+[0-9a-f]{7,40}\b", re.I),
    # a list of two items, one numbered step, or a label the author wrote ("Steps:", "To reproduce:", "STR:")
    "steps": re.compile(
        r"(?m)(^\s*(?:\d+[.)]|[-*])\s+\S.*\n\s*(?:\d+[.)]|[-*])\s+\S)|^\s*(?:step\s*)?1[.):]\s+\S|"
        r"\b(?:steps to reproduce|to reproduce|how to reproduce|repro(?:duce|duction)?(?: steps)?\s*:|"
        r"steps\s*:|str\s*:)",
        re.I,
    ),
    # expected and what happened, in either order, or either one stated under its own label ("Actual: ...")
    "expected_actual": re.compile(
        r"\bexpect(?:ed|s|ing|ation)?\b[\s\S]{0,2000}?"
        r"\b(?:actual(?:ly)?|instead|but|got|however|happens|returns|shows)\b|"
        r"\b(?:actual(?:ly)?|instead|got|happens)\b[\s\S]{0,2000}?\bexpect(?:ed|s|ing|ation)?\b|"
        r"^\W{0,6}(?:expected|actual|observed|current)(?: (?:result|results|behaviou?r|outcome|output))?\W{0,4}:",
        re.I | re.M,
    ),
    "logs": re.compile(
        r"```|~~~|Traceback \(most recent call last\)|\b\w*(?:Error|Exception)\b[:(]|\bpanic:|^\s+at \S+\(|"
        r"\b(?:ERROR|FATAL|WARN(?:ING)?)\b|!\[[^\]]*\]\(|<img\s",
        re.M,
    ),
    "use_case": re.compile(
        r"\b(?:use case|so that|because|in order to|i (?:want|need|would like)|we (?:want|need)|"
        r"currently|it would (?:help|allow|be)|would make)\b",
        re.I,
    ),
}


@dataclass(frozen=True)
class MissingInfo:
    missing: list[str]
    complete: bool
    keys: tuple[str, ...] = ()
    source: str = "rules"
    remarks: str = ""
    empty_headings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Section:
    heading: str
    content: str

    @property
    def empty(self) -> bool:
        return self.left_empty()

    def left_empty(self, placeholders: frozenset[str] = frozenset()) -> bool:
        """Blank, a "no response", an empty code block, or the template's own text left as it was."""
        text = _FENCE_LINE.sub("", _COMMENT.sub("", self.content)).strip()  # an empty code block is empty
        return text.lower() in EMPTY_ANSWERS or (bool(placeholders) and normalise_text(text) in placeholders)


def normalise_text(text: str) -> str:
    """Comments dropped, whitespace collapsed, case folded: how a template's text is compared with a section."""
    return " ".join(_COMMENT.sub(" ", text).split()).casefold()


def kind_of(labels: Sequence[str], default: str = "bug") -> str:
    """The kind of report from its labels (type/feature-request -> feature, ...)."""
    low = " ".join(labels).lower()
    if "feature" in low or "enhancement" in low:
        return "feature"
    if "question" in low:
        return "question"
    return "bug" if "bug" in low else default


def sections(body: str) -> list[Section]:
    """Template sections: Markdown headings (issue forms use `### Label`) or bold-only lines."""
    found = list(_HEADING.finditer(_mask(body)))
    out = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(body)
        heading = (match.group("h") or match.group("b") or "").strip()
        out.append(Section(heading=heading, content=body[match.end() : end]))
    return out


def _mask(body: str) -> str:
    """Same length as `body`, with code and HTML blocks (comments included) filled, so a `# comment` in a
    code block or a heading inside a template comment is never taken for a section (slash's scanner)."""
    hidden = slash.hidden_lines(body)
    lines = body.split("\n")
    return "\n".join("x" * len(line) if i in hidden else line for i, line in enumerate(lines))


def _item_for(heading: str) -> str | None:
    low = heading.lower()
    return next((item for item, keys in HEADING_KEYS.items() if any(k in low for k in keys)), None)


def _present(item: str, text: str) -> bool:
    if item == "details":
        return len(text.split()) >= 8
    return bool(_PATTERNS[item].search(text))


def check(
    title: str,
    body: str | None,
    *,
    kind: str = "bug",
    require: Sequence[str] | None = None,
    placeholders: frozenset[str] = frozenset(),
) -> MissingInfo:
    """Rule-based check; `require` overrides the items asked for `kind`; a section holding only one of the
    `placeholders` (the repository's template text, normalise_text) was left empty."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    items = tuple(require) if require is not None else REQUIRED[kind]
    unknown = [i for i in items if i not in DESCRIBE]
    if unknown:
        raise ValueError(f"unknown required item(s): {', '.join(unknown)} (known: {', '.join(DESCRIBE)})")
    body = body or ""
    by_item: dict[str, list[Section]] = {}
    for section in sections(body):
        item = _item_for(section.heading)
        if item:
            by_item.setdefault(item, []).append(section)
    text = f"{title}\n{_COMMENT.sub(' ', body)}"
    missing, keys, empty = [], [], []
    for item in items:
        verdict = _judge(item, by_item.get(item, []), text, placeholders)
        if verdict is not None:
            missing.append(verdict[0])
            keys.append(item)
            empty += verdict[1]
    return MissingInfo(missing=missing, complete=not missing, keys=tuple(keys), empty_headings=tuple(empty))


def _judge(item: str, secs: list[Section], text: str, placeholders: frozenset[str]) -> tuple[str, list[str]] | None:
    """None when the item is there; else (what to ask for, empty headings quoted)."""
    if secs:
        filled = [s for s in secs if not s.left_empty(placeholders)]
        if filled:
            return None
        headings = [s.heading for s in secs]
        return " / ".join(f'"{h}"' for h in headings), headings
    return None if _present(item, text) else (DESCRIBE[item], [])


# LLM path ----------------------------------------------------------------------------------------

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["complete", "missing", "remarks"],
    "properties": {
        "complete": {"type": "boolean"},
        "missing": {"type": "array", "maxItems": 8, "items": {"type": "string", "maxLength": 300}},
        "remarks": {"type": "string", "maxLength": 1000},
    },
}
MAX_BODY_CHARS = 12_000


def build_prompt(title: str, body: str | None, *, kind: str = "bug", folder: str | None = None) -> tuple[str, str]:
    from labeler import prompts

    prompt = prompts.load("missing_info", folder, package="labeler.missing_info")
    needs = "\n".join(f"- {DESCRIBE[item]}" for item in REQUIRED.get(kind, REQUIRED["bug"]))
    return prompt.render(
        kind=kind,
        needs=needs,
        title=title,
        body=(body or "")[:MAX_BODY_CHARS],
        cut=prompts.cut_note(body, MAX_BODY_CHARS),
    )


# trained-model path ------------------------------------------------------------------------------


def check_model(predictor: Any, title: str, body: str | None, *, label: str, kind: str = "bug") -> MissingInfo:
    """A classifier trained on the repo's own `needs more info`-style label decides; the rules
    then say what to ask for (or a general request when they find nothing specific)."""
    if label not in predictor.labels:
        raise ValueError(f"the model was not trained on the label {label!r} (it knows: {', '.join(predictor.labels)})")
    score = predictor.scores(title, body or "")[label]
    confidence = predictor.confidence(label, score)
    if score < predictor.thresholds[label]:
        return MissingInfo(missing=[], complete=True, source="model", remarks=f"confidence {confidence:.2f}")
    rules = check(title, body, kind=kind)
    missing = rules.missing or ["more detail: how to reproduce the problem and what you observed"]
    return MissingInfo(
        missing=missing,
        complete=False,
        keys=rules.keys,
        source="model",
        remarks=f"confidence {confidence:.2f}",
        empty_headings=rules.empty_headings,
    )


# the comment -------------------------------------------------------------------------------------


def render_comment(info: MissingInfo, *, marker: str) -> str:
    """One polite comment. Headings and LLM text are untrusted: escaped, mentions neutralised."""
    from labeler import md

    if info.complete:
        return (
            f"{marker}\nThanks for the update! This issue now has the information the automated check "
            "looks for. A maintainer will take it from here."
        )
    lines = [marker, "Thanks for opening this issue! To help the maintainers look into it, could you add:", ""]
    for item in info.missing:
        lines.append(f"- {_quote_headings(item, md)}")
    lines += [
        "",
        "You can edit the issue description to fill these in. This is an automated check; it never "
        "closes issues, and a maintainer will look at this issue either way.",
    ]
    return md.fit_comment("\n".join(lines))


def _quote_headings(item: str, md: Any) -> str:
    """Quoted headings ("Steps to reproduce") become bold text noting the empty section."""
    parts = re.findall(r'"([^"]+)"', item)
    if parts and re.fullmatch(r'\s*"[^"]+"(?:\s*/\s*"[^"]+")*\s*', item):
        names = " / ".join(f"**{md.escape(p)}**" for p in parts)
        return f"{names} (this section of the template is empty)"
    escaped: str = md.escape(item)
    return escaped
