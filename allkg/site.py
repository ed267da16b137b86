"""Write the graph as a static, offline website: a page per entity and per source, the named queries with
their answers, an index with search, and every entity's neighbourhood view.

    allkg site --out build/site

What an entity page shows is driven by the data: every fact about the entity lands in a section of
``ontology/sections.tsv`` (a relation without a row gets a section of its own), one table row per
statement, one column per qualifier the statements carry, and a numbered reference into the page's
bibliography. So new kinds of facts appear on the pages without code changes.

The pages load their scripts and styles from ``assets/`` (vis-network from pyvis's bundled copy), use
relative links only, and make no request outside the site, so they work from ``file://`` and any static
host. Labels are escaped by Jinja's autoescaping. The site is written into a temporary sibling directory
and moved into place whole.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import networkx as nx

from allkg.network import neighbourhood
from allkg.sectors import section_of, severity_rank
from allkg.views import DISCLAIMER, TEMPLATE_DIR, render

# Qualifier columns come in this order when present (the rest follow alphabetically).
QUALIFIER_ORDER = ["boxed warning", "severity", "frequency", "incidence", "timing", "evidence level", "in setting",
                   "in population", "has goal", "dose dependent", "hedge", "approval date", "regulator", "note"]


def page_path(node: str) -> str:
    """Return an entity's page path inside the site: ``drug/imatinib.html``; other ids get a slug."""
    kind, _, local = node.partition("/")
    if local and re.fullmatch(r"[a-z0-9][a-z0-9-]*", kind) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", local):
        return f"{kind}/{local}.html"
    return "other/" + (re.sub(r"[^A-Za-z0-9]+", "-", node).strip("-").lower() or "entity") + ".html"


def view_path(node: str) -> str:
    return "views/" + page_path(node)


@dataclass
class Bibliography:
    """The sources a page cites, numbered in order of first citation."""

    numbers: dict[str, int] = field(default_factory=dict)
    sections: dict[str, set] = field(default_factory=dict)

    def cite(self, sources, sections=()) -> list[int]:
        numbers = []
        for source in sources:
            self.numbers.setdefault(source, len(self.numbers) + 1)
            self.sections.setdefault(source, set()).update(sections)
            numbers.append(self.numbers[source])
        return sorted(set(numbers))

    def entries(self, network: nx.MultiDiGraph, root: str) -> list[dict]:
        known = network.graph.get("sources", {})
        return [{"number": number, "id": source, "label": known.get(source, {}).get("label", source),
                 "citation": known.get(source, {}).get("citation", ""), "url": safe_url(known.get(source, {}).get("url", "")),
                 "page": root + page_path(source) if source in known else "", "sections": sorted(self.sections[source])}
                for source, number in sorted(self.numbers.items(), key=lambda item: item[1])]


def safe_url(url: str) -> str:
    """Return the URL if it is a plain web link, else nothing (a javascript: link never becomes an anchor)."""
    return url if re.match(r"https?://", url or "", re.I) else ""


def qualifier_columns(rows: list[dict]) -> list[str]:
    present = {name for row in rows for name in row["qualifiers"]}
    return [name for name in QUALIFIER_ORDER if name in present] + sorted(present - set(QUALIFIER_ORDER))


def entity_sections(network: nx.MultiDiGraph, node: str, bibliography: Bibliography, root: str) -> list[dict]:
    """Return the entity's facts as sections: heading, qualifier columns, one row per statement."""
    sections: dict[tuple, dict] = {}
    edges = [(s, o, d, True) for s, o, d in network.out_edges(node, data=True)]
    edges += [(s, o, d, False) for s, o, d in network.in_edges(node, data=True) if s != node]
    for source, target, data, outgoing in edges:
        other = target if outgoing else source
        order, heading, sort = section_of(str(data.get("predicate", "")), str(data.get("label", "")), outgoing)
        section = sections.setdefault((order, heading), {"heading": heading, "sort": sort, "rows": []})
        label = str(network.nodes[other].get("label", other))
        for statement in data.get("statements") or [{"qualifiers": data.get("qualifiers", {}), "sources": data.get("sources", []), "sections": []}]:
            rank = severity_rank([statement]) if sort == "severity" else ()
            section["rows"].append({
                "label": label, "href": root + page_path(other), "kind": network.nodes[other].get("legend", ""),
                "relation": data.get("label", ""), "qualifiers": statement.get("qualifiers", {}),
                "refs": bibliography.cite(statement.get("sources", []), statement.get("sections", [])),
                "key": rank + (label.casefold(),), "rank": ".".join(map(str, rank)),
            })
    result = []
    for _, section in sorted(sections.items()):
        section["rows"].sort(key=lambda row: row["key"])
        section["columns"] = qualifier_columns(section["rows"])
        section["relations"] = len({row["relation"] for row in section["rows"]}) > 1
        result.append(section)
    return result


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATE_DIR / "site"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def shared_assets() -> dict[str, bytes]:
    """Return the files every page loads from ``assets/`` (name -> content): a server serving entity pages
    at ``/`` serves these at ``/assets/NAME``."""
    from allkg.views import _own_file, vis_library

    script, style = vis_library()
    files = {"vis-network.min.js": script, "vis-network.css": style, "view.js": _own_file("view.js"), "view.css": _own_file("view.css")}
    files.update({name: (TEMPLATE_DIR / "site" / name).read_text(encoding="utf-8") for name in ("site.css", "site.js")})
    return {name: text.encode("utf-8") for name, text in files.items()}


def render_entity_page(network: nx.MultiDiGraph, node: str, root: str = "../", view_url: str | None = None) -> str:
    """Return the HTML page of one entity (the linked-data routes of ``allkg serve`` call this too).

    ``root``: the URL of the site's root as seen from the page (``"../"`` in the static site, ``"/"`` on a
    server), where ``assets/`` and the other pages are. ``view_url``: the neighbourhood view to embed.
    """
    data = network.nodes[node]
    bibliography = Bibliography()
    attributes = [{"label": a["label"], "value": a["value"], "qualifiers": a.get("qualifiers", {}),
                   "refs": bibliography.cite(a.get("sources", []), a.get("sections", []))} for a in data.get("attributes", [])]
    sections = entity_sections(network, node, bibliography, root)
    identifiers = [{**identifier, "url": safe_url(identifier["iri"])} for identifier in data.get("identifiers", [])]
    return _environment().get_template("entity.html").render(
        root=root, disclaimer=DISCLAIMER, node=node, label=data.get("label", node), kind=data.get("legend", ""),
        classes=[c for c in data.get("classes", []) if c != data.get("legend")], description=data.get("description", ""),
        synonyms=data.get("synonyms", []), identifiers=identifiers, iri=safe_url(data.get("iri", "")),
        attributes=attributes, sections=sections, view_url=view_url,
        bibliography=bibliography.entries(network, root), summary=[(s["heading"], len(s["rows"])) for s in sections],
    )


def source_facts(network: nx.MultiDiGraph) -> dict[str, list[dict]]:
    """Return, for each source, the facts it supports (one row per statement citing it)."""
    facts: dict[str, list[dict]] = {}
    for subject, obj, data in network.edges(data=True):
        for statement in data.get("statements") or []:
            for source in statement.get("sources", []):
                facts.setdefault(source, []).append({"subject": subject, "relation": data.get("label", ""), "object": obj,
                                                     "qualifiers": statement.get("qualifiers", {}), "sections": statement.get("sections", [])})
    for node, data in network.nodes(data=True):
        for attribute in data.get("attributes", []):
            for source in attribute.get("sources", []):
                facts.setdefault(source, []).append({"subject": node, "relation": attribute["label"], "value": attribute["value"],
                                                     "qualifiers": attribute.get("qualifiers", {}), "sections": attribute.get("sections", [])})
    return facts


def _query_pages(network: nx.MultiDiGraph, graph, render_page) -> dict[str, str]:
    """Return the named queries' pages: each with its question, SPARQL, example parameters and answer."""
    from allkg import queries
    from allkg.results import display

    by_iri = {data.get("iri"): node for node, data in network.nodes(data=True)}
    pages, listed = {}, []
    for query in queries.list_queries():
        try:
            result, error = queries.run(query, None, graph), ""
        except queries.ERRORS as failure:
            result, error = None, str(failure)
        rows = []
        for row in (result.terms if result is not None and result.boolean is None else []):
            cells = []
            for term in row:
                value = getattr(term, "value", None) if term is not None else None
                node = by_iri.get(value)
                cells.append({"text": display(term) if term is not None else "", "href": "../" + page_path(node) if node else ""})
            rows.append(cells)
        listed.append({"name": query.name, "title": query.title, "rows": len(rows)})
        pages[f"queries/{query.name}.html"] = render_page(
            "query.html", "../", query=query, columns=result.columns if result is not None else [], rows=rows,
            boolean=result.boolean if result is not None else None, error=error, example=query.example)
    pages["queries/index.html"] = render_page("queries.html", "../", queries=listed)
    return pages


def build_site(out: Path, network: nx.MultiDiGraph, graph=None, progress=None) -> dict:
    """Write the whole site into ``out`` (replaced whole) and return counts, sizes and the time taken.

    ``graph``: what the named queries run on (None: the built store, with entailment). ``progress``: called
    with (done, total, stage) as pages are written.
    """
    started = time.perf_counter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    environment = _environment()

    def render_page(template: str, root: str, **values) -> str:
        return environment.get_template(template).render(root=root, disclaimer=DISCLAIMER, **values)

    def write(path: str, text: str) -> None:
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    try:
        for name, content in shared_assets().items():
            (staging / "assets").mkdir(exist_ok=True)
            (staging / "assets" / name).write_bytes(content)
        entities = [node for node, data in network.nodes(data=True) if not page_path(node).startswith("source/")]
        links = {node: "../../" + page_path(node) for node in entities}
        total = len(entities)
        for done, node in enumerate(entities, 1):
            part = neighbourhood(network, node, 1)
            view = render(part, title=f"{network.nodes[node].get('label', node)}: neighbourhood", focus=node,
                          assets="../../assets/", links=links)
            write(view_path(node), view.html)
            write(page_path(node), render_entity_page(network, node, "../", "../" + view_path(node)))
            if progress and (done % 25 == 0 or done == total):
                progress(done, total, "entity pages")
        facts = source_facts(network)
        for source, about in network.graph.get("sources", {}).items():
            if not source.startswith("source/"):
                continue
            rows = [{**fact, "subject_label": network.nodes[fact["subject"]].get("label", fact["subject"]),
                     "subject_href": "../" + page_path(fact["subject"]),
                     "object_label": network.nodes[fact["object"]].get("label", fact["object"]) if "object" in fact else "",
                     "object_href": "../" + page_path(fact["object"]) if "object" in fact else ""}
                    for fact in facts.get(source, [])]
            rows.sort(key=lambda row: (row["subject_label"].casefold(), row["relation"], row["object_label"].casefold()))
            write(page_path(source), render_page("source.html", "../", source=source, about={**about, "url": safe_url(about.get("url", ""))}, rows=rows))
        for path, text in _query_pages(network, graph, render_page).items():
            write(path, text)
        if progress:
            progress(total, total, "queries and index")
        whole = render(network, title="allkg: the whole graph", assets="../assets/", links={n: "../" + page_path(n) for n in entities})
        write("views/graph.html", whole.html)
        index = _search_index(network, entities)
        write("search-index.json", json.dumps(index, ensure_ascii=False))
        write("assets/search-index.js", "window.allkgSearchIndex = " + json.dumps(index, ensure_ascii=False).replace("<", "\\u003c") + ";\n")
        kinds: dict[str, list] = {}
        for node in sorted(entities, key=lambda n: str(network.nodes[n].get("label", n)).casefold()):
            kinds.setdefault(network.nodes[node].get("legend", "other"), []).append({"label": network.nodes[node].get("label", node), "href": page_path(node)})
        sources = sorted((about["label"], page_path(s)) for s, about in network.graph.get("sources", {}).items() if s.startswith("source/"))
        write("index.html", render_page("index.html", "", kinds=sorted(kinds.items()), sources=sources,
                                        counts={"entities": len(entities), "facts": network.number_of_edges(), "sources": len(sources)}))
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = [path for path in out.rglob("*") if path.is_file()]
    return {"pages": sum(1 for path in files if path.suffix == ".html"), "files": len(files),
            "bytes": sum(path.stat().st_size for path in files), "seconds": round(time.perf_counter() - started, 2)}


def _search_index(network: nx.MultiDiGraph, entities: list[str]) -> list[list[str]]:
    """Return [label, kind, page, other names] per entity, for the index page's search."""
    return [[str(network.nodes[n].get("label", n)), network.nodes[n].get("legend", ""), page_path(n),
             " | ".join([*network.nodes[n].get("synonyms", []), *(i["curie"] for i in network.nodes[n].get("identifiers", []))])]
            for n in entities]


__all__ = ["build_site", "render_entity_page", "page_path", "shared_assets"]
