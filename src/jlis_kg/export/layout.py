"""Node positions for the formats that carry them (HTML, Cytoscape.js JSON, GEXF).

Positions come from Graphviz ``dot`` run on the same scene as the SVG (so the
interactive page looks like the static picture): ``dot -Tjson`` gives each node's
centre.  Without Graphviz, a networkx layout (Kamada–Kawai per connected component,
components packed in a grid) stands in.  Coordinates are in points, y pointing down
(screen convention).
"""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess

import networkx as nx

from .scene import SHELF, Scene


def graphviz_positions(dot_text: str) -> dict[str, tuple[float, float]] | None:
    """Centres of the nodes of a DOT graph laid out by ``dot``, or None without Graphviz."""
    program = shutil.which("dot")
    if not program:
        return None
    done = subprocess.run([program, "-Tjson"], input=dot_text.encode("utf-8"), capture_output=True,
                          env=dict(os.environ, LC_ALL="C.UTF-8"), timeout=300)
    if done.returncode != 0:
        return None
    data = json.loads(done.stdout.decode("utf-8"))
    top = float(data.get("bb", "0,0,0,0").split(",")[3])
    out = {}
    for obj in data.get("objects", []):
        if "pos" in obj and "nodes" not in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            out[obj["name"]] = (round(x, 1), round(top - y, 1))
    return out


def fallback_positions(graph: nx.Graph, spacing: float = 140.0) -> dict[str, tuple[float, float]]:
    """A Kamada–Kawai layout per connected component, components in a grid."""
    undirected = nx.Graph(graph.to_undirected())
    components = sorted(nx.connected_components(undirected), key=lambda c: (-len(c), sorted(c)[0]))
    out: dict[str, tuple[float, float]] = {}
    columns = max(1, math.ceil(math.sqrt(len(components))))
    cell = 0.0
    placed = []
    for component in components:
        sub = undirected.subgraph(component)
        if len(component) == 1:
            pos = {next(iter(component)): (0.0, 0.0)}
        else:
            pos = nx.kamada_kawai_layout(sub)
        size = spacing * max(1.0, math.sqrt(len(component)))
        placed.append((pos, size))
        cell = max(cell, size)
    for index, (pos, size) in enumerate(placed):
        cx, cy = (index % columns) * cell * 2.2, (index // columns) * cell * 2.2
        for node, (x, y) in pos.items():
            out[node] = (round(cx + x * size, 1), round(cy + y * size, 1))
    return out


def scene_positions(scene: Scene, dot_text: str | None = None,
                    sizes: dict[str, tuple[float, float]] | None = None) -> dict[str, tuple[float, float]]:
    """Positions for every node of a scene.

    ``dot_text`` is the scene without its shelves (the entities with no relation, see
    ``scene.SHELF``); the shelves are laid out here as grids in a column to the right
    of the graph, so the graph itself stays compact.  ``sizes`` are node (width, height)
    in points.
    """
    on_shelf = {n for n, c in scene.member_of.items() if c.startswith(SHELF)}
    found = graphviz_positions(dot_text) if dot_text is not None else None
    if not found:
        found = fallback_positions(scene.graph.subgraph(set(scene.graph) - on_shelf))
    sizes = sizes or {}
    size = lambda n: sizes.get(n, (120.0, 40.0))  # noqa: E731
    placed = [found[n] for n in found if n not in on_shelf]
    right = max((x + size(n)[0] / 2 for n, (x, _) in found.items() if n not in on_shelf), default=0.0)
    top = min((y for _, y in placed), default=0.0)
    x0, y = right + 160.0, top
    for shelf in sorted({scene.member_of[n] for n in on_shelf}, key=lambda s: scene.clusters[s].label_ja):
        members = sorted((n for n in on_shelf if scene.member_of[n] == shelf),
                         key=lambda n: scene.graph.nodes[n].get("label_ja", n))
        columns = max(2, min(6, math.ceil(math.sqrt(len(members) * 1.6))))
        cell_w = max(size(n)[0] for n in members) + 24.0
        cell_h = max(size(n)[1] for n in members) + 18.0
        y += 50.0  # room for the shelf's label
        for index, node in enumerate(members):
            row, column = divmod(index, columns)
            found[node] = (round(x0 + column * cell_w + cell_w / 2, 1), round(y + row * cell_h + cell_h / 2, 1))
        y += math.ceil(len(members) / columns) * cell_h + 60.0
    return found


def force_positions(graph: nx.Graph, scale: float = 1.0) -> dict[str, tuple[float, float]]:
    """A force-directed layout of any graph: Graphviz ``sfdp`` with overlap removal, or
    networkx's spring layout without Graphviz.  For the files other tools open (GEXF,
    Cytoscape.js JSON), so that they open laid out."""
    program = shutil.which("sfdp")
    if program and graph.number_of_nodes():
        names = {node: f"n{i}" for i, node in enumerate(graph)}
        lines = ["graph g {", "  graph [overlap=prism, overlap_scaling=2, sep=\"+12\", splines=false, K=1.2];",
                 "  node [shape=box, fixedsize=true];"]
        for node, data in graph.nodes(data=True):
            width = max(0.6, min(3.0, len(str(data.get("label_ja", ""))) * 0.16 + 0.3))
            lines.append(f"  {names[node]} [width={width:.2f}, height=0.45];")
        for u, v in {(u, v) if u <= v else (v, u) for u, v in graph.edges() if u != v}:
            lines.append(f"  {names[u]} -- {names[v]};")
        lines.append("}")
        done = subprocess.run([program, "-Tjson"], input="\n".join(lines).encode("utf-8"), capture_output=True,
                              env=dict(os.environ, LC_ALL="C.UTF-8"), timeout=300)
        if done.returncode == 0:
            data = json.loads(done.stdout.decode("utf-8"))
            top = float(data.get("bb", "0,0,0,0").split(",")[3])
            back = {name: node for node, name in names.items()}
            out = {}
            for obj in data.get("objects", []):
                if "pos" in obj and obj.get("name") in back:
                    x, y = (float(v) for v in obj["pos"].split(","))
                    out[back[obj["name"]]] = (round(x * scale, 1), round((top - y) * scale, 1))
            if len(out) == graph.number_of_nodes():
                return out
    pos = nx.spring_layout(nx.Graph(graph.to_undirected()), seed=7, k=None, iterations=200)
    size = 60.0 * math.sqrt(max(graph.number_of_nodes(), 1))
    return {n: (round(x * size * scale, 1), round(y * size * scale, 1)) for n, (x, y) in pos.items()}
