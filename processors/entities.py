"""People and organisations by rules (pure), with spelling variants merged by fuzzy matching.

Rules (:mod:`processors.name_rules`, on the article's words split at punctuation):

* **organisations**: a head word (وزارة، هيئة، مجلس، قوات ...), a definite word and an adjective
  (وزارة الدفاع، مجلس الأمن الدولي, وزارة الاقتصاد والتخطيط);
* **quoted names**: «…» or "…" of one to four words, kept when they start with a head word or follow a cue
  word (تنظيم «داعش»، وكالة «رويترز»، موقع «كلنا شركاء»); a quoted phrase after neither is a quotation;
* **people**: a title or an office followed by a name that starts with a listed given name (الرئيس الفرنسي
  فرنسوا هولاند → فرنسوا هولاند; مدير عام الشؤون الصحية الدكتور مصطفى بلجون → مصطفى بلجون), and chains of
  fathers (سلمان بن عبدالعزيز).

Variants (دي ميستورا / دي مستورا, ستيفان دي مستورا) are merged when their letters agree closely (rapidfuzz
ratio on the normalised form >= ``FUZZY_THRESHOLD``) or one is the other's last words. The canonical name of
a group is, first, the name of the :class:`KnownNames` entry it matches (processors/data/names.json: curated
people and organisations of Arab news with their spellings, matched with the same fuzzy rule), so two
workers that see different spellings in different articles emit the same name; otherwise it is chosen by
:func:`canonical_name` from the group's spellings alone (longest, then code-point order), never from the
text order. :func:`name_key` (a consonant skeleton) lets later stages compare names across articles.

>>> [(e.name, e.type) for e in extract_entities("وقال المبعوث الدولي ستيفان دي مستورا إن «جيش الفتح» تقدم")]
[('ستيفان دي مستورا', 'person'), ('جيش الفتح', 'organisation')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from itertools import compress, count
from typing import Final, Literal

from rapidfuzz import fuzz, process

from contracts.schemas import Entity

from ._textcore import ItemScanner, NameRules, group_variants
from .analyzed_text import AnalyzedText
from .arabic import normalize_for_matching
from .errors import EnrichmentError
from .name_rules import (
    BIN,
    GENERIC_BODIES,
    NATIVE_SETS,
    ORG_CUES,
    ORG_HEADS,
    STOP,
    TITLES,
    TRIGGERS,
    WAW_TITLES,
    is_nisba,
    norm,
)

__all__ = [
    "FUZZY_THRESHOLD",
    "KnownNames",
    "canonical_name",
    "extract_entities",
    "merge_variants",
    "name_key",
]

FUZZY_THRESHOLD: Final = 88.0
#: Words of a chain of descent (بن, ابن, آل): names with them are matched by listed spellings only.
_CHAIN_WORDS: Final = BIN | {"ال"}
_RESOLVED_CACHE_SIZE: Final = 1 << 14
_MAX_NAME_WORDS: Final = 4


#: Where the name rules start, for a text scanned without known names (see ``KnownNames._scanner``).
_TRIGGER_SCANNER: Final = ItemScanner(list(TRIGGERS), [], aliases=WAW_TITLES, max_words=_MAX_NAME_WORDS)

_RULES: Final = NameRules(
    {name: sorted(words) for name, words in NATIVE_SETS.items()}, generic_bodies=sorted(GENERIC_BODIES)
)

_QUOTED_RE: Final = re.compile(r"[«\"“]\s*([^«»\"“”\n]{2,60}?)\s*[»\"”]")
_WORD_RE: Final = re.compile(r"[^\W\d_]+")
_VOWELS: Final = str.maketrans("", "", "اوي")


@lru_cache(maxsize=1 << 14)
def name_key(name: str) -> str:
    """The consonant skeleton of a name: normalised, long vowels (ا و ي) dropped, for grouping spellings.

    >>> name_key("دي ميستورا") == name_key("دي مستورا")
    True
    """
    return " ".join(w.translate(_VOWELS) or w for w in normalize_for_matching(name).split())


def canonical_name(spellings: Iterable[str]) -> str:
    """The canonical spelling of a group: longest first, then smallest in code-point order (order-free), with
    the old typographic hamza ىء written ئ, as the same name is written elsewhere (الطوارىء: الطوارئ).

    >>> canonical_name(["دي مستورا", "ستيفان دي ميستورا", "ستيفان دي مستورا"])
    'ستيفان دي ميستورا'
    >>> canonical_name(["قوات الطوارىء الخاصة"])
    'قوات الطوارئ الخاصة'
    """
    return min(set(spellings), key=lambda s: (-len(s.split()), -len(s), s)).replace("ىء", "ئ")


class KnownNames:
    """Curated canonical names with their spellings; :meth:`resolve` maps a spelling to its canonical name.

    >>> KnownNames.load().resolve("ستيفان دي مستورا")
    'ستيفان دي ميستورا'
    >>> KnownNames([{"name": "داعش", "type": "organisation", "variants": []}]).resolve("هولاند") is None
    True
    """

    def __init__(self, entries: Iterable[Mapping[str, object]]) -> None:
        self._by_norm: dict[str, str] = {}
        self.types: dict[str, Literal["person", "organisation"]] = {}
        for entry in entries:
            name, kind, variants = entry.get("name"), entry.get("type"), entry.get("variants", [])
            if (
                not isinstance(name, str)
                or kind not in ("person", "organisation")
                or not isinstance(variants, list)
            ):
                raise EnrichmentError(
                    f"known name {dict(entry)!r:.120}: needs name, type and a variants list"
                )
            self.types[name] = "person" if kind == "person" else "organisation"
            for spelling in (name, *map(str, variants)):
                self._by_norm.setdefault(normalize_for_matching(spelling), name)
        self._first = frozenset(key.split(" ", 1)[0] for key in self._by_norm)
        # extract_entities' scans, natively (processors/native/src/items.rs): where the name rules start and
        # where a listed spelling is written out, the titles after و read as titles (titles_after_and).
        self._scanner = ItemScanner(
            list(TRIGGERS),
            [key for key in self._by_norm if key.count(" ") < _MAX_NAME_WORDS],
            aliases=WAW_TITLES,
            max_words=_MAX_NAME_WORDS,
        )
        self._spellings = list(self._by_norm)
        self._names = list(self._by_norm.values())
        self._resolved: dict[str, str | None] = {}

    @classmethod
    def load(cls) -> KnownNames:
        """The packaged list (processors/data/names.json)."""
        try:
            data = json.loads(resources.files("processors").joinpath("data/names.json").read_bytes())
        except (OSError, ValueError) as exc:
            raise EnrichmentError(f"processors/data/names.json cannot be read: {exc}") from None
        return cls(data["names"])

    def find(self, text: str) -> list[str]:
        """Spellings of known names written out in ``text`` (word n-grams of up to four words).

        >>> KnownNames.load().find("ونقلت وسائل إعلام عن دي ميستورا قوله")
        ['دي ميستورا']
        """
        return self.find_in(AnalyzedText.of(text))

    def find_in(self, analysed: AnalyzedText) -> list[str]:
        """:meth:`find` on a text already analysed; a name never runs across punctuation.

        >>> KnownNames.load().find_in(AnalyzedText.of("قال دي مستورا"))
        ['دي مستورا']
        """
        return self._find(analysed.item_texts, analysed.item_norms)

    def _find(self, words: Sequence[str], norms: Sequence[str]) -> list[str]:
        """The spellings written out in ``words`` (``norms`` folded), in Python: the definition the native
        scan of :func:`extract_entities` is tested against (processors/native/src/items.rs)."""
        first_words = self._first
        found = []
        for i in list(compress(count(), map(first_words.__contains__, norms))):
            for size in range(min(_MAX_NAME_WORDS, len(norms) - i), 0, -1):
                if " ".join(norms[i : i + size]) in self._by_norm:
                    found.append(" ".join(words[i : i + size]))
                    break
        return list(dict.fromkeys(found))

    def resolve(self, spelling: str) -> str | None:
        """The canonical name whose spelling is within the fuzzy threshold (best score, then smallest); a
        name with بن or آل only by a listed spelling.

        >>> names = KnownNames.load()
        >>> names.resolve("دي مستورا"), names.resolve("عمر بن عبدالعزيز"), names.resolve("مقرن بن عبدالعزيز")
        ('ستيفان دي ميستورا', None, 'مقرن بن عبدالعزيز')
        """
        if spelling in self._resolved:
            return self._resolved[spelling]
        if len(self._resolved) > _RESOLVED_CACHE_SIZE:
            self._resolved.clear()
        norm = normalize_for_matching(spelling)
        found = self._by_norm.get(norm)
        # Fuzzy only for names without a chain of descent: عمر بن عبدالعزيز is not مقرن بن عبدالعزيز, nor
        # محمد بن عيسى آل خليفة حمد بن عيسى آل خليفة, one letter apart (spellings of Arab names are fixed).
        if found is None and _CHAIN_WORDS.isdisjoint(norm.split()):
            matches = process.extract(
                norm, self._spellings, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
            )
            best = min(((-score, self._names[i]) for _, score, i in matches), default=None)
            found = best[1] if best else None
        self._resolved[spelling] = found
        return found


def merge_variants(names: Sequence[str]) -> list[list[str]]:
    """Group spellings of one name (single link), groups in order of first appearance.

    Two spellings are variants when their normal forms or consonant skeletons (:func:`name_key`) are equal,
    their normal forms' letters are within the fuzzy threshold (rapidfuzz's ``fuzz.ratio``), or the shorter
    is within it of the longer one's last words (``دي مستورا``, the tail of ``ستيفان دي ميستورا``). The
    comparisons run natively (processors/native/src/variants.rs).

    >>> merge_variants(["ستيفان دي ميستورا", "الأسد", "دي مستورا", "دي ميستورا"])
    [['ستيفان دي ميستورا', 'دي مستورا', 'دي ميستورا'], ['الأسد']]
    """
    groups = group_variants([(norm(name), name_key(name)) for name in names], cutoff=FUZZY_THRESHOLD)
    order = {n: i for i, n in enumerate(names)}
    return sorted(([names[i] for i in group] for group in groups), key=lambda g: min(order[x] for x in g))


def _quoted(text: str) -> list[tuple[str, Literal["person", "organisation"]]]:
    out: list[tuple[str, Literal["person", "organisation"]]] = []
    for match in _QUOTED_RE.finditer(text):
        words = _WORD_RE.findall(match.group(1))
        if not 1 <= len(words) <= _MAX_NAME_WORDS:
            continue
        before = _WORD_RE.findall(text[max(0, match.start() - 30) : match.start()])
        cue = norm(before[-1]) if before else ""
        head = norm(words[0])
        if head in ORG_HEADS or cue in ORG_CUES:
            out.append((" ".join(words), "organisation"))
        elif cue in TITLES and len(words) >= 2:
            out.append((" ".join(words), "person"))
    return out


def extract_entities(
    text: str, *, known: KnownNames | None = None, analysed: AnalyzedText | None = None
) -> list[Entity]:
    """People and organisations of ``text``, spelling variants merged, in order of first mention.

    ``analysed`` is ``AnalyzedText.of(text)`` when the caller has it already.

    >>> [e.name for e in extract_entities("دعا دي ميستورا ... وقال المبعوث ستيفان دي مستورا إن الحل سياسي")]
    ['ستيفان دي مستورا']
    """
    analysed = analysed or AnalyzedText.of(text)
    scanner = _TRIGGER_SCANNER if known is None else known._scanner
    # The rules of processors.name_rules at every position where one can start (a title after و read as
    # the title), and the listed spellings written out, natively (processors/native/src/names.rs).
    names, listed = _RULES.find(analysed.analysis, scanner)
    found: list[tuple[str, Literal["person", "organisation"]]] = [
        (name, "organisation" if organisation else "person") for name, organisation in names
    ]
    found.extend(_quoted(text))
    if known is not None:
        found.extend((name, known.types[known.resolve(name) or name]) for name in dict.fromkeys(listed))
    found += _surname_mentions(text, [n for n, t in found if t == "person"])
    return _canonical(_without_cut_organisations(found), known)


def _without_cut_organisations(
    found: Sequence[tuple[str, Literal["person", "organisation"]]],
) -> list[tuple[str, Literal["person", "organisation"]]]:
    """``found`` without the organisations named again in the same text with an adjective of origin (قوات
    الأمن beside قوات الأمن التركية, مجلس الاحتياطي beside مجلس الاحتياطي الاتحادي): the longer mention is
    the body meant. Other longer names are other bodies (قناة السويس, قناة السويس الجديدة)."""
    organisations = [name for name, kind in found if kind == "organisation"]
    cut = {
        name
        for name in organisations
        for other in organisations
        if other.startswith(name + " ") and is_nisba(norm(other[len(name) + 1 :]))
    }
    return [(name, kind) for name, kind in found if kind != "organisation" or name not in cut]


def _surname_mentions(
    text: str, people: Sequence[str]
) -> list[tuple[str, Literal["person", "organisation"]]]:
    """Later bare mentions of a known person's last words (دي ميستورا after ستيفان دي ميستورا)."""
    out: list[tuple[str, Literal["person", "organisation"]]] = []
    for person in people:
        words = person.split()
        for size in (2, 1):
            if len(words) > size and len(words[-size]) > 2:
                tail = " ".join(words[-size:])
                if normalize_for_matching(tail) not in STOP and tail in text:
                    out.append((tail, "person"))
                    break
    return out


def _canonical(
    found: Sequence[tuple[str, Literal["person", "organisation"]]], known: KnownNames | None
) -> list[Entity]:
    names = list(dict.fromkeys(n for n, _ in found))
    types = {n: t for n, t in reversed(found)}
    out: list[Entity] = []
    for group in merge_variants(names):
        kinds = [types[n] for n in group]
        kind: Literal["person", "organisation"] = "organisation" if "organisation" in kinds else "person"
        resolved = sorted({r for n in group if known is not None and (r := known.resolve(n)) is not None})
        if resolved:
            out.append(Entity(name=resolved[0], type=known.types[resolved[0]] if known else kind))
        else:
            out.append(Entity(name=canonical_name(group), type=kind))
    return list({(e.name, e.type): e for e in out}.values())
