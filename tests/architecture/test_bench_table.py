"""The README's performance table is generated from the committed results file, exactly."""

from __future__ import annotations

import json

from bench import readme_table


def test_readme_table_is_what_the_results_file_says() -> None:
    results = json.loads(readme_table.RESULTS.read_text(encoding="utf-8"))
    readme = readme_table.README.read_text(encoding="utf-8")
    assert readme_table.section(readme) == readme_table.table(results)


def test_results_file_has_every_benchmark_of_make_bench() -> None:
    results = json.loads(readme_table.RESULTS.read_text(encoding="utf-8"))
    assert set(results["benchmarks"]) == set(readme_table.SECTIONS)
