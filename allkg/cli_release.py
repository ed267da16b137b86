"""The release commands, ``allkg release`` and ``allkg diff``, registered on the main group by :mod:`allkg.cli`.

Kept apart so that the main command module stays small; like it, a thin layer that imports
the package's functions only when a command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write the changes as Markdown to this file.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the changes as JSON (counts per kind and every change) to this file.")
@click.option("--format", "output_format", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True, help="What to print.")
def diff_command(old: Path, new: Path, markdown_path: Path | None, json_path: Path | None, output_format: str) -> None:
    """Show what changed, statement by statement, between two builds or releases (folders holding allkg.nt).

    \b
    allkg diff releases/0.1.0 build
    allkg build --out /tmp/mine && allkg diff build /tmp/mine --json changes.json
    """
    import json

    from allkg.diff import diff, write_diff

    try:
        result = diff(old, new)
    except (FileNotFoundError, SyntaxError, ValueError) as error:
        _fail(str(error))
    write_diff(result, markdown_path, json_path)
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=1, ensure_ascii=False))
    else:
        click.echo(result.to_markdown(), nl=False)


@click.command("release")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write the release to (created; its files are replaced).")
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path), help="The previous release (or build), for the CHANGELOG.md entry.")
@click.option("--graph-dir", type=click.Path(file_okay=False, exists=True, path_type=Path), help="Curated tables to build from (default: the package's graph/).")
@click.option("--date", "issued", metavar="YYYY-MM-DD", help="Issue date to record (default: today).")
@click.option("--sparql-endpoint", metavar="URL", help="A public SPARQL endpoint serving this release, recorded in the description.")
def release_command(out_dir: Path, previous: Path | None, graph_dir: Path | None, issued: str | None, sparql_endpoint: str | None) -> None:
    """Write a versioned release: RDF (Turtle, N-Triples, JSON-LD), KGX, SSSOM, a VoID/DCAT description, checksums and a changelog.

    \b
    allkg release --out releases/0.2.0 --previous releases/0.1.0
    """
    from allkg.release import ReleaseError, make_release
    from allkg.tables import CurationError
    from allkg.validate import ValidationError

    try:
        result = make_release(out_dir, previous=previous, graph_dir=graph_dir, issued=issued, sparql_endpoint=sparql_endpoint)
    except (CurationError, ValidationError, ReleaseError, FileNotFoundError, ValueError) as error:
        _fail(f"release stopped; nothing was written.\n{error}")
    for name, size in result.sizes.items():
        click.echo(f"{size:>10,}  {name}")
    click.echo(f"allkg {result.version}: release written to {result.directory}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.unmapped:
        click.echo(f"Not aligned to Biolink ({len(result.unmapped)} ontology terms; KGX gets biolink:NamedThing or biolink:related_to):")
        click.echo(click.wrap_text(", ".join(result.unmapped), width=78, initial_indent="  ", subsequent_indent="  "))
    click.echo("For research and education only; not for treating patients.")
