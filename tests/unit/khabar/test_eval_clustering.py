"""Unit tests for ``khabar eval clustering`` and ``khabar eval pairs`` on small self-contained files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from khabar.cli import cli
from khabar.eval_clustering_cmd import follow_merges
from tests.conftest import shared_dir

FIRE = "اندلاع حريق في مستودع للأخشاب بحي السلي في الرياض والدفاع المدني يسيطر عليه"
FIRE2 = "الدفاع المدني يسيطر على حريق مستودع أخشاب في حي السلي بالرياض دون إصابات"
MATCH = "الهلال يفوز على النصر بهدفين في نهائي كأس السوبر على ملعب لندن"
ROWS = [
    ("a1", "2015-08-08 06:00:00", FIRE, FIRE, "s1"),
    ("a2", "2015-08-08 07:00:00", FIRE2, FIRE2, "s1"),
    ("a3", "2015-08-08 08:00:00", MATCH, "", "s2"),
]


def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    lines = [
        json.dumps(
            {"id": f"{i:016x}", "published": p, "title": t, "content": c, "story": s, "source": "okaz"}
        )
        for i, (_, p, t, c, s) in enumerate(ROWS, 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_clustering_prints_and_writes_the_issue_json_shape(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = CliRunner().invoke(
        cli, ["eval", "clustering", "--gold", str(gold_file(tmp_path)), "--no-enrich", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "BCubed" in result.output
    assert "w/o largest" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {
        "bcubed", "pairwise", "bcubed_without_largest", "articles", "gold_stories", "predicted_stories",
        "articles_per_second",
    }  # fmt: skip
    for part in ("bcubed", "pairwise", "bcubed_without_largest"):
        assert set(data[part]) == {"precision", "recall", "f1"}
    assert (data["articles"], data["gold_stories"], data["predicted_stories"]) == (3, 2, 2)
    assert data["bcubed"]["f1"] == 1.0
    assert data["articles_per_second"] > 0


def test_title_only_runs(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    args = ["eval", "clustering", "--gold", str(gold_file(tmp_path)), "--title-only", "--no-enrich"]
    result = CliRunner().invoke(cli, [*args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["articles"] == 3


def test_a_gold_set_with_its_own_ids_and_feed_dates_is_read(tmp_path: Path) -> None:
    # another gold set: short numeric ids, RFC 2822 and epoch times, no outlet
    path = tmp_path / "other.jsonl"
    rows = [
        {"id": 1, "published": "Sat, 08 Aug 2015 03:00:00 GMT", "title": FIRE, "content": FIRE, "story": 7},
        {"id": "2", "published": 1439006400, "title": FIRE2, "content": FIRE2, "story": 7},
        {"id": "story-3", "published": "2015-08-08T05:00:00Z", "title": MATCH, "content": "", "story": 8},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "result.json"
    for extra in ([], ["--dedupe"]):
        args = ["eval", "clustering", "--gold", str(path), "--no-enrich", *extra, "--json", str(out)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        data = json.loads(out.read_text(encoding="utf-8"))
        assert (data["articles"], data["gold_stories"], data["predicted_stories"]) == (3, 2, 2)
        assert data["bcubed"]["f1"] == 1.0


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"id": "1"}, r"line 2: id '1' is already line 1's"),
        ({"id": "x", "published": "yesterday"}, r"line 2: 'published' unreadable time 'yesterday'"),
        ({"id": "x", "published": None}, r"line 2: 'published' unreadable time 'None'"),
        ({"id": "x", "story": ""}, r"line 2: needs at least 'id' and 'story'"),
    ],
)
def test_a_bad_gold_line_is_named(tmp_path: Path, second: dict[str, object], message: str) -> None:
    first = {"id": "1", "published": "2015-08-08 06:00:00", "title": FIRE, "content": "", "story": "s1"}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps({**first, **second}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "clustering", "--gold", str(path), "--no-enrich"])
    assert result.exit_code != 0
    assert re.search(message, str(result.exception)), result.exception


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"id": "x", "published": 1e20}, r"line 2: 'published' time 1e\+20 is out of range"),
        (
            {"id": "x", "published": "0001-01-01T00:00:00"},
            r"line 2: 'published' time '0001-01-01T00:00:00' is out",
        ),
        ({"id": "x", "published": True}, r"line 2: 'published' unreadable time True"),
        ({"id": "x", "story": ["s1", "s2"]}, r"line 2: 'story' must be a string or a number, not \['s1'"),
        ({"id": {"n": 1}}, r"line 2: 'id' must be a string or a number"),
    ],
)
def test_a_gold_value_that_cannot_be_a_time_or_a_label_is_named(
    tmp_path: Path, second: dict[str, object], message: str
) -> None:
    test_a_bad_gold_line_is_named(tmp_path, second, message)


def _gold_text(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "gold.jsonl"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _refused(*args: str) -> str:
    result = CliRunner().invoke(cli, ["eval", "clustering", *args, "--no-enrich"])
    assert result.exit_code != 0, result.output
    return (
        str(result.exception)
        if result.exception and not isinstance(result.exception, SystemExit)
        else result.output
    )


def test_a_gold_file_that_is_not_utf8_or_not_jsonl_is_named(tmp_path: Path) -> None:
    row = {"id": "1", "published": "2015-08-08 06:00:00", "title": "café", "content": "", "story": "s1"}
    latin1 = _gold_text(tmp_path, (json.dumps(row, ensure_ascii=False) + "\n").encode("latin-1"))
    assert "not UTF-8 text (byte 0xe9" in _refused("--gold", str(latin1))
    array = _gold_text(tmp_path, json.dumps([row]) + "\n")
    assert "line 1: a JSON array; the gold is JSONL" in _refused("--gold", str(array))


def test_a_byte_order_mark_and_crlf_lines_are_read(tmp_path: Path) -> None:
    text = gold_file(tmp_path).read_text(encoding="utf-8").replace("\n", "\r\n")
    path = _gold_text(tmp_path, "\ufeff" + text)
    out = tmp_path / "deeper" / "folder" / "result.json"  # --json makes its folder
    result = CliRunner().invoke(
        cli, ["eval", "clustering", "--gold", str(path), "--no-enrich", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["bcubed"]["f1"] == 1.0


def test_a_self_contained_gold_missing_a_field_is_not_taken_for_labels(tmp_path: Path) -> None:
    rows = gold_file(tmp_path).read_text(encoding="utf-8").splitlines()
    second = json.loads(rows[1])
    del second["title"]
    path = _gold_text(tmp_path, "\n".join([rows[0], json.dumps(second), rows[2]]) + "\n")
    message = _refused("--gold", str(path))
    assert "line 2: lacks 'title'; line 1 has a 'content', and a self-contained gold needs" in message


@pytest.mark.parametrize("days", ["nan", "inf", "1e9"])
def test_warm_up_days_must_be_a_sane_number(tmp_path: Path, days: str) -> None:
    message = _refused("--gold", str(gold_file(tmp_path)), "--warmup-days", days)
    assert "--warmup-days" in message


def test_a_warm_up_without_a_corpus_says_what_to_pass(tmp_path: Path) -> None:
    args = ["eval", "clustering", "--gold", str(gold_file(tmp_path)), "--no-enrich", "--warmup-days", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert "--warmup-days 1 streams the corpus's days" in str(result.exception)
    assert "pass --corpus DIR" in str(result.exception)


def test_labels_without_a_corpus_are_a_clear_error(tmp_path: Path) -> None:
    labels = tmp_path / "gold" / "dev" / "labels.jsonl"
    labels.parent.mkdir(parents=True)
    labels.write_text(json.dumps({"id": "0" * 16, "story": "s1", "published": "2015-08-08 06:00:00"}) + "\n")
    (tmp_path / "saudinewsnet").mkdir()
    (tmp_path / "saudinewsnet" / "2015-08-08.jsonl").write_text(
        json.dumps(
            {"url": "http://x/1", "date_extracted": "2015-08-08 06:00:00", "title": "t", "source": "o"}
        )
        + "\n"
    )
    result = CliRunner().invoke(cli, ["eval", "clustering", "--gold", str(labels), "--no-enrich"])
    assert result.exit_code != 0
    assert "not found in corpus" in str(result.exception)


def test_labels_whose_default_corpus_is_missing_say_to_pass_one(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"id": "0" * 16, "story": "s1"}) + "\n", encoding="utf-8")
    message = _refused("--gold", str(labels))
    assert "has labels only (id and story)" in message
    assert "pass --corpus DIR" in message


def test_bad_gold_line_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "clustering", "--gold", str(bad)])
    assert result.exit_code != 0
    assert "line 1" in str(result.exception)


def pairs_file(tmp_path: Path, *pairs: tuple[str, str, float]) -> Path:
    path = tmp_path / "pairs.csv"
    rows = "".join(f"{n},ar,ar,{a},{b},{overall}\n" for n, (a, b, overall) in enumerate(pairs, 1))
    path.write_text("pair_id,lang1,lang2,text1,text2,Overall\n" + rows, encoding="utf-8")
    return path


def test_pairs_reports_pearson(tmp_path: Path) -> None:
    path = pairs_file(tmp_path, (FIRE, FIRE2, 1.0), (FIRE, MATCH, 4.0), (MATCH, MATCH, 1.0))
    out = tmp_path / "pairs.json"
    result = CliRunner().invoke(cli, ["eval", "pairs", str(path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["pairs"] == 3
    assert data["pearson"] > 0.5


def test_embedding_runs_with_the_real_model_in_both_evals(tmp_path: Path) -> None:
    pairs = pairs_file(tmp_path, (FIRE, FIRE2, 1.0), (FIRE, MATCH, 4.0), (FIRE2, MATCH, 4.0))
    out = tmp_path / "pairs.json"
    result = CliRunner().invoke(cli, ["eval", "pairs", str(pairs), "--embedding", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "embedding cosine" in result.output
    embedding = json.loads(out.read_text(encoding="utf-8"))["embedding"]
    assert embedding["words"] == 64
    # the fire reports are near each other and far from the match, in the model's cosines too
    assert embedding["pearson_cosine"] > 0.9

    result_json = tmp_path / "clustering.json"
    args = ["eval", "clustering", "--gold", str(gold_file(tmp_path)), "--no-enrich", "--embedding"]
    result = CliRunner().invoke(cli, [*args, "--json", str(result_json)])
    assert result.exit_code == 0, result.output
    assert "embedding 0.3" in result.output
    data = json.loads(result_json.read_text(encoding="utf-8"))
    assert (data["gold_stories"], data["predicted_stories"], data["bcubed"]["f1"]) == (2, 2, 1.0)


def _dev_slice(tmp_path: Path, lines: int, *, dated: bool) -> Path:
    dev = shared_dir() / "data" / "gold" / "dev" / "2015-08-08.labels.jsonl"
    if not dev.exists():
        pytest.skip(f"shared data absent: {dev}")
    rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines()[:lines]]
    keep = ("id", "story", "published") if dated else ("id", "story")
    path = tmp_path / "slice.labels.jsonl"
    path.write_text("".join(json.dumps({k: r[k] for k in keep}) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("dated", [True, False], ids=["dated-labels", "labels-with-id-and-story-only"])
def test_a_real_labels_slice_with_its_corpus_zips_and_a_warm_up(tmp_path: Path, dated: bool) -> None:
    labels = _dev_slice(tmp_path, 60, dated=dated)
    corpus = shared_dir() / "data" / "saudinewsnet"
    out = tmp_path / "report.json"
    args = [
        "eval",
        "clustering",
        "--gold",
        str(labels),
        "--corpus",
        str(corpus),
        "--no-enrich",
        "--json",
        str(out),
    ]
    if dated:
        args += ["--warmup-days", "0.25"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["articles"] == 60  # the warm-up articles are not scored
    assert report["gold_stories"] == len(
        {json.loads(line)["story"] for line in labels.read_text().splitlines()}
    )
    for measure in ("bcubed", "pairwise", "bcubed_without_largest"):
        assert 0.0 <= report[measure]["f1"] <= 1.0
    assert report["bcubed"]["precision"] > 0.8  # a sanity floor for real data, far under the measured 0.95


def test_an_article_follows_its_story_through_later_merges_even_closed_ones() -> None:
    assert follow_merges({"a": "s1", "b": "s2", "c": "s4"}, {"s1": "s2", "s2": "s3", "s4": "s4"}) == {
        "a": "s3",
        "b": "s3",
        "c": "s4",
    }


def test_dedupe_first_puts_a_wire_copy_in_its_originals_story(tmp_path: Path) -> None:
    from tests.unit.processors.test_stages import OTHER, WIRE

    rows = [
        ("2015-08-08 06:00:00", "الملك يستقبل رجال الأعمال", WIRE, "s1", "spa"),
        ("2015-08-08 06:30:00", "خادم الحرمين يستقبل وفدا", WIRE, "s1", "okaz"),  # the wire copy
        ("2015-08-08 07:00:00", "الهلال يتعاقد مع لاعب", OTHER, "s2", "sabq"),
    ]
    path = tmp_path / "gold.jsonl"
    lines = [
        json.dumps({"id": f"{i:016x}", "published": p, "title": t, "content": c, "story": s, "source": o})
        for i, (p, t, c, s, o) in enumerate(rows, 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "result.json"
    args = ["eval", "clustering", "--gold", str(path), "--no-enrich", "--dedupe", "--json", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "dedupe first (1 gold copies)" in " ".join(result.output.split())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["articles"], data["predicted_stories"], data["bcubed"]["f1"]) == (3, 2, 1.0)


def test_run_clustering_places_copies_that_wait_and_copies_whose_original_never_comes() -> None:
    from contracts.schemas import EnrichedArticle
    from khabar.eval_clustering_cmd import run_clustering
    from processors.stories import Copy, StoryClusterer
    from tests.unit.processors.test_stories import T0, article

    first = article(1, FIRE, FIRE)
    items: list[EnrichedArticle | Copy] = [
        Copy("c" * 16, first.id, "sabq", T0),
        first,
        Copy("d" * 16, "e" * 16, "madina", T0),
    ]
    predicted, _ = run_clustering(items, StoryClusterer())
    assert predicted == {first.id: f"s-{first.id}", "c" * 16: f"s-{first.id}", "d" * 16: f"s-{'d' * 16}"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pair_id\ttext1\ttext2\tOverall\n1\ta\tb\t1\n", r"the header lacks pair_id, text1, text2, Overall"),
        ("pair_id,text1,text2,Overall\n1,a,b,1\n2,a\n", r"line 3: fewer fields than the header"),
        ("pair_id,text1,text2,Overall\n1,a,b,1\n2,a,b,nan\n", r"line 3: Overall 'nan' is not a number"),
        ("pair_id,text1,text2,Overall\n1,a,b,1\n2,a,b,high\n", r"line 3: Overall 'high' is not a number"),
    ],
)
def test_a_bad_pairs_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "pairs", str(path)])
    assert result.exit_code != 0
    assert re.search(message, str(result.exception)), result.exception


def test_a_pairs_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = pairs_file(tmp_path, (FIRE, FIRE2, 1.0), (FIRE, MATCH, 4.0), (MATCH, MATCH, 1.0))
    path.write_text("\ufeff" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "pairs", str(path)])
    assert result.exit_code == 0, result.output
