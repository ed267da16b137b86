"""Read the curated TSV tables of ``graph/`` and report malformed input precisely.

Every problem names file, line and column (1-based, columns counted as TSV
fields) so that a reviewer can jump straight to it. Reading collects all
problems of a table before raising, so one run shows everything to fix.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

# Curated tables are written and reviewed by hand (the whole of graph/ is well under 1 MB): a table this large
# is a mistake, and refusing it up front beats minutes of checking and gigabytes of problems.
MAX_TABLE_BYTES = 5 * 10**6
UTF8_BOM = b"\xef\xbb\xbf"
# C0 controls but tab (the field separator), and DEL: invisible in an editor, and XML 1.0 cannot carry most of them.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


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
    lines, problems = read_lines(path)
    numbered = [(i + 1, line) for i, line in enumerate(lines) if not line.startswith("#")]
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


def read_lines(path: Path) -> tuple[list[str], list[Problem]]:
    """Return the lines of a UTF-8 text file and the problems of its text itself, each at its real line and column.

    Only LF ends a line (a CR LF ending is accepted): a lone CR, a NUL or another control character is reported
    where it stands and never shifts the numbering of later lines. Bytes that are not UTF-8 are reported once per
    line and read as U+FFFD, so the rest of the file is still checked. A UTF-8 byte order mark is skipped.
    A table larger than MAX_TABLE_BYTES is refused before it is read.
    """
    name = display_path(path)
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        return [], [Problem(name, 1, 1, f"{size / 1e6:.1f} MB is more than a curated table may hold ({MAX_TABLE_BYTES // 10**6} MB): "
                                        "split it into several tables, or load bulk data another way")]
    data = path.read_bytes()
    if data.startswith(UTF8_BOM):  # some spreadsheet programs write one; it is not part of the header
        data = data[len(UTF8_BOM):]
    problems: list[Problem] = []
    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            column = raw[: error.start].count(b"\t") + 1
            problems.append(Problem(name, number, column, f"not UTF-8: byte 0x{raw[error.start]:02X} at byte {error.start + 1} of the line "
                                                          "(save the file as UTF-8)"))
            line = raw.decode("utf-8", "replace")
        for match in CONTROL_CHARACTER.finditer(line):
            column = line.count("\t", 0, match.start()) + 1
            what = "a carriage return (CR) inside the line" if match.group() == "\r" else f"the control character U+{ord(match.group()):04X}"
            problems.append(Problem(name, number, column, f"{what}; remove it"))
        lines.append(line)
    return lines, problems


def _suggest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def suggest(word: str, candidates) -> str:
    """Return a ' (did you mean ...?)' hint for an unknown name, or ''."""
    return _suggest(word, sorted(candidates))
