"""The build one graph at a time (build.py, serialise.py): what it writes is what the whole
dataset in memory would give.

The oracle each time is the plain way: the quads of ``jlis.nq`` parsed by rdflib, sorted
and compared; ``add_changes`` run on the whole dataset; pySHACL-equivalent validation of
the N-Quads in memory.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from jlis_kg import build as build_module
from jlis_kg import serialise
from jlis_kg.build import run_build
from jlis_kg.changes import CHANGES_GRAPH, Snapshots, add_changes, projection_lines
from jlis_kg.serialise import GraphCollector, GraphRuns, graph_texts
from jlis_kg.store import OxigraphQuads, triple_of, write_union_triples
from jlis_kg.validate import validate_nquads, validate_store_dir

EX = "http://example.org/"


def small_dataset() -> Dataset:
    dataset = Dataset()
    for g in ("b", "a", "c"):
        graph = dataset.graph(URIRef(EX + "graph/" + g))
        for i in range(30):
            graph.add((URIRef(f"{EX}s{i % 7}"), URIRef(EX + "p"), Literal(f'say "{g}{i % 5}"\n', lang="ja")))
            graph.add((URIRef(f"{EX}s{i % 7}"), URIRef(EX + "q"), URIRef(f"{EX}o{i}")))
    return dataset


def test_merged_runs_are_the_sorted_lines_whatever_the_order_and_fan_in(tmp_path, monkeypatch):
    dataset = small_dataset()
    texts = graph_texts(dataset)
    expected = sorted(line for line in dataset.serialize(format="nquads").splitlines() if line.strip())
    outputs = []
    for fan_in, order in ((64, texts), (2, texts[::-1])):
        monkeypatch.setattr(serialise, "MERGE_FAN_IN", fan_in)
        runs = GraphRuns(tmp_path / f"runs-{fan_in}")
        for text in order:
            runs.add([text])
        runs.write_nquads(tmp_path / f"out-{fan_in}.nq")
        runs.write_trig(tmp_path / f"out-{fan_in}.trig")
        outputs.append(((tmp_path / f"out-{fan_in}.nq").read_bytes(), (tmp_path / f"out-{fan_in}.trig").read_bytes()))
        assert (tmp_path / f"out-{fan_in}.nq").read_text(encoding="utf-8").splitlines() == expected
    assert outputs[0] == outputs[1]
    parsed = Dataset()
    parsed.parse(data=outputs[0][1].decode("utf-8"), format="trig")
    assert set(parsed.quads()) == set(dataset.quads())


def test_a_graph_serialised_twice_is_refused(tmp_path):
    runs = GraphRuns(tmp_path / "runs")
    text = graph_texts(small_dataset())[0]
    runs.add([text])
    with pytest.raises(ValueError, match="serialised twice"):
        runs.add([text])


def test_the_collector_serialises_as_the_dataset_does():
    dataset, collected = small_dataset(), GraphCollector()
    for s, p, o, g in dataset.quads():
        collected.graph(g).add((s, p, o))
    assert graph_texts(collected) == graph_texts(dataset)


def test_the_union_file_holds_each_triple_of_every_graph_once(tmp_path):
    dataset = small_dataset()
    nquads = tmp_path / "d.nq"
    nquads.write_text("\n".join(sorted(dataset.serialize(format="nquads").splitlines())) + "\n", encoding="utf-8")
    write_union_triples(nquads, tmp_path / "u.nt")
    lines = (tmp_path / "u.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines))
    union = Graph()
    union.parse(tmp_path / "u.nt", format="nt")
    assert set(union) == {(s, p, o) for s, p, o, _ in dataset.quads()}
    assert triple_of(f'<{EX}s> <{EX}p> "a \\" <b> \\\\" <{EX}g> .') == f'<{EX}s> <{EX}p> "a \\" <b> \\\\"'
    assert triple_of(f"<{EX}s> <{EX}p> <{EX}o> .") == f"<{EX}s> <{EX}p> <{EX}o>"  # no graph name


# ───────────────────────── on the real build ─────────────────────────

def test_the_changes_from_the_projection_are_the_changes_of_the_whole_dataset(dataset):
    whole = Dataset()
    for s, p, o, g in dataset.quads():
        if g != CHANGES_GRAPH:
            whole.add((s, p, o, g))
    add_changes(whole)
    from_whole = set(whole.graph(CHANGES_GRAPH))
    assert len(from_whole) > 100
    built = set(dataset.graph(CHANGES_GRAPH))
    assert built == from_whole

    projection = ox.Store()
    lines = [line for line in whole.serialize(format="nquads").splitlines() if line.strip()]
    kept = projection_lines(lines)
    assert len(kept) < len(lines) / 10, "the projection is a small part of the graph"
    projection.bulk_load("\n".join(kept).encode(), format=ox.RdfFormat.N_QUADS)
    collected = GraphCollector()
    add_changes(collected, Snapshots(OxigraphQuads(projection)))
    assert collected.graph(CHANGES_GRAPH).triples == from_whole


def test_validation_in_the_store_reports_what_validation_in_memory_does_and_leaves_the_store_as_compact(build_dir, paths):
    from jlis_kg.store import store_path

    directory = store_path(build_dir)
    before = len(ox.Store.read_only(str(directory)))
    tables_before = len(list(directory.glob("*.sst")))
    in_store = validate_store_dir(directory, paths.shapes, paths.ontology)
    in_memory = validate_nquads(build_dir / "jlis.nq", paths.shapes, paths.ontology)
    assert (in_store.conforms, in_store.violations, in_store.report_text) == \
        (in_memory.conforms, in_memory.violations, in_memory.report_text)
    assert len(ox.Store.read_only(str(directory))) == before
    # the scratch graph's writes are compacted away, not left as extra tables every lookup reads
    assert len(list(directory.glob("*.sst"))) <= tables_before


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


def test_a_pool_of_workers_builds_the_same_bytes(tmp_path, paths, build_dir, monkeypatch):
    monkeypatch.setattr(build_module, "SMALL_CORPUS", 2)
    monkeypatch.setenv("JLIS_KG_WORKERS", "2")
    assert build_module.document_workers(5) == 2
    result = run_build(paths, out_dir=tmp_path / "pooled")
    assert result.validation.conforms
    assert digests(tmp_path / "pooled") == digests(build_dir)
