"""Graphviz DOT, and SVG / PNG through the ``dot`` program.

The picture is drawn left to right in the direction of dependence (a system points at
what it needs), inside nested clusters of J-LIS's organisational units; every node shows
its Japanese label with the English one beneath, in Noto Sans CJK JP (Debian package
``fonts-noto-cjk``); the legend of kinds and relations (or of changes, in a difference
picture) is the picture's own header, so it can never cover a node.  Tooltips carry the
IRI, the aliases and the evidence (document:line and quote).
"""
from __future__ import annotations

import math
import os
import shutil
import subprocess
from html import escape
from pathlib import Path

from ..model import InputError
from .scene import Scene
from .style import (CHANGE_COLOR, CHANGE_FILL, CHANGE_LABEL, FONT, kind_label, kind_style, ordered_kinds,
                    ordered_relations, relation_style, wrap_label)

CLUSTER_FILLS = ("#FAFAFA", "#F2F6FA", "#E9EFF6", "#E1E9F2", "#D9E3EE")
LINE_GLYPH = {"solid": "━━━", "dashed": "╍╍╍", "dotted": "┈┈┈"}
HEAD_GLYPH = {"normal": "▶", "odiamond": "◇", "empty": "▷", "vee": "〉", "dot": "●", "onormal": "▷"}


def _q(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _h(text: str) -> str:
    """Text inside an HTML-like label."""
    return escape(str(text), quote=True)


def _node_label(data: dict, change: str | None = None) -> str:
    ja = wrap_label(data.get("label_ja", ""), 11.0)
    en = data.get("label_en", "")
    mark = {"added": "＋ ", "removed": "－ "}.get(change or "", "")
    rows = "<BR/>".join(_h((mark if i == 0 else "") + line) for i, line in enumerate(ja))
    label = f'<FONT POINT-SIZE="13">{rows}</FONT>'
    if en and en != data.get("label_ja"):
        en_rows = "<BR/>".join(_h(line) for line in wrap_label(en, 13.0, 3))
        label += f'<BR/><FONT POINT-SIZE="9.5" COLOR="#4A4A4A">{en_rows}</FONT>'
    return f"<{label}>"


def _tooltip(lines: list[str]) -> str:
    return "\n".join(lines)[:1500]


def _evidence_lines(evidence: list[dict], limit: int = 4) -> list[str]:
    out = []
    for item in evidence[:limit]:
        quote = (item.get("context") or item.get("quote") or "").strip()
        if len(quote) > 90:
            quote = quote[:89] + "…"
        out.append(f"{item.get('document')}:{item.get('line')} 「{quote}」")
    if len(evidence) > limit:
        out.append(f"… and {len(evidence) - limit} more")
    return out


def _legend(scene: Scene) -> str:
    """The header: title, subtitle, and the legend tables side by side."""
    kinds = ordered_kinds({d.get("kind") for _, d in scene.graph.nodes(data=True)})
    relations = ordered_relations({k for _, _, k in scene.graph.edges(keys=True)})
    kind_rows = []
    for kind in kinds:
        style = kind_style(kind)
        ja, en = scene.kind_names.get(kind) or kind_label(kind)
        fill, border = style.fill, style.border
        if scene.diff is not None:  # colour means change: name the shape instead
            shape_ja, shape_en = style.shape_name
            kind_rows.append(
                f'<TR><TD ALIGN="LEFT">{_h(shape_ja)} <FONT COLOR="#555555" POINT-SIZE="10">{_h(shape_en)}</FONT></TD>'
                f'<TD ALIGN="LEFT">{_h(ja)}  <FONT COLOR="#555555" POINT-SIZE="10">{_h(en)}</FONT></TD></TR>')
            continue
        kind_rows.append(
            f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="26" HEIGHT="16" FIXEDSIZE="TRUE"></TD>'
            f'<TD ALIGN="LEFT">{_h(ja)}  <FONT COLOR="#555555" POINT-SIZE="10">{_h(en)}</FONT></TD></TR>')
    if scene.clusters:
        kind_rows.append(
            f'<TR><TD BGCOLOR="{CLUSTER_FILLS[1]}" COLOR="#7B8794" BORDER="1" STYLE="ROUNDED" WIDTH="26" HEIGHT="16" FIXEDSIZE="TRUE"></TD>'
            f'<TD ALIGN="LEFT">担当部署（枠）  <FONT COLOR="#555555" POINT-SIZE="10">responsible unit (box)</FONT></TD></TR>')
    rel_rows = []
    for relation in relations:
        style = relation_style(relation)
        ja, en = scene.relation_labels.get(relation, (relation, relation))
        color = style.color if scene.diff is None else "#5F6368"
        glyph = LINE_GLYPH.get(style.line, "━━━") + HEAD_GLYPH.get(style.arrow, "▶")
        rel_rows.append(
            f'<TR><TD ALIGN="LEFT" WIDTH="44" FIXEDSIZE="TRUE"><FONT COLOR="{color}" POINT-SIZE="12">{glyph}</FONT></TD>'
            f'<TD ALIGN="LEFT">{_h(ja)}  <FONT COLOR="#555555" POINT-SIZE="10">{_h(en)} · {_h(relation)}</FONT></TD></TR>')
    tables = [
        f'<TD VALIGN="TOP"><TABLE BORDER="0" CELLSPACING="3" CELLPADDING="1">'
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>種類 Kinds</B></TD></TR>{"".join(kind_rows)}</TABLE></TD>',
        f'<TD VALIGN="TOP"><TABLE BORDER="0" CELLSPACING="3" CELLPADDING="1">'
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>関係 Relations</B> '
        f'<FONT POINT-SIZE="10" COLOR="#555555">(arrow: subject → object)</FONT></TD></TR>{"".join(rel_rows)}</TABLE></TD>',
    ]
    if scene.diff is not None:
        change_rows = []
        counts = scene.diff.summary()
        for change in ("added", "removed", "kept"):
            ja, en = CHANGE_LABEL[change]
            mark = {"added": "＋", "removed": "－", "kept": ""}[change]
            change_rows.append(
                f'<TR><TD BGCOLOR="{CHANGE_FILL[change]}" COLOR="{CHANGE_COLOR[change]}" BORDER="2" WIDTH="26">{mark}</TD>'
                f'<TD ALIGN="LEFT"><FONT COLOR="{CHANGE_COLOR[change]}">━━━▶</FONT> {_h(ja)}  '
                f'<FONT COLOR="#555555" POINT-SIZE="10">{_h(en)} (whole graph: {counts[change + "_nodes"]} entities, '
                f'{counts[change + "_edges"]} relations)</FONT></TD></TR>')
        tables.append(
            f'<TD VALIGN="TOP"><TABLE BORDER="0" CELLSPACING="3" CELLPADDING="1">'
            f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>変化 Change</B> <FONT POINT-SIZE="10" COLOR="#555555">'
            f'FY{scene.diff.from_year} → FY{scene.diff.to_year}</FONT></TD></TR>{"".join(change_rows)}</TABLE></TD>')
    return (f'<<TABLE BORDER="0" CELLSPACING="6" CELLPADDING="2">'
            f'<TR><TD ALIGN="LEFT" COLSPAN="{len(tables)}"><FONT POINT-SIZE="22"><B>{_h(scene.title)}</B></FONT></TD></TR>'
            f'<TR><TD ALIGN="LEFT" COLSPAN="{len(tables)}"><FONT POINT-SIZE="11" COLOR="#444444">{_h(scene.subtitle)}</FONT></TD></TR>'
            f'<TR>{"".join(tables)}</TR></TABLE>>')


def to_dot(scene: Scene, header: bool = True, shelves: bool = True,
           sizes: dict[str, tuple[float, float]] | None = None, cluster_font: float = 14.0) -> str:
    """The scene as DOT text; ``header=False`` leaves out the title and legend, and
    ``shelves=False`` the entities with no relation (``layout`` places those itself).

    ``sizes`` (width, height in points, by node) makes every node that size, unlabelled,
    and ``cluster_font`` sets the size of the clusters' one-line labels: the HTML page lays
    out its own boxes this way, so that Graphviz leaves room for exactly what it draws.
    """
    if not shelves:
        scene = scene.without_shelves()
    graph = scene.graph
    label = f", label={_legend(scene)}" if header else ""
    lines = [
        "digraph jlis {",
        f'  graph [rankdir=LR, fontname={_q(FONT)}, newrank=true, compound=true, splines=true, '
        f'nodesep=0.28, ranksep=0.75, pad=0.5, labelloc=t, labeljust=l, bgcolor="white", '
        f'outputorder=edgesfirst{label}];',
        f'  node [fontname={_q(FONT)}, fontsize=13, style="filled", penwidth=1.4, margin="0.14,0.07"];',
        f'  edge [fontname={_q(FONT)}, fontsize=10, arrowsize=0.85];',
    ]

    def node_line(node: str, indent: str) -> str:
        data = graph.nodes[node]
        style = kind_style(data.get("kind", ""))
        change = data.get("change") if scene.diff is not None else None
        shape_style = "filled,rounded" if style.shape == "box" and data.get("kind") in ("system", "project") else "filled"
        fill, border, width = style.fill, style.border, 1.4
        if change:
            fill, border, width = CHANGE_FILL[change], CHANGE_COLOR[change], 2.2
            if change == "removed":
                shape_style += ",dashed"
        tip = [data.get("label_ja", ""), data.get("label_en", ""), node]
        if data.get("aliases"):
            tip.append("aliases: " + ", ".join(data["aliases"][:8]))
        if data.get("fiscal_years"):
            tip.append("fiscal years: " + ", ".join(map(str, data["fiscal_years"])))
        if change:
            tip.append(f"change: {change}")
        slug = node.rsplit("/id/", 1)[-1].replace("/", "-")
        if sizes is not None and node in sizes:
            w, h = sizes[node]
            return (f'{indent}{_q(node)} [label="", shape=box, fixedsize=true, '
                    f'width={w / 72:.3f}, height={h / 72:.3f}];')
        return (f'{indent}{_q(node)} [id={_q("node-" + slug)}, label={_node_label(data, change)}, shape={style.shape}, '
                f'style={_q(shape_style)}, fillcolor={_q(fill)}, color={_q(border)}, penwidth={width}, '
                f'tooltip={_q(_tooltip([t for t in tip if t]))}];')

    def emit(cluster: str | None, indent: str) -> None:
        for child in scene.children(cluster):
            info = scene.clusters[child]
            fill = CLUSTER_FILLS[min(info.depth, len(CLUSTER_FILLS) - 1)]
            border = "#7B8794"
            if info.kind == "shelf":
                fill, border = "#FFFFFF", "#C9D1D9"
            suffix = ""
            if scene.diff is not None and info.change:
                border = CHANGE_COLOR[info.change]
                suffix = {"added": " ＋", "removed": " －"}.get(info.change, "")
            en = f'<BR/><FONT POINT-SIZE="10" COLOR="#555555">{_h(info.label_en)}</FONT>' if info.label_en else ""
            slug = child.rsplit("/id/", 1)[-1].replace("/", "-")
            lines.append(f'{indent}subgraph {_q("cluster_" + slug)} {{')
            if sizes is not None:  # one line, as the page draws it
                one_line = info.label_ja + (f"  {info.label_en}" if info.label_en else "")
                lines.append(f'{indent}  label=<<B>{_h(one_line)}</B>>; fontsize={cluster_font}; margin=16;')
            else:
                lines.append(f'{indent}  id={_q("cluster-" + slug)}; label=<<B>{_h(info.label_ja)}{suffix}</B>{en}>; '
                             f'fontsize={cluster_font}; labeljust=l; style="rounded,filled"; fillcolor={_q(fill)}; '
                             f'color={_q(border)}; penwidth={2.0 if suffix else 1.2}; margin=12;')
            emit(child, indent + "  ")
            lines.append(f"{indent}}}")
        members = scene.members(cluster)
        for node in members:
            lines.append(node_line(node, indent))
        # Members with no drawn relation would stack in one tall column: lay them out
        # in rows of three with invisible edges.
        alone = [n for n in members if graph.degree(n) == 0]
        per_row = max(3, math.ceil(math.sqrt(len(alone) * 1.5)))
        for row in range(0, len(alone), per_row):
            chunk = alone[row:row + per_row]
            for a, b in zip(chunk, chunk[1:]):
                lines.append(f"{indent}{_q(a)} -> {_q(b)} [style=invis];")

    emit(None, "  ")
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[2], e[0], e[1])):
        style = relation_style(key)
        change = data.get("change") if scene.diff is not None else None
        color, line, width = style.color, style.line, style.width
        if change:
            color = CHANGE_COLOR[change]
            width = max(width, 1.8) if change != "kept" else max(1.0, width * 0.8)
            if change == "removed":
                line = "dashed"
        ja, en = scene.relation_labels.get(key, (key, key))
        tip = [f"{graph.nodes[u].get('label_ja')} —{key}→ {graph.nodes[v].get('label_ja')}"]
        if data.get("fiscal_years"):
            tip.append("fiscal years: " + ", ".join(map(str, data["fiscal_years"])))
        if data.get("curated"):
            tip.append("curated (reference catalogue)")
        tip += _evidence_lines(data.get("evidence", []))
        attrs = [f"color={_q(color)}", f"style={line}", f"penwidth={width}", f"arrowhead={style.arrow}",
                 f"tooltip={_q(_tooltip(tip))}", f"edgetooltip={_q(_tooltip(tip))}"]
        if style.labelled:
            attrs.append(f'label=<<FONT COLOR="{color}">{_h(ja)}</FONT><BR/>'
                         f'<FONT POINT-SIZE="8.5" COLOR="#555555">{_h(en)}</FONT>>')
        if key in ("jlis:legalBasis", "jlis:supportsDuty", "jlis:operatedBy"):
            attrs.append("weight=0.6")
        lines.append(f"  {_q(u)} -> {_q(v)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz_program(name: str = "dot") -> str:
    found = shutil.which(name)
    if not found:
        raise InputError(f"{name}: Graphviz is not installed (Debian: apt-get install graphviz fonts-noto-cjk)")
    return found


def render(dot_text: str, fmt: str, output: Path, dpi: int = 110) -> None:
    """Run Graphviz on DOT text, writing ``output`` (``svg`` or ``png``)."""
    args = [graphviz_program(), f"-T{fmt}" if fmt != "png" else "-Tpng:cairo", f"-o{output}"]
    if fmt == "png":
        args.insert(1, f"-Gdpi={dpi}")
    env = dict(os.environ, LC_ALL="C.UTF-8")
    done = subprocess.run(args, input=dot_text.encode("utf-8"), capture_output=True, env=env, timeout=300)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"{output}: Graphviz failed ({message[0] if message else done.returncode})")


def write_dot(scene: Scene, output: Path) -> None:
    output.write_text(to_dot(scene), encoding="utf-8")


def write_svg(scene: Scene, output: Path) -> None:
    render(to_dot(scene), "svg", output)


def write_png(scene: Scene, output: Path, dpi: int = 110) -> None:
    render(to_dot(scene), "png", output, dpi=dpi)
