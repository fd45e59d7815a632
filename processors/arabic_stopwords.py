"""Curated Arabic stop words, as data.

The words are written in ordinary spelling (with hamza); :mod:`processors.arabic` runs every entry through
``normalize`` at import, so ``أن``, ``إن`` and ``آن`` all become ``ان`` and ``على`` becomes ``علي``.

Curation rules (checked by ``tests/unit/processors/test_arabic.py``):

* Function words only: prepositions, conjunctions, particles, pronouns, demonstratives, relative pronouns,
  auxiliaries and a few very common ``و``/``ف``-prefixed and pronoun-suffixed forms of them.
* Never a place name, or a word whose *normalised* form is also a place or common proper name. Deliberately
  left out for that reason: ``حماه``/``حماة`` (Hama), ``التل`` (al-Tall), ``مني`` (= normalised ``منى``, Mina
  and the name Muna), ``أم`` (Umm Qasr, Umm Durman ...), ``ذي``/``ذو``/``ذا`` (Dhi Qar ...), ``الآن``
  (= normalised ``آلان``, Alain), ``أحد`` (Uhud), ``خلف`` (the name Khalaf), ``فينا`` (Vienna).
* Known, accepted collision: folding ``ى`` to ``ي`` makes the preposition ``على`` identical to the name
  ``علي`` (Ali); ``على`` is too frequent to keep, so ``علي`` is a stop word after normalisation.

``NEWS_STOPWORDS`` is an opt-in list of reporting verbs and fillers that are content words elsewhere.
``KEYWORD_FILLERS`` are words that must stay for matching names and for clustering but say nothing as
an article's keyword: the name of God in formulas (رحمه الله، حفظه الله), بن inside names, per cent and
honorifics.
"""

from __future__ import annotations

from typing import Final

PREPOSITIONS: Final[tuple[str, ...]] = (
    "في", "من", "إلى", "على", "عن", "مع", "حتى", "منذ", "مذ", "عند", "لدى", "بين", "حول", "دون", "بدون",
    "نحو", "ضد", "خلال", "عبر", "تحت", "فوق", "أمام", "وراء", "قبل", "بعد", "ضمن", "عدا", "سوى", "مثل",
    "حسب", "بحسب", "لدي", "إثر", "جراء", "أثناء", "تجاه", "بسبب", "داخل", "أجل", "إزاء", "لأجل",
)  # fmt: skip

CONJUNCTIONS_AND_PARTICLES: Final[tuple[str, ...]] = (
    "و", "أو", "ثم", "بل", "لكن", "لكنه", "لكنها", "لكنهم", "ولكن", "أن", "إن", "أنه", "أنها", "أنهم",
    "إنه", "إنها", "إنهم", "بأن", "بأنه", "بأنها", "لأن", "لأنه", "لأنها", "كأن", "كي", "لكي", "حيث",
    "حيثما", "إذ", "إذا", "إذن", "لو", "لولا", "إما", "أما", "سواء", "كما", "بينما", "عندما", "حينما",
    "كلما", "طالما", "ربما", "إنما", "مهما", "أينما", "لا", "لم", "لن", "ما", "قد", "لقد", "سوف", "هل",
    "حين", "إلا", "ألا", "كلا", "نعم", "بلى", "لعل", "ليت", "أي", "أية", "أيضا", "فقط", "جدا", "كذلك", "هكذا",
    "متى", "أين", "كيف", "لماذا", "ماذا", "كم", "لما", "مما", "عما", "فيما", "بما", "ممن", "عمن", "بعدما",
)  # fmt: skip

PRONOUNS_AND_DEMONSTRATIVES: Final[tuple[str, ...]] = (
    "أنا", "نحن", "أنت", "أنتما", "أنتم", "أنتن", "هو", "هي", "هما", "هم", "هن", "إياه", "إياها", "إياهم",
    "هذا", "هذه", "هذان", "هذين", "هاتان", "هاتين", "هؤلاء", "ذلك", "تلك", "أولئك", "هنا", "هناك",
    "هنالك", "ثمة", "نفسه", "نفسها", "أنفسهم",
    # relative pronouns
    "الذي", "التي", "الذين", "اللذان", "اللتان", "اللذين", "اللتين", "اللاتي", "اللواتي", "اللائي",
)  # fmt: skip

QUANTIFIERS: Final[tuple[str, ...]] = ("كل", "بعض", "جميع", "غير", "كلتا")

AUXILIARIES: Final[tuple[str, ...]] = (
    "كان", "كانت", "كانوا", "كنت", "كنا", "يكون", "تكون", "يكونوا", "تكونوا", "يكونون", "أكون", "نكون",
    "يكن", "تكن", "ليس", "ليست", "ليسوا", "لست", "لسنا", "أصبح", "أصبحت", "أصبحوا", "يصبح", "تصبح",
    "صار", "صارت", "يصير", "تصير", "ظل", "ظلت", "يظل", "تظل", "بات", "باتت", "زال", "زالت", "يزال",
    "تزال", "مازال", "مازالت", "لايزال", "لاتزال", "دام", "مادام", "أضحى", "أمسى", "كاد", "كادت", "يكاد",
    "تكاد",
)  # fmt: skip

SUFFIXED_PREPOSITIONS: Final[tuple[str, ...]] = (
    "فيه", "فيها", "فيهم", "فيهما", "فيكم", "به", "بها", "بهم", "بهما", "بكم", "له", "لها", "لهم",
    "لهما", "لنا", "لك", "لكم", "لي", "منه", "منها", "منهم", "منهما", "منكم", "عنه", "عنها", "عنهم",
    "عليه", "عليها", "عليهم", "عليهما", "علينا", "عليكم", "إليه", "إليها", "إليهم", "إلينا", "إليكم",
    "معه", "معها", "معهم", "معنا", "عنده", "عندها", "عندهم", "عندنا", "لديه", "لديها", "لديهم", "لدينا",
    "بينهم", "بينها", "بينهما", "بيننا",
)  # fmt: skip

PREFIXED_FORMS: Final[tuple[str, ...]] = (
    "وفي", "ومن", "وإلى", "وعلى", "وعن", "ومع", "وهو", "وهي", "وهم", "وقد", "ولقد", "ولا", "ولم", "ولن",
    "وما", "وكان", "وكانت", "وأن", "وإن", "وهذا", "وهذه", "وذلك", "وتلك", "والذي", "والتي", "والذين",
    "وبين", "وبعد", "وقبل", "وخلال", "وحتى", "وكل", "وبعض", "وغير", "ومنذ", "وحول", "وعند", "وعندما",
    "وأيضا", "وكذلك", "وكما", "وليس", "وهناك", "وإذا", "وأما", "وبينما", "فإن", "فإنه", "فقد", "فلا",
    "فلم", "فهو", "فهي", "فما", "فمن",
)  # fmt: skip

BASE_STOPWORDS: Final[tuple[str, ...]] = (
    *PREPOSITIONS,
    *CONJUNCTIONS_AND_PARTICLES,
    *PRONOUNS_AND_DEMONSTRATIVES,
    *QUANTIFIERS,
    *AUXILIARIES,
    *SUFFIXED_PREPOSITIONS,
    *PREFIXED_FORMS,
)

NEWS_STOPWORDS: Final[tuple[str, ...]] = (
    "قال", "قالت", "وقال", "وقالت", "يقول", "تقول", "أضاف", "أضافت", "وأضاف", "وأضافت", "يضيف",
    "أشار", "أشارت", "وأشار", "وأشارت", "يشير", "مشيرا", "أوضح", "أوضحت", "وأوضح", "وأوضحت", "موضحا",
    "أكد", "أكدت", "وأكد", "وأكدت", "مؤكدا", "ذكر", "ذكرت", "وذكر", "وذكرت", "أفاد", "أفادت", "وأفاد",
    "وأفادت", "لافتا", "مضيفا", "تم", "يتم", "وتم", "تمت", "وفقا", "وفق",
)  # fmt: skip

KEYWORD_FILLERS: Final[tuple[str, ...]] = (
    "الله", "بن", "ابن", "المائة", "بالمائة", "المئة", "بالمئة", "سمو", "السمو", "معالي", "سماحة", "فضيلة",
    # words of royal titles: خادم الحرمين الشريفين، ولي العهد (the person is an entity already)
    "خادم", "الشريفين", "ولي",
)  # fmt: skip
