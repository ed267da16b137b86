"""Read the curated TSV tables of ``graph/`` and report malformed input precisely.

Every problem names file, line and column (1-based, columns counted as TSV
fields) so that a reviewer can jump straight to it. Reading collects all
problems of a table before raising, so one run shows everything to fix.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One defect in the curated input, located to the cell."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class CurationError(ValueError):
    """Raised when curated input is malformed; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        shown = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the curated tables:\n{shown}{more}")


@dataclass(frozen=True)
class Row:
    """One data row of a TSV table, with the position of each of its cells."""

    file: str
    line: int
    values: dict[str, str]
    columns: dict[str, int] = field(repr=False)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def problem(self, column_name: str, message: str) -> Problem:
        """Return a problem located at this row's cell in ``column_name``."""
        return Problem(self.file, self.line, self.columns.get(column_name, 1), message)


@dataclass(frozen=True)
class Table:
    """A parsed TSV table: its header and rows."""

    file: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]


def display_path(path: Path) -> str:
    """Show paths relative to the working directory when possible, as editors expect."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_table(
    path: Path,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    allow_extra: bool = False,
) -> tuple[Table, list[Problem]]:
    """Parse one TSV file and check its shape; return the table and the problems found.

    Lines starting with ``#`` are comments. Fields are separated by single tabs
    and never quoted; leading or trailing spaces in a cell are reported, since
    they make identifiers silently differ.
    """
    name = display_path(path)
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return Table(name, (), ()), [Problem(name, 1, 1, f"not UTF-8 text: {error}")]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    numbered = [(i + 1, line.rstrip("\r")) for i, line in enumerate(lines) if not line.startswith("#")]
    if not numbered:
        return Table(name, (), ()), [Problem(name, 1, 1, "empty table: a header line is required")]
    header_line, header_text = numbered[0]
    header = tuple(header_text.split("\t"))
    known = set(required) | set(optional)
    for index, column in enumerate(header, start=1):
        if column not in known and not allow_extra:
            suggestion = _suggest(column, sorted(known))
            problems.append(Problem(name, header_line, index, f"unknown column {column!r}{suggestion}"))
        if header.count(column) > 1 and header.index(column) + 1 == index:
            problems.append(Problem(name, header_line, index, f"column {column!r} appears twice"))
    for column in required:
        if column not in header:
            problems.append(Problem(name, header_line, 1, f"missing required column {column!r}"))
    columns = {column: index for index, column in enumerate(header, start=1)}
    rows: list[Row] = []
    for line_number, line in numbered[1:]:
        if not line.strip():
            problems.append(Problem(name, line_number, 1, "blank line inside the table"))
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            column = min(len(cells), len(header)) + 1 if len(cells) < len(header) else len(header) + 1
            problems.append(
                Problem(name, line_number, column, f"expected {len(header)} tab-separated fields, found {len(cells)}")
            )
            continue
        for index, cell in enumerate(cells, start=1):
            if cell != cell.strip():
                problems.append(Problem(name, line_number, index, f"leading or trailing whitespace in {cell!r}"))
        values = {column: cell.strip() for column, cell in zip(header, cells)}
        rows.append(Row(name, line_number, values, columns))
    return Table(name, header, tuple(rows)), problems


def _suggest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def suggest(word: str, candidates) -> str:
    """Return a ' (did you mean ...?)' hint for an unknown name, or ''."""
    return _suggest(word, sorted(candidates))
