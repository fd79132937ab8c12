"""Issue text -> features: TF-IDF over word 1-2-grams and character 3-5-grams (labeling.md §3, §7).

Word n-grams carry the vocabulary ("crash", "add support"); character n-grams survive typos,
identifiers and code (`NullPointerException`, `v1.2.3`). Gold labels are never part of the text
(dotnet/issue-labeler featurized its Label column and leaked it; we pass title and body only).
"""
from __future__ import annotations

import re
from typing import Any

MAX_TITLE_CHARS = 512
MAX_BODY_CHARS = 20_000  # NLBSE'24 has a 208k-character body; the head says what the issue is
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def text_of(title: str, body: str | None) -> str:
    """The one text the model sees. Template comments (`<!-- -->`) are boilerplate: dropped.

    The title is written twice: it is the densest summary of an issue, and repeating it doubles
    its weight against long bodies without a second vectorizer.
    """
    title = (title or "")[:MAX_TITLE_CHARS]
    body = _HTML_COMMENT.sub(" ", (body or "")[: MAX_BODY_CHARS * 2])[:MAX_BODY_CHARS]
    return f"{title}\n{title}\n{body}"


KINDS = ("word", "char")


def build(kinds: tuple[str, ...] = KINDS, *, max_word_features: int = 200_000, max_char_features: int = 300_000) -> Any:
    """A scikit-learn transformer (FeatureUnion) for `text_of` strings; `kinds` picks word and/or char."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    if not kinds or set(kinds) - set(KINDS):
        raise ValueError(f"feature kinds must be some of {KINDS}, got {kinds}")

    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_df=0.95,
                           max_features=max_word_features, token_pattern=r"(?u)\b\w[\w.+#-]*\w\b|\b\w\b",
                           dtype=_float32())
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2,
                           max_features=max_char_features, dtype=_float32())
    return FeatureUnion([(k, v) for k, v in (("word", word), ("char", char)) if k in kinds])


def _float32() -> Any:
    import numpy as np

    return np.float32
