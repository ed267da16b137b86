"""The SPARQL 1.1 Protocol, as the server speaks it: content negotiation, result formats, refusals.

Nothing here opens a socket: these are the pure functions the server and its
query workers share. A worker runs a query with :func:`answer` and sends back a
:class:`Reply` (status, media type, body), already serialized, so the HTTP
process only copies bytes.

Result formats: SELECT and ASK as SPARQL JSON, XML, CSV or TSV; CONSTRUCT and
DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML. The ``Accept`` header
chooses, or a ``format`` (or ``output``) parameter, which wins because browsers
and some clients cannot set headers.

Refusals (SPARQL Update, SERVICE) are decided on the parsed query by
:mod:`allkg.readonly`, in the worker that would run it; the worker itself cannot
open a network connection (:mod:`allkg.sandbox`).

>>> choose_format("results", "text/*", [])
'tsv'
>>> choose_format("graph", "application/sparql-results+json", [])  # what rdflib's SPARQLStore sends for CONSTRUCT
'turtle'
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from allkg.results import QueryResult, to_sparql_csv, to_sparql_json

RESULT_FORMATS = {  # format -> media type sent back
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
OX_GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
# Media types a client may ask for (in its Accept header, or as a format parameter) -> our format.
# In order of preference: a wildcard (``text/*``) takes the first type it covers, so TSV (terms kept typed) comes
# before CSV, and both before JSON and XML sent as text/javascript and text/xml.
RESULT_MEDIA = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml",
    "text/tab-separated-values": "tsv", "text/csv": "csv", "text/javascript": "json", "text/xml": "xml",
}
GRAPH_MEDIA = {
    "text/turtle": "turtle", "application/turtle": "turtle", "application/x-turtle": "turtle", "text/n3": "turtle",
    "text/rdf+n3": "turtle", "application/n3": "turtle", "application/n-triples": "ntriples", "text/plain": "ntriples",
    "application/ld+json": "jsonld", "application/x-json+ld": "jsonld", "application/rdf+xml": "rdfxml",
}
FORMAT_NAMES = {  # short names of the format parameter; json and xml mean JSON-LD and RDF/XML for graphs
    "json": ("json", "jsonld"), "srj": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "srx": ("xml", "rdfxml"),
    "csv": ("csv", None), "tsv": ("tsv", None), "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "turtle"),
    "ntriples": (None, "ntriples"), "nt": (None, "ntriples"), "n-triples": (None, "ntriples"),
    "jsonld": ("json", "jsonld"), "json-ld": ("json", "jsonld"), "rdfxml": ("xml", "rdfxml"), "rdf+xml": ("xml", "rdfxml"),
}
@dataclass
class Reply:
    """An HTTP answer made in a worker: status, media type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: dict = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"))


class NotAcceptable(ValueError):
    """No format the client accepts fits the result."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Return the media ranges of an Accept header with their q-values, best first (order kept among equals)."""
    ranges = []
    for position, item in enumerate((header or "").split(",")):
        parts = [part.strip() for part in item.split(";")]
        if not parts[0]:
            continue
        quality = 1.0
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((parts[0].lower(), quality, position))
    return [(media, quality) for media, quality, _ in sorted(ranges, key=lambda r: (-r[1], r[2]))]


def negotiate(offers: dict[str, str], accept: str | None, default: str) -> str | None:
    """Return the offered format the Accept header prefers (``default`` for none or ``*/*``), None if none fits.

    ``offers`` maps media types to formats, in order of preference.
    """
    ranges = parse_accept(accept)
    if not ranges:
        return default
    best, best_quality = None, 0.0
    for media, quality in ranges:
        if quality <= best_quality:
            continue
        if media in ("*/*", "*"):
            best, best_quality = default, quality
        elif media.endswith("/*"):
            match = next((fmt for offered, fmt in offers.items() if offered.startswith(media[:-1])), None)
            if match:
                best, best_quality = match, quality
        elif media in offers:
            best, best_quality = offers[media], quality
    return best


def choose_format(kind: str, accept: str | None, requested: list[str]) -> str:
    """Return the format for a result of ``kind`` ("results" or "graph"): the format parameter, else the Accept header."""
    offers, default = (RESULT_MEDIA, "json") if kind == "results" else (GRAPH_MEDIA, "turtle")
    for value in requested:
        value = value.strip().lower()
        if value in FORMAT_NAMES:
            chosen = FORMAT_NAMES[value][0 if kind == "results" else 1]
            if chosen:
                return chosen
        elif value.split(";")[0] in offers:
            return offers[value.split(";")[0]]
    chosen = negotiate(offers, accept, default)
    if chosen is None and kind == "graph" and negotiate(RESULT_MEDIA, accept, "json"):
        return "turtle"  # a client that asks every query for SPARQL results (rdflib's SPARQLStore) reads the media type
    if chosen is None:
        wanted = ", ".join(dict.fromkeys(offers))
        raise NotAcceptable(f"none of the accepted types ({accept}) fits a {'graph' if kind == 'graph' else 'SELECT or ASK'} result; offered: {wanted}")
    return chosen


# ------------------------------------------------------------------------------------------- serialization


# XML 1.0 cannot carry these characters at all, not even as character references (its Char production).
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class NotRepresentable(NotAcceptable):
    """The answer holds a character that the requested format (XML) cannot carry."""


def check_xml_text(text: str, where: str) -> None:
    """Raise NotRepresentable if ``text`` holds a character XML 1.0 forbids (a C0 control other than tab, LF, CR)."""
    bad = XML_FORBIDDEN.search(text)
    if bad:
        raise NotRepresentable(
            f"{where} holds the control character U+{ord(bad.group()):04X}, which XML 1.0 cannot carry; ask for "
            "SPARQL JSON, CSV or TSV (or, for a graph, Turtle, N-Triples or JSON-LD), which carry it exactly")


def xml_text(text: str, where: str) -> str:
    """Return ``text`` escaped as XML character data; a carriage return becomes ``&#13;``.

    A raw CR would be read back as a newline: XML parsers turn CR and CR LF into LF (XML 1.0, 2.11).
    """
    check_xml_text(text, where)
    return escape(text, {"\r": "&#13;"})


def _xml_term(term, where: str = "a value") -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_text(term.value, where)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_text(term.value, where)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{xml_text(term.value, where)}</literal>"
    if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{xml_text(term.value, where)}</literal>"
    return f"<literal>{xml_text(term.value, where)}</literal>"


def to_sparql_xml(result: QueryResult) -> str:
    """Return the SPARQL Query Results XML document; raise NotRepresentable for a character XML 1.0 forbids."""
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
    out.write("".join(f"<variable name={quoteattr(column)}/>" for column in result.columns))
    out.write("</head>\n")
    if result.boolean is not None:
        out.write(f"<boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n")
        return out.getvalue()
    out.write("<results>\n")
    for number, row in enumerate(result.terms, start=1):
        cells = "".join(f"<binding name={quoteattr(column)}>{_xml_term(term, f'?{column} of row {number}')}</binding>"
                        for column, term in zip(result.columns, row) if term is not None)
        out.write(f"<result>{cells}</result>\n")
    out.write("</results>\n</sparql>\n")
    return out.getvalue()


def to_sparql_tsv(result: QueryResult) -> str:
    """Return the SPARQL Query Results TSV document (terms in Turtle syntax)."""
    if result.boolean is not None:
        return f"?boolean\n{'true' if result.boolean else 'false'}\n"
    lines = ["\t".join(f"?{column}" for column in result.columns)]
    for row in result.terms:  # pyoxigraph writes terms in N-Triples syntax; a tab in a literal must be escaped too
        lines.append("\t".join("" if term is None else str(term).replace("\t", "\\t") for term in row))
    return "\n".join(lines) + "\n"


def serialize_results(result: QueryResult, fmt: str) -> bytes:
    """Return a SELECT or ASK result in one of RESULT_FORMATS."""
    writers = {"json": to_sparql_json, "xml": to_sparql_xml, "csv": to_sparql_csv, "tsv": to_sparql_tsv}
    return writers[fmt](result).encode("utf-8")


def serialize_graph(triples: list, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Return triples in one of GRAPH_FORMATS (Turtle with the project's prefixes)."""
    if fmt == "rdfxml":
        for number, triple in enumerate(triples, start=1):
            for term in (triple.subject, triple.predicate, triple.object):
                check_xml_text(term.value, f"triple {number}")
    body = ox.serialize(triples, format=OX_GRAPH_FORMATS[fmt], prefixes=prefixes if fmt in ("turtle", "rdfxml") else None)
    if fmt == "rdfxml":
        # pyoxigraph writes a CR in a literal raw, and XML parsers read a raw CR back as LF. In UTF-8 the byte 0x0D
        # is always a CR, and in an RDF/XML document it can only stand in character data or an attribute value,
        # where the character reference means exactly the same character: the swap is exact, not a heuristic.
        body = body.replace(b"\r", b"&#13;")
    return body


# ---------------------------------------------------------------------------------------------- answering


def truncation_headers(limit: int) -> dict[str, str]:
    return {"X-Allkg-Truncated": "true", "X-Allkg-Max-Rows": str(limit)}


def answer(store: ox.Store, text: str, accept: str | None, requested: list[str], base_iri: str | None = None,
           dataset: tuple = ((), ()), *, max_rows: int, prefixes: dict[str, str], sandboxed: bool = False) -> Reply:
    """Run a SPARQL query on ``store`` and return the serialized reply (400 with the position on a syntax error).

    ``dataset``: the IRIs of the protocol's ``default-graph-uri`` and ``named-graph-uri`` parameters (graphs of
    the store: the project's graph is the store's default graph; nothing is ever fetched).

    Updates and SERVICE are refused (403) by the parsed query; a text rdflib cannot parse runs only if
    ``sandboxed`` (this process cannot open a network connection). Relative IRIs resolve against ``base_iri``.
    At most ``max_rows`` rows (or triples) are read; a longer answer is cut there and says so in the
    ``X-Allkg-Truncated`` header (and, in SPARQL JSON, in an ``allkg`` member beside ``head``).
    """
    from allkg.queries import QueryError, _syntax_error
    from allkg.readonly import SERVICE_MESSAGE, UPDATE_MESSAGE, is_update, refusal

    refused = refusal(text)
    if refused and (refused.kind != "unchecked" or not sandboxed):
        why = refused.message if refused.kind != "unchecked" else (
            f"this query could not be checked for SERVICE ({refused.message}) and this server has no network sandbox")
        return Reply.text(403, f"this endpoint is read-only: {why}")
    try:
        default_graphs, named_graphs = ([ox.NamedNode(iri) for iri in iris] or None for iris in dataset)
    except ValueError as error:
        return Reply.text(400, f"default-graph-uri and named-graph-uri take IRIs: {error}")
    try:
        result = store.query(text, prefixes=prefixes, base_iri=base_iri, default_graph=default_graphs, named_graphs=named_graphs)
        if isinstance(result, ox.QueryBoolean):
            fmt = choose_format("results", accept, requested)
            return Reply(200, RESULT_FORMATS[fmt], serialize_results(QueryResult([], boolean=bool(result)), fmt))
        kind = "results" if isinstance(result, ox.QuerySolutions) else "graph"
        fmt = choose_format(kind, accept, requested)
        items, truncated = [], False
        for item in result:  # rows are produced lazily: stop reading once the cap is passed
            if len(items) == max_rows:
                truncated = True
                break
            items.append(item)
    except SyntaxError as error:
        if is_update(text):
            return Reply.text(403, f"this endpoint is read-only: {UPDATE_MESSAGE}")
        return Reply.text(400, str(_syntax_error(str(error), text, "query")))
    except NotAcceptable as error:
        return Reply.text(406, str(error))
    except PermissionError:  # the sandbox stopped a connection a query the parser could not read tried to open
        return Reply.text(403, f"this endpoint is read-only: {SERVICE_MESSAGE}")
    except (RuntimeError, OSError, ValueError) as error:
        return Reply.text(400, str(QueryError(f"query: {error}")))
    headers = truncation_headers(max_rows) if truncated else {}
    try:  # 406 rather than a 200 whose XML body no parser accepts, or another format than the one asked for
        if kind == "graph":
            return Reply(200, GRAPH_FORMATS[fmt], serialize_graph(items, fmt, prefixes), headers)
        columns = [variable.value for variable in result.variables]
        table = QueryResult(columns, [tuple(solution[i] for i in range(len(columns))) for solution in items])
        body = serialize_results(table, fmt)
    except NotRepresentable as error:
        return Reply.text(406, str(error))
    if truncated and fmt == "json":
        document = json.loads(body)
        document["allkg"] = {"truncated": True, "max_rows": max_rows}
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return Reply(200, RESULT_FORMATS[fmt], body, headers)


def service_description(endpoint: str, triples: int, accept: str | None, settings: dict[str, object]) -> Reply:
    """Return the SPARQL 1.1 Service Description of the endpoint (Turtle unless another RDF format is asked for)."""
    sd, formats = "http://www.w3.org/ns/sparql-service-description#", "http://www.w3.org/ns/formats/"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service, dataset, graph = ox.NamedNode(endpoint), ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    def node(local: str):
        return ox.NamedNode(sd + local)

    triples_out = [
        ox.Triple(service, rdf_type, node("Service")),
        ox.Triple(service, node("endpoint"), service),
        ox.Triple(service, node("supportedLanguage"), node("SPARQL11Query")),
        ox.Triple(service, node("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, node("Dataset")),
        ox.Triple(dataset, node("defaultGraph"), graph),
        ox.Triple(graph, rdf_type, node("Graph")),
        ox.Triple(graph, ox.NamedNode("http://rdfs.org/ns/void#triples"), ox.Literal(str(triples), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ox.Triple(service, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("allkg: the acute lymphoblastic leukemia therapy knowledge graph")),
        ox.Triple(service, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
            "Read-only (SPARQL Update and SERVICE are refused); "
            + "; ".join(f"{name} {value}" for name, value in settings.items())
            + ". For research and education only; not for treating patients.")),
    ]
    for local in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples_out.append(ox.Triple(service, node("resultFormat"), ox.NamedNode(formats + local)))
    try:
        fmt = choose_format("graph", accept, [])
    except NotAcceptable as error:
        return Reply.text(406, str(error))
    return Reply(200, GRAPH_FORMATS[fmt], serialize_graph(triples_out, fmt, {"sd": sd, "void": "http://rdfs.org/ns/void#"}))
