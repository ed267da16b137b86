"""The ``allkg explore`` and ``allkg check-regimen`` commands (registered on :data:`allkg.cli.main`)."""

from __future__ import annotations

from pathlib import Path

import click

from allkg.cli_messages import _fail

FORMATS = click.Choice(["table", "md", "json", "html"])
PROFILE_OPTIONS = [
    ("--subtype", "subtype", "Leukemia subtype, e.g. 'B-ALL', 'T-ALL', 'Ph+ ALL'."),
    ("--alteration", "alteration", "Gene alteration found, e.g. 'BCR::ABL1', 'KMT2A rearrangement'."),
    ("--mutation", "mutation", "Mutation found, e.g. 'T315I'."),
    ("--marker", "marker", "Marker expressed on the leukemia cells, e.g. 'CD19', 'CD22'."),
    ("--setting", "setting", "Treatment setting, e.g. 'newly diagnosed', 'relapsed', 'MRD-positive'."),
    ("--population", "population", "Population, e.g. 'adults', 'children' (checked against --age)."),
    ("--prior-therapy", "prior_therapy", "A drug given before."),
    ("--comedication", "comedication", "A drug (or class, or food) taken alongside, e.g. 'posaconazole'."),
    ("--condition", "condition", "A condition, e.g. 'pregnancy', 'TPMT poor metabolizer', 'renal impairment'."),
]


def _write(text: str, out: Path | None, output_format: str) -> None:
    if out is None and output_format == "html":
        out = Path("build") / "explore.html"
    if out is None:
        click.echo(text, nl=False)
        return
    from allkg.build import write_atomically

    write_atomically(out.parent, {out.name: text.encode("utf-8")})
    click.echo(f"wrote {out}", err=True)


def _graph_options(function):
    """--graph and --store-dir: explore a graph other than the build (e.g. allkg beside a large graph)."""
    function = click.option("--store-dir", type=click.Path(file_okay=False, path_type=Path),
                            help="Keep the graph in an on-disk store here: loaded once, reopened in milliseconds.")(function)
    return click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        help="RDF file to explore (default: the build, built first if absent).")(function)


def _open(graph_file: Path | None, store_dir: Path | None):
    """The graph to answer from: None (the build, as every command uses it) or the store of --graph/--store-dir."""
    if graph_file is None and store_dir is None:
        from allkg.store import for_a_short_command

        for_a_short_command()  # a few queries, then exit: the build's read-only snapshot opens faster than it loads
        return None
    from allkg.store import open_store

    try:
        return open_store(graph_file, store_dir=store_dir)
    except (OSError, ValueError, SyntaxError) as error:  # unreadable file, unknown suffix, a store in use
        _fail(f"cannot load {graph_file or 'the build'}{f' into {store_dir}' if store_dir else ''}: {error}")


def _profile_options(function):
    for flag, name, text in reversed(PROFILE_OPTIONS):
        function = click.option(flag, name, multiple=True, metavar="NAME", help=text + " Repeatable.")(function)
    return function


@click.command()
@_profile_options
@click.option("--age", type=click.FloatRange(0, 130), help="Age in years.")
@click.option("--format", "-f", "output_format", type=FORMATS, default="table", show_default=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (html: default build/explore.html).")
@_graph_options
def explore(output_format: str, out: Path | None, age: float | None, graph_file: Path | None, store_dir: Path | None, **profile) -> None:
    """Candidate therapies for a patient profile: why each fits, what was excluded and why, cautions, monitoring.

    For research and education only; never for treating a patient.

    Example: allkg explore --subtype "Ph+ ALL" --mutation T315I --setting relapsed --age 54 --comedication posaconazole
    """
    from allkg.explorer import explore as run_explore
    from allkg.queries import ERRORS

    try:
        graph = _open(graph_file, store_dir)
        answer = run_explore(graph, age=age, **{key: list(value) for key, value in profile.items() if value})
    except ERRORS as error:
        _fail(str(error))
    _write(_render(answer, output_format, "explore"), out, output_format)


@click.command(name="check-regimen")
@click.argument("drugs", nargs=-1, required=True)
@click.option("--comedication", multiple=True, metavar="NAME", help="A drug (or class, or food) taken alongside. Repeatable.")
@click.option("--condition", multiple=True, metavar="NAME", help="A condition, e.g. 'pregnancy'. Repeatable.")
@click.option("--format", "-f", "output_format", type=FORMATS, default="table", show_default=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (html: default build/explore.html).")
@_graph_options
def check_regimen(drugs, comedication, condition, output_format: str, out: Path | None, graph_file: Path | None, store_dir: Path | None) -> None:
    """Check a combination of DRUGS: interactions, shared adverse effects, boxed warnings, monitoring, tests.

    For research and education only; never for treating a patient.

    Example: allkg check-regimen mercaptopurine methotrexate --comedication allopurinol
    """
    from allkg.queries import ERRORS
    from allkg.regimen_check import check_regimen as run_check

    try:
        answer = run_check(list(drugs), _open(graph_file, store_dir), comedication=list(comedication), condition=list(condition))
    except ERRORS as error:
        _fail(str(error))
    _write(_render(answer, output_format, "check"), out, output_format)


def _render(answer: dict, output_format: str, kind: str) -> str:
    from allkg import explore_render as render

    if output_format == "json":
        return render.to_json(answer)
    if output_format == "html":
        return render.to_html(answer, kind)
    if output_format == "md":
        return render.explore_markdown(answer) if kind == "explore" else render.check_markdown(answer)
    return _terminal(render.terminal_sections(answer, kind), answer["disclaimer"])


def _terminal(sections, disclaimer: str) -> str:
    """Tables that fit the terminal's width: cells wrap, nothing is cut (names are copied from here)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, force_terminal=False, soft_wrap=False)
    with console.capture() as capture:
        for title, header, rows in sections:
            if not rows:
                console.print(f"[bold]{title}[/bold]: none stated in the graph.")
                continue
            table = Table(*header, title=title, title_justify="left", show_lines=False, expand=False)
            for column in table.columns:
                column.overflow = "fold"
            for row in rows:
                table.add_row(*(str(value or "") for value in row))
            console.print(table)
        console.print(disclaimer, style="italic")
    return capture.get()
