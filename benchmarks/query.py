"""Every named query on the full graph: the embedded Oxigraph store against rdflib's
in-memory engine, measured in the same run.

    python benchmarks/query.py [--repeat 15] [--rdflib-budget 20] [--build-dir DIR] [--json out.json]

Needs a build (``jlis-kg build``).  For each named query — without parameters (unless it
requires one), and with the parameters of its ``# Example:`` line — it prints the median and the 95th
percentile of the latency on each engine and their ratio, then the load time of the
dataset into each.

What is timed: the query text to the list of rows as rdflib terms, parse included —
rdflib ``Dataset.query(text, initNs, initBindings)`` and Oxigraph
``store.query(text with VALUES)``; parameters are resolved to IRIs once, before the
timing (resolution is the same lookup on both).  One warm-up run each, then
``--repeat`` runs (rdflib: fewer when a query would overrun ``--rdflib-budget`` seconds;
at least three).  Load: rdflib ``Dataset.parse`` of ``jlis.nq``; Oxigraph ``write_store``
(bulk load into a new on-disk store, plus the union as default graph), and the opening
of the built store, which is all ``jlis-kg query`` pays once the build has run.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jlis_kg.namespaces import PREFIXES  # noqa: E402
from jlis_kg.paths import project_paths  # noqa: E402
from jlis_kg.query import bind_params, load_dataset, named_queries  # noqa: E402
from jlis_kg.store import OxigraphEngine, ensure_store, with_values, write_store  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * (len(ordered) - 1))))]


def timed(function, repeat: int, budget: float | None = None) -> tuple[list[float], int]:
    started = time.perf_counter()
    rows = len(function()[1])  # warm-up
    first = time.perf_counter() - started
    runs = repeat
    if budget is not None and first > 0:
        runs = max(3, min(repeat, int(budget / first)))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per query and engine (default 15)")
    parser.add_argument("--rdflib-budget", type=float, default=20.0,
                        help="seconds of rdflib runs per query at most, after the warm-up (default 20)")
    parser.add_argument("--load-repeat", type=int, default=3, help="loads per engine (default 3)")
    parser.add_argument("--only", nargs="*", help="named queries to run (default: all)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--build-dir", type=Path, help="the build to measure (default: build/ of the checkout)")
    args = parser.parse_args()

    paths = project_paths(root=ROOT, build=args.build_dir)
    nquads = paths.build / "jlis.nq"
    if not nquads.is_file():
        sys.exit(f"{nquads}: no build; run `jlis-kg build` first")
    queries = named_queries(paths.queries)
    if args.only:
        queries = {k: v for k, v in queries.items() if k in args.only}

    # ── load times ──
    rdflib_loads, oxigraph_loads, open_times = [], [], []
    dataset = None
    for _ in range(args.load_repeat):
        start = time.perf_counter()
        dataset = load_dataset(nquads)
        rdflib_loads.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory(prefix="jlis-bench-") as scratch:
        for i in range(args.load_repeat):
            build = Path(scratch) / f"b{i}"
            build.mkdir()
            (build / "jlis.nq").symlink_to(nquads)
            start = time.perf_counter()
            write_store(build)
            oxigraph_loads.append(time.perf_counter() - start)
    ensure_store(paths.build)
    for _ in range(args.load_repeat):
        start = time.perf_counter()
        engine = OxigraphEngine.open(paths.build)
        open_times.append(time.perf_counter() - start)
    quads = len(engine.store)

    initns = {k: v for k, v in PREFIXES.items()}
    results = []
    print(f"{'query':<28} {'parameters':<34} {'rows':>6}   {'oxigraph median':>15} {'p95':>8}   "
          f"{'rdflib median':>13} {'p95':>8}   {'ratio':>7}")
    for name, query in queries.items():
        # A query with a required parameter (``evidence``'s subject) runs only with its example.
        cases = [] if query.required else [{}]
        example = query.example
        if example:
            cases.append(example)
        for params in cases:
            bindings = bind_params(query, dataset, params)  # resolved once, the same terms for both
            text = with_values(query.text, bindings)

            def on_oxigraph():
                return engine.select(text)

            def on_rdflib():
                result = dataset.query(query.text, initNs=initns, initBindings=bindings)
                return None, [tuple(row) for row in result] if result.type == "SELECT" else [result.askAnswer]

            ox_times, ox_rows = timed(on_oxigraph, args.repeat)
            rd_times, rd_rows = timed(on_rdflib, args.repeat, args.rdflib_budget)
            record = {
                "query": name, "params": params, "rows": ox_rows, "rows_rdflib": rd_rows,
                "oxigraph_median_ms": 1000 * statistics.median(ox_times), "oxigraph_p95_ms": 1000 * p95(ox_times),
                "rdflib_median_ms": 1000 * statistics.median(rd_times), "rdflib_p95_ms": 1000 * p95(rd_times),
                "runs": [len(ox_times), len(rd_times)],
            }
            record["ratio"] = record["rdflib_median_ms"] / record["oxigraph_median_ms"]
            results.append(record)
            shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "—"
            flag = "" if ox_rows == rd_rows else f"  (rdflib: {rd_rows} rows)"
            print(f"{name:<28} {shown[:34]:<34} {ox_rows:>6}   {record['oxigraph_median_ms']:>12.1f} ms "
                  f"{record['oxigraph_p95_ms']:>8.1f}   {record['rdflib_median_ms']:>10.1f} ms {record['rdflib_p95_ms']:>8.1f}"
                  f"   {record['ratio']:>6.0f}×{flag}", flush=True)

    ox_total = sum(r["oxigraph_median_ms"] for r in results)
    rd_total = sum(r["rdflib_median_ms"] for r in results)
    geomean = statistics.geometric_mean([r["ratio"] for r in results])
    slowest = max(results, key=lambda r: r["oxigraph_median_ms"])
    under = sum(1 for r in results if r["oxigraph_median_ms"] < 20)
    print()
    print(f"all named queries ({len(results)} runs): sum of medians oxigraph {ox_total:.0f} ms, rdflib {rd_total:.0f} ms "
          f"→ {rd_total / ox_total:.0f}× faster; geometric mean of the ratios {geomean:.0f}×")
    print(f"oxigraph median under 20 ms: {under} of {len(results)}; slowest: {slowest['query']} "
          f"{slowest['params'] or ''} {slowest['oxigraph_median_ms']:.1f} ms")
    print()
    print(f"load of jlis.nq ({quads:,} quads in the store, named graphs + their union; medians of {args.load_repeat}):")
    print(f"  rdflib Dataset.parse (in memory)            {statistics.median(rdflib_loads):8.2f} s")
    print(f"  Oxigraph write_store (on disk, with union)  {statistics.median(oxigraph_loads):8.2f} s "
          f"({statistics.median(rdflib_loads) / statistics.median(oxigraph_loads):.0f}× faster)")
    print(f"  Oxigraph open of the built store            {1000 * statistics.median(open_times):8.1f} ms")
    print(f"(Python {platform.python_version()}, {platform.machine()}, {platform.system()})")
    if args.json:
        args.json.write_text(json.dumps({
            "queries": results, "sum_median_ms": {"oxigraph": ox_total, "rdflib": rd_total},
            "geometric_mean_ratio": geomean,
            "load_seconds": {"rdflib": rdflib_loads, "oxigraph_write_store": oxigraph_loads,
                             "oxigraph_open": open_times},
        }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
