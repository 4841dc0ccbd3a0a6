"""``jlis-kg timeline ENTITY``: everything the graph knows about one entity, year by year.

The entity is named by a label or alias, Japanese or English, an id (``system/lgwan``)
or an IRI (:func:`jlis_kg.query.resolve_entity`).  Its timeline holds

- the events that concern it (``jlis:Event``: date, type, label), placed at their date;
- the meetings of it (a committee) or concerning it (``jlis:Meeting``);
- the figures whose segment or indicator it is (``qb:Observation``), at their fiscal year;
- per fiscal year, the documents that mention it and the facts they state about it
  (every triple of that year's named graphs with the entity as subject or object:
  responsible unit, dependencies, posts held, …);
- the changes between fiscal years that concern it (``jlis:ChangeEvent`` of graph/changes).

Every item carries its sources (document, line, quote).  ``--json`` prints the same.
"""
from __future__ import annotations

import json
from collections import defaultdict

import click
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from .changes import CHANGES_GRAPH, Snapshots, short_id, short_prop
from .diff import Evidence, cite
from .model import InputError
from .namespaces import JLIS, QB
from .query import resolve_entity

# Triples not worth listing as facts about the entity (labels, types, bookkeeping).
SKIP_PREDICATES = {RDF.type, SKOS.prefLabel, SKOS.altLabel, RDFS.label, RDF.subject, RDF.object,
                   JLIS.mentions, JLIS.discoveredIn}
MAX_FACTS_PER_YEAR = 40


def _values(dataset, node, prop) -> list:
    return sorted({o for _, _, o, _ in dataset.quads((node, prop, None, None))}, key=str)


def _value(dataset, node, prop):
    values = _values(dataset, node, prop)
    return values[0] if values else None


def _year_of_date(text: str) -> int:
    return int(str(text)[:4])


def timeline(dataset, entity: URIRef) -> dict:
    labels = Snapshots(dataset)
    evidence = Evidence(dataset)
    items: list[dict] = []

    def sources(s, p, o, graph=None, limit=3) -> list[dict]:
        return [evidence.read(st) for st in evidence.statements(s, p, o, graph)][:limit]

    # events
    for event, _, _, _ in dataset.quads((None, JLIS.concerns, entity, None)):
        if (event, RDF.type, JLIS.Event) not in dataset or any(i.get("iri") == str(event) for i in items):
            continue
        date = _value(dataset, event, DCTERMS.date)
        if date is None:
            continue
        fiscal = _value(dataset, event, JLIS.fiscalYear)
        items.append({
            "year": int(fiscal.toPython()) if fiscal is not None else _year_of_date(date),
            "when": f"FY{fiscal}" if fiscal is not None else str(date),
            "sort": str(date), "item": "event", "iri": str(event),
            "type": str(_value(dataset, event, JLIS.eventType) or ""),
            "label": labels.label(event), "sources": sources(event, JLIS.concerns, entity),
        })
    # meetings of a committee, or concerning the entity
    meetings = {m for m, _, _, _ in dataset.quads((None, JLIS.meetingOf, entity, None))}
    meetings |= {m for m, _, _, _ in dataset.quads((None, JLIS.concerns, entity, None))
                 if (m, RDF.type, JLIS.Meeting) in dataset}
    for meeting in sorted(meetings):
        date = _value(dataset, meeting, DCTERMS.date)
        fiscal = _value(dataset, meeting, JLIS.fiscalYear)
        year = int(fiscal.toPython()) if fiscal is not None else (_year_of_date(date) if date else 0)
        prop = JLIS.meetingOf if (meeting, JLIS.meetingOf, entity) in dataset else JLIS.concerns
        found = sources(meeting, prop, entity) or sources(meeting, DCTERMS.date, None)
        items.append({
            "year": year, "when": str(date or ""), "sort": str(date or ""), "item": "meeting", "iri": str(meeting),
            "type": "meeting", "label": labels.label(meeting),
            "agenda": _agenda(dataset, evidence, meeting),
            "sources": found,
        })
    # figures
    observations = {o for o, _, _, _ in dataset.quads((None, JLIS.segment, entity, None))}
    observations |= {o for o, _, _, _ in dataset.quads((None, JLIS.indicator, entity, None))}
    for obs in sorted(observations):
        fiscal = _value(dataset, obs, JLIS.fiscalYear)
        if fiscal is None:
            continue
        measure = JLIS.amountJPY if _value(dataset, obs, JLIS.amountJPY) is not None else JLIS.value
        value = _value(dataset, obs, measure)
        if value is None:
            continue
        unit = _value(dataset, obs, JLIS.unit)
        what = " / ".join(str(v) for v in (_value(dataset, obs, JLIS.figureKind), _value(dataset, obs, JLIS.lineItem))
                          if v is not None)
        dataset_node = _value(dataset, obs, QB.dataSet)
        if dataset_node is not None:
            what = f"{labels.label(dataset_node)} / {what}"
        items.append({
            "year": int(fiscal.toPython()), "when": f"FY{fiscal}", "sort": f"{fiscal}-figure", "item": "figure",
            "iri": str(obs), "type": "figure", "label": what,
            "value": str(value), "unit": "円" if measure == JLIS.amountJPY else str(unit or ""),
            "sources": sources(obs, measure, None, limit=1),
        })
    # mentions and stated facts, per fiscal year
    for year, graphs in sorted(labels.graphs.items()):
        for graph in graphs:
            for doc, _, _, _ in dataset.quads((None, JLIS.mentions, entity, graph)):
                items.append({
                    "year": year, "when": f"FY{year}", "sort": f"{year}-mention", "item": "mention",
                    "iri": str(doc), "type": "mention", "label": f"named in {evidence.document_id(doc)}",
                    "sources": sources(doc, JLIS.mentions, entity, graph, limit=1),
                })
            facts = []
            for s, p, o, _ in dataset.quads((entity, None, None, graph)):
                if p not in SKIP_PREDICATES:
                    facts.append((s, p, o))
            for s, p, o, _ in dataset.quads((None, None, entity, graph)):
                if p not in SKIP_PREDICATES and not (s, RDF.type, RDF.Statement) in dataset \
                        and (s, RDF.type, JLIS.Event) not in dataset and (s, RDF.type, JLIS.Meeting) not in dataset \
                        and p not in (JLIS.segment, JLIS.indicator):
                    facts.append((s, p, o))
            for s, p, o in sorted(set(facts))[:MAX_FACTS_PER_YEAR]:
                found = sources(s, p, o, graph, limit=1)
                if not found:
                    continue
                if s == entity:
                    text = f"{short_prop(p)} {_text(o, labels)}"
                else:
                    text = f"{_text(s, labels)} {short_prop(p)} ←"
                items.append({"year": year, "when": f"FY{year}", "sort": f"{year}-fact", "item": "fact",
                              "iri": "", "type": short_prop(p), "label": text, "sources": found})
    # changes
    for change, _, _, _ in dataset.quads((None, JLIS.changedEntity, entity, CHANGES_GRAPH)):
        to_year = _value(dataset, change, JLIS.toFiscalYear)
        ev = [evidence.read(s) for s in _values(dataset, change, JLIS.evidenceBefore)[:1] +
              _values(dataset, change, JLIS.evidenceAfter)[:1]]
        items.append({
            "year": int(to_year.toPython()), "when": f"FY{_value(dataset, change, JLIS.fromFiscalYear)}→FY{to_year}",
            "sort": f"{to_year}-~change", "item": "change", "iri": str(change),
            "type": str(_value(dataset, change, JLIS.changeKind)), "label": labels.label(change), "sources": ev,
        })
    items.sort(key=lambda i: (i["year"], RANK.get(i["item"], 9), i["sort"], i["label"]))
    by_year = defaultdict(list)
    for item in items:
        by_year[item["year"]].append({k: v for k, v in item.items() if k not in ("sort",)})
    types = sorted({_curie(t) for t in _values(dataset, entity, RDF.type)})
    return {
        "entity": {"iri": str(entity), "id": short_id(entity), "label": labels.label(entity),
                   "label_en": labels.label(entity, "en"), "types": types},
        "years": [{"year": year, "items": by_year[year]} for year in sorted(by_year)],
    }


def _agenda(dataset, evidence: Evidence, meeting) -> list[str]:
    """The meeting's agenda items in the order the documents list them (by source line)."""
    def position(item):
        lines = [evidence.read(st) for st in evidence.statements(meeting, JLIS.agendaItem, item)]
        return min(((e["document"], e["line"] or 0) for e in lines), default=("", 0))
    return [str(item) for item in sorted(_values(dataset, meeting, JLIS.agendaItem), key=lambda i: (position(i), str(i)))]


RANK = {"event": 0, "meeting": 0, "change": 1, "figure": 2, "mention": 3, "fact": 4}


def _curie(term) -> str:
    from .assemble import short_name
    return short_name(term)


def _text(node, labels) -> str:
    if isinstance(node, URIRef):
        return labels.label(node)
    text = str(node)
    return text if len(text) <= 50 else text[:49] + "…"


def render(report: dict) -> str:
    entity = report["entity"]
    head = f"{entity['label']}"
    if entity["label_en"] and entity["label_en"] not in (entity["label"], entity["id"]):
        head += f" / {entity['label_en']}"
    out = [f"{head}  ({entity['id']}; {', '.join(entity['types'])})"]
    if not report["years"]:
        out.append("  (nothing dated or per-year is known about it)")
    for year in report["years"]:
        out.append("")
        out.append(f"{year['year']}")
        for item in year["items"]:
            line = f"  {item['when']:<12} {item['item']:<8} {item['label']}"
            if item["item"] == "event":
                line += f"  [{item['type']}]"
            if item["item"] == "figure":
                line += f" = {item['value']} {item['unit']}".rstrip()
            out.append(line)
            for agenda in item.get("agenda", []):
                out.append(f"{'':<24}・{agenda}")
            for source in item["sources"]:
                out.append(f"{'':<24}↳ {cite(source, 60)}")
    return "\n".join(out)


@click.command(name="timeline")
@click.argument("entity")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@click.pass_context
def timeline_command(ctx, entity, as_json):
    """Events, meetings, figures, mentions, facts and changes of one entity, year by year,
    each with its source (document, line, quote).  ENTITY: a label or alias (Japanese or
    English), an id such as system/lgwan, or an IRI."""
    from .cli import _paths
    from .query import load_dataset

    paths = _paths(ctx)
    dataset = load_dataset(paths.build / "jlis.nq")
    node = resolve_entity(dataset, entity)
    if node is None or not any(True for _ in dataset.quads((node, None, None, None))):
        raise InputError(f"{entity}: no entity with that label, alias, id or IRI in the built graph")
    report = timeline(dataset, node)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(render(report))
