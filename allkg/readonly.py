"""Read-only SPARQL, decided on the parsed query: no update, no SERVICE.

A read-only endpoint must refuse SPARQL Update, and a federated query
(``SERVICE <url>``) because answering it means fetching from ``url``. Deciding
that with a regular expression over the text fails on what only a parser
reads correctly: escapes in prefixed names (``ex:a\\#`` is a name, not a
comment), ``\\u`` escapes of keywords, comments and strings. So the text is
parsed with rdflib's SPARQL 1.1 grammar and the parse tree is walked for a
``ServiceGraphPattern`` node wherever it sits (subqueries, EXISTS, OPTIONAL,
UNION, GRAPH, MINUS); a text that parses as an update (with at least one
operation) is refused as one.

rdflib's parser is not Oxigraph's: a few valid queries parse in one only (rdflib
reads ``ex:a\\#`` as a comment start). Such a text is reported as *unchecked*;
the caller runs it only where the engine cannot open a connection anyway (see
:mod:`allkg.sandbox`), and refuses it where that guarantee is missing. The
parser decides what we say; the sandbox decides what can happen.

>>> is_update("PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b 'DELETE' }")
True
>>> refusal("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://example.org/> { ?s ?p ?x } } }").kind
'service'
>>> refusal("PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a\\\\-delete ?o }") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

SERVICE_MESSAGE = "federated queries (SERVICE) are refused: allkg makes no outgoing requests"
UPDATE_MESSAGE = "SPARQL Update is refused"


@dataclass(frozen=True)
class Refusal:
    """Why a text is not run: ``kind`` is "service", "update" or "unchecked" (rdflib could not parse it)."""

    kind: str
    message: str


def refusal(text: str) -> Refusal | None:
    """Return why ``text`` must not run on a read-only engine, or None for a query without SERVICE.

    A result of kind "unchecked" means only that rdflib cannot parse the text: it may be a valid query
    (Oxigraph reads a little more) or a syntax error. Run it only without network access.

    Parsing costs 10 to 300 ms (pyparsing), more than most queries take to answer, so a text that cannot
    hold the keyword SERVICE is not parsed: one without the letters "service" in any case and without a
    ``\\u`` or ``\\U`` escape (the only way to write a keyword's letters otherwise). Such a text is a query
    without SERVICE, or no query at all: Oxigraph's query parser then refuses it as a syntax error, and
    :func:`is_update` tells whether to say "update" instead.
    """
    folded = text.casefold()  # casefold, not lower: a long s (U+017F) folds to "s"
    if "service" not in folded and "\\u" not in folded:
        return None
    return _refusal(text)


def is_update(text: str) -> bool:
    """Whether ``text`` parses as a SPARQL Update with at least one operation (ask after a query's syntax error)."""
    found = _refusal(text)
    return found is not None and found.kind == "update"


@lru_cache(maxsize=512)  # parsing costs tens of milliseconds; a repeated query costs nothing
def _refusal(text: str) -> Refusal | None:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(text)
    except ParseBaseException as error:
        try:
            update = parseUpdate(text)
        except (ParseBaseException, RecursionError, ValueError):
            return Refusal("unchecked", f"not a query rdflib can parse: {error}")
        if "request" in update:  # an empty text parses as an update with no operation: not one
            return Refusal("update", UPDATE_MESSAGE)
        return Refusal("unchecked", f"not a query rdflib can parse: {error}")
    except (RecursionError, ValueError) as error:  # deeply nested text, or a malformed escape
        return Refusal("unchecked", f"not a query rdflib can parse: {error}")
    if _contains(tree, "ServiceGraphPattern"):
        return Refusal("service", SERVICE_MESSAGE)
    return None


def _contains(node, name: str) -> bool:
    """Whether a parse tree (CompValue, ParseResults, lists, dicts) has a node called ``name`` anywhere."""
    stack, seen = [node], set()
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, (str, bytes)):
            continue
        seen.add(id(item))
        if getattr(item, "name", None) == name:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or hasattr(item, "asList"):
            stack.extend(item)
    return False
