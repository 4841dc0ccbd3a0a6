"""The build pipeline: data/ → build/.

    read ─► normalise ─► structure ─► extract ─► assemble ─► serialise ─► validate ─► write

``run_build`` times every stage (for ``benchmarks/build.py`` and the summary the
CLI prints) and writes ``build/`` only once everything else has succeeded: each
file goes to a temporary name first and is renamed into place, so a failed or
interrupted build never leaves a half-written file and the previous build
stays whole.  Outputs are deterministic: same input, same bytes.
"""
from __future__ import annotations

import json
import os
import re
import signal
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from .assemble import assemble, entities_per_class, short_name
from .changes import add_changes
from .catalogue import Gazetteer, load_catalogue
from .extract import ExtractionContext, extract_document
from .extract.cues import load_cues
from .model import InputError
from .namespaces import PREFIXES, bind_prefixes
from .normalise import normalise_document
from .paths import ProjectPaths, fsync_dir, pid_alive
from .sources import read_corpus
from .store import write_store
from .structure import build_structure
from .validate import ValidationResult, validate_nquads
from .values import date_problems

AGENCY_NAME = "地方公共団体情報システム機構"
OUTPUT_FILES = ("jlis.trig", "jlis.nq", "summary.json", "validation.txt")


@dataclass
class BuildResult:
    dataset: Dataset
    validation: ValidationResult | None
    timings: dict[str, float] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    source_bytes: int = 0


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


def load_context(paths: ProjectPaths) -> ExtractionContext:
    catalogue = load_catalogue(paths.catalogue)
    gazetteer = Gazetteer.from_catalogue(catalogue)
    agency = gazetteer.lookup(AGENCY_NAME)
    if agency is None:
        raise InputError(f"{paths.catalogue}: the catalogue must name the agency, {AGENCY_NAME}")
    return ExtractionContext(catalogue=catalogue, gazetteer=gazetteer, cues=load_cues(paths.cues), agency=agency)


def extract_corpus(paths: ProjectPaths, watch: Stopwatch):
    """Read, normalise, structure and extract every document of the manifest."""
    with watch("read"):
        documents = read_corpus(paths.data)
        context = load_context(paths)
    for document in documents:
        entry = document.entry
        with watch("normalise"):
            normalised = normalise_document(entry.id, entry.file, document.text)
        with watch("structure"):
            structure = build_structure(normalised)
        with watch("extract"):
            extraction = extract_document(normalised, structure, context, entry.fiscal_year)
            extraction.warnings[:0] = text_warnings(normalised, structure)
            extraction.warnings[:] = list(dict.fromkeys(extraction.warnings))  # each once, in order
        yield document, extraction, context


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


RELATION_PROPERTIES = {f"jlis:{name}" for name in (
    "legalBasis", "supportsDuty", "operatedBy", "responsibleUnit", "dependsOn", "deliveredVia",
    "usesDataFrom", "hostedOn", "partOf", "succeeds", "concerns", "meetingOf", "presentedAt", "mentions",
)} | {"org:unitOf", "org:hasUnit", "skos:altLabel"}


def summarise(dataset: Dataset, documents: int, validation: ValidationResult | None) -> dict:
    relations: Counter = Counter()
    triples = set()
    quads = 0
    for s, p, o, _ in dataset.quads((None, None, None, None)):  # one pass over the dataset
        quads += 1
        triples.add((s, p, o))
    names: dict = {}
    for _, p, _ in triples:
        name = names.get(p)
        if name is None:
            name = names[p] = short_name(p)
        if name in RELATION_PROPERTIES:
            relations[name] += 1
    statements = sum(1 for _ in dataset.quads((None, RDF.type, RDF.Statement, None)))
    return {
        "documents": documents,
        "quads": quads,
        "distinct_triples": len(triples),
        "named_graphs": sorted(str(g.identifier) for g in dataset.graphs() if isinstance(g.identifier, URIRef)
                               and str(g.identifier) != "urn:x-rdflib:default"),
        "evidence_statements": statements,
        "entities_per_class": entities_per_class(dataset),
        "relations_per_property": dict(sorted(relations.items())),
        "validation": None if validation is None else {
            "conforms": validation.conforms, "violations": validation.violations, "warnings": validation.warnings},
    }


_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _compact(term, namespaces) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, namespace in namespaces:
            if text.startswith(namespace) and _LOCAL_NAME.match(text[len(namespace):]):
                return f"{prefix}:{text[len(namespace):]}"
    return term.n3()


def trig_text(dataset: Dataset) -> str:
    """TriG with graphs, subjects, predicates and objects in sorted order.

    rdflib's TriG writer orders graphs by hash, which changes from one process
    to the next; this writer gives the same bytes for the same quads.
    """
    namespaces = sorted(((p, str(n)) for p, n in PREFIXES.items() if p not in ("id", "graph")),
                        key=lambda item: -len(item[1]))
    graphs: dict[str, list] = defaultdict(list)
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if hasattr(g, "identifier") else g
        graphs[str(name)].append((s.n3(), _compact(p, namespaces), _compact(o, namespaces)))
    out = [f"@prefix {p}: <{n}> ." for p, n in sorted(namespaces)] + [""]
    for name in sorted(graphs):
        out.append(f"<{name}> {{")
        previous = None
        for s, p, o in sorted(set(graphs[name])):
            if s != previous:
                if previous is not None:
                    out[-1] += " ."
                out.append(f"  {s} {p} {o}")
                previous = s
            else:
                out[-1] += " ;"
                out.append(f"      {p} {o}")
        if previous is not None:
            out[-1] += " ."
        out += ["}", ""]
    return "\n".join(out)


def serialise(dataset: Dataset) -> dict[str, bytes]:
    bind_prefixes(dataset)
    nquads = dataset.serialize(format="nquads")
    lines = sorted(set(line for line in nquads.splitlines() if line.strip()))
    return {"jlis.trig": trig_text(dataset).encode("utf-8"),
            "jlis.nq": ("\n".join(lines) + "\n").encode("utf-8")}


_PARTIAL = re.compile(r"^\.(?P<name>.+)\.partial-(?P<pid>\d+)$")


def remove_leftovers(out_dir: Path) -> None:
    """Remove the staged files of builds that were killed (their process is gone)."""
    if not out_dir.is_dir():
        return
    for entry in out_dir.iterdir():
        m = _PARTIAL.match(entry.name)
        if m and entry.is_file() and not pid_alive(int(m.group("pid"))):
            entry.unlink(missing_ok=True)




def stage_files(out_dir: Path, files: dict[str, bytes]) -> list[tuple[Path, Path]]:
    """Write every file beside its final name (``.NAME.partial-PID``), flushed to disk."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out_dir)
    staged = []
    try:
        for name, content in files.items():
            temporary = out_dir / f".{name}.partial-{os.getpid()}"
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




def write_atomically(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write every file beside its final name, then rename them all into place."""
    publish(stage_files(out_dir, files))


def _test_kill_point(point: str) -> None:
    """Tests of interrupted builds: ``JLIS_KG_TEST_KILL_AT=point`` kills the build there (SIGKILL)."""
    if os.environ.get("JLIS_KG_TEST_KILL_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def run_build(paths: ProjectPaths, out_dir: Path | None = None, *, validate: bool = True,
              write: bool = True) -> BuildResult:
    """Build, validate and write ``out_dir`` (default ``build/``).

    Nothing in ``out_dir`` changes until every file is staged and the store is
    loaded: the files are written to ``.NAME.partial-PID``, the Oxigraph store is
    loaded from the staged ``jlis.nq`` (into its own temporary directory, see
    ``store.write_store``), and only then are the files renamed into place.  A
    build that fails or is killed before that point leaves the previous build as
    it was, byte for byte; its staged files are removed by the next build.
    """
    watch = Stopwatch()
    results = []
    warnings = []
    source_bytes = 0
    context = None
    _test_kill_point("read")
    for document, extraction, context in extract_corpus(paths, watch):
        results.append((document, extraction))
        warnings.extend(extraction.warnings)
        source_bytes += len(document.text.encode("utf-8"))
    _test_kill_point("assemble")
    with watch("assemble"):
        dataset = assemble(context.catalogue, results)
    with watch("changes"):
        add_changes(dataset)  # graph/changes: ChangeEvents between consecutive fiscal years
    with watch("serialise"):
        files = serialise(dataset)
    validation = None
    if validate:
        _test_kill_point("validate")
        with watch("validate"):
            validation = validate_nquads(files["jlis.nq"], paths.shapes, paths.ontology)
    with watch("summarise"):
        summary = summarise(dataset, len(results), validation)
    if write:
        out = out_dir or paths.build
        _test_kill_point("write")
        with watch("write"):
            files["summary.json"] = (json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
            if validation is not None:
                files["validation.txt"] = validation.report_text.encode("utf-8")
            files["ontology.ttl"] = paths.ontology.read_bytes()
            staged = stage_files(out, files)
        try:
            _test_kill_point("store")
            with watch("store"):
                # build/oxigraph: the embedded store, loaded from the staged jlis.nq
                nquads = next(temporary for temporary, final in staged if final.name == "jlis.nq")
                write_store(out, nquads=nquads)
            _test_kill_point("publish")
        except BaseException:
            discard(staged)
            raise
        publish(staged)
    return BuildResult(dataset=dataset, validation=validation, timings=watch.timings, summary=summary,
                       warnings=warnings, source_bytes=source_bytes)
