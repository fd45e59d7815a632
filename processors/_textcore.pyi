"""Types of the native text core (processors/native, Rust): see processors/native/src/*.rs."""

from collections.abc import Callable, Sequence

class Normalizer:
    """processors.arabic.normalize from a table: format characters deleted before NFKC, then the table
    (a value of "" deletes the character), lower-casing and whitespace collapsing, to the NFKC fixed point."""

    def __init__(self, format_chars: str, table: dict[str, str]) -> None: ...
    def normalize(self, text: str) -> str: ...
    def normalize_many(self, texts: list[str]) -> list[str]: ...

class BodySketcher:
    """The dedupe fingerprint of a body with the default BLAKE2b word hash (processors.dedupe)."""

    def __init__(
        self, normalizer: Normalizer, *, shingle_size: int, k: int, min_tokens: int, cache_size: int = ...
    ) -> None: ...
    def fingerprint(self, body: str) -> tuple[str, bytes]: ...

class Analysis:
    """A text's chunk analyses in order; each list property lays one field end to end."""

    @property
    def token_count(self) -> int: ...
    @property
    def words(self) -> list[str]: ...
    @property
    def terms(self) -> list[str]: ...
    @property
    def keywords(self) -> list[tuple[str, str]]: ...
    @property
    def match_tokens(self) -> list[str]: ...
    @property
    def item_texts(self) -> list[str]: ...
    @property
    def item_norms(self) -> list[str]: ...
    def __add__(self, other: Analysis) -> Analysis: ...

class ChunkTable:
    """Chunk -> its analysis, and word -> its analysis (processors.analyzed_text.analyse_word), cached;
    ``terms_of`` gives the keyword terms of a batch of new words' normal forms (with ``keyword_stop``, the
    words of Arabic letters only get theirs natively: those stop words, then the Snowball Arabic stem)."""

    def __init__(
        self,
        normalizer: Normalizer,
        terms_of: Callable[[list[str]], Sequence[str | None]],
        *,
        capacity: int,
        keyword_stop: list[str] | None = None,
    ) -> None: ...
    def __len__(self) -> int: ...
    def clear(self) -> None: ...
    def analyse(self, text: str) -> Analysis: ...

def top_keywords(
    tfs: dict[str, int],
    keywords: list[tuple[list[tuple[str, str]], int]],
    totals: dict[str, int],
    documents: int,
    k: int,
) -> list[str]:
    """The k best TF-IDF terms of tfs as their most frequent forms (processors.keywords.top_keywords)."""

def letters(text: str) -> str:
    """The letters of text: "".join(filter(str.isalpha, text))."""

def collapse_whitespace(text: str) -> str:
    """The words of text joined by one space: " ".join(text.split())."""

class Permutations:
    """Multiply-shift permutations for MinHash signatures of sketches (processors.minhash.MinHasher)."""

    def __init__(self, a: list[int], b: list[int]) -> None: ...
    def minhash(self, sketch: bytes) -> bytes: ...

class BandIndex:
    """The LSH band index of processors.minhash.BandIndex."""

    def __init__(self, mult: list[int], salt: list[int], *, buffer_min: int) -> None: ...
    def keys(self, signature: bytes) -> list[int]: ...
    def add(self, slot: int, signature: bytes) -> None: ...
    def remove(self, slot: int) -> None: ...
    def query(self, signature: bytes) -> list[int]: ...
    def __len__(self) -> int: ...
    @property
    def nbytes(self) -> int: ...

class PlaceMatcher:
    """The gazetteer's scan of processors.gazetteer.Gazetteer, natively (places.rs)."""

    def __init__(
        self,
        keys: list[str],
        groups: list[int],
        flags: list[int],
        longest_from: dict[str, int],
        *,
        bare_ok: list[str],
        place_words: list[str],
        construct_followers: list[str],
        stop_keys: list[str],
        capacity: int,
    ) -> None: ...
    def readings(self, token: str) -> list[str]: ...
    def mentions(self, analysis: Analysis) -> list[tuple[int, bool, int, bool]]: ...

class ItemScanner:
    """The scans of processors.entities.extract_entities over a text's items, natively (items.rs)."""

    def __init__(
        self, triggers: list[str], phrases: list[str], *, aliases: dict[str, str], max_words: int
    ) -> None: ...
    def scan(self, analysis: Analysis) -> tuple[list[int], list[tuple[int, int]], bool]: ...

def group_variants(spellings: list[tuple[str, str]], *, cutoff: float) -> list[list[int]]:
    """processors.entities.merge_variants' single-link groups over (normal form, skeleton), natively."""

class NameRules:
    """processors.name_rules' rules over a text's items, natively (names.rs)."""

    def __init__(self, sets: dict[str, list[str]], *, generic_bodies: list[str]) -> None: ...
    def find(self, analysis: Analysis, scanner: ItemScanner) -> tuple[list[tuple[str, bool]], list[str]]: ...
