"""Right-to-left-safe terminal output of search hits (pure: text in, text out).

A line such as ``1. [sabq] <Arabic title>`` mixes left-to-right labels with right-to-left text; without help,
the terminal's bidi algorithm can move the label's digits and brackets into the Arabic run. Every field that
holds right-to-left letters is wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (U+2068 … U+2069), so
it is laid out on its own and cannot reorder its neighbours. Terminals without bidi support ignore the
isolates; ``isolate=False`` leaves them out for the ones that print them.

>>> isolate("قصة sabq") == "\\u2068قصة sabq\\u2069"
True
>>> isolate("sabq")
'sabq'
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict

from rich.text import Text

from sinks.search import MARK_END, MARK_START, Hit

FSI = "\u2068"
PDI = "\u2069"
# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Arabic supplements and presentation forms
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def isolate(text: str) -> str:
    """``text`` in a first-strong isolate when it holds right-to-left letters, else unchanged."""
    return f"{FSI}{text}{PDI}" if _RTL.search(text) else text


def highlighted(fragment: str, *, rtl_isolate: bool = True, style: str = "bold yellow") -> Text:
    """A highlight fragment as rich text: the marked words styled, the whole isolated when right-to-left.

    >>> highlighted("\\ue000المعارضة\\ue001 السورية", rtl_isolate=False).plain
    'المعارضة السورية'
    """
    plain = fragment.replace(MARK_START, "").replace(MARK_END, "")
    wrap = rtl_isolate and bool(_RTL.search(plain))
    text = Text(FSI if wrap else "")
    for index, part in enumerate(re.split(f"[{MARK_START}{MARK_END}]", fragment)):
        text.append(part, style=style if index % 2 else None)
    if wrap:
        text.append(PDI)
    return text


def hit_lines(hits: Sequence[Hit], *, rtl_isolate: bool = True) -> list[Text]:
    """The hits as terminal lines: rank, score, outlets and title, then highlights (or, for a story listed
    without a query, its summary), indented.

    >>> from sinks.search import Hit
    >>> [line.plain for line in hit_lines([Hit("article", "a1", 1.5, "عنوان", "2015-08-08", ["sabq"])],
    ...                                    rtl_isolate=False)]
    ['1. [sabq] عنوان  (2015-08-08, score 1.50, id a1)']
    """
    keep = (lambda s: isolate(s)) if rtl_isolate else (lambda s: s)
    lines: list[Text] = []
    for rank, hit in enumerate(hits, 1):
        line = Text(f"{rank}. ")
        line.append(f"[{', '.join(keep(o) for o in hit.outlets if o)}] ", style="cyan")
        line.append(keep(hit.title), style="bold")
        details = [hit.when or ""]
        if hit.article_count is not None:
            details.append(f"{hit.article_count} articles")
        if hit.score is not None:
            details.append(f"score {hit.score:.2f}")
        details.append(f"id {hit.id}")
        line.append(f"  ({', '.join(d for d in details if d)})", style="dim")
        lines.append(line)
        for fragment in hit.highlights:
            lines.append(Text("    ") + highlighted(fragment, rtl_isolate=rtl_isolate))
        if hit.summary and not hit.highlights:  # a story listed, not searched: what it is about
            lines.append(Text("    ") + Text(keep(hit.summary), style="dim"))
    return lines


def hits_json(hits: Sequence[Hit]) -> str:
    """The hits as a JSON array (UTF-8 text, highlight marks turned into ``<em>``…``</em>``).

    >>> from sinks.search import Hit
    >>> hit = Hit("story", "s1", None, "قصة", None, [], ["\\ue000قصة\\ue001"])
    >>> json.loads(hits_json([hit]))[0]["highlights"]
    ['<em>قصة</em>']
    """
    rows = []
    for hit in hits:
        row = asdict(hit)
        row["highlights"] = [h.replace(MARK_START, "<em>").replace(MARK_END, "</em>") for h in hit.highlights]
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=2)
