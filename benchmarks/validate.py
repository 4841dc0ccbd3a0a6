"""SHACL validation: pySHACL (as jlis_kg.validate runs it) vs the SHACL→SPARQL validator on Oxigraph.

    python benchmarks/validate.py [--nq build/jlis.nq] [--copies N] [--skip-pyshacl]

With ``--copies N`` the graph is N re-IRI'd copies of build/jlis.nq: every IRI under
https://w3id.org/jlis-kg/ (graphs, entities, statements, observations — not the
ontology terms) gets a ``-cK`` suffix in copy K > 0, so the copies do not merge.
Prints load time into Oxigraph, validation time of each, and the ratio.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rdflib import Graph  # noqa: E402

from jlis_kg.shacl_sparql import load_store, validate_store  # noqa: E402

_IRI = re.compile(r"<(https://w3id\.org/jlis-kg/(?!ontology#)[^>]*)>")


def copies(src: Path, n: int, out: Path) -> int:
    lines = src.read_text(encoding="utf-8").splitlines()
    count = 0
    with out.open("w", encoding="utf-8") as fh:
        for k in range(n):
            if k == 0:
                body = "\n".join(lines)
            else:
                body = _IRI.sub(lambda m, k=k: f"<{m.group(1)}-c{k}>", "\n".join(lines))
            fh.write(body + "\n")
            count += len(lines)
    return count


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nq", type=Path, default=ROOT / "build" / "jlis.nq")
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--skip-pyshacl", action="store_true")
    args = ap.parse_args(argv)
    shapes_path, ontology_path = ROOT / "ontology" / "shapes.ttl", ROOT / "ontology" / "jlis.ttl"
    with tempfile.TemporaryDirectory() as tmp:
        nq = args.nq
        if args.copies > 1:
            nq = Path(tmp) / "copies.nq"
            copies(args.nq, args.copies, nq)
        shapes, ontology = Graph().parse(shapes_path), Graph().parse(ontology_path)

        t = time.perf_counter()
        store = load_store(nq)
        load = time.perf_counter() - t
        t = time.perf_counter()
        compiled = validate_store(store, shapes, ontology, report_graph=False)
        sparql = time.perf_counter() - t
        print(f"quads: {len(store):,}  copies: {args.copies}")
        print(f"oxigraph load:          {load:8.2f} s")
        print(f"compiled SPARQL:        {sparql:8.2f} s  ({compiled.timings['query_count']} queries; "
              f"conforms={compiled.conforms}, results={len(compiled.results)})")
        del store
        if args.skip_pyshacl:
            return 0
        from rdflib import Dataset

        from jlis_kg.validate import validate_dataset
        t = time.perf_counter()
        dataset = Dataset()
        dataset.parse(nq, format="nquads")
        parse = time.perf_counter() - t
        t = time.perf_counter()
        oracle = validate_dataset(dataset, shapes_path, ontology_path)
        py = time.perf_counter() - t
        workers = int(os.environ.get("JLIS_KG_WORKERS") or 0) or os.cpu_count()
        print(f"rdflib parse (pySHACL): {parse:8.2f} s")
        print(f"pySHACL ({workers} workers):   {py:8.2f} s  (conforms={oracle.conforms}, "
              f"results={oracle.violations + oracle.warnings})")
        print(f"ratio pySHACL / SPARQL: {py / sparql:8.1f}×  (with Oxigraph load: {py / (sparql + load):.1f}×)")
        print(f"same report text: {oracle.report_text == compiled.report_text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
