"""``jlis-kg diff --from 2020 --to 2023``: what changed between two fiscal years, with evidence.

Any two fiscal years present in the built graph can be compared (not only consecutive
ones).  The comparison is :func:`jlis_kg.changes.compute_changes` — units, responsibilities,
entities, relations, post holders and the agency's purpose statement that appear,
disappear, move or change — plus the figures: every ``qb:Observation`` of one year
whose dimensions (all its properties but the fiscal year, the measure, the reporting
document and its date) match an observation of the other year, with the delta.

Each change and figure carries its evidence: document, line and quote of the
``rdf:Statement``s on each side.  ``--json`` prints the same as one JSON object.
"""
from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import click
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from .changes import Change, Snapshots, compute_changes, short_id, short_prop, text_difference
from .model import InputError
from .namespaces import JLIS, QB
from .query import format_table

ASPECT_ORDER = ("unit", "responsibility", "purpose", "post", "relation", "entity")
ASPECT_TITLES = {
    "unit": "Units (org:unitOf)",
    "responsibility": "Responsibilities (jlis:responsibleUnit)",
    "purpose": "Purpose statement (jlis:purpose)",
    "post": "Posts and their holders (org:heldBy)",
    "relation": "Relations",
    "entity": "Entities named in one year's documents and not the other's (jlis:mentions)",
}
# Properties of an observation that are not what it is a figure of.
NOT_DIMENSIONS = {RDF.type, JLIS.fiscalYear, JLIS.amountJPY, JLIS.value, JLIS.reportedIn, DCTERMS.date,
                  RDFS.label, RDFS.comment, SKOS.prefLabel, SKOS.altLabel, PROV.wasDerivedFrom}


# ───────────────────────── evidence ─────────────────────────

class Evidence:
    """Reads rdf:Statement nodes as (document, line, quote, context)."""

    def __init__(self, dataset):
        self.dataset = dataset
        self._documents: dict = {}

    def _value(self, node, prop):
        for _, _, value, _ in self.dataset.quads((node, prop, None, None)):
            return value
        return None

    def document_id(self, document) -> str:
        if document not in self._documents:
            identifier = self._value(document, DCTERMS.identifier)
            self._documents[document] = str(identifier) if identifier is not None else short_id(document)
        return self._documents[document]

    def read(self, statement) -> dict:
        document = self._value(statement, PROV.wasDerivedFrom)
        line = self._value(statement, JLIS.sourceLine)
        quote = self._value(statement, JLIS.quote)
        context = self._value(statement, JLIS.context)
        return {
            "statement": str(statement),
            "document": self.document_id(document) if document is not None else "",
            "line": int(line.toPython()) if line is not None else None,
            "quote": str(quote) if quote is not None else "",
            "context": str(context) if context is not None else "",
        }

    def statements(self, s, p, o=None, graph=None) -> list:
        """rdf:Statements of the triple (s p o) — any object when ``o`` is None — in ``graph`` or anywhere."""
        found = []
        for statement, _, _, context in self.dataset.quads((None, RDF.subject, s, graph)):
            if (statement, RDF.predicate, p, context) not in self.dataset:
                continue
            if o is None or (statement, RDF.object, o, context) in self.dataset:
                found.append(statement)
        return sorted(set(found))


def cite(evidence: dict, width: int = 40) -> str:
    quote = evidence["quote"]
    if len(quote) > width:
        quote = quote[: width - 1] + "…"
    return f"{evidence['document']}:{evidence['line']} 「{quote}」"


# ───────────────────────── figures ─────────────────────────

def _observations(dataset, years: set[int]) -> dict[int, dict]:
    """{year: {dimension key: [(value, unit kind, observation)]}} for the observations of ``years``."""
    out: dict[int, dict] = {year: defaultdict(list) for year in years}
    observations = {s for s, _, _, _ in dataset.quads((None, RDF.type, QB.Observation, None))}
    for obs in observations:
        properties = defaultdict(set)
        for _, p, o, _ in dataset.quads((obs, None, None, None)):
            properties[p].add(o)
        year_values = properties.get(JLIS.fiscalYear, set())
        if len(year_values) != 1:
            continue
        year = int(next(iter(year_values)).toPython())
        if year not in years:
            continue
        measure, value = None, None
        for prop in (JLIS.amountJPY, JLIS.value):
            if properties.get(prop):
                measure, value = prop, next(iter(properties[prop])).toPython()
                break
        if measure is None:
            continue
        key = tuple(sorted((str(p), str(o)) for p, values in properties.items() if p not in NOT_DIMENSIONS
                           for o in values))
        out[year][key].append((Decimal(str(value)), measure, obs))
    return out


def figure_deltas(dataset, from_year: int, to_year: int, labels: Snapshots) -> list[dict]:
    observations = _observations(dataset, {from_year, to_year})
    before, after = observations[from_year], observations[to_year]
    evidence = Evidence(dataset)
    rows = []
    for key in sorted(set(before) & set(after)):
        old_values = {v for v, _, _ in before[key]}
        new_values = {v for v, _, _ in after[key]}
        old, measure, old_obs = sorted(before[key], key=lambda x: str(x[2]))[0]
        new, _, new_obs = sorted(after[key], key=lambda x: str(x[2]))[0]
        dims = {short_prop(URIRef(p)): (labels.label(URIRef(o)) if o.startswith("http") else o) for p, o in key}
        delta = new - old
        rows.append({
            "dimensions": dims,
            "measure": short_prop(measure),
            "from": {"value": str(old), "observation": str(old_obs), "ambiguous": len(old_values) > 1,
                     "evidence": [evidence.read(s) for s in evidence.statements(old_obs, measure)][:2]},
            "to": {"value": str(new), "observation": str(new_obs), "ambiguous": len(new_values) > 1,
                   "evidence": [evidence.read(s) for s in evidence.statements(new_obs, measure)][:2]},
            "delta": str(delta),
            "delta_percent": None if old == 0 else f"{(delta / old * 100):.1f}",
        })
    rows.sort(key=lambda r: (-abs(Decimal(r["delta"])), json.dumps(r["dimensions"], ensure_ascii=False)))
    return rows


# ───────────────────────── changes as data ─────────────────────────

def change_record(change: Change, labels: Snapshots, evidence: Evidence) -> dict:
    def value(v):
        if isinstance(v, URIRef):
            return {"iri": str(v), "label": labels.label(v)}
        return {"text": str(v)}

    record = {
        "kind": change.kind,
        "aspect": change.aspect,
        "subject": {"iri": str(change.subject), "id": short_id(change.subject), "label": labels.label(change.subject),
                    "label_en": labels.label(change.subject, "en")},
        "property": short_prop(change.prop),
        "before": [value(v) for v in change.before],
        "after": [value(v) for v in change.after],
        "evidence_before": [evidence.read(s) for s in change.evidence_before],
        "evidence_after": [evidence.read(s) for s in change.evidence_after],
    }
    if change.aspect == "purpose" and change.before and change.after:
        deleted, inserted = text_difference(str(change.before[0]), str(change.after[0]))
        record["deleted_text"] = [d for d in deleted if d.strip(" 。、")]
        record["inserted_text"] = [i for i in inserted if i.strip(" 。、")]
    return record


def diff_report(dataset, from_year: int, to_year: int) -> dict:
    snapshots = Snapshots(dataset)
    missing = [y for y in (from_year, to_year) if y not in snapshots.graphs]
    if missing:
        present = ", ".join(str(y) for y in snapshots.years) or "none"
        raise InputError(f"--from/--to: no document for fiscal year {missing[0]} (fiscal years present: {present})")
    if from_year == to_year:
        raise InputError("--from/--to: give two different fiscal years")
    changes = compute_changes(snapshots, from_year, to_year)
    evidence = Evidence(dataset)
    order = {aspect: i for i, aspect in enumerate(ASPECT_ORDER)}
    changes.sort(key=lambda c: (order.get(c.aspect, 99), c.kind, labels_key(c, snapshots)))
    return {
        "from": from_year,
        "to": to_year,
        "snapshots": {str(y): [short_id_graph(g) for g in snapshots.graphs[y]] for y in (from_year, to_year)},
        "changes": [change_record(c, snapshots, evidence) for c in changes],
        "figures": figure_deltas(dataset, from_year, to_year, snapshots),
    }


def labels_key(change: Change, snapshots: Snapshots) -> str:
    return f"{short_id(change.subject).split('/', 1)[0]}:{snapshots.label(change.subject)}"


def short_id_graph(graph) -> str:
    return str(graph).rsplit("/", 1)[-1]


# ───────────────────────── rendering ─────────────────────────

def _values(items) -> str:
    return ", ".join(v.get("label") or v.get("text", "") for v in items)


def render(report: dict, figure_limit: int = 40) -> str:
    out = [f"Changes from FY{report['from']} ({', '.join(report['snapshots'][str(report['from'])])}) "
           f"to FY{report['to']} ({', '.join(report['snapshots'][str(report['to'])])})", ""]
    by_aspect = defaultdict(list)
    for change in report["changes"]:
        by_aspect[change["aspect"]].append(change)
    for aspect in ASPECT_ORDER:
        changes = by_aspect.get(aspect)
        if not changes:
            continue
        out.append(f"── {ASPECT_TITLES[aspect]}: {len(changes)}")
        if aspect == "purpose":
            for change in changes:
                out.append(f"changed: {change['subject']['label']}")
                out.append(f"  FY{report['from']}: {_values(change['before'])}")
                out.append(f"  FY{report['to']}: {_values(change['after'])}")
                for piece in change.get("deleted_text", []):
                    out.append(f"  − 「{piece}」")
                for piece in change.get("inserted_text", []):
                    out.append(f"  + 「{piece}」")
                for ev in change["evidence_before"]:
                    out.append(f"  before: {cite(ev, 60)}")
                for ev in change["evidence_after"]:
                    out.append(f"  after:  {cite(ev, 60)}")
            out.append("")
            continue
        rows = []
        for change in changes:
            kind = change["subject"]["id"].split("/", 1)[0]
            what = change["subject"]["label"] + ("" if aspect != "entity" else f" [{kind}]")
            if change["kind"] == "added":
                detail = f"{change['property']} {_values(change['after'])}".strip()
            elif change["kind"] == "removed":
                detail = f"{change['property']} {_values(change['before'])}".strip()
            else:
                detail = f"{change['property']} {_values(change['before'])} → {_values(change['after'])}"
            before = cite(change["evidence_before"][0]) if change["evidence_before"] else ""
            after = cite(change["evidence_after"][0]) if change["evidence_after"] else ""
            rows.append(tuple(Literal(x) for x in (change["kind"], what, detail, before, after)))
        out.append(format_table(["change", "what", "detail", f"evidence FY{report['from']}",
                                 f"evidence FY{report['to']}"], rows, max_width=70))
        out.append("")
    figures = report["figures"]
    out.append(f"── Figures present in both years (qb:Observation): {len(figures)}"
               + (f", the {figure_limit} largest changes shown (all with --json)" if len(figures) > figure_limit else ""))
    rows = []
    for figure in figures[:figure_limit]:
        dims = figure["dimensions"]
        what = " / ".join(str(v) for k, v in sorted(dims.items()))
        pct = f" ({figure['delta_percent']}%)" if figure["delta_percent"] is not None else ""
        ev_from = cite(figure["from"]["evidence"][0], 24) if figure["from"]["evidence"] else ""
        ev_to = cite(figure["to"]["evidence"][0], 24) if figure["to"]["evidence"] else ""
        rows.append(tuple(Literal(x) for x in (what, _number(figure["from"]["value"]), _number(figure["to"]["value"]),
                                               _number(figure["delta"]) + pct, ev_from, ev_to)))
    if rows:
        out.append(format_table(["figure", f"FY{report['from']}", f"FY{report['to']}", "delta",
                                 f"evidence FY{report['from']}", f"evidence FY{report['to']}"], rows, max_width=60))
    return "\n".join(out)


def _number(text: str) -> str:
    try:
        value = Decimal(text)
    except Exception:  # noqa: BLE001
        return text
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,}"


@click.command()
@click.option("--from", "from_year", type=int, required=True, help="The earlier fiscal year (e.g. 2020).")
@click.option("--to", "to_year", type=int, required=True, help="The later fiscal year (e.g. 2023).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--figures", "figure_limit", type=int, default=40, show_default=True,
              help="How many figures the table shows (largest changes first).")
@click.pass_context
def diff(ctx, from_year, to_year, as_json, figure_limit):
    """What changed between two fiscal years: units, responsibilities, entities, relations,
    posts, the purpose statement, and figures with their deltas, each with its evidence."""
    from .cli import _paths
    from .query import load_dataset

    paths = _paths(ctx)
    dataset = load_dataset(paths.build / "jlis.nq")
    report = diff_report(dataset, from_year, to_year)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(render(report, figure_limit))
