"""Query results: rows for Python, a DataFrame for pandas, and the output formats of ``allkg query``.

A result keeps the engine's own terms (pyoxigraph's, or rdflib's when a plain
rdflib graph answered) and converts them only when asked: turning every term
into an rdflib term would cost more than the query itself.

Formats: ``json`` and ``csv`` are the SPARQL 1.1 query results formats (for
programs and other SPARQL tools); ``table``, ``md`` and ``tsv`` are for people
and spreadsheets, with IRIs shortened to CURIEs with the project's prefix map.
"""

from __future__ import annotations

import csv
import io
import json
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from itertools import islice

import pyoxigraph as ox

from allkg.resources import data_path

FORMATS = ("table", "csv", "tsv", "json", "md")
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
PREFIXES_FILE = data_path("ontology") / "prefixes.json"


@lru_cache(maxsize=1)
def _prefixes_longest_first() -> list[tuple[str, str]]:
    # Read here rather than through allkg.vocab, which imports rdflib (slow to start).
    prefixes = json.loads(PREFIXES_FILE.read_text(encoding="utf-8"))
    return sorted(((namespace, prefix) for prefix, namespace in prefixes.items()), key=lambda item: -len(item[0]))


def shorten(iri: str) -> str:
    """Return ``iri`` as a CURIE with the project's prefix map, or unchanged if no prefix fits.

    >>> shorten("https://w3id.org/allkg/drug/imatinib")
    'drug:imatinib'
    """
    for namespace, prefix in _prefixes_longest_first():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def term_parts(term) -> tuple[str, str, str | None, str | None] | None:
    """Return (kind, value, datatype, language) of a pyoxigraph or rdflib term; kind is uri, literal or bnode."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    kind = type(term).__name__  # an rdflib term (rdflib is not imported here: it is slow to import)
    if kind == "Literal":
        datatype = str(term.datatype) if term.datatype else (RDF_LANG_STRING if term.language else XSD + "string")
        return ("literal", str(term), datatype, term.language)
    return ("bnode" if kind == "BNode" else "uri", str(term), None, None)


def python_value(term):
    """Return a plain Python value for a term: IRIs as strings, literals as str/int/Decimal/float/bool/date."""
    parts = term_parts(term)
    if parts is None:
        return None
    kind, value, datatype, _ = parts
    if kind != "literal" or not datatype or not datatype.startswith(XSD):
        return value
    local = datatype[len(XSD):]
    try:
        if local in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"):
            return int(value)
        if local == "decimal":
            return Decimal(value)
        if local in ("double", "float"):
            return float(value)
        if local == "boolean":
            return value in ("true", "1")
        if local == "date":
            return date.fromisoformat(value)
    except ValueError:
        pass  # an ill-typed literal is shown as written
    return value


def display(term) -> str:
    """Return a term as a person reads it: a CURIE for an IRI, the text of a literal, '' when unbound."""
    parts = term_parts(term)
    if parts is None:
        return ""
    kind, value, _, language = parts
    if kind == "uri":
        return shorten(value)
    if kind == "bnode":
        return f"_:{value}"
    return value


@dataclass
class QueryResult:
    """The answer to a query: ``columns`` and rows (SELECT), a ``boolean`` (ASK), or ``triples`` (CONSTRUCT/DESCRIBE)."""

    columns: list[str]
    terms: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    name: str = "query"
    offset: int | None = None  # a page of the answer (limit or offset given): the rows skipped before these; None: the whole answer
    more: bool = False  # a page: whether the answer goes on after these rows (known without reading the rest)

    def __repr__(self) -> str:
        shape = (f"{self.boolean}" if self.boolean is not None else f"{len(self.terms)} rows x {len(self.columns)} columns ({', '.join(self.columns[:6])}{', ...' if len(self.columns) > 6 else ''})")
        page = f", {self.page_note()}" if self.offset is not None else ""
        return f"<QueryResult {self.name}: {shape}{page}>"

    def page_note(self, next_page: str = "offset {next}") -> str | None:
        """Say which rows of the answer a page holds and whether more follow; None for a whole answer.

        ``next_page`` says how to ask for the next page, with ``{next}`` standing for its offset.

        >>> QueryResult(["x"], [("a",), ("b",)], offset=100, more=True).page_note()
        'rows 101-102 of a longer answer; offset 102 for the next page'
        """
        if self.offset is None:
            return None
        first, last = self.offset + 1, self.offset + len(self.terms)
        if self.more:
            return f"rows {first}-{last} of a longer answer; {next_page.format(next=last)} for the next page"
        if not self.terms:
            return f"no rows: the answer has {self.offset} rows or fewer" if self.offset else "no rows"
        return f"rows {first}-{last}, the end of the answer"

    def _repr_html_(self) -> str:
        """Show the first rows as an HTML table in Jupyter (values escaped by pandas)."""
        if self.boolean is not None:
            return f"<p>{self.boolean}</p>"
        frame = self.to_dataframe()
        more = f"<p>{len(frame)} rows; the first 50 shown</p>" if len(frame) > 50 else ""
        return frame.head(50).to_html(escape=True, index=False) + more

    def __len__(self) -> int:
        return len(self.terms) if self.boolean is None else int(self.boolean)

    def __bool__(self) -> bool:
        return bool(self.terms) if self.boolean is None else self.boolean

    def __iter__(self):
        return iter(self.rows)

    @cached_property
    def rows(self) -> list[tuple]:
        """Rows as named tuples of plain Python values (IRIs as full IRI strings)."""
        row_type = namedtuple("Row", self.columns, rename=True)
        return [row_type(*(python_value(term) for term in row)) for row in self.terms]

    def column(self, name: str) -> list:
        """Return the Python values of one column."""
        index = self.columns.index(name)
        return [python_value(row[index]) for row in self.terms]

    def to_dataframe(self, curies: bool = True):
        """Return the rows as a pandas DataFrame (IRIs as CURIEs unless ``curies=False``); needs pandas."""
        try:
            import pandas
        except ImportError as error:  # pandas is optional
            raise ImportError("to_dataframe() needs pandas: pip install pandas") from error
        convert = (lambda term: display(term) if term_parts(term) and term_parts(term)[0] == "uri" else python_value(term)) if curies else python_value
        return pandas.DataFrame([[convert(term) for term in row] for row in self.terms], columns=self.columns)

    def serialize(self, format: str = "tsv") -> str:
        """Return the result as text in one of FORMATS except ``table`` (use :func:`rich_table`)."""
        if format == "json":
            return to_sparql_json(self)
        if format == "csv":
            return to_sparql_csv(self)
        if format == "tsv":
            return to_tsv(self)
        if format == "md":
            return to_markdown(self)
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(f for f in FORMATS if f != 'table')}")


def take_page(rows, limit: int | None, offset: int) -> tuple[list, bool]:
    """Return the rows of a page of ``rows`` (an iterable in the answer's order) and whether more follow.

    The page is the ``limit`` rows (None: all) after the first ``offset``: the answer's own order (ORDER BY) and its
    own LIMIT and OFFSET stand, since the page is cut from the answer as the engine gives it. Rows are read lazily
    and at most one past the page (to tell whether more follow), so an engine that streams (Oxigraph does, but
    for ORDER BY, which must see every row first) stops working there; the whole answer is never counted.

    >>> take_page(iter("abcde"), 2, 1)
    (['b', 'c'], True)
    >>> take_page(iter("abcde"), 2, 3)
    (['d', 'e'], False)
    """
    if limit is None:
        return list(islice(rows, offset, None)), False
    kept = list(islice(rows, offset, offset + limit + 1))
    return kept[:limit], len(kept) > limit


def paged(columns: list[str], rows, name: str, limit: int | None = None, offset: int = 0) -> QueryResult:
    """Return a QueryResult of ``rows`` (an iterable, read lazily), only the page if a limit or offset is given."""
    if limit is None and not offset:
        return QueryResult(columns, list(rows), name=name)
    kept, more = take_page(rows, limit, offset)
    return QueryResult(columns, kept, name=name, offset=offset, more=more)


def _json_term(term) -> dict | None:
    parts = term_parts(term)
    if parts is None:
        return None
    kind, value, datatype, language = parts
    if kind != "literal":
        return {"type": kind, "value": value}
    out = {"type": "literal", "value": value}
    if language:
        out["xml:lang"] = language
    elif datatype and datatype != XSD + "string":
        out["datatype"] = datatype
    return out


def to_sparql_json(result: QueryResult) -> str:
    """Return the SPARQL 1.1 Query Results JSON document."""
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}, indent=1) + "\n"
    bindings = []
    for row in result.terms:
        binding = {}
        for column, term in zip(result.columns, row):
            value = _json_term(term)
            if value is not None:
                binding[column] = value
        bindings.append(binding)
    return json.dumps({"head": {"vars": result.columns}, "results": {"bindings": bindings}}, indent=1, ensure_ascii=False) + "\n"


def to_sparql_csv(result: QueryResult) -> str:
    """Return the SPARQL 1.1 Query Results CSV document (full IRIs, lexical forms, CRLF lines)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.boolean is not None:
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.columns)
    for row in result.terms:
        cells = []
        for term in row:
            parts = term_parts(term)
            cells.append("" if parts is None else (f"_:{parts[1]}" if parts[0] == "bnode" else parts[1]))
        writer.writerow(cells)
    return buffer.getvalue()


def _cells(result: QueryResult) -> tuple[list[str], list[list[str]]]:
    if result.boolean is not None:
        return ["answer"], [["yes" if result.boolean else "no"]]
    return result.columns, [[display(term) for term in row] for row in result.terms]


def to_tsv(result: QueryResult) -> str:
    """Return tab-separated cells as people read them (CURIEs, literal text); tabs and newlines in text become spaces."""
    columns, rows = _cells(result)
    clean = lambda cell: " ".join(cell.split("\t")).replace("\n", " ")  # noqa: E731
    return "".join("\t".join(clean(cell) for cell in line) + "\n" for line in [columns, *rows])


def to_markdown(result: QueryResult) -> str:
    """Return a Markdown table (pipes in cells escaped)."""
    columns, rows = _cells(result)
    clean = lambda cell: cell.replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(clean(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def rich_table(result: QueryResult, title: str | None = None, caption: str | None = None):
    """Return a rich Table of the result, for the terminal; ``caption`` (default: the number of rows) goes below it."""
    from rich.table import Table
    from rich.text import Text

    columns, rows = _cells(result)
    table = Table(*columns, title=title, caption=caption or f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
    for row in rows:
        table.add_row(*(Text(cell, overflow="fold") for cell in row))  # Text, not str: rich would read "[...]" in a label as markup
    return table
