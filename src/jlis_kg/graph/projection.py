"""The networkx projection of the RDF dataset, built from its quads.

Nodes are the entities (IRIs under ``id/``, rdf:Statement nodes left out), keyed by IRI;
edges are the relations between two entities, one edge per ``(subject, relation,
object)`` however many documents state it, keyed by the relation's CURIE.  Literals
never become nodes: labels, years and evidence are attributes.

    node: label_ja, label_en, kind, type, types, aliases, fiscal_years, documents, curated
    edge: relation, fiscal_years, documents, curated, derived, evidence (list of dicts:
          document, fiscal_year, line, quote, context, file, line_end)

A fact's fiscal years are those of the named graphs (documents) that state it; an
entity's are those of the documents it occurs in (as subject or object, mentions
included).  ``curated`` says the curated reference graph states it too; ``derived``
that only a named graph computed from the others states it (``graph/changes``, which
has no fiscal year of its own): such facts carry no year and no evidence.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from ..namespaces import GRAPH, REFERENCE_GRAPH
from .vocab import KIND_ORDER, RDF_TYPE, curie, kind_of

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
JLIS = "https://w3id.org/jlis-kg/ontology#"

STATEMENT = RDF + "Statement"
PREF_LABEL, ALT_LABEL, RDFS_LABEL, TITLE = SKOS + "prefLabel", SKOS + "altLabel", RDFS + "label", DCTERMS + "title"
LABEL_RANK = {PREF_LABEL: 0, ALT_LABEL: 1, RDFS_LABEL: 2, TITLE: 2}
EVIDENCE_FIELDS = {RDF + "subject": "s", RDF + "predicate": "p", RDF + "object": "o",
                   PROV + "wasDerivedFrom": "doc", JLIS + "sourceLine": "line",
                   JLIS + "sourceLineEnd": "line_end", JLIS + "quote": "quote", JLIS + "context": "context"}
# Predicates that link an entity to something but are not relations between entities.
NOT_RELATIONS = {RDF_TYPE}
GRAPH_PREFIX = str(GRAPH)
REFERENCE = str(REFERENCE_GRAPH)


@dataclass(frozen=True)
class DocumentInfo:
    id: str  # "fy2023-report", the local name of the named graph
    graph: str  # the named graph's IRI
    iri: str  # the jlis:SourceDocument
    fiscal_year: int | None
    title: str = ""
    file: str = ""
    as_of: str = ""


@dataclass
class Projection:
    """Everything the one pass over the quads found; ``graph`` is the full MultiDiGraph."""

    graph: nx.MultiDiGraph
    documents: dict[str, DocumentInfo]  # by document id
    labels: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # IRI → (rank, text)

    @property
    def fiscal_years(self) -> list[int]:
        return sorted({d.fiscal_year for d in self.documents.values() if d.fiscal_year is not None})


def _choose(candidates: list[tuple[int, int, str]]) -> str:
    """The label to show: curated first, then the most common spelling, then the shortest."""
    if not candidates:
        return ""
    counts = Counter(text for _, _, text in candidates)
    return min(candidates, key=lambda c: (c[0], c[1], -counts[c[2]], len(c[2]), c[2]))[2]


EVIDENCE_QUERY = f"""
SELECT ?g ?s ?p ?o ?doc ?line ?end ?quote ?context WHERE {{ GRAPH ?g {{
  ?st <{RDF}subject> ?s ; <{RDF}predicate> ?p ; <{RDF}object> ?o .
  FILTER(isIRI(?o) && ?p != <{RDF_TYPE}>)
  OPTIONAL {{ ?st <{PROV}wasDerivedFrom> ?doc }}
  OPTIONAL {{ ?st <{JLIS}sourceLine> ?line }}
  OPTIONAL {{ ?st <{JLIS}sourceLineEnd> ?end }}
  OPTIONAL {{ ?st <{JLIS}quote> ?quote }}
  OPTIONAL {{ ?st <{JLIS}context> ?context }}
}} }}"""
TYPES_QUERY = f"""
SELECT ?g ?s ?o WHERE {{ GRAPH ?g {{ ?s <{RDF_TYPE}> ?o FILTER(?o != <{STATEMENT}>) }} }}"""
GRAPH_SOURCES_QUERY = f"""
SELECT ?g ?o WHERE {{ GRAPH ?g {{ ?g <{PROV}wasDerivedFrom> ?o }} }}"""


def project(store: ox.Store) -> Projection:
    """Build the projection from a pyoxigraph store.

    The store answers by predicate, so the Rust side skips what the projection does not
    need (the reified evidence is read in one SPARQL join, restricted to relations
    between resources); converting every term of every quad to Python would take four
    times as long.
    """
    graph_year: dict[str, int] = {}
    graph_doc: dict[str, str] = {}
    edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    literals: dict[str, list[tuple[str, str, str | None, str]]] = defaultdict(list)  # IRI → (pred, text, lang, graph)
    types: dict[str, set[str]] = defaultdict(set)
    occurs: dict[str, set[str]] = defaultdict(set)  # entity → graphs it occurs in
    doc_props: dict[str, dict[str, str]] = defaultdict(dict)
    kinds: dict[str, str] = {}  # IRI → kind, cached: kind_of splits a string
    NamedNode, Literal = ox.NamedNode, ox.Literal
    fiscal_year = JLIS + "fiscalYear"

    def kind(iri: str) -> str:
        found = kinds.get(iri)
        if found is None:
            found = kinds[iri] = kind_of(iri)
        return found

    predicates = [row["p"].value for row in store.query("SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }")]
    for row in store.query(TYPES_QUERY):
        subject = row["s"]
        if isinstance(subject, NamedNode) and kind(subject.value) not in ("", "statement"):
            g = row["g"].value
            types[subject.value].add(row["o"].value)
            occurs[subject.value].add(g)
    for row in store.query(GRAPH_SOURCES_QUERY):
        graph_doc[row["g"].value] = row["o"].value
    for predicate in predicates:
        if predicate in EVIDENCE_FIELDS or predicate == RDF_TYPE:
            continue  # read by the queries above and below
        for quad in store.quads_for_pattern(None, NamedNode(predicate), None, None):
            subject = quad.subject
            if not isinstance(subject, NamedNode):
                continue
            s = subject.value
            g = quad.graph_name
            g = g.value if isinstance(g, NamedNode) else ""
            o = quad.object
            if predicate == fiscal_year and s.startswith(GRAPH_PREFIX):
                graph_year[s] = int(o.value)
                continue
            k = kind(s)
            if not k or k == "statement":
                continue
            occurs[s].add(g)
            if isinstance(o, NamedNode):
                target = o.value
                other = kind(target)
                if other and other != "statement" and predicate not in NOT_RELATIONS:
                    edges[(s, predicate, target)].add(g)
                    occurs[target].add(g)
            elif isinstance(o, Literal):
                if predicate in LABEL_RANK:
                    literals[s].append((predicate, o.value, o.language, g))
                if k == "document":
                    doc_props[s][predicate] = o.value

    # Documents: one per named graph that carries a fiscal year.
    documents: dict[str, DocumentInfo] = {}
    for g in sorted(graph_year):  # a document's graph carries its fiscal year; derived graphs do not
        doc_iri = graph_doc.get(g, "")
        props = doc_props.get(doc_iri, {})
        doc_id = g[len(GRAPH_PREFIX):]
        documents[doc_id] = DocumentInfo(
            id=doc_id, graph=g, iri=doc_iri, fiscal_year=graph_year.get(g),
            title=props.get(TITLE, props.get(RDFS_LABEL, "")), file=props.get(JLIS + "fileName", ""),
            as_of=props.get(JLIS + "asOf", ""))
    doc_of_graph = {d.graph: d for d in documents.values()}
    doc_of_iri = {d.iri: d for d in documents.values() if d.iri}

    # Evidence, by the quad it supports.
    evidence: dict[tuple[str, str, str, str], list[dict]] = defaultdict(list)
    for row in store.query(EVIDENCE_QUERY):
        g = row["g"].value
        doc_iri = row["doc"].value if row["doc"] is not None else ""
        doc = doc_of_graph.get(g) or doc_of_iri.get(doc_iri)
        item = {
            "document": doc.id if doc else doc_iri.rsplit("/", 1)[-1],
            "fiscal_year": doc.fiscal_year if doc else None,
            "line": int(row["line"].value) if row["line"] is not None else None,
            "quote": row["quote"].value if row["quote"] is not None else "",
            "context": row["context"].value if row["context"] is not None else "",
            "file": doc.file if doc else "",
        }
        if row["end"] is not None:
            item["line_end"] = int(row["end"].value)
        evidence[(row["s"].value, row["p"].value, row["o"].value, g)].append(item)

    def years_of(graphs) -> list[int]:
        return sorted({graph_year[g] for g in graphs if g in graph_year})

    def docs_of(graphs) -> list[str]:
        return sorted(doc_of_graph[g].id for g in graphs if g in doc_of_graph)

    out = nx.MultiDiGraph()
    out.graph.update(fiscal_years=sorted(set(graph_year.values())), name="jlis-kg")
    labels_index: dict[str, list[tuple[int, str]]] = {}

    nodes = set(occurs) | set(types) | set(literals)
    for iri in sorted(nodes):
        kind = kind_of(iri)
        if not kind or kind == "statement":
            continue
        ja, en, index = [], [], []
        for order, (p, text, lang, g) in enumerate(literals.get(iri, ())):
            rank = LABEL_RANK[p]
            curated = 0 if g == REFERENCE else 1
            index.append((rank, text))
            if lang == "en":
                en.append((rank, curated, text))
            elif lang in (None, "", "ja") or lang.startswith("ja"):
                ja.append((rank, curated, text))
        label_ja = _choose([c for c in ja if c[0] != 1]) or _choose(ja)
        label_en = _choose([c for c in en if c[0] != 1])
        if not label_ja:
            label_ja = label_en or _choose(en) or iri.rsplit("/", 1)[-1]
        aliases = sorted({text for _, _, text in ja + en} - {label_ja, label_en},
                         key=lambda t: (len(t), t))
        type_curies = sorted(curie(t) for t in types.get(iri, ()))
        specific = [t for t in type_curies if t not in ("jlis:InformationSystem", "prov:Entity")]
        graphs = occurs.get(iri, set())
        out.add_node(
            iri, label_ja=label_ja, label_en=label_en, kind=kind,
            type=(specific or type_curies or [""])[0], types=type_curies, aliases=aliases,
            fiscal_years=years_of(graphs), documents=docs_of(graphs), curated=REFERENCE in graphs)
        labels_index[iri] = index

    for (s, p, o), graphs in sorted(edges.items()):
        if s not in out or o not in out:
            continue
        relation = curie(p)
        items = []
        for g in sorted(graphs, key=lambda g: (graph_year.get(g, 0), g)):
            items.extend(sorted(evidence.get((s, p, o, g), ()), key=lambda e: (e["line"] or 0, e["quote"])))
        out.add_edge(s, o, key=relation, relation=relation, fiscal_years=years_of(graphs),
                     documents=docs_of(graphs), curated=REFERENCE in graphs,
                     derived=not any(g == REFERENCE or g in doc_of_graph for g in graphs), evidence=items)
    return Projection(graph=out, documents=documents, labels=labels_index)


def kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
