"""The build pipeline: data/ → build/.

    read ─► normalise ─► structure ─► extract ─► assemble ─► serialise ─┐   (one document at a time)
         ┌───────────────────────────────────────────────────────────────┘
         └► changes ─► merge (jlis.nq, jlis.trig) ─► store ─► validate ─► summarise ─► write

The build never holds the whole graph: each document is processed on its own (in a pool
of worker processes for a large corpus), its graph serialised at once into a sorted run
(:mod:`jlis_kg.serialise`), and the runs merged at the end.  What crosses documents —
the changes between fiscal years — is computed from a small projection of every graph.
Validation and the summary's counts run on the Oxigraph store the build writes anyway.

``run_build`` times every stage (for ``benchmarks/build.py`` and the summary the
CLI prints) and writes ``build/`` only once everything else has succeeded: each
file goes to a temporary name first and is renamed into place, so a failed or
interrupted build never leaves a half-written file and the previous build
stays whole.  Outputs are deterministic: same input, same bytes.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
from rdflib import Dataset
from rdflib.namespace import RDF

from .assemble import add_document_graph, add_reference_graph, short_name
from .changes import Snapshots, add_changes, projection_lines
from .catalogue import Gazetteer, load_catalogue
from .extract import ExtractionContext, extract_document
from .extract.cues import load_cues
from .model import InputError
from .normalise import normalise_document
from .paths import ProjectPaths, fsync_dir, pid_alive, worker_count
from .serialise import GraphCollector, GraphRuns, GraphText, graph_texts
from .sources import Document, read_corpus
from .store import OxigraphQuads, load_store_dir, publish_store
from .structure import build_structure
from .validate import ValidationResult, validate_store_dir
from .values import date_problems

AGENCY_NAME = "地方公共団体情報システム機構"


SMALL_CORPUS = 8  # documents: fewer are processed in the build's own process


@dataclass
class BuildResult:
    validation: ValidationResult | None
    timings: dict[str, float] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    source_bytes: int = 0
    nquads_path: Path | None = None
    nquads: bytes | None = None  # kept when the build wrote nothing (``write=False``)

    @cached_property
    def dataset(self) -> Dataset:
        """The built dataset, parsed from its N-Quads (tests and small corpora)."""
        dataset = Dataset()
        if self.nquads is not None:
            dataset.parse(data=self.nquads.decode("utf-8"), format="nquads")
        else:
            dataset.parse(self.nquads_path, format="nquads")
        return dataset


class Stopwatch:
    def __init__(self):
        self.timings: dict[str, float] = {}

    def __call__(self, stage: str):
        watch = self

        class _Timer:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                watch.timings[stage] = watch.timings.get(stage, 0.0) + time.perf_counter() - self.start
        return _Timer()

    def add(self, timings: dict[str, float]) -> None:
        """Add another watch's times (a worker's: with a pool, a stage's time is CPU time
        summed over the workers, more than the wall-clock time it took)."""
        for stage, seconds in timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds


def load_context(paths: ProjectPaths) -> ExtractionContext:
    catalogue = load_catalogue(paths.catalogue)
    gazetteer = Gazetteer.from_catalogue(catalogue)
    agency = gazetteer.lookup(AGENCY_NAME)
    if agency is None:
        raise InputError(f"{paths.catalogue}: the catalogue must name the agency, {AGENCY_NAME}")
    return ExtractionContext(catalogue=catalogue, gazetteer=gazetteer, cues=load_cues(paths.cues), agency=agency)


@dataclass
class DocumentOutput:
    """What the build keeps of one document once it is processed: its graph serialised,
    the part of it that changes are computed from, its warnings and stage times."""
    graphs: list[GraphText]
    projection: list[str]
    warnings: list[str]
    source_bytes: int
    timings: dict[str, float]


def process_document(document: Document, context: ExtractionContext) -> DocumentOutput:
    """Normalise, structure, extract, assemble and serialise one document."""
    watch = Stopwatch()
    entry = document.entry
    with watch("normalise"):
        normalised = normalise_document(entry.id, entry.file, document.text)
    with watch("structure"):
        structure = build_structure(normalised)
    with watch("extract"):
        extraction = extract_document(normalised, structure, context, entry.fiscal_year)
        warnings = list(dict.fromkeys(text_warnings(normalised, structure) + extraction.warnings))  # each once
    with watch("assemble"):
        collected = GraphCollector()
        add_document_graph(collected, document, extraction, context.catalogue)
    with watch("serialise"):
        graphs = graph_texts(collected)
    with watch("changes"):
        projection = [line for graph in graphs for line in projection_lines(graph.nquads)]
    return DocumentOutput(graphs, projection, warnings, len(document.text.encode("utf-8")), watch.timings)


_CONTEXT: dict = {}  # the extraction context of a worker process (inherited by fork)


def _process_in_worker(document: Document) -> DocumentOutput:
    return process_document(document, _CONTEXT["context"])


def document_workers(documents: int) -> int:
    """Processes for the documents: one per core (at most ``JLIS_KG_WORKERS``), and one
    only for a small corpus, where starting a pool costs more than it saves."""
    if documents < SMALL_CORPUS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return worker_count(documents)


def process_corpus(documents: list[Document], context: ExtractionContext) -> Iterator[DocumentOutput]:
    """Every document processed, in manifest order (so the build is the same whatever the
    number of workers)."""
    workers = document_workers(len(documents))
    if workers == 1:
        for document in documents:
            yield process_document(document, context)
        return
    _CONTEXT["context"] = context
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        yield from pool.imap(_process_in_worker, documents, chunksize=1)
    finally:
        pool.terminate()
        pool.join()
        _CONTEXT.clear()


LONG_LINE = 20_000  # characters: no line of a text extracted from a PDF page is this long


def text_warnings(normalised, structure) -> list[str]:
    """Problems of the text the build reads past: ``FILE:LINE: problem``, one each.

    Dates that cannot be (an unknown era, 令和99年13月), a line so long it cannot
    be a line of a page, and tables whose rows do not fit their header (a table
    cut short).  What the warning names is kept as plain text, not as a fact.
    """
    out = []
    for line in normalised.lines:
        if len(line.raw) > LONG_LINE:
            out.append(f"{normalised.path}:{line.number}: a line of {len(line.raw):,} characters "
                       "(not text extracted page by page?); read as one paragraph")
        if line.role == "content":
            out.extend(f"{normalised.path}:{line.number}: {problem}" for problem in date_problems(line.text))
    last = max((line.number for line in normalised.lines if line.role == "content"), default=0)
    for table, _ in structure.tables():
        out.extend(f"{normalised.path}:{table.line}: {problem}" for problem in table.problems)
        if table.header and table.rows and table.end_line >= last:
            row = table.rows[-1]
            filled = sum(1 for cell in row.cells if cell.strip())
            if filled < len(table.header):
                name = table.caption or " / ".join(table.header)
                out.append(f"{normalised.path}:{row.line}: the table '{name}' ends the file with a row of "
                           f"{filled} of {len(table.header)} cells: the file may be cut short")
    return out


COUNTED_RELATIONS = {f"jlis:{name}" for name in (
    "legalBasis", "supportsDuty", "operatedBy", "responsibleUnit", "dependsOn", "deliveredVia",
    "usesDataFrom", "hostedOn", "partOf", "succeeds", "concerns", "meetingOf", "presentedAt", "mentions",
)} | {"org:unitOf", "org:hasUnit", "skos:altLabel"}


def summarise(store, documents: int, validation: ValidationResult | None) -> dict:
    """Counts of the built graph, read from its Oxigraph store (whose default graph is the
    union of the named graphs): quads, distinct triples, entities per class, relations."""
    def rows(query: str):
        return [[term.value for term in row] for row in store.query(query)]

    graphs = sorted(value for (value,) in rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"))
    quads = sum(int(n) for (n,) in rows("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
    triples = int(rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0][0])
    statements = int(rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{RDF.Statement}> }} }}")[0][0])
    classes = {short_name(cls): int(n) for cls, n in rows(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")}
    relations = Counter()
    for prop, n in rows("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"):
        if short_name(prop) in COUNTED_RELATIONS:
            relations[short_name(prop)] += int(n)
    return {
        "documents": documents,
        "quads": quads,
        "distinct_triples": triples,
        "named_graphs": graphs,
        "evidence_statements": statements,
        "entities_per_class": dict(sorted(classes.items())),
        "relations_per_property": dict(sorted(relations.items())),
        "validation": None if validation is None else {
            "conforms": validation.conforms, "violations": validation.violations, "warnings": validation.warnings},
    }


_PARTIAL = re.compile(r"^\.(?P<name>.+)\.partial-(?P<pid>\d+)$")


def remove_leftovers(out_dir: Path) -> None:
    """Remove what builds that were killed left (their process is gone): staged files and
    work directories."""
    if not out_dir.is_dir():
        return
    for entry in out_dir.iterdir():
        m = _PARTIAL.match(entry.name)
        if m and not entry.is_symlink() and not pid_alive(int(m.group("pid"))):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def staged_path(out_dir: Path, name: str) -> Path:
    return out_dir / f".{name}.partial-{os.getpid()}"


def stage_files(out_dir: Path, files: dict[str, bytes]) -> list[tuple[Path, Path]]:
    """Write every file beside its final name (``.NAME.partial-PID``), flushed to disk."""
    staged = []
    try:
        for name, content in files.items():
            temporary = staged_path(out_dir, name)
            staged.append((temporary, out_dir / name))
            with open(temporary, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        discard(staged)
        raise
    return staged


def publish(staged: list[tuple[Path, Path]]) -> None:
    """Rename the staged files into place (``summary.json`` last: it says a build is whole)."""
    try:
        for temporary, final in sorted(staged, key=lambda pair: pair[1].name == "summary.json"):
            os.replace(temporary, final)
        if staged:
            fsync_dir(staged[0][1].parent)
    finally:
        discard(staged)


def discard(staged: list[tuple[Path, Path]]) -> None:
    for temporary, _ in staged:
        if temporary.exists():
            temporary.unlink()


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _test_kill_point(point: str) -> None:
    """Tests of interrupted builds: ``JLIS_KG_TEST_KILL_AT=point`` kills the build there (SIGKILL)."""
    if os.environ.get("JLIS_KG_TEST_KILL_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def run_build(paths: ProjectPaths, out_dir: Path | None = None, *, validate: bool = True,
              write: bool = True) -> BuildResult:
    """Build, validate and write ``out_dir`` (default ``build/``); ``write=False`` builds in
    a temporary directory and keeps only the result (``result.dataset`` is then parsed from
    the N-Quads on first use).

    Nothing in ``out_dir`` changes until every file is staged and the store is loaded: the
    graphs are serialised one at a time into a work directory (``.work.partial-PID``) and
    merged into ``.jlis.nq.partial-PID`` and ``.jlis.trig.partial-PID``; the Oxigraph store
    is loaded from the staged ``jlis.nq`` into its own directory, validated and counted
    there; and only then are the store and the files published.  A build that fails or is
    killed before that point leaves the previous build as it was, byte for byte; what it
    staged is removed by the next build.
    """
    if not write:
        with tempfile.TemporaryDirectory(prefix="jlis-kg-build-") as scratch:
            result = _build(paths, Path(scratch), validate=validate)
            result.nquads = (Path(scratch) / "jlis.nq").read_bytes()
        return result
    return _build(paths, Path(out_dir or paths.build), validate=validate)


def _build(paths: ProjectPaths, out: Path, *, validate: bool) -> BuildResult:
    watch = Stopwatch()
    warnings: list[str] = []
    source_bytes = 0
    out.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    work = staged_path(out, "work")
    staged: list[tuple[Path, Path]] = []
    try:
        _test_kill_point("read")
        with watch("read"):
            documents = read_corpus(paths.data)
            context = load_context(paths)
        runs = GraphRuns(work)
        # graph/changes is computed from a projection of the graphs (see changes.projection_lines),
        # held in an in-memory Oxigraph store: a few percent of the quads, at ~100 bytes a quad
        projection = ox.Store()
        with watch("assemble"):
            collected = GraphCollector()
            add_reference_graph(collected, context.catalogue)
            reference = graph_texts(collected)
        runs.add(reference)
        projection.bulk_load("\n".join(line for g in reference for line in projection_lines(g.nquads)).encode(),
                             format=ox.RdfFormat.N_QUADS)
        for output in process_corpus(documents, context):
            runs.add(output.graphs)
            if output.projection:
                projection.bulk_load("\n".join(output.projection).encode(), format=ox.RdfFormat.N_QUADS)
            warnings.extend(output.warnings)
            source_bytes += output.source_bytes
            watch.add(output.timings)
        _test_kill_point("assemble")
        with watch("changes"):  # graph/changes: ChangeEvents between consecutive fiscal years
            changes = GraphCollector()
            add_changes(changes, Snapshots(OxigraphQuads(projection)))
            runs.add(graph_texts(changes))
            del projection
        with watch("serialise"):
            for name, write_file in (("jlis.nq", runs.write_nquads), ("jlis.trig", runs.write_trig)):
                staged.append((staged_path(out, name), out / name))
                write_file(staged[-1][0])
                _fsync(staged[-1][0])
        _test_kill_point("store")
        with watch("store"):  # build/oxigraph: the embedded store, loaded from the staged jlis.nq
            store_dir = load_store_dir(out, nquads=staged[0][0])
        validation = None
        if validate:
            _test_kill_point("validate")
            with watch("validate"):
                validation = validate_store_dir(store_dir, paths.shapes, paths.ontology)
        with watch("summarise"):
            summary = summarise(ox.Store.read_only(str(store_dir)), len(documents), validation)
        _test_kill_point("write")
        with watch("write"):
            files = {"summary.json": (json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(),
                     "ontology.ttl": paths.ontology.read_bytes()}
            if validation is not None:
                files["validation.txt"] = validation.report_text.encode("utf-8")
            staged += stage_files(out, files)
        _test_kill_point("publish")
        publish_store(out, store_dir)
        publish(staged)
    except BaseException:
        discard(staged)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BuildResult(validation=validation, timings=watch.timings, summary=summary, warnings=warnings,
                       source_bytes=source_bytes, nquads_path=out / "jlis.nq")
