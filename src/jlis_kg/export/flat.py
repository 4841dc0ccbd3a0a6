"""Attribute values for the file formats other tools read (GraphML, GEXF).

Those formats hold scalars only: lists become space- or ``|``-separated strings, the
evidence a JSON array, and every fiscal year gets a boolean column (``fy2016`` …) so
that Gephi's and Cytoscape's filters can select a year without parsing anything.
"""
from __future__ import annotations

import json

import networkx as nx

LIST_SEPARATORS = {"fiscal_years": " ", "documents": " ", "types": " ", "aliases": "|"}


def flat_value(name: str, value):
    if isinstance(value, (list, tuple, set)):
        if name == "evidence":
            return json.dumps(list(value), ensure_ascii=False)
        return LIST_SEPARATORS.get(name, "|").join(str(v) for v in value)
    if value is None:
        return ""
    return value


def flatten(graph: nx.MultiDiGraph, years: list[int]) -> nx.MultiDiGraph:
    """A copy of the graph whose attributes are all strings, numbers or booleans."""
    out = nx.MultiDiGraph()
    out.graph.update({k: flat_value(k, v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        attrs = {k: flat_value(k, v) for k, v in data.items()}
        attrs["label"] = data.get("label_ja", node)
        for year in years:
            attrs[f"fy{year}"] = year in data.get("fiscal_years", ())
        out.add_node(node, **attrs)
    for index, (u, v, key, data) in enumerate(graph.edges(keys=True, data=True)):
        attrs = {k: flat_value(k, v) for k, v in data.items()}
        attrs["label"] = key
        attrs["evidence_count"] = len(data.get("evidence", ()))
        for year in years:
            attrs[f"fy{year}"] = year in data.get("fiscal_years", ())
        out.add_edge(u, v, key=key, id=f"e{index}", **attrs)
    return out
