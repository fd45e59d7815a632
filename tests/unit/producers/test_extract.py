"""Unit tests for producers.extract on the two real Arabic article pages in ../shared/data/feeds/."""

from __future__ import annotations

import os
import socket
from datetime import date
from pathlib import Path

import pytest

from producers.extract import MIN_CHARS, decode_page, extract_text
from tests.conftest import shared_dir

pytestmark = pytest.mark.unit

FEEDS = shared_dir() / "data" / "feeds"
CNN = FEEDS / "newspaper4k_arabic_article.html"
CNN_URL = "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html"
ASSABAH = FEEDS / "trafilatura_assabah.com.tn.article.html"
ASSABAH_URL = "http://www.assabah.com.tn/article/164913"
UTF8_META = '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>'

# Sentences of the article bodies (first, middle and last paragraphs).
CNN_BODY = (
    "دمشق، سوريا (CNN) -- أكدت جهات سورية معارضة أن فصائل مسلحة معارضة لنظام الرئيس بشار الأسد",
    "وقال المرصد السوري لحقوق الإنسان، وهو هيئة معارضة مقرها لندن",
    "في بيان يأتي بالترافق مع الحديث عن كون تلك المواجهات مقدمة لولادة حكومة تدير المناطق",
)
# Navigation, the "most read" box, the date bar and the footer.
CNN_BOILERPLATE = (
    "الصفحة الرئيسية",
    "الأكثر تصفحاً",
    "القبض على شاب تحرش بطفلة في السعودية",
    "آخر تحديث 14:00",
    "Cable News Network",
    "شروط الخدمة",
)
ASSABAH_BODY = (
    "مالذي يحدث في السودان؟ والى أين يتجه البلد الذي يقوده الرئيس عمر البشير منذ ثلاثين عاما؟",
    "نحن في السودان لا نعرف من الفصول غير الصيف والشتاء",
    "والدفع الى اعادة التفكير في العلاقة بين الخرطوم وتل ابيب.",
)
# Skip link, founder line, weather box, past issues, comment form, address and copyright of the footer.
ASSABAH_BOILERPLATE = (
    "تجاوز إلى المحتوى الرئيسي",
    "المـــؤســـس",
    "الأحوال الجوية",
    "جريدة الصباح بتاريخ 2019/02/09",
    "إضافة تعليق جديد",
    "شارع المحمد البوعزيزي",
    "جميع الحقوق",
)


def read(path: Path) -> bytes:
    if not path.is_file():
        pytest.skip(f"real article page {path} is absent (set KHABAR_SHARED_DIR to the shared data)")
    return path.read_bytes()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction must not download anything: any connection attempt fails the test."""

    def refuse(*args: object) -> None:
        raise AssertionError(f"extraction tried to open a connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def test_cnn_arabic_page_gives_its_body_without_boilerplate() -> None:
    found = extract_text(read(CNN), url=CNN_URL)
    assert found is not None
    for sentence in CNN_BODY:
        assert sentence in found.text
    for junk in CNN_BOILERPLATE:
        assert junk not in found.text
    assert found.text.startswith(CNN_BODY[0])
    assert found.title == "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"


def test_paragraphs_are_kept_as_blank_line_separated_blocks() -> None:
    found = extract_text(read(CNN), url=CNN_URL)
    assert found is not None
    paragraphs = found.text.split("\n\n")
    assert len(paragraphs) >= 7
    assert paragraphs[0].startswith(CNN_BODY[0])
    assert paragraphs[0].endswith('"ضبط النفس."')
    assert paragraphs[1].startswith(CNN_BODY[1])
    assert all(p.strip() == p and p for p in paragraphs)


def test_assabah_interview_gives_its_body_without_boilerplate_or_title_twice() -> None:
    found = extract_text(read(ASSABAH), url=ASSABAH_URL)
    assert found is not None
    for sentence in ASSABAH_BODY:
        assert sentence in found.text
    for junk in ASSABAH_BOILERPLATE:
        assert junk not in found.text
    assert found.title is not None
    assert found.title.startswith("الناشط الحقوقي السوداني خالد عبد الكريم ماسا")
    assert found.title not in found.text  # the page's <h1> is the title, not the first paragraph
    assert found.text.startswith("حوار: آسيا العتروس")
    assert found.published == date(2019, 2, 9)  # the paper's date field; the footer has no date
    assert "\u00a0" not in found.text
    assert "\u200f" not in found.text


def test_non_utf8_bytes_declared_by_meta_by_header_or_not_at_all() -> None:
    page = read(CNN).decode("utf-8")
    meta = page.replace("charset=UTF-8", "charset=windows-1256").encode("windows-1256", errors="replace")
    bare = page.replace(UTF8_META, "").encode("windows-1256", errors="replace")
    iso = page.replace(UTF8_META, "").encode("iso-8859-6", errors="replace")
    assert UTF8_META in page
    for body, charset in ((meta, None), (bare, "windows-1256"), (bare, None), (iso, "ISO-8859-6")):
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        found = extract_text(body, url=CNN_URL, charset=charset)
        assert found is not None, charset
        assert CNN_BODY[1] in found.text


def test_str_input_gives_the_same_text_as_bytes() -> None:
    raw = read(ASSABAH)
    from_bytes = extract_text(raw, url=ASSABAH_URL)
    from_str = extract_text(raw.decode("utf-8"), url=ASSABAH_URL)
    assert from_bytes is not None
    assert from_bytes == from_str


@pytest.mark.parametrize(
    "html",
    [
        b"",
        "",
        b"   \n ",
        b"\x00\xff" * 500,
        os.urandom(4096),
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj",
        "<html><body></body></html>",
        "<html><body><nav><a href='/'>الرئيسية</a> | <a href='/w'>العالم</a></nav></body></html>",
        "<html><body><p>خبر قصير جدا.</p></body></html>",
        "<html><body><p>unclosed <div><span>" * 50,
    ],
    ids=[
        "empty-bytes",
        "empty-str",
        "blank",
        "binary",
        "random",
        "pdf",
        "no-body",
        "nav-only",
        "short",
        "tags",
    ],
)
def test_pages_without_an_article_body_give_none(html: bytes | str) -> None:
    assert extract_text(html, url="https://news.example/a") is None


def test_minimum_length_rule() -> None:
    raw = read(CNN)
    found = extract_text(raw, url=CNN_URL)
    assert found is not None
    assert len(found.text) >= MIN_CHARS
    assert extract_text(raw, url=CNN_URL, min_chars=len(found.text)) == found
    assert extract_text(raw, url=CNN_URL, min_chars=len(found.text) + 1) is None


def test_decode_page_order() -> None:
    arabic = "خبر عاجل"
    assert decode_page(b"\xef\xbb\xbf" + arabic.encode()) == arabic
    assert decode_page(arabic.encode("utf-8"), charset="windows-1256") == arabic  # UTF-8 bytes win
    assert decode_page(arabic.encode("iso-8859-6"), charset="iso-8859-6") == arabic
    assert decode_page(arabic.encode("windows-1256"), charset="no-such-charset") == arabic  # unknown: skipped
    assert decode_page(b"<meta charset='iso-8859-6'>" + arabic.encode("iso-8859-6")).endswith(arabic)
    assert decode_page(arabic.encode("windows-1256")) == arabic
