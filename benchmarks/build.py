"""Build time per stage and triples per second, on the project's own data/.

    python benchmarks/build.py [--runs N]

Prints the median time of every pipeline stage over N builds (into a temporary directory),
the triples per second of the whole build, and — measured in the same run — the
gazetteer's mention finder (one compiled alternation over the squeezed text, with
offsets back to the original) against the obvious alternative, a ``str.find``
scan for every alias followed by leftmost-longest overlap removal.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from jlis_kg.build import run_build  # noqa: E402
from jlis_kg.catalogue import Gazetteer, load_catalogue, match_form, surface_forms  # noqa: E402
from jlis_kg.paths import project_paths  # noqa: E402
from jlis_kg.sources import read_corpus  # noqa: E402


def median_time(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    paths = project_paths(root=Path(__file__).resolve().parents[1])

    stage_runs: dict[str, list[float]] = {}
    totals = []
    result = None
    for _ in range(args.runs):
        start = time.perf_counter()
        result = run_build(paths, write=False)
        totals.append(time.perf_counter() - start)
        for stage, seconds in result.timings.items():
            stage_runs.setdefault(stage, []).append(seconds)
    triples = result.summary["quads"]
    megabytes = result.source_bytes / 1e6
    print(f"corpus: {result.summary['documents']} documents, {megabytes:.2f} MB of text; {triples} quads")
    print(f"{'stage':<12} {'median s':>9} {'share':>7}")
    total = statistics.median(totals)
    for stage, values in stage_runs.items():
        m = statistics.median(values)
        print(f"{stage:<12} {m:>9.3f} {m / total:>7.1%}")
    print(f"{'total':<12} {total:>9.3f}")
    print(f"throughput: {triples / total:,.0f} quads/s, {total / megabytes:.2f} s per MB of source")

    catalogue = load_catalogue(paths.catalogue)
    gazetteer = Gazetteer.from_catalogue(catalogue)
    texts = [match_form(d.text) for d in read_corpus(paths.data)]
    names = sorted({match_form(n) for r in catalogue.entities.values() for n in surface_forms(r)},
                   key=len, reverse=True)

    def naive(text: str):
        hits = []
        for name in names:
            start = text.find(name)
            while start >= 0:
                hits.append((start, -len(name), name))
                start = text.find(name, start + 1)
        chosen, end = [], -1
        for start, negative_length, name in sorted(hits):
            if start >= end:
                chosen.append(name)
                end = start - negative_length
        return chosen

    ours = median_time(lambda: [gazetteer.find(t) for t in texts], args.runs)
    scan = median_time(lambda: [naive(t) for t in texts], args.runs)
    print(f"mention finding over the corpus ({len(names)} names): gazetteer {ours:.3f} s, "
          f"per-name str.find scan {scan:.3f} s, ratio {scan / ours:.1f}x")


if __name__ == "__main__":
    main()
