"""Walks over the projection: dependencies, impact, paths, criticality, change.

These functions take a networkx MultiDiGraph as built by ``projection.project`` (or a
filtered copy of it) and return the dataclasses of ``graph.model``; ``KnowledgeGraph``
wraps them with entity resolution and year filters.

The *dependency view* of a graph is a DiGraph with an edge ``a → b`` whenever ``a``
cannot work without ``b``: ``a jlis:dependsOn b`` or any of its sub-properties, and —
only with ``parts=True``, since the documents do not say so — ``b jlis:partOf a`` (a
whole cannot work without its parts, so a failing 全国サーバ impairs 住基ネット).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import networkx as nx

from .model import Criticality, Entity, Evidence, GraphDiff, Hop, Reach
from .vocab import DEPENDS_ON, PART_OF, relation_cost


def entity_of(graph: nx.MultiDiGraph, iri: str) -> Entity:
    data = graph.nodes[iri]
    return Entity(iri=iri, kind=data.get("kind", ""), label_ja=data.get("label_ja", ""),
                  label_en=data.get("label_en", ""), type=data.get("type", ""),
                  aliases=tuple(data.get("aliases", ())), fiscal_years=tuple(data.get("fiscal_years", ())))


def _specific_first(relations: Iterable[str], family: frozenset[str]) -> tuple[str, ...]:
    """Sub-properties before their super-property, then by name."""
    return tuple(sorted(set(relations), key=lambda r: (r == DEPENDS_ON, r not in family and r != PART_OF, r)))


def _merge_evidence(items: Iterable[dict]) -> tuple[Evidence, ...]:
    seen, out = set(), []
    for item in items:
        key = (item.get("document"), item.get("line"), item.get("quote"))
        if key not in seen:
            seen.add(key)
            out.append(Evidence.from_dict(item))
    return tuple(sorted(out, key=lambda e: (e.fiscal_year or 0, e.document, e.line or 0)))


def dependency_view(graph: nx.MultiDiGraph, family: frozenset[str], parts: bool = False) -> nx.DiGraph:
    """The DiGraph of "cannot work without", each edge with the statements behind it.

    Edge data: ``relations`` (set of CURIEs), ``inverse`` (True for a part-of hop, which
    the graph states from the part to the whole), ``fiscal_years``, ``curated`` and
    ``evidence`` (list of dicts), merged over the relations that make the edge.
    """
    view = nx.DiGraph()
    for u, v, key, data in graph.edges(keys=True, data=True):
        if key in family:
            a, b, inverse = u, v, False
        elif parts and key == PART_OF:
            a, b, inverse = v, u, True
        else:
            continue
        if view.has_edge(a, b):
            edge = view.edges[a, b]
            if edge["inverse"] and not inverse:  # a stated dependency beats an inferred one
                edge.update(relations=set(), inverse=False, evidence=[], fiscal_years=set(), curated=False)
            elif inverse and not edge["inverse"]:
                continue
        else:
            view.add_edge(a, b, relations=set(), inverse=inverse, evidence=[], fiscal_years=set(), curated=False)
        edge = view.edges[a, b]
        edge["relations"].add(key)
        edge["evidence"].extend(data.get("evidence", ()))
        edge["fiscal_years"].update(data.get("fiscal_years", ()))
        edge["curated"] = edge["curated"] or bool(data.get("curated"))
    for node in view:
        view.nodes[node].update(graph.nodes[node])
    return view


def _hop(view: nx.DiGraph, a: str, b: str, family: frozenset[str]) -> Hop:
    data = view.edges[a, b]
    relations = _specific_first(data["relations"], family)
    return Hop(source=a, relation=relations[0], target=b,
               source_label=view.nodes[a].get("label_ja", a), target_label=view.nodes[b].get("label_ja", b),
               inverse=data["inverse"], relations=relations, fiscal_years=tuple(sorted(data["fiscal_years"])),
               curated=data["curated"], evidence=_merge_evidence(data["evidence"]))


def _bfs(view: nx.DiGraph, start: str, forward: bool, transitive: bool) -> dict[str, tuple[int, str]]:
    """Breadth-first reach from ``start``: node → (depth, the node it was reached from)."""
    neighbours = view.successors if forward else view.predecessors
    reached: dict[str, tuple[int, str]] = {}
    queue = deque([(start, 0)])
    seen = {start}
    while queue:
        node, depth = queue.popleft()
        if depth and not transitive:
            continue
        for nxt in sorted(neighbours(node)):
            if nxt not in seen:
                seen.add(nxt)
                reached[nxt] = (depth + 1, node)
                queue.append((nxt, depth + 1))
    return reached


def reach(graph: nx.MultiDiGraph, view: nx.DiGraph, start: str, *, dependents: bool,
          transitive: bool, family: frozenset[str]) -> list[Reach]:
    """What ``start`` depends on (``dependents=False``) or what depends on it."""
    if start not in view:
        return []
    found = _bfs(view, start, forward=not dependents, transitive=transitive)
    out = []
    for node, (depth, _) in found.items():
        chain = [node]
        while chain[-1] != start:
            chain.append(found[chain[-1]][1])
        if not dependents:  # read from start towards the dependency
            chain.reverse()
        hops = tuple(_hop(view, a, b, family) for a, b in zip(chain, chain[1:]))
        out.append(Reach(entity=entity_of(graph, node), depth=depth, hops=hops))
    return sorted(out, key=lambda r: (r.depth, r.entity.label_ja, r.entity.iri))


def critical(graph: nx.MultiDiGraph, view: nx.DiGraph, kinds: frozenset[str] | None = None) -> list[Criticality]:
    """Every node something depends on, most depended-on first."""
    out = []
    for node in view:
        if kinds is not None and graph.nodes[node].get("kind") not in kinds:
            continue
        dependents = nx.ancestors(view, node)
        if not dependents:
            continue
        out.append(Criticality(entity=entity_of(graph, node), dependents=tuple(sorted(dependents)),
                               direct=tuple(sorted(view.predecessors(node)))))
    return sorted(out, key=lambda c: (-len(c.dependents), -len(c.direct), c.entity.label_ja, c.entity.iri))


def walk_graph(graph: nx.MultiDiGraph, directed: bool) -> nx.Graph:
    """The weighted (Di)Graph paths are sought in: one edge per pair, at the cost of the
    cheapest relation between them (``vocab.RELATION_COST``)."""
    walk = nx.DiGraph() if directed else nx.Graph()
    for u, v, key in sorted(graph.edges(keys=True)):
        if u == v:
            continue
        cost = relation_cost(key)
        if walk.has_edge(u, v) and walk.edges[u, v]["weight"] <= cost:
            continue
        walk.add_edge(u, v, weight=cost)
    return walk


def shortest_path(graph: nx.MultiDiGraph, walk: nx.Graph, a: str, b: str, *, directed: bool,
                  family: frozenset[str]) -> list[Hop] | None:
    """The cheapest walk from ``a`` to ``b`` in ``walk`` (see ``walk_graph``), as hops of ``graph``.

    Undirected unless ``directed``: a path may walk a relation against its direction (the
    hop is then ``inverse``).  Parallel relations between two nodes count once, at the
    cost of the cheapest; the hop names the most specific of them.
    """
    if a not in graph or b not in graph:
        return None
    if a == b:
        return []
    try:
        nodes = nx.dijkstra_path(walk, a, b, weight="weight")
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    hops = []
    for x, y in zip(nodes, nodes[1:]):
        forward = graph.get_edge_data(x, y) or {}
        backward = {} if directed else (graph.get_edge_data(y, x) or {})
        best = min(relation_cost(k) for k in list(forward) + list(backward))
        keys_f = [k for k in forward if relation_cost(k) == best]
        keys_b = [k for k in backward if relation_cost(k) == best]
        inverse = not keys_f
        stated = backward if inverse else forward
        keys = _specific_first(keys_b if inverse else keys_f, family)
        data = stated[keys[0]]
        hops.append(Hop(
            source=x, relation=keys[0], target=y,
            source_label=graph.nodes[x].get("label_ja", x), target_label=graph.nodes[y].get("label_ja", y),
            inverse=inverse, relations=keys, fiscal_years=tuple(data.get("fiscal_years", ())),
            curated=bool(data.get("curated")),
            evidence=_merge_evidence(e for k in keys for e in stated[k].get("evidence", ()))))
    return hops


def difference(before: nx.MultiDiGraph, after: nx.MultiDiGraph, from_year: int, to_year: int) -> GraphDiff:
    """Nodes and edges added, removed and kept from ``before`` to ``after``."""
    nodes_a, nodes_b = set(before), set(after)
    edges_a = {(u, v, k) for u, v, k in before.edges(keys=True)}
    edges_b = {(u, v, k) for u, v, k in after.edges(keys=True)}
    union = nx.MultiDiGraph()
    union.graph.update(after.graph, from_year=from_year, to_year=to_year)
    for node in sorted(nodes_a | nodes_b):
        change = "kept" if node in nodes_a and node in nodes_b else ("added" if node in nodes_b else "removed")
        union.add_node(node, **(after.nodes[node] if node in nodes_b else before.nodes[node]), change=change)
    for u, v, k in sorted(edges_a | edges_b):
        change = "kept" if (u, v, k) in edges_a and (u, v, k) in edges_b else (
            "added" if (u, v, k) in edges_b else "removed")
        data = after.edges[u, v, k] if (u, v, k) in edges_b else before.edges[u, v, k]
        union.add_edge(u, v, key=k, **data, change=change)
    return GraphDiff(
        from_year=from_year, to_year=to_year,
        added_nodes=sorted(nodes_b - nodes_a), removed_nodes=sorted(nodes_a - nodes_b),
        kept_nodes=sorted(nodes_a & nodes_b),
        added_edges=sorted(edges_b - edges_a), removed_edges=sorted(edges_a - edges_b),
        kept_edges=sorted(edges_a & edges_b), graph=union)
