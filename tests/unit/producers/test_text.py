"""Unit tests for producers.text: HTML fragments to clean, paragraph-preserving text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import producers.text
from producers.text import html_to_text

pytestmark = pytest.mark.unit

INVISIBLE = (
    "\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>أ</p><p>ب</p>", "أ\n\nب"),
        ("<div>أ</div>ب<h3>ج</h3>", "أ\n\nب\n\nج"),
        ("<p>سطر<br>ثان<br/>ثالث</p>", "سطر\nثان\nثالث"),
        ("أ<br><br>ب", "أ\n\nب"),
        ("<ul><li>واحد</li><li>اثنان</li></ul>بعد", "واحد\nاثنان\n\nبعد"),
        ("<table><tr><td>أ</td><td>ب</td></tr><tr><td>ج</td></tr></table>", "أ ب\nج"),
        ("<p>نص\n   ملفوف\tعلى\r\nأسطر</p>", "نص ملفوف على أسطر"),
        ("<p>  </p><div>\n</div><p>وحيد</p><p></p>", "وحيد"),
        ("<b>عريض</b> و<i>مائل</i> و<a href='x'>رابط</a>", "عريض ومائل ورابط"),
        ("<![CDATA[نص]]> بعد", "نص بعد"),
    ],
)
def test_block_elements_become_paragraphs_and_lines(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


def test_entities_are_unescaped() -> None:
    fragment = "<p>&laquo;&#1575;&#x644;&#1587;&#1604;&#1575;&#1605;&raquo;&nbsp;&amp; AT&amp;T &lt;3&gt;</p>"
    assert html_to_text(fragment) == "«السلام» & AT&T <3>"


def test_scripts_styles_and_comments_are_dropped() -> None:
    fragment = (
        "<style>p{color:red}</style><p>قبل</p><script>var s = '<p>لا</p>';</script>"
        "<noscript>لا</noscript><!-- تعليق --><p>بعد</p><template><p>لا</p></template>"
    )
    assert html_to_text(fragment) == "قبل\n\nبعد"


def test_bidi_marks_and_zero_width_characters_are_removed() -> None:
    fragment = "<p>\u200fعاجل\u200e: &rlm;وزير&lrm; الخا\u200dرجية&#x200F; \u2067يزور\u2069 دمشق\ufeff</p>"
    assert html_to_text(fragment) == "عاجل: وزير الخارجية يزور دمشق"
    assert html_to_text("مرحبا\u200bبكم") == "مرحبا بكم"  # a zero-width space separates words


def test_plain_text_keeps_its_paragraphs_and_lines() -> None:
    text = "  فقرة   أولى\r\nسطرها الثاني\n\n\n\tفقرة ثانية \u200f "
    assert html_to_text(text) == "فقرة أولى\nسطرها الثاني\n\nفقرة ثانية"


@pytest.mark.parametrize("text", ["AT&T و R&D", "1 < 2 و 3 > 2", "x<y", "5 &lt 6", "سطر\nسطر"])
def test_plain_text_with_markup_characters_is_stable(text: str) -> None:
    once = html_to_text(text)
    assert html_to_text(once) == once


def test_single_line_joins_everything() -> None:
    assert html_to_text("<h1>عنوان</h1><p>سطر<br>آخر</p>", single_line=True) == "عنوان سطر آخر"


def test_malformed_html_does_not_raise() -> None:
    assert html_to_text("<p>غير مغلق <b>عريض <i>مائل") == "غير مغلق عريض مائل"
    assert html_to_text("<p>نص</p><p") == "نص\n\n<p"
    assert html_to_text("") == ""


_plain_alphabet = st.characters(blacklist_characters="<&", blacklist_categories=["Cs"])
_plain = st.lists(
    st.one_of(_plain_alphabet, st.sampled_from(["\n", "\n\n", " ", "\t", "\r\n", "\u00a0", *INVISIBLE])),
    max_size=80,
).map("".join)
_words = st.text(alphabet=st.sampled_from("ابتثجحخ دذرزسش abc 123.،؟\u200f\u200b\n\t"), max_size=12)
_tags = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<br>",
        "<br/>",
        "<div>",
        "</div>",
        "<li>",
        "</li>",
        "<ul>",
        "</ul>",
        "<b>",
        "</b>",
        "<h2>",
        "</h2>",
        "<script>x</script>",
        "<style>a{}</style>",
        "&nbsp;",
        "&rlm;",
        "&amp;",
        "<!-- c -->",
        "<td>",
        "<tr>",
        "<a href='u'>",
        "</a>",
    ]
)


def _assert_clean(text: str) -> None:
    assert not any(c in text for c in INVISIBLE)
    assert "\n\n\n" not in text
    assert text == text.strip()
    for line in text.split("\n"):
        assert line == " ".join(line.split())


@given(_plain)
def test_idempotent_on_plain_text(text: str) -> None:
    once = html_to_text(text)
    _assert_clean(once)
    assert html_to_text(once) == once
    assert html_to_text(text, single_line=True) == " ".join(once.split())


@given(st.lists(st.one_of(_tags, _words), max_size=20).map("".join))
def test_idempotent_on_html_output(fragment: str) -> None:
    once = html_to_text(fragment)
    _assert_clean(once)
    assert html_to_text(once) == once


@given(st.text(max_size=100))
def test_any_text_gives_clean_text(fragment: str) -> None:
    _assert_clean(html_to_text(fragment))


# ------------------------------------------------------------------------------------------ the tokenizer


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<SCRIPT type='x'>if (a<b) { s = '</p>'; }</SCRIPT >بعد", "بعد"),  # raw text up to its end tag
        ("<style>p > a {}</style><p>نص</p>", "نص"),
        ("<applet code='x'>لا</applet>نعم", "نعم"),
        ("<iframe src='x'><p>لا</p></iframe><object>لا</object>نعم", "نعم"),
        ("<p>أ</p><!-- مغلق --><p>ب</p><!-- غير مغلق <p>لا</p>", "أ\n\nب"),  # like a browser
        ("<script>لا", ""),
        ("<a title='a > b' href=\"x>y\">رابط</a> نص", "رابط نص"),  # ">" inside quoted attributes
        ("<P\nclass=x>أ<br/ >ب</P\n>ج<hr/>د", "أ\nب\n\nج\n\nد"),
        ("<p><!DOCTYPE html><?xml version='1.0'?>أ</>ب</ 1>ج", "أبج"),
        ("<p>أ<![CDATA[ <b>ب</b> ]]></p>", "أ <b>ب</b>"),  # CDATA is text, not markup
        ("<p>س<ص</p>", "س<ص"),  # a "<" that opens no markup is text
        ("<p>x<y and z</p>", "x<y and z"),  # not a tag: another "<" comes before its ">"
    ],
)
def test_tokenizer_reads_markup_as_a_browser_would(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


def test_hostile_markup_is_read_in_one_pass() -> None:
    # Every pattern stops at the next "<": 40,000 unclosed tags or quotes are text, read in linear time.
    unclosed = "<p>" + "<a " * 20_000
    assert html_to_text(unclosed) == ("<a " * 20_000).strip()
    quotes = "<p>" + '<a "' * 10_000
    assert html_to_text(quotes) == ('<a "' * 10_000).strip()
    assert html_to_text("<p>" + "<!x" * 10_000 + "ن") == "<!x" * 10_000 + "ن"


def test_line_and_paragraph_separators() -> None:
    # In markup, source line breaks (and U+2028/U+2029) are formatting; in plain text they are structure.
    assert html_to_text("<p>أ\u2028ب\u2029ج\r\nد</p>") == "أ ب ج د"
    assert html_to_text("أ\u2028ب\u2029ج\rد") == "أ\nب\n\nج\nد"
    assert html_to_text("أ&#13;&#10;&#13;&#10;ب") == "أ\n\nب"  # unescaped before the breaks are read


# ------------------------------------------------------------------------------------------ fast paths


@given(
    st.text(max_size=60)
    | st.lists(st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", "x", "خبر"])).map("".join)
)
def test_collapsing_a_line_is_splitting_and_joining_its_words(line: str) -> None:
    # _collapse skips the split when the line is already collapsed; it must never answer differently.
    assert producers.text._collapse(line) == " ".join(line.split())


@given(st.lists(st.sampled_from(["\n", "\n\n\n", " ", "\t", "\u00a0", "أ", "b"]), max_size=30).map("".join))
def test_layout_is_collapsed_lines_with_blank_runs_as_one_break(text: str) -> None:
    # The straightforward layout that _layout's fast paths (no newline, no blank run) must match.
    lines = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    expected = re.sub(r"\n{3,}", "\n\n", lines).strip("\n")
    assert producers.text._layout(text) == expected
