"""``khabar eval entities`` and ``khabar eval places`` on a corpus day written by the test, and on the
committed reviews."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from khabar.cli import cli
from producers.corpus import read_corpus, to_raw_article
from tests.conftest import ROOT, shared_dir

DAY = "2015-07-25"
TEXT = "وقال الرئيس الفرنسي فرنسوا هولاند في جدة إن وزارة الدفاع تتابع الوضع."


def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    row = {
        "source": "okaz",
        "url": "http://www.okaz.com.sa/new/1",
        "date_extracted": f"{DAY} 10:00:00",
        "title": "هولاند",
        "author": "",
        "content": TEXT,
    }
    with zipfile.ZipFile(folder / f"{DAY}.zip", "w") as archive:
        archive.writestr(f"{DAY}.json", json.dumps([row], ensure_ascii=False))
    return folder


def test_scores_the_review_and_lists_what_is_not_judged(tmp_path: Path) -> None:
    folder = corpus(tmp_path)
    article = to_raw_article(read_corpus(folder / f"{DAY}.zip")[0]).id
    judged = tmp_path / "review.jsonl"
    judged.write_text(
        json.dumps(
            {"day": DAY, "article": article, "name": "فرنسوا هولاند", "type": "person", "verdict": "correct"},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "review.json"
    result = CliRunner().invoke(
        cli, ["eval", "entities", "--judged", str(judged), "--corpus", str(folder), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "1 judged names: precision 1.000" in result.output
    assert "وزارة الدفاع" in result.output  # extracted, not judged yet: listed for reading
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["precision"] == 1.0
    assert report["unjudged"] == [[article, "وزارة الدفاع", "organisation"]]
    assert report["lost"] == []


def test_a_day_missing_from_the_corpus_is_named(tmp_path: Path) -> None:
    judged = tmp_path / "review.jsonl"
    judged.write_text(
        '{"day": "2015-07-26", "article": "a", "name": "n", "type": "person", "verdict": "correct"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["eval", "entities", "--judged", str(judged), "--corpus", str(corpus(tmp_path))]
    )
    assert result.exit_code != 0
    assert "day 2015-07-26 needs" in str(result.exception)


def test_places_are_judged_with_their_feature_and_country(tmp_path: Path) -> None:
    folder = corpus(tmp_path)
    article = to_raw_article(read_corpus(folder / f"{DAY}.zip")[0]).id
    judged = tmp_path / "places.jsonl"
    row = {"day": DAY, "article": article, "name": "جدة", "type": "city SA", "verdict": "correct"}
    judged.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "places", "--judged", str(judged), "--corpus", str(folder)])
    assert result.exit_code == 0, result.output
    assert "1 judged names: precision 1.000" in result.output
    assert "not judged yet" not in result.output


REVIEWS = sorted((ROOT / "docs" / "reviews").glob("*.judged.jsonl"))


@pytest.mark.parametrize("review", REVIEWS, ids=[r.name for r in REVIEWS])
def test_the_committed_reviews_judge_every_name_the_code_extracts(review: Path) -> None:
    # When the rules change, the names they extract anew must be read and judged (docs/reviews/README.md).
    folder = shared_dir() / "data" / "saudinewsnet"
    kind, day = review.name.split("-", 1)[0], review.name.split("-", 1)[1][:10]
    if not (folder / f"{day}.zip").exists():
        pytest.skip(f"SaudiNewsNet data is absent under {folder}")
    result = CliRunner().invoke(cli, ["eval", kind, "--judged", str(review), "--corpus", str(folder)])
    assert result.exit_code == 0, result.output
    assert "not judged yet" not in result.output, result.output
