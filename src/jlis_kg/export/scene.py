"""What a picture shows: which nodes and edges, grouped in which organisational clusters.

A ``Scene`` is chosen from the graph once and drawn by every picture format (DOT, SVG,
PNG, and the HTML page's layout), so they agree.  The default scene is the *dependency
graph*: information systems, the duties they serve, the laws they rest on and the
outside organisations that run them, linked by dependencies, parts, generations, duties,
legal bases and operators.

Organisational relations are drawn as containment, not as edges: a system sits inside
the cluster of the J-LIS unit responsible for it (``jlis:responsibleUnit``, or
``jlis:operatedBy`` a unit), units nest by ``org:unitOf``, and a system run by J-LIS
with no unit named sits in J-LIS's own cluster.  Where the documents of different years
name different units, the latest year decides; a component with no unit of its own
sits with the system it is part of.  Ask for ``kinds`` with ``unit`` in it
to see units as nodes instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ..graph.knowledge import KnowledgeGraph
from ..graph.model import GraphDiff
from ..graph.vocab import DEPENDS_ON, normalise_relations

DEFAULT_KINDS = ("system", "duty", "law", "org")
STRUCTURAL = ("jlis:partOf", "jlis:succeeds", "jlis:supportsDuty", "jlis:legalBasis", "jlis:operatedBy")
MEMBERSHIP = ("jlis:responsibleUnit", "jlis:operatedBy")
PART_OF = "jlis:partOf"
UNIT_OF = "org:unitOf"
SHELF = "shelf:"  # pseudo-clusters of the entities that have no relation to draw
HAS_UNIT = "org:hasUnit"


@dataclass
class Cluster:
    iri: str
    label_ja: str
    label_en: str
    kind: str  # unit | org | shelf
    parent: str | None = None
    change: str | None = None  # in a difference picture
    depth: int = 0


@dataclass
class Scene:
    graph: nx.MultiDiGraph  # what to draw; node and edge attributes as in the projection
    clusters: dict[str, Cluster] = field(default_factory=dict)  # only those that hold something
    member_of: dict[str, str] = field(default_factory=dict)  # node → innermost cluster
    title: str = ""
    subtitle: str = ""
    omitted: list[str] = field(default_factory=list)  # entities of the kinds asked for, not drawn
    diff: GraphDiff | None = None
    relation_labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    kind_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    def children(self, cluster: str | None) -> list[str]:
        return sorted((c.iri for c in self.clusters.values() if c.parent == cluster),
                      key=lambda i: (self.clusters[i].label_ja, i))

    def without_shelves(self) -> "Scene":
        """The same scene without the shelves of entities that have no relation."""
        on_shelf = {n for n, c in self.member_of.items() if c.startswith(SHELF)}
        graph = self.graph.subgraph(set(self.graph) - on_shelf).copy()
        return Scene(graph=graph, clusters={k: v for k, v in self.clusters.items() if not k.startswith(SHELF)},
                     member_of={n: c for n, c in self.member_of.items() if n not in on_shelf},
                     title=self.title, subtitle=self.subtitle, omitted=self.omitted, diff=self.diff,
                     relation_labels=self.relation_labels, kind_names=self.kind_names)

    def members(self, cluster: str | None) -> list[str]:
        return sorted((n for n in self.graph if self.member_of.get(n) == cluster),
                      key=lambda n: (self.graph.nodes[n].get("kind", ""), self.graph.nodes[n].get("label_ja", ""), n))


def _latest(data: dict) -> int:
    """Sort key: the latest fiscal year a fact is stated in (curated facts count as oldest)."""
    years = data.get("fiscal_years") or []
    return max(years) if years else 0


def _parents(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Each unit's parent (unit or organisation), as the latest document says."""
    best: dict[str, tuple[int, str]] = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        if key == UNIT_OF:
            child, parent = u, v
        elif key == HAS_UNIT:
            child, parent = v, u
        else:
            continue
        if graph.nodes[child].get("kind") != "unit":
            continue
        rank = (_latest(data), parent)
        if child not in best or rank > best[child]:
            best[child] = rank
    parents = {child: parent for child, (_, parent) in best.items()}
    for child in list(parents):  # break cycles, should the data ever hold one
        seen, node = {child}, parents.get(child)
        while node is not None:
            if node in seen:
                parents.pop(child)
                break
            seen.add(node)
            node = parents.get(node)
    return parents


def _depth(parents: dict[str, str], node: str) -> int:
    depth = 0
    while node in parents:
        node, depth = parents[node], depth + 1
    return depth


def build_scene(kg: KnowledgeGraph, fiscal_year=None, relations=None, kinds=None,
                compare: tuple[int, int] | None = None, keep_isolated: bool = False,
                all_units: bool = False, cluster: bool | None = None) -> Scene:
    """Choose what a picture shows (see the module's docstring).

    ``compare=(from_year, to_year)`` makes a difference picture: the union of the two
    years' graphs, every node, edge and cluster with its ``change``.  ``relations="all"``
    draws every relation.  ``keep_isolated`` keeps entities with no drawn relation;
    ``all_units`` keeps the units that hold nothing drawn, as nodes in their parent's
    cluster (the HTML page uses both, so that every entity can be found).  ``cluster``
    says whether units are drawn as boxes; by default they are unless ``kinds`` names
    ``unit``.
    """
    diff = None
    if compare is not None:
        diff = kg.diff(*compare)
        full = diff.graph
    else:
        full = kg.to_networkx(fiscal_year=fiscal_year)
    if isinstance(kinds, str):
        kinds = kinds.replace(",", " ").split()
    kinds = tuple(kinds) if kinds else DEFAULT_KINDS
    family = kg.dependency_relations
    if relations is None:
        wanted = frozenset(family) | frozenset(STRUCTURAL)
    elif relations == "all":
        wanted = frozenset(kg.relations)
    else:
        wanted = normalise_relations(relations, kg.relations)
    cluster_units = ("unit" not in kinds) if cluster is None else cluster

    # Clusters: J-LIS's units, nested, and the organisations that have units.
    parents = _parents(full) if cluster_units else {}
    has_units = set(parents.values())
    clustering = {n for n, d in full.nodes(data=True)
                  if cluster_units and (d.get("kind") == "unit" or (d.get("kind") == "org" and n in has_units))}

    # Membership: the unit responsible (latest year, then the innermost), else the clustering operator.
    member_of: dict[str, str] = {}
    if clustering:
        best: dict[str, tuple] = {}
        for u, v, key, data in full.edges(keys=True, data=True):
            if key not in MEMBERSHIP or v not in clustering or u in clustering:
                continue
            if full.nodes[u].get("kind") not in kinds:
                continue
            unit = full.nodes[v].get("kind") == "unit"
            rank = (unit, _latest(data), key == "jlis:responsibleUnit", _depth(parents, v), v)
            if u not in best or rank > best[u]:
                best[u] = rank
        member_of = {node: rank[-1] for node, rank in best.items()}
        # A component with no unit of its own sits with the system it is part of.
        changed = True
        while changed:
            changed = False
            for u, v, key in sorted(full.edges(keys=True)):
                if key == PART_OF and u not in member_of and v in member_of and u not in clustering \
                        and full.nodes[u].get("kind") in kinds:
                    member_of[u] = member_of[v]
                    changed = True

    # Edges to draw.
    scene_graph = nx.MultiDiGraph()
    scene_graph.graph.update(full.graph)
    candidates = [n for n, d in full.nodes(data=True) if d.get("kind") in kinds and n not in clustering]
    allowed = set(candidates)
    edges = []
    for u, v, key, data in full.edges(keys=True, data=True):
        if key not in wanted or u not in allowed or v not in allowed or u == v:
            continue
        if key == DEPENDS_ON and any(k in family and k != DEPENDS_ON for k in full.get_edge_data(u, v)):
            continue  # drawn as its sub-property (deliveredVia, hostedOn, …)
        edges.append((u, v, key, data))
    drawn = {n for u, v, _, _ in edges for n in (u, v)}
    keep = drawn | {n for n in member_of if full.nodes[n].get("kind") in ("system", "committee", "project")}
    if keep_isolated:
        keep |= allowed
    holding = set(member_of.values())
    for cluster in list(holding):
        node = parents.get(cluster)
        while node is not None:
            holding.add(node)
            node = parents.get(node)
    if all_units:  # a unit that holds nothing is a node in its parent's cluster
        for node in clustering - holding:
            if full.nodes[node].get("kind") == "unit" and parents.get(node):
                keep.add(node)
                member_of[node] = parents[node]
    shelves: dict[str, Cluster] = {}
    if keep_isolated:  # entities with no relation and no unit: on a labelled shelf per kind
        for node in sorted(allowed - drawn - set(member_of)):
            kind = full.nodes[node].get("kind", "")
            shelf = SHELF + kind
            if shelf not in shelves:
                ja, en = kg.kind_label(kind)
                shelves[shelf] = Cluster(iri=shelf, label_ja=f"関係の記録がない{ja}",
                                         label_en=f"{en}s with no recorded relation", kind="shelf")
            member_of[node] = shelf
    for node in sorted(keep):
        scene_graph.add_node(node, **full.nodes[node])
    for u, v, key, data in edges:
        scene_graph.add_edge(u, v, key=key, **data)
    member_of = {n: c for n, c in member_of.items() if n in scene_graph}

    # Clusters that hold something, with their ancestors.
    clusters: dict[str, Cluster] = {}
    for cluster in set(member_of.values()):
        if cluster.startswith(SHELF):
            continue
        node = cluster
        while node is not None and node not in clusters:
            data = full.nodes[node]
            clusters[node] = Cluster(iri=node, label_ja=data.get("label_ja", node), label_en=data.get("label_en", ""),
                                     kind=data.get("kind", ""), parent=parents.get(node),
                                     change=data.get("change"), depth=_depth(parents, node))
            node = parents.get(node)

    clusters.update(shelves)
    omitted = sorted(n for n in candidates if n not in scene_graph)
    years = kg.fiscal_years
    if compare is not None:
        title = f"J-LIS の情報システム: FY{compare[0]} → FY{compare[1]} の変化 (change between fiscal years)"
    elif fiscal_year is not None:
        chosen = [fiscal_year] if isinstance(fiscal_year, int) else sorted(fiscal_year)
        title = "J-LIS の情報システムと依存関係 (dependency graph), " + ", ".join(f"FY{y}" for y in chosen)
    else:
        title = f"J-LIS の情報システムと依存関係 (dependency graph), FY{years[0]}–FY{years[-1]}" if years else \
            "J-LIS の情報システムと依存関係 (dependency graph)"
    counts = {}
    for _, data in scene_graph.nodes(data=True):
        counts[data.get("kind")] = counts.get(data.get("kind"), 0) + 1
    subtitle = (f"{scene_graph.number_of_nodes()} entities, {scene_graph.number_of_edges()} relations; "
                f"{len(omitted)} entities without a drawn relation left out. "
                f"Clusters: the J-LIS unit responsible (latest document). Source: jlis-kg, {len(kg.documents)} documents.")
    if diff is not None:
        changes = {c: 0 for c in ("added", "removed", "kept")}
        for _, data in scene_graph.nodes(data=True):
            changes[data.get("change", "kept")] += 1
        subtitle = (f"In this picture: {changes['added']} entities added, {changes['removed']} removed, "
                    f"{changes['kept']} kept. " + subtitle)
    kind_names = {d.get("kind"): kg.kind_label(d.get("kind")) for _, d in scene_graph.nodes(data=True)}
    relation_labels = {r: kg.term_label(r) for r in {k for _, _, k in scene_graph.edges(keys=True)} | set(wanted)}
    return Scene(graph=scene_graph, clusters=clusters, member_of=member_of, title=title, subtitle=subtitle,
                 omitted=omitted, diff=diff, relation_labels=relation_labels, kind_names=kind_names)
