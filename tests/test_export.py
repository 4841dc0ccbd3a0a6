"""Exports: GraphML and GEXF read back by networkx, Cytoscape.js JSON, DOT, SVG and PNG
through Graphviz, the self-contained HTML page, and the commands that write them."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from jlis_kg.cli import cli
from jlis_kg.export import FORMATS, export
from jlis_kg.export.gexf import year_spells
from jlis_kg.graph import load
from jlis_kg.model import InputError

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
ASSETS = ROOT / "src" / "jlis_kg" / "export" / "assets"
ID = "https://w3id.org/jlis-kg/id/"
LGWAN = ID + "system/lgwan"
SVG = "{http://www.w3.org/2000/svg}"
needs_graphviz = pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz is not installed")


@pytest.fixture(scope="module")
def kg(build_dir):
    return load(build_dir)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("export")


def relation_edges(graph, attribute: str = "relation") -> Counter:
    return Counter((u, v, d[attribute]) for u, v, d in graph.edges(data=True))


def same_graph(read, original) -> None:
    assert set(read) == set(original)
    assert relation_edges(read) == Counter((u, v, k) for u, v, k in original.edges(keys=True))


# ───────────────────────── GraphML, GEXF, Cytoscape.js ─────────────────────────

def test_graphml_reads_back_with_the_same_nodes_edges_and_labels(kg, out):
    path = export(kg, "graphml", out / "jlis.graphml")
    read = nx.read_graphml(path)
    original = kg.to_networkx()
    same_graph(read, original)
    assert read.nodes[LGWAN]["label_ja"] == "総合行政ネットワーク"
    assert read.nodes[LGWAN]["label"] == "総合行政ネットワーク"
    assert read.nodes[LGWAN]["fiscal_years"] == "2016 2018 2020 2023"
    assert read.nodes[LGWAN]["fy2016"] is True
    edge = next(d for u, v, d in read.edges(data=True)
                if (u, v, d["relation"]) == (ID + "system/lgwan-asp", LGWAN, "jlis:deliveredVia"))
    evidence = json.loads(edge["evidence"])
    assert evidence and {"document", "line", "quote"} <= evidence[0].keys()
    assert edge["evidence_count"] == len(evidence)


def test_graphml_of_one_year_and_some_relations(kg, out):
    path = export(kg, "graphml", out / "fy2016.graphml", fiscal_year=2016, relations="dependsOn,partOf")
    read = nx.read_graphml(path)
    same_graph(read, kg.to_networkx(fiscal_year=2016, relations=["dependsOn", "partOf"]))
    assert {d["relation"] for _, _, d in read.edges(data=True)} <= {"jlis:dependsOn", "jlis:partOf"}


def test_gexf_reads_back_with_the_same_nodes_and_edges_and_has_a_spell_per_year(kg, out):
    path = export(kg, "gexf", out / "jlis.gexf")
    read = nx.read_gexf(path)
    original = kg.to_networkx()
    same_graph(read, original)
    root = ET.parse(path).getroot()
    graph = root.find("{http://www.gexf.net/1.2draft}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    years = kg.fiscal_years
    for node, data in original.nodes(data=True):
        expected = year_spells(data["fiscal_years"], years) if data["fiscal_years"] else None
        assert read.nodes[node].get("spells") == expected, node
    # An entity seen in FY2016 only is on the timeline from 2016-04-01 until the next snapshot.
    spells = [d["spells"] for _, d in read.nodes(data=True) if d.get("spells")]
    assert any(s[0][0] == "2016-04-01" for s in spells) and any(s[-1][1] == "2024-03-31" for s in spells)
    assert all("viz" in d and "color" in d["viz"] for _, d in read.nodes(data=True))


def test_gexf_exact_years(kg, out):
    path = export(kg, "gexf", out / "exact.gexf", hold=False)
    read = nx.read_gexf(path)
    lgwan = read.nodes[LGWAN]["spells"]
    assert lgwan == [(f"{y}-04-01", f"{y + 1}-03-31") for y in (2016, 2018, 2020, 2023)]


def test_cytoscape_json_loads_into_cytoscape_js_shape(kg, out):
    path = export(kg, "cyjs", out / "jlis.cyjs")
    data = json.loads(path.read_text(encoding="utf-8"))
    nodes = {n["data"]["id"]: n for n in data["elements"]["nodes"]}
    original = kg.to_networkx()
    assert set(nodes) == set(original)
    assert all("position" in n for n in nodes.values())
    assert nodes[LGWAN]["data"]["name"] == "総合行政ネットワーク"
    edges = data["elements"]["edges"]
    assert Counter((e["data"]["source"], e["data"]["target"], e["data"]["interaction"]) for e in edges) == \
        Counter(iter(original.edges(keys=True)))
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    assert any(s["selector"] == 'edge[relation = "jlis:dependsOn"]' for s in data["style"])


def test_the_change_between_two_years_as_data(kg, out):
    read = nx.read_graphml(export(kg, "graphml", out / "change.graphml", compare=(2016, 2023)))
    assert Counter(d["change"] for _, d in read.nodes(data=True)).keys() == {"added", "removed", "kept"}


# ───────────────────────── DOT, SVG, PNG ─────────────────────────

def node_boxes(root) -> dict[str, tuple[float, float, float, float]]:
    """Bounding box of every drawn node of a Graphviz SVG, by node title."""
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        title = group.find(f"{SVG}title").text
        xs, ys = [], []
        for shape in group.iter():  # shapes sit inside the <a> of the tooltip
            points = shape.get("points") or ""
            for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", points):
                xs.append(float(x))
                ys.append(float(y))
            path = shape.get("d") or ""
            for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path):
                xs.append(float(x))
                ys.append(float(y))
            if shape.tag == f"{SVG}ellipse":
                cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
                xs += [cx - rx, cx + rx]
                ys += [cy - ry, cy + ry]
        if xs:
            boxes[title] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


def overlapping(boxes) -> list[tuple[str, str]]:
    items = sorted(boxes.items(), key=lambda kv: kv[1][0])
    found = []
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(items):
        for b, (bx0, by0, bx1, by1) in items[i + 1:]:
            if bx0 >= ax1 - 0.5:
                break
            if min(ay1, by1) - max(ay0, by0) > 0.5 and min(ax1, bx1) - max(ax0, bx0) > 0.5:
                found.append((a, b))
    return found


@needs_graphviz
def test_the_svg_of_the_dependency_graph_is_well_formed_readable_and_complete(kg, out):
    path = export(kg, "svg", out / "dependencies.svg")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(path, ARTIFACTS / "dependencies.svg")
    root = ET.parse(path).getroot()  # well-formed XML
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for label in ("総合行政ネットワーク", "LGWAN-ASP", "自治体中間サーバー・", "プラットフォーム",
                  "Local Government", "種類 Kinds", "関係 Relations", "経由ネットワーク"):
        assert label in text, label
    fonts = {t.get("font-family") for t in root.iter(f"{SVG}text")}
    assert fonts == {"Noto Sans CJK JP"}, fonts
    boxes = node_boxes(root)
    for reach in kg.dependents("LGWAN"):  # everything the impact of LGWAN names is drawn
        assert reach.entity.iri in boxes, reach.entity.label
    assert len(boxes) > 30
    assert overlapping(boxes) == []  # no node drawn over another
    clusters = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert any("総合行政ネットワーク全国センター" in " ".join(t.text or "" for t in c.iter(f"{SVG}text")) for c in clusters)


@needs_graphviz
def test_png_of_the_dependency_graph(kg, out):
    path = export(kg, "png", ARTIFACTS / "dependencies.png")
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert width > 1500 and height > 1500  # the size the whole graph needs, not squeezed


@needs_graphviz
def test_the_change_picture_colours_added_removed_and_kept(kg, out):
    path = export(kg, "svg", ARTIFACTS / "change-fy2016-fy2023.svg", compare=(2016, 2023))
    export(kg, "png", ARTIFACTS / "change-fy2016-fy2023.png", compare=(2016, 2023))
    root = ET.parse(path).getroot()
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "変化 Change" in text and "FY2016 → FY2023" in text
    fills = Counter(shape.get("fill", "").upper() for g in root.iter(f"{SVG}g") if g.get("class") == "node"
                    for shape in g.iter() if shape.get("fill"))
    for colour in ("#DFF3E3", "#FBE3E1", "#F4F5F6"):  # added, removed, kept
        assert fills[colour] > 0, (colour, fills)
    assert "＋" in text and "－" in text
    assert overlapping(node_boxes(root)) == []


@needs_graphviz
def test_dot_is_valid_graphviz_with_clusters_per_unit(kg, out):
    import subprocess

    path = export(kg, "dot", out / "dependencies.dot")
    source = path.read_text(encoding="utf-8")
    assert source.startswith("digraph jlis {") and "subgraph \"cluster_" in source
    assert 'fontname="Noto Sans CJK JP"' in source
    done = subprocess.run(["dot", "-Tcanon"], input=source.encode("utf-8"), capture_output=True)
    assert done.returncode == 0, done.stderr


@needs_graphviz
def test_a_year_and_relations_narrow_the_picture(kg, out):
    everything = node_boxes(ET.parse(export(kg, "svg", out / "all.svg")).getroot())
    only = node_boxes(ET.parse(export(kg, "svg", out / "deps.svg", relations="dependsOn")).getroot())
    assert LGWAN in only and len(only) < len(everything)
    fy2016 = node_boxes(ET.parse(export(kg, "svg", out / "fy2016.svg", fiscal_year=2016)).getroot())
    graph = kg.to_networkx(fiscal_year=2016)
    assert set(fy2016) <= set(graph)


# ───────────────────────── HTML ─────────────────────────

def test_the_html_page_is_one_self_contained_file(kg, out):
    path = export(kg, "html", out / "jlis.html")
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['\"]?https?:", page)
    for host in ("unpkg.com", "jsdelivr", "cdnjs", "googleapis", "cdn."):
        assert host not in page, host
    assert "fetch(" not in (ASSETS / "app.js").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S)
                      .group(1).replace("<\\/", "</"))
    ids = {n["id"] for n in data["nodes"]}
    assert LGWAN in ids and ID + "system/juki-net" in ids
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    assert data["years"] == kg.fiscal_years
    lgwan = next(n for n in data["nodes"] if n["id"] == LGWAN)
    assert lgwan["label_en"] == "Local Government Wide Area Network" and "LGWAN" in lgwan["aliases"]
    assert any(e["evidence"] for e in data["edges"] if e["target"] == LGWAN)
    assert all("x" in n for n in data["nodes"] if not n.get("cluster"))  # laid out, not left to chance
    assert "Cytoscape Consortium" in page  # the vendored library's licence travels with it


def test_the_vendored_library_is_the_one_the_readme_names():
    readme = (ASSETS / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((ASSETS / "cytoscape.min.js").read_bytes()).hexdigest()
    assert digest in readme
    assert "MIT" in (ASSETS / "cytoscape.LICENSE.txt").read_text(encoding="utf-8") or \
        "Permission is hereby granted" in (ASSETS / "cytoscape.LICENSE.txt").read_text(encoding="utf-8")


# ───────────────────────── files and commands ─────────────────────────

def test_the_format_follows_the_suffix_and_bad_requests_are_refused(kg, out):
    assert sorted(FORMATS) == ["cyjs", "dot", "gexf", "graphml", "html", "png", "svg"]
    assert export(kg, None, out / "by-suffix.graphml").is_file()
    target = out / "kept.graphml"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(InputError, match="unknown relation"):
        export(kg, "graphml", target, relations="runsOn")
    with pytest.raises(InputError, match="fiscal year 2017"):
        export(kg, "svg", out / "x.svg", compare=(2016, 2017))
    with pytest.raises(InputError, match="unknown export format"):
        export(kg, None, out / "x.xlsx")
    assert target.read_text(encoding="utf-8") == "previous"  # a failed export leaves the old file
    assert not list(out.glob(".*.partial"))


def run(build_dir, *args):
    result = CliRunner().invoke(cli, ["--build-dir", str(build_dir), *args], obj={}, catch_exceptions=True)
    return result


def test_impact_command_lists_what_stops_with_japanese_and_english_labels(build_dir):
    result = run(build_dir, "impact", "LGWAN")
    assert result.exit_code == 0, result.output
    assert "総合行政ネットワーク (Local Government Wide Area Network)" in result.output
    assert "自治体中間サーバー・プラットフォーム (Local Government Intermediate Server Platform)" in result.output
    assert "経由ネットワーク (delivered via)" in result.output
    with_evidence = run(build_dir, "impact", "LGWAN", "--evidence")
    assert re.search(r"fy20\d\d-(plan|policy|report):\d+  「", with_evidence.output)
    data = json.loads(run(build_dir, "impact", "LGWAN", "--json").output)
    assert data["entity"]["iri"] == LGWAN
    assert all(r["hops"][-1]["target"] == LGWAN for r in data["results"])
    assert all(h["evidence"] for r in data["results"] for h in r["hops"])


def test_path_command(build_dir):
    result = run(build_dir, "path", "住基ネット", "中間サーバー")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("住民基本台帳ネットワークシステム (Resident Registry Network System) → ")
    data = json.loads(run(build_dir, "path", "住基ネット", "中間サーバー", "--json").output)
    assert data["found"] and data["hops"][0]["source"] == ID + "system/juki-net"
    assert "no path" in run(build_dir, "path", "LGWAN", "住基ネット", "--relations", "succeeds").output


def test_dependencies_and_critical_commands(build_dir):
    result = run(build_dir, "dependencies", "自治体中間サーバー")
    assert result.exit_code == 0 and "総合行政ネットワーク" in result.output
    ranking = json.loads(run(build_dir, "critical", "--json").output)
    assert ranking[0]["entity"]["iri"] == LGWAN


def test_unknown_entities_end_with_one_error_line(build_dir):
    result = run(build_dir, "impact", "存在しないシステム")
    assert isinstance(result.exception, InputError)
    assert "no entity has this IRI, label or alias" in str(result.exception)


def test_export_command_writes_each_format(build_dir, out):
    for fmt in ("graphml", "gexf", "cyjs", "html") + (("dot", "svg") if shutil.which("dot") else ()):
        target = out / f"cli.{fmt}"
        result = run(build_dir, "export", "--format", fmt, "--output", str(target), "--year", "2023")
        assert result.exit_code == 0, (fmt, result.output, result.exception)
        assert target.is_file() and target.stat().st_size > 1000
        assert f"wrote {target}" in result.output
    result = run(build_dir, "export", "-o", str(out / "cli-change.graphml"), "--compare", "2020", "2023",
                 "--relations", "unitOf,responsibleUnit")
    assert result.exit_code == 0, result.output
