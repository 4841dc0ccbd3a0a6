"""Exports of the graph: files for other tools, pictures, and an interactive page.

One module per format, all behind ``export()``:

| format | module | for |
|---|---|---|
| ``graphml`` | ``graphml.py`` | Gephi, Cytoscape, yEd, networkx (every attribute a column) |
| ``gexf`` | ``gexf.py`` | Gephi, with a spell per fiscal year for its timeline |
| ``cyjs`` | ``cytoscape.py`` | Cytoscape.js (and Cytoscape desktop) JSON, laid out and styled |
| ``dot`` | ``dot.py`` | Graphviz source of the dependency picture |
| ``svg``, ``png`` | ``dot.py`` | the dependency picture, through Graphviz, in Noto Sans CJK JP |
| ``html`` | ``html.py`` | one self-contained interactive page (Cytoscape.js inlined) |

The data files (GraphML, GEXF, Cytoscape.js) hold the entity graph of
``KnowledgeGraph.to_networkx``; the pictures hold a ``Scene`` (``scene.py``): by default
the dependency graph, clustered by organisational unit.  With ``compare=(a, b)`` every
format shows the change from fiscal year ``a`` to ``b``: a ``change`` attribute
(``added`` / ``removed`` / ``kept``) in the data files, colours in the pictures, the
comparison mode in the page.

>>> from jlis_kg.export import FORMATS
>>> sorted(FORMATS)
['cyjs', 'dot', 'gexf', 'graphml', 'html', 'png', 'svg']
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import InputError

if TYPE_CHECKING:  # the commands import this package; networkx loads only when exporting
    from ..graph.knowledge import KnowledgeGraph

FORMATS = {
    "graphml": "GraphML: Gephi, Cytoscape, yEd, networkx",
    "gexf": "GEXF 1.2 with a spell per fiscal year (Gephi's timeline)",
    "cyjs": "Cytoscape.js JSON, laid out and styled",
    "dot": "Graphviz DOT of the dependency picture",
    "svg": "SVG of the dependency picture (Graphviz)",
    "png": "PNG of the dependency picture (Graphviz)",
    "html": "one self-contained interactive HTML page",
}
ALIASES = {"cytoscape": "cyjs", "json": "cyjs", "gv": "dot", "htm": "html"}


def format_for(name: str | None, output: Path) -> str:
    """The format named, or the one the output's suffix implies."""
    fmt = (name or output.suffix.lstrip(".")).lower()
    fmt = ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InputError(f"{output}: unknown export format '{fmt}' (formats: {', '.join(FORMATS)})")
    return fmt


def export(kg: "KnowledgeGraph", fmt: str | None, output: str | os.PathLike, *, fiscal_year=None,
           relations=None, kinds=None, compare: tuple[int, int] | None = None, hold: bool = True,
           dpi: int = 110) -> Path:
    """Write the graph to ``output`` in format ``fmt`` (see the module's table).

    ``fiscal_year``, ``relations`` and ``kinds`` select as in ``to_networkx`` (for the
    pictures, ``relations`` and ``kinds`` replace the dependency picture's defaults);
    ``compare=(from_year, to_year)`` exports the change between two years instead.
    The file is written under a temporary name and renamed into place when complete.
    """
    output = Path(output)
    fmt = format_for(fmt, output)
    if compare is not None and fiscal_year is not None:
        raise InputError("--year and --compare exclude each other")
    if compare is not None:
        for year in compare:
            if int(year) not in kg.fiscal_years:
                raise InputError(f"fiscal year {year}: no document of that year "
                                 f"(years: {', '.join(map(str, kg.fiscal_years))})")
        compare = (int(compare[0]), int(compare[1]))
    if output.parent and not output.parent.exists():
        output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    try:
        _write(kg, fmt, partial, fiscal_year, relations, kinds, compare, hold, dpi)
        os.replace(partial, output)
    except ValueError as exc:  # an unknown relation or kind named by the user
        raise InputError(str(exc)) from None
    finally:
        if partial.exists():
            partial.unlink()
    return output


def _write(kg, fmt, output, fiscal_year, relations, kinds, compare, hold, dpi) -> None:
    if fmt in ("graphml", "gexf", "cyjs"):
        if compare is not None:
            graph = kg.diff(*compare, relations=relations, kinds=kinds).graph
        else:
            graph = kg.to_networkx(fiscal_year=fiscal_year, relations=relations, kinds=kinds)
        years = kg.fiscal_years
        if fmt == "graphml":
            from .graphml import write_graphml
            write_graphml(graph, output, years)
        elif fmt == "gexf":
            from .gexf import write_gexf
            write_gexf(graph, output, years, hold=hold)
        else:
            from .cytoscape import write_cytoscape
            write_cytoscape(graph, output, years)
    elif fmt in ("dot", "svg", "png"):
        from . import dot
        from .scene import build_scene

        scene = build_scene(kg, fiscal_year=fiscal_year, relations=relations, kinds=kinds, compare=compare)
        if fmt == "dot":
            dot.write_dot(scene, output)
        elif fmt == "svg":
            dot.write_svg(scene, output)
        else:
            dot.write_png(scene, output, dpi=dpi)
    else:
        from .html import write_html
        write_html(kg, output, fiscal_year=fiscal_year, relations=relations, kinds=kinds, compare=compare)
