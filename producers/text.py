"""HTML fragments from feeds to clean text that keeps paragraphs. Standard library only (``html.parser``).

Block elements (``<p>``, ``<div>``, ``<h1>``..``<h6>``, lists, tables, ...) end a paragraph (``"\\n\\n"``),
``<br>`` and ``<li>`` end a line (``"\\n"``; two ``<br>`` in a row end a paragraph), scripts and styles are
dropped, entities unescaped, whitespace collapsed within each line, bidi marks (LRM, RLM, ALM, embeddings,
isolates) and zero-width characters removed. Text with no tags is plain text: its blank lines are
paragraph breaks and its single newlines line breaks, so the function is idempotent on its own output.

>>> html_to_text("<p>\u200fمرحبا&nbsp;بكم</p><p>سطر<br>آخر</p><script>x()</script>")
'مرحبا بكم\\n\\nسطر\\nآخر'
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
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
_SKIP_TAGS: Final = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "head"})
_TAG_RE: Final = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*[\s/>]|/[A-Za-z]|!--|!\[CDATA\[)")
_PARAGRAPH: Final = "\n\n"
_LINE: Final = "\n"

# Bidi marks, embeddings, overrides and isolates; zero-width joiners and non-joiners, word joiner, BOM,
# soft hyphen; and the control characters that are not whitespace. Deleted.
_INVISIBLE: Final = (
    "\u200c\u200d\u200e\u200f\u061c\u2060\ufeff\u00ad"
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2066, 0x206A)))
    + "".join(c for c in map(chr, [*range(0x00, 0x20), *range(0x7F, 0xA0)]) if not c.isspace())
)
_TABLE: Final[dict[int, str | None]] = str.maketrans(
    {**dict.fromkeys(_INVISIBLE), "\u200b": " ", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n"}
)


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        self._break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break(tag)  # <br/>, <hr/>; a self-closed <script/> opens nothing

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skip_depth:
            self._skip_depth -= 1
        if tag not in _LINE_TAGS:  # a line ends where the next starts: <li>a</li><li>b</li> is 'a\nb'
            self._break(tag)

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            # Newlines in HTML source are formatting, not structure.
            self.pieces.append(data.translate(_TABLE).replace("\n", " "))

    def unknown_decl(self, data: str) -> None:
        if data.startswith("CDATA["):
            self.handle_data(data[len("CDATA[") :])

    def _break(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self.pieces.append(_PARAGRAPH)
        elif tag in _LINE_TAGS:
            self.pieces.append(_LINE)
        elif tag in _CELL_TAGS:
            self.pieces.append(" ")


def _layout(text: str) -> str:
    paragraphs = []
    for block in re.split(r"\n[^\S\n]*\n\s*", text):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        if paragraph := "\n".join(line for line in lines if line):
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def html_to_text(fragment: str, *, single_line: bool = False) -> str:
    """Clean text from an HTML fragment (or plain text), keeping paragraphs unless ``single_line``.

    >>> html_to_text("<div><h2>عاجل</h2><p>قال &laquo;الوزير&raquo;</p><ul><li>أ</li><li>ب</li></ul></div>")
    'عاجل\\n\\nقال «الوزير»\\n\\nأ\\nب'
    >>> html_to_text("سطر أول\\n\\n  سطر   ثانٍ \\u200b")
    'سطر أول\\n\\nسطر ثانٍ'
    >>> html_to_text("<b>عنوان</b>\\n<i>طويل</i>", single_line=True)
    'عنوان طويل'
    """
    if _TAG_RE.search(fragment):
        parser = _Extractor()
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.pieces)
    else:
        text = html.unescape(fragment.replace("\r\n", "\n")).translate(_TABLE)
    text = _layout(text)
    return " ".join(text.split()) if single_line else text
