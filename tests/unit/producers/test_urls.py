"""Unit tests for producers.urls: canonical URLs (trackers, AMP, mobile hosts) and article ids."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

import producers.errors
import producers.urls
from contracts.errors import KhabarError
from producers.errors import InvalidUrlError, MissingIdentityError, ProducerError
from producers.urls import article_id, canonical_url

pytestmark = pytest.mark.unit

CANONICAL = "https://example.net/news/2024/09/story-1"
SAME_ARTICLE = [
    CANONICAL,
    "HTTPS://EXAMPLE.NET/news/2024/09/story-1",
    "https://example.net:443/news/2024/09/story-1/",
    "https://example.net/news/2024/09/story-1?utm_source=twitter&utm_medium=social&utm_campaign=x#comments",
    "https://example.net/news/2024/09/story-1?fbclid=IwAR0abc&gclid=Cj0K&igshid=MzRl&ref_src=twsrc%5Etfw",
    "https://example.net/news/2024/09/story-1?mc_cid=1a2b&mc_eid=3c4d&UTM_Content=Z",
    "https://m.example.net/news/2024/09/story-1",
    "https://mobile.example.net/news/2024/09/story-1",
    "https://amp.example.net/news/2024/09/story-1",
    "https://example.net/news/2024/09/story-1/amp",
    "https://example.net/news/2024/09/story-1/amp/",
    "https://example.net/news/2024/09/story-1?amp",
    "https://example.net/news/2024/09/story-1?amp=1",
    "https://example.net/news/2024/09/story-1.amp",
    "https://example.net/amp/news/2024/09/story-1",
    "https://m.example.net/amp/news/2024/09/story-1/amp/?amp=1&utm_source=rss&at_medium=RSS#top",
]


@pytest.mark.parametrize("url", SAME_ARTICLE)
def test_variants_of_one_article_share_canonical_url_and_id(url: str) -> None:
    assert canonical_url(url) == CANONICAL
    assert article_id(canonical_url(url), None) == article_id(CANONICAL, None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.net/a/b.amp.html", "https://example.net/a/b.html"),
        ("https://example.net/?b=2&a=1&a=0", "https://example.net/?a=0&a=1&b=2"),
        ("https://example.net/x?ref=home&utm_source=a", "https://example.net/x?ref=home"),
        ("https://example.net/x?amp=0", "https://example.net/x?amp=0"),
        ("https://example.net/champ", "https://example.net/champ"),
        ("https://example.net/amplify/x", "https://example.net/amplify/x"),
        ("https://example.net/News/Story", "https://example.net/News/Story"),
        ("https://www.example.net/x", "https://www.example.net/x"),
        ("https://m.com/x", "https://m.com/x"),
        ("https://m.m.example.net/x", "https://example.net/x"),
        ("http://example.net:80/x", "http://example.net/x"),
        ("http://example.net:443/x", "http://example.net:443/x"),
        ("https://example.net:8443/x", "https://example.net:8443/x"),
        ("https://user:secret@example.net/x", "https://example.net/x"),
        ("https://example.net", "https://example.net/"),
        ("  https://example.net/x  ", "https://example.net/x"),
        ("https://[::1]:8080/x", "https://[::1]:8080/x"),
    ],
)
def test_canonical_url_cases(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_scheme_is_kept_and_www_is_not_folded() -> None:
    assert canonical_url("http://example.net/x") != canonical_url("https://example.net/x")
    assert canonical_url("https://www.example.net/x") != canonical_url("https://example.net/x")


def test_arabic_iri_and_percent_encoded_forms_agree() -> None:
    iri = "https://www.aljazeera.net/news/2024/9/2/أخبار-سوريا?q=دمشق"
    encoded = (
        "https://www.aljazeera.net/news/2024/9/2/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1-%d8%b3%d9%88%d8%b1%d9%8a%d8%a7"
        "?q=%D8%AF%D9%85%D8%B4%D9%82"
    )
    assert canonical_url(iri) == canonical_url(encoded)
    assert canonical_url(iri).isascii()


def test_internationalised_host_becomes_punycode() -> None:
    assert canonical_url("https://مثال.مصر/x") == "https://xn--mgbh0fb.xn--wgbh1c/x"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.net/x",
        "/relative/path",
        "example.net/x",
        "https://",
        "http://[::1",
        "https://exa mple.com/",
        "https://example.net:99999/",
        "https://example.net:port/",
        "javascript:alert(1)",
        "mailto:a@example.net",
    ],
)
def test_invalid_urls_raise_invalid_url_error(url: str) -> None:
    with pytest.raises(InvalidUrlError) as info:
        canonical_url(url)
    assert repr(url) in str(info.value)
    assert isinstance(info.value, ProducerError)
    assert isinstance(info.value, KhabarError)


def test_article_id_hashes_the_canonical_url() -> None:
    assert article_id(CANONICAL, "ignored-guid") == hashlib.sha1(CANONICAL.encode()).hexdigest()[:16]
    assert len(article_id(CANONICAL, None)) == 16


def test_article_id_is_not_the_gold_hash_of_a_non_canonical_url() -> None:
    # SaudiNewsNet gold ids are sha1(original url)[:16]: equal only when the original URL is canonical.
    original = "https://example.net/news/2024/09/story-1?utm_source=rss"
    gold = hashlib.sha1(original.encode()).hexdigest()[:16]
    assert article_id(canonical_url(original), None) != gold
    assert article_id(CANONICAL, None) == hashlib.sha1(CANONICAL.encode()).hexdigest()[:16]


def test_article_id_falls_back_to_a_prefixed_guid() -> None:
    guid = "tag:example.net,2024:1234"
    expected = hashlib.sha1(("guid:" + guid).encode()).hexdigest()[:16]
    assert article_id(None, guid) == expected
    assert article_id("", f"  {guid} ") == expected
    # A GUID that happens to be a URL does not collide with the same canonical URL.
    assert article_id(None, CANONICAL) != article_id(CANONICAL, None)


@pytest.mark.parametrize(("canonical", "guid"), [(None, None), ("", ""), (None, "   ")])
def test_article_id_without_url_or_guid_raises(canonical: str | None, guid: str | None) -> None:
    with pytest.raises(MissingIdentityError):
        article_id(canonical, guid)


_label = st.text(alphabet="abcdefxyz0129-", min_size=1, max_size=8).filter(lambda s: s[0] != "-" != s[-1])
_segment = st.one_of(
    st.sampled_from(["amp", "AMP", ".amp", "x.amp.html", "خبر", "%d8%b9", "%zz", "a b", "", "index.html"]),
    st.text(min_size=0, max_size=6),
)
_param_key = st.one_of(
    st.sampled_from(
        ["utm_source", "UTM_medium", "fbclid", "gclid", "amp", "a", "b", "q", "at_campaign", "ref"]
    ),
    st.text(min_size=0, max_size=4),
)
_query = st.lists(
    st.tuples(_param_key, st.sampled_from(["", "=", "=1", "=0", "=x y", "=دمشق", "=%41"])).map("".join),
    max_size=5,
).map("&".join)


@st.composite
def _urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    prefix = draw(st.sampled_from(["", "m.", "www.", "amp.", "mobile.", "M.", "m.amp."]))
    host = prefix + draw(_label) + draw(st.sampled_from([".com", ".net", ".sa", ".COM", ""]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(_segment, max_size=5)))
    fragment = draw(st.sampled_from(["", "#", "#top"]))
    return f"{scheme}://{host}{port}/{path}?{draw(_query)}{fragment}"


@given(_urls())
def test_canonical_url_is_idempotent_on_generated_urls(url: str) -> None:
    try:
        once = canonical_url(url)
    except InvalidUrlError:
        return
    assert canonical_url(once) == once
    assert "#" not in once
    query = once.partition("?")[2]
    assert not any(piece.lower().startswith(("utm_", "fbclid", "gclid")) for piece in query.split("&"))


@given(st.text(max_size=60))
def test_canonical_url_is_idempotent_or_refuses_on_any_text(tail: str) -> None:
    for url in (tail, "https://" + tail, "https://example.net/" + tail):
        try:
            once = canonical_url(url)
        except InvalidUrlError:
            continue
        assert canonical_url(once) == once


# ------------------------------------------------------------------------------------------ fast paths


@given(st.text(max_size=40) | st.text(alphabet="aZ09/%:@!$&'()*+,;=-._~?#[] \"<>\\^`{|}é\u062e", max_size=20))
def test_escaping_writes_what_urllib_quote_writes(text: str) -> None:
    # The per-byte table replaced urllib.parse.quote (slow on Arabic paths); the output must not change.
    for safe, table in (
        (producers.urls._PATH_SAFE, producers.urls._PATH_ESCAPES),
        (producers.urls._QUERY_SAFE, producers.urls._QUERY_ESCAPES),
    ):
        try:
            expected = re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), quote(text, safe=safe))
        except UnicodeEncodeError:  # a lone surrogate: canonical_url turns this into InvalidUrlError
            with pytest.raises(UnicodeEncodeError):
                producers.urls._escape(text, table)
            continue
        assert producers.urls._escape(text, table) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://m.m.example.net/x", "https://example.net/x"),
        ("https://m.com/x", "https://m.com/x"),  # a mobile label with nothing after it is the domain
        ("https://example.net/%d8%ae/a%2fb", "https://example.net/%D8%AE/a%2Fb"),
        ("https://example.net/أخبار/", "https://example.net/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1"),
    ],
)
def test_hosts_escapes_and_slashes_on_the_fast_paths(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
