"""One self-contained, offline, interactive HTML page of the graph.

Everything is inlined into the one file: Cytoscape.js (vendored from the npm registry,
see ``assets/README.md``), the page's script and style sheet, and the graph as JSON.
No network access at run time: the page opens from a USB stick.

What the page does (``assets/app.js``): pan and zoom; search by Japanese or English
label or alias; filter by fiscal year, by kind and by relation (the legend is the
filter); compare two fiscal years (added / removed / kept in colour); click an entity
for its labels, years, relations with their evidence quotes, the projects that concern
it and the documents that mention it; click a relation for its evidence.  The state is
kept in the address (``#year=2016&node=system/lgwan``), so a view can be linked.

The layout is the SVG's (Graphviz ``dot``, units as nested boxes), computed here, so
the page never rearranges itself: filtering hides and shows entities in place.
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import re
from importlib import resources
from pathlib import Path

from ..graph.knowledge import KnowledgeGraph
from ..graph.vocab import DEPENDS_ON
from .dot import to_dot
from .layout import scene_positions
from .scene import SHELF, build_scene
from .style import (CHANGE_COLOR, CHANGE_FILL, CHANGE_LABEL, FONT_STACK, kind_style, ordered_kinds,
                    ordered_relations, relation_style, text_width, wrap_label)

CONTAINMENT = {"jlis:responsibleUnit", "jlis:operatedBy", "org:unitOf", "org:hasUnit"}
# Drawn by default; entities of every other kind (projects, events, meetings, people …)
# are listed in the details of the drawn entities they relate to, and drawn when asked for.
DRAWN_KINDS = ("system", "duty", "law", "org", "unit", "committee", "segment")
FONT_PX = 13.0
EN_FONT_PX = 10.0
CLUSTER_FONT_PX = 20.0


def _asset(name: str) -> str:
    return resources.files("jlis_kg.export").joinpath("assets", name).read_text(encoding="utf-8")


def _size(ja_lines: list[str], en_lines: list[str]) -> tuple[float, float]:
    width = max([text_width(line) * FONT_PX for line in ja_lines] +
                [text_width(line) * EN_FONT_PX * 1.02 for line in en_lines] + [40.0])
    height = len(ja_lines) * FONT_PX * 1.3 + len(en_lines) * EN_FONT_PX * 1.3
    return round(width + 22, 1), round(height + 14, 1)


def _neighbours(graph, node):
    """(other end, relation, edge data, outgoing?) for every relation of ``node``."""
    for _, other, key, data in graph.out_edges(node, keys=True, data=True):
        yield other, key, data, True
    for other, _, key, data in graph.in_edges(node, keys=True, data=True):
        yield other, key, data, False


def _evidence(items: list[dict], limit: int = 12) -> list[dict]:
    out = []
    for item in items[:limit]:
        out.append({k: item[k] for k in ("document", "fiscal_year", "line", "quote", "context") if item.get(k)})
    return out


def page_data(kg: KnowledgeGraph, fiscal_year=None, relations=None, kinds=None) -> dict:
    """Everything the page shows, as one JSON-ready dict."""
    if isinstance(kinds, str):
        kinds = kinds.replace(",", " ").split()
    entities = kg.to_networkx(fiscal_year=fiscal_year)
    present = {d["kind"] for _, d in entities.nodes(data=True)}
    drawn_kinds = tuple(kinds) if kinds else tuple(k for k in DRAWN_KINDS if k in present)
    scene = build_scene(kg, fiscal_year=fiscal_year, relations="all" if relations is None else relations,
                        kinds=drawn_kinds, keep_isolated=True, all_units=True, cluster=True)
    full = kg.to_networkx(fiscal_year=fiscal_year, kinds=set(present) | {"document"})
    listed = set(present) - set(drawn_kinds)  # kinds listed in the details panel
    documents = kg.documents

    node_ids = set(scene.graph) | set(scene.clusters)
    nodes = []
    for node in sorted(node_ids, key=lambda n: (scene.clusters.get(n) is None, n)):
        if node.startswith(SHELF):
            info = scene.clusters[node]
            nodes.append({"id": node, "label_ja": info.label_ja, "label_en": info.label_en,
                          "display": f"{info.label_ja}  {info.label_en}", "kind": "shelf", "type": "",
                          "minw": round(text_width(f"{info.label_ja}  {info.label_en}") * CLUSTER_FONT_PX + 10, 1),
                          "aliases": [], "years": [], "curated": False, "w": 40, "h": 20, "cluster": True,
                          "shelf": True, "parent": None, "related": [], "mentioned_in": []})
            continue
        data = full.nodes[node]
        ja_lines = wrap_label(data["label_ja"], 11.0)
        en_lines = wrap_label(data["label_en"], 16.0, 2) if data.get("label_en") and data["label_en"] != data["label_ja"] else []
        w, h = _size(ja_lines, en_lines)
        item = {
            "id": node, "label_ja": data["label_ja"], "label_en": data.get("label_en", ""),
            "display": "\n".join(ja_lines + en_lines), "kind": data["kind"], "type": data.get("type", ""),
            "aliases": data.get("aliases", []), "years": data.get("fiscal_years", []),
            "curated": bool(data.get("curated")), "w": w, "h": h,
        }
        if node in scene.clusters:
            item["cluster"] = True
            item["parent"] = scene.clusters[node].parent
            item["display"] = data["label_ja"] + (f"  {data['label_en']}" if data.get("label_en") else "")
            item["minw"] = round(text_width(item["display"]) * CLUSTER_FONT_PX * 1.05 + 10, 1)
        else:
            item["parent"] = scene.member_of.get(node)
        related, mentioned = [], []
        for other, key, edge, outgoing in _neighbours(full, node):
            kind = full.nodes[other]["kind"]
            if kind == "document":
                if key == "jlis:mentions":
                    mentioned.append(other.rsplit("/", 1)[-1])
                continue
            if kind not in listed:
                continue
            related.append({"id": other, "label": full.nodes[other]["label_ja"], "kind": kind,
                            "relation": key, "outgoing": outgoing,
                            "years": edge.get("fiscal_years") or full.nodes[other].get("fiscal_years", []),
                            "evidence": _evidence(edge.get("evidence", []), 2)})
        item["related"] = sorted(related, key=lambda r: (r["kind"], -(max(r["years"]) if r["years"] else 0), r["label"]))
        item["mentioned_in"] = sorted(mentioned)
        nodes.append(item)

    wanted = None
    if relations is not None:
        from ..graph.vocab import normalise_relations
        wanted = normalise_relations(relations, kg.relations)
    sizes = {n["id"]: (n["w"], n["h"]) for n in nodes if not n.get("cluster")}
    positions = scene_positions(scene, to_dot(scene, header=False, shelves=False, sizes=sizes,
                                              cluster_font=CLUSTER_FONT_PX), sizes=sizes)
    for item in nodes:
        if not item.get("cluster") and item["id"] in positions:
            item["x"], item["y"] = positions[item["id"]]
    ancestors: dict[str, set[str]] = {}
    for node in node_ids:
        if node.startswith(SHELF):
            continue
        chain, current = set(), scene.member_of.get(node) or (scene.clusters[node].parent if node in scene.clusters else None)
        while current is not None:
            chain.add(current)
            current = scene.clusters[current].parent if current in scene.clusters else None
        ancestors[node] = chain
    edges = []
    family = kg.dependency_relations
    for index, (u, v, key, data) in enumerate(sorted(full.edges(keys=True, data=True), key=lambda e: (e[2], e[0], e[1]))):
        if u not in node_ids or v not in node_ids or u == v:
            continue
        if wanted is not None and key not in wanted:
            continue
        parallel = set(full.get_edge_data(u, v))
        if key == DEPENDS_ON and any(k in family and k != DEPENDS_ON for k in parallel):
            continue  # shown as its sub-property (deliveredVia, hostedOn …), which says more
        containment = key in CONTAINMENT and (v in ancestors.get(u, ()) or u in ancestors.get(v, ()))
        edges.append({
            "id": f"e{index}", "source": u, "target": v, "relation": key,
            "years": data.get("fiscal_years", []), "curated": bool(data.get("curated")),
            "containment": containment, "evidence": _evidence(data.get("evidence", []), 20),
            "also": [DEPENDS_ON] if key in family and key != DEPENDS_ON and DEPENDS_ON in parallel else [],
            "evidence_count": len(data.get("evidence", [])),
        })

    used_relations = ordered_relations({e["relation"] for e in edges} |
                                       {r["relation"] for n in nodes for r in n["related"]})
    relation_meta = {}
    for relation in used_relations:
        style = relation_style(relation)
        ja, en = kg.term_label(relation)
        relation_meta[relation] = {"ja": ja, "en": en, "color": style.color, "line": style.line,
                                   "width": style.width, "arrow": style.cy_arrow, "labelled": style.labelled,
                                   "fill": "hollow" if style.arrow in ("odiamond", "empty", "onormal") else "filled",
                                   "count": sum(1 for e in edges if e["relation"] == relation)}
    kind_meta = {}
    for kind in ordered_kinds({n["kind"] for n in nodes if not n.get("shelf")} | listed):
        style = kind_style(kind)
        ja, en = kg.kind_label(kind)
        kind_meta[kind] = {"ja": ja, "en": en, "fill": style.fill, "border": style.border, "shape": style.cy_shape,
                           "count": sum(1 for n in nodes if n["kind"] == kind and not n.get("cluster"))}
    years = sorted({y for n in nodes for y in n["years"]} | set(kg.fiscal_years if fiscal_year is None else []))
    return {
        "title": "J-LIS 知識グラフ — jlis-kg",
        "generated": _dt.date.today().isoformat(),
        "years": years,
        "documents": {d.id: {"title": d.title, "fiscal_year": d.fiscal_year, "file": d.file}
                      for d in documents.values()},
        "kinds": kind_meta,
        "relations": relation_meta,
        "changes": {c: {"color": CHANGE_COLOR[c], "fill": CHANGE_FILL[c], "ja": CHANGE_LABEL[c][0],
                        "en": CHANGE_LABEL[c][1]} for c in CHANGE_COLOR},
        "font": FONT_STACK,
        "nodes": nodes,
        "edges": edges,
        "drawn_kinds": list(drawn_kinds),
        "dependency_relations": sorted(kg.dependency_relations),
        "positions": "graphviz" if any("x" in n for n in nodes) else "none",
    }


def _script_safe(text: str) -> str:
    """JSON or JavaScript that cannot end its <script> element early."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_page(data: dict) -> str:
    page = _asset("page.html")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    replacements = {
        "{{TITLE}}": html.escape(data["title"]),
        "{{CSS}}": _asset("app.css"),
        "{{CYTOSCAPE}}": _script_safe(_asset("cytoscape.min.js")),
        "{{CYTOSCAPE_LICENSE}}": _asset("cytoscape.LICENSE.txt").replace("--", "- -"),
        "{{DATA}}": _script_safe(payload),
        "{{APP}}": _script_safe(_asset("app.js")),
    }
    # One pass over the template only: a placeholder inside the inlined code stays as it is.
    return re.sub(r"\{\{[A-Z_]+\}\}", lambda m: replacements.get(m.group(0), m.group(0)), page)


def write_html(kg: KnowledgeGraph, output: Path, fiscal_year=None, relations=None, kinds=None,
               compare: tuple[int, int] | None = None) -> None:
    """Write the page; ``compare=(a, b)`` opens it comparing fiscal year ``a`` with ``b``."""
    data = page_data(kg, fiscal_year=fiscal_year, relations=relations, kinds=kinds)
    if compare is not None:
        data["start"] = {"compare": list(compare)}
    output.write_text(render_page(data), encoding="utf-8")
