"""The build pipeline: data/ → build/.

    read ─► normalise ─► structure ─► extract ─► assemble ─► validate ─► write

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
from .paths import ProjectPaths
from .sources import read_corpus
from .store import write_store
from .structure import build_structure
from .validate import ValidationResult, validate_dataset

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
        yield document, extraction, context


RELATION_PROPERTIES = {f"jlis:{name}" for name in (
    "legalBasis", "supportsDuty", "operatedBy", "responsibleUnit", "dependsOn", "deliveredVia",
    "usesDataFrom", "hostedOn", "partOf", "succeeds", "concerns", "meetingOf", "presentedAt", "mentions",
)} | {"org:unitOf", "org:hasUnit", "skos:altLabel"}


def summarise(dataset: Dataset, documents: int, validation: ValidationResult | None) -> dict:
    relations: Counter = Counter()
    triples = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    for _, p, _ in triples:
        name = short_name(p)
        if name in RELATION_PROPERTIES:
            relations[name] += 1
    statements = sum(1 for _ in dataset.quads((None, RDF.type, RDF.Statement, None)))
    return {
        "documents": documents,
        "quads": sum(1 for _ in dataset.quads((None, None, None, None))),
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


def write_atomically(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write every file beside its final name, then rename them all into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged = []
    try:
        for name, content in files.items():
            temporary = out_dir / f".{name}.partial-{os.getpid()}"
            with open(temporary, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            staged.append((temporary, out_dir / name))
        for temporary, final in staged:
            os.replace(temporary, final)
    finally:
        for temporary, _ in staged:
            if temporary.exists():
                temporary.unlink()


def run_build(paths: ProjectPaths, out_dir: Path | None = None, *, validate: bool = True,
              write: bool = True) -> BuildResult:
    watch = Stopwatch()
    results = []
    warnings = []
    source_bytes = 0
    context = None
    for document, extraction, context in extract_corpus(paths, watch):
        results.append((document, extraction))
        warnings.extend(extraction.warnings)
        source_bytes += len(document.text.encode("utf-8"))
    with watch("assemble"):
        dataset = assemble(context.catalogue, results)
        add_changes(dataset)  # graph/changes: ChangeEvents between consecutive fiscal years
    validation = None
    if validate:
        with watch("validate"):
            validation = validate_dataset(dataset, paths.shapes, paths.ontology)
    summary = summarise(dataset, len(results), validation)
    if write:
        with watch("write"):
            files = serialise(dataset)
            files["summary.json"] = (json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
            if validation is not None:
                files["validation.txt"] = validation.report_text.encode("utf-8")
            files["ontology.ttl"] = paths.ontology.read_bytes()
            write_atomically(out_dir or paths.build, files)
        with watch("store"):
            write_store(out_dir or paths.build)  # build/oxigraph: the embedded store, loaded from jlis.nq
    return BuildResult(dataset=dataset, validation=validation, timings=watch.timings, summary=summary,
                       warnings=warnings, source_bytes=source_bytes)
