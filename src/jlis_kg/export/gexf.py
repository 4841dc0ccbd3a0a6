"""GEXF 1.2 for Gephi, with time: every node and edge has a spell per fiscal year.

Gephi's timeline then plays the graph year by year.  The documents are snapshots (plans
and reports of some years, not all), so by default a snapshot holds until the next one:
an entity seen in FY2016 and FY2018 is present from 2016-04-01 to 2020-03-31 if FY2020
is the next year with a document (``hold=False`` gives each fiscal year alone, 1 April
to 31 March).  A curated relation with no year of its own lives while both its ends do;
an entity only the reference catalogue knows has no spell (Gephi shows it throughout).
Nodes are coloured by kind and sized by degree, and laid out (Graphviz ``sfdp``), so
the file opens readable; every attribute is also a column (see ``flat.py``).
"""
from __future__ import annotations

import math
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx

from .flat import flatten
from .layout import force_positions
from .style import hex_rgb, kind_style


def year_spells(years: list[int], all_years: list[int], hold: bool = True) -> list[tuple[str, str]]:
    """Date spells for the fiscal years an entity or relation appears in.

    >>> year_spells([2016, 2018, 2023], [2016, 2018, 2020, 2023])
    [('2016-04-01', '2020-03-31'), ('2023-04-01', '2024-03-31')]
    >>> year_spells([2016, 2018], [2016, 2018, 2020, 2023], hold=False)
    [('2016-04-01', '2017-03-31'), ('2018-04-01', '2019-03-31')]
    """
    spans: list[list[int]] = []
    ordered = sorted(all_years)
    for year in sorted(set(years)):
        if hold:
            later = [y for y in ordered if y > year]
            end = later[0] - 1 if later else year
        else:
            end = year
        if spans and year <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([year, end])
    return [(f"{start}-04-01", f"{end + 1}-03-31") for start, end in spans]


def write_gexf(graph: nx.MultiDiGraph, output: Path, years: list[int], hold: bool = True) -> None:
    flat = flatten(graph, years)
    flat.graph = {"mode": "dynamic", "name": "jlis-kg"}
    positions = force_positions(graph)
    for node, data in flat.nodes(data=True):
        node_years = graph.nodes[node].get("fiscal_years", [])
        if node_years:
            data["spells"] = year_spells(node_years, years, hold)
        r, g, b = hex_rgb(kind_style(data.get("kind", "")).border)
        degree = graph.degree(node)
        viz = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "size": round(6 + 4 * math.sqrt(degree), 1)}
        if node in positions:
            x, y = positions[node]
            viz["position"] = {"x": x, "y": -y, "z": 0.0}
        data["viz"] = viz
    for u, v, key, data in flat.edges(keys=True, data=True):
        edge_years = list(graph.edges[u, v, key].get("fiscal_years", []))
        if not edge_years and graph.edges[u, v, key].get("curated"):
            edge_years = sorted(set(graph.nodes[u].get("fiscal_years", [])) & set(graph.nodes[v].get("fiscal_years", [])))
        if edge_years:
            data["spells"] = year_spells(edge_years, years, hold)
        data["weight"] = float(max(1, data.get("evidence_count", 0)))
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(flat)
    meta = writer.xml.find("meta")
    if meta is not None:  # say what the file is, for whoever opens it in Gephi
        meta.find("creator").text = f"jlis-kg (NetworkX {nx.__version__})"
        description = ElementTree.SubElement(meta, "description")
        description.text = ("J-LIS knowledge graph: entities keyed by IRI, relations with their evidence. "
                            "Spells: fiscal years (April to March)"
                            + (", each snapshot holding until the next." if hold else ", each year alone."))
    with open(output, "wb") as handle:
        writer.write(handle)
