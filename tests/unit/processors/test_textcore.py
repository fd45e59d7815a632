"""The native text core (processors/native) against Python references: the normaliser against the steps of
``processors.arabic.normalize`` written with the standard library, the body fingerprint against the
deduper's Python path, the chunk table against ``analyse_word`` and ``tokenize``, on generated text and on
real SaudiNewsNet articles, and the MinHash signature, band keys and band index against numpy and a
dictionary of buckets."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import processors.arabic as arabic
from contracts.schemas import RawArticle
from processors._textcore import BandIndex as NativeBandIndex
from processors._textcore import BodySketcher, ChunkTable, Normalizer, Permutations, collapse_whitespace
from processors.analyzed_text import _KEYWORD_STOP, BREAK, analyse_word, terms_of
from processors.dedupe import MIN_TOKENS, Deduper
from processors.minhash import SKETCH_SIZE, BandIndex, MinHasher, blake2b_64

pytestmark = pytest.mark.unit


_FORMAT_TABLE = dict.fromkeys(map(ord, arabic._FORMAT_CHARS))


def reference_normalize(text: str, *, fold_teh_marbuta: bool = False) -> str:
    """The normaliser's steps in plain Python (str.translate is slow, but plainly right)."""
    table = arabic._FOLD_TABLE if fold_teh_marbuta else arabic._BASE_TABLE

    def once(value: str) -> str:
        value = unicodedata.normalize("NFKC", value.translate(_FORMAT_TABLE))
        return " ".join(value.translate(table).lower().split())

    out = once(text)
    for _ in range(8):
        if unicodedata.is_normalized("NFKC", out):
            break
        out = once(out)
    return out


# What Arabic news text holds, and what trips a normaliser up: the tables' characters, Arabic letters and
# marks (in and out of canonical order), presentation forms and ligatures (NFKC spells them out), Latin
# with accents, capital sigma (final form), and every kind of whitespace Python splits at.
ALPHABET = sorted(
    {chr(c) for c in arabic._FOLD_TABLE}
    | {chr(c) for c in range(0x0600, 0x0700)}
    | set("\ufdfa\ufdf2\ufefb\ufe8d\ufe91\ufb50\u00a8\u00bd\u2460\ufb01")
    | set("AbÉéΣσΑİ\u0301\u0308")
    | set(" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u205f\u3000")
)


@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=40))
@settings(max_examples=1000, deadline=None)
def test_native_normalize_equals_the_reference(text: str) -> None:
    for fold in (False, True):
        expected = reference_normalize(text, fold_teh_marbuta=fold)
        assert arabic.normalize(text, fold_teh_marbuta=fold) == expected


#: Blocks whose characters NFKC keeps, changes, reorders or composes (Latin, combining marks, Greek, Arabic
#: and its presentation forms, punctuation and spaces, Hangul syllables and jamo, full-width forms).
SCRIPTS = [
    (0x20, 0x250), (0x300, 0x370), (0x370, 0x400), (0x600, 0x700), (0xFB50, 0xFE00), (0xFE70, 0xFF00),
    (0x2000, 0x2070), (0x1E00, 0x1F00), (0xAC00, 0xAC40), (0x1100, 0x1180), (0xFF00, 0xFFF0),
]  # fmt: skip


def test_native_normalize_equals_the_reference_across_scripts() -> None:
    """Random short texts mixing the blocks (so that both the one-pass path and the full steps run)."""
    rng = random.Random(5)
    for _ in range(20_000):
        blocks = rng.sample(SCRIPTS, rng.randint(1, 2))  # one or two blocks a text: runs of marks happen
        text = "".join(chr(rng.randrange(*rng.choice(blocks))) for _ in range(rng.randint(0, 12)))
        for fold in (False, True):
            assert arabic.normalize(text, fold_teh_marbuta=fold) == reference_normalize(
                text, fold_teh_marbuta=fold
            )


@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=60))
@settings(max_examples=500, deadline=None)
def test_native_collapse_whitespace_is_python_s_split_and_join(text: str) -> None:
    assert collapse_whitespace(text) == " ".join(text.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ΟΔΟΣ ΣΑ", "οδος σα"),  # final sigma, as str.lower
        ("\u0627\u0654\u064e", "ا"),  # alef + hamza above composes to أ, then maps to ا
        ("ﷺ", "صلي الله عليه وسلم"),  # a ligature spelled out by NFKC
        ("a\x1cb\u3000c", "a b c"),  # Python's whitespace, not only Unicode's
        ("a\u0315\u0316", "a\u0316\u0315"),  # kept marks out of canonical order: NFKC reorders them
        ("\u0627\u200d\u0654", "ا"),  # a format character between letter and hamza: deleted, then composed
        ("x\xa0\u2003y", "x y"),  # spaces that NFKC makes plain
    ],
)
def test_native_normalize_cases(text: str, expected: str) -> None:
    assert arabic.normalize(text) == expected == reference_normalize(text)


def test_normalizer_refuses_a_table_key_that_is_not_one_character() -> None:
    with pytest.raises(ValueError, match='table key "ab" is not one character'):
        Normalizer("", {"ab": "c"})


def test_sketcher_refuses_shingles_of_no_words() -> None:
    with pytest.raises(ValueError, match="shingle_size must be >= 1, got 0"):
        BodySketcher(arabic.normalizer(), shingle_size=0, k=4, min_tokens=1)


def _article(i: int, body: str) -> RawArticle:
    when = datetime(2015, 8, 8, tzinfo=UTC)
    return RawArticle(id=f"{i:016x}", url=f"u{i}", canonical_url=f"u{i}", outlet="x", title="t", content=body,
                      published=when, fetched_at=when)  # fmt: skip


@given(st.text(alphabet=st.sampled_from([*ALPHABET, *"0123456789"]), max_size=300))
@settings(max_examples=300, deadline=None)
def test_native_fingerprint_equals_the_python_path(body: str) -> None:
    native, python = Deduper(), Deduper(hashfunc=blake2b_64)  # an injected hash takes the Python path
    assert native.fingerprint(_article(1, body)) == python.fingerprint(_article(1, body))


def test_native_text_core_agrees_with_python_on_saudinewsnet(saudinewsnet_day: list[dict[str, Any]]) -> None:
    bodies = [row["content"] for row in saudinewsnet_day]
    chunks = list(dict.fromkeys(chunk for body in bodies for chunk in body.split()))
    for fold in (False, True):
        assert arabic.normalize_many(chunks, fold_teh_marbuta=fold) == [
            reference_normalize(chunk, fold_teh_marbuta=fold) for chunk in chunks
        ]
    native, python = Deduper(), Deduper(hashfunc=blake2b_64)
    articles = [_article(i, body) for i, body in enumerate(bodies)]
    prints = [(native.fingerprint(a), python.fingerprint(a)) for a in articles]
    assert all(a == b for a, b in prints)
    assert sum(bool(a.signature) for a, _ in prints) > len(bodies) // 2  # sketches compared, not empties
    sketch = BodySketcher(arabic.normalizer(fold_teh_marbuta=True), shingle_size=5, k=SKETCH_SIZE,
                          min_tokens=MIN_TOKENS)  # fmt: skip
    assert sketch.fingerprint(bodies[0]) == (prints[0][0].text_hash, prints[0][0].signature)


_WORD_RE = re.compile(r"[^\W_]+(?:[\u064b-\u065f\u0670\u0640]+[^\W_]*)*")
ChunkFields = tuple[list[str], list[str], list[tuple[str, str]], list[str], list[str], list[str], int]


def reference_chunk(chunk: str) -> ChunkFields:
    """A chunk's analysis from analyse_word, the regular expression of a word and tokenize."""
    words, items, end = [], [], 0
    for match in _WORD_RE.finditer(chunk):
        word = analyse_word(match.group())
        if match.start() > end:
            items.append(BREAK)
        end = match.end()
        words.append(word)
        if word.alphabetic:
            items.append(word)
    if end < len(chunk):
        items.append(BREAK)
    return (
        [w.text for w in words],
        [w.term for w in words if w.term is not None],
        [w.keyword for w in words if w.keyword is not None],
        [t for w in words for t in w.match_tokens],
        [w.text for w in items],
        [w.folded for w in items],
        len(arabic.tokenize(chunk)),
    )


#: The chunk table as analyzed_text builds it: the keyword terms of Arabic-letter words made natively.
KEYWORD_STOP = sorted(_KEYWORD_STOP)


def native_chunk(chunk: str) -> ChunkFields:
    a = ChunkTable(arabic.normalizer(), terms_of, capacity=8, keyword_stop=KEYWORD_STOP).analyse(chunk)
    return a.words, a.terms, a.keywords, a.match_tokens, a.item_texts, a.item_norms, a.token_count


CHUNK_ALPHABET = [*ALPHABET, *"0123456789.,:;!?-_()«»\"'،؛؟“”…٪/"]


@given(
    st.text(alphabet=st.sampled_from(CHUNK_ALPHABET), min_size=1, max_size=30).filter(
        lambda t: not t.isspace()
    )
)
@settings(max_examples=1000, deadline=None)
def test_native_chunk_analysis_equals_the_reference(text: str) -> None:
    for chunk in text.split():
        assert native_chunk(chunk) == reference_chunk(chunk)
    # the whole text: split at Python's whitespace, as str.split() does
    whole = ChunkTable(arabic.normalizer(), terms_of, capacity=8).analyse(text)
    assert whole.words == [word for chunk in text.split() for word in reference_chunk(chunk)[0]]
    assert whole.token_count == len(arabic.tokenize(text))


@pytest.mark.parametrize(
    "chunk",
    ["«دي", "ميستورا»:", "الْمُعَارَضَةُ،", "دومًا", "ﷺ", "(2015)", "-", "حلب_اليوم", "ـحلب", "ًحلب", "a.b.c"],
)
def test_native_chunk_analysis_cases(chunk: str) -> None:
    assert native_chunk(chunk) == reference_chunk(chunk)


def test_chunk_table_analyses_each_new_word_once_in_one_batch() -> None:
    calls: list[list[str]] = []

    def counted_terms(norms: list[str]) -> list[str | None]:
        calls.append(list(norms))
        return terms_of(norms)

    table = ChunkTable(arabic.normalizer(), counted_terms, capacity=8)
    first = table.analyse("حلب، «حلب» دمشق")
    second = table.analyse("دمشق وإدلب")
    assert calls == [["حلب", "دمشق"], ["وادلب"]]
    assert first.words == ["حلب", "حلب", "دمشق"]
    assert first.item_norms == ["حلب", "|", "|", "حلب", "|", "دمشق"]
    assert (first + second).terms == ["حلب", "حلب", "دمشق", "دمشق", "وادلب"]
    assert (first + second).token_count == 5
    assert len(table) == 4


def test_chunk_table_empties_when_full_and_analyses_outlive_it() -> None:
    table = ChunkTable(arabic.normalizer(), terms_of, capacity=2)
    old = table.analyse("حلب دمشق حمص")
    table.analyse("درعا")  # over capacity: emptied first, then درعا
    assert len(table) == 1
    assert old.terms == ["حلب", "دمشق", "حمص"]


def test_chunk_table_refuses_short_terms_and_keeps_nothing_of_the_batch() -> None:
    table = ChunkTable(arabic.normalizer(), lambda norms: terms_of(norms)[:1], capacity=8)
    with pytest.raises(ValueError, match="terms_of returned 1 terms for 2 words"):
        table.analyse("حلب دمشق")
    assert len(table) == 0


def test_chunk_table_keeps_nothing_of_a_batch_whose_terms_fail() -> None:
    def broken(norms: list[str]) -> list[str | None]:
        raise RuntimeError(f"cannot stem {norms}")

    table = ChunkTable(arabic.normalizer(), broken, capacity=8)
    with pytest.raises(RuntimeError, match="cannot stem"):
        table.analyse("حلب")
    with pytest.raises(RuntimeError, match="cannot stem"):
        table.analyse("حلب")  # asked again, not found half-made
    assert len(table) == 0


ARABIC_LETTERS = [chr(c) for c in [*range(0x0621, 0x063B), *range(0x0641, 0x064B)]]


@given(
    st.lists(
        st.one_of(
            st.sampled_from(KEYWORD_STOP),
            st.tuples(
                st.sampled_from(["", "و", "ف", "ال", "وال", "فال", "بال", "لل"]),
                st.text(alphabet=st.sampled_from(ARABIC_LETTERS), max_size=8),
                st.sampled_from(["", "ة", "ات", "ين", "ها", "2", "x"]),
            ).map("".join),
        ),
        min_size=1,
        max_size=12,
    )
)
@settings(max_examples=500, deadline=None)
def test_native_keyword_terms_equal_terms_of(words: list[str]) -> None:
    """Words of Arabic letters only get their terms natively (stop words, وال/فال, Snowball), the same as
    terms_of; terms_of is asked for the others only."""
    asked: list[str] = []

    def spy(norms: list[str]) -> list[str | None]:
        asked.extend(norms)
        return terms_of(norms)

    text = " ".join(words)
    table = ChunkTable(arabic.normalizer(), spy, capacity=64, keyword_stop=KEYWORD_STOP)
    assert (
        table.analyse(text).terms
        == ChunkTable(arabic.normalizer(), terms_of, capacity=64).analyse(text).terms
    )
    assert all(not re.fullmatch("[\u0621-\u063a\u0641-\u064a]+", norm) for norm in asked)


@pytest.mark.parametrize("keyword_stop", [None, KEYWORD_STOP], ids=["terms_of", "native terms"])
def test_native_chunk_analysis_agrees_with_the_reference_on_saudinewsnet(
    saudinewsnet_day: list[dict[str, Any]], keyword_stop: list[str] | None
) -> None:
    chunks = list(
        dict.fromkeys(
            chunk for row in saudinewsnet_day for chunk in f"{row['title']} {row['content']}".split()
        )
    )
    table = ChunkTable(arabic.normalizer(), terms_of, capacity=len(chunks), keyword_stop=keyword_stop)
    for start in range(0, len(chunks), 5000):
        batch = chunks[start : start + 5000]
        native = [table.analyse(chunk) for chunk in batch]
        got = [
            (a.words, a.terms, a.keywords, a.match_tokens, a.item_texts, a.item_norms, a.token_count)
            for a in native
        ]
        assert got == [reference_chunk(chunk) for chunk in batch]


def reference_minhash(hasher: MinHasher, sketch: bytes) -> bytes:
    """The signature as numpy computes it: the outer product of mixed values and multipliers."""
    values = np.frombuffer(sketch, dtype="<u2")
    if values.size == 0:
        return b""
    mixed = reference_splitmix(values.astype(np.uint64))
    products = (np.multiply.outer(mixed, hasher._a) + hasher._b) >> np.uint64(32)
    return bytes(products.min(axis=0).astype("<u2").tobytes())


def reference_splitmix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def reference_band_keys(bands: int, rows: int, seed: int, signature: bytes) -> list[int]:
    rng = np.random.Generator(np.random.PCG64(seed ^ 0x5EED))
    mult = rng.integers(1, 2**63, size=(bands, rows), dtype=np.uint64) | np.uint64(1)
    salt = rng.integers(0, 2**63, size=bands, dtype=np.uint64)
    grid = np.frombuffer(signature, dtype="<u2")[: bands * rows].astype(np.uint64).reshape(bands, rows)
    mixed = reference_splitmix((grid * mult).sum(axis=1, dtype=np.uint64) + salt)
    return [int(key) for key in (mixed >> np.uint64(32)).astype(np.uint32)]


@given(st.lists(st.integers(0, 2**16 - 1), max_size=300, unique=True), st.integers(0, 2**32))
@settings(max_examples=300, deadline=None)
def test_native_signature_and_band_keys_equal_numpy(values: list[int], seed: int) -> None:
    hasher = MinHasher(num_perm=64, seed=seed)
    sketch = np.array(sorted(values), dtype="<u2").tobytes()
    signature = hasher.minhash(sketch)
    assert signature == reference_minhash(hasher, sketch)
    if signature:
        assert BandIndex(bands=16, rows=4, seed=seed).keys(signature) == reference_band_keys(
            16, 4, seed, signature
        )


@given(st.lists(st.tuples(st.sampled_from(["add", "remove", "query"]), st.integers(0, 40)), max_size=200))
@settings(max_examples=300, deadline=None)
def test_band_index_answers_as_a_dictionary_of_buckets(operations: list[tuple[str, int]]) -> None:
    """Signatures of 4 values, 2 bands of 2 rows, drawn from few values so that bands collide often; a
    buffer of 4 entries, so that merges happen along the way."""
    index = BandIndex(bands=2, rows=2, buffer_min=4)
    buckets: dict[int, set[int]] = {}
    live: set[int] = set()
    added: set[int] = set()

    def signature(n: int) -> bytes:
        return np.array([n % 3, n % 2, n % 5, 1], dtype="<u2").tobytes()

    for op, n in operations:
        if op == "add" and n not in added:
            index.add(n, signature(n))
            added.add(n)
            live.add(n)
            for key in index.keys(signature(n)):
                buckets.setdefault(key, set()).add(n)
        elif op == "remove" and n in live:
            index.remove(n)
            live.discard(n)
        elif op == "query":
            expected = set().union(*(buckets.get(key, set()) for key in index.keys(signature(n)))) & live
            assert index.query(signature(n)) == sorted(expected)
        assert len(index) == len(live)


def test_band_index_answers_as_a_dictionary_of_buckets_when_large() -> None:
    """20,000 signatures (80,000 band entries, so the prefix table has thousands of prefixes), every tenth
    removed, queried for signatures added, removed and never seen; merges happen along the way."""
    rng = np.random.default_rng(7)
    index = BandIndex(bands=4, rows=2, buffer_min=256)
    signatures = rng.integers(0, 40, size=(22_000, 8), dtype="<u2")
    buckets: dict[int, set[int]] = {}
    for slot, values in enumerate(signatures[:20_000]):
        index.add(slot, values.tobytes())
        for key in index.keys(values.tobytes()):
            buckets.setdefault(key, set()).add(slot)
    removed = set(range(0, 20_000, 10))
    for slot in removed:
        index.remove(slot)
    index.add(20_000, signatures[20_000].tobytes())  # a merge after the removals, so some are dropped
    for key in index.keys(signatures[20_000].tobytes()):
        buckets.setdefault(key, set()).add(20_000)
    for slot in [*range(0, 20_001, 97), *range(20_001, 22_000, 50)]:
        signature = signatures[slot].tobytes()
        expected = set().union(*(buckets.get(key, set()) for key in index.keys(signature))) - removed
        assert index.query(signature) == sorted(expected)
    assert len(index) == 20_001 - len(removed)


def test_band_index_refuses_a_short_signature_and_bad_parameters() -> None:
    with pytest.raises(ValueError, match="signature has 3 values; bands x rows needs 4"):
        BandIndex(bands=2, rows=2).add(1, bytes(6))
    with pytest.raises(ValueError, match="mult must hold bands x rows values for 2 bands, got 3"):
        NativeBandIndex([1, 3, 5], [0, 0], buffer_min=4)
    with pytest.raises(ValueError, match="a and b must be as long as each other and not empty, got 2 and 1"):
        Permutations([1, 3], [0])
