"""The server's pages and named-query answers: the query editor, the list of named queries, a named query's
result (HTML table, SPARQL JSON, CSV or TSV) and the view of one entity.

Every value from the graph or the request is escaped (``html.escape``) before it
reaches a page, and the editor page writes results with ``textContent``: data is
shown, never run. Pages load nothing from the network.
"""

from __future__ import annotations

import html
import json
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

from allkg.protocol import RESULT_FORMATS, Reply, negotiate, truncation_headers
from allkg.results import QueryResult, display

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
DISCLAIMER = "For research and education only; not for treating patients."
ENTITY_BASE = "https://w3id.org/allkg/"
NAMED_OFFERS = {
    "text/html": "html", "application/xhtml+xml": "html",
    "application/sparql-results+json": "json", "application/json": "json",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
NAMED_FORMATS = {"html": "text/html; charset=utf-8", "json": RESULT_FORMATS["json"], "csv": RESULT_FORMATS["csv"], "tsv": RESULT_FORMATS["tsv"]}
MAX_VIEW_DEPTH = 3
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } .muted { color: #666; } .note { background: #fff4ce; padding: 4px 8px; }
textarea { width: 100%; font: 13px/1.4 monospace; } pre { white-space: pre-wrap; background: #f6f6f6; padding: 8px; }
label { display: inline-block; margin-right: 1em; } footer { margin-top: 2em; font-style: italic; color: #555; }
"""


def page(title: str, body: str) -> bytes:
    """Return a complete HTML page around ``body`` (already escaped)."""
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        f'<nav><a href="/">SPARQL editor</a> · <a href="/queries">named queries</a> · <a href="/sparql">service description</a></nav>\n'
        f"{body}\n<footer>{DISCLAIMER}</footer></body></html>\n"
    ).encode()


def html_reply(status: int, title: str, body: str) -> Reply:
    return Reply(status, NAMED_FORMATS["html"], page(title, body))


# -------------------------------------------------------------------------------------------- the editor


@lru_cache(maxsize=1)
def editor_page() -> bytes:
    """Return the query editor: a form that posts to /sparql and shows the answer as a table; named queries as examples."""
    from allkg.queries import list_queries
    from allkg.views import embed_json

    examples = [{"name": q.name, "title": q.title, "text": q.text} for q in list_queries()]
    template = (TEMPLATE_DIR / "editor.html").read_text(encoding="utf-8")
    from allkg.results import PREFIXES_FILE

    prefixes = json.loads(PREFIXES_FILE.read_text(encoding="utf-8"))
    return template.replace("{{ examples }}", embed_json(examples)).replace("{{ prefixes }}", embed_json(prefixes)).replace("{{ disclaimer }}", html.escape(DISCLAIMER)).encode("utf-8")


# The editor's vendored YASGUI (allkg/static/yasgui, see its README): served by name from a fixed list, never a path.
STATIC_DIR = Path(__file__).resolve().parent / "static" / "yasgui"
ASSETS = {"yasgui.min.js": "text/javascript; charset=utf-8", "yasgui.min.css": "text/css; charset=utf-8"}


@cache
def _asset_bytes(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def asset(name: str) -> Reply:
    """Return one of the editor's script and style files (404 for any other name)."""
    if name not in ASSETS:
        return Reply.text(404, "no such asset")
    reply = Reply(200, ASSETS[name], _asset_bytes(name))
    reply.headers["Cache-Control"] = "public, max-age=86400"
    return reply


def explore_page(store, values: dict[str, str]) -> Reply:
    """Return the explorer's form, with the answer for the profile in ``values`` (query parameters) below it."""
    from allkg.explore_render import FORM_FIELDS, to_html
    from allkg.explorer import DISCLAIMER, explore
    from allkg.queries import ERRORS

    known = {key for key, _, _ in FORM_FIELDS}
    values = {key: value for key, value in values.items() if key in known and value.strip()}
    answer, error = {"disclaimer": DISCLAIMER}, None
    if values:
        profile = {key: [part.strip() for part in value.split(";") if part.strip()] for key, value in values.items() if key != "age"}
        try:
            answer = explore(store, age=values.get("age"), **profile)
        except ERRORS as problem:
            error = str(problem)
    page = to_html(answer, "explore", form={"values": values, "error": error})
    return Reply(200 if error is None else 400, "text/html; charset=utf-8", page.encode("utf-8"))


_SITE_ASSETS: dict[str, bytes] = {}
SITE_ASSET_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def site_asset(name: str) -> Reply:
    """Return one of the files the entity pages share (as ``allkg site`` writes them under assets/); 404 otherwise."""
    from allkg.site import shared_assets

    if not _SITE_ASSETS:
        _SITE_ASSETS.update(shared_assets())
    if name not in _SITE_ASSETS:
        return Reply.text(404, "no such asset")
    reply = Reply(200, SITE_ASSET_TYPES.get(Path(name).suffix, "application/octet-stream"), _SITE_ASSETS[name])
    reply.headers["Cache-Control"] = "public, max-age=86400"
    return reply


# ------------------------------------------------------------------------------------------ named queries


def query_list(accept: str | None, requested: str | None) -> Reply:
    """Return the named queries with their parameters, as an HTML table or JSON."""
    from allkg.queries import list_queries

    named = list_queries()
    fmt = requested or negotiate({"text/html": "html", "application/json": "json"}, accept, "json")
    if fmt == "json":
        items = [{"name": q.name, "title": q.title, "description": q.description, "url": f"/queries/{q.name}",
                  "params": [{"name": p.name, "kind": p.kind, "example": p.example, "optional": p.optional, "description": p.description} for p in q.params],
                  "columns": [{"name": c.name, "description": c.description} for c in q.columns]} for q in named]
        return Reply(200, "application/json", json.dumps(items, indent=1, ensure_ascii=False).encode("utf-8"))
    rows = []
    for q in named:
        params = ", ".join(f"{p.name} ({p.kind}{', optional' if p.optional else ''})" for p in q.params)
        rows.append(f'<tr><td><a href="/queries/{quote(q.name)}">{html.escape(q.name)}</a></td><td>{html.escape(q.title)}</td>'
                    f"<td>{html.escape(params)}</td></tr>")
    body = (f"<h1>Named queries</h1><p class=muted>{len(named)} questions the graph answers; each runs with its example "
            "until you give parameters. Add <code>?format=json</code> or <code>csv</code> for programs.</p>"
            f"<table><tr><th>query</th><th>question</th><th>parameters</th></tr>{''.join(rows)}</table>")
    return html_reply(200, "allkg: named queries", body)


def named_query(store, name: str, params: dict[str, str], accept: str | None, requested: str | None, max_rows: int) -> Reply:
    """Run the named query ``name`` with ``params`` on ``store`` (404 for an unknown name, 400 for a bad value)."""
    from allkg import queries

    try:
        query = queries.load_query(name)
    except queries.QueryError as error:
        return Reply.text(404, str(error))
    fmt = requested if requested in NAMED_FORMATS else negotiate(NAMED_OFFERS, accept, "json")
    if fmt is None:
        return Reply.text(406, f"none of the accepted types ({accept}) is offered; offered: {', '.join(NAMED_OFFERS)}")
    try:
        result = queries.run(query, params or None, store)
    except queries.ERRORS as error:
        return html_reply(400, "allkg: bad parameter", _form(query, params) + f"<pre>{html.escape(str(error))}</pre>") if fmt == "html" else Reply.text(400, str(error))
    truncated = result.boolean is None and len(result.terms) > max_rows
    if truncated:
        result = QueryResult(result.columns, result.terms[:max_rows], name=result.name)
    headers = truncation_headers(max_rows) if truncated else {}
    if fmt == "html":
        note = f"<p class=note>Only the first {max_rows} rows are shown (the row limit).</p>" if truncated else ""
        body = _form(query, params) + note + result_table(result)
        return Reply(200, NAMED_FORMATS["html"], page(f"allkg: {query.title}", body), headers)
    return Reply(200, NAMED_FORMATS[fmt], result.serialize(fmt).encode("utf-8"), headers)


def _form(query, params: dict[str, str]) -> str:
    fields = "".join(
        f'<label>{html.escape(p.name)} <span class=muted>({html.escape(p.kind)})</span> '
        f'<input name="{html.escape(p.name)}" value="{html.escape(params.get(p.name, p.example))}" '
        f'placeholder="{html.escape(p.example)}"></label>'
        for p in query.params
    )
    links = " · ".join(f'<a href="?{html.escape(urlencode({**params, "format": f}))}">{f}</a>' for f in ("json", "csv", "tsv"))
    return (f"<h1>{html.escape(query.title)}</h1><p>{html.escape(query.description)}</p>"
            f'<form method="get">{fields}<button>Run</button></form><p class=muted>Also as {links}.</p>')


def result_table(result: QueryResult) -> str:
    """Return a result as an escaped HTML table; the graph's own entities link to their view."""
    if result.boolean is not None:
        return f"<p>Answer: <strong>{'yes' if result.boolean else 'no'}</strong></p>"
    head = "".join(f"<th>{html.escape(column)}</th>" for column in result.columns)
    rows = []
    for row in result.terms:
        cells = []
        for term in row:
            text = html.escape(display(term))
            iri = getattr(term, "value", "") if type(term).__name__ == "NamedNode" else ""
            local = iri[len(ENTITY_BASE):] if iri.startswith(ENTITY_BASE) else ""
            if local and local.count("/") == 1 and "#" not in local and not local.startswith(("source/", "statement/")):
                text = f'<a href="/view/{quote(local)}">{text}</a>'
            cells.append(f"<td>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    count = f"<p class=muted>{len(rows)} row{'s' if len(rows) != 1 else ''}</p>"
    return f"{count}<table><tr>{head}</tr>{''.join(rows)}</table>"


# -------------------------------------------------------------------------------------------------- views


class Views:
    """The graph as a network, converted once per worker on first use, and the page of one entity's neighbourhood."""

    def __init__(self, graph_path: Path | None):
        self.graph_path, self._network = graph_path, None

    def network(self):
        if self._network is None:
            from allkg.network import to_networkx
            from allkg.store import load_graph

            self._network = to_networkx(load_graph(self.graph_path, inference=False))  # asserted facts only
        return self._network

    def page(self, entity_id: str) -> Reply:
        """Return the entity's page (as in ``allkg site``), linking to the server's assets and its view."""
        from allkg.resolve import EntityError, node_named
        from allkg.site import render_entity_page

        network = self.network()
        try:
            node = node_named(network, entity_id)
        except EntityError as error:
            return Reply.text(404, str(error))
        html = render_entity_page(network, node, root="/", view_url=f"/view/{entity_id}")
        return Reply(200, "text/html; charset=utf-8", html.encode("utf-8"))

    def entity(self, name: str, depth: int) -> Reply:
        """Return the self-contained view page of ``name`` (id, label, synonym or brand); 404 with suggestions."""
        from allkg.network import neighbourhood
        from allkg.resolve import EntityError, node_named
        from allkg.views import render

        network = self.network()
        try:
            focus = node_named(network, name)
        except EntityError as error:
            return Reply.text(404, str(error))
        depth = max(0, min(depth, MAX_VIEW_DEPTH))
        part = neighbourhood(network, focus, depth)
        view = render(part, title=f"allkg: {part.nodes[focus]['label']} (depth {depth})", focus=focus)
        return Reply(200, "text/html; charset=utf-8", view.html.encode("utf-8"))
