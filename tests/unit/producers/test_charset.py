"""A wrong declared charset: which Arabic legacy encoding the bytes really are."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from producers.charset import wrong_charset
from producers.parse import parse_document

pytestmark = pytest.mark.unit

TITLE = "خبر عاجل من الرياض"
COMPLAINT = "CharacterEncodingOverride: document declared as utf-8, but parsed as windows-1256"


@pytest.mark.parametrize("encoding", ["windows-1256", "iso-8859-6"])
def test_the_legacy_encoding_that_reads_as_arabic_is_chosen(encoding: str) -> None:
    assert wrong_charset(TITLE.encode(encoding), parsed_as="utf-8", complaint=COMPLAINT) == (
        encoding,
        f"the declared encoding does not decode the bytes ({COMPLAINT}); read as {encoding}",
    )


def test_an_iso_8859_6_feed_declared_utf_8_is_published_in_arabic() -> None:
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>{TITLE}</title><link>https://x.example/1</link></item></channel></rss>"
    ).encode("iso-8859-6")
    parsed, problem = parse_document(
        feed, feed_url="https://x.example/rss", outlet="x", fetched_at=datetime.now(UTC)
    )
    assert [a.title for a in parsed.articles] == [TITLE]
    assert problem is not None
    assert "iso-8859-6" in problem
