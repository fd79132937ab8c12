"""Issue text -> what the models see. One preparation, shared by training and prediction.

TF-IDF (word 1-2-grams and character 3-5-grams) reads the title repeated TITLE_WEIGHT times and the
cleaned body (template boilerplate out, URLs as one token, size capped); the sentence encoder reads the
title and the prose only (no code, no comments).

What cross-validation on real issues decided (figures and the command in docs/triage-intelligence.md,
"Choices in the code"):
- `_No response_` (GitHub issue forms' empty answer) and checklists' unticked boxes say nothing:
  dropped. URLs become one token `xxurl` (a link is evidence, its path is noise).
- Template headings (`### Current behavior?`) and HTML-comment template text
  (`<!-- Describe the feature you'd like -->`) are kept for TF-IDF: they tell which issue template
  the reporter chose, which is evidence for the issue's type: dropping them lost F1. For the
  sentence encoder they are noise and go.
- Fenced code and logs are kept for TF-IDF (tracebacks are evidence of a bug; replacing code by a
  token lost F1) but not sent to the encoder, whose 256 tokens are better spent on prose.
- The title, the densest summary, counts TITLE_WEIGHT times.
Gold labels are never part of the text (dotnet/issue-labeler featurized its Label column and
leaked it; only title and body reach us).
"""

from __future__ import annotations

import re
from typing import Any

MAX_TITLE_CHARS = 512
MAX_RAW_BODY = 60_000  # NLBSE'24 has a 208k-character body; regexes never see more than this
MAX_BODY_CHARS = 6_000  # after cleaning: the head says what an issue is (no loss vs a longer cap, faster)
MAX_EMBED_CHARS = 2_000  # ~ the encoder's 256 tokens
TITLE_WEIGHT = 2

_HTML_COMMENT = re.compile(r"<!--(.*?)(?:-->|\Z)", re.S)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.S | re.M)
_URL = re.compile(r"\bhttps?://[^\s)>\]]+|\bwww\.[^\s)>\]]+", re.I)
# Line-anchored patterns use [ \t]*, never \s*: \s* spans newlines and turns a body of blank lines
# into quadratic work (a test feeds such bodies).
_NO_RESPONSE = re.compile(r"^[ \t]*_No response_[ \t]*$", re.M | re.I)
_UNTICKED = re.compile(r"^[ \t]*[-*] \[ \] .*$", re.M)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n(?:[ \t]*\n)+")


def _basic(body: str | None) -> str:
    body = (body or "")[:MAX_RAW_BODY].replace("\r\n", "\n").replace("\x00", " ")
    body = _NO_RESPONSE.sub("", body)
    body = _UNTICKED.sub("", body)
    return _URL.sub(" xxurl ", body)


def _tidy(text: str) -> str:
    return _BLANKS.sub("\n", _SPACES.sub(" ", text)).strip()


def clean_body(body: str | None) -> str:
    """The body TF-IDF sees: boilerplate answers out, URLs as `xxurl`, comments' text kept."""
    body = _HTML_COMMENT.sub(lambda m: " " + m.group(1) + " ", _basic(body))
    return _tidy(body)[:MAX_BODY_CHARS]


def text_of(title: str, body: str | None) -> str:
    """The one text the TF-IDF model sees, for training and prediction alike."""
    title = _tidy((title or "")[:MAX_TITLE_CHARS])
    return "\n".join([title] * TITLE_WEIGHT + [clean_body(body)])


def embed_text_of(title: str, body: str | None) -> str:
    """The sentence encoder's input: title, then the prose of the body (no code, no comments)."""
    body = _FENCE.sub(" ", _HTML_COMMENT.sub(" ", _basic(body)))
    body = re.sub(r"^#+\s.*$", " ", body, flags=re.M)  # template headings: the same in every issue
    return (_tidy((title or "")[:MAX_TITLE_CHARS]) + "\n" + _tidy(body))[:MAX_EMBED_CHARS]


KINDS = ("word", "char")
DEFAULT_KINDS = ("word",)  # CV on NLBSE: word+char 0.781, word alone 0.781 at a sixth of the training time
CHAR_CHARS = 1_500  # character n-grams read the head only: they are the slow part of training


def char_head(text: str) -> str:
    """What the character n-grams see: the start of `text_of` (titles and the body's opening), lowercased."""
    return text[:CHAR_CHARS].lower()


WORD_PATTERN = r"(?u)\b\w[\w.+#-]*\w\b|\b\w\b"


def vectorizer(kind: str) -> Any:
    """A fresh scikit-learn TfidfVectorizer of one kind (the same settings at train and load time)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if kind == "word":
        return TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.95, token_pattern=WORD_PATTERN, dtype=np.float32
        )
    if kind == "char":
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=2,
            preprocessor=char_head,
            max_features=150_000,
            dtype=np.float32,
        )
    raise ValueError(f"feature kinds must be some of {KINDS}, got {kind!r}")


def build(kinds: tuple[str, ...] = KINDS) -> list[tuple[str, Any]]:
    """[(kind, unfitted vectorizer)] for `text_of` strings."""
    if not kinds or set(kinds) - set(KINDS):
        raise ValueError(f"feature kinds must be some of {KINDS}, got {kinds}")
    return [(k, vectorizer(k)) for k in KINDS if k in kinds]
