"""bench/results.md is shared: a run replaces its own rows and keeps everyone else's."""

from __future__ import annotations

from bench.results import Row, merge_notes, merge_rows, read_rows


def test_rows_merge_by_benchmark_name(tmp_path):
    path = tmp_path / "results.md"
    merge_rows([Row("Seed", "300 s", "under 10 min"), Row("Public page", "900 req/s | p99 40 ms")], path)
    merge_rows([Row("Seed", "280 s", "under 10 min"), Row("Queues", "p95 60 ms")], path)

    rows, _ = read_rows(path)
    assert [(r.benchmark, r.figure) for r in rows] == [
        ("Seed", "280 s"),
        ("Public page", "900 req/s | p99 40 ms"),  # a pipe inside a cell survives the round trip
        ("Queues", "p95 60 ms"),
    ]
    assert all(r.machine.endswith("cores") and r.date for r in rows)


def test_several_rows_of_one_benchmark_replace_all_of_its_old_rows(tmp_path):
    path = tmp_path / "results.md"
    merge_rows([Row("A", "1"), Row("B", "2"), Row("A", "3")], path)
    merge_rows([Row("A", "4")], path)
    assert [(r.benchmark, r.figure) for r in read_rows(path)[0]] == [("A", "4"), ("B", "2")]


def test_notes_below_the_table_are_kept_and_merged_by_heading(tmp_path):
    path = tmp_path / "results.md"
    merge_rows([Row("A", "1")], path)
    merge_notes("Transitions", "The chain head limits it.", path)
    merge_notes("Public page", "Cached HTML.", path)
    merge_rows([Row("A", "2")], path)
    merge_notes("Transitions", "Updated analysis.", path)

    text = path.read_text()
    assert "Updated analysis." in text and "The chain head limits it." not in text
    assert "## Public page\n\nCached HTML." in text
    assert read_rows(path)[0][0].figure == "2"


def test_a_family_of_rows_is_replaced_whole_so_renamed_rows_do_not_linger(tmp_path):
    path = tmp_path / "results.md"
    merge_rows(
        [Row("Seed", "300 s"), Row("Transitions: 8 workers", "5/s"), Row("Transitions: old", "x")], path
    )
    merge_rows([Row("Queues", "60 ms")], path)
    merge_rows([Row("Transitions: 8 workers, one specialty", "6/s")], path, family="Transitions:")
    assert [r.benchmark for r in read_rows(path)[0]] == [
        "Seed",
        "Transitions: 8 workers, one specialty",
        "Queues",
    ]
