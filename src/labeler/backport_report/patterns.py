"""The phrases that carry backport instructions in commit messages, as regular expressions.

Written from how HAProxy, the Linux kernel and systemd developers phrase them ("must be backported
as far as 2.6", "No backport needed", "wait a bit before backporting", "Cc: stable@"). Every
pattern uses word boundaries: patchbot's missing ones turned "uncertain, no ..." into "no".
"""

from __future__ import annotations

import re

_I = re.IGNORECASE
BACKPORT = r"(?:back-?port\w*|cherry-?pick\w*)"
VERSION = r"\d+\.\d+(?:\.\d+)?"

# Every built-in instruction holds one of these words: sentences without any skip the big patterns.
MAYBE_INSTRUCTION = re.compile(
    r"back-?port|cherry-?pick|affect|concern|impact|need|requir|necessar|want|stable|"
    r"applied|merged|picked|releas|dev|only",
    _I,
)

# "No backport needed", "no need to backport", "must not be backported", "nothing to backport".
NO = re.compile(
    "|".join(
        [
            rf"\bno\s+(?:\w+\s+)?{BACKPORT}\b",
            rf"\bno\s+(?:need|reason|point)\s+(?:\w+\s+){{0,3}}{BACKPORT}",
            rf"\bnot?\s+(?:be\s+)?{BACKPORT}",
            rf"\b(?:must|should|shall|need|needs|will|to)\s+not\s+(?:\w+\s+)?(?:be\s+)?{BACKPORT}",
            rf"\b(?:mustn'?t|shouldn'?t|needn'?t|won'?t|don'?t|doesn'?t|does\s+not|do\s+not|cannot|can'?t)\s+"
            rf"(?:(?!forget)\w+\s+){{0,3}}{BACKPORT}",
            rf"\bnothing\s+to\s+{BACKPORT}",
            rf"\bnot\s+(?:deemed|considered|judged|seen)\s+(?:as\s+)?(?:\w+\s+){{0,3}}(?:to\s+)?(?:be\s+)?{BACKPORT}",
            rf"\b{BACKPORT}\s+(?:is\s+|are\s+)?(?:not|never)\s+(?:needed|necessary|required|wanted|desired|possible)",
            rf"\bnot\s+(?:needed|necessary|required|worth|meant)\s+(?:\w+\s+){{0,3}}{BACKPORT}",
            r"\b(?:no|not\s+a)\s+(?:stable|released)\s+(?:version|branch|release)s?\s+(?:is\s+|are\s+)?(?:affected|concerned)",
            # "2.6 is not affected", "older versions are not affected", "it doesn't affect 2.8"
            rf"(?:\bv?{VERSION}|\b(?:older|earlier|previous|stable|released|other)\b)[^.,;]{{0,40}}?\b(?:is|are)\s+not\s+"
            r"(?:affected|concerned|impacted)",
            rf"\bdo(?:es)?(?:\s+not|n'?t)\s+(?:\w+\s+)?affect\s+(?:v?{VERSION}|any\s+(?:stable|released)|older|stable|released)",
        ]
    ),
    _I,
)

# "later" as a time, not as in "2.6 and later"
LATER = r"(?<!\band\s)(?<!\bor\s)later"
# "wait a bit before backporting", "backport after some observation", "slowly", "once it has cooled".
WAIT = re.compile(
    "|".join(
        [
            rf"\bwait\w*\b.{{0,60}}\b{BACKPORT}",
            rf"\b{BACKPORT}.{{0,60}}\b(?:after|once)\s+(?:a\s+|some\s+|more\s+|enough\s+|the\s+next\s+)?"
            r"(?:while|time|bit|weeks?|days?|observation|testing|tests|feedback|exposure|release|dev\s+release|"
            r"it\s+(?:has|got)\s+(?:been\s+)?(?:tested|observed|cooled|matured)|it\s+proves?)",
            rf"\b{BACKPORT}.{{0,40}}\b(?:slowly|carefully|with\s+care|cautiously|{LATER}|not\s+immediately|"
            r"in\s+a\s+few\s+(?:weeks|days)|no\s+hurry|no\s+rush)\b",
            rf"\b(?:no\s+hurry|no\s+rush|not\s+urgent|let\s+it\s+(?:cook|mature|settle))\b.{{0,60}}\b{BACKPORT}",
            rf"\b{BACKPORT}.{{0,60}}\b(?:no\s+hurry|no\s+rush|not\s+urgent)\b",
        ]
    ),
    _I,
)

# "may be backported", "could be backported if needed", "it might be worth backporting".
HEDGED = re.compile(
    "|".join(
        [
            rf"\b(?:may|might|could|can)\s+(?:\w+\s+)?(?:also\s+)?(?:be\s+)?{BACKPORT}",
            rf"\b(?:may|might|could)\s+be\s+worth\s+{BACKPORT}",
            rf"\b(?:probably|possibly|maybe|perhaps)\s+(?:\w+\s+){{0,2}}{BACKPORT}",
            rf"\b{BACKPORT}\w*\s+(?:is\s+)?(?:optional|possible)\b",
            rf"\bif\s+(?:anyone|someone|somebody|users?|people)\s+(?:\w+\s+){{0,3}}{BACKPORT}",
        ]
    ),
    _I,
)

# Hedging that leaves the decision open: "could even be backported if needed", "though this is not
# strictly necessary", "may be backported later". Such a sentence is uncertain, whatever else it asks.
WEAK = re.compile(
    "|".join(
        [
            r"\b(?:may|might|could|can)\s+(?:\w+\s+)?even\b",
            r"\bnot\s+(?:strictly|absolutely|really|necessarily)\s+(?:necessary|needed|required|mandatory)",
            r"\b(?:uncertain|unsure|not\s+sure|unclear|undecided)\s+(?:whether|if)\b",
            rf"\b(?:may|might|could|can)\s+(?:\w+\s+){{0,4}}{BACKPORT}\s+(?:[\w.]+\s+){{0,3}}?{LATER}\b",
        ]
    ),
    _I,
)

# "must be backported as far as 2.6", "to be backported", "please backport", "needs backporting".
YES = re.compile(
    "|".join(
        [
            rf"\b(?:must|should|shall|needs?|has|have|ought|is|are|will|would)\s+(?:\w+\s+){{0,3}}(?:be\s+)?{BACKPORT}",
            rf"\bto\s+be\s+{BACKPORT}",
            rf"\bplease\s+{BACKPORT}",
            rf"\bneeds?\s+{BACKPORT}",
            rf"\bforget\s+to\s+{BACKPORT}",
            rf"\b{BACKPORT}\s+(?:it\s+|this\s+|them\s+|these\s+)?"
            rf"(?:to|into|in|for|as\s+far\s+as|down\s+to|up\s+to|until|till)\s+(?:all|the|every|{VERSION}|v?\d)",
            rf"\bworth\s+{BACKPORT}",
            rf"\b(?:candidate|material)\s+for\s+(?:a\s+)?(?:{BACKPORT}|stable)",
            rf"\b{BACKPORT}\s+(?:is\s+|are\s+)?(?:needed|necessary|required|welcome|wanted)",
            # patchbot's prompt: developers also say a fix is "needed" in an older branch, or that it is affected
            rf"\b(?:needed|required|necessary|wanted)\s+(?:as\s+well\s+|too\s+|also\s+)?(?:in|for|on)\s+"
            rf"(?:v?{VERSION}|all\s+(?:stable\s+)?(?:branches|versions)|(?:the\s+)?stable|older)",
            rf"\bv?{VERSION}(?:\s+and\s+(?:older|above|newer|later))?\s+(?:is|are)\s+(?:also\s+)?affected",
            rf"\baffects?\s+(?:also\s+)?(?:v?{VERSION}|all\s+(?:stable\s+)?(?:branches|versions))",
            rf"\b(?:must|should|needs?\s+to)\s+(?:also\s+)?be\s+(?:applied|merged|picked)\s+(?:to|in|into)\s+"
            rf"(?:v?{VERSION}|stable|all|the\s+stable|older)",
        ]
    ),
    _I,
)

# A negation limited in scope ("no backport needed before 2.6", "no need to go further").
SCOPE = re.compile(r"\b(?:before|older|earlier|prior|below|beyond|further|lower|there|than|other)\b", _I)
LOWER_BOUND = re.compile(rf"\b(?:before|prior\s+to|older\s+than|below|lower\s+than|earlier\s+than)\s+v?({VERSION})", _I)
AND_OLDER = re.compile(rf"\bv?({VERSION})(?:\.x)?\s+(?:and|or|&)\s+(?:older|earlier|below|lower|previous|before)\b", _I)
# Versions a positive instruction names, right after a range word ("as far as 2.4", "to 2.8 and 2.6").
TARGET = re.compile(
    rf"(?:\bto|\bas\s+far\s+as|\buntil|\btill|\binto|\bin|\bon|\bfor|\band|\bor|,|&|/)\s+"
    rf"(?:the\s+)?(?:(?:stable\s+)?(?:branch(?:es)?|versions?|releases?)\s+)?v?({VERSION})",
    _I,
)
ONLY = re.compile(
    rf"\bv?({VERSION})(?:-dev\d*)?\s+only\b|"
    rf"\bonly\s+(?:(?:for|in|to|on|affects?|concerns?)\s+)?v?({VERSION})",
    _I,
)
# The version a clause is about: "2.6 is not affected".
SUBJECT_VERSION = re.compile(rf"\bv?({VERSION})(?=(?:\.x)?\s+(?:and\s+\w+\s+)?(?:is|are)\b)", _I)
CLAUSE_END = re.compile(r"[,;:()]|\s(?:since|as(?!\s+far)|because|so|given|but|though|although|while|which|that)\s", _I)
ONLY_IF = re.compile(r"\bonly\b.{0,60}\b(?:if|when|once|after)\b", _I)
CONDITION = re.compile(r"\b(?:unless|if|once|provided|when|as\s+long\s+as)\b", _I)
# The dev cycle introduced the bug: no released version can have it.
DEV_ONLY = re.compile(
    "|".join(
        [
            r"\bonly\s+(?:in|affects?|concerns?|impacts?|exists?\s+in)\s+(?:the\s+)?(?:current\s+)?"
            r"(?:dev|development|master|main|unreleased)\b",
            r"\b(?:dev|development)[- ]only\b",
            r"\bnot\s+(?:yet\s+)?(?:part\s+of\s+any|in\s+any)\s+(?:stable\s+)?(?:release|version)",
            r"\bno\s+(?:stable\s+|released\s+)?(?:release|version)\s+(?:is\s+|was\s+)?(?:affected|concerned)",
            r"\bnot\s+(?:yet\s+)?released\b",
        ]
    ),
    _I,
)
# Release commits, merges and version bumps: never picked, and their messages (a release lists every
# subject it ships) relate nothing to anything.
RELEASE = re.compile(
    r"^\[RELEASE\]|^Merge\s|^(?:Release|Releasing|Bump(?:ing)?\s+(?:the\s+)?version|Version\s+bump)\b|"
    r"^\S+:\s+(?:bump|update|set)\s+(?:the\s+)?(?:project\s+)?version\b|"
    r"^(?:Prepare|Preparing)\s+(?:for\s+)?(?:the\s+)?(?:release|v?\d+\.\d+)|^v?\d+(?:\.\d+)+\s*$",
    _I,
)
# Where a bug got worse or showed up, not where it came from: "further amplified in X", "revealed by X".
AMPLIFIED = re.compile(
    r"\b(?:amplif\w*|exacerbat\w*|aggravat\w*|reveal\w*|exposed|uncover\w*|unveil\w*|"
    r"made\s+(?:it|this|the\s+\w+)\s+(?:worse|more\s+\w+))\b",
    _I,
)
# This commit uses what another one brought: "thanks to the foo() function introduced in X".
USES = re.compile(
    r"\b(?:thanks\s+to|relies\s+on|rel(?:y|ying)\s+on|makes?\s+use\s+of|benefit\w*\s+from|"
    r"(?:now\s+)?(?:uses|using)|with\s+the\s+help\s+of|made\s+possible\s+by)\s+"
    r"(?:(?:the|a|an|this|that|these|new|last|previous|recent)\s+)*(?:[\w().:-]+\s+){0,3}?"
    r"(?:functions?|helpers?|macros?|api|flags?|fields?|options?|infrastructure|mechanism|"
    r"commits?|patch(?:es)?|[0-9a-f]{7,40}\b|[\"\u201c])",
    _I,
)


def blamed(sentence: str) -> str:
    """The part of a sentence that may name what this commit repairs: none when it names what the
    commit uses, and only what comes before words saying where a bug got worse."""
    cut = AMPLIFIED.search(sentence)
    part = sentence[: cut.start()] if cut else sentence
    return "" if USES.search(part) else part


INTRODUCED = re.compile(r"\b(?:introduc\w*|caus\w*|brought|broke\w*|regression|appeared|added|came)\b", _I)
# Asking for another commit to travel along ("depends on X", "must be backported with X").
DEPENDS = re.compile(
    r"\b(?:depend\w*|requir\w*|need\w*|rel(?:y|ies|ying)\s+on|prerequisite\w*|along\s+with|"
    r"together\s+with|with\s+(?:the\s+)?(?:commit|patch|previous|preceding|prior|former)|"
    r"(?:also|too|as\s+well|first|before))\b",
    _I,
)
CULPRIT = re.compile(
    r"\b(?:introduc\w*|caus\w*|broke\w*|regression|revert\w*|since|"
    r"fix(?:es|ed)?\s+(?:commit|the\s+bug))\b",
    _I,
)
# "with the previous commit", "the two previous patches": counted back from the commit that says it.
PREVIOUS = re.compile(
    r"\b(?:(\d|two|three|four|five|six)\s+)?(?:previous|preceding)\s+"
    r"(commits?|patch(?:es)?|fix(?:es)?|ones?)\b",
    _I,
)
# A prerequisite announcing itself: "this is needed by the next commit".
NEEDED_BY_NEXT = re.compile(
    r"\b(?:needed|required|used|necessary|prerequisite)\s+(?:by|for|to\s+backport)\s+"
    r"(?:the\s+)?"
    r"(?:next|following|upcoming|subsequent)\s+(?:commit|patch|fix)",
    _I,
)
SUBJECT_START = re.compile(r"(?<![\w/])[A-Z][A-Z0-9]*(?:/[A-Z]+)?:\s")
SHA = re.compile(r"\b([0-9a-f]{7,40})\b")
QUOTED_SUBJECT = re.compile(r"[\"\u201c]([A-Z][A-Z0-9]*(?:/[A-Z]+)?:[^\"\u201d]{3,200})[\"\u201d]")
# Fix language of projects that write no backport instructions (systemd-like): the commit closes a
# reported issue, carries a `Fixes:` trailer, or names a regression or a follow-up.
FIX_REPORT = re.compile(
    "|".join(
        [
            r"\b(?:fix(?:es|ed)?|clos(?:es|ed)|resolv(?:es|ed)|address(?:es)?)\b:?\s+(?:(?:bug|issue)\s+)?"
            r"(?:#\d+|https?://\S+/(?:issues|pull|bugs?)/\d+|[\w.-]+/[\w.-]+#\d+|bug\s+#?\d+)",
            r"^Fixes:\s*\S",
            r"\bregress(?:ion|ions|ed)\b",
            r"\bfollow[- ]?ups?\b",
        ]
    ),
    _I | re.M,
)
# A fix word in the subject: "fix", "typo", "wrong", "missing", "crash", "leak".
FIX_WORD = re.compile(r"\b(?:fix\w*|typos?|wrong\w*|incorrect\w*|missing|broken|crash\w*|leak\w*|overflow\w*)\b", _I)
