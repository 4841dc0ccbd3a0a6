"""SHACL validation of the dataset with ``ontology/shapes.ttl``.

Two engines, one report format.  The build uses :func:`validate_store_dir`: the shapes
compiled to SPARQL (:mod:`jlis_kg.shacl_sparql`) and run in the Oxigraph store the build
has just loaded (``jlis-kg validate`` uses :func:`validate_nquads`, the same on an
in-memory store loaded from ``jlis.nq``) — 16x faster than pySHACL at 1x the corpus and
11x at 10x (``benchmarks/validate.py``), which is what lets validation keep pace with a
growing corpus.  pySHACL, the reference implementation, stays as
the oracle: :func:`validate_dataset` / :func:`validate_triples` below, and
``tests/test_shacl_sparql.py`` checks that both report the same results on the real
graph and on a fault injected for every constraint component the shapes use.

pySHACL path:

The data validated is the union of the named graphs (a resource described in
several graphs — a catalogue system in ``graph/reference`` that a document says
depends on LGWAN — is checked with all its triples, as one node).  The ontology
is given as ``ont_graph`` so that ``sh:class`` sees the subclass axioms
(``jlis:Committee`` ⊑ ``org:OrganizationalUnit`` ⊑ ``org:Organization``) without
copying them into the data.  No RDFS inference: it multiplies the time by six
(pySHACL with inference="rdfs" took six times as long on this graph when measured) and the
build states types explicitly.

Sharded and parallel.  The shapes only look one step out from a focus node (a
property of the node, and for ``sh:class`` the ``rdf:type`` of its value), so the
union is cut into shards by *subject*: a shard holds every triple of its subjects
(from whichever graph) and the ``rdf:type`` triples of every IRI those triples point
to, and the targets of every shape are cut down to the shard's own subjects —
the borrowed types make the nodes they describe look like targets, which they are
not here: they are validated in their own shard.  Every subject is in exactly one
shard, so every triple of the union is validated exactly once, with the same
counts (``sh:minCount`` / ``sh:maxCount`` see all of a node's values) and the same
types as one big validation.  Shards run in a pool of worker processes (one per
core, at most ``JLIS_KG_WORKERS``); the reports are merged into one, results sorted,
so ``validation.txt`` is the same bytes whatever the number of workers.
"""
from __future__ import annotations

import multiprocessing
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from .model import InputError
from .paths import worker_count

SHARD_TRIPLES = 40_000  # triples of a shard (before borrowed types): small enough to keep workers lean


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    violations: int
    warnings: int
    report_text: str
    report_graph: Graph


def load_turtle(path: Path) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except Exception as exc:  # rdflib raises several parser-specific types
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: not valid Turtle ({first})") from None
    return graph


def union_graph(dataset: Dataset) -> Graph:
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


# ───────────────────────── shards ─────────────────────────

def shards(triples, max_triples: int = SHARD_TRIPLES) -> list[tuple[list, list]]:
    """Cut a set of triples into ``(triples, focus nodes)`` shards by subject.

    ``triples`` is any iterable of (s, p, o); a triple seen twice (in two graphs)
    counts once.  Each shard's triple list ends with the borrowed ``rdf:type``
    triples of the IRIs it points to that are not its own subjects.
    """
    by_subject: dict = defaultdict(set)
    types: dict = defaultdict(set)
    for s, p, o in triples:
        by_subject[s].add((p, o))
        if p == RDF.type:
            types[s].add(o)
    out, current, focus, size = [], [], [], 0

    def close():
        own = set(focus)
        borrowed = set()
        for _, p, o in current:
            if isinstance(o, URIRef) and o not in own and o in types:
                borrowed.add(o)
        extra = [(node, RDF.type, cls) for node in sorted(borrowed) for cls in sorted(types[node])]
        out.append((current + extra, list(focus)))

    for subject in sorted(by_subject, key=lambda node: (isinstance(node, BNode), str(node))):
        pairs = by_subject[subject]
        if current and size + len(pairs) > max_triples:
            close()
            current, focus, size = [], [], 0
        current.extend((subject, p, o) for p, o in pairs)
        focus.append(subject)
        size += len(pairs)
    if current:
        close()
    return out


def _dataset_triples(dataset: Dataset):
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        yield s, p, o


# Only the shard's own subjects are focus nodes.  pySHACL's own ``focus_nodes`` option
# cannot be used: it also filters the value nodes of nested shapes (a literal is never
# "in" the list, so every sh:qualifiedValueShape counts it as conforming).  Restricting
# the *targets* of each shape instead leaves nested evaluation alone.
from pyshacl.shape import Shape as _Shape  # noqa: E402

_original_focus_nodes = _Shape.focus_nodes


def _own_focus_nodes(self, data_graph, debug=False):
    found = _original_focus_nodes(self, data_graph, debug=debug)
    allowed = _STATE.get("focus")
    if allowed is None:
        return found
    return {node for node in found if node in allowed}


_Shape.focus_nodes = _own_focus_nodes

_STATE: dict = {}


def _validate_shard(index: int):
    """Validate shard ``index`` of ``_STATE`` (set before the pool forks); returns picklable results."""
    triples, focus = _STATE["shards"][index]
    data = Graph()
    for triple in triples:
        data.add(triple)
    _STATE["focus"] = frozenset(focus)
    try:
        conforms, report, text = shacl_validate(
            data, shacl_graph=_STATE["shapes"], ont_graph=_STATE["ontology"], inference="none",
            abort_on_first=False, allow_warnings=True, inplace=True)
    finally:
        _STATE.pop("focus", None)
    return bool(conforms), report.serialize(format="nt"), _result_blocks(text)


_BLOCK_START = re.compile(r"\n(?=\S)")


def _result_blocks(text: str) -> list[str]:
    """The per-result blocks of pySHACL's text report (after its 'Results (n):' line)."""
    _, sep, rest = text.partition("Results (")
    if not sep:
        return []
    rest = rest.split("\n", 1)[1] if "\n" in rest else ""
    return [block.rstrip("\n") for block in _BLOCK_START.split(rest) if block.strip()]


def validate_nquads(nquads: bytes | Path, shapes_path: Path, ontology_path: Path) -> ValidationResult:
    """Validate serialised N-Quads (bytes, or a file) with the shapes compiled to SPARQL."""
    import pyoxigraph as ox

    shapes, ontology = load_turtle(shapes_path), load_turtle(ontology_path)
    store = ox.Store()  # in memory: the scratch graph the validator may add never reaches build/
    if isinstance(nquads, Path) and not nquads.is_file():
        raise InputError(f"{nquads}: no built graph; run `jlis-kg build` first")
    try:
        if isinstance(nquads, Path):
            store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        else:
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    except (SyntaxError, ValueError, OSError) as exc:
        name = nquads if isinstance(nquads, Path) else "N-Quads"
        raise InputError(f"{name}: cannot read the built graph ({str(exc).splitlines()[0] if str(exc) else exc})") from None
    return _validate_oxigraph(store, shapes, ontology, shapes_path, union=True)


def validate_store_dir(directory: Path, shapes_path: Path, ontology_path: Path) -> ValidationResult:
    """Validate an Oxigraph store written by ``store.load_store_dir`` in place, on its default
    graph (the union of the named graphs, as a set of triples: faster to query than
    Oxigraph's union view): nothing is loaded again, whatever the size of the corpus.  The store is
    opened for writing because the validator may add the ontology as a scratch graph for
    the duration of the run (see :mod:`jlis_kg.shacl_sparql`); the build does this before
    it publishes the store.

    The scratch graph's insertions and deletions are compacted away before the store is
    closed (``optimize``, 0.1 s here): left as a write-ahead log and small level-0 tables
    full of tombstones, they made every later lookup slower, and the published store's
    queries 10–17% slower than on a store that had only been loaded."""
    import pyoxigraph as ox

    shapes, ontology = load_turtle(shapes_path), load_turtle(ontology_path)
    store = ox.Store(str(directory))
    try:
        return _validate_oxigraph(store, shapes, ontology, shapes_path, union=False)
    finally:
        store.optimize()
        store.flush()
        del store


def _validate_oxigraph(store, shapes, ontology, shapes_path: Path, union: bool) -> ValidationResult:
    from .shacl_sparql import UnsupportedShapeError, validate_store

    try:
        result = validate_store(store, shapes, ontology, union=union)
    except UnsupportedShapeError as exc:
        raise InputError(f"{shapes_path}: {exc}") from None
    return ValidationResult(conforms=result.conforms, violations=result.violations, warnings=result.warnings,
                            report_text=result.report_text, report_graph=result.report_graph)


def validate_dataset(dataset: Dataset, shapes_path: Path, ontology_path: Path,
                     workers: int | None = None) -> ValidationResult:
    return validate_triples(_dataset_triples(dataset), shapes_path, ontology_path, workers=workers)


def validate_triples(triples, shapes_path: Path, ontology_path: Path, workers: int | None = None,
                     max_triples: int = SHARD_TRIPLES) -> ValidationResult:
    """Validate the union of ``triples`` (an iterable of (s, p, o)), shard by shard."""
    shapes = load_turtle(shapes_path)
    ontology = load_turtle(ontology_path)
    parts = shards(triples, max_triples)
    _STATE.update(shards=parts, shapes=shapes, ontology=ontology)
    try:
        n = workers if workers is not None else worker_count(len(parts))
        if n > 1 and len(parts) > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(n) as pool:
                outcomes = pool.map(_validate_shard, range(len(parts)), chunksize=1)
        else:
            outcomes = [_validate_shard(i) for i in range(len(parts))]
    finally:
        _STATE.clear()
    return _merge(outcomes)


def _merge(outcomes) -> ValidationResult:
    report = Graph()
    report.bind("sh", SH)
    root = BNode("validation-report")
    conforms = all(ok for ok, _, _ in outcomes)
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(conforms)))
    blocks = []
    for _, triples, texts in outcomes:
        shard = Graph().parse(data=triples, format="nt")
        for old_root in shard.subjects(RDF.type, SH.ValidationReport):
            for result in shard.objects(old_root, SH.result):
                report.add((root, SH.result, result))
        for s, p, o in shard:
            if p in (SH.conforms, SH.result) or (p == RDF.type and o == SH.ValidationReport):
                continue
            report.add((s, p, o))
        blocks.extend(texts)
    results = list(report.objects(root, SH.result))
    violations = sum(1 for r in results if (r, SH.resultSeverity, SH.Violation) in report)
    blocks.sort()
    text = f"Validation Report\nConforms: {conforms}\n"
    if blocks:
        text += f"Results ({len(blocks)}):\n" + "\n".join(blocks) + "\n"
    return ValidationResult(conforms=conforms, violations=violations, warnings=len(results) - violations,
                            report_text=text, report_graph=report)
