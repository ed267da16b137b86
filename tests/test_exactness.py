"""Values arrive exactly as they left: a corpus of awkward literals through every output format and back.

Every SELECT result format (SPARQL JSON, XML, CSV, TSV) and every graph format
(Turtle, N-Triples, JSON-LD, RDF/XML) is written by the endpoint's own writers and
read back by a real parser (pyoxigraph's, and expat through rdflib for the XML
formats, since XML parsers turn a raw CR into LF). Characters that XML 1.0 cannot
carry give a clear 406 in the XML formats and round-trip in all others. Pushing a
user's file keeps each literal's lexical form, datatype and language tag.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.query import Result

from allkg import protocol
from allkg.cli import main
from allkg.results import QueryResult

XSD = "http://www.w3.org/2001/XMLSchema#"


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


# Text that XML 1.0 carries, some only as a character reference (CR).
PLAIN = [
    ox.Literal("line\nfeed"), ox.Literal("carriage\rreturn"), ox.Literal("crlf\r\nend"), ox.Literal("\r"), ox.Literal("tab\there"),
    ox.Literal("trailing space "), ox.Literal(""), ox.Literal('quote " apostrophe \' backslash \\'), ox.Literal("<tag> & ]]>"),
    ox.Literal("astral \U0001F600 \U0001D538 \U0010FFFD"), ox.Literal("edges \ud7ff \ue000 \ufffd \x7f \x85"),
    # Language tags: pyoxigraph lower-cases them on reading, as RDF 1.1 allows (they compare case-insensitively).
    ox.Literal("colour", language="en"), ox.Literal("color", language="en-us"), ox.Literal("Farbe", language="de-ch-1996"),
    typed("7", "short"), typed("1.50", "decimal"), typed("1.0E6", "double"), typed("01", "integer"), typed("1", "boolean"),
    typed("-0", "integer"), typed("+3.0e-2", "float"), typed("2026-12-02Z", "date"), typed("not a number", "integer"),
    typed("x", "string"), ox.Literal("custom", datatype=ox.NamedNode("urn:example:datatype")),
]
# Characters that XML 1.0 forbids even as references: every C0 control but tab, LF and CR.
CONTROLS = [ox.Literal(f"control {chr(code)} here") for code in (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
CORPUS = PLAIN + CONTROLS
RESULT_FORMATS = ["json", "xml", "csv", "tsv"]
GRAPH_FORMATS = ["turtle", "ntriples", "jsonld", "rdfxml"]
OX_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV}


def table(terms) -> QueryResult:
    return QueryResult(["value", "node"], [(term, ox.NamedNode("urn:example:n")) for term in terms])


def read_results(body: bytes, fmt: str) -> list:
    if fmt == "csv":  # CSV carries lexical forms only (SPARQL 1.1 CSV results)
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        return [row[0] for row in rows[1:]]
    if fmt == "xml":  # expat, as most clients; pyoxigraph's XML results reader trims trailing spaces of a literal
        return [oxigraph_term(row[0]) for row in exact_rdflib(lambda: list(Result.parse(io.BytesIO(body), format="xml")))]
    return [solution["value"] for solution in ox.parse_query_results(body, format=OX_RESULTS[fmt])]


def exact_rdflib(read):
    """Run ``read`` with rdflib keeping lexical forms (it turns "01"^^xsd:integer into "1" by default)."""
    import rdflib

    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return read()
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def oxigraph_term(term) -> ox.Literal:
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD + "string")))


@pytest.mark.parametrize("fmt", RESULT_FORMATS)
def test_every_literal_round_trips_through_every_results_format(fmt):
    terms = CORPUS if fmt != "xml" else PLAIN
    back = read_results(protocol.serialize_results(table(terms), fmt), fmt)
    assert back == ([term.value for term in terms] if fmt == "csv" else terms)


def test_xml_results_write_a_carriage_return_as_a_reference_and_expat_reads_it_back():
    body = protocol.serialize_results(table(PLAIN), "xml")
    assert b"\r" not in body and b"carriage&#13;return" in body
    values = [row[0] for row in exact_rdflib(lambda: list(Result.parse(io.BytesIO(body), format="xml")))]
    assert [str(value) for value in values] == [term.value for term in PLAIN]


@pytest.mark.parametrize("term", CONTROLS, ids=lambda term: f"U+{ord(term.value[8]):04X}")
def test_xml_results_refuse_a_character_xml_cannot_carry(term):
    with pytest.raises(protocol.NotRepresentable, match=f"U\\+{ord(term.value[8]):04X}.*XML 1.0 cannot carry.*JSON"):
        protocol.serialize_results(table([ox.Literal("fine"), term]), "xml")


def triples(terms) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"urn:example:s{number}"), ox.NamedNode("urn:example:p"), term) for number, term in enumerate(terms)]


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_every_literal_round_trips_through_every_graph_format(fmt):
    sent = triples(CORPUS if fmt != "rdfxml" else PLAIN)
    body = protocol.serialize_graph(sent, fmt, {"ex": "urn:example:"})
    back = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=protocol.OX_GRAPH_FORMATS[fmt])]
    assert sorted(map(str, back)) == sorted(map(str, sent))


def test_rdf_xml_writes_a_carriage_return_as_a_reference_and_expat_reads_it_back():
    from rdflib import Graph

    sent = triples(PLAIN)
    body = protocol.serialize_graph(sent, "rdfxml")
    assert b"\r" not in body
    graph = exact_rdflib(lambda: Graph().parse(data=body, format="xml"))
    by_subject = {str(s): o for s, _, o in graph}
    for triple in sent:
        back = by_subject[triple.subject.value]
        assert str(back) == triple.object.value
        assert (back.language or None) == triple.object.language


def test_rdf_xml_refuses_a_character_xml_cannot_carry():
    with pytest.raises(protocol.NotRepresentable, match="U\\+0001"):
        protocol.serialize_graph(triples([ox.Literal("a\x01b")]), "rdfxml")


@pytest.fixture(scope="module")
def corpus_store() -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples(CORPUS))
    return store


@pytest.mark.parametrize("fmt", RESULT_FORMATS + GRAPH_FORMATS)
def test_the_endpoint_answers_406_not_a_broken_200_for_controls_in_xml(corpus_store, fmt):
    kind = "SELECT ?s ?o WHERE { ?s ?p ?o }" if fmt in RESULT_FORMATS else "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    reply = protocol.answer(corpus_store, kind, None, [fmt], max_rows=10_000, prefixes={})
    if fmt in ("xml", "rdfxml"):
        assert reply.status == 406
        assert "XML 1.0 cannot carry" in reply.body.decode()
    else:
        assert reply.status == 200
    plain = protocol.answer(corpus_store, kind[: kind.rindex("}")] + "FILTER (!STRSTARTS(STR(?o), 'control')) }", None, [fmt], max_rows=10_000, prefixes={})
    assert plain.status == 200


@pytest.mark.parametrize("text", ['SELECT ("\\uD800" AS ?x) {}', 'SELECT ?x { BIND("a\\uDFFFb" AS ?x) }'])
def test_a_lone_surrogate_in_a_query_is_a_clean_400(corpus_store, text):
    reply = protocol.answer(corpus_store, text, None, [], max_rows=100, prefixes={})
    assert reply.status == 400


def test_a_lone_surrogate_cannot_become_a_term():
    with pytest.raises(ValueError):
        ox.Literal("a\ud800b")


# ------------------------------------------------------------------------------------------------ push


def write_corpus(path) -> list[ox.Triple]:
    sent = triples(CORPUS)
    path.write_bytes(ox.serialize(sent, format=ox.RdfFormat.N_TRIPLES))
    return sent


@pytest.mark.parametrize("suffix, fmt", [(".nt", ox.RdfFormat.N_TRIPLES), (".ttl", ox.RdfFormat.TURTLE), (".jsonld", ox.RdfFormat.JSON_LD)])
def test_a_pushed_file_keeps_every_literal_exactly(tmp_path, suffix, fmt):
    from allkg.store import exact_triples

    sent = triples(CORPUS)
    path = tmp_path / f"corpus{suffix}"
    path.write_bytes(ox.serialize(sent, format=fmt))
    assert sorted(map(str, exact_triples(path, inference=False))) == sorted(map(str, sent))


def test_entailment_keeps_literals_exactly(tmp_path):
    """A sub-property copies its literal to the super-property unchanged (prp-spo1 in the store)."""
    from allkg.store import exact_triples

    path = tmp_path / "sub.ttl"
    path.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<urn:sub> rdfs:subPropertyOf <urn:super> .\n"
        '<urn:s> <urn:sub> "1.50"^^xsd:decimal , "7"^^xsd:short , "1.0E6"^^xsd:double , "x"@en .\n', encoding="utf-8")
    objects = {str(t.object) for t in exact_triples(path) if t.predicate.value == "urn:super"}
    assert objects == {'"1.50"^^<http://www.w3.org/2001/XMLSchema#decimal>', '"7"^^<http://www.w3.org/2001/XMLSchema#short>',
                       '"1.0E6"^^<http://www.w3.org/2001/XMLSchema#double>', '"x"@en'}


def test_a_file_with_a_lone_surrogate_is_refused_cleanly(tmp_path):
    path = tmp_path / "surrogate.nt"
    path.write_text('<urn:a> <urn:b> "\\uD800" .\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["push", "--endpoint", "http://127.0.0.1:1/store", "--graph", str(path)])
    assert result.exit_code == 1 and "D800" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, SyntaxError)


def test_export_of_a_users_file_keeps_literals_exactly(tmp_path):
    import json

    import rdflib

    path = tmp_path / "user.ttl"
    path.write_text('@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<https://w3id.org/allkg/disease/x> '
                    '<http://www.w3.org/2000/01/rdf-schema#label> "x" ; <urn:example:rate> "1.50"^^xsd:decimal , "1.0E6"^^xsd:double , "7"^^xsd:short .\n',
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--format", "json", "--out", str(tmp_path / "out.json"), "--graph", str(path)])
    assert result.exit_code == 0, result.output
    text = json.dumps(json.loads((tmp_path / "out.json").read_text(encoding="utf-8")))
    assert "1.50" in text and "1.0E6" in text
    assert rdflib.NORMALIZE_LITERALS is True, "the switch is turned back on for everyone else"


def test_the_build_keeps_curated_literals_as_written(tmp_path):
    import shutil

    from allkg.build import serialize
    from allkg.curation import OntologyIndex, load_curation, load_ontology
    from allkg.rdfbuild import build_graph
    from allkg.vocab import GRAPH_DIR

    copy = tmp_path / "graph"
    shutil.copytree(GRAPH_DIR, copy)
    path = next(path for path in sorted((copy / "facts").glob("*.tsv")) if "\tproportionOfParent\t0.25\t" in path.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8").replace("\tproportionOfParent\t0.25\t", "\tproportionOfParent\t0.250\t"), encoding="utf-8")
    ontology = OntologyIndex(load_ontology())
    built = serialize(build_graph(load_curation(copy, ontology), ontology))
    assert b'"0.250"^^<http://www.w3.org/2001/XMLSchema#decimal>' in built["allkg.nt"]
