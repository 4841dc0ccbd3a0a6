"""Turn the catalogue and the extractions into one RDF dataset of named graphs.

- ``graph/reference``: the curated catalogue (entities, labels, aliases, law
  numbers, curated links), each entity with ``dcterms:source`` saying where its
  curated facts come from;
- ``graph/{doc-id}``: one per document: the document's metadata (the graph IRI
  carries ``jlis:fiscalYear``, ``dcterms:date`` and ``prov:wasDerivedFrom``), the
  meeting it was presented at, the entities discovered in it, and every extracted
  triple with an ``rdf:Statement`` giving its source line and quote.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from .catalogue import Catalogue
from .model import EntityRecord, Extraction, Fact
from .namespaces import JLIS, PREFIXES, REFERENCE_GRAPH, curie, entity_iri, graph_iri
from .sources import Document

# Predicates whose object is a class CURIE, not an entity id.
CLASS_VALUED = {"rdf:type"}
# Sub-properties whose super-property is asserted too (with the same evidence), so that
# `?a jlis:dependsOn+ ?b` sees every kind of dependency without an RDFS reasoner.
SUPER_PROPERTIES = {
    "jlis:deliveredVia": "jlis:dependsOn",
    "jlis:usesDataFrom": "jlis:dependsOn",
    "jlis:hostedOn": "jlis:dependsOn",
}


def literal(value, lang: str | None = None, datatype: str | None = None) -> Literal:
    if datatype:
        return Literal(value, datatype=curie(datatype))
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, Decimal):
        return Literal(value, datatype=XSD.decimal)
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    return Literal(str(value), lang=lang)


def object_term(fact: Fact):
    if fact.literal:
        return literal(fact.obj, fact.lang, fact.datatype)
    if fact.predicate in CLASS_VALUED:
        return curie(str(fact.obj))
    return entity_iri(str(fact.obj))


def statement_iri(doc_id: str, s, p, o, line: int) -> URIRef:
    key = "\x1f".join((str(s), str(p), o.n3(), str(line))).encode("utf-8")
    return entity_iri(f"statement/{doc_id}-{hashlib.sha1(key).hexdigest()[:16]}")


def add_entity(graph, record: EntityRecord) -> None:
    node = entity_iri(record.id)
    for type_curie in record.types:
        graph.add((node, RDF.type, curie(type_curie)))
    graph.add((node, SKOS.prefLabel, Literal(record.label_ja, lang="ja")))
    graph.add((node, RDFS.label, Literal(record.label_ja, lang="ja")))
    if record.label_en:
        graph.add((node, SKOS.prefLabel, Literal(record.label_en, lang="en")))
        graph.add((node, RDFS.label, Literal(record.label_en, lang="en")))
    for alias in record.aliases:
        if alias != record.label_ja:
            graph.add((node, SKOS.altLabel, Literal(alias, lang="ja")))
    for alias in record.en_aliases:
        graph.add((node, SKOS.altLabel, Literal(alias, lang="en")))
    for prop, value in record.properties:
        graph.add((node, curie(prop), Literal(value)))
    if record.source:
        graph.add((node, DCTERMS.source, Literal(record.source)))


def add_reference_graph(dataset: Dataset, catalogue: Catalogue) -> None:
    graph = dataset.graph(REFERENCE_GRAPH)
    graph.add((REFERENCE_GRAPH, RDF.type, PROV.Entity))
    graph.add((REFERENCE_GRAPH, DCTERMS.title, Literal("jlis-kg curated reference catalogue", lang="en")))
    graph.add((REFERENCE_GRAPH, DCTERMS.source, Literal(catalogue.path.name)))
    for record in catalogue.entities.values():
        add_entity(graph, record)
    for subject, prop, target, _source in catalogue.links:
        graph.add((entity_iri(subject), curie(prop), entity_iri(target)))
        if prop in SUPER_PROPERTIES:
            graph.add((entity_iri(subject), curie(SUPER_PROPERTIES[prop]), entity_iri(target)))
        if prop == "org:unitOf":
            graph.add((entity_iri(target), ORG.hasUnit, entity_iri(subject)))


def document_iri(doc_id: str) -> URIRef:
    return entity_iri(f"document/{doc_id}")


def meeting_id(committee: str, session: int) -> str:
    return f"meeting/{committee.split('/', 1)[1]}-{session}"


def add_document_metadata(graph, document: Document, catalogue: Catalogue) -> None:
    entry = document.entry
    node = document_iri(entry.id)
    g_iri = graph.identifier
    graph.add((g_iri, JLIS.fiscalYear, Literal(entry.fiscal_year, datatype=XSD.integer)))
    graph.add((g_iri, DCTERMS.date, Literal(entry.as_of.isoformat(), datatype=XSD.date)))
    graph.add((g_iri, JLIS.asOf, Literal(entry.as_of.isoformat(), datatype=XSD.date)))
    graph.add((g_iri, PROV.wasDerivedFrom, node))
    graph.add((node, RDF.type, JLIS.SourceDocument))
    graph.add((node, DCTERMS.title, Literal(entry.title, lang="ja")))
    graph.add((node, RDFS.label, Literal(entry.title, lang="ja")))
    graph.add((node, DCTERMS.identifier, Literal(entry.id)))
    graph.add((node, JLIS.fiscalYear, Literal(entry.fiscal_year, datatype=XSD.integer)))
    graph.add((node, JLIS.asOf, Literal(entry.as_of.isoformat(), datatype=XSD.date)))
    if entry.date:
        graph.add((node, DCTERMS.date, Literal(entry.date.isoformat(), datatype=XSD.date)))
    for kind in entry.kinds:
        graph.add((node, JLIS.documentKind, Literal(kind)))
    graph.add((node, JLIS.fileName, Literal(entry.file)))
    graph.add((node, JLIS.sha256, Literal(document.sha256)))
    graph.add((node, DCTERMS.format, Literal("text/plain")))
    graph.add((node, DCTERMS.language, Literal("ja")))
    if entry.derived_from:
        graph.add((node, PROV.wasDerivedFrom, document_iri(entry.derived_from)))
    if entry.meeting:
        meeting = entity_iri(meeting_id(entry.meeting.committee, entry.meeting.session))
        committee = catalogue.get(entry.meeting.committee)
        graph.add((node, JLIS.presentedAt, meeting))
        graph.add((meeting, RDF.type, JLIS.Meeting))
        graph.add((meeting, JLIS.meetingOf, entity_iri(entry.meeting.committee)))
        graph.add((meeting, JLIS.sessionNumber, Literal(entry.meeting.session, datatype=XSD.integer)))
        name = committee.label_ja if committee else entry.meeting.committee
        graph.add((meeting, SKOS.prefLabel, Literal(f"第{entry.meeting.session}回{name}", lang="ja")))
        graph.add((meeting, RDFS.label, Literal(f"第{entry.meeting.session}回{name}", lang="ja")))
        if entry.meeting.date:
            graph.add((meeting, DCTERMS.date, Literal(entry.meeting.date.isoformat(), datatype=XSD.date)))


def add_document_graph(dataset: Dataset, document: Document, extraction: Extraction, catalogue: Catalogue) -> None:
    doc_id = document.entry.id
    graph = dataset.graph(graph_iri(doc_id))
    add_document_metadata(graph, document, catalogue)
    doc_node = document_iri(doc_id)
    for record in extraction.entities.values():
        add_entity(graph, record)
        graph.add((entity_iri(record.id), JLIS.discoveredIn, doc_node))
    facts = list(extraction.facts)
    facts += [Fact(f.subject, SUPER_PROPERTIES[f.predicate], f.obj, f.evidence, statement=f.statement)
              for f in extraction.facts if f.predicate in SUPER_PROPERTIES]
    seen = set()
    for fact in facts:
        s = entity_iri(fact.subject)
        p = curie(fact.predicate)
        o = object_term(fact)
        if (s, p, o, fact.evidence.line) in seen:
            continue  # one statement per triple and line: the first sentence found is its context
        seen.add((s, p, o, fact.evidence.line))
        graph.add((s, p, o))
        if fact.predicate == "skos:prefLabel":
            graph.add((s, RDFS.label, o))
        if not fact.statement:
            continue
        ev = fact.evidence
        st = statement_iri(doc_id, s, p, o, ev.line)
        graph.add((st, RDF.type, RDF.Statement))
        graph.add((st, RDF.subject, s))
        graph.add((st, RDF.predicate, p))
        graph.add((st, RDF.object, o))
        graph.add((st, PROV.wasDerivedFrom, doc_node))
        graph.add((st, JLIS.sourceLine, Literal(ev.line, datatype=XSD.integer)))
        if ev.end_line and ev.end_line != ev.line:
            graph.add((st, JLIS.sourceLineEnd, Literal(ev.end_line, datatype=XSD.integer)))
        graph.add((st, JLIS.quote, Literal(ev.quote)))
        if ev.context and ev.context != ev.quote:
            graph.add((st, JLIS.context, Literal(ev.context)))


def short_name(term) -> str:
    text = str(term)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(str(namespace)) and len(text) > len(str(namespace)) and prefix not in ("id", "graph"):
            return f"{prefix}:{text[len(str(namespace)):]}"
    return text
