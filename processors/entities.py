"""People and organisations by rules (pure), with spelling variants merged by fuzzy matching.

Rules, applied to the raw text split at punctuation:

* **organisation patterns**: a head word (وزارة، هيئة، منظمة، حزب، جيش، حركة، جبهة، مجلس ...) followed by one
  to three definite words (وزارة الدفاع، جيش الفتح، مجلس الأمن الدولي);
* **quoted names**: «…» or "…" of one to four words, kept when they start with a head word or follow a cue
  word (تنظيم «داعش»، وكالة «رويترز»، موقع «كلنا شركاء»); a quoted phrase after neither is a quotation;
* **titles**: a title word (الرئيس، وزير، المبعوث، الأمين العام ...) with its complements (الفرنسي، الخارجية)
  followed by a name of one to four words (الرئيس الفرنسي فرنسوا هولاند → فرنسوا هولاند).

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

from .analyzed_text import AnalyzedText
from .arabic import NEWS_STOPWORDS_SET, STOPWORDS, normalize_for_matching
from .errors import EnrichmentError

__all__ = [
    "FUZZY_THRESHOLD",
    "KnownNames",
    "canonical_name",
    "extract_entities",
    "merge_variants",
    "name_key",
]

FUZZY_THRESHOLD: Final = 88.0
_RESOLVED_CACHE_SIZE: Final = 1 << 14
_MAX_NAME_WORDS: Final = 4


@lru_cache(maxsize=1 << 17)
def _norm(word: str) -> str:
    """:func:`normalize_for_matching`, cached: every word of every article passes here."""
    return normalize_for_matching(word)


def _norm_set(words: str) -> frozenset[str]:
    return frozenset(normalize_for_matching(w) for w in words.split())


ORG_HEADS: Final = _norm_set(
    "وزارة هيئة منظمة حزب جيش جبهة مجلس وكالة جمعية اتحاد جامعة مؤسسة شركة بنك مصرف لجنة صندوق "
    "مرصد المرصد الجيش الحرس قوات تحالف التحالف محكمة مستشفى نادي صحيفة قناة الأمم الامم"
)
#: Words that announce a quoted organisation name without being part of it.
ORG_CUES: Final = _norm_set("تنظيم وكالة موقع صحيفة قناة منظمة شركة حركة جماعة فصيل مجموعة نادي حزب شبكة")
#: Titles and ranks written right before a name, after other titles or an adjective of origin at most
#: (الشيخ الدكتور سعود الشريم، الرئيس الأمريكي باراك أوباما, الفنان السعودي …).
DIRECT_TITLES: Final = _norm_set(
    "الرئيس الملك الأمير الأميرة الملكة السلطان الشيخ الشيخة الدكتور د المهندس الأستاذ الأستاذة السيد السيدة "
    "العميد اللواء العقيد المقدم الرائد النقيب الملازم الرقيب العريف الجندي الفريق المشير الجنرال الحاج "
    "الإمام الفنان الفنانة اللاعب المدرب الكاتب الكاتبة الشاعر الشاعرة الزميل الزميلة القاضي المحامي "
    "الداعية المواطن المواطنة الشهيد البابا السيناتور الوزير السفير المستشار المبعوث المرشد المفتي "
    "المطرب المطربة الممثل الممثلة المخرج الروائي الباحث الناقد المؤرخ الإعلامي الإعلامية المذيع المذيعة"
)
#: Positions: the office they head comes first (وزير الخارجية عادل الجبير، مدير عام الشؤون الصحية الدكتور …).
POSITIONS: Final = _norm_set(
    "رئيس رئيسة وزير وزيرة نائب مبعوث الأمين أمين المتحدث الناطق مدير المدير مديرة قائد القائد مساعد "
    "محافظ المحافظ ولي زعيم الزعيم مستشار سفير وكيل الوكيل أمير مفتي خطيب إمام المندوب مندوب المفوض مفوض "
    "عضو"
)
TITLES: Final = DIRECT_TITLES | POSITIONS
#: Words that can follow a title without being the name (العام، الخارجية ...): definite words, titles,
#: and these honorifics.
_HONORIFICS: Final = _norm_set("صاحب السمو الملكي سمو معالي فخامة جلالة سماحة")
#: Words that join the parts of a name: بن in a chain of fathers, particles of foreign surnames.
_BIN: Final = _norm_set("بن ابن بنت")
_PARTICLES: Final = _norm_set("دي دو فان فون دا دل ديل لا")
#: A title after one of these names a place (مستشفى الملك فهد، طريق الأمير سلطان), not a person.
_FACILITIES: Final = _norm_set(
    "مستشفى شارع طريق مطار جامعة مدينة مركز جامع مسجد ميناء قاعدة حي كلية مدرسة معهد جائزة كأس برنامج "
    "مؤسسة صندوق مجمع قصر ملعب استاد ستاد دوار تقاطع جسر كورنيش حديقة قاعة مكتبة كرسي مشروع مبادرة "
    "مسابقة بطولة ميدان محطة منفذ مخطط"
)
#: Definite words that describe a person or an office rather than name a family (نوري المالكي السابق).
_NOT_FAMILY: Final = _norm_set(
    "السابق السابقة الحالي الحالية الجديد الجديدة الأول الثاني الثالث الأخير المقبل الماضي الراحل المنتقل "
    "الملقب المعروف المكلف المعين المقال العام"
)
#: Definite words after which an organisation's name does not go on (مجلس الأمن التابع للأمم المتحدة).
_ORG_ENDS: Final = _norm_set(
    "التابع التابعة الصادر الصادرة المدعوم المدعومة الموالي الموالية المكلف المكلفة المعني المعنية "
    "المختص المختصة المسؤول المسؤولة المشار المذكور السابق السابقة"
)
#: Bodies whose name may join two fields with و (وزارة التربية والتعليم, هيئة التحقيق والادعاء العام);
#: after forces or alliances, و joins another body (قوات الجيش والشرطة).
_FIELD_HEADS: Final = _norm_set("وزارة هيئة مستشفى جمعية مؤسسة لجنة صندوق جامعة")
_GENERAL: Final = _norm_set("العام العامة")
#: Adjectives that end an organisation's name besides those of origin (الدولي، السعودية).
_ORG_ADJECTIVES: Final = _norm_set(
    "الخاص الخاصة العام العامة العليا الأعلى الكبرى المتحدة الجديد الجديدة الأحمر الموحد الموحدة الحر"
)
#: Titles after which only a listed given name counts (الفريق is also "the team": الفريق سيواصل تدريباته).
_LISTED_ONLY: Final = _norm_set("الفريق القائد")
#: Number words, never part of a name (الفريق سبعة لقاءات).
_NUMBERS: Final = _norm_set(
    "واحد اثنان اثنين ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة عشر أحد إحدى مئة مائة ألف آلاف مليون "
    "ثلاث أربع خمس ست سبع ثماني تسع عشرين ثلاثين أربعين خمسين"
)
_ROYAL: Final = _norm_set("الملك الأمير الشيخ السلطان")
_STOP: Final = frozenset(normalize_for_matching(w) for w in STOPWORDS | NEWS_STOPWORDS_SET)
_QUOTED_RE: Final = re.compile(r"[«\"“]\s*([^«»\"“”\n]{2,60}?)\s*[»\"”]")
_WORD_RE: Final = re.compile(r"[^\W\d_]+")
_VOWELS: Final = str.maketrans("", "", "اوي")
_TANWEEN: Final = frozenset("\u064b\u064c\u064d")
#: Words where a rule can start (an organisation head, a title, or the بن of a chain of names).
_TRIGGERS: Final = ORG_HEADS | TITLES | _BIN
_TIME_WORDS: Final = _norm_set(
    "اليوم أمس الماضي الماضية الحالي الحالية المقبل المقبلة الجاري الأخير الأخيرة "
    "السبت الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة"
)
_WAW_TITLES: Final = {"و" + title: title for title in TITLES}
_BREAK: Final = "|"  # the folded form of analyzed_text.BREAK: punctuation between two words
_MAX_NAME: Final = 6


def _load_given_names() -> frozenset[str]:
    """Normalised given names (processors/data/given_names.json: male, female and foreign)."""
    try:
        data = json.loads(resources.files("processors").joinpath("data/given_names.json").read_bytes())
        names = [*data["male"], *data["female"], *data["foreign"]]
    except (OSError, ValueError, KeyError) as exc:
        raise EnrichmentError(f"processors/data/given_names.json cannot be read: {exc}") from None
    return frozenset(map(normalize_for_matching, names))


#: Where a person's name starts, besides the عبد and أبو forms (processors/data/given_names.json).
GIVEN_NAMES: Final = _load_given_names()


@lru_cache(maxsize=1 << 14)
def name_key(name: str) -> str:
    """The consonant skeleton of a name: normalised, long vowels (ا و ي) dropped, for grouping spellings.

    >>> name_key("دي ميستورا") == name_key("دي مستورا")
    True
    """
    return " ".join(w.translate(_VOWELS) or w for w in normalize_for_matching(name).split())


def canonical_name(spellings: Iterable[str]) -> str:
    """The canonical spelling of a group: longest first, then smallest in code-point order (order-free).

    >>> canonical_name(["دي مستورا", "ستيفان دي ميستورا", "ستيفان دي مستورا"])
    'ستيفان دي ميستورا'
    """
    return min(set(spellings), key=lambda s: (-len(s.split()), -len(s), s))


@lru_cache(maxsize=1 << 16)
def _similar(a: str, b: str) -> bool:
    na, nb = _norm(a), _norm(b)
    if na == nb or fuzz.ratio(na, nb) >= FUZZY_THRESHOLD or name_key(a) == name_key(b):
        return True
    short, long = sorted((na.split(), nb.split()), key=len)
    # "دي مستورا" is the tail of "ستيفان دي ميستورا" (with the variant spelling): surname mentions.
    tail = " ".join(long[-len(short) :])
    return len(short) >= 1 and len(short) < len(long) and fuzz.ratio(" ".join(short), tail) >= FUZZY_THRESHOLD


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
        first_words = self._first
        found = []
        for i in list(compress(count(), map(first_words.__contains__, norms))):
            for size in range(min(_MAX_NAME_WORDS, len(norms) - i), 0, -1):
                if " ".join(norms[i : i + size]) in self._by_norm:
                    found.append(" ".join(words[i : i + size]))
                    break
        return list(dict.fromkeys(found))

    def resolve(self, spelling: str) -> str | None:
        """The canonical name whose spelling is within the fuzzy threshold (best score, then smallest)."""
        if spelling in self._resolved:
            return self._resolved[spelling]
        if len(self._resolved) > _RESOLVED_CACHE_SIZE:
            self._resolved.clear()
        norm = normalize_for_matching(spelling)
        found = self._by_norm.get(norm)
        if found is None:
            matches = process.extract(
                norm, self._spellings, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
            )
            best = min(((-score, self._names[i]) for _, score, i in matches), default=None)
            found = best[1] if best else None
        self._resolved[spelling] = found
        return found


def merge_variants(names: Sequence[str]) -> list[list[str]]:
    """Group spellings of one name (single link), groups in order of first appearance.

    >>> merge_variants(["ستيفان دي ميستورا", "الأسد", "دي مستورا", "دي ميستورا"])
    [['ستيفان دي ميستورا', 'دي مستورا', 'دي ميستورا'], ['الأسد']]
    """
    groups: list[list[str]] = []
    for name in names:
        kept: list[list[str]] = []
        merged: list[str] = []
        for group in groups:
            for other in group:
                if _similar(name, other):
                    merged += group
                    break
            else:
                kept.append(group)
        merged.append(name)
        kept.append(merged)
        groups = kept
    order = {n: i for i, n in enumerate(names)}
    return sorted(groups, key=lambda g: min(order[x] for x in g))


#: Written forms that are names although their normalised form is a stop word: علي (Ali) normalises like
#: the preposition على, which is written with alef maqsura.
_NAMES_LIKE_STOP_WORDS: Final = frozenset({"علي"})
_DIACRITICS: Final = dict.fromkeys(range(0x064B, 0x0653))


def _stops_a_name(word: str, norm: str) -> bool:
    """Whether ``norm`` is a stop word that ends a name (علي, as written, does not)."""
    return norm in _STOP and word.translate(_DIACRITICS) not in _NAMES_LIKE_STOP_WORDS


def _is_definite(norm: str) -> bool:
    return norm.startswith("ال") and len(norm) > 3 and norm not in _STOP


def _org_at(words: Sequence[str], norms: Sequence[str], i: int) -> int:
    """Length of the organisation name starting at ``i`` (0 if none): a head, a definite word and an
    adjective (مجلس الأمن الدولي, not مجلس الوزراء الموافقة); after الله it ends (حزب الله); a royal title
    takes the name it gives (مستشفى الملك فيصل)."""
    if norms[i] not in ORG_HEADS:
        return 0
    j, joined = i + 1, False
    while j < len(words) and j - i <= (3 if joined else 2):
        norm = norms[j]
        if norm in _ROYAL and j == i + 1:
            end = _name_from(words, norms, j + 1)
            return end - i if end > j + 1 else 0  # the given name is enough here: مستشفى الملك فهد
        if joined and norm not in _GENERAL:
            break
        if norm.startswith("وال") and not joined and j > i + 1 and norms[i] in _FIELD_HEADS:
            joined = True  # one more field of the same body: وزارة الاقتصاد والتخطيط
        elif (
            norm in _TIME_WORDS
            or norm in _ORG_ENDS
            or norm in TITLES
            or not (_is_definite(norm) or norm == "الله")
            or (j == i + 2 and not joined and not _nisba(norm) and norm not in _ORG_ADJECTIVES)
        ):
            break
        j += 1
        if norm == "الله":
            break
    return j - i if j - i >= 2 else 0


def _is_name_word(word: str, norm: str) -> bool:
    """Whether a word can be part of a name at all: not punctuation, a stop word, a title or an office,
    a definite or prepositional form, a conjunction-prefixed word (وقال) or a word with tanween (دائمًا)."""
    return not (
        norm == _BREAK
        or len(norm) < 2
        or _stops_a_name(word, norm)
        or norm in _TRIGGERS
        or norm in _HONORIFICS
        or norm in _FACILITIES
        or norm in _TIME_WORDS
        or norm in _NUMBERS
        or norm.startswith("ال")
        or _prepositional(norm)
        or (norm.startswith("و") and norm not in GIVEN_NAMES)
        or not _TANWEEN.isdisjoint(word)
    )


def _prepositional(norm: str) -> bool:
    """A preposition or conjunction joined to the article (للدفاع، بالمنطقة، والقروية)."""
    return norm.startswith(("لل", "بال", "كال", "فال", "وال")) and len(norm) > 4


def _ends_name(words: Sequence[str], norms: Sequence[str], k: int) -> bool:
    """Whether position ``k`` is where a name may end: punctuation, the end, a stop word, a title, a
    time word, a prepositional or conjunction-prefixed word (مصطفى بلجون، | في | والإيراني …)."""
    if k >= len(norms):
        return True
    norm = norms[k]
    return (
        norm == _BREAK
        or _stops_a_name(words[k], norm)
        or norm in TITLES
        or norm in _HONORIFICS
        or norm in _TIME_WORDS
        or _prepositional(norm)
        or (norm.startswith("و") and len(norm) > 2)
    )


def _given_at(words: Sequence[str], norms: Sequence[str], i: int) -> int:
    """Words of the given name at ``i`` (0 if none): a listed name (with الدين: نور الدين), a عبد…
    form (عبدالله، عبد الرحمن) or a kunya (أبو بكر)."""
    if i >= len(norms) or _stops_a_name(words[i], norms[i]):
        return 0
    norm = norms[i]
    following = norms[i + 1] if i + 1 < len(norms) else _BREAK
    if norm == "عبد":
        return 2 if _is_definite(following) or following == "ربه" else 0
    if norm.startswith("عبد") and len(norm) > 4:
        return 1
    if norm in ("ابو", "ابي"):
        return 2 if _is_name_word(words[i + 1], following) or _is_definite(following) else 0
    if norm in GIVEN_NAMES:
        return 2 if following == "الدين" else 1
    return 0


def _name_from(words: Sequence[str], norms: Sequence[str], i: int) -> int:
    """Where the person's name that starts at ``i`` ends (``i`` if no given name starts there): given
    names, بن chains (فيصل بن خالد بن عبدالعزيز), then one family name (آل سعود, القحطاني, دي مستورا, or a
    word that is followed by the end of the name: حسن روحاني، …)."""
    j = i + _given_at(words, norms, i)
    if j == i:
        return i
    while j < len(norms) and j - i < _MAX_NAME:
        if norms[j] in _BIN:
            after = norms[j + 1] if j + 1 < len(norms) else _BREAK
            # any name may follow بن (the father's: بن مالح), and given names with the article (بن الوليد)
            size = _given_at(words, norms, j + 1) or (
                1 if after[2:] in GIVEN_NAMES or _is_name_word(words[j + 1], after) else 0
            )
            if not size:
                break
            j += 1 + size
        elif size := _given_at(words, norms, j):
            j += size  # a second given name: محمد عثمان القرني، سليمان عبدالله العمرو
        else:
            break
    if j >= len(norms) or j - i >= _MAX_NAME:
        return j
    norm, word = norms[j], words[j]
    if norm == "ال" and j + 1 < len(norms) and norms[j + 1] != _BREAK:  # آل سعود
        return j + 2
    if norm in _PARTICLES and j + 1 < len(norms) and _is_name_word(words[j + 1], norms[j + 1]):
        return j + 2  # دي مستورا
    if _is_definite(norm):  # a family name (القحطاني، الأسد، العطية), not a description (السابق)
        return j + 1 if norm not in _NOT_FAMILY else j
    if _is_name_word(word, norm) and _ends_name(words, norms, j + 1):
        return j + 1
    return j


def _unknown_name(words: Sequence[str], norms: Sequence[str], i: int) -> int:
    """Where an unlisted name (a foreign one, mostly) at ``i`` ends: two words, with a particle between
    them at most (ستيفان دي مستورا), that end where a name may end, the first without a prefixed
    preposition; ``i`` if there is none."""
    if i >= len(norms) or norms[i].startswith(("ب", "ل", "ك", "ف")):  # بدولة قطر, لصحة مكة
        return i
    j = i
    for _ in range(2):
        if j < len(norms) and norms[j] in _PARTICLES and j > i:
            j += 1
        if j >= len(norms) or not _is_name_word(words[j], norms[j]):
            return i
        j += 1
    return j if _ends_name(words, norms, j) else i


def _nisba(norm: str) -> bool:
    """An adjective of origin or office after a title (الأمريكي، الإيراني، الدولي، الخارجية)."""
    return _is_definite(norm) and norm.endswith(("ي", "يه"))


def _person_at(words: Sequence[str], norms: Sequence[str], i: int) -> tuple[int, int]:
    """(start, end) of the person named by the title at ``i`` ((0, 0) if none).

    After a direct title (الشيخ، الدكتور، الرئيس ...) and any further titles or adjectives of origin, the
    name follows at once. After a position (وزير، مدير ...), its office comes first: definite and
    prepositional words (الشؤون الصحية، للدفاع المدني), then, within a few words, the person's given name.
    A name starts with a given name (:data:`GIVEN_NAMES`); an unlisted one (two words) is taken only right
    after titles and adjectives of origin (الرئيس الفرنسي فرنسوا هولاند), where nothing else can stand.
    A title after a facility names a place (مستشفى الملك فهد), after عبد a name (عبد الملك).
    """
    if norms[i] not in TITLES or _names_a_place(norms, i) or (i and norms[i - 1] == "عبد"):
        return 0, 0
    direct = norms[i] in DIRECT_TITLES
    listed_only = norms[i] in _LISTED_ONLY
    plain, origins = True, 0  # only titles, honorifics and adjectives of origin since the title
    j = i + 1
    while j < len(norms) and j - i <= _MAX_NAME:
        norm = norms[j]
        if _nisba(norm) and j - i <= 3:  # also المتحدث الإعلامي: an adjective here, not a title
            origins += 1
        elif norm in DIRECT_TITLES or norm in _HONORIFICS:
            direct, listed_only = True, norm in _LISTED_ONLY
        elif not direct and (_is_definite(norm) or _prepositional(norm)):
            plain = False
        else:
            break
        j += 1
    end = _person_end(words, norms, j)
    if end > j:
        return j, end
    if plain and (direct or origins) and not listed_only and not _given_at(words, norms, j):
        end = _unknown_name(words, norms, j)
        if end > j:
            return j, end
    if direct:
        return 0, 0
    for k in range(j, min(j + 3, len(norms))):  # the office may go on: مدير عام …، المتحدث باسم صحة مكة
        if norms[k] == _BREAK or norms[k] in TITLES or _stops_a_name(words[k], norms[k]):
            break
        end = _person_end(words, norms, k)
        if end > k:
            return k, end
    return 0, 0


def _person_end(words: Sequence[str], norms: Sequence[str], i: int) -> int:
    """:func:`_name_from`, when the name has more than its given name (``i`` otherwise): عبد الرحمن alone
    after a title may be anyone, or a gate (بابي الملك عبد العزيز)."""
    end = _name_from(words, norms, i)
    return end if end > i + _given_at(words, norms, i) else i


def _names_a_place(norms: Sequence[str], i: int) -> bool:
    """Whether the title or name at ``i`` follows a facility (titles between): a street, a hospital."""
    k = i - 1
    while k >= 0 and (norms[k] in TITLES or norms[k] in _HONORIFICS):
        k -= 1
    before = norms[k] if k >= 0 else _BREAK
    return before in _FACILITIES or (before.startswith(("و", "ب", "ل")) and before[1:] in _FACILITIES)


def _chain_at(words: Sequence[str], norms: Sequence[str], i: int) -> tuple[int, int]:
    """(start, end) of the name whose بن is at ``i`` without a title before it (سلمان بن عبدالعزيز)."""
    for size in (1, 2):
        start = i - size
        if start >= 0 and _given_at(words, norms, start) == size:
            if _names_a_place(norms, start):  # شارع خالد بن الوليد، طريق الأمير فيصل بن محمد
                return 0, 0
            end = _name_from(words, norms, start)
            return (start, end) if end > i + 1 else (0, 0)
    return 0, 0


def _quoted(text: str) -> list[tuple[str, Literal["person", "organisation"]]]:
    out: list[tuple[str, Literal["person", "organisation"]]] = []
    for match in _QUOTED_RE.finditer(text):
        words = _WORD_RE.findall(match.group(1))
        if not 1 <= len(words) <= _MAX_NAME_WORDS:
            continue
        before = _WORD_RE.findall(text[max(0, match.start() - 30) : match.start()])
        cue = _norm(before[-1]) if before else ""
        head = _norm(words[0])
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
    words, norms = analysed.item_texts, analysed.item_norms
    if not _WAW_TITLES.keys().isdisjoint(norms):  # ووزير الداخلية …: the title after "and"
        norms = [_WAW_TITLES.get(norm, norm) for norm in norms]
    found: list[tuple[str, Literal["person", "organisation"]]] = []
    free = 0  # the first position not inside a name found already
    for i in list(compress(count(), map(_TRIGGERS.__contains__, norms))):
        if i < free:
            continue
        length = _org_at(words, norms, i)
        if length:
            found.append((" ".join(words[i : i + length]), "organisation"))
            free = i + length
            continue
        start, end = _chain_at(words, norms, i) if norms[i] in _BIN else _person_at(words, norms, i)
        if end:
            found.append((" ".join(words[start:end]), "person"))
            free = end
    found.extend(_quoted(text))
    if known is not None:
        found.extend((name, known.types[known.resolve(name) or name]) for name in known._find(words, norms))
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
        if other.startswith(name + " ") and _nisba(_norm(other[len(name) + 1 :]))
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
                if normalize_for_matching(tail) not in _STOP and tail in text:
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
