"""Pieces that are never a story with other pieces: social notices, cartoons and photo pages. Pure.

A newspaper's wedding notices ("أفراح آل …", "… يحتفلون بزواج …"), its daily cartoon and its photo pages share
their genre's wording from one day to the next, so word overlap would gather them into "stories" no editor
wants; the story definition (../shared/README.md) keeps them alone. They are recognised by their headline
only, with the text normalised as everywhere else (:func:`processors.arabic.normalize`), and short titles for
the genres whose names are common words.

>>> standalone("أفراح الخضيري والعتيق"), standalone("آل ذعار يحتفلون بزواج (خالد)")
(True, True)
>>> standalone("كاريكاتير"), standalone("الاقتصاد في صور")
(True, True)
>>> standalone("صور فاضحة مع فتيات في لوس أنجلوس تحيل 3 قياديين للتحقيق")
False
"""

from __future__ import annotations

import re
from typing import Final

from processors.arabic import normalize, tokenize

__all__ = ["standalone"]

#: Social notices, anywhere in the headline.
_NOTICE: Final = re.compile(r"^افراح |\bزفاف|\bعقد قران\b|\bيحتفل(?:ون|ان)? ب(?:زواج|زفاف|عقد)")
#: Genre words that make a headline of at most ``_SHORT`` words a cartoon or photo page.
_SHORT: Final = 4
_CARTOON: Final = frozenset({"كاريكاتير", "كاريكاتور", "كاريكاتر"})
_PHOTOS: Final = frozenset({"صور", "بالصور"})


def standalone(title: str) -> bool:
    """True when a headline marks a piece that stays a story of its own (see the module docstring).

    >>> standalone("الدفاع المدني يسيطر على حريق")
    False
    """
    text = normalize(title).strip()
    if not text:
        return False
    if _NOTICE.search(text):
        return True
    words = [w for w in tokenize(text) if not w.isdigit()]
    if not words or len(words) > _SHORT:
        return False
    if _CARTOON.intersection(words):
        return True
    return words[0] in _PHOTOS or (len(words) > 1 and words[-2:] == ["في", "صور"])
