"""The Python API: ``jlis_kg.load``, the networkx projection and the traversals, on a real
build of the whole corpus (the ``build_dir`` fixture of ``conftest.py``)."""
from __future__ import annotations

import doctest
import os
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

import jlis_kg
from jlis_kg.graph import Evidence, KnowledgeGraph, UnknownEntity, load
from jlis_kg.graph.vocab import HIDDEN_KINDS
from jlis_kg.model import InputError

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/jlis-kg/id/"
LGWAN = ID + "system/lgwan"
PLATFORM = ID + "system/jichitai-chukan-server-platform"
LGWAN_ASP = ID + "system/lgwan-asp"


@pytest.fixture(scope="module")
def kg(build_dir) -> KnowledgeGraph:
    return load(build_dir)


@pytest.fixture(scope="module")
def graph(kg):
    return kg.to_networkx()


@pytest.fixture(scope="module")
def source_lines(kg):
    """Each document's source file, as lines, by document id."""
    return {doc.id: (ROOT / "data" / doc.file).read_text(encoding="utf-8").split("\n")
            for doc in kg.documents.values()}


def assert_evidence_stands_in_its_source(evidence: Evidence, source_lines) -> None:
    assert evidence.document in source_lines, evidence
    assert evidence.line and evidence.quote, evidence
    assert evidence.quote in source_lines[evidence.document][evidence.line - 1], evidence


# ───────────────────────── loading ─────────────────────────

def test_load_is_exported_from_the_package_and_takes_a_directory_or_a_file(build_dir):
    assert jlis_kg.load is load
    for where in (build_dir, build_dir / "jlis.nq", build_dir / "jlis.trig", str(build_dir)):
        kg = jlis_kg.load(where)
        assert isinstance(kg, KnowledgeGraph)
        assert kg.fiscal_years == [2016, 2018, 2020, 2023]
    assert len(load(build_dir / "jlis.trig").store) == len(load(build_dir).store)


def test_load_refuses_what_is_not_a_built_graph(tmp_path):
    with pytest.raises(InputError, match="run `jlis-kg build` first"):
        load(tmp_path)
    bad = tmp_path / "jlis.nq"
    bad.write_text("this is not N-Quads\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read the built graph"):
        load(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="N-Quads"):
        load(notes)


def test_the_rdf_stays_at_hand_as_pyoxigraph_and_rdflib(kg, tmp_path):
    assert len(kg.store) > 10_000
    # rdflib takes half a minute over the whole build: one named graph shows the same thing.
    import pyoxigraph as ox
    from rdflib import URIRef

    reference = ox.NamedNode("https://w3id.org/jlis-kg/graph/reference")
    small = tmp_path / "jlis.nq"
    small.write_bytes(ox.serialize(kg.store.quads_for_pattern(None, None, None, reference), format=ox.RdfFormat.N_QUADS))
    part = load(small)
    assert (URIRef(LGWAN_ASP), None, None) in part.dataset
    assert len(part.dataset) == len({(q.subject, q.predicate, q.object) for q in part.store})
    assert part.entity("LGWAN").iri == LGWAN


# ───────────────────────── the projection ─────────────────────────

def test_nodes_are_entities_keyed_by_iri_with_labels_kind_and_years(kg, graph):
    assert graph.number_of_nodes() > 200
    assert isinstance(graph, nx.MultiDiGraph)
    for node, data in graph.nodes(data=True):
        assert node.startswith(ID), node
        assert data["kind"] == node[len(ID):].split("/")[0]
        assert data["kind"] not in HIDDEN_KINDS  # no documents, statements, figures by default
        assert data["label_ja"], node
        assert data["fiscal_years"] == sorted(set(data["fiscal_years"]))
        assert set(data["fiscal_years"]) <= set(kg.fiscal_years)
    lgwan = graph.nodes[LGWAN]
    assert (lgwan["label_ja"], lgwan["label_en"]) == ("総合行政ネットワーク", "Local Government Wide Area Network")
    assert "LGWAN" in lgwan["aliases"] and lgwan["type"] == "jlis:Network"


def test_no_literal_ever_becomes_a_node(graph):
    """Unlike rdflib.extras.external_graph_libs, which makes a node of every literal."""
    assert all(isinstance(n, str) and n.startswith("https://") for n in graph)


def test_edges_match_the_rdf_relation_for_relation(kg, graph):
    """Every IRI-to-IRI triple between two entities is one edge, keyed by its relation."""
    nodes = set(graph)
    expected = set()
    for quad in kg.store:
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if getattr(o, "value", None) in nodes and getattr(s, "value", None) in nodes \
                and p != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            expected.add((s.value, o.value, p))
    from jlis_kg.graph.vocab import expand
    found = {(u, v, expand(k)) for u, v, k in graph.edges(keys=True)}
    assert found == expected
    for u, v, key, data in graph.edges(keys=True, data=True):
        assert data["relation"] == key


def test_every_stated_edge_carries_evidence_that_stands_in_its_source(graph, source_lines):
    checked = 0
    for u, v, key, data in graph.edges(keys=True, data=True):
        if data["fiscal_years"] or not (data["curated"] or data["derived"]):
            assert data["evidence"], (u, key, v)
        years = set()
        for item in data["evidence"]:
            assert_evidence_stands_in_its_source(Evidence.from_dict(item), source_lines)
            years.add(item["fiscal_year"])
            checked += 1
        assert years <= set(data["fiscal_years"])
    assert checked > 500


def test_dependency_edges_are_there_with_their_sub_properties(graph):
    assert graph.has_edge(LGWAN_ASP, LGWAN, key="jlis:deliveredVia")
    assert graph.has_edge(LGWAN_ASP, LGWAN, key="jlis:dependsOn")  # the build asserts both
    assert graph.has_edge(PLATFORM, LGWAN_ASP, key="jlis:deliveredVia")


def test_a_fiscal_year_keeps_what_that_years_documents_state(kg):
    for year in kg.fiscal_years:
        g = kg.to_networkx(fiscal_year=year)
        assert g.number_of_nodes() > 50
        for node, data in g.nodes(data=True):
            assert year in data["fiscal_years"], (year, node)
        for u, v, key, data in g.edges(keys=True, data=True):
            assert year in data["fiscal_years"] or data["curated"], (year, u, key, v)
            assert all(e["fiscal_year"] == year for e in data["evidence"])
    both = kg.to_networkx(fiscal_year=[2016, 2023])
    assert set(both) == set(kg.to_networkx(fiscal_year=2016)) | set(kg.to_networkx(fiscal_year=2023))
    with pytest.raises(InputError, match="fiscal year 2017"):
        kg.to_networkx(fiscal_year=2017)


def test_relations_and_kinds_select_the_projection(kg):
    only = kg.to_networkx(relations=["dependsOn", "jlis:partOf"], kinds=["system"])
    assert {k for _, _, k in only.edges(keys=True)} <= {"jlis:dependsOn", "jlis:partOf"}
    assert {d["kind"] for _, d in only.nodes(data=True)} == {"system"}
    assert kg.to_networkx(relations="dependsOn,partOf").number_of_edges() == \
        kg.to_networkx(relations=["jlis:dependsOn", "https://w3id.org/jlis-kg/ontology#partOf"]).number_of_edges()
    with pytest.raises(ValueError, match="unknown relation"):
        kg.to_networkx(relations=["runsOn"])
    documents = kg.to_networkx(kinds=["document", "system"], relations=["mentions"])
    assert any(d["kind"] == "document" for _, d in documents.nodes(data=True))
    assert documents.number_of_edges() > 50


def test_each_call_returns_a_fresh_graph(kg):
    first = kg.to_networkx()
    first.remove_node(LGWAN)
    first.nodes[LGWAN_ASP]["fiscal_years"].append(1999)
    second = kg.to_networkx()
    assert LGWAN in second and 1999 not in second.nodes[LGWAN_ASP]["fiscal_years"]


# ───────────────────────── entities ─────────────────────────

@pytest.mark.parametrize("name", ["LGWAN", "総合行政ネットワーク", "Local Government Wide Area Network",
                                  "system/lgwan", "id:system/lgwan", LGWAN, f"<{LGWAN}>", "ＬＧＷＡＮ", " LGWAN "])
def test_entities_are_found_by_iri_id_label_or_alias(kg, name):
    assert kg.resolve(name) == LGWAN


def test_japanese_aliases_resolve(kg):
    assert kg.resolve("住基ネット") == ID + "system/juki-net"
    assert kg.entity("自治体中間サーバー").iri == ID + "system/jichitai-chukan-server"


def test_an_unknown_name_says_so_and_suggests(kg):
    with pytest.raises(UnknownEntity, match="no entity has this IRI, label or alias"):
        kg.resolve("存在しないシステム")
    with pytest.raises(UnknownEntity, match="did you mean"):
        kg.resolve("中間サーバー・プラット")


# ───────────────────────── impact and dependencies ─────────────────────────

def test_dependents_of_lgwan_are_the_systems_that_run_over_it_each_with_evidence(kg, source_lines):
    impact = kg.dependents("LGWAN")
    reached = {r.entity.iri: r for r in impact}
    assert LGWAN_ASP in reached and reached[LGWAN_ASP].direct
    assert PLATFORM in reached, "the documents say the platform is delivered via LGWAN-ASP over LGWAN"
    platform = reached[PLATFORM]
    assert [h.relation for h in platform.hops] == ["jlis:deliveredVia", "jlis:deliveredVia"]
    for reach in impact:
        assert reach.hops[0].source == reach.entity.iri and reach.hops[-1].target == LGWAN
        assert len(reach.hops) == reach.depth
        for a, b in zip(reach.hops, reach.hops[1:]):
            assert a.target == b.source
        for hop in reach.hops:
            assert hop.evidence, hop
            for evidence in hop.evidence:
                assert_evidence_stands_in_its_source(evidence, source_lines)
    assert [r.depth for r in impact] == sorted(r.depth for r in impact)


def test_dependencies_and_dependents_mirror_each_other(kg, graph):
    systems = [n for n, d in graph.nodes(data=True) if d["kind"] == "system"]
    needs = {s: {r.entity.iri for r in kg.dependencies(s)} for s in systems}
    for system in systems:
        for other in {r.entity.iri for r in kg.dependents(system)}:
            assert system in needs[other], (other, system)


def test_the_dependency_closure_equals_a_sparql_property_path(kg, graph):
    query = """PREFIX jlis: <https://w3id.org/jlis-kg/ontology#>
        SELECT DISTINCT ?x WHERE { ?x (jlis:dependsOn|jlis:deliveredVia|jlis:usesDataFrom|jlis:hostedOn)+ <%s> }"""
    for system in (LGWAN, LGWAN_ASP, ID + "system/information-provision-network"):
        sparql = {row["x"].value for row in kg.store.query(query % system, use_default_graph_as_union=True)}
        assert {r.entity.iri for r in kg.dependents(system)} == sparql - {system}


def test_direct_only_and_the_parts_inference(kg):
    direct = kg.dependents("LGWAN", transitive=False)
    assert direct and all(r.depth == 1 for r in direct)
    assert PLATFORM not in {r.entity.iri for r in direct}
    national_server = ID + "system/national-server"
    assert ID + "system/juki-net" not in {r.entity.iri for r in kg.dependents(national_server)}
    with_parts = {r.entity.iri: r for r in kg.dependents(national_server, parts=True)}
    assert ID + "system/juki-net" in with_parts
    hop = with_parts[ID + "system/juki-net"].hops[0]
    assert hop.relation == "jlis:partOf" and hop.inverse


def test_a_fiscal_year_limits_the_walk(kg):
    for year in kg.fiscal_years:
        for reach in kg.dependents("LGWAN", fiscal_year=year):
            for hop in reach.hops:
                assert year in hop.fiscal_years or hop.curated


def test_the_most_critical_systems_are_those_most_others_depend_on(kg):
    ranking = kg.critical_systems(top=None)
    assert ranking[0].entity.iri == LGWAN
    assert ranking[0].score == len(kg.dependents("LGWAN"))
    scores = [(c.score, len(c.direct)) for c in ranking]
    assert scores == sorted(scores, reverse=True)
    assert all(c.entity.kind == "system" for c in ranking)
    assert len(kg.critical_systems(top=3)) == 3


# ───────────────────────── paths ─────────────────────────

def test_a_path_between_two_systems_has_evidence_for_every_hop(kg, source_lines):
    hops = kg.path("住基ネット", "中間サーバー")
    assert hops
    assert hops[0].source == ID + "system/juki-net"
    assert hops[-1].target == ID + "system/jichitai-chukan-server"
    for a, b in zip(hops, hops[1:]):
        assert a.target == b.source
    graph = kg.to_networkx()
    for hop in hops:
        stated = (hop.target, hop.source) if hop.inverse else (hop.source, hop.target)
        assert graph.has_edge(*stated, key=hop.relation), hop
        assert hop.evidence or hop.curated
        for evidence in hop.evidence:
            assert_evidence_stands_in_its_source(evidence, source_lines)
    # The cheapest path avoids the hub that runs everything (J-LIS) and the projects.
    assert not any(h.relation in ("jlis:operatedBy", "jlis:concerns") for h in hops)


def test_path_edge_cases(kg):
    assert kg.path("LGWAN", "総合行政ネットワーク") == []
    assert kg.path("LGWAN-ASP", "LGWAN", directed=True)[0].relation == "jlis:deliveredVia"
    assert kg.path("LGWAN", "LGWAN-ASP", directed=True) is None
    assert kg.path("LGWAN", "住基ネット", relations=["succeeds"]) is None


# ───────────────────────── change between years ─────────────────────────

def test_the_difference_between_two_years(kg):
    diff = kg.diff(2016, 2023)
    before, after = kg.to_networkx(fiscal_year=2016), kg.to_networkx(fiscal_year=2023)
    assert set(diff.added_nodes) == set(after) - set(before)
    assert set(diff.removed_nodes) == set(before) - set(after)
    assert set(diff.kept_nodes) == set(before) & set(after)
    assert diff.added_nodes and diff.removed_nodes and diff.kept_nodes
    edges = Counter(d["change"] for *_, d in diff.graph.edges(keys=True, data=True))
    assert edges == Counter({"added": len(diff.added_edges), "removed": len(diff.removed_edges),
                             "kept": len(diff.kept_edges)})
    assert all("change" in d for _, d in diff.graph.nodes(data=True))
    units = kg.diff(2020, 2023, kinds="unit")
    assert {kg.entity(n).kind for n in units.added_nodes + units.removed_nodes} == {"unit"}
    assert units.to_dict()["summary"] == units.summary()


# ───────────────────────── documentation ─────────────────────────

def test_the_documented_examples_run(build_dir, tmp_path, monkeypatch):
    """The examples of the README (the docstring of ``jlis_kg.graph``), as doctests."""
    import jlis_kg.graph
    import jlis_kg.graph.vocab
    import jlis_kg.export.style
    import jlis_kg.export.gexf

    (tmp_path / "build").symlink_to(build_dir)
    monkeypatch.chdir(tmp_path)  # `jlis_kg.load()` reads ./build
    monkeypatch.setenv("JLIS_KG_HOME", os.fspath(ROOT))
    for module in (jlis_kg.graph, jlis_kg.graph.vocab, jlis_kg.export.style, jlis_kg.export.gexf):
        failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert tried and not failures, module.__name__
