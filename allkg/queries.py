"""The named query library (``queries/*.rq``) and the one function that executes SPARQL.

Each named query is a ``.rq`` file whose comment header says what it answers::

    # title: Adverse effects of a drug
    # description: What harms can the drug cause, how often and how serious are they?
    # param: drug (drug; example: revumenib) The drug, by label, synonym, brand or CURIE.
    # column: effect The adverse effect.

A parameter reads ``NAME (KIND; example: VALUE[; optional]) description``;
KIND is an entity kind or a literal kind (see :mod:`allkg.resolve`). Each
parameter is also a projected column, so a row shows which entity a name was
resolved to. Values are bound by a one-row VALUES block of pyoxigraph terms (see
:func:`with_values`, shared with remote endpoints; rdflib's engine gets initBindings),
never by pasting what a person typed into the query text. Oxigraph's planner
ignores its ``substitutions=`` argument, so with it an OPTIONAL scanned every
statement; a VALUES block lets the planner look the bound values up (e.g.
drug-adverse-effects on a million triples: 270 ms -> 2 ms).

>>> [p.name for p in load_query("drug-adverse-effects").params]
['drug']
"""

from __future__ import annotations

import difflib
import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from allkg import store as stores
from allkg.resolve import ENTITY_KINDS, LITERAL_KINDS, PARAM_KINDS, EntityError, NameIndex, build_index, literal_term
from allkg.resources import data_path
from allkg.results import PREFIXES_FILE, QueryResult, paged

QUERIES_DIR = data_path("queries")
PARAM_LINE = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s+\((?P<kind>\w+);\s*example:\s*(?P<example>[^;)]*?)\s*(?P<optional>;\s*optional\s*)?\)\s*(?P<description>.*)$")
# "# search: text -> entity": the text index finds the entities with a name containing the parameter's value,
# and they are bound to the variable (a VALUES block), so the query reads only their names.
SEARCH_LINE = re.compile(r"^(?P<param>[A-Za-z_]\w*)\s*->\s*(?P<variable>[A-Za-z_]\w*)\b")
COLUMN_LINE = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s+(?P<description>.+)$")
SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+)")
DEFAULT_TIMEOUT_S = 60.0  # what the API and `allkg query` allow a query unless told otherwise


class RemoteError(RuntimeError):
    """A remote store or endpoint that cannot be reached, refuses, or answers something else than expected."""


class QueryError(ValueError):
    """A query that cannot run as asked: bad syntax, unknown name or parameter, a missing value."""


class QuerySyntaxError(QueryError):
    def __init__(self, source: str, line: int, column: int, message: str, text: str):
        self.source, self.line, self.column = source, line, column
        lines = text.splitlines()
        shown = lines[line - 1] if 0 < line <= len(lines) else ""
        self.detail, self.text = message, text
        super().__init__(f"{source}:{line}:{column}: SPARQL syntax error: {message}\n    {shown}\n    {' ' * (column - 1)}^")

    def __reduce__(self):  # sent back from the process that ran the query
        return type(self), (self.source, self.line, self.column, self.detail, self.text)


class QueryTimeout(QueryError):
    """A query that ran past its time limit; the process running it was killed."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    example: str
    optional: bool
    description: str


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name (the file stem), header and SPARQL text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[Column, ...]
    text: str
    path: Path
    free: bool = False  # a SPARQL file without a header: any variable may be bound
    search: tuple[str, str] | None = None  # (parameter, variable): see SEARCH_LINE

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        valid = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query {self.name!r} has no parameter {name!r}; its parameters: {valid}")

    @property
    def example(self) -> dict[str, str]:
        """The example parameter values from the header."""
        return {param.name: param.example for param in self.params}


def parse_header(text: str, path: Path) -> NamedQuery:
    """Read the comment header of a named query; raise QueryError, naming file and line, on a malformed one."""
    fields: dict[str, list] = {"title": [], "description": [], "param": [], "column": [], "search": []}
    last = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            if line.strip():
                break  # the header ends at the first line of SPARQL
            continue
        body = line[1:]
        match = re.match(r"^ (title|description|param|column|search):\s*(.*)$", body)
        if match:
            last = match.group(1)
            fields[last].append((number, match.group(2).strip()))
        elif body.startswith("   ") and last in ("description", "param", "column"):
            number0, previous = fields[last][-1]
            fields[last][-1] = (number0, f"{previous} {body.strip()}")
    where = f"{path}"
    if not fields["title"]:
        raise QueryError(f"{where}:1: the header has no '# title:' line")
    params, columns = [], []
    for number, value in fields["param"]:
        match = PARAM_LINE.match(value)
        if not match:
            raise QueryError(f"{where}:{number}: a parameter reads 'NAME (KIND; example: VALUE[; optional]) description', not {value!r}")
        if match["kind"] not in PARAM_KINDS:
            raise QueryError(f"{where}:{number}: unknown parameter kind {match['kind']!r}; kinds: {', '.join(PARAM_KINDS)}")
        params.append(Param(match["name"], match["kind"], match["example"], bool(match["optional"]), match["description"]))
    for number, value in fields["column"]:
        match = COLUMN_LINE.match(value)
        if not match:
            raise QueryError(f"{where}:{number}: a column reads 'NAME description', not {value!r}")
        columns.append(Column(match["name"], match["description"]))
    search = None
    for number, value in fields["search"]:
        match = SEARCH_LINE.match(value)
        if not match or match["param"] not in {p.name for p in params}:
            raise QueryError(f"{where}:{number}: a search line reads 'PARAM -> VARIABLE' with a declared string parameter, not {value!r}")
        search = (match["param"], match["variable"])
    return NamedQuery(
        path.stem, fields["title"][0][1], " ".join(v for _, v in fields["description"]), tuple(params), tuple(columns), text, path,
        search=search,
    )


def parse_query_file(path: Path) -> NamedQuery:
    """Read a SPARQL file: with a header it is read like a named query; without one, any variable may be bound."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if re.search(r"^# title:", text, flags=re.MULTILINE):
        return parse_header(text, path)
    return NamedQuery(path.stem, path.name, "", (), (), text, path, free=True)


def query_paths(queries_dir: Path = QUERIES_DIR) -> list[Path]:
    """Return the named queries' files (``queries/*.rq``; the subfolders hold QC, entailment and lookup SPARQL)."""
    return sorted(queries_dir.glob("*.rq"))


def list_queries(queries_dir: Path = QUERIES_DIR) -> list[NamedQuery]:
    """Return every named query, sorted by name."""
    return [parse_header(path.read_text(encoding="utf-8"), path) for path in query_paths(queries_dir)]


def load_query(name: str, queries_dir: Path = QUERIES_DIR) -> NamedQuery:
    """Return the named query ``name``; an unknown name raises QueryError listing the closest and all names."""
    path = queries_dir / f"{name}.rq"
    if "/" in name or "\\" in name or not path.is_file():
        names = [p.stem for p in query_paths(queries_dir)]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise QueryError(f"no query named {name!r}; {hint}the queries are: {', '.join(names)}")
    return parse_header(path.read_text(encoding="utf-8"), path)


# ---------------------------------------------------------------------------------------------- execution


@lru_cache(maxsize=1)
def _prefixes() -> dict[str, str]:
    import json

    return json.loads(PREFIXES_FILE.read_text(encoding="utf-8"))


def check_page(limit, offset) -> tuple[int | None, int]:
    """Return ``limit`` (None: no limit) and ``offset`` (None: 0) as whole numbers; raise QueryError otherwise.

    >>> check_page(None, 200)
    (None, 200)
    >>> check_page(-1, 0)
    Traceback (most recent call last):
    allkg.queries.QueryError: limit must be a whole number, 0 or more, not -1
    """
    checked = []
    for name, value in (("limit", limit), ("offset", 0 if offset is None else offset)):
        if value is None:
            checked.append(None)
            continue
        try:
            number = operator.index(value) if not isinstance(value, bool) else None  # True is an int to Python, not here
        except TypeError:
            number = None
        if number is None or number < 0:
            raise QueryError(f"{name} must be a whole number, 0 or more, not {value!r}")
        checked.append(number)
    return checked[0], checked[1]


def execute(text: str, bindings: dict | None = None, graph=None, *, endpoint: str | None = None, source: str = "<query>",
            limit: int | None = None, offset: int = 0) -> QueryResult:
    """Run SPARQL ``text`` with ``bindings`` (variable name -> pyoxigraph term) and return a QueryResult.

    ``graph``: None (the build, in Oxigraph), a pyoxigraph Store, or an rdflib Graph (Oxigraph-backed graphs
    are queried directly; any other rdflib Graph by rdflib's own engine). Every query goes through here, so a
    remote ``endpoint`` is one more branch. Prefixes of the project's map may be used without declaring them.
    ``limit``, ``offset``: return only that page of the answer (rows, or triples of a CONSTRUCT), in the answer's
    own order; see :func:`allkg.results.take_page`. The result then says where the page starts and whether more follow.
    """
    limit, offset = check_page(limit, offset)
    if endpoint is not None:
        from allkg.remote import execute_remote

        return execute_remote(endpoint, text, bindings or {}, source, limit=limit, offset=offset)
    bindings = bindings or {}
    store = stores.default_store() if graph is None else stores.oxigraph_of(graph)
    if store is None:
        return _execute_rdflib(text, bindings, graph, source, limit, offset)
    try:
        bound, substitutions = with_values(text, bindings), {}
    except NoWhereClause:  # nothing to hold a VALUES block (CONSTRUCT WHERE, or not a query): the engine binds
        bound, substitutions = text, {ox.Variable(name): term for name, term in bindings.items()}
    except ValueError as error:
        raise QueryError(f"{source}: {error}") from None
    try:
        result = store.query(bound, prefixes=_prefixes(), substitutions=substitutions)
    except SyntaxError as error:
        message = str(error)
        if bound is not text:  # report the position in the text as written, not in the text with VALUES added
            try:
                store.query(text, prefixes=_prefixes())
            except SyntaxError as original:
                message = str(original)
        raise _syntax_error(message, text, source) from None
    except RuntimeError as error:
        if "SELECT projection" in str(error):
            raise QueryError(f"{source}: every parameter must be a projected variable: {error}") from None
        raise QueryError(f"{source}: {error}") from None
    if isinstance(result, ox.QueryBoolean):
        return answer_yes_or_no(bool(result), source, limit, offset)
    if isinstance(result, ox.QuerySolutions):
        columns = [variable.value for variable in result.variables]
        return paged(columns, (tuple(solution) for solution in result), source, limit, offset)
    return paged(["subject", "predicate", "object"], ((t.subject, t.predicate, t.object) for t in result), source, limit, offset)


def answer_yes_or_no(answer: bool, source: str, limit: int | None, offset: int) -> QueryResult:
    if limit is not None or offset:
        raise QueryError(f"{source}: an ASK query answers yes or no, so a limit or offset does not apply to it")
    return QueryResult([], boolean=answer, name=source)


# SPARQL lexemes that may hold a brace or a word without being one: comments, IRIs and strings.
LEXEMES = re.compile(
    r"""(?P<skip>\#[^\n]* | <[^<>"{}|^`\\\s]*> | \"\"\".*?\"\"\" | '''.*?''' | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*')
      | (?P<open>[{(]) | (?P<close>[})]) | (?P<word>[A-Za-z_]\w*)""",
    re.DOTALL | re.VERBOSE,
)
class NoWhereClause(ValueError):
    """A text without a WHERE clause to put a VALUES block in."""


# A query may say where its parameters are best bound with this comment (see with_values).
PARAMETERS_MARK = "# parameters are bound here"
VARIABLE_NAME = re.compile(r"[A-Za-z_]\w*")


def with_values(text: str, bindings: dict) -> str:
    """Return ``text`` with ``bindings`` (name -> pyoxigraph IRI or literal, or a list of them) bound by VALUES.

    The block goes where the query marks it with the comment ``# parameters are bound here`` (each place so
    marked: Oxigraph plans a query best when the values meet the patterns that use them first; a query's author
    puts the mark only where the parameters are bound in every answer anyway, so the answers are those of a
    block opening the WHERE clause), else at the start of the WHERE clause. The values are the terms in
    N-Triples syntax, escaped by pyoxigraph: never text a person typed. Raise ValueError if a name is not a
    variable name, a value not a term, or the query has no WHERE clause.

    >>> with_values("SELECT ?d WHERE { ?d a ?c }", {"c": ox.NamedNode("https://w3id.org/allkg/ontology#Drug")})
    'SELECT ?d WHERE { VALUES (?c) { (<https://w3id.org/allkg/ontology#Drug>) } ?d a ?c }'

    A list of terms binds one variable to each of them in turn (the explorer binds a profile's entities so):

    >>> with_values("SELECT ?d WHERE { ?d a ?c }", {"c": [ox.NamedNode("https://w3id.org/allkg/ontology#Drug")]})
    'SELECT ?d WHERE { VALUES ?c { <https://w3id.org/allkg/ontology#Drug> } ?d a ?c }'
    """
    if not bindings:
        return text
    for name, value in bindings.items():
        terms = value if isinstance(value, (list, tuple)) else [value]
        if not isinstance(name, str) or not VARIABLE_NAME.fullmatch(name) or not all(isinstance(t, (ox.NamedNode, ox.Literal)) for t in terms):
            raise ValueError(f"cannot bind {name!r} to {value!r}: give a variable name and an IRI or a literal (or a list of them)")
    single = {name: term for name, term in bindings.items() if not isinstance(term, (list, tuple))}
    blocks = []  # N-Triples syntax, escaped by pyoxigraph; on the line it goes in, so error positions stay those of the file
    if single:
        blocks.append(f"VALUES ({' '.join(f'?{name}' for name in single)}) {{ ({' '.join(str(term) for term in single.values())}) }}")
    for name, terms in bindings.items():
        if isinstance(terms, (list, tuple)):  # several values of one variable: one row each
            blocks.append(f"VALUES ?{name} {{ {' '.join(str(term) for term in terms)} }}")
    block = " ".join(blocks)
    where, marks = _value_places(text)
    if not marks:
        return f"{text[:where + 1]} {block}{text[where + 1:]}"
    for at in reversed(marks):  # from the end, so that earlier offsets stay valid
        text = f"{text[:at]}{block} {text[at:]}"
    return text


@lru_cache(maxsize=256)
def _value_places(text: str) -> tuple[int, tuple[int, ...]]:
    """Return the offsets of the WHERE clause's brace and of the marks (lexing costs more than a small query)."""
    marks = tuple(match.start() for match in LEXEMES.finditer(text) if (match["skip"] or "").startswith(PARAMETERS_MARK))
    return _where_brace(text), marks  # a query without a WHERE clause cannot take parameters, marked or not


def _where_brace(text: str) -> int:
    """Return the offset of the ``{`` that opens the query's WHERE clause (skipping a CONSTRUCT template)."""
    form, depth, after_where = None, 0, False
    for match in LEXEMES.finditer(text):
        word = (match["word"] or "").upper()
        if form is None and word in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            form = word
        elif word == "WHERE" and depth == 0:
            after_where = True
        elif match["open"]:
            if match["open"] == "{" and depth == 0 and form and (form != "CONSTRUCT" or after_where):
                return match.start()
            depth += 1
        elif match["close"]:
            depth -= 1
    raise NoWhereClause("cannot find the WHERE clause to bind parameters in (CONSTRUCT WHERE { } cannot take parameters)")


def _syntax_error(message: str, text: str, source: str) -> QuerySyntaxError:
    match = SYNTAX_POSITION.search(message)
    line, column = _last_token_at(text, int(match[1]), int(match[2])) if match else (1, 1)
    detail = SYNTAX_POSITION.sub("", message).strip(" :") or message
    return QuerySyntaxError(source, line, column, detail, text)


def _last_token_at(text: str, line: int, column: int) -> tuple[int, int]:
    """Return the position of the last character before Oxigraph's error position that is not blank.

    Oxigraph reports the furthest point its parser reached, which is often past the offending token and the
    blanks after it (even past the end of the text); pointing at the token itself reads better.
    """
    lines = text.split("\n")
    offset = sum(len(item) + 1 for item in lines[: line - 1]) + column - 1
    offset = min(offset, len(text) - 1)
    while offset > 0 and text[offset].isspace():
        offset -= 1
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _execute_rdflib(text: str, bindings: dict, graph, source: str, limit: int | None = None, offset: int = 0) -> QueryResult:
    """Answer with rdflib's own SPARQL engine (for plain rdflib graphs, and as the benchmark's baseline)."""
    from oxrdflib._converter import from_ox
    from pyparsing import ParseException

    several = {name: terms for name, terms in bindings.items() if isinstance(terms, (list, tuple))}
    if several:  # initBindings binds one value each: several go in as VALUES blocks, as for Oxigraph
        text = with_values(text, several)
    try:
        single = {name: from_ox(term) for name, term in bindings.items() if name not in several}
        result = graph.query(text, initNs=_prefixes(), initBindings=single)
    except ParseException as error:
        raise QuerySyntaxError(source, error.lineno, error.col, error.msg, text) from None
    if result.type == "ASK":
        return answer_yes_or_no(bool(result.askAnswer), source, limit, offset)
    if result.type == "SELECT":
        columns = [str(variable) for variable in result.vars]
        return paged(columns, (tuple(row) for row in result), source, limit, offset)
    return paged(["subject", "predicate", "object"], (tuple(triple) for triple in result.graph), source, limit, offset)


# ------------------------------------------------------------------------------------------ named queries

_indexes: dict[int, tuple[object, NameIndex]] = {}


def name_index(graph=None, endpoint: str | None = None) -> NameIndex:
    """Return the names of the graph's (or the remote ``endpoint``'s) entities, built on first use for each.

    The index is not rebuilt when a graph changes afterwards (counting a large store on every query would
    cost more than the query): call :func:`forget_names` after changing a graph.
    """
    if endpoint is not None:
        cached = _indexes.get(endpoint)
        if cached is None:
            cached = _indexes[endpoint] = (endpoint, build_index(lambda text: execute(text, endpoint=endpoint, source="queries/lookup")))
        return cached[1]
    target = stores.default_store() if graph is None else graph
    cached = _indexes.get(id(target))
    if cached is None or cached[0] is not target:
        cached = _indexes[id(target)] = (target, _default_names() if graph is None else _stored_names(target))
    return cached[1]


def _stored_names(graph) -> NameIndex:
    """A graph's names; for a store kept on disk, saved in its directory, so the next process reads them."""
    from allkg import snapshot

    store = stores.oxigraph_of(graph)
    store_dir = stores.store_dir_of(store) if store is not None else None
    if store_dir is None:
        return _build_names(graph)
    index = snapshot.load_names(None, store_dir=store_dir)
    if index is None:
        index = _build_names(graph)
        snapshot.save_names(index, None, store_dir=store_dir)
    return index


def _build_names(target) -> NameIndex:
    return build_index(lambda text: execute(text, graph=target, source="queries/lookup"))


def _default_names() -> NameIndex:
    """The default build's names: from its snapshot when one was saved, else built and saved (a new process
    then resolves names without querying for every label first)."""
    from allkg import snapshot

    path = stores.ensure_built()
    index = snapshot.load_names(path)
    if index is None:
        index = _build_names(stores.default_store())
        snapshot.save_names(index, path)
    return index


def forget_names(graph=None) -> None:
    """Drop the cached names of ``graph`` (an endpoint's address, or a graph; None: of every graph)."""
    if graph is None:
        _indexes.clear()
    else:
        _indexes.pop(graph if isinstance(graph, str) else id(graph), None)


def bind(query: NamedQuery, params: dict | None, graph=None, endpoint: str | None = None) -> dict:
    """Check ``params`` against the query's header and return bindings (name -> term), entities resolved.

    With no params at all, the header's examples are used. A value may already be a pyoxigraph term.
    Names are resolved on the graph that answers: ``endpoint`` if given.
    """
    for name, value in (params or {}).items():
        valid_text(value, f"parameter {name!r}")
    if query.free:
        return {name: _free_value(value, graph, endpoint) for name, value in (params or {}).items()}
    params = dict(query.example if not params else params)
    for name in params:
        query.param(name)  # unknown names raise, listing the valid ones
    bindings = {}
    for param in query.params:
        if param.name not in params or params[param.name] is None:
            if not param.optional:
                raise QueryError(f"query {query.name!r} needs the parameter {param.name!r} ({param.kind}; example: {param.example})")
            continue
        value = params[param.name]
        if isinstance(value, (ox.NamedNode, ox.Literal)):
            bindings[param.name] = value
        elif param.kind in LITERAL_KINDS:
            bindings[param.name] = literal_term(param.kind, value)
        else:
            bindings[param.name] = ox.NamedNode(name_index(graph, endpoint).resolve(param.kind, str(value)))
    if query.search and endpoint is None and query.search[0] in bindings:
        parameter, variable = query.search  # the text index finds the entities to bind (see SEARCH_LINE)
        index = stores.text_index(graph)
        if index is not None:
            bindings[variable] = [ox.NamedNode(entity) for entity in index.search(bindings[parameter].value)]
    return bindings


def valid_text(value, what: str):
    """Return ``value``; raise QueryError if it is a string that cannot be written as UTF-8 (a lone surrogate).

    Python keeps bytes that are not UTF-8 (in a command line, a file name) as lone surrogates; no RDF term
    may hold one, and the error from deep inside a library would not say which value was wrong.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise QueryError(f"{what}: not valid text: {value[error.start]!r} at character {error.start + 1} is a lone surrogate "
                             "(was it read from bytes that are not UTF-8?)") from None
    return value


def _free_value(value, graph, endpoint=None):
    """A value for a query without declared parameters: the entity it names if any, else a string."""
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    try:
        return ox.NamedNode(name_index(graph, endpoint).resolve("entity", str(value)))
    except EntityError:
        return ox.Literal(str(value))


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(QUERIES_DIR.parent))
    except ValueError:
        return str(path)


def run(name: str | NamedQuery, params: dict | None = None, graph=None, *, endpoint: str | None = None,
        limit: int | None = None, offset: int = 0) -> QueryResult:
    """Run a named query with ``params`` (name -> value as a person writes it) and return its result, in this process.

    >>> rows = run("drugs-by-class", {"drug_class": "targeted therapy"})  # doctest: +SKIP

    ``endpoint``: the address of a SPARQL endpoint to ask instead of the local graph (names are resolved there).
    ``limit``, ``offset``: one page of the answer (see :func:`execute`).
    For a query a person wrote, or with a time limit, use :func:`allkg.guarded.run`.
    """
    limit, offset = check_page(limit, offset)
    query = name if isinstance(name, NamedQuery) else load_query(name)
    bindings = bind(query, params, graph, endpoint)
    result = execute(query.text, bindings, graph, endpoint=endpoint, source=_display_path(query.path), limit=limit, offset=offset)
    result.name = query.name
    return result


def sparql(text: str, graph=None, *, timeout: float | None = DEFAULT_TIMEOUT_S, **bindings) -> QueryResult:
    """Run a free, read-only SPARQL query without network access, within ``timeout`` seconds (see :mod:`allkg.guarded`)."""
    from allkg.guarded import sparql as guarded_sparql

    return guarded_sparql(text, graph, timeout=timeout, **bindings)


ERRORS = (QueryError, EntityError, RemoteError)
__all__ = ["ENTITY_KINDS", "ERRORS", "NamedQuery", "QueryError", "QuerySyntaxError", "QueryTimeout", "execute", "list_queries", "load_query",
           "run", "sparql"]
