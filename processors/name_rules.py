"""Where people's and organisations' names start and end in a text's words (pure rules).

The rules read an article's letter-only words (:attr:`AnalyzedText.item_texts`) and their folded forms
(:attr:`AnalyzedText.item_norms`, ``"|"`` where punctuation stands), and answer, at a position where a
rule can start (:data:`TRIGGERS`), how far the name there runs. :mod:`processors.entities` collects the
names and merges their spellings.

* **Organisations** (:func:`organisation_at`): a head (وزارة، مجلس، قوات ...) and a definite word, then an
  adjective of origin or one of a few others (مجلس الأمن الدولي); a body of several fields takes one more
  with و (وزارة الاقتصاد والتخطيط); the name ends at الله, at participles (التابع) and at titles; a royal
  title takes its name (مستشفى الملك فيصل).
* **People** (:func:`person_at`, :func:`chain_at`): a name starts at a listed given name
  (:data:`GIVEN_NAMES`, processors/data/given_names.json) or a عبد…/أبو… form, goes on through بن chains and
  second given names, and ends after one family name. Direct titles (الشيخ، الدكتور، الرئيس الأمريكي) are
  followed by the name at once; offices (وزير، مدير) name their office first. An unlisted two-word name is
  taken only after a title and an adjective of origin, where nothing else can stand. A title after a
  facility (طريق الملك فهد) or عبد (عبد الملك) names no one.

>>> from processors.analyzed_text import AnalyzedText
>>> a = AnalyzedText.of("وقال الرئيس الأمريكي باراك أوباما إن مجلس الأمن الدولي")
>>> words, norms = a.item_texts, a.item_norms
>>> start, end = person_at(words, norms, 1)
>>> " ".join(words[start:end]), " ".join(words[6 : 6 + organisation_at(words, norms, 6)])
('باراك أوباما', 'مجلس الأمن الدولي')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Final

from .arabic import NEWS_STOPWORDS_SET, STOPWORDS, TANWEEN, normalize_for_matching
from .errors import EnrichmentError

__all__ = [
    "BIN",
    "DIRECT_TITLES",
    "GENERIC_BODIES",
    "GIVEN_NAMES",
    "NATIVE_SETS",
    "ORG_CUES",
    "ORG_HEADS",
    "POSITIONS",
    "STOP",
    "TITLES",
    "TRIGGERS",
    "WAW_TITLES",
    "chain_at",
    "is_nisba",
    "norm",
    "organisation_at",
    "person_at",
    "titles_after_and",
]


@lru_cache(maxsize=1 << 17)
def norm(word: str) -> str:
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
BIN: Final = _norm_set("بن ابن بنت")
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
#: Offices that may follow a name in apposition (عبدالله بن مساعد الرئيس العام …); not القاضي or الجندي,
#: which are family names too.
_OFFICES: Final = _norm_set(
    "الرئيس الوزير الأمين المدير الناطق المتحدث السفير المحافظ الوكيل المستشار المبعوث المفتي الزعيم "
    "المندوب المفوض"
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
#: Two-word bodies that name a kind of body, not one (مجلس الإدارة "the board", هيئة التدريس "the faculty",
#: قوات الأمن "the security forces"); with an adjective they may name one (قوات الأمن المصرية).
GENERIC_BODIES: Final = frozenset(
    " ".join(norm(w) for w in name.split())
    for name in (
        "مجلس الإدارة", "مجلس الأمناء", "هيئة التدريس", "لجنة التحكيم", "وكالة الوزارة", "بنك العميل",
        "قوات الأمن", "قوات الجيش", "قوات النظام", "قوات الشرطة", "شركة الطيران", "اتحاد اللعبة",
    )
)  # fmt: skip
#: Titles after which only a listed given name counts (الفريق is also "the team": الفريق سيواصل تدريباته).
_LISTED_ONLY: Final = _norm_set("الفريق القائد")
#: Number words, never part of a name (الفريق سبعة لقاءات).
_NUMBERS: Final = _norm_set(
    "واحد اثنان اثنين ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة عشر أحد إحدى مئة مائة ألف آلاف مليون "
    "ثلاث أربع خمس ست سبع ثماني تسع عشرين ثلاثين أربعين خمسين"
)
_ROYAL: Final = _norm_set("الملك الأمير الشيخ السلطان")
STOP: Final = frozenset(normalize_for_matching(w) for w in STOPWORDS | NEWS_STOPWORDS_SET)
#: Words where a rule can start (an organisation head, a title, or the بن of a chain of names).
TRIGGERS: Final = ORG_HEADS | TITLES | BIN
_TIME_WORDS: Final = _norm_set(
    "اليوم أمس الماضي الماضية الحالي الحالية المقبل المقبلة الجاري الأخير الأخيرة "
    "السبت الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة"
)
#: A title after "and" (ووزير), read as the title itself (:func:`titles_after_and`).
WAW_TITLES: Final = {"و" + title: title for title in TITLES}
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

#: The sets of the rules by the names the native rules know them by (processors/native/src/names.rs, which
#: runs these rules in :func:`processors.entities.extract_entities`; the functions here are the definition).
NATIVE_SETS: Final = {
    "org_heads": ORG_HEADS, "direct_titles": DIRECT_TITLES, "titles": TITLES, "honorifics": _HONORIFICS,
    "bin": BIN, "particles": _PARTICLES, "facilities": _FACILITIES, "not_family": _NOT_FAMILY,
    "offices": _OFFICES, "org_ends": _ORG_ENDS, "field_heads": _FIELD_HEADS, "general": _GENERAL,
    "org_adjectives": _ORG_ADJECTIVES, "listed_only": _LISTED_ONLY, "numbers": _NUMBERS, "royal": _ROYAL,
    "stop": STOP, "triggers": TRIGGERS, "time_words": _TIME_WORDS, "given_names": GIVEN_NAMES,
}  # fmt: skip


#: Written forms that are names although their normalised form is a stop word: علي (Ali) normalises like
#: the preposition على, which is written with alef maqsura.
_NAMES_LIKE_STOP_WORDS: Final = frozenset({"علي"})
_DIACRITICS: Final = dict.fromkeys(range(0x064B, 0x0653))


def _stops_a_name(word: str, norm: str) -> bool:
    """Whether ``norm`` is a stop word that ends a name (علي, as written, does not)."""
    return norm in STOP and word.translate(_DIACRITICS) not in _NAMES_LIKE_STOP_WORDS


def _is_definite(norm: str) -> bool:
    return norm.startswith("ال") and len(norm) > 3 and norm not in STOP


def organisation_at(words: Sequence[str], norms: Sequence[str], i: int) -> int:
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
            or (j == i + 2 and not joined and not is_nisba(norm) and norm not in _ORG_ADJECTIVES)
        ):
            break
        j += 1
        if norm == "الله":
            break
    if j - i == 2 and f"{norms[i]} {norms[i + 1]}" in GENERIC_BODIES:
        return 0
    return j - i if j - i >= 2 else 0


def _is_name_word(word: str, norm: str) -> bool:
    """Whether a word can be part of a name at all: not punctuation, a stop word, a title or an office,
    a definite or prepositional form, a conjunction-prefixed word (وقال) or a word with tanween (دائمًا)."""
    return not (
        norm == _BREAK
        or len(norm) < 2
        or _stops_a_name(word, norm)
        or norm in TRIGGERS
        or norm in _HONORIFICS
        or norm in _FACILITIES
        or norm in _TIME_WORDS
        or norm in _NUMBERS
        or norm.startswith("ال")
        or _prepositional(norm)
        or (norm.startswith("و") and norm not in GIVEN_NAMES)
        or not TANWEEN.isdisjoint(word)
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
    following, after = (norms[i + 1], words[i + 1]) if i + 1 < len(norms) else (_BREAK, "")
    if norm == "عبد":
        return 2 if _is_definite(following) or following == "ربه" else 0
    if norm.startswith("عبد") and len(norm) > 4:
        return 1
    if norm in ("ابو", "ابي"):
        return 2 if _is_name_word(after, following) or _is_definite(following) else 0
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
        if norms[j] in BIN:
            # a text may end at بن: nothing follows it then (the end reads as punctuation)
            after, word = (norms[j + 1], words[j + 1]) if j + 1 < len(norms) else (_BREAK, "")
            # any name may follow بن (the father's: بن مالح), and given names with the article (بن الوليد)
            size = _given_at(words, norms, j + 1) or (
                1 if after[2:] in GIVEN_NAMES or _is_name_word(word, after) else 0
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
    if _is_definite(norm):  # a family name (القحطاني، الأسد، العطية), not a description (السابق) or an
        return j + 1 if norm not in _NOT_FAMILY and norm not in _OFFICES else j  # office (… مساعد الرئيس)
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


def is_nisba(norm: str) -> bool:
    """An adjective of origin or office after a title (الأمريكي، الإيراني، الدولي، الخارجية)."""
    return _is_definite(norm) and norm.endswith(("ي", "يه"))


def person_at(words: Sequence[str], norms: Sequence[str], i: int) -> tuple[int, int]:
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
        if is_nisba(norm) and j - i <= 3:  # also المتحدث الإعلامي: an adjective here, not a title
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


def chain_at(words: Sequence[str], norms: Sequence[str], i: int) -> tuple[int, int]:
    """(start, end) of the name whose بن is at ``i`` without a title before it (سلمان بن عبدالعزيز)."""
    for size in (1, 2):
        start = i - size
        if start >= 0 and _given_at(words, norms, start) == size:
            if _names_a_place(norms, start):  # شارع خالد بن الوليد، طريق الأمير فيصل بن محمد
                return 0, 0
            end = _name_from(words, norms, start)
            return (start, end) if end > i + 1 else (0, 0)
    return 0, 0


def titles_after_and(norms: Sequence[str]) -> Sequence[str]:
    """``norms`` with a title after "and" as the title itself (ووزير الداخلية → وزير الداخلية), so that
    the rules start there too.

    >>> titles_after_and(["قال", "ووزير", "الداخليه"])
    ['قال', 'وزير', 'الداخليه']
    """
    if WAW_TITLES.keys().isdisjoint(norms):
        return norms
    return [WAW_TITLES.get(n, n) for n in norms]
