"""SHACL validation of the dataset with ``ontology/shapes.ttl`` (pySHACL).

pySHACL validates the union of the named graphs as one data graph; the ontology
is given as ``ont_graph`` so that ``sh:class`` sees the subclass axioms
(``jlis:Committee`` ⊑ ``org:OrganizationalUnit`` ⊑ ``org:Organization``) without
copying them into the data.  No RDFS inference: it multiplies the time by six
(measured, see ../shared/STORES.md) and the build states types explicitly.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph
from rdflib.namespace import RDF, SH

from .model import InputError


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


def validate_dataset(dataset: Dataset, shapes_path: Path, ontology_path: Path) -> ValidationResult:
    shapes = load_turtle(shapes_path)
    ontology = load_turtle(ontology_path)
    conforms, report, text = shacl_validate(
        union_graph(dataset), shacl_graph=shapes, ont_graph=ontology,
        inference="none", abort_on_first=False, allow_warnings=True)
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    violations = sum(1 for r in results if (r, SH.resultSeverity, SH.Violation) in report)
    return ValidationResult(conforms=bool(conforms), violations=violations,
                            warnings=len(results) - violations, report_text=text, report_graph=report)
