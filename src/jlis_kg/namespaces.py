"""IRIs of the project: namespaces, resources, named graphs, and CURIE expansion."""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/jlis-kg/"
JLIS = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
QB = Namespace("http://purl.org/linked-data/cube#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
TIME = Namespace("http://www.w3.org/2006/time#")

PREFIXES = {
    "jlis": JLIS, "id": ID, "graph": GRAPH, "org": ORG, "prov": PROV, "qb": QB, "skos": SKOS,
    "dcterms": DCTERMS, "eli": ELI, "time": TIME, "foaf": FOAF, "owl": OWL, "rdf": RDF,
    "rdfs": RDFS, "xsd": XSD,
}
REFERENCE_GRAPH = GRAPH["reference"]


def curie(name: str) -> URIRef:
    prefix, _, local = name.partition(":")
    try:
        return URIRef(PREFIXES[prefix] + local)
    except KeyError:
        raise ValueError(f"unknown prefix in CURIE '{name}'") from None


def entity_iri(entity_id: str) -> URIRef:
    """``system/juki-net`` → https://w3id.org/jlis-kg/id/system/juki-net"""
    return ID[entity_id]


def graph_iri(doc_id: str) -> URIRef:
    return GRAPH[doc_id]


def bind_prefixes(graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
