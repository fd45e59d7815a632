"""Lead-sentence summary (pure): the first sentence(s) of the body, cleaned and bounded.

Cleaning drops what SaudiNewsNet bodies put before the news: a dateline or byline of up to six words ended
by a dash or colon (``سبق- الدمام:``, ``الرياض - واس:``, ``عين اليوم – متابعات`` on its own line,
``نايف السعدي – عين اليوم``), scraper residue (``Next Previous``) and no-break spaces. Sentences end at
``. ! ? ؟`` (a dot between digits is not an end, nor the dot of an abbreviated title such as «د.»
(doctor), «م.» (engineer; but «2015 م.», the Gregorian year, ends a sentence) or «أ.د.», see
:data:`ABBREVIATIONS`); sentences are added while the lead stays within
``max_chars``; a first sentence longer than that is cut at a word boundary and ends with ``…``.

>>> lead("سبق- الدمام: قالت مؤسسة جسر الملك فهد إن التيار عاد. وأضافت أن العطل انتهى.", max_chars=40)
'قالت مؤسسة جسر الملك فهد إن التيار عاد.'
>>> lead(" عين اليوم – متابعات\\nأحالت أمانة المدينة ثلاثة قياديين إلى التحقيق.")
'أحالت أمانة المدينة ثلاثة قياديين إلى التحقيق.'
"""

from __future__ import annotations

import re
from typing import Final

from ._textcore import collapse_whitespace

__all__ = ["ABBREVIATIONS", "MAX_LEAD_CHARS", "clean_body", "clean_words", "first_sentences", "lead"]

MAX_LEAD_CHARS: Final = 300
_HEAD_CHARS: Final = 160
_DASH: Final = r"[-–—_]"
_WORD: Final = r"[^\s.!?؟:\-–—_]+"
# A byline/dateline line: up to six words, a dash, up to four words, alone on the first line.
_DATELINE_LINE: Final = re.compile(
    rf"^[ \t]*(?:{_WORD}[ \t]+){{0,5}}{_WORD}[ \t]*{_DASH}[ \t]*(?:{_WORD}[ \t]+){{0,3}}(?:{_WORD})?[ \t]*\n"
)
# An inline dateline: up to four words, a dash, up to four words, a colon (سبق- الدمام:، الرياض - واس:).
_DATELINE_INLINE: Final = re.compile(
    rf"^[ \t]*(?:{_WORD}[ \t]+){{0,3}}{_WORD}[ \t]*{_DASH}"
    rf"[ \t]*(?:{_WORD}[ \t]+){{0,3}}(?:{_WORD})?[ \t]*:[ \t]*"
)
_SOURCE_PREFIX: Final = re.compile(r"^\s*(?:Next\s+Previous\s*)+", re.IGNORECASE)
_SENTENCE_END: Final = re.compile(r"(?<!\d)[.!?؟]+(?!\d)|(?<=\d)[.!?؟]+(?=\s|$)")
#: One-word abbreviations whose dot does not end a sentence: titles before a name (د. دكتور، م. مهندس،
#: أ. أستاذ، أ.د. أستاذ دكتور، ل. لواء، ع. عميد) and English ones quoted in Arabic text.
ABBREVIATIONS: Final = frozenset({"د", "م", "أ", "ا", "ل", "ع", "Dr", "Mr", "Mrs", "Ms", "Prof", "Eng", "St"})
#: The word just before a dot (after a space, the start or another dot: أ.د).
_LAST_WORD: Final = re.compile(r"(?:^|[\s.])([^\W\d_]+)$")
_YEAR_BEFORE: Final = re.compile(r"\d\s*$")


def clean_words(body: str) -> list[str]:
    """:func:`clean_body` split at whitespace.

    >>> clean_words("الرياض - واس: أعلنت الوزارة اليوم")
    ['أعلنت', 'الوزارة', 'اليوم']
    """
    return clean_body(body).split()


def clean_body(body: str) -> str:
    """The body without its leading dateline/byline and scraper residue, whitespace collapsed.

    >>> clean_body("\\xa0\\xa0الرياض - واس: أعلنت الوزارة اليوم")
    'أعلنت الوزارة اليوم'
    >>> clean_body("Next Previous أحمد حجازي - عين اليوم\\nبدأت الدراسة")
    'بدأت الدراسة'
    """
    text = body.replace("\xa0", " ").lstrip()
    # Datelines sit in the first line: the patterns only ever see the head (no backtracking over a body).
    head, rest = text[:_HEAD_CHARS], text[_HEAD_CHARS:]
    head = _SOURCE_PREFIX.sub("", head)
    head = _DATELINE_LINE.sub("", head, count=1)
    head = _DATELINE_INLINE.sub("", head, count=1)
    # " ".join((head + rest).split()), natively: no Python string per word.
    return collapse_whitespace(head + rest)


def lead(body: str, *, max_chars: int = MAX_LEAD_CHARS) -> str:
    """The lead of ``body``: whole first sentences within ``max_chars``, else the first one cut with …

    >>> lead("")
    ''
    >>> lead("كلمة " * 100, max_chars=20)
    'كلمة كلمة كلمة…'
    """
    return first_sentences(clean_body(body), max_chars=max_chars)


def first_sentences(text: str, *, max_chars: int = MAX_LEAD_CHARS) -> str:
    """:func:`lead` of a body already cleaned by :func:`clean_body` (cleaning twice could drop more).

    >>> first_sentences("قال د. أحمد إن الوضع هادئ. وأضاف أن العمل مستمر.", max_chars=30)
    'قال د. أحمد إن الوضع هادئ.'
    """
    if not text:
        return ""
    out = ""
    # A sentence end past max_chars ends the search (the lead would be too long), so the scan stops at the
    # first space from there, not at the end of the body: no match runs over a space, and the lookaheads
    # read the end of the scan as they read a space.
    stop = text.find(" ", max_chars)
    for match in _SENTENCE_END.finditer(text, 0, len(text) if stop < 0 else stop):
        if _is_abbreviation(text, match.start(), match.group()):
            continue
        candidate = text[: match.end()].strip()
        if len(candidate) > max_chars:
            break
        out = candidate
    if out:
        return out
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0].rstrip(" ،,؛;:-–")
    return cut + "…"


def _is_abbreviation(text: str, start: int, mark: str) -> bool:
    """Whether the ``mark`` at ``start`` is the dot of an abbreviation (see :data:`ABBREVIATIONS`)."""
    if mark != "." or start + 1 >= len(text):
        return False
    before = text[max(0, start - 24) : start]
    found = _LAST_WORD.search(before)
    if found is None or found.group(1) not in ABBREVIATIONS:
        return False
    # «عام 2015 م.» is the Gregorian year at the end of a sentence, not «م.» (engineer) before a name.
    return not (found.group(1) == "م" and _YEAR_BEFORE.search(before[: found.start(1)]) is not None)
