"""Scoring extracted names by a review: verdicts, unjudged and lost names, bad review files."""

from __future__ import annotations

import json

import pytest

from processors.errors import ProcessorError
from processors.name_review import parse_judgements, review


def lines(*rows: tuple[str, str, str, str]) -> bytes:
    return "\n".join(
        json.dumps(
            {"day": "2015-07-25", "article": a, "name": n, "type": t, "verdict": v}, ensure_ascii=False
        )
        for a, n, t, v in rows
    ).encode()


JUDGED = lines(
    ("a1", "باراك أوباما", "person", "correct"),
    ("a1", "مجلس الامن التابع", "organisation", "wrong"),
    ("a2", "وزارة الاقتصاد", "organisation", "partial"),
    ("a2", "حسن روحاني", "person", "correct"),
)


def test_verdicts_unjudged_and_lost() -> None:
    found = {
        "a1": [
            ("باراك أوباما", "person"),
            ("مجلس الامن التابع", "organisation"),
            ("مجلس الأمن", "organisation"),
        ],
        "a2": [("وزارة الاقتصاد", "organisation")],
    }
    result = review(found, parse_judgements(JUDGED, name="r"))
    assert (result.correct, result.partial, result.wrong, result.judged) == (1, 1, 1, 3)
    assert result.precision == pytest.approx(1 / 3)
    assert result.lenient_precision == pytest.approx(2 / 3)
    assert result.unjudged == [("a1", "مجلس الأمن", "organisation")]
    assert [j.name for j in result.lost] == ["حسن روحاني"]  # judged correct, not extracted any more


def test_a_name_with_another_type_is_not_judged() -> None:
    result = review({"a1": [("باراك أوباما", "organisation")]}, parse_judgements(JUDGED, name="r"))
    assert result.judged == 0
    assert result.precision == 0.0
    assert result.unjudged == [("a1", "باراك أوباما", "organisation")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "line 1: not JSON"),
        (b'{"day": "d", "article": "a", "name": "n", "type": "person"}', "needs day, article, name, type"),
        (lines(("a", "n", "person", "maybe")), "verdict must be one of correct, partial, wrong"),
        (lines(("a", "n", "place", "correct")), "type one of person, organisation"),
        (lines(("a", "n", "person", "correct"), ("a", "n", "person", "wrong")), "line 2: 'n' of article a"),
        (b"\n\n", "no judgement"),
    ],
)
def test_bad_review_files_name_the_line(data: bytes, message: str) -> None:
    with pytest.raises(ProcessorError, match=message):
        parse_judgements(data, name="review.jsonl")


def test_places_carry_their_feature_and_country() -> None:
    data = (
        b'{"day": "d", "article": "a", "name": "\u062c\u062f\u0629", "type": "city SA", "verdict": "correct"}'
    )
    assert parse_judgements(data, name="r", types=None)[0].type == "city SA"
    with pytest.raises(ProcessorError, match="type one of person, organisation"):
        parse_judgements(data, name="r")
