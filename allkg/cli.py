"""The ``allkg`` command: a thin layer over the package's functions.

Heavy modules (rdflib plugins, pyshacl, pyvis, rich) are imported inside the
commands that need them, so ``allkg --help`` and quick commands start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from allkg.cli_messages import _deprecated, _fail, _warn  # shared with the command modules


def _console():
    from rich.console import Console

    return Console(highlight=False)



def _params(params: tuple[str, ...]) -> dict[str, str]:
    """Return -p NAME=VALUE pairs as a dict, warning when a name is given twice (the last value counts)."""
    values: dict[str, str] = {}
    for text in params:
        name, value = _split_param(text)
        if name in values and values[name] != value:
            _warn(f"-p {name} is given more than once; using the last value, {value!r}")
        values[name] = value
    return values


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="allkg")
def main() -> None:
    """allkg: the acute lymphoblastic leukemia therapy knowledge graph.

    For research and education only; not for treating patients.
    """


@main.command()
@click.option("--out", "--out-dir", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Where to write the outputs (default: ./build, or $ALLKG_BUILD_DIR).")
@click.option("--graph-dir", type=click.Path(file_okay=False, exists=True, path_type=Path), help="Curated tables to build from (default: the project's graph/).")
def build(out_dir: Path | None, graph_dir: Path | None) -> None:
    """Build the graph from graph/, validate it, write Turtle, N-Triples and JSON-LD, and print a summary."""
    from allkg.build import build as run_build
    from allkg.tables import CurationError
    from allkg.validate import ValidationError

    try:
        with _progress() as step:
            step("building: reading the tables, making RDF, validating, writing (a few seconds)")
            result = run_build(out_dir, graph_dir) if graph_dir else run_build(out_dir)
    except (CurationError, ValidationError) as error:
        _fail(f"build stopped; earlier outputs are untouched.\n{error}")
    print_summary(result)


def print_summary(result) -> None:
    """Print the build summary as rich tables."""
    from rich.table import Table

    console = _console()
    console.print(f"[bold]allkg[/bold]: {result.triples} triples, {result.statements} sourced statements, {result.sources} sources")
    if result.treatment:
        console.print("treatment layer: " + ", ".join(f"{count} {name}" for name, count in result.treatment.items()))
    table = Table("entity kind", "count", title="Entities")
    for kind, count in result.entities_by_kind.items():
        table.add_row(kind, str(count))
    table.add_row("[bold]total[/bold]", f"[bold]{sum(result.entities_by_kind.values())}[/bold]")
    console.print(table)
    table = Table("kind of source", "statements", title="Statements per kind of source")
    for kind, count in result.statements_by_source_kind.items():
        table.add_row(kind, str(count))
    console.print(table)
    table = Table("kind of statement", "statements", title="Safety layer")
    for kind, count in result.safety_statements.items():
        table.add_row(kind, str(count))
    console.print(table)
    table = Table("evidence level", "statements", title="Statements by strongest evidence level")
    for level, count in result.statements_by_evidence_level.items():
        table.add_row(level, str(count))
    console.print(table)
    top = sorted(result.statements_by_source.items(), key=lambda item: (-item[1], item[0]))[:8]
    table = Table("source", "statements", title=f"Most cited sources (of {result.sources}; all: allkg sources)")
    for source, count in top:
        table.add_row(source, str(count))
    console.print(table)
    for path in result.outputs.values():
        console.print(f"wrote {path}")
    console.print("For research and education only; not for treating patients.", style="italic")


@main.command()
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(file: Path | None) -> None:
    """Validate FILE (any RDF format rdflib reads), or the curated graph, against the shapes and QC queries."""
    from allkg.build import assemble
    from allkg.curation import load_ontology
    from allkg.tables import CurationError
    from allkg.validate import ValidationError, validate_graph

    if file is None:
        try:
            assemble()
        except (CurationError, ValidationError) as error:
            _fail(str(error))
        click.echo("the curated graph is valid")
        return
    graph = _parse_exactly(file)
    from allkg.vocab import BASE_IRI

    if not any(str(subject).startswith(BASE_IRI) for subject in graph.subjects()):
        _fail(f"{file}: {len(graph)} triples, none about an allkg entity (no subject under {BASE_IRI}); nothing to validate")
    report = validate_graph(graph, ontology=load_ontology())
    click.echo(str(report))
    if not report.ok:
        sys.exit(1)


FORMATS = click.Choice(["table", "tsv", "json"])


def _curation():
    from allkg.curation import load_curation
    from allkg.tables import CurationError

    try:
        return load_curation()
    except CurationError as error:
        _fail(str(error))


@main.command()
@click.option("--format", "output_format", type=FORMATS, default="table", show_default=True, help="How to print the report.")
def ids(output_format: str) -> None:
    """Report standard identifiers: verified, cited or unverified, per prefix and kind, and entities without any."""
    from allkg.reports import identifier_report, report_json, to_tsv
    from allkg.xrefs import VERIFICATIONS

    report = identifier_report(_curation())
    if output_format == "json":
        click.echo(report_json(report))
        return
    if output_format == "tsv":
        click.echo(to_tsv(report.rows(), ("group", "key", *VERIFICATIONS, "total")), nl=False)
        return
    from rich.table import Table

    console = _console()
    counts = ", ".join(f"{report.by_verification[v]} {v}" for v in VERIFICATIONS)
    console.print(f"[bold]{report.total} identifiers[/bold]: {counts}")
    for title, group in (("Per prefix", report.by_prefix), ("Per entity kind", report.by_kind)):
        table = Table("", *VERIFICATIONS, "total", title=title)
        for key, row in group.items():
            table.add_row(key, *(str(row.get(v, 0)) for v in VERIFICATIONS), str(sum(row.values())))
        console.print(table)
    if report.missing:
        table = Table("entity", "label", title="Drugs, genes, diseases and findings without any identifier")
        for entity, label in report.missing:
            table.add_row(entity, label)
        console.print(table)
    else:
        console.print("Every drug, gene, disease and finding has at least one identifier.")


@main.command()
@click.option("--format", "output_format", type=FORMATS, default="table", show_default=True, help="How to print the bibliography.")
def sources(output_format: str) -> None:
    """Print the bibliography: every source with its kind, title, publisher, identifier and dates.

    TSV and JSON add each source's note: how it was read and, for a secondary copy, what was searched for the primary.
    """
    import json

    from allkg.reports import BIBLIOGRAPHY_COLUMNS, BIBLIOGRAPHY_TABLE_COLUMNS, bibliography, to_tsv

    rows = bibliography(_curation())
    if output_format == "json":
        click.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    if output_format == "tsv":
        click.echo(to_tsv(rows, BIBLIOGRAPHY_COLUMNS), nl=False)
        return
    from rich.table import Table

    console = _console()
    if console.width < 140:  # a table of seven columns cannot be read in a narrow terminal: one block per source
        from rich.text import Text

        console.print(f"Bibliography ({len(rows)} sources)", style="bold")
        for row in rows:
            console.print(Text(row["id"], style="bold"))  # ids are copied: on a line of their own, never cut
            details = [f"{column}: {row[column]}" for column in BIBLIOGRAPHY_TABLE_COLUMNS[1:] if row.get(column)]
            console.print(Text("  " + "\n  ".join(details), overflow="fold"))
        return
    table = Table(title=f"Bibliography ({len(rows)} sources)")
    for column in BIBLIOGRAPHY_TABLE_COLUMNS:
        table.add_column(column, no_wrap=column in ("id", "revised", "accessed"), overflow="fold", min_width=8)
    for row in rows:
        table.add_row(*(row[column] for column in BIBLIOGRAPHY_TABLE_COLUMNS))
    console.print(table)


QUERY_FORMATS = ("table", "csv", "tsv", "json", "md")  # allkg.results.FORMATS; not imported so --help stays fast


def _load(graph_file: Path | None):
    """Return the RDF graph to draw: ``graph_file`` if given, else the built graph (building it if needed).

    Pictures show asserted facts only: entailed triples (a ``broader`` copy of every ``subtype of``, mirrored
    symmetric edges, transitive shortcuts) have no statement or source behind them.
    """
    if graph_file is None:
        from allkg import load_graph

        return load_graph(inference=False)
    return _parse_exactly(graph_file)


def _parse_exactly(path: Path):
    """Return the RDF file at ``path`` as an rdflib Graph, each literal as the file wrote it.

    rdflib rewrites literals to a canonical form while it reads ("1.50"^^xsd:decimal -> "1.5", "01" -> "1",
    1.0E6 -> 1000000.0) unless NORMALIZE_LITERALS is off; it is a global switch, so it is turned off for
    this one parse only.
    """
    import rdflib
    from rdflib.util import guess_format

    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return rdflib.Graph().parse(path, format=guess_format(str(path)) or "turtle")
    except Exception as error:  # rdflib raises many parser-specific types
        _fail(f"{path}: cannot parse: {error}")
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


@main.command()
@click.argument("name", required=False)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries with their parameters.")
@click.option("--query-file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Run the SPARQL in FILE instead of a named query.")
@click.option("--file", "old_query_file", hidden=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Deprecated spelling of --query-file.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter, e.g. drug=imatinib (label, synonym, brand or CURIE); repeatable. Without any, the query's example runs.")
@click.option("--format", "-f", "output_format", type=click.Choice(QUERY_FORMATS), help="Output format; json and csv are the SPARQL 1.1 results formats (default: table on a terminal, else tsv).")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="RDF file to query (default: the build, built first if absent).")
@click.option("--endpoint", metavar="URL", help="Ask this SPARQL endpoint (e.g. http://127.0.0.1:7878/query) instead of the local graph.")
@click.option("--show", is_flag=True, help="Print the query (header and SPARQL) instead of running it.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(0), metavar="SECONDS", help="Stop the query after SECONDS (its process is killed); 0: no limit.")
@click.option("--limit", type=click.IntRange(0), metavar="N", help="Print at most N rows of the answer (a page; the answer's order is kept).")
@click.option("--offset", default=0, type=click.IntRange(0), metavar="N", help="Skip the first N rows of the answer (with --limit: the page after them).")
def query(name, list_queries, query_file, old_query_file, params, output_format, graph_file, endpoint, show, timeout, limit, offset) -> None:
    """Run the named query NAME (see --list), or a SPARQL file, and print the answer.

    \b
    allkg query --list
    allkg query drug-adverse-effects --param drug=Revuforj
    allkg query drugs-by-class -p drug_class="targeted therapy" --format json
    allkg query --query-file my.rq --format csv
    allkg query --endpoint http://127.0.0.1:7878/query drugs-for-gene -p gene=KMT2A
    allkg query drugs-by-route --limit 100 --offset 100   # rows 101-200
    """
    from allkg import queries

    output_format = output_format or ("table" if sys.stdout.isatty() else "tsv")
    query_file = _deprecated("--file", "--query-file", old_query_file, query_file)
    if list_queries and (name or query_file or params):
        _warn("--list lists the named queries; the query name, file and parameters given are ignored")
    elif name and query_file:
        _warn(f"--query-file runs {query_file}; the query name {name!r} is ignored")
    try:
        if list_queries:
            _print_query_list(queries.list_queries(), output_format)
            return
        if query_file is not None:
            named = queries.parse_query_file(query_file)
        elif name:
            named = queries.load_query(name)
        else:
            raise click.UsageError("give a query NAME, --query-file FILE or --list")
        if show:
            click.echo(named.text, nl=False)
            return
        values = _params(params)
        graph = None
        if graph_file is not None and endpoint:
            raise click.UsageError("give --graph or --endpoint, not both")
        if graph_file is not None:
            from allkg.store import open_store

            graph = open_store(graph_file)
        from allkg import guarded

        result = guarded.run(named, values, graph, endpoint=endpoint, timeout=timeout or None, limit=limit, offset=offset)
    except queries.ERRORS as error:
        _fail(str(error))
    except (FileNotFoundError, ValueError, SyntaxError) as error:  # an unreadable --graph file
        _fail(str(error))
    _print_result(result, output_format, named.title)


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"expected NAME=VALUE, got {text!r}", param_hint="--param")
    return name.strip(), value.strip()


def _print_query_list(named_queries, output_format: str) -> None:
    rows = [(q.name, ", ".join(f"{p.name} ({p.kind}{', optional' if p.optional else ''})" for p in q.params), q.title) for q in named_queries]
    if output_format != "table":
        for row in rows:
            click.echo("\t".join(row))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{len(rows)} named queries (allkg query NAME --show prints one)")
    table.add_column("query", no_wrap=True, min_width=max(len(row[0]) for row in rows))  # names are copied: never cut
    table.add_column("parameters", overflow="fold")
    table.add_column("question", overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    _console().print(table)


def _print_result(result, output_format: str, title: str) -> None:
    """Print the answer; a page of it says which rows it holds and how to ask for the next (in the output for people,
    on standard error for the formats programs read)."""
    note = result.page_note("use --offset {next}")
    if output_format != "table":
        click.echo(result.serialize(output_format), nl=False)
        if note and output_format == "md":
            click.echo(f"\n{note}")
        elif note:
            click.echo(note, err=True)
        return
    from allkg.results import rich_table

    console = _console()
    console.print(rich_table(result, title=title, caption=note))
    console.print("For research and education only; not for treating patients.", style="italic dim")


@main.command()
@click.argument("name", required=False)
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 10), help="Steps around NAME to include.")
@click.option("--query", "query_name", help="Draw the entities in the answer of the named query NAME (see allkg query --list).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter of the named query; without any, its example.")
@click.option("--query-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Draw the result of a CONSTRUCT or SELECT query.")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Draw this RDF file instead of the built graph.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the page (default: build/views/<name>.html).")
def view(name: str | None, depth: int, query_name: str | None, params: tuple[str, ...], query_file: Path | None, graph_file: Path | None, out: Path | None) -> None:
    """Write an interactive, offline HTML view: the whole graph, NAME's neighbourhood, or a query's result.

    \b
    allkg view                       # the whole graph
    allkg view imatinib --depth 2    # one entity's neighbourhood (label, synonym, brand or id)
    allkg view --query-file q.rq     # a CONSTRUCT or SELECT query's result
    allkg view --graph other.ttl     # any RDF file
    """
    from allkg.network import QueryError, neighbourhood, query_to_networkx, to_networkx
    from allkg.resolve import EntityError, node_named
    from allkg.views import default_path, render

    if query_name and query_file:
        _fail("give --query or --query-file, not both")
    if params and not query_name:
        _warn("-p parameters are for a named query (--query NAME); they are ignored")
    if depth != 1 and not name:
        _warn("--depth counts steps around NAME; without NAME it is ignored")
    graph = _load(graph_file)
    if query_name:
        from allkg import queries
        from allkg.network import iris_to_networkx

        try:  # the named-query library binds and resolves the parameters, exactly as `allkg query` does
            # the query runs where entailment is (the default store), unless a file was given to draw
            result = queries.run(query_name, _params(params) or None, graph if graph_file else None)
        except queries.ERRORS as error:
            _fail(str(error))
        iris = {str(getattr(t, "value", t)) for row in result.terms for t in row if type(t).__name__ in ("NamedNode", "URIRef")}
        network = iris_to_networkx(graph, iris)
        title, focus = f"allkg: {query_name}", None
    elif query_file:
        try:
            network = query_to_networkx(graph, query_file.read_text(encoding="utf-8"), origin=str(query_file))
        except QueryError as error:
            _fail(str(error))
        title, focus = f"allkg: {query_name or query_file.stem}", None
    else:
        network, focus = to_networkx(graph), None
        title = f"allkg: {graph_file.name}" if graph_file else "allkg"
    if name:
        try:
            focus = node_named(network, name)
        except EntityError as error:
            _fail(str(error))
        network = neighbourhood(network, focus, depth)
        title = f"{title}: {network.nodes[focus]['label']} (depth {depth})"
    slug = name or query_name or (query_file.stem if query_file else None) or (graph_file.stem if graph_file else "allkg")
    path = render(network, title=title, focus=focus).save(out or default_path(slug))
    click.echo(str(path))


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Directory to write, replaced whole (default: build/site).")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Make the site of this RDF file instead of the built graph.")
def site(out: Path | None, graph_file: Path | None) -> None:
    """Write a static, offline website: a page per entity and source, the named queries answered, search.

    \b
    allkg site --out build/site      # then open build/site/index.html
    It works from file:// and on any static host, with no request outside the site.
    """
    from allkg.build import build_dir
    from allkg.network import to_networkx
    from allkg.site import build_site

    out = out or build_dir() / "site"
    with _progress() as step:
        step("reading the graph")
        graph = _load(graph_file)
        network = to_networkx(graph)
        summary = build_site(out, network, graph if graph_file else None, progress=lambda done, total, stage: step(f"{stage}: {done}/{total}"))
    click.echo(f"{out / 'index.html'}\n{summary['pages']} pages, {summary['bytes'] / 1e6:.1f} MB, in {summary['seconds']} s")


class _progress:
    """Say on stderr what a long command is doing, one line each step (overwritten on a terminal)."""

    def __enter__(self):
        self.terminal = sys.stderr.isatty()
        return self.step

    def step(self, text: str) -> None:
        if self.terminal:
            click.echo(f"\r\033[K{text}", nl=False, err=True)

    def __exit__(self, *exc):
        if self.terminal:
            click.echo("\r\033[K", nl=False, err=True)


@main.command()
@click.option("--format", "format_", type=click.Choice(["graphml", "json"]), required=True, help="GraphML, or networkx node-link JSON.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Export this RDF file instead of the built graph.")
def export(format_: str, out: Path, graph_file: Path | None) -> None:
    """Export the graph as a network (statements folded into edges) in GraphML or node-link JSON."""
    from allkg.network import export as write_network
    from allkg.network import to_networkx

    network = to_networkx(_load(graph_file))
    path = write_network(network, out, format_)
    click.echo(f"wrote {path}: {network.number_of_nodes()} nodes, {network.number_of_edges()} edges")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (the default answers this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="RDF file to serve (default: the build, built first if absent).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600), help="Seconds a query may run before its worker is stopped (503).")
@click.option("--max-rows", default=10000, show_default=True, type=click.IntRange(1), help="Rows (or triples) returned at most; longer answers are cut and marked.")
@click.option("--max-query-bytes", default=100_000, show_default=True, type=click.IntRange(1024), help="Largest request accepted (413 beyond).")
@click.option("--workers", default=0, type=click.IntRange(0, 64), help="Query worker processes (default: --slow-queries + 4).")
@click.option("--slow-queries", default=0, type=click.IntRange(0, 64), help="Queries that may run over 1 s at once, one per client (default: cores - 1, at least 1).")
@click.option("--memory-limit", "memory_limit_mb", default=2048, show_default=True, type=click.IntRange(0), help="Address space of each worker in MB (0: no limit).")
@click.option("--cache-mb", default=64, show_default=True, type=click.IntRange(0), help="Memory for repeated answers (the graph is read-only); 0 turns the cache off.")
@click.option("--cors", metavar="ORIGIN", help="Allow cross-origin requests from ORIGIN (e.g. https://yasgui.example.org); none by default.")
@click.option("--read-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600), help="Seconds a client may take to send its request (408 beyond).")
@click.option("--entailment/--no-entailment", default=None, help="Apply the project's entailment rules to the graph (default: only if it is the project's own).")
def serve(host, port, graph_file, timeout, max_rows, max_query_bytes, workers, slow_queries, memory_limit_mb, cache_mb, cors, read_timeout,
          entailment) -> None:
    """Serve a read-only SPARQL endpoint (/sparql), the query editor (/), the named queries (/queries) and entity views (/view/NAME).

    \b
    allkg serve                          # http://127.0.0.1:8000/
    allkg serve --port 9000 --timeout 5 --max-rows 1000
    curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' http://127.0.0.1:8000/sparql
    """
    from allkg.server import Settings
    from allkg.server import serve as run_server
    from allkg.workers import LoadError

    try:
        run_server(Settings(host=host, port=port, graph_path=graph_file, timeout=timeout, max_rows=max_rows, max_query_bytes=max_query_bytes,
                            workers=workers, slow_queries=slow_queries, memory_limit_mb=memory_limit_mb, cache_mb=cache_mb, cors=cors,
                            read_timeout=read_timeout, entailment=entailment))
    except (LoadError, ValueError, FileNotFoundError) as error:
        _fail(str(error))


def _register_subcommands() -> None:
    """The explorer's, the push's and the release's commands live in their own modules, to keep this one small."""
    from allkg.cli_explore import check_regimen, explore
    from allkg.cli_push import push
    from allkg.cli_release import diff_command, release_command

    for command in (explore, check_regimen, push, release_command, diff_command):
        main.add_command(command)


_register_subcommands()

if __name__ == "__main__":
    main()

