"""Write the explorer's answers (see :mod:`allkg.explorer`, :mod:`allkg.regimen_check`) as Markdown, a terminal table or HTML.

Every item keeps its source; every output ends with the disclaimer. HTML is one offline page: each
candidate's explanation paths are drawn as small inline SVG chains, labels escaped as text.
"""

from __future__ import annotations

import json
from pathlib import Path

from allkg.results import shorten

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def to_json(answer: dict) -> str:
    return json.dumps(answer, indent=2, ensure_ascii=False) + "\n"


def _name(iri: str | None, labels: dict[str, str]) -> str:
    if not iri:
        return ""
    return labels.get(iri) or shorten(iri)


def answer_labels(answer: dict) -> dict[str, str]:
    """Every IRI of an answer that carries a label somewhere in it, mapped to that label."""
    labels: dict[str, str] = {}

    def walk(value):
        if isinstance(value, dict):
            iri = value.get("iri") or value.get("drug") or value.get("regimen") or value.get("test") or value.get("effect")
            if isinstance(iri, str) and isinstance(value.get("label"), str):
                labels.setdefault(iri, value["label"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(answer)
    return {**labels, **getattr(answer, "labels", {})}


def _cell(text) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def frames(answer: dict) -> dict:
    """The answer as pandas DataFrames (for notebooks): candidates, cautions, excluded, regimens."""
    import pandas as pd

    labels = answer_labels(answer)
    candidates = [{"rank": c["rank"], "drug": c["label"], "evidence level": c["evidence_level"],
                   "why (most specific path)": " > ".join(_name(i, labels) for i in c["paths"][0]) if c["paths"] else "",
                   "sources": len({b["source"] for b in c["basis"]}), "cautions": len(c["cautions"]),
                   "monitoring": ", ".join(m["label"] for m in c["monitoring"])} for c in answer["candidates"]]
    cautions = [{"drug": c["label"], "kind": x["kind"], "what": x["text"], "management": x["management"],
                 "source": shorten(x["source"] or "")} for c in answer["candidates"] for x in c["cautions"]]
    excluded = [{"drug": x["label"], "why not": r["kind"], "detail": r["text"], "source": shorten(r["source"] or "")}
                for x in answer["excluded"] for r in x["reasons"]]
    regimens = [{"regimen": r["label"], "evidence level": r["evidence_level"], "trials": ", ".join(shorten(t) for t in r["trials"])}
                for r in answer["regimens"]]
    return {name: pd.DataFrame(rows) for name, rows in
            (("candidates", candidates), ("cautions", cautions), ("excluded", excluded), ("regimens", regimens))}


def explore_markdown(answer: dict) -> str:
    """The answer as Markdown: the profile, candidates with basis, cautions and monitoring, exclusions, regimens."""
    labels = answer_labels(answer)
    lines = ["# Therapies for this profile", "", f"> {answer['disclaimer']}", "", "## Profile", ""]
    for key, value in answer["profile"].items():
        if value not in (None, []):
            shown = value if not isinstance(value, list) else ", ".join(item["label"] for item in value)
            lines.append(f"- **{key.replace('_', ' ')}**: {shown}")
    lines += ["", "## Candidates", ""]
    if not answer["candidates"]:
        lines.append("No drug fits this profile (see the exclusions below).")
    for candidate in answer["candidates"]:
        lines += [f"### {candidate['rank']}. {candidate['label']}", "", f"- evidence level: {candidate['evidence_level']}"]
        for path in candidate["paths"]:
            lines.append(f"- path: {' → '.join(_name(iri, labels) for iri in path)}")
        sources = sorted({b["source"] for b in candidate["basis"]})
        lines.append(f"- sources: {', '.join(shorten(s) for s in sources)}")
        if candidate["cautions"]:
            lines += ["", "| caution | what | management | source |", "|---|---|---|---|"]
            lines += [f"| {c['kind']} | {_cell(c['text'])} | {_cell(c['management'])} | {shorten(c['source'] or '')} |" for c in candidate["cautions"]]
        if candidate["monitoring"]:
            lines += ["", "| monitoring | when | source |", "|---|---|---|"]
            lines += [f"| {_cell(m['label'])} | {_cell(m['when'])} | {shorten(m['source'])} |" for m in candidate["monitoring"]]
        lines.append("")
    lines += ["## Considered and excluded", "", "| drug | why not | source |", "|---|---|---|"]
    for item in answer["excluded"]:
        for reason in item["reasons"]:
            lines.append(f"| {item['label']} | {reason['kind']}: {_cell(reason['text'])} | {shorten(reason['source'] or '')} |")
    if answer["regimens"]:
        lines += ["", "## Regimens with these drugs", "", "| regimen | evidence level | trials |", "|---|---|---|"]
        lines += [f"| {r['label']} | {r['evidence_level']} | {', '.join(shorten(t) for t in r['trials'])} |" for r in answer["regimens"]]
    return "\n".join(lines) + "\n"


def check_markdown(answer: dict) -> str:
    """A combination check as Markdown."""
    labels = answer_labels(answer)
    lines = ["# Combination check: " + ", ".join(d["label"] for d in answer["drugs"]), "", f"> {answer['disclaimer']}", ""]
    sections = [
        ("Interactions", ["pair", "mechanism", "effect", "management", "source"],
         [(f"{_name(i['a'], labels)} + {_name(i['b'], labels)}", i["mechanism"], i["effect"], i["management"], shorten(i["source"]))
          for i in answer["interactions"]]),
        ("Shared adverse effects", ["effect", "drugs", "worst severity stated"],
         [(e["label"], ", ".join(_name(d, labels) for d in e["drugs"]), e["worst_severity"]) for e in answer["shared_adverse_effects"]]),
        ("Boxed warnings", ["drug", "warning", "when", "source"],
         [(_name(b["drug"], labels), b["label"], b["when"], shorten(b["source"])) for b in answer["boxed_warnings"]]),
        ("Monitoring", ["test", "when", "for"],
         [(m["label"], m["when"], ", ".join(_name(d, labels) for d in m["drugs"])) for m in answer["monitoring"]]),
        ("Genotype or phenotype tests", ["drug", "phenotype", "recommendation", "source"],
         [(_name(p["drug"], labels), p["label"], p["recommendation"], shorten(p["source"])) for p in answer["pharmacogenomic_tests"]]),
        ("Contraindications", ["drug", "condition", "source"],
         [(_name(c["drug"], labels), c["label"], shorten(c["source"])) for c in answer["contraindications"]]),
    ]
    for title, header, rows in sections:
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["None stated in the graph.", ""]
            continue
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def terminal_sections(answer: dict, kind: str) -> list[tuple[str, list[str], list[tuple]]]:
    """The answer as (title, header, rows) tables for a terminal."""
    labels = answer_labels(answer)
    if kind == "check":
        return [
            ("Interactions", ["pair", "mechanism", "effect", "management", "source"],
             [(f"{_name(i['a'], labels)} + {_name(i['b'], labels)}", i["mechanism"], i["effect"], i["management"], shorten(i["source"]))
              for i in answer["interactions"]]),
            ("Shared adverse effects", ["effect", "drugs", "worst severity"],
             [(e["label"], ", ".join(_name(d, labels) for d in e["drugs"]), e["worst_severity"]) for e in answer["shared_adverse_effects"]]),
            ("Boxed warnings", ["drug", "warning", "source"],
             [(_name(b["drug"], labels), b["label"], shorten(b["source"])) for b in answer["boxed_warnings"]]),
            ("Monitoring", ["test", "when", "for"],
             [(m["label"], m["when"], ", ".join(_name(d, labels) for d in m["drugs"])) for m in answer["monitoring"]]),
            ("Genotype or phenotype tests", ["drug", "phenotype", "recommendation"],
             [(_name(p["drug"], labels), p["label"], p["recommendation"]) for p in answer["pharmacogenomic_tests"]]),
            ("Contraindications", ["drug", "condition", "source"],
             [(_name(c["drug"], labels), c["label"], shorten(c["source"])) for c in answer["contraindications"]]),
        ]
    candidates = [
        (c["rank"], c["label"], c["evidence_level"], " > ".join(_name(i, labels) for i in c["paths"][0]) if c["paths"] else "",
         ", ".join(f"{kind.replace('_', ' ')} x{count}" for kind, count in _counts(x["kind"] for x in c["cautions"])),
         ", ".join(m["label"] for m in c["monitoring"]))
        for c in answer["candidates"]
    ]
    excluded = [(x["label"], "\n".join(f"{r['kind']}: {r['text']}" for r in x["reasons"])) for x in answer["excluded"]]
    regimens = [(r["label"], r["evidence_level"], ", ".join(shorten(t) for t in r["trials"])) for r in answer["regimens"]]
    return [
        ("Candidates (--format md, html or json: every path, caution and source)", ["#", "drug", "evidence", "why", "cautions", "monitoring"], candidates),
        ("Considered and excluded", ["drug", "why not"], excluded),
        ("Regimens with these drugs", ["regimen", "evidence", "trials"], regimens),
    ]


def _counts(kinds) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return list(counts.items())


# The served form's fields: query parameter, label, example.
FORM_FIELDS = (
    ("subtype", "Subtype", "Ph+ ALL"), ("alteration", "Alterations", "BCR::ABL1"), ("mutation", "Mutations", "T315I"),
    ("marker", "Markers", "CD19; CD22"), ("setting", "Setting", "relapsed"), ("age", "Age (years)", "54"),
    ("population", "Population", "adults"), ("prior_therapy", "Prior therapies", "imatinib"),
    ("comedication", "Co-medications", "posaconazole"), ("condition", "Conditions", "QT prolongation"),
)


def to_html(answer: dict, kind: str = "explore", form: dict | None = None) -> str:
    """The answer as one offline HTML page (``kind``: "explore" or "check"); ``form`` adds the served form above it
    (``{"values": {field: text}, "error": message or None}``)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape  # only pages need it: JSON stays quick to start

    environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html"]))
    labels = answer_labels(answer)
    environment.filters["name"] = lambda iri: _name(iri, labels)
    environment.filters["short"] = lambda iri: shorten(iri or "")
    if form is not None:
        form = {"fields": FORM_FIELDS, "values": form.get("values", {}), "error": form.get("error")}
    return environment.get_template("explore.html").render(
        answer=answer, kind=kind, form=form, name=environment.filters["name"], short=environment.filters["short"],
        path_svg=lambda path: _path_svg([_name(iri, labels) for iri in path]),
    )


def _path_svg(names: list[str]) -> dict:
    """Boxes and arrows for one path, laid out left to right (the template draws them)."""
    from markupsafe import escape

    x, boxes = 4, []
    for name in names:
        width = 14 + 7 * len(name)
        boxes.append({"x": x, "width": width, "text": str(escape(name))})
        x += width + 28
    return {"boxes": boxes, "width": x}
