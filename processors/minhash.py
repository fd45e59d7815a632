"""Bottom-k sketches and MinHash signatures over word shingles, and a compact LSH band index. Pure: numpy,
hashlib and the native text core (``processors._textcore``: the signature and the band index, whose numpy
versions spent their time in per-call overhead; the seeded parameters are drawn here).

Why not datasketch: its ``MinHashLSH`` keeps a Python ``dict`` of tuple keys to ``set`` buckets per band,
several hundred bytes per article and band, which breaks the 1 KB-per-article window budget; and its
``MinHash.update`` hashes every shingle with SHA-1 in Python. Here (see ``benchmarks/dedupe.py``):

- each *word* is hashed once (``hashfunc``, BLAKE2b by default, cached), a shingle's hash combines the hashes
  of its words (polynomial mod 2**64, then the splitmix64 finaliser), all in numpy;
- a *sketch* (:meth:`MinHasher.sketch`) is the set of the ``k`` smallest distinct 16-bit shingle hashes
  (bottom-k, Broder 1997): the whole shingle set of a body of up to ``k`` shingles, a consistent sample of a
  longer one. :func:`similarity` of two sketches is then the exact Jaccard of two bodies of up to ``k``
  shingles (up to 16-bit hash collisions) and the bottom-k estimate for longer ones;
- the LSH signature (:meth:`MinHasher.minhash`) is computed from the sketch, so that a sketch restored from
  a table gives the same band keys; the ``num_perm`` permutations are seeded multiply-shift hashes
  ``(a * x + b) mod 2**64 >> 32``;
- a MinHash signature keeps the low 16 bits of each minimum (b-bit MinHash, Li & König 2010); it only
  feeds the band keys and is not stored;
- :class:`BandIndex` stores one 32-bit key and one 32-bit slot per band and article in sorted arrays, with a
  small append buffer merged in when it grows (8 bytes per band entry).

>>> hasher = MinHasher(num_perm=64, seed=7)
>>> words = "قال المتحدث الرسمي باسم وزارة الداخلية ان الجهات الامنية تمكنت".split()
>>> sketch = hasher.sketch(words, shingle_size=5)
>>> len(sketch), similarity(sketch, hasher.sketch(words[1:], shingle_size=5)), len(hasher.minhash(sketch))
(12, 0.8333333333333334, 128)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from ._textcore import BandIndex as NativeBandIndex
from ._textcore import Permutations

__all__ = ["SKETCH_SIZE", "BandIndex", "MinHasher", "blake2b_64", "similarity"]

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]

#: Shingle hashes kept per sketch (bottom-k): 2 bytes each.
SKETCH_SIZE: Final = 256
_SIG_DTYPE: Final = np.dtype("<u2")
_WORD_DTYPE: Final = np.dtype("<u8")
_SHIFT32: Final = np.uint64(32)
_SHIFT48: Final = np.uint64(48)
_SHINGLE_BASE: Final = np.uint64(0x9E3779B97F4A7C15)  # odd: the polynomial base combining word hashes
_MIX1: Final = np.uint64(0xBF58476D1CE4E5B9)
_MIX2: Final = np.uint64(0x94D049BB133111EB)
_WORD_CACHE: Final = 1 << 18


def blake2b_64(data: bytes) -> int:
    """The default word hash: the first 8 bytes of BLAKE2b, as an unsigned little-endian int.

    >>> blake2b_64("دمشق".encode()) == blake2b_64("دمشق".encode())
    True
    >>> 0 <= blake2b_64(b"x") < 2**64
    True
    """
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _splitmix(x: U64) -> U64:
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    return x ^ (x >> np.uint64(31))


def similarity(a: bytes, b: bytes, *, k: int = SKETCH_SIZE) -> float:
    """Jaccard of two sketches (sorted little-endian uint16, at most ``k`` each): of the ``k`` smallest
    hashes of their union, the share that both hold. Exact when both bodies have at most ``k`` shingles.

    >>> def sk(*values: int) -> bytes: return np.array(values, dtype="<u2").tobytes()
    >>> similarity(sk(1, 2, 3), sk(2, 3, 4)), similarity(sk(1, 2, 3), sk(2, 3, 4), k=2)
    (0.5, 0.5)
    >>> similarity(b"", b"")
    0.0
    """
    x = np.frombuffer(a, dtype=_SIG_DTYPE)
    y = np.frombuffer(b, dtype=_SIG_DTYPE)
    if not x.size or not y.size:
        return 0.0
    # One sort serves both sets (what np.union1d and np.intersect1d(assume_unique=True) compute, each with
    # its own sort): the union is the first of each run of equal values, the shared values the repeats.
    merged = np.concatenate((x, y))
    merged.sort()
    first = _run_starts(merged)
    union = merged[first][:k]
    return float(np.count_nonzero(merged[~first] <= union[-1])) / union.size


def _run_starts(values: npt.NDArray[np.uint16]) -> npt.NDArray[np.bool_]:
    """For sorted ``values``: True where a run of equal values starts."""
    starts = np.empty(values.size, dtype=bool)
    starts[:1] = True
    np.not_equal(values[1:], values[:-1], out=starts[1:])
    return starts


class _WordHashes(dict[str, bytes]):
    """Word -> its 64-bit hash as 8 little-endian bytes, computed on first use (a dict lookup is the fast
    path; the bytes of a text's words are joined and read by numpy in one call)."""

    def __init__(self, func: Callable[[bytes], int]) -> None:
        super().__init__()
        self._func = func

    def __missing__(self, word: str) -> bytes:
        if self._func is blake2b_64:  # its bytes are the digest itself: skip the int round trip
            value = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        else:
            value = (self._func(word.encode("utf-8")) & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
        self[word] = value
        return value


class MinHasher:
    """Seeded MinHash over word shingles; the same seed and ``hashfunc`` give the same signatures anywhere.

    >>> h = MinHasher(num_perm=4, seed=1)
    >>> h.sketch([], shingle_size=5)
    b''
    >>> h.sketch(["a", "b"], shingle_size=5) == h.sketch(["a", "b"], shingle_size=5)
    True
    """

    def __init__(
        self, *, num_perm: int = 128, seed: int = 1, hashfunc: Callable[[bytes], int] | None = None
    ) -> None:
        if num_perm < 1:
            raise ValueError(f"num_perm must be >= 1, got {num_perm}")
        self.num_perm = num_perm
        rng = np.random.Generator(np.random.PCG64(seed))
        high = np.iinfo(np.uint64).max
        self._a = rng.integers(1, high, size=num_perm, dtype=np.uint64, endpoint=True) | np.uint64(1)
        self._b = rng.integers(0, high, size=num_perm, dtype=np.uint64, endpoint=True)
        self._permutations = Permutations(self._a.tolist(), self._b.tolist())
        self._hashfunc = hashfunc or blake2b_64
        self._words = _WordHashes(self._hashfunc)

    def word_hashes(self, words: Sequence[str]) -> bytes:
        """The 64-bit hashes of ``words`` (``hashfunc`` of the UTF-8 bytes, cached), 8 little-endian bytes
        each: pieces for several texts can be kept and joined (:meth:`sketch_hashes`).

        >>> h = MinHasher(num_perm=2)
        >>> h.word_hashes(["a", "b"]) == h.word_hashes(["a"]) + h.word_hashes(["b"]), len(h.word_hashes([]))
        (True, 0)
        """
        if len(self._words) > _WORD_CACHE:
            self._words.clear()
        return b"".join(map(self._words.__getitem__, words))

    def shingle_hashes(self, words: Sequence[str], shingle_size: int) -> U64:
        """64-bit hashes of the distinct-by-position word shingles; fewer words than ``shingle_size`` give
        one shingle, no words give none.

        >>> MinHasher(num_perm=2).shingle_hashes(["a", "b", "c"], shingle_size=2).shape
        (2,)
        """
        return self._shingle_hashes(self.word_hashes(words), shingle_size)

    @staticmethod
    def _shingle_hashes(word_hashes: bytes, shingle_size: int) -> U64:
        if shingle_size < 1:
            raise ValueError(f"shingle_size must be >= 1, got {shingle_size}")
        if not word_hashes:
            return np.empty(0, dtype=np.uint64)
        hashes = np.frombuffer(word_hashes, dtype=_WORD_DTYPE).astype(np.uint64)
        n = min(shingle_size, hashes.size)
        count = hashes.size - n + 1
        acc = hashes[:count].copy()
        for offset in range(1, n):
            acc *= _SHINGLE_BASE
            acc += hashes[offset : offset + count]
        return _splitmix(acc)

    def sketch(self, words: Sequence[str], *, shingle_size: int, k: int = SKETCH_SIZE) -> bytes:
        """The ``k`` smallest distinct 16-bit hashes of ``words``' shingles, ascending, as little-endian
        uint16 (b'' for no words).

        >>> h = MinHasher(num_perm=4, seed=1)
        >>> words = list("abcdefgh")
        >>> len(h.sketch(words, shingle_size=2)), len(h.sketch(words, shingle_size=2, k=3))
        (14, 6)
        """
        return self.sketch_hashes(self.word_hashes(words), shingle_size=shingle_size, k=k)

    def sketch_hashes(self, word_hashes: bytes, *, shingle_size: int, k: int = SKETCH_SIZE) -> bytes:
        """:meth:`sketch` of the words whose :meth:`word_hashes` are given (joined from cached pieces).

        >>> h = MinHasher(num_perm=4, seed=1)
        >>> words = list("abc")
        >>> h.sketch_hashes(h.word_hashes(words), shingle_size=2) == h.sketch(words, shingle_size=2)
        True
        """
        hashes = self._shingle_hashes(word_hashes, shingle_size)
        top = (hashes >> _SHIFT48).astype(_SIG_DTYPE)
        top.sort()
        return bytes(top[_run_starts(top)][:k].tobytes())  # np.unique's result, without its overhead

    def minhash(self, sketch: bytes) -> bytes:
        """The ``num_perm`` MinHash signature of a sketch's hashes (little-endian uint16; b'' for b'').

        >>> h = MinHasher(num_perm=4, seed=1)
        >>> len(h.minhash(bytes(range(8)))), h.minhash(b"")
        (8, b'')
        """
        return self._permutations.minhash(sketch)


class BandIndex:
    """LSH over signatures: ``bands`` bands of ``rows`` positions; two signatures that agree on every
    position of at least one band are candidates. Slots are the caller's integer handles (0 .. 2**31-1).

    Memory: 8 bytes per (article, band) in sorted arrays, plus a dict buffer of at most
    ``max(buffer_min, entries / 64)`` entries, merged in linear time. Removal is lazy: removed slots are
    filtered at query time and dropped at the next merge. The caller adds each slot once.

    >>> index = BandIndex(bands=2, rows=2)
    >>> index.add(5, bytes(range(8)))
    >>> index.query(bytes(range(4)) + bytes(4)), index.query(bytes(8))
    ([5], [])
    """

    def __init__(self, *, bands: int, rows: int, seed: int = 1, buffer_min: int = 4096) -> None:
        if bands < 1 or rows < 1:
            raise ValueError(f"bands and rows must be >= 1, got bands={bands}, rows={rows}")
        self.bands = bands
        self.rows = rows
        rng = np.random.Generator(np.random.PCG64(seed ^ 0x5EED))
        mult = rng.integers(1, 2**63, size=(bands, rows), dtype=np.uint64) | np.uint64(1)
        salt = rng.integers(0, 2**63, size=bands, dtype=np.uint64)
        self._index = NativeBandIndex(mult.ravel().tolist(), salt.tolist(), buffer_min=buffer_min)

    def keys(self, signature: bytes) -> list[int]:
        """The band keys of a signature (one uint32 per band)."""
        return self._index.keys(signature)

    def add(self, slot: int, signature: bytes) -> None:
        """Index ``signature`` under ``slot`` (a slot not added before, nor removed)."""
        self._index.add(slot, signature)

    def remove(self, slot: int) -> None:
        """Forget ``slot``; its entries are filtered from now on and dropped at the next merge."""
        self._index.remove(slot)

    def query(self, signature: bytes) -> list[int]:
        """Slots (not removed) sharing at least one band key with ``signature``, in ascending order."""
        return self._index.query(signature)

    def __len__(self) -> int:
        return len(self._index)

    @property
    def nbytes(self) -> int:
        """Bytes held by the index arrays and buffers (and the set of slots removed since the last merge)."""
        return self._index.nbytes
