"""Arabic gazetteer (pure): load the packaged places and find them in text.

Matching is a dictionary lookup over token n-grams (longest first), not a regex scan: the text is normalised
once (teh marbuta folded, so سورية and سوريه meet), tokenised, and each position tries the n-grams that can
start there. The first token of a mention may carry the clitics و/ف, then ب/ل/ك, and the article ال
(وبدمشق, للاذقية, فالعراق). A name shared by several places (عمان: Oman and Amman; جنيف: Geneva CH and
Geneva US) is resolved with the countries the text mentions unambiguously, then by a fixed prior (country,
region, city; Arab world first; larger population; smaller id), so every worker picks the same place.

>>> gaz = Gazetteer.load()
>>> [(p.name, p.country_code, p.feature) for p in gaz.find("وصل وفد إلى عمان قادما من الأردن")]
[('عمّان', 'JO', 'city'), ('الأردن', 'JO', 'country')]
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from importlib import resources
from itertools import compress, count
from operator import is_
from pathlib import Path
from typing import Any, Final

from contracts.schemas import Place

from ._textcore import PlaceMatcher
from .analyzed_text import AnalyzedText
from .arabic import NEWS_STOPWORDS_SET, STOPWORDS, normalize_for_matching
from .errors import GazetteerError

__all__ = ["BLOCKED", "CONSTRUCT_NAMES", "NEEDS_CONTEXT", "WEAK_NAMES", "Gazetteer", "GazetteerEntry"]

_TOKEN_RE: Final = re.compile(r"[^\W_]+")
_MAX_NGRAM: Final = 5
_STARTS_CACHE_SIZE: Final = 1 << 17
_IS_NONE: Final = partial(is_, None)
#: A one-word city smaller than this is "weak": it counts only after a place word, or when the text also
#: names its country (directly or through a strong place), since such names are often everyday words.
WEAK_POPULATION: Final = 200_000

#: Names that are common words first and places second: never matched alone (a longer name that contains
#: them, such as المدينة المنورة or تل أبيب, still matches). Keys are written as in text; reasons kept.
BLOCKED: Final[Mapping[str, str]] = {
    "مدينة": "'city'; GeoNames lists it as an Arabic name of Medina",
    "المدينة": "'the city' far more often than Medina; المدينة المنورة still matches",
    "التل": "'the hill'; also several towns (At Tall, Syria)",
    "تل": "'hill'; the first word of many names",
    "صور": "'pictures' (Tyre, Lebanon; Sur, Oman)",
    "العين": "'the eye' / 'the spring' (Al Ain, UAE)",
    "الجديدة": "'the new' (El Jadida, Morocco)",
    "السلام": "'peace', in every greeting and name of a treaty",
    "النصر": "'victory'; also a football club",
    "الوحدة": "'unity'; also a football club",
    "الهلال": "'the crescent'; also a football club",
    "الشعب": "'the people'",
    "الحرية": "'freedom'",
    "الامل": "'hope'",
    "النور": "'light'",
    "الخليج": "'the gulf': a region with no single point",
    "الشرق": "'the east'",
    "الغرب": "'the west'",
    "الشمال": "'the north'",
    "الجنوب": "'the south'",
    "الوسطى": "'the middle'",
    "المنطقة": "'the region'",
    "الساحل": "'the coast'",
    "البلد": "'the country / downtown'",
    "الحي": "'the district'",
    "العاصمة": "'the capital'",
    "الدولة": "'the state'",
    "بشار": "a first name (Bashar al-Assad), not Béchar in Algeria",
    "بانه": "بأنه 'that it' once normalised (Baneh, Iran)",
    "امل": "'hope' / آمل 'I hope' (Amol, Iran)",
    "بلد": "'country' (Balad, Iraq)",
    "بيان": "'statement' (Bayan, Kuwait)",
    "وان": "'and that' (Van, Turkey)",
    "سنه": "'year' (a GeoNames name of Sanandaj, Iran)",
    "جامعة": "'university' (Djamaa, Algeria)",
    "الجديد": "'the new' (Al Jadid, Libya)",
    "سوف": "'will' (Souf, Jordan)",
    "الحد": "'the limit' (El Hed, Algeria)",
    "اطار": "إطار 'frame' once normalised (Atar, Mauritania)",
    "الثورة": "'the revolution' (Al-Thawrah, Syria)",
    "نايف": "a man's name (Naif, Dubai)",
    "جمال": "a man's name / 'beauty' (Jemmal, Tunisia)",
    "الخميس": "'Thursday'",
    "الحزم": "'firmness', the name of the 2015 Yemen operation (Al Hazm, Yemen)",
    "العلم": "'the flag' / 'science' (Al Alam, Iraq)",
    "مرات": "'times' (Marat, Saudi Arabia)",
    "الخبراء": "'the experts' (Al Khabra, Saudi Arabia)",
    "سيما": "لا سيما 'especially' (Sima, Comoros)",
    "معسكر": "'camp' (Mascara, Algeria)",
    "عالية": "'high' (Aley, Lebanon)",
    "حديثة": "'recent' (Haditha, Iraq)",
    "الصور": "'the pictures'",
    "ميدان": "'square' (a GeoNames name of Medan, Indonesia)",
    "عشاق": "'lovers' (Uşak, Turkey)",
    "الام": "'the mother' (Ilam, Iran)",
    "ابا": "'father' (Aba, Nigeria)",
    "وقف": "'endowment' / 'stopped' (Al Waqf, Egypt)",
    "الابيض": "'the white' (El Obeid, Sudan)",
    "لوم": "'blame' (Lomé, Togo)",
    "لومه": "'blaming him' (Lomé, Togo)",
    "ريحانه": "a woman's name (Ar Rayhanah, Iraq)",
    "سلطات": "'authorities' (a GeoNames name of Settat, Morocco)",
    "الخمس": "'the five' (Khoms, Libya)",
    "خمس": "'five' (Khoms, Libya)",
    "قنوات": "'channels' (Qanawat, Syria)",
    "رشيد": "a man's name / 'wise' (Rosetta, Egypt)",
    "خفي": "'hidden' (Hefei, China)",
    "تربة": "'soil' (Turabah, Saudi Arabia)",
    "المملكة": "'the kingdom' (used for Saudi Arabia, but also for Jordan, Morocco, Bahrain, the UK)",
    "الحراك": "'the movement' (Al-Hirak, Syria)",
    "حاتم": "a man's name (Hatem, Jordan)",
    "ملكة": "'queen' (Malka, Jordan)",
    "بورصة": "'stock exchange' (Bursa, Turkey)",
    "أمان": "'safety' (a GeoNames spelling of Amman)",
    "الخضراء": "'the green' (Al Khadra, Libya)",
    "البدع": "'innovations in religion' (Al Bidda, UAE)",
    "العبور": "'the crossing' (El Obour, Egypt)",
    "أصيلة": "'authentic' (Asilah, Morocco)",
    "العيون": "'the eyes'; also a town of Al-Ahsa (Laayoune)",
    "ربات": "'mistresses' (of the house: ربات البيوت; a GeoNames spelling of Rabat)",
    "سارة": "a woman's name (Sarh, Chad)",
    "ربك": "'your Lord', in every verse quoted (Rabak, Sudan)",
    "قوم": "'a people' (a GeoNames spelling of Qom, which the news writes قم)",
    "كريمة": "'generous', as in دعوة كريمة; a woman's name",
    "ساري": "'in force' (ساري المفعول) and a man's name (Sari, Iran)",
    "سدة": "'the seat' of power (سدة الحكم) and 'its dam' (Sedeh, Iran)",
    "تانه": "the clitic reading of the surname كتانه (Thane, India)",
    "الأبي": "'the proud' (الشعب الأبي; a GeoNames spelling of El Obeid, الأبيض)",
}
#: Names matched only right after a place word (مدينة، محافظة، منطقة، بلدة، قرية، حي، مركز ...): they are
#: also everyday words or people's names.
NEEDS_CONTEXT: Final[Mapping[str, str]] = {
    "الخبر": "'the news' (Khobar, Saudi Arabia)",
    "صلاح الدين": "a man's name (Salah ad-Din governorate, Iraq)",
    "الشرقية": "'the eastern' (Sharqia, Egypt)",
    "الجوف": "'the hollow' and two regions (Saudi Arabia, Yemen)",
    "الحرم": "'the sanctuary'",
    "القرية": "'the village'",
    "الطويلة": "'the long'",
    "البيضاء": "'the white' (Al Bayda, Libya and Yemen)",
    "الكبير": "'the big'",
    "الجزيرة": "'the island'; also the TV channel and a newspaper",
    "السفيرة": "'the ambassador (f.)' (As Safira, Syria)",
    "الحصن": "'the fort'",
    "الباب": "'the door' (Al-Bab, Syria)",
    "مشهد": "'scene' (Mashhad, Iran)",
    "الوجه": "'the face' (Al Wajh, Saudi Arabia)",
    "الطرف": "'the party / side' (At Taraf, Saudi Arabia)",
    "نبل": "'nobility' (Nubl, Syria)",
    "بنين": "'boys' (Benin): matched after دولة or جمهورية",
    "الطبقة": "'the class' / 'the layer' (Al-Tabqa, Syria)",
    "مالي": "'financial' / 'my money' (Mali): matched after دولة or جمهورية",
    "حجة": "'argument' (Hajjah, Yemen)",
    "عمران": "'construction' / a man's name (Amran, Yemen)",
    "القائم": "'existing' (Al-Qa'im, Iraq)",
    "السلمية": "'peaceful' (Salamiyah, Syria)",
    "بحري": "'maritime' and a name (Bahri, Khartoum North)",
    "عنك": "'about you' (Anak, Al-Qatif)",
    "الطيبة": "'the good', as in العلاقات الطيبة (Taybeh, several)",
    "الشهداء": "'the martyrs' (Al-Shuhada, Egypt)",
    "الزاوية": "'the corner / angle' (Zawiya, Libya; جبل الزاوية, Syria)",
    "قبة": "'dome', as in قبة الشورى (Qubbah, Saudi Arabia)",
    "الأحمدي": "a family name (Ahmadi, Kuwait)",
}
#: Names that count only when the text also names their country through another place (as weak cities
#: do), whatever their size: they are everyday words first.
WEAK_NAMES: Final[Mapping[str, str]] = {
    "لحج": "'for the Hajj' (Lahij, Yemen)",
    "العمارة": "'the building' (Amarah, Iraq)",
    "العزيزية": "a district of Mecca and of Riyadh (Al Aziziyah, Libya)",
}
#: Names that are also a noun in construct (إضافة): followed by a definite word that is no stop word, or by
#: له/لها/لهم, they are that noun, unless a place word stands before them (ريف حماة الشمالي is Hama).
CONSTRUCT_NAMES: Final[Mapping[str, str]] = {
    "حماة": "'protectors (of)': حماة الوطن، حماة الأمن; حمأة التمرد 'the mire of' and حماه الله read alike",
}
_CONSTRUCT_FOLLOWERS: Final = frozenset(("له", "لها", "لهم"))
_PLACE_WORDS: Final = frozenset(
    normalize_for_matching(w)
    for w in (
        "مدينة",
        "مدينتي",
        "ريف",
        "محافظة",
        "محافظتي",
        "منطقة",
        "بلدة",
        "قرية",
        "حي",
        "مركز",
        "إمارة",
        "ولاية",
        "ميناء",
        "دولة",
        "جمهورية",
    )
)
#: Stop words, as gazetteer keys: never place names.
STOP_KEYS: Final = frozenset(normalize_for_matching(w) for w in STOPWORDS | NEWS_STOPWORDS_SET)
_FEATURE_RANK: Final = {"country": 0, "region": 1, "city": 2}
_ARAB_WORLD: Final = frozenset(
    ("SA", "AE", "BH", "KW", "OM", "QA", "YE", "IQ", "SY", "LB", "JO",
     "PS", "EG", "LY", "TN", "DZ", "MA", "MR", "SD", "SO", "DJ", "KM")
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One place of the gazetteer, with its prior rank for ties (lower wins)."""

    id: str
    place: Place
    population: int

    @property
    def rank(self) -> tuple[int, int, int, str]:
        arab = 0 if self.place.country_code in _ARAB_WORLD else 1
        return (_FEATURE_RANK[self.place.feature], arab, -self.population, self.id)


@dataclass(frozen=True, slots=True)
class _Mention:
    entries: list[GazetteerEntry]
    weak: bool
    in_context: bool
    #: Another reading of the same word, with a clitic taken off (وجدة: Oujda, or و + جدة: Jeddah).
    other: _Mention | None = None
    #: Weak by name (WEAK_NAMES): a place word before it does not help (حي العزيزية is in Mecca).
    named_weak: bool = False

    @property
    def single_country(self) -> bool:
        """Whether the mention names one country: all its places are there, or the others are small
        namesakes of a major city (الرياض: Riyadh, and a village in Egypt)."""
        prior = self.entries[0]
        return all(
            e.place.country_code == prior.place.country_code
            or (prior.place.feature == "city" and e.population * 10 < prior.population)
            for e in self.entries[1:]
        )


def _key(name: str) -> str:
    return " ".join(_TOKEN_RE.findall(normalize_for_matching(name)))


def _with_and_without_article(key: str) -> tuple[str, ...]:
    return (key, key[2:]) if key.startswith("ال") else (key, "ال" + key)


@lru_cache(maxsize=1 << 17)
def _strip_clitics(token: str) -> tuple[str, ...]:
    """The token and its readings without leading clitics (و/ف, then ب/ل/ك, then ال), longest first."""
    out = [token]
    stems = [token]
    if len(token) > 3 and token[0] in "وف":
        stems.append(token[1:])
    for t in list(stems):
        if len(t) > 3 and t[0] in "بلك":
            rest = t[1:]
            if t[0] == "ل" and rest.startswith("ل"):
                # ل + ال contracts to لل: للعراق = ل + العراق; before a lam, للاذقية = ل + اللاذقية.
                stems.extend(("ا" + rest, "ال" + rest))
            else:
                stems.append(rest)
    for t in stems[1:]:
        out.append(t)
    for t in list(out):
        if t.startswith("ال") and len(t) > 4:
            out.append(t[2:])
    return tuple(dict.fromkeys(out))


class Gazetteer:
    """Places by normalised name; :meth:`find` returns the places a text mentions, in order of first mention.

    >>> gaz = Gazetteer([{"id": "x", "name": "حماة", "names": ["حماة", "حماه"], "country_code": "SY",
    ...                   "lat": 35.13, "lon": 36.75, "feature": "city", "population": 460_602}])
    >>> [p.name for p in gaz.find("تقدم نحو ريف حماه وحماة")]
    ['حماة']
    """

    def __init__(
        self,
        places: Iterable[Mapping[str, Any]],
        *,
        blocked: Iterable[str] = BLOCKED,
        needs_context: Iterable[str] = NEEDS_CONTEXT,
        weak_names: Iterable[str] = WEAK_NAMES,
        construct_names: Iterable[str] = CONSTRUCT_NAMES,
    ) -> None:
        # A blocked word is blocked with and without the article (ال-stripping would reach it otherwise);
        # stop words and one- or two-letter names (GeoNames lists بن and سن as names of Iranian cities)
        # are never names here.
        self._blocked = frozenset(k for n in blocked for k in _with_and_without_article(_key(n))) | STOP_KEYS
        self._needs_context = frozenset(k for n in needs_context for k in _with_and_without_article(_key(n)))
        self._weak_names = frozenset(k for n in weak_names for k in _with_and_without_article(_key(n)))
        self._construct = frozenset(_key(n) for n in construct_names)
        index: dict[str, list[GazetteerEntry]] = {}
        for raw in places:
            try:
                entry = GazetteerEntry(
                    id=str(raw["id"]),
                    place=Place(
                        name=str(raw["name"]),
                        country_code=raw.get("country_code"),
                        lat=float(raw["lat"]),
                        lon=float(raw["lon"]),
                        feature=raw.get("feature", "city"),
                    ),
                    population=int(raw.get("population", 0)),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise GazetteerError(f"gazetteer place {dict(raw)!r:.120}: {exc}; rebuild the data") from None
            display = _key(raw["name"])
            for name in {_key(n) for n in (raw["name"], *raw.get("names", ()))}:
                # a name whose first word is a stop word (GeoNames' ان صالح for عين صالح) would match "that";
                # the bare form of a name written with the article is another word (رقة in فرقة and ورقة,
                # رياض in رياض الأطفال, ظهران in ظهران الجنوب), not the place
                if (
                    len(name) > 2
                    and name not in self._blocked
                    and name.split(" ", 1)[0] not in STOP_KEYS
                    and not (display.startswith("ال") and name == display[2:])
                ):
                    index.setdefault(name, []).append(entry)
        self._index = {k: sorted(v, key=lambda e: e.rank) for k, v in index.items()}
        # The longest key (in words) that starts with each first word.
        self._longest_from: dict[str, int] = {}
        for k in self._index:
            first, words = k.split(" ", 1)[0], min(_MAX_NGRAM, k.count(" ") + 1)
            self._longest_from[first] = max(words, self._longest_from.get(first, 0))
        self._first = frozenset(self._longest_from)
        # Keys read with the article dropped (السورية → سورية): countries only. For other places the word
        # with the article is another word (السيول 'the floods' is not سيول Seoul, الأمان not Amman).
        self._bare_ok = frozenset(
            k for k, v in self._index.items() if " " not in k and all(e.place.feature == "country" for e in v)
        )
        # token -> its readings (clitics stripped) that start some key; most tokens start none.
        self._starts: dict[str, tuple[str, ...]] = {}
        # The scan runs natively (processors/native/src/places.rs) on key ids; each key's mention, with and
        # without a place word before it, is made here once.
        keys = list(self._index)
        group_ids: dict[tuple[str, ...], int] = {}
        self._mention_of = [
            (self._mention(key, in_context=False), self._mention(key, in_context=True)) for key in keys
        ]
        self._matcher = PlaceMatcher(
            keys,
            [group_ids.setdefault(tuple(e.id for e in self._index[k]), len(group_ids)) for k in keys],
            [(k in self._needs_context) | (k in self._construct) << 1 for k in keys],
            self._longest_from,
            bare_ok=list(self._bare_ok),
            place_words=list(_PLACE_WORDS),
            construct_followers=list(_CONSTRUCT_FOLLOWERS),
            stop_keys=list(STOP_KEYS),
            capacity=_STARTS_CACHE_SIZE,
        )

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        """The packaged gazetteer (processors/data/gazetteer.json.gz), or the one at ``path``.

        >>> len(Gazetteer.load()) > 2000
        True
        """
        try:
            if path is None:
                data = resources.files("processors").joinpath("data/gazetteer.json.gz").read_bytes()
            else:
                data = path.read_bytes()
            places = json.loads(gzip.decompress(data))["places"]
        except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            where = path or "processors/data/gazetteer.json.gz"
            raise GazetteerError(
                f"gazetteer {where}: cannot be read ({exc}); run scripts/build_gazetteer.py"
            ) from None
        return cls(places)

    def __len__(self) -> int:
        return len({e.id for entries in self._index.values() for e in entries})

    def lookup(self, name: str) -> list[Place]:
        """Every place called ``name`` (any spelling the gazetteer knows), best prior first.

        >>> [p.country_code for p in Gazetteer.load().lookup("سوريه")]
        ['SY']
        """
        return [e.place for e in self._index.get(_key(name), ())]

    def find(self, text: str) -> list[Place]:
        """The places ``text`` mentions, each once, in order of first mention.

        >>> [p.name for p in Gazetteer.load().find("قصف في مدينة الحسكة وللاذقية والتل")]
        ['الحسكة', 'اللاذقية']
        """
        return self.find_in(AnalyzedText.of(text))

    def find_in(self, analysed: AnalyzedText) -> list[Place]:
        """:meth:`find` on a text already analysed (the enricher analyses each article once).

        >>> [p.name for p in Gazetteer.load().find_in(AnalyzedText.of("من دمشق إلى حلب"))]
        ['دمشق', 'حلب']
        """
        mentions = [
            replace(self._mention_of[key][context], other=self._mention_of[other][other_context])
            if other >= 0
            else self._mention_of[key][context]
            for key, context, other, other_context in self._matcher.mentions(analysed.analysis)
        ]
        # the countries the text names unambiguously: one country, no other reading of the word
        strong = [m for m in mentions if not m.weak and m.other is None]
        countries = {m.entries[0].place.country_code for m in strong if m.single_country}
        chosen: dict[str, Place] = {}
        for m in mentions:
            if m.other is not None and not _in(m, countries) and _in(m.other, countries):
                m = m.other  # و + جدة in a text about Mecca and Riyadh, not Oujda
            candidates = m.entries
            if m.weak and (not m.in_context or m.named_weak):
                candidates = [e for e in candidates if e.place.country_code in countries]
                if not candidates:
                    continue
            best = next((e for e in candidates if _rivals(e, candidates[0], countries)), candidates[0])
            chosen.setdefault(best.id, best.place)
        return list(chosen.values())

    def _mention(self, key: str, *, in_context: bool) -> _Mention:
        entries = self._index[key]
        named = key in self._weak_names
        small = all(e.place.feature == "city" and e.population < WEAK_POPULATION for e in entries)
        weak = named or (" " not in key and small)
        return _Mention(entries, weak=weak, in_context=in_context, named_weak=named)

    def _reference_mentions(self, tokens: Sequence[str]) -> list[_Mention]:
        """The mentions in ``tokens``, in Python: the definition the native scan of :meth:`find_in` is tested
        against (processors/native/src/places.rs)."""
        readings = list(map(self._starts.get, tokens))
        if None in readings:
            if len(self._starts) > _STARTS_CACHE_SIZE:
                self._starts.clear()
            for i in list(compress(count(), map(_IS_NONE, readings))):  # only the new tokens
                reading = self._starts.get(tokens[i])
                readings[i] = self._starts_of(tokens[i]) if reading is None else reading
        found: list[_Mention] = []
        free = 0  # the first position not inside a mention already found
        for i in compress(range(len(tokens)), readings):
            if i < free:
                continue
            mention: _Mention | None = None
            for first in readings[i]:  # type: ignore[union-attr]  # no None is left
                hit = self._longest_at(tokens, i, first)
                if hit is None:
                    continue
                key, length = hit
                in_context = self._after_place_word(tokens, i)
                if key in self._needs_context and not in_context:
                    continue
                if key in self._construct and not in_context and _in_construct(tokens, i + length):
                    continue
                entries = self._index[key]
                weak = key in self._weak_names or (
                    length == 1
                    and all(e.place.feature == "city" and e.population < WEAK_POPULATION for e in entries)
                )
                named = key in self._weak_names
                if mention is None:
                    mention = _Mention(entries, weak=weak, in_context=in_context, named_weak=named)
                    free = i + length
                elif length == 1 and entries != mention.entries:
                    other = _Mention(entries, weak=weak, in_context=in_context, named_weak=named)
                    mention = replace(mention, other=other)
                    break
            if mention is not None:
                found.append(mention)
        return found

    def _starts_of(self, token: str) -> tuple[str, ...]:
        """The readings of ``token`` that start a key (cached in ``self._starts``); a reading without the
        article only for a country (see ``_bare_ok``)."""
        readings = _strip_clitics(token)
        out = self._starts[token] = tuple(
            t for t in readings if t in self._first and ("ال" + t not in readings or t in self._bare_ok)
        )
        return out

    def _longest_at(self, tokens: Sequence[str], i: int, first: str) -> tuple[str, int] | None:
        for length in range(min(self._longest_from[first], len(tokens) - i), 0, -1):
            key = " ".join((first, *tokens[i + 1 : i + length]))
            if key in self._index:
                return key, length
        return None

    @staticmethod
    def _after_place_word(tokens: Sequence[str], i: int) -> bool:
        """Whether a place word stands before position ``i`` (بمدينة، ومحافظة), not with the article:
        المنطقة والميادين is "the region and the squares"."""
        if i == 0:
            return False
        readings = _strip_clitics(tokens[i - 1])
        return any(t in _PLACE_WORDS and "ال" + t not in readings for t in readings)


def _in_construct(tokens: Sequence[str], after: int) -> bool:
    """Whether the word at ``after`` makes the name before it a noun in construct: a definite word that is
    no stop word (حماة الوطن, not حماة التي), or له/لها/لهم."""
    if after >= len(tokens):
        return False
    word = tokens[after]
    return word in _CONSTRUCT_FOLLOWERS or (word.startswith("ال") and len(word) > 3 and word not in STOP_KEYS)


def _in(mention: _Mention, countries: set[str | None]) -> bool:
    """Whether some reading of ``mention`` is in one of ``countries``."""
    return any(e.place.country_code in countries for e in mention.entries)


def _rivals(entry: GazetteerEntry, prior: GazetteerEntry, countries: set[str | None]) -> bool:
    """Whether ``entry``, in a country the text names, takes the name from the ``prior`` choice: not when
    the prior is a city ten times its size (الرياض in a text about Egypt is still Riyadh)."""
    if entry.place.country_code not in countries:
        return False
    return entry is prior or prior.place.feature != "city" or entry.population * 10 >= prior.population
