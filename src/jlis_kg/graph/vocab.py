"""Names the projection and the traversals work with: CURIEs, kinds and relation families.

Relations are named by CURIE (``jlis:dependsOn``, ``org:unitOf``); a relation given by
the user may also be its local name (``dependsOn``) or its full IRI.  Which relations
count as a dependency is read from the ontology (``rdfs:subPropertyOf jlis:dependsOn``)
when it is at hand, so a new sub-property needs no code change.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..namespaces import ID, PREFIXES

ID_PREFIX = str(ID)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# Prefixes tried in this order when a full IRI is shortened (the longest namespace first,
# so that ``id:`` never shadows ``jlis:``).
_SHORTEN = sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda item: -len(item[1]))

DEPENDS_ON = "jlis:dependsOn"
PART_OF = "jlis:partOf"
# Used when the ontology is not at hand; the build asserts jlis:dependsOn next to each.
DEFAULT_DEPENDENCY_RELATIONS = frozenset(
    {DEPENDS_ON, "jlis:deliveredVia", "jlis:usesDataFrom", "jlis:hostedOn"})

# Kinds of entity, from the IRI (``id/{kind}/{slug}``), in the order pictures list them.
KIND_ORDER = ("system", "duty", "law", "org", "unit", "committee", "segment", "meeting",
              "project", "event", "document")
KIND_LABELS = {
    "system": ("情報システム", "information system"),
    "duty": ("法定事務", "statutory duty"),
    "law": ("法令", "law"),
    "org": ("組織", "organisation"),
    "unit": ("機構の部署", "J-LIS unit"),
    "committee": ("会議体", "committee"),
    "segment": ("事業区分", "business segment"),
    "meeting": ("会議", "meeting"),
    "project": ("事業", "project"),
    "event": ("出来事", "event"),
    "document": ("出典文書", "source document"),
    "person": ("人物", "person"),
    "post": ("役職", "post"),
    "role": ("役割", "role"),
    "membership": ("所属", "membership"),
    "observation": ("観測値", "observation"),
    "dataset": ("データセット", "data set"),
}
# Left out of the entity graph unless asked for by kind: documents are the evidence
# behind the graph, statements its reification, and Data Cube observations, data sets
# and structures are its figures (thousands of them), not entities.
HIDDEN_KINDS = frozenset({"document", "statement", "observation", "dataset", "dsd"})
HIDDEN_TYPES = frozenset({"jlis:SourceDocument", "rdf:Statement", "qb:Observation", "qb:DataSet",
                          "qb:DataStructureDefinition", "qb:Slice"})

# How far apart two entities are when a relation links them, for ``path``: structural
# links (dependencies, parts, generations) are short, organisational links longer, and a
# project that merely concerns two systems is the longest way round.  A hub such as
# J-LIS (which operates almost everything) then never makes two systems "close".
RELATION_COST = {
    "jlis:dependsOn": 1.0, "jlis:deliveredVia": 1.0, "jlis:usesDataFrom": 1.0,
    "jlis:hostedOn": 1.0, "jlis:partOf": 1.0, "jlis:succeeds": 1.0,
    "jlis:supportsDuty": 2.0, "jlis:legalBasis": 2.0,
    "jlis:responsibleUnit": 3.0, "org:unitOf": 3.0, "org:hasUnit": 3.0,
    "jlis:meetingOf": 3.0, "jlis:operatedBy": 4.0,
    "jlis:concerns": 5.0, "dcterms:isPartOf": 5.0,
}
DEFAULT_COST = 5.0

# Labels of the standard terms the project's ontology uses but does not label itself.
TERM_LABELS = {
    "org:unitOf": ("上位組織", "unit of"),
    "org:hasUnit": ("下位部署", "has unit"),
    "dcterms:isPartOf": ("上位事業", "is part of"),
    "dcterms:subject": ("主題", "subject"),
    "prov:wasDerivedFrom": ("出典", "derived from"),
}


def curie(iri: str) -> str:
    """The CURIE of an IRI when a project prefix covers it, else the IRI itself.

    >>> curie("https://w3id.org/jlis-kg/ontology#dependsOn")
    'jlis:dependsOn'
    >>> curie("http://www.w3.org/ns/org#unitOf")
    'org:unitOf'
    """
    for prefix, namespace in _SHORTEN:
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def expand(name: str) -> str:
    """The full IRI of a CURIE (or the IRI unchanged)."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return str(PREFIXES[prefix]) + local
    return name


def kind_of(iri: str) -> str:
    """``https://w3id.org/jlis-kg/id/system/lgwan`` → ``system``; "" outside ``id/``.

    >>> kind_of("https://w3id.org/jlis-kg/id/system/lgwan")
    'system'
    """
    if not iri.startswith(ID_PREFIX):
        return ""
    return iri[len(ID_PREFIX):].split("/", 1)[0]


def normalise_relations(relations: Iterable[str] | str | None, known: Iterable[str]) -> frozenset[str] | None:
    """Relation names as CURIEs; ``None`` stays ``None`` (every relation).

    A name may be a CURIE, a full IRI or a local name (``dependsOn``, ``unitOf``) as long
    as that local name is not ambiguous among the relations the graph has.
    """
    if relations is None:
        return None
    if isinstance(relations, str):
        relations = [r for r in relations.replace(",", " ").split() if r]
    known = set(known) | set(RELATION_COST)
    by_local: dict[str, set[str]] = {}
    for name in known:
        by_local.setdefault(name.rsplit(":", 1)[-1].lower(), set()).add(name)
    out = set()
    for raw in relations:
        name = raw.strip()
        if "://" in name:
            out.add(curie(name))
        elif ":" in name:
            out.add(name)
        else:
            matches = by_local.get(name.lower(), set())
            if len(matches) == 1:
                out.add(next(iter(matches)))
            elif matches:
                raise ValueError(f"relation '{name}' is ambiguous: {', '.join(sorted(matches))}")
            else:
                raise ValueError(f"unknown relation '{name}' (known: {', '.join(sorted(known))})")
    return frozenset(out)


def relation_cost(relation: str) -> float:
    return RELATION_COST.get(relation, DEFAULT_COST)
