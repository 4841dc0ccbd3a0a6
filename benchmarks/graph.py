"""Time to build the networkx graph and to run the traversals, on the full built graph.

    python benchmarks/graph.py [--runs N] [--build DIR]

Prints the median time over N runs of: loading ``build/jlis.nq``, building the networkx
projection, copying it out (``to_networkx``), and each traversal (impact of LGWAN, what
中間サーバー needs, a path, the criticality ranking, the change FY2016 → FY2023).  In the
same run it measures the obvious alternatives and prints the ratios:

- the projection against ``rdflib.extras.external_graph_libs`` on an rdflib ``Dataset``
  (which also turns every literal into a node);
- the impact of LGWAN and the ranking against SPARQL 1.1 property paths
  (``(jlis:dependsOn|…)+``) on the same pyoxigraph store, and on rdflib.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from jlis_kg.graph import load  # noqa: E402
from jlis_kg.graph.projection import project  # noqa: E402
from jlis_kg.query import _pad  # noqa: E402  (pads by display width: Japanese is two columns wide)

DEPENDENCY_PATH = "(jlis:dependsOn|jlis:deliveredVia|jlis:usesDataFrom|jlis:hostedOn)+"
PREFIX = "PREFIX jlis: <https://w3id.org/jlis-kg/ontology#>\n"
IMPACT_QUERY = PREFIX + "SELECT DISTINCT ?x WHERE { ?x %s <https://w3id.org/jlis-kg/id/system/lgwan> }" % DEPENDENCY_PATH
CLOSURE_QUERY = PREFIX + "SELECT ?b (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a %s ?b } GROUP BY ?b ORDER BY DESC(?n)" % DEPENDENCY_PATH


def timed(func, runs: int):
    """(median seconds, last result)."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def row(name: str, seconds: float, note: str = "") -> None:
    shown = f"{seconds * 1000:>10.2f} ms" if seconds < 10 else f"{seconds:>10.2f} s "
    print(f"  {_pad(name, 58)} {shown}  {note}")


def ratio(alternative: float, ours: float) -> str:
    """How many times faster ours is (below 1: slower)."""
    if not ours:
        return "∞"
    value = alternative / ours
    return f"{value:.1f}×" if value >= 1 else f"{value:.2f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", type=Path, default=Path(__file__).resolve().parents[1] / "build")
    parser.add_argument("--skip-rdflib", action="store_true", help="Leave out the (slow) rdflib alternatives.")
    args = parser.parse_args()
    runs = args.runs

    load_time, kg = timed(lambda: load(args.build), max(1, runs // 2))
    kg.to_networkx()  # warm the caches the traversals share
    quads = len(kg.store)
    project_time, projection = timed(lambda: project(kg.store), runs)
    graph = projection.graph
    copy_time, _ = timed(kg.to_networkx, runs)
    print(f"graph: {quads:,} quads → {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges "
          f"(all kinds); {len(kg.documents)} documents, median of {runs} runs")
    print("networkx projection")
    row("load build/jlis.nq into pyoxigraph (jlis_kg.load)", load_time)
    row("build the projection from the quads", project_time)
    row("to_networkx(): a filtered copy", copy_time)
    row("to_networkx(fiscal_year=2023)", timed(lambda: kg.to_networkx(fiscal_year=2023), runs)[0])

    print("traversals (on the full graph; cold = the first call, which builds the dependency view)")

    def cold(func):
        def run():
            kg._cache.clear()
            return func()
        return run

    traversals = [
        ("dependents('LGWAN'), with evidence per hop", lambda: kg.dependents("LGWAN")),
        ("dependencies('自治体中間サーバー')", lambda: kg.dependencies("自治体中間サーバー")),
        ("path('住基ネット', '中間サーバー')", lambda: kg.path("住基ネット", "中間サーバー")),
        ("critical_systems() (closure of every system)", lambda: kg.critical_systems(top=None)),
        ("diff(2016, 2023)", lambda: kg.diff(2016, 2023)),
    ]
    measured = {}
    for name, func in traversals:
        cold_time, result = timed(cold(func), runs)
        warm_time, _ = timed(func, runs)
        measured[name] = (cold_time, warm_time)
        size = f"{len(result)} results" if isinstance(result, list) else ""
        row(name + " — cold", cold_time, size)
        row(name + " — warm", warm_time)
    impact_cold, impact_warm = measured["dependents('LGWAN'), with evidence per hop"]
    critical_cold, critical_warm = measured["critical_systems() (closure of every system)"]

    print("the alternatives, measured in the same run (ratio: how many times faster ours is, cold / warm)")
    sparql_time, rows = timed(lambda: list(kg.store.query(IMPACT_QUERY, use_default_graph_as_union=True)), runs)
    row("SPARQL property path, pyoxigraph: impact of LGWAN", sparql_time,
        f"{len(rows)} rows, no hops, no evidence; ratio {ratio(sparql_time, impact_cold)} / {ratio(sparql_time, impact_warm)}")
    closure_time, rows = timed(lambda: list(kg.store.query(CLOSURE_QUERY, use_default_graph_as_union=True)), runs)
    row("SPARQL property path, pyoxigraph: ranking", closure_time,
        f"{len(rows)} rows; ratio {ratio(closure_time, critical_cold)} / {ratio(closure_time, critical_warm)}")
    if args.skip_rdflib:
        return
    from rdflib import Dataset
    from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph
    from rdflib.namespace import Namespace

    start = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(kg.source, format="nquads")
    rdflib_load = time.perf_counter() - start
    row("rdflib: parse build/jlis.nq into a Dataset", rdflib_load,
        f"ratio {ratio(rdflib_load, load_time)} (pyoxigraph's load against rdflib's)")
    rdflib_runs = max(1, min(runs, 2))
    class Triples:  # what external_graph_libs iterates: the union of the named graphs, as triples
        def __iter__(self):
            return iter(dataset.triples((None, None, None)))

    external_time, external = timed(lambda: rdflib_to_networkx_multidigraph(Triples()), rdflib_runs)
    row("rdflib.extras.external_graph_libs → MultiDiGraph", external_time,
        f"{external.number_of_nodes():,} nodes (literals too); ratio {ratio(external_time, project_time)}")
    jlis = Namespace("https://w3id.org/jlis-kg/ontology#")
    rdflib_impact, rows = timed(lambda: list(dataset.query(IMPACT_QUERY, initNs={"jlis": jlis})), rdflib_runs)
    row("rdflib SPARQL property path: impact of LGWAN", rdflib_impact,
        f"{len(rows)} rows; ratio {ratio(rdflib_impact, impact_cold)} / {ratio(rdflib_impact, impact_warm)}")


if __name__ == "__main__":
    main()
