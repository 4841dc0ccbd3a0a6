"""GraphML (Gephi, Cytoscape, yEd, networkx): the graph with every attribute as a column.

Node ids are the entities' IRIs and edge ids ``e0``, ``e1`` …; each edge carries its
relation (``relation``, also its ``label``), fiscal years, documents, whether it is
curated, and its evidence as a JSON array.  ``networkx.read_graphml`` reads it back.
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx

from .flat import flatten


def write_graphml(graph: nx.MultiDiGraph, output: Path, years: list[int]) -> None:
    nx.write_graphml(flatten(graph, years), output, encoding="utf-8", prettyprint=True,
                     named_key_ids=True, edge_id_from_attribute="id")
