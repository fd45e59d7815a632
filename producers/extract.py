"""The main text of an article page, with its paragraphs, title, date and author (trafilatura). Pure.

Feeds often carry only a summary; the article page has the whole text among menus, "most read" lists, footers
and comment forms. :func:`extract_text` keeps the article body (trafilatura, tuned for precision, no links,
no comments, no images) and turns it into clean text the way feed HTML is cleaned
(:func:`producers.text.html_to_text`): paragraphs separated by a blank line, line breaks kept, bidi marks and
zero-width characters removed. A page with no article body (a home page, an error page, garbage) gives
``None``, as does a body shorter than ``min_chars``.

Bytes are decoded here, not guessed by trafilatura: a BOM, else valid UTF-8, else the charset the HTTP
header declared (``charset=``), else the page's own ``<meta charset>``, else the legacy Arabic encodings
(windows-1256, ISO-8859-6). Nothing is downloaded: trafilatura only parses the string it is given.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any, Final

from trafilatura import bare_extraction

from .charset import ARABIC_LEGACY
from .text import html_to_text

__all__ = ["MIN_CHARS", "Extracted", "decode_page", "extract_text"]

#: A body shorter than this (in characters) is not taken for an article: teasers, captions, error pages.
MIN_CHARS: Final = 200
_SNIFF_BYTES: Final = 4096
_META_CHARSET_RE: Final = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# trafilatura's XML body (TEI-like tags) → the HTML that html_to_text reads; other tags keep their name
# (``p``, ``table``, ...) or are inline and left as unknown tags (``hi``, ``ref``, ``del``).
_TO_HTML: Final = {
    "head": "h2",
    "lb": "br",
    "list": "ul",
    "item": "li",
    "quote": "blockquote",
    "code": "pre",
    "row": "tr",
    "cell": "td",
}
# Only what reads from the page itself: no guess from the whole text, no "last modified" dates.
_DATE_PARAMS: Final = {"original_date": True, "extensive_search": False}


@dataclass(frozen=True, slots=True)
class Extracted:
    """The article of a page: its text (paragraphs separated by ``"\\n\\n"``) and what the page says of it."""

    text: str
    title: str | None = None
    author: str | None = None
    published: date | None = None


def decode_page(body: bytes, *, charset: str | None = None) -> str:
    """Decode a page: BOM, else valid UTF-8, else ``charset`` (the HTTP header's), else ``<meta charset>``,
    else the legacy Arabic encodings; undecodable bytes as a last resort become U+FFFD.

    >>> decode_page("خبر".encode("windows-1256"), charset="windows-1256")
    'خبر'
    >>> decode_page(b'<meta charset="windows-1256"><p>' + "خبر".encode("cp1256"))[-3:]
    'خبر'
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    meta = _META_CHARSET_RE.search(body[:_SNIFF_BYTES])
    declared = [charset, meta.group(1).decode("ascii") if meta else None]
    for encoding in ("utf-8", *(name for name in declared if name), *ARABIC_LEGACY):
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", errors="replace")


def extract_text(
    html: bytes | str, *, url: str, charset: str | None = None, min_chars: int = MIN_CHARS
) -> Extracted | None:
    """The article body of an HTML page, or None when the page has none (or one under ``min_chars``).

    ``url`` is the page's address (for trafilatura's metadata; nothing is fetched); ``charset`` the one the
    HTTP ``Content-Type`` declared, if any.

    >>> first = "<p>" + "هذا نص الخبر الكامل كما نشر في الصحيفة. " * 4 + "</p>"
    >>> second = "<p>" + "وقال المتحدث إن الاجتماع سيعقد غدا في العاصمة. " * 4 + "</p>"
    >>> page = f"<html><body><nav>الرئيسية</nav><article>{first}{second}</article></body></html>"
    >>> found = extract_text(page, url="https://example.com/news/1")
    >>> found.text.count("\\n\\n"), "الرئيسية" in found.text
    (1, False)
    >>> extract_text("<html><body><nav>الرئيسية</nav></body></html>", url="https://example.com/") is None
    True
    """
    markup = decode_page(html, charset=charset) if isinstance(html, bytes) else html
    if not markup.strip():
        return None
    document = bare_extraction(
        markup,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        with_metadata=True,
        date_extraction_params=dict(_DATE_PARAMS),
    )
    if document is None or isinstance(document, dict) or document.body is None:
        return None
    text = _body_text(document.body)
    title = _clean(document.title)
    text = _drop_leading_title(text, title)
    if len(text) < min_chars:
        return None
    return Extracted(text=text, title=title, author=_clean(document.author), published=_date(document.date))


def _body_text(body: Any) -> str:
    """trafilatura's body element (lxml) as clean text, paragraphs kept."""
    return html_to_text(_as_html(body, tail=False))


def _as_html(element: Any, *, tail: bool = True) -> str:
    """An element of trafilatura's body as the HTML that :func:`html_to_text` reads, text escaped."""
    after = escape(element.tail or "") if tail else ""
    if not isinstance(element.tag, str):  # a comment or processing instruction: only its tail is text
        return after
    name = _TO_HTML.get(element.tag, element.tag)
    inner = escape(element.text or "") + "".join(_as_html(child) for child in element)
    return f"<{name}>{inner}</{name}>{after}"


def _drop_leading_title(text: str, title: str | None) -> str:
    """Without its first paragraph when that is the title again (the page's ``<h1>``)."""
    if not title:
        return text
    first, _, rest = text.partition("\n\n")
    return rest if rest and " ".join(first.split()) == " ".join(title.split()) else text


def _clean(value: str | None) -> str | None:
    cleaned = html_to_text(value) if value else ""
    return " ".join(cleaned.split()) or None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
