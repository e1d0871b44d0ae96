"""The table of figures in ``bench/results.md``, merged row by row.

Several benchmarks, written by different people and run at different times,
share one file. A run replaces only the rows whose benchmark name it measured
again and keeps every other row as it was, so a partial run never erases
figures it did not measure. Free text outside the table (the notes below it)
is kept too.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

RESULTS_PATH = Path(__file__).resolve().parent / "results.md"
COLUMNS = ("Benchmark", "Figure", "Goal", "Machine", "Date")
TITLE = "# Benchmark results"
INTRO = (
    "Measured by the scripts in `bench/` (`make bench` runs them all). Each run replaces the rows of "
    "the benchmarks it measured and keeps the others, so dates can differ between rows. Figures "
    "that miss their goal stay here with what limits them."
)
TABLE_START = "<!-- results:start -->"
TABLE_END = "<!-- results:end -->"


@dataclass(frozen=True)
class Row:
    benchmark: str  # the merge key: keep it stable between runs
    figure: str
    goal: str = ""
    machine: str = ""  # filled in by merge_rows when left empty
    date: str = ""  # likewise

    def cells(self) -> tuple[str, ...]:
        return (self.benchmark, self.figure, self.goal, self.machine, self.date)


def machine() -> str:
    """The machine as the table names it: its core count (what most figures scale with)."""
    return f"{os.cpu_count()} cores"


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ").strip()


def _unescape(cell: str) -> str:
    return cell.replace("\\|", "|").strip()


def _split_row(line: str) -> list[str]:
    # Split on pipes that are not escaped.
    cells, current, escaped = [], [], False
    for char in line.strip().strip("|"):
        if char == "|" and not escaped:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        escaped = char == "\\" and not escaped
    cells.append("".join(current))
    return [_unescape(c) for c in cells]


def read_rows(path: Path = RESULTS_PATH) -> tuple[list[Row], str]:
    """The rows of the table and the free text after it."""
    if not path.exists():
        return [], ""
    text = path.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        return [], ""
    table = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    notes = text.split(TABLE_END, 1)[1].strip("\n")
    rows = []
    for line in table.splitlines():
        if not line.startswith("|"):
            continue
        cells = _split_row(line)
        if cells[: len(COLUMNS)] == list(COLUMNS) or set("".join(cells)) <= set("-: "):
            continue  # the header or the separator
        cells += [""] * (len(COLUMNS) - len(cells))
        rows.append(Row(*cells[: len(COLUMNS)]))
    return rows, notes


def render(rows: Iterable[Row], notes: str = "") -> str:
    lines = [TITLE, "", INTRO, "", TABLE_START]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
    lines += ["| " + " | ".join(_escape(c) for c in row.cells()) + " |" for row in rows]
    lines.append(TABLE_END)
    if notes.strip():
        lines += ["", notes.strip("\n")]
    return "\n".join(lines) + "\n"


def merge_rows(
    new_rows: Iterable[Row], path: Path = RESULTS_PATH, *, family: str = "", notes: str | None = None
) -> None:
    """Write ``new_rows`` into the table: same benchmark name replaces, others are kept.

    With ``family`` (a name prefix such as ``"Transitions:"``) every old row of that
    family goes too, so a benchmark that renames or drops one of its rows leaves no
    stale figure behind; the new rows take the family's first place. A new
    benchmark's rows go at the end, in the order given. ``notes`` (markdown)
    replaces the free text below the table when given.
    """
    today = datetime.date.today().isoformat()
    new = [Row(r.benchmark, r.figure, r.goal, r.machine or machine(), r.date or today) for r in new_rows]
    rows, old_notes = read_rows(path)
    replaced = {r.benchmark for r in new}
    merged: list[Row] = []
    placed: set[str] = set()
    for row in rows:
        if family and row.benchmark.startswith(family):
            if not placed:
                merged += [r for r in new if r.benchmark.startswith(family)]
                placed |= {r.benchmark for r in new if r.benchmark.startswith(family)}
            continue
        if row.benchmark in replaced:
            if row.benchmark not in placed:  # the new rows take the old one's place
                merged += [r for r in new if r.benchmark == row.benchmark]
                placed.add(row.benchmark)
            continue
        merged.append(row)
    merged += [r for r in new if r.benchmark not in placed]
    path.write_text(render(merged, old_notes if notes is None else notes), encoding="utf-8")


def merge_notes(heading: str, body: str, path: Path = RESULTS_PATH) -> None:
    """Replace (or add) one ``## heading`` section of the notes below the table."""
    rows, notes = read_rows(path)
    sections: list[tuple[str, str]] = []
    current_head, current = "", []
    for line in notes.splitlines():
        if line.startswith("## "):
            if current_head or "".join(current).strip():
                sections.append((current_head, "\n".join(current).strip("\n")))
            current_head, current = line[3:].strip(), []
        else:
            current.append(line)
    if current_head or "".join(current).strip():
        sections.append((current_head, "\n".join(current).strip("\n")))
    body = body.strip("\n")
    if any(head == heading for head, _ in sections):
        sections = [(head, body if head == heading else text) for head, text in sections]
    else:
        sections.append((heading, body))
    out = []
    for head, text in sections:
        out.append(f"## {head}\n\n{text}" if head else text)
    path.write_text(render(rows, "\n\n".join(out)), encoding="utf-8")
