"""Cytoscape.js JSON (also imported by Cytoscape desktop as ``.cyjs``).

``{"elements": {"nodes": [{"data": …, "position": …}], "edges": [{"data": …}]},
"style": […]}``: ``cy.add(json.elements)`` in Cytoscape.js, or
``cytoscape({elements, style})``.  Node ``data.id`` is the IRI and ``data.name`` its
Japanese label; edge ``data.interaction`` is the relation (Cytoscape desktop's column).
Lists stay lists and the evidence is an array of objects.  Positions come from a
force-directed layout; the style sheet is the one the HTML page uses.
"""
from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from .layout import force_positions
from .style import kind_style, relation_style


def cytoscape_json(graph: nx.MultiDiGraph, years: list[int]) -> dict:
    positions = force_positions(graph)
    nodes, edges = [], []
    for node, data in graph.nodes(data=True):
        item = {"data": {"id": node, "name": data.get("label_ja", node), **data}}
        if node in positions:
            item["position"] = {"x": positions[node][0], "y": positions[node][1]}
        nodes.append(item)
    for index, (u, v, key, data) in enumerate(graph.edges(keys=True, data=True)):
        edges.append({"data": {"id": f"e{index}", "source": u, "target": v, "interaction": key, **data}})
    style = [{"selector": "node", "style": {"label": "data(name)", "font-size": 11, "text-wrap": "wrap",
                                            "text-max-width": 140, "border-width": 1.5}},
             {"selector": "edge", "style": {"curve-style": "bezier", "target-arrow-shape": "triangle",
                                            "width": 1.2, "arrow-scale": 0.8}}]
    for kind in sorted({d.get("kind", "") for _, d in graph.nodes(data=True)}):
        k = kind_style(kind)
        style.append({"selector": f'node[kind = "{kind}"]',
                      "style": {"background-color": k.fill, "border-color": k.border, "shape": k.cy_shape}})
    for relation in sorted({k for _, _, k in graph.edges(keys=True)}):
        r = relation_style(relation)
        style.append({"selector": f'edge[relation = "{relation}"]',
                      "style": {"line-color": r.color, "target-arrow-color": r.color, "line-style": r.line,
                                "width": r.width, "target-arrow-shape": r.cy_arrow}})
    return {
        "format_version": "1.0", "generated_by": "jlis-kg", "target_cytoscapejs_version": "~3.34",
        "data": {"name": "jlis-kg", "fiscal_years": years},
        "elements": {"nodes": nodes, "edges": edges},
        "style": style,
    }


def write_cytoscape(graph: nx.MultiDiGraph, output: Path, years: list[int]) -> None:
    output.write_text(json.dumps(cytoscape_json(graph, years), ensure_ascii=False, indent=1), encoding="utf-8")
