from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from khabar.cli import cli
from tests.conftest import shared_dir

DAY = "2015-08-11"


def _data() -> tuple[Path, Path]:
    folder = shared_dir() / "data" / "saudinewsnet"
    day, pairs = folder / f"{DAY}.zip", folder / "silver_cross_source_neardup_pairs_j050.json"
    if not day.exists() or not pairs.exists():
        pytest.skip(f"SaudiNewsNet data is absent under {folder}")
    return day, pairs


def test_eval_dedupe_on_one_day(tmp_path: Path) -> None:
    from producers.corpus import read_corpus

    day, pairs_file = _data()
    urls = {item.url for item in read_corpus(day)}
    pairs = [p for p in json.loads(pairs_file.read_bytes()) if p["a_url"] in urls and p["b_url"] in urls][:12]
    assert pairs
    slice_file = tmp_path / "pairs.json"
    slice_file.write_text(json.dumps(pairs, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out" / "dedupe.json"
    result = CliRunner().invoke(
        cli, ["eval", "dedupe", "--pairs", str(slice_file), "--corpus", str(day), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "recall" in result.output
    assert "precision" in result.output
    assert "articles/s" in result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert 0.0 <= report["precision"] <= 1.0
    assert report["recall"] >= 0.75
    assert report["listed_pairs"] == report["listed_found_in_corpus"] == len(pairs)
    assert DAY in report["days"]
    assert 0 < report["articles"] <= len(urls) + 2000
    assert set(report["verdicts"]) <= {"unique", "minhash", "text_hash", "url", "id"}


def test_eval_dedupe_refuses_a_corpus_without_the_pairs(tmp_path: Path) -> None:
    day, _ = _data()
    pairs = tmp_path / "pairs.json"
    pairs.write_text('[{"a_url": "http://nowhere/1", "b_url": "http://nowhere/2"}]', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "dedupe", "--pairs", str(pairs), "--corpus", str(day)])
    assert result.exit_code != 0
    assert "holds none of" in str(result.exception)
