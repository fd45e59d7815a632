"""HTML fragments from feeds to clean text that keeps paragraphs. Standard library only (``re``, ``html``).

Block elements (``<p>``, ``<div>``, ``<h1>``..``<h6>``, lists, tables, ...) end a paragraph (``"\\n\\n"``),
``<br>`` and ``<li>`` end a line (``"\\n"``; two ``<br>`` in a row end a paragraph), scripts, styles and
comments are dropped, entities unescaped, whitespace collapsed within each line, bidi marks (LRM, RLM, ALM,
embeddings, isolates) and zero-width characters removed. Text with no tags is plain text: its blank lines are
paragraph breaks and its single newlines line breaks, so the function is idempotent on its own output.

Markup is read in one pass by a tokenizer that takes what a browser would: a start tag runs to its ``>``
(quoted attribute values may hold ``>``), ``<script>`` and ``<style>`` hold raw text up to their end tag, an
unclosed comment, script or style runs to the end of the fragment, and a ``<`` that starts no markup is text.
A pattern that can fail gives up at the next ``<``, so hostile input costs linear time.

>>> html_to_text("<p>\u200fمرحبا&nbsp;بكم</p><p>سطر<br>آخر</p><script>x()</script>")
'مرحبا بكم\\n\\nسطر\\nآخر'
"""

from __future__ import annotations

import html
import re
from typing import Final

__all__ = ["html_to_text"]

_PARAGRAPH_TAGS: Final = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article", "header",
        "footer", "aside", "nav", "main", "figure", "figcaption", "ul", "ol", "dl", "table", "thead", "tbody",
        "tfoot", "form", "fieldset", "address", "hr", "details", "summary", "center", "body", "html",
    }
)  # fmt: skip
_LINE_TAGS: Final = frozenset({"br", "li", "tr", "dt", "dd", "caption"})
_CELL_TAGS: Final = frozenset({"td", "th"})
# Elements whose content is never article text. ``applet`` joined when feedparser's sanitiser (which dropped
# it) was switched off: this module is now the only cleaner.
_SKIP_TAGS: Final = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "svg", "head", "applet"}
)
_RAW_TEXT_TAGS: Final = frozenset({"script", "style"})  # their content is not markup
_PARAGRAPH: Final = "\n\n"
_LINE: Final = "\n"
_BREAKS: Final = {
    **dict.fromkeys(_PARAGRAPH_TAGS, _PARAGRAPH),
    **dict.fromkeys(_LINE_TAGS, _LINE),
    **dict.fromkeys(_CELL_TAGS, " "),
}

# Whether a fragment holds markup at all; if not it is plain text.
_TAG_RE: Final = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*[\s/>]|/[A-Za-z]|!--|!\[CDATA\[)")
# One piece of markup, found at a "<". Groups: cdata, end ("/" of an end tag), tag (name), rest (attributes).
_MARKUP_RE: Final = re.compile(
    r"""<!--.*?(?:-->|\Z)"""  # comment; an unclosed one runs to the end
    r"""|<!\[CDATA\[(?P<cdata>.*?)(?:\]\]>|\Z)"""
    r"""|<(?P<end>/)?(?P<tag>[A-Za-z][^\s/><]*)(?P<rest>(?:[^>"'<]|"[^"<]*"|'[^'<]*')*)>"""
    r"""|</[^<>]*>"""  # bogus end tag such as </> or </ 1>
    r"""|<[!?][^<>]*>""",  # doctype, declaration, processing instruction
    re.DOTALL,
)
_RAW_TEXT_END_RE: Final = {
    tag: re.compile(rf"</{tag}(?=[\s/>])[^<>]*>|\Z", re.IGNORECASE) for tag in _RAW_TEXT_TAGS
}
_BLANK_LINES_RE: Final = re.compile(r"\n{3,}")

# Bidi marks, embeddings, overrides and isolates; zero-width joiners and non-joiners, word joiner, BOM,
# soft hyphen; and the control characters that are not whitespace. Deleted.
_INVISIBLE: Final = (
    "\u200c\u200d\u200e\u200f\u061c\u2060\ufeff\u00ad"
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2066, 0x206A)))
    + "".join(c for c in map(chr, [*range(0x00, 0x20), *range(0x7F, 0xA0)]) if not c.isspace())
)
# A regex character class, not str.translate: translate with a mapping looks every character up in Python
# (and raises KeyError for each one not in it), 15x slower on Arabic text than one C scan.
_INVISIBLE_RE: Final = re.compile("[" + re.escape(_INVISIBLE) + "]")
# In HTML source, line and paragraph separators are formatting; a zero-width space separates words.
_HTML_SPACE_RE: Final = re.compile("[\r\n\u2028\u2029\u200b]")
# In plain text they are structure.
_PLAIN_BREAKS: Final = (("\r", "\n"), ("\u2028", "\n"), ("\u2029", "\n\n"), ("\u200b", " "))


def _text(raw: str) -> str:
    return _HTML_SPACE_RE.sub(" ", html.unescape(raw) if "&" in raw else raw)


def _markup_text(fragment: str) -> str:
    pieces: list[str] = []
    skip_depth = 0
    position = 0
    end = len(fragment)
    while position < end:
        start = fragment.find("<", position)
        if start < 0:
            start = end
        if start > position and not skip_depth:
            pieces.append(_text(fragment[position:start]))
        if start == end:
            break
        match = _MARKUP_RE.match(fragment, start)
        if match is None:  # a "<" that starts no markup is text
            if not skip_depth:
                pieces.append("<")
            position = start + 1
            continue
        position = match.end()
        if (cdata := match["cdata"]) is not None:
            if not skip_depth:
                pieces.append(_HTML_SPACE_RE.sub(" ", cdata))
            continue
        if (tag := match["tag"]) is None:
            continue  # comment, declaration or bogus end tag
        tag = tag.lower()
        if match["end"]:
            if tag in _SKIP_TAGS and skip_depth:
                skip_depth -= 1
            if tag not in _LINE_TAGS and tag in _BREAKS:  # <li>a</li><li>b</li> is 'a\nb'
                pieces.append(_BREAKS[tag])
            continue
        if tag in _BREAKS:
            pieces.append(_BREAKS[tag])
        if match["rest"].endswith("/"):
            continue  # <br/>, <hr/>; a self-closed <script/> opens nothing
        if tag in _SKIP_TAGS:
            skip_depth += 1
        if tag in _RAW_TEXT_TAGS:  # skip the raw text; its end tag is read as markup next
            raw_end = _RAW_TEXT_END_RE[tag].search(fragment, position)
            position = raw_end.start() if raw_end else end
    return "".join(pieces)


def _plain_text(text: str) -> str:
    text = html.unescape(text.replace("\r\n", "\n")) if "&" in text else text.replace("\r\n", "\n")
    for old, new in _PLAIN_BREAKS:
        if old in text:
            text = text.replace(old, new)
    return text


def _collapse(line: str) -> str:
    # Runs of whitespace become one space, none at either end. A line that is printable (no whitespace but
    # the ASCII space) with no double, leading or trailing space is already collapsed: two C-level scans
    # instead of splitting a whole summary into words and joining them again.
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(line.split())


def _layout(text: str) -> str:
    # Whitespace collapsed within each line; then a run of blank lines is one paragraph break.
    lines = "\n".join([_collapse(line) for line in text.split("\n")]) if "\n" in text else _collapse(text)
    if "\n\n\n" in lines:
        lines = _BLANK_LINES_RE.sub(_PARAGRAPH, lines)
    return lines.strip("\n")


def html_to_text(fragment: str, *, single_line: bool = False) -> str:
    """Clean text from an HTML fragment (or plain text), keeping paragraphs unless ``single_line``.

    >>> html_to_text("<div><h2>عاجل</h2><p>قال &laquo;الوزير&raquo;</p><ul><li>أ</li><li>ب</li></ul></div>")
    'عاجل\\n\\nقال «الوزير»\\n\\nأ\\nب'
    >>> html_to_text("سطر أول\\n\\n  سطر   ثانٍ \\u200b")
    'سطر أول\\n\\nسطر ثانٍ'
    >>> html_to_text("<b>عنوان</b>\\n<i>طويل</i>", single_line=True)
    'عنوان طويل'
    """
    text = _markup_text(fragment) if _TAG_RE.search(fragment) else _plain_text(fragment)
    text = _INVISIBLE_RE.sub("", text)
    if single_line:
        return _collapse(text)
    return _layout(text)
