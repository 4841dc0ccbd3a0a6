"""SHACL Core validation compiled to SPARQL and run on Oxigraph.

Every constraint of every shape in the shapes graph is compiled into one SPARQL
``SELECT`` query that returns the *violating* focus nodes (and value nodes) over
the whole dataset at once — the approach of TopBraid/Jena's SHACL engines and of
SHACL2SPARQL.  The queries run on a pyoxigraph ``Store`` with the default graph
taken as the union of the named graphs (``use_default_graph_as_union=True``), so
the data validated is the same as in :mod:`jlis_kg.validate` (pySHACL on the union).

Semantics follow pySHACL (``inference="none"``, ``ont_graph=<ontology>``), which the
tests use as the oracle:

* ``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf*``; the closure is
  computed in Python from the ontology's subclass axioms plus any found in the data,
  and emitted as ``VALUES``.  pySHACL also copies the ontology's other triples into
  the data; if any of them could be seen by a query (a type of a class the shapes use,
  or a predicate they read) they are added to the store for the duration of the run —
  into a scratch named graph when validating the union, into the default graph (only
  the triples it lacks) otherwise — and removed afterwards (``ontology/jlis.ttl`` has
  some such triples).
* ``sh:datatype`` checks well-formedness (by an XSD cast) for the datatypes pySHACL
  checks: integer, decimal, float, double, boolean, date, dateTime, time.  Oxigraph is
  stricter than rdflib on odd lexical forms (``" 1"``/``"1_000"``^^xsd:integer,
  ``"1e5"``^^xsd:decimal are accepted by rdflib) and stores numbers canonically
  (``"01"`` → ``"1"``); the build writes canonical literals, so neither shows.
* Results are one per focus node (cardinality, uniqueLang per duplicated language,
  qualified counts) or per value node, as pySHACL reports them; a property shape
  referenced by two node shapes that both target a node reports twice, as in pySHACL.

Anything in the shapes graph this compiler does not implement (SPARQL-based
constraints and targets, complex property paths, sh:closed, …) raises
:class:`UnsupportedShapeError` at compile time; nothing is skipped silently.
"""
from __future__ import annotations

import itertools
import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from .paths import worker_count

__all__ = [
    "UnsupportedShapeError", "CompiledQuery", "Result", "SparqlValidationResult",
    "compile_shapes", "validate_store", "load_store", "SUPPORTED_COMPONENTS",
]

SCRATCH_ONTOLOGY_GRAPH = "urn:x-jlis-kg:shacl-sparql:ontology"


class UnsupportedShapeError(ValueError):
    """A feature of the shapes graph the SPARQL compiler does not implement."""


# ───────────────────────── what is supported ─────────────────────────

_C = {name: SH[name + "ConstraintComponent"] for name in (
    "Class", "Datatype", "NodeKind", "MinCount", "MaxCount", "MinExclusive", "MinInclusive",
    "MaxExclusive", "MaxInclusive", "MinLength", "MaxLength", "Pattern", "LanguageIn",
    "UniqueLang", "LessThan", "LessThanOrEquals", "Not", "And", "Or", "Xone", "Node",
    "QualifiedMinCount", "QualifiedMaxCount", "In", "HasValue")}

SUPPORTED_COMPONENTS = tuple(sorted(str(c) for c in _C.values()))

# parameter → component, for the single-parameter value-level constraints
_VALUE_PARAMS = {
    SH.datatype: _C["Datatype"], SH.nodeKind: _C["NodeKind"], SH["class"]: _C["Class"],
    SH.minExclusive: _C["MinExclusive"], SH.minInclusive: _C["MinInclusive"],
    SH.maxExclusive: _C["MaxExclusive"], SH.maxInclusive: _C["MaxInclusive"],
    SH.minLength: _C["MinLength"], SH.maxLength: _C["MaxLength"], SH.pattern: _C["Pattern"],
    SH.languageIn: _C["LanguageIn"], SH["in"]: _C["In"],
    SH["not"]: _C["Not"], SH["and"]: _C["And"], SH["or"]: _C["Or"], SH.xone: _C["Xone"],
    SH.node: _C["Node"],
}
_SHAPE_KEYS = {  # sh: predicates of a shape that are not constraints (or are handled with one)
    SH.name, SH.description, SH.message, SH.severity, SH.deactivated, SH.order, SH.group,
    SH.defaultValue, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode,
    SH.path, SH.property, SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
}
_CONSTRAINT_KEYS = set(_VALUE_PARAMS) | {
    SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan, SH.lessThanOrEquals,
    SH.qualifiedValueShape, SH.hasValue}
_KNOWN_SH = _SHAPE_KEYS | _CONSTRAINT_KEYS | {RDF.first, RDF.rest}
_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape, SH.Shape}
_SINGLE = {SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minExclusive, SH.minInclusive,
           SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.uniqueLang,
           SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShape, SH.path,
           SH.severity, SH.deactivated, SH.flags, SH.qualifiedValueShapesDisjoint}

# datatypes whose well-formedness pySHACL checks (rdflib's ill_typed) → SPARQL cast
_CHECKED_DATATYPES = {XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean,
                      XSD.date, XSD.dateTime, XSD.time}
_NODE_KINDS = {
    SH.IRI: "isIRI({x})", SH.Literal: "isLiteral({x})", SH.BlankNode: "isBlank({x})",
    SH.BlankNodeOrIRI: "(isBlank({x}) || isIRI({x}))",
    SH.BlankNodeOrLiteral: "(isBlank({x}) || isLiteral({x}))",
    SH.IRIOrLiteral: "(isIRI({x}) || isLiteral({x}))",
}
_MAX_NESTED_COUNT = 5  # nested sh:minCount / sh:maxCount are compiled as n distinct values


# ───────────────────────── SPARQL terms ─────────────────────────

def _string(text: str) -> str:
    out = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
           .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{out}"'


def _term(node) -> str:
    if isinstance(node, URIRef):
        value = str(node)
        if any(c in value for c in '<>"{}|^`\\ '):
            raise UnsupportedShapeError(f"IRI {value!r} cannot be written in SPARQL")
        return f"<{value}>"
    if isinstance(node, Literal):
        if node.language:
            return f"{_string(str(node))}@{node.language}"
        if node.datatype is not None and node.datatype != XSD.string:
            return f"{_string(str(node))}^^{_term(node.datatype)}"
        return _string(str(node))
    raise UnsupportedShapeError(f"a blank node ({node.n3()}) cannot be used as a constraint value")


# ───────────────────────── compiled form ─────────────────────────

@dataclass(frozen=True)
class CompiledQuery:
    """One (shape, constraint) query; rows give ``?this`` and, if ``has_value``, ``?value``."""
    shape: object          # the source shape (URIRef or BNode of the shapes graph)
    component: URIRef
    path: URIRef | None
    severity: URIRef
    messages: tuple
    has_value: bool
    sparql: str


@dataclass(frozen=True)
class Result:
    focus: object
    path: object
    component: URIRef
    severity: URIRef
    value: object
    shape: object
    messages: tuple

    def key(self):
        return (self.focus, self.path, self.component, self.severity, self.value)


@dataclass(frozen=True)
class SparqlValidationResult:
    conforms: bool
    violations: int
    warnings: int
    report_text: str
    report_graph: Graph
    results: tuple = field(default=())
    timings: dict = field(default_factory=dict)


class _Compiler:
    def __init__(self, shapes: Graph, subclasses: dict):
        self.g = shapes
        self.sub = subclasses          # class → set of direct subclasses
        self.queries: list[CompiledQuery] = []
        self.vars = itertools.count()
        self.read_predicates: set = set()
        self.read_classes: set = set()
        self._stack: list = []
        self.reached: set = set()

    # ── helpers ──
    def fresh(self, stem="v") -> str:
        return f"?{stem}{next(self.vars)}"

    def closure(self, cls) -> list:
        seen, todo = {cls}, [cls]
        while todo:
            for sub in self.sub.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        self.read_classes |= seen
        return sorted(seen, key=str)

    def values_of(self, shape, pred) -> list:
        return list(self.g.objects(shape, pred))

    def one(self, shape, pred):
        found = self.values_of(shape, pred)
        if len(found) > 1:
            raise UnsupportedShapeError(f"shape {self.label(shape)} has {len(found)} values for {pred.n3()}")
        return found[0] if found else None

    def label(self, node) -> str:
        return node.n3(self.g.namespace_manager) if isinstance(node, URIRef) else f"[blank node {node}]"

    def items(self, head) -> list:
        try:
            return list(Collection(self.g, head))
        except Exception as exc:  # noqa: BLE001
            raise UnsupportedShapeError(f"{self.label(head)} is not a well-formed RDF list ({exc})") from None

    def path_of(self, shape):
        path = self.one(shape, SH.path)
        if path is None:
            return None
        if not isinstance(path, URIRef):
            kinds = sorted({p.n3(self.g.namespace_manager) for p in self.g.predicates(path)}) or ["RDF list"]
            raise UnsupportedShapeError(
                f"shape {self.label(shape)}: only predicate paths (an IRI) are supported, "
                f"not a complex path ({', '.join(kinds)})")
        self.read_predicates.add(path)
        return path

    def check_shape(self, shape):
        for pred in set(self.g.predicates(shape)):
            if str(pred).startswith(str(SH)):
                if pred not in _SHAPE_KEYS and pred not in _CONSTRAINT_KEYS:
                    raise UnsupportedShapeError(
                        f"shape {self.label(shape)} uses {pred.n3(self.g.namespace_manager)}, "
                        f"which the SPARQL compiler does not support")
                if pred in _SINGLE and len(self.values_of(shape, pred)) > 1:
                    raise UnsupportedShapeError(f"shape {self.label(shape)} has several {pred.n3()}")
        disjoint = self.one(shape, SH.qualifiedValueShapesDisjoint)
        if disjoint is not None and disjoint.toPython() is True:
            raise UnsupportedShapeError(f"shape {self.label(shape)}: sh:qualifiedValueShapesDisjoint true "
                                        "is not supported")
        flags = self.one(shape, SH.flags)
        if flags is not None and set(str(flags)) - set("im"):
            raise UnsupportedShapeError(f"shape {self.label(shape)}: sh:flags {str(flags)!r} (only i and m)")

    def deactivated(self, shape) -> bool:
        d = self.one(shape, SH.deactivated)
        return d is not None and d.toPython() is True

    def severity(self, shape):
        s = self.one(shape, SH.severity)
        return s if s is not None else SH.Violation

    # ── value-level constraints as boolean SPARQL expressions (never an error) ──
    def value_expr(self, shape, pred, obj, x: str) -> str:
        if pred == SH.datatype:
            if obj == RDF.langString:
                return f'(isLiteral({x}) && lang({x}) != "")'
            if obj == RDFS.Literal:
                return f"isLiteral({x})"
            base = f"(isLiteral({x}) && sameTerm(datatype({x}), {_term(obj)})"
            if obj in _CHECKED_DATATYPES:
                base += f" && COALESCE(isLiteral({_term(obj)}({x})), false)"
            return base + ")"
        if pred == SH.nodeKind:
            if obj not in _NODE_KINDS:
                raise UnsupportedShapeError(f"sh:nodeKind {obj} in {self.label(shape)}")
            return _NODE_KINDS[obj].format(x=x)
        if pred == SH["class"]:
            t = self.fresh("t")
            classes = " ".join(_term(c) for c in self.closure(obj))
            return f"(!isLiteral({x}) && EXISTS {{ {x} a {t} . VALUES {t} {{ {classes} }} }})"
        if pred in (SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive):
            op = {SH.minExclusive: ">", SH.minInclusive: ">=", SH.maxExclusive: "<", SH.maxInclusive: "<="}[pred]
            if not isinstance(obj, Literal):
                raise UnsupportedShapeError(f"{pred.n3()} of {self.label(shape)} must be a literal")
            return f"(isLiteral({x}) && COALESCE({x} {op} {_term(obj)}, false))"
        if pred in (SH.minLength, SH.maxLength):
            n = obj.toPython() if isinstance(obj, Literal) else None
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise UnsupportedShapeError(f"{pred.n3()} of {self.label(shape)} must be a non-negative integer")
            if pred == SH.minLength:
                return "true" if n == 0 else f"(!isBlank({x}) && STRLEN(STR({x})) >= {n})"
            return f"(!isBlank({x}) && STRLEN(STR({x})) <= {n})"
        if pred == SH.pattern:
            flags = self.one(shape, SH.flags)
            flag_arg = f", {_string(str(flags).lower())}" if flags is not None else ""
            try:
                re.compile(str(obj))
            except re.error as exc:
                raise UnsupportedShapeError(f"sh:pattern {str(obj)!r} of {self.label(shape)}: {exc}") from None
            return f"(!isBlank({x}) && REGEX(STR({x}), {_string(str(obj))}{flag_arg}))"
        if pred == SH.languageIn:
            ranges = [str(r).lower() for r in self.items(obj)]
            if "*" in ranges:
                return f'(isLiteral({x}) && lang({x}) != "")'
            tests = " || ".join(f"langMatches(lang({x}), {_string(r)})" for r in ranges) or "false"
            return f'(isLiteral({x}) && lang({x}) != "" && ({tests}))'
        if pred == SH["in"]:
            members = self.items(obj)
            return "(" + (" || ".join(f"sameTerm({x}, {_term(m)})" for m in members) or "false") + ")"
        if pred == SH.hasValue:  # on a node shape: the focus node itself
            return f"sameTerm({x}, {_term(obj)})"
        if pred == SH.node:
            return self.conforms(obj, x)
        if pred == SH["not"]:
            return f"(!{self.conforms(obj, x)})"
        if pred in (SH["and"], SH["or"]):
            members = [self.conforms(s, x) for s in self.items(obj)]
            joiner = " && " if pred == SH["and"] else " || "
            return "(" + (joiner.join(members) or ("true" if pred == SH["and"] else "false")) + ")"
        if pred == SH.xone:
            members = [f"IF({self.conforms(s, x)}, 1, 0)" for s in self.items(obj)]
            return "((" + (" + ".join(members) or "0") + ") = 1)"
        raise UnsupportedShapeError(f"{pred.n3()} in {self.label(shape)}")  # pragma: no cover

    # ── a whole shape as a boolean expression on one node (nested shapes) ──
    def conforms(self, shape, x: str) -> str:
        if shape in self._stack:
            raise UnsupportedShapeError(f"recursive shape reference through {self.label(shape)}")
        self.check_shape(shape)
        if self.deactivated(shape):
            return "true"
        self._stack.append(shape)
        try:
            parts = []
            path = self.path_of(shape)
            if path is None:
                parts += self.node_level_exprs(shape, x)
            else:
                parts += self.property_exprs(shape, path, x)
            for prop, ppath in self.property_shapes(shape):
                self._stack.append(prop)
                try:
                    parts += self.property_exprs(prop, ppath, x)
                finally:
                    self._stack.pop()
            return "(" + (" && ".join(parts) or "true") + ")"
        finally:
            self._stack.pop()

    def property_shapes(self, shape):
        """(property shape, its path) for each active ``sh:property`` of ``shape``."""
        for prop in self.values_of(shape, SH.property):
            self.check_shape(prop)
            if self.deactivated(prop):
                continue
            path = self.path_of(prop)
            if path is None:
                raise UnsupportedShapeError(f"sh:property {self.label(prop)} of {self.label(shape)} has no sh:path")
            yield prop, path

    def node_level_exprs(self, shape, x) -> list:
        parts = []
        for pred in sorted(_VALUE_PARAMS, key=str):
            for obj in self.values_of(shape, pred):
                parts.append(self.value_expr(shape, pred, obj, x))
        for obj in self.values_of(shape, SH.hasValue):
            parts.append(self.value_expr(shape, SH.hasValue, obj, x))
        for pred in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan, SH.lessThanOrEquals,
                     SH.qualifiedValueShape):
            if self.values_of(shape, pred):
                raise UnsupportedShapeError(f"{pred.n3()} on node shape {self.label(shape)} (needs sh:path)")
        return parts

    def property_exprs(self, shape, path, x) -> list:
        p = _term(path)
        parts = []
        for pred in sorted(_VALUE_PARAMS, key=str):
            for obj in self.values_of(shape, pred):
                v = self.fresh()
                parts.append(f"NOT EXISTS {{ {x} {p} {v} . FILTER(!{self.value_expr(shape, pred, obj, v)}) }}")
        for obj in self.values_of(shape, SH.hasValue):
            parts.append(f"EXISTS {{ {x} {p} {_term(obj)} }}")
        n = self._count(shape, SH.minCount)
        if n:
            if n > _MAX_NESTED_COUNT:
                raise UnsupportedShapeError(f"nested sh:minCount {n} > {_MAX_NESTED_COUNT} in {self.label(shape)}")
            parts.append(f"EXISTS {{ {self._distinct_values(x, p, n)} }}")
        n = self._count(shape, SH.maxCount)
        if n is not None:
            if n + 1 > _MAX_NESTED_COUNT:
                raise UnsupportedShapeError(f"nested sh:maxCount {n} in {self.label(shape)}")
            parts.append(f"NOT EXISTS {{ {self._distinct_values(x, p, n + 1)} }}")
        if self._unique_lang(shape):
            a, b = self.fresh(), self.fresh()
            parts.append(f"NOT EXISTS {{ {x} {p} {a} . {x} {p} {b} . FILTER({self._same_lang(a, b)}) }}")
        for pred in (SH.lessThan, SH.lessThanOrEquals):
            for other in self.values_of(shape, pred):
                v, o = self.fresh(), self.fresh()
                self.read_predicates.add(other)
                parts.append(f"NOT EXISTS {{ {x} {p} {v} . {x} {_term(other)} {o} . "
                             f"FILTER(!{self._compare(v, o, pred)}) }}")
        if self.values_of(shape, SH.qualifiedValueShape):
            raise UnsupportedShapeError(f"sh:qualifiedValueShape nested inside another shape ({self.label(shape)})")
        return parts

    def _count(self, shape, pred):
        obj = self.one(shape, pred)
        if obj is None:
            return None
        n = obj.toPython() if isinstance(obj, Literal) else None
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise UnsupportedShapeError(f"{pred.n3()} of {self.label(shape)} must be a non-negative integer")
        return n

    def _unique_lang(self, shape) -> bool:
        obj = self.one(shape, SH.uniqueLang)
        return obj is not None and obj.toPython() is True

    def _distinct_values(self, x, p, n) -> str:
        vs = [self.fresh() for _ in range(n)]
        pattern = " ".join(f"{x} {p} {v} ." for v in vs)
        pairs = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2)]
        return pattern + (f" FILTER({' && '.join(pairs)})" if pairs else "")

    @staticmethod
    def _same_lang(a, b) -> str:
        return (f'isLiteral({a}) && isLiteral({b}) && !sameTerm({a}, {b}) && lang({a}) != "" '
                f"&& LCASE(lang({a})) = LCASE(lang({b}))")

    @staticmethod
    def _compare(v, o, pred) -> str:
        """pySHACL's comparison: IRIs and strings compare as strings, never with a non-string."""
        op = "<" if pred == SH.lessThan else "<="

        def is_str(t):
            return (f"(isIRI({t}) || (isLiteral({t}) && (sameTerm(datatype({t}), <{XSD.string}>) "
                    f"|| lang({t}) != \"\")))")
        return (f"COALESCE(IF({is_str(v)} != {is_str(o)}, false, "
                f"IF({is_str(v)}, STR({v}) {op} STR({o}), {v} {op} {o})), false)")

    # ── top-level queries ──
    def target_pattern(self, shape) -> str | None:
        branches = []
        for cls in self.values_of(shape, SH.targetClass):
            classes = " ".join(_term(c) for c in self.closure(cls))
            branches.append(f"VALUES ?targetClass {{ {classes} }} ?this a ?targetClass .")
        if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in self.g:
            if isinstance(shape, URIRef):  # implicit class target
                classes = " ".join(_term(c) for c in self.closure(shape))
                branches.append(f"VALUES ?targetClass {{ {classes} }} ?this a ?targetClass .")
        for p in self.values_of(shape, SH.targetSubjectsOf):
            self.read_predicates.add(p)
            branches.append(f"?this {_term(p)} [] .")
        for p in self.values_of(shape, SH.targetObjectsOf):
            self.read_predicates.add(p)
            branches.append(f"[] {_term(p)} ?this .")
        for n in self.values_of(shape, SH.targetNode):
            branches.append(f"VALUES ?this {{ {_term(n)} }}")
        if not branches:
            return None
        return " UNION ".join("{ " + b + " }" for b in branches)

    def messages(self, shape) -> tuple:
        return tuple(sorted(self.values_of(shape, SH.message), key=str))

    def emit(self, shape, component, path, has_value, body, select="DISTINCT ?this ?value", tail=""):
        header = (f"# shape {self.label(shape)} · {component.n3(self.g.namespace_manager)}"
                  + (f" · path {path.n3(self.g.namespace_manager)}" if path is not None else ""))
        sparql = f"{header}\nSELECT {select} WHERE {{\n  {body}\n}}{tail}"
        self.queries.append(CompiledQuery(shape=shape, component=component, path=path,
                                          severity=self.severity(shape), messages=self.messages(shape),
                                          has_value=has_value, sparql=sparql))

    def compile_target_shape(self, shape, target):
        self.reached.add(shape)
        self.reached |= set(self.values_of(shape, SH.property))
        self.check_shape(shape)
        if self.deactivated(shape):
            return
        path = self.path_of(shape)
        if path is not None:  # a property shape with its own targets
            self.compile_property(shape, path, target)
        else:
            self.compile_node_level(shape, target)
        for prop, ppath in self.property_shapes(shape):
            self.compile_property(prop, ppath, target)

    def compile_node_level(self, shape, target):
        self._stack = [shape]
        for pred in sorted(_VALUE_PARAMS, key=str):
            for obj in self.values_of(shape, pred):
                expr = self.value_expr(shape, pred, obj, "?this")
                self.emit(shape, _VALUE_PARAMS[pred], None, True,
                          f"{target}\n  FILTER(!{expr})", select="DISTINCT ?this")
        for obj in self.values_of(shape, SH.hasValue):
            self.emit(shape, _C["HasValue"], None, False,
                      f"{target}\n  FILTER(!sameTerm(?this, {_term(obj)}))", select="DISTINCT ?this")
        self.node_level_exprs(shape, "?this")  # raises for path-only parameters
        self._stack = []

    def compile_property(self, shape, path, target):
        p = _term(path)
        self._stack = [shape]
        for pred in sorted(_VALUE_PARAMS, key=str):
            for obj in self.values_of(shape, pred):
                expr = self.value_expr(shape, pred, obj, "?value")
                self.emit(shape, _VALUE_PARAMS[pred], path, True,
                          f"{target}\n  ?this {p} ?value .\n  FILTER(!{expr})")
        for obj in self.values_of(shape, SH.hasValue):
            self.emit(shape, _C["HasValue"], path, False,
                      f"{target}\n  FILTER NOT EXISTS {{ ?this {p} {_term(obj)} }}", select="DISTINCT ?this")
        n = self._count(shape, SH.minCount)
        if n == 1:
            self.emit(shape, _C["MinCount"], path, False,
                      f"{target}\n  FILTER NOT EXISTS {{ ?this {p} ?any }}", select="DISTINCT ?this")
        elif n:
            self.emit(shape, _C["MinCount"], path, False,
                      f"{target}\n  OPTIONAL {{ ?this {p} ?value }}", select="?this",
                      tail=f"\nGROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})")
        n = self._count(shape, SH.maxCount)
        if n is not None:
            self.emit(shape, _C["MaxCount"], path, False, f"{target}\n  ?this {p} ?value .", select="?this",
                      tail=f"\nGROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {n})")
        if self._unique_lang(shape):
            self.emit(shape, _C["UniqueLang"], path, False,
                      f"{target}\n  ?this {p} ?a . ?this {p} ?b .\n  FILTER({self._same_lang('?a', '?b')})\n"
                      f"  BIND(LCASE(lang(?a)) AS ?lang)", select="DISTINCT ?this ?lang")
        for pred in (SH.lessThan, SH.lessThanOrEquals):
            for other in self.values_of(shape, pred):
                if not isinstance(other, URIRef):
                    raise UnsupportedShapeError(f"{pred.n3()} of {self.label(shape)} must be an IRI")
                self.read_predicates.add(other)
                component = _C["LessThan"] if pred == SH.lessThan else _C["LessThanOrEquals"]
                self.emit(shape, component, path, True,
                          f"{target}\n  ?this {p} ?value . ?this {_term(other)} ?other .\n"
                          f"  FILTER(!{self._compare('?value', '?other', pred)})",
                          select="DISTINCT ?this ?value ?other")
        qshape = self.one(shape, SH.qualifiedValueShape)
        qmin, qmax = self._count(shape, SH.qualifiedMinCount), self._count(shape, SH.qualifiedMaxCount)
        if (qmin is not None or qmax is not None) and qshape is None:
            raise UnsupportedShapeError(f"sh:qualifiedMin/MaxCount without sh:qualifiedValueShape in {self.label(shape)}")
        if qshape is not None:
            expr = self.conforms(qshape, "?value")
            body = f"{target}\n  OPTIONAL {{ ?this {p} ?value . FILTER({expr}) }}"
            if qmin is not None:
                self.emit(shape, _C["QualifiedMinCount"], path, False, body, select="?this",
                          tail=f"\nGROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {qmin})")
            if qmax is not None:
                self.emit(shape, _C["QualifiedMaxCount"], path, False, body, select="?this",
                          tail=f"\nGROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {qmax})")
        self._stack = []


def _check_shapes_graph(shapes: Graph):
    """Refuse any sh: vocabulary outside what the compiler implements, wherever it occurs."""
    for s, p, o in shapes:
        if str(p).startswith(str(SH)) and p not in _KNOWN_SH:
            raise UnsupportedShapeError(
                f"the shapes graph uses {p.n3(shapes.namespace_manager)} (on {s.n3(shapes.namespace_manager)}), "
                "which the SPARQL compiler does not support")
        if p == RDF.type and str(o).startswith(str(SH)) and o not in _SHAPE_TYPES:
            raise UnsupportedShapeError(
                f"the shapes graph declares a {o.n3(shapes.namespace_manager)} "
                f"({s.n3(shapes.namespace_manager)}), which the SPARQL compiler does not support")


def subclass_map(*graphs_or_pairs) -> dict:
    sub = defaultdict(set)
    for source in graphs_or_pairs:
        pairs = source.subject_objects(RDFS.subClassOf) if isinstance(source, Graph) else source
        for child, parent in pairs:
            sub[parent].add(child)
    return sub


def compile_shapes(shapes: Graph, ontology: Graph | None = None, extra_subclass_pairs=()) -> list[CompiledQuery]:
    """All the queries of the shapes graph; raises UnsupportedShapeError for anything unsupported."""
    return _compile(shapes, ontology, extra_subclass_pairs)[0].queries


def _compile(shapes, ontology, extra_subclass_pairs):
    _check_shapes_graph(shapes)
    sources = [ontology] if ontology is not None else []
    compiler = _Compiler(shapes, subclass_map(*sources, list(extra_subclass_pairs)))
    candidates = set()
    for pred in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        candidates |= set(shapes.subjects(pred))
    for t in _SHAPE_TYPES:
        for s in shapes.subjects(RDF.type, t):
            if (s, RDF.type, RDFS.Class) in shapes:
                candidates.add(s)
    for shape in sorted(candidates, key=lambda n: (isinstance(n, BNode), str(n))):
        target = compiler.target_pattern(shape)
        if target is not None:
            compiler.compile_target_shape(shape, target)
    # every shape reachable from anywhere must compile, even one no target reaches
    declared = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    for s in sorted(declared - compiler.reached, key=str):
        compiler.conforms(s, "?check")
    return compiler, candidates


# ───────────────────────── running ─────────────────────────

def load_store(nquads_path):
    """An in-memory pyoxigraph Store with the N-Quads file loaded (graphs kept)."""
    import pyoxigraph as ox
    store = ox.Store()
    store.bulk_load(path=str(nquads_path), format=ox.RdfFormat.N_QUADS)
    return store


def _to_rdflib(term, cache):
    from .store import to_rdflib
    return to_rdflib(term, cache)


def _ontology_needed_as_data(ontology: Graph, compiler: _Compiler) -> bool:
    if ontology is None:
        return False
    for s, p, o in ontology:
        if p in compiler.read_predicates:
            return True
        if p == RDF.type and o in compiler.read_classes:
            return True
    return False


def validate_store(store, shapes_graph: Graph, ontology_graph: Graph | None = None, *,
                   union: bool = True, report_graph: bool = True, threads: int | None = None) -> SparqlValidationResult:
    """Validate the store (union of its named graphs if ``union``, else its default graph);
    ``threads``: how many queries run at once (default: ``paths.worker_count``)."""
    import time

    import pyoxigraph as ox
    timings = {}
    t0 = time.perf_counter()
    kwargs = {"use_default_graph_as_union": True} if union else {}
    data_subclasses = [(_to_rdflib(r["s"], None), _to_rdflib(r["o"], None)) for r in store.query(
        f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{RDFS.subClassOf}> ?o }}", **kwargs)]
    compiler, _ = _compile(shapes_graph, ontology_graph, data_subclasses)
    queries = compiler.queries
    timings["compile"] = time.perf_counter() - t0

    added = []
    if _ontology_needed_as_data(ontology_graph, compiler):
        # The ontology is data for the run: a scratch named graph of the union, or (when the
        # default graph is the data) those of its triples the default graph lacks — exactly
        # these are removed afterwards, so the store ends as it began.
        from .store import to_oxigraph
        graph = ox.NamedNode(SCRATCH_ONTOLOGY_GRAPH) if union else ox.DefaultGraph()
        added = [quad for quad in (ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)
                                   for s, p, o in ontology_graph) if quad not in store]
        store.extend(added)
    t1 = time.perf_counter()

    def violations_of(q: CompiledQuery) -> list[Result]:
        cache: dict = {}
        found = []
        for row in store.query(q.sparql, **kwargs):
            focus = _to_rdflib(row["this"], cache)
            value = None
            if q.has_value:
                value = focus if q.path is None else _to_rdflib(row["value"], cache)
            found.append(Result(focus=focus, path=q.path, component=q.component, severity=q.severity,
                                value=value, shape=q.shape, messages=q.messages))
        return found

    results = []
    try:
        # pyoxigraph lets go of the GIL while it evaluates a query, so the queries run in
        # threads, one per core (1.8x on two cores); map keeps the order of the queries.
        with ThreadPoolExecutor(max_workers=threads or worker_count(len(queries))) as pool:
            for found in pool.map(violations_of, queries):
                results.extend(found)
    finally:
        for quad in added:
            store.remove(quad)
    timings["queries"] = time.perf_counter() - t1
    timings["query_count"] = len(queries)
    return _report(results, shapes_graph, timings, report_graph)


# ───────────────────────── report ─────────────────────────

def _stringify(graph: Graph, node) -> str:
    try:
        from pyshacl.rdfutil.stringify import stringify_node
        return stringify_node(graph, node)
    except Exception:  # noqa: BLE001 - pyshacl absent or odd node: plain N3
        return node.n3(graph.namespace_manager) if hasattr(node, "n3") else str(node)


def _generic_message(r: Result, shapes: Graph) -> str:
    name = r.component.split("#")[-1].replace("ConstraintComponent", "")
    path = f" on {_stringify(shapes, r.path)}" if r.path is not None else ""
    return f"{name} constraint not satisfied{path}"


def _report(results, shapes: Graph, timings, with_graph) -> SparqlValidationResult:
    data_ns = Graph()  # the prefixes pySHACL prints focus and value nodes with (rdflib's defaults)
    blocks = []
    for r in results:
        severity = "Constraint Violation" if r.severity == SH.Violation else "Validation Result"
        name = r.component.split("#")[-1]
        if r.component in (SH.QualifiedMinCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent):
            name = "QualifiedValueShapeConstraintComponent"  # pySHACL names the component class
        text = (f"{severity} in {name} ({r.component}):\n\tSeverity: {_stringify(shapes, r.severity)}\n"
                f"\tSource Shape: {_stringify(shapes, r.shape)}\n\tFocus Node: {_stringify(data_ns, r.focus)}\n")
        if r.value is not None:
            text += f"\tValue Node: {_stringify(data_ns, r.value)}\n"
        if r.path is not None:
            text += f"\tResult Path: {_stringify(shapes, r.path)}\n"
        messages = [str(m) for m in r.messages] or [_generic_message(r, shapes)]
        for m in sorted(messages):
            text += f"\tMessage: {m}\n"
        blocks.append(text.rstrip("\n"))
    blocks.sort()
    violations = sum(1 for r in results if r.severity == SH.Violation)
    conforms = violations == 0 and not results
    text = f"Validation Report\nConforms: {conforms}\n"
    if blocks:
        text += f"Results ({len(blocks)}):\n" + "\n".join(blocks) + "\n"
    graph = Graph()
    graph.bind("sh", SH)
    if with_graph:
        root = BNode("validation-report")
        graph.add((root, RDF.type, SH.ValidationReport))
        graph.add((root, SH.conforms, Literal(conforms)))
        for r in sorted(results, key=lambda r: tuple(str(x) for x in (r.focus, r.component, r.path, r.value, r.shape))):
            node = BNode()
            graph.add((root, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, r.focus))
            graph.add((node, SH.sourceConstraintComponent, r.component))
            graph.add((node, SH.sourceShape, r.shape))
            graph.add((node, SH.resultSeverity, r.severity))
            if r.path is not None:
                graph.add((node, SH.resultPath, r.path))
            if r.value is not None:
                graph.add((node, SH.value, r.value))
            for m in r.messages:
                graph.add((node, SH.resultMessage, m))
    return SparqlValidationResult(conforms=conforms, violations=violations, warnings=len(results) - violations,
                                  report_text=text, report_graph=graph, results=tuple(results), timings=timings)
