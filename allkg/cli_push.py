"""The ``allkg push`` command, registered on the main group by :mod:`allkg.cli`.

Kept apart so that the main command module stays small; like it, a thin layer over :mod:`allkg.remote`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from allkg.cli_messages import _deprecated, _fail


@click.command("push")
@click.option("--endpoint", "store_url", required=True, metavar="URL", help="The store's Graph Store Protocol address, e.g. http://127.0.0.1:7878/store (Oxigraph), http://host:3030/DATASET/data (Fuseki) or http://host:8890/sparql-graph-crud-auth (Virtuoso).")
@click.option("--named-graph", "graph_iri", metavar="IRI", help="The named graph to replace (default: the default graph; on Virtuoso, which has none, https://w3id.org/allkg/graph).")
@click.option("--graph", "graph_file", metavar="FILE", help="RDF file to push (default: the build, built first if absent).")
@click.option("--file", "old_graph_file", hidden=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Deprecated spelling of --graph FILE.")
@click.option("--asserted-only", is_flag=True, help="Push the asserted triples only, without the materialised class and property hierarchy.")
@click.option("--query-endpoint", metavar="URL", help="The store's SPARQL query endpoint (default: derived from --endpoint).")
@click.option("--update-endpoint", metavar="URL", help="The store's SPARQL update endpoint (default: derived from --endpoint).")
@click.option("--user", envvar="ALLKG_USER", metavar="NAME", help="User name for HTTP Basic or Digest authentication [env ALLKG_USER].")
@click.option("--password", envvar="ALLKG_PASSWORD", metavar="SECRET", help="Its password; prefer the environment variable, which other users cannot see in the process list [env ALLKG_PASSWORD].")
@click.option("--token", envvar="ALLKG_TOKEN", metavar="SECRET", help="A bearer token instead of a user name and password [env ALLKG_TOKEN].")
@click.option("--clean-up", is_flag=True, help="Only remove the temporary urn:allkg:upload:* graphs that interrupted pushes left in the store; push nothing.")
@click.option("--progress/--no-progress", default=None, help="Report on stderr how far the push is (default: for a graph file over 64 MB, when stderr is a terminal).")
def push(store_url, graph_iri, graph_file, old_graph_file, asserted_only, query_endpoint, update_endpoint, user, password, token, clean_up,
         progress) -> None:
    """Replace a graph of a remote triple store with the built graph, atomically, and check its triple count.

    The graph streams into a temporary graph (in documents of 100,000 triples), is counted there, then moved
    into place by one SPARQL Update; if anything fails the target graph is left as it was. Temporary graphs
    left by an interrupted push are removed by the next one, or at once with --clean-up.

    \b
    allkg push --endpoint http://127.0.0.1:7878/store
    allkg push --endpoint http://localhost:3030/allkg/data --named-graph https://w3id.org/allkg/graph
    export ALLKG_USER=dba ALLKG_PASSWORD=...   # never on the command line
    allkg push --endpoint http://localhost:8890/sparql-graph-crud-auth
    allkg query --endpoint http://127.0.0.1:7878/query drug-adverse-effects -p drug=imatinib
    """
    from allkg import remote

    if graph_file is not None and "://" in graph_file and not Path(graph_file).exists():
        # --graph used to name the graph IRI; it now names an input file everywhere, as in query, view and serve
        graph_iri = _deprecated("--graph IRI", "--named-graph IRI", graph_file, graph_iri)
        graph_file = None
    elif graph_file is not None and not Path(graph_file).is_file():
        _fail(f"--graph {graph_file}: no such file")
    graph_file = _deprecated("--file", "--graph", old_graph_file, Path(graph_file) if graph_file else None)
    if password and not user:
        raise click.UsageError("--password (or ALLKG_PASSWORD) needs --user (or ALLKG_USER)")
    if token and user:
        raise click.UsageError("give --user and --password, or --token, not both")
    credentials = remote.Credentials(user, password, token) if (user or token) else None
    report = _PushProgress.wanted(progress, graph_file)
    try:
        if clean_up:
            dropped = remote.clean_up(store_url, query_endpoint=query_endpoint, update_endpoint=update_endpoint, credentials=credentials)
            click.echo(f"removed {len(dropped)} temporary graph(s) from {remote.safe_url(store_url)}")
            return
        result = remote.push(store_url, graph_iri, path=graph_file, inference=not asserted_only, query_endpoint=query_endpoint,
                             update_endpoint=update_endpoint, credentials=credentials, progress=report)
    except (remote.RemoteError, ValueError, SyntaxError, FileNotFoundError, OSError) as error:
        if report:
            report.close()
        _fail(str(error))
    if report:
        report.close()
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(f"pushed {result.triples} triples to {result.graph} of {result.store} in {result.seconds:.1f} s (count checked)")


class _PushProgress:
    """Report how far a push is on stderr: on a terminal each report replaces the last, elsewhere one line each."""

    def __init__(self):
        self.terminal = sys.stderr.isatty()

    @classmethod
    def wanted(cls, flag: bool | None, graph_file: Path | None):
        """Return a reporter if --progress says so, or (no flag) if stderr is a terminal and the graph is large, else None."""
        if flag is None:
            from allkg.store import PROGRESS_BYTES, default_graph_path

            path = graph_file or default_graph_path()
            flag = sys.stderr.isatty() and path.exists() and path.stat().st_size >= PROGRESS_BYTES  # as loading reports itself
        return cls() if flag else None

    def __call__(self, message: str) -> None:
        if self.terminal:
            click.echo(f"\r\033[Kallkg push: {message}", nl=False, err=True)
        else:
            click.echo(f"allkg push: {message}", err=True)

    def close(self) -> None:
        if self.terminal:
            click.echo("\r\033[K", nl=False, err=True)
