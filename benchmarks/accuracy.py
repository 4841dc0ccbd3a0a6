"""Recall against a hand-written gold set, and precision of a reviewed sample.

    python benchmarks/accuracy.py [--nq build/jlis.nq] [--sample 80] [--seed 2024] [--all-statements]

RECALL.  ``tests/gold/facts.yaml`` lists facts a researcher expects from the five
documents, written from the text alone (document id and line for each).  Each fact is
looked up in the graph:

- a *name* matches an entity when, after NFKC and removing whitespace, it equals one of
  the entity's ``skos:prefLabel`` / ``skos:altLabel`` / ``rdfs:label`` values (any graph);
- ``system`` / ``law`` / ``unit`` / ``committee``: some entity with that name has a fitting
  class (jlis:InformationSystem, jlis:Law, org:OrganizationalUnit, jlis:Committee, or a
  subclass per ``ontology/jlis.ttl``);
- ``alias``: one entity carries both names;
- relations: the matching property links an entity named *subject* to an entity named
  *object* — ``jlis:legalBasis``, ``jlis:responsibleUnit``, ``org:unitOf`` (or the inverse
  ``org:hasUnit``), ``jlis:partOf``, ``jlis:dependsOn`` (which the build also asserts for
  every deliveredVia / usesDataFrom / hostedOn), ``jlis:deliveredVia``, ``jlis:hostedOn``,
  ``jlis:usesDataFrom``, ``jlis:succeeds``; a fact may name other kinds it ``accept``s;
- per-year facts (``responsible_unit``, ``unit_of``) must hold in a named graph whose IRI
  carries that ``jlis:fiscalYear``.

Every miss is listed with a diagnosis (which name is unknown, or what links the two
entities instead).

PRECISION.  A fixed sample of extracted relation statements (``rdf:Statement`` nodes whose
``rdf:predicate`` is one of RELATION_PREDICATES; a ``dependsOn`` copy of a sub-property
statement is not counted twice) is printed with its quote and context for a person to
judge.  The sample is the ``--sample`` statements with the smallest SHA-1 of seed + IRI, so
it stays stable while the graph changes: new statements only displace old ones at the
margin.  Verdicts live in ``tests/gold/precision_review.yaml`` (statement IRI → correct,
reason); the script reports the precision of the reviewed part of the sample and lists the
sampled statements nobody has reviewed yet.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jlis_kg.namespaces import GRAPH, JLIS, REFERENCE_GRAPH  # noqa: E402

GOLD_FACTS = ROOT / "tests" / "gold" / "facts.yaml"
PRECISION_REVIEW = ROOT / "tests" / "gold" / "precision_review.yaml"
ONTOLOGY = ROOT / "ontology" / "jlis.ttl"

ENTITY_KINDS = ("system", "law", "unit", "committee")
KIND_CLASS = {
    "system": JLIS.InformationSystem,
    "law": JLIS.Law,
    "unit": ORG.OrganizationalUnit,
    "committee": JLIS.Committee,
}
RELATION_PROPERTY = {
    "legal_basis": JLIS.legalBasis,
    "responsible_unit": JLIS.responsibleUnit,
    "unit_of": ORG.unitOf,
    "part_of": JLIS.partOf,
    "depends_on": JLIS.dependsOn,
    "delivered_via": JLIS.deliveredVia,
    "hosted_on": JLIS.hostedOn,
    "uses_data_from": JLIS.usesDataFrom,
    "succeeds": JLIS.succeeds,
}
INVERSE_PROPERTY = {ORG.unitOf: ORG.hasUnit}
PER_YEAR_KINDS = ("responsible_unit", "unit_of")
CATEGORY_ORDER = ENTITY_KINDS + ("alias", "legal_basis", "responsible_unit", "unit_of",
                                 "part_of", "depends_on", "delivered_via", "hosted_on",
                                 "uses_data_from", "succeeds")

RELATION_PREDICATES = (
    JLIS.legalBasis, JLIS.supportsDuty, JLIS.operatedBy, JLIS.responsibleUnit, JLIS.dependsOn,
    JLIS.deliveredVia, JLIS.usesDataFrom, JLIS.hostedOn, JLIS.partOf, JLIS.succeeds, ORG.unitOf,
)
DEPENDS_SUBPROPERTIES = (JLIS.deliveredVia, JLIS.usesDataFrom, JLIS.hostedOn)
LABEL_PROPERTIES = (SKOS.prefLabel, SKOS.altLabel, RDFS.label)


def norm(text: str) -> str:
    """The matching form of a name: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


# ----------------------------------------------------------------------------- gold set

def load_gold(path: Path = GOLD_FACTS) -> list[dict]:
    facts = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for i, fact in enumerate(facts):
        kind = fact.get("kind")
        if kind not in CATEGORY_ORDER:
            raise ValueError(f"{path}: fact {i}: unknown kind {kind!r}")
        if kind not in ENTITY_KINDS and "object" not in fact:
            raise ValueError(f"{path}: fact {i}: {kind} needs an object")
        if kind in PER_YEAR_KINDS and "year" not in fact:
            raise ValueError(f"{path}: fact {i}: {kind} needs a year")
        for extra in fact.get("accept", []):
            if extra not in RELATION_PROPERTY:
                raise ValueError(f"{path}: fact {i}: cannot accept {extra!r}")
    return facts


def source_lines(root: Path = ROOT) -> dict[str, list[str]]:
    manifest = yaml.safe_load((root / "data" / "manifest.yaml").read_text(encoding="utf-8"))
    return {entry["id"]: (root / "data" / entry["file"]).read_text(encoding="utf-8").split("\n")
            for entry in manifest["documents"]}


def citation_problems(facts: list[dict], lines: dict[str, list[str]], window: int = 12) -> list[str]:
    """Gold facts whose cited line (and the few lines after, blank lines and footnote
    markers skipped) mention neither of the fact's names."""
    def clean(text: str) -> str:
        text = re.sub(r"<sup>.*?</sup>", "", text)
        return re.sub(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]", "", norm(text))
    problems = []
    for fact in facts:
        doc = lines.get(fact["doc"])
        if doc is None:
            problems.append(f"{fact['doc']}: unknown document")
            continue
        i = fact["line"] - 1
        if not 0 <= i < len(doc):
            problems.append(f"{fact['doc']}:{fact['line']}: no such line")
            continue
        text = clean("".join(doc[max(0, i - 1):i + window]))
        names = [fact["subject"]] + ([fact["object"]] if "object" in fact else [])
        bare = re.sub(r"\d", "", text)  # footnote numbers glued to a name: 中間サーバー1・プラットフォーム2
        if not any(clean(n) in text or re.sub(r"\d", "", clean(n)) in bare for n in names):
            problems.append(f"{fact['doc']}:{fact['line']}: {fact['kind']} {names} not near the cited line")
    return problems


# ----------------------------------------------------------------------------- graph index

@dataclass
class GraphIndex:
    dataset: Dataset
    by_name: dict[str, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[URIRef, set[str]] = field(default_factory=lambda: defaultdict(set))
    pref: dict[URIRef, str] = field(default_factory=dict)
    types: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    year_graphs: dict[int, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    graph_year: dict[URIRef, int] = field(default_factory=dict)
    in_documents: set[URIRef] = field(default_factory=set)
    superclasses: dict[URIRef, set[URIRef]] = field(default_factory=dict)

    @classmethod
    def build(cls, dataset: Dataset, ontology: Path = ONTOLOGY) -> "GraphIndex":
        index = cls(dataset)
        for s, p, o, g in dataset.quads((None, None, None, None)):
            if p in LABEL_PROPERTIES and isinstance(o, Literal) and isinstance(s, URIRef):
                index.by_name[norm(o)].add(s)
                index.labels[s].add(str(o))
                if p == SKOS.prefLabel and (s not in index.pref or o.language == "ja"):
                    index.pref[s] = str(o)
            elif p == RDF.type:
                index.types[s].add(o)
            elif p == JLIS.fiscalYear and str(s).startswith(str(GRAPH)) and isinstance(o, Literal):
                index.year_graphs[int(o)].add(s)
                index.graph_year[s] = int(o)
            graph_iri = _gid(g)
            if graph_iri is not None and graph_iri != REFERENCE_GRAPH and str(graph_iri).startswith(str(GRAPH)):
                # an entity the document speaks of: described there, or mentioned / linked
                if isinstance(s, URIRef) and p not in (RDF.subject, RDF.object):
                    index.in_documents.add(s)
                if isinstance(o, URIRef) and p not in (RDF.subject, RDF.object, RDF.type):
                    index.in_documents.add(o)
        index.superclasses = _superclass_closure(ontology, dataset)
        return index

    def entities(self, name: str) -> set[URIRef]:
        return set(self.by_name.get(norm(name), set()))

    def label(self, node) -> str:
        if isinstance(node, Literal):
            return str(node)
        return self.pref.get(node) or next(iter(sorted(self.labels.get(node, ()))), None) or str(node).rsplit("/", 2)[-2] + "/" + str(node).rsplit("/", 1)[-1]

    def has_class(self, node: URIRef, cls: URIRef) -> bool:
        for t in self.types.get(node, ()):
            if t == cls or cls in self.superclasses.get(t, ()):
                return True
        return False

    def links(self, subjects: set[URIRef], objects: set[URIRef], prop: URIRef, graphs=None) -> list[URIRef]:
        """The graphs in which ``prop`` (or its inverse) links one of ``subjects`` to one of
        ``objects``; ``graphs`` restricts the search to those named graphs."""
        found = []
        inverse = INVERSE_PROPERTY.get(prop)
        for s in subjects:
            for o in objects:
                for _, _, _, g in self.dataset.quads((s, prop, o, None)):
                    found.append(_gid(g))
                if inverse is not None:
                    for _, _, _, g in self.dataset.quads((o, inverse, s, None)):
                        found.append(_gid(g))
        if graphs is not None:
            found = [g for g in found if g in graphs]
        return found

    def any_links(self, subjects: set[URIRef], objects: set[URIRef]) -> list[tuple[URIRef, URIRef, URIRef]]:
        """Every (property, direction, graph) between the two sets, for diagnosis."""
        out = []
        for s in subjects:
            for o in objects:
                for _, p, _, g in self.dataset.quads((s, None, o, None)):
                    out.append((p, "→", _gid(g)))
                for _, p, _, g in self.dataset.quads((o, None, s, None)):
                    out.append((p, "←", _gid(g)))
        return out


def _gid(g):
    return g.identifier if hasattr(g, "identifier") else g


def _superclass_closure(ontology: Path, dataset: Dataset) -> dict[URIRef, set[URIRef]]:
    graph = Graph()
    if ontology.is_file():
        graph.parse(ontology, format="turtle")
    direct: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, _, o in graph.triples((None, RDFS.subClassOf, None)):
        direct[s].add(o)
    for s, _, o, _ in dataset.quads((None, RDFS.subClassOf, None, None)):
        direct[s].add(o)
    closure = {}
    for cls in list(direct):
        seen, todo = set(), list(direct[cls])
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(direct.get(c, ()))
        closure[cls] = seen
    return closure


def _expand(name: str) -> URIRef:
    prefix, _, local = name.partition(":")
    return URIRef({"jlis": str(JLIS), "org": str(ORG)}[prefix] + local)


def curie_of(term) -> str:
    text = str(term)
    for prefix, ns in (("jlis", str(JLIS)), ("org", str(ORG)), ("graph", str(GRAPH))):
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


# ----------------------------------------------------------------------------- recall

@dataclass
class Outcome:
    fact: dict
    found: bool
    cause: str = ""          # for a miss: why
    detail: str = ""         # extra diagnosis (what links the two entities instead …)
    reference_only: bool = False


def check_fact(index: GraphIndex, fact: dict) -> Outcome:
    kind = fact["kind"]
    subjects = index.entities(fact["subject"])
    if kind in ENTITY_KINDS:
        if not subjects:
            return Outcome(fact, False, "name unknown")
        classes = [_expand(c) for c in fact["classes"]] if fact.get("classes") else [KIND_CLASS[kind]]
        fitting = {s for s in subjects if any(index.has_class(s, c) for c in classes)}
        if not fitting:
            types = sorted({curie_of(t) for s in subjects for t in index.types.get(s, ())})
            return Outcome(fact, False, "wrong class", f"typed {', '.join(types) or 'nothing'}")
        return Outcome(fact, True, reference_only=not (fitting & index.in_documents))
    objects = index.entities(fact["object"])
    if kind == "alias":
        if subjects & objects:
            return Outcome(fact, True)
        if not subjects and not objects:
            return Outcome(fact, False, "both names unknown")
        if not subjects:
            return Outcome(fact, False, "alias unknown", f"{fact['object']} = {_names(index, objects)}")
        if not objects:
            return Outcome(fact, False, "full name unknown", f"{fact['subject']} = {_names(index, subjects)}")
        return Outcome(fact, False, "names on different entities",
                       f"{_names(index, subjects)} vs {_names(index, objects)}")
    if not subjects or not objects:
        missing = [n for n, ents in ((fact["subject"], subjects), (fact["object"], objects)) if not ents]
        return Outcome(fact, False, "name unknown", " / ".join(missing))
    graphs = None
    if kind in PER_YEAR_KINDS:
        graphs = index.year_graphs.get(int(fact["year"]), set())
        if not graphs:
            return Outcome(fact, False, "no graph for that year", str(fact["year"]))
    props = [RELATION_PROPERTY[kind]] + [RELATION_PROPERTY[k] for k in fact.get("accept", [])]
    for prop in props:
        where = index.links(subjects, objects, prop, graphs)
        if where:
            return Outcome(fact, True, reference_only=all(g == REFERENCE_GRAPH for g in where))
    others = index.any_links(subjects, objects)
    if graphs is not None and any(index.links(subjects, objects, p) for p in props):
        years = sorted({index.graph_year.get(g, "ref") for p in props for g in index.links(subjects, objects, p)}, key=str)
        return Outcome(fact, False, "right link, other year", f"found in years {years}")
    if others:
        desc = sorted({f"{curie_of(p)}{d}" for p, d, _ in others})
        return Outcome(fact, False, "other link", ", ".join(desc))
    return Outcome(fact, False, "no link")


def _names(index: GraphIndex, nodes) -> str:
    return ", ".join(sorted(f"{index.label(n)}" for n in nodes))


def evaluate(dataset: Dataset, facts: list[dict] | None = None, index: GraphIndex | None = None) -> list[Outcome]:
    facts = load_gold() if facts is None else facts
    index = GraphIndex.build(dataset) if index is None else index
    return [check_fact(index, fact) for fact in facts]


def recall_by_category(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = {}
    for outcome in outcomes:
        c = counts.setdefault(outcome.fact["kind"], [0, 0])
        c[0] += outcome.found
        c[1] += 1
    ordered = {k: tuple(counts[k]) for k in CATEGORY_ORDER if k in counts}
    return ordered


def overall_recall(outcomes: list[Outcome]) -> float:
    return sum(o.found for o in outcomes) / len(outcomes) if outcomes else 0.0


def describe_fact(fact: dict) -> str:
    names = fact["subject"] + (f" → {fact['object']}" if "object" in fact else "")
    year = f" [FY{fact['year']}]" if "year" in fact else ""
    return f"{fact['kind']:<16} {names}{year}  ({fact['doc']}:{fact['line']})"


# ----------------------------------------------------------------------------- precision

@dataclass
class Sampled:
    iri: URIRef
    doc: str
    subject: URIRef
    predicate: URIRef
    obj: object
    line: int | None
    quote: str
    context: str


def relation_statements(dataset: Dataset) -> list[Sampled]:
    statements: dict[URIRef, Sampled] = {}
    for st, _, pred, g in dataset.quads((None, RDF.predicate, None, None)):
        if pred not in RELATION_PREDICATES:
            continue
        gid = _gid(g)
        def one(p):
            for _, _, o, _ in dataset.quads((st, p, None, gid)):
                return o
            return None
        line = one(JLIS.sourceLine)
        statements[st] = Sampled(
            iri=st, doc=str(gid).rsplit("/", 1)[-1], subject=one(RDF.subject), predicate=pred,
            obj=one(RDF.object), line=int(line) if line is not None else None,
            quote=str(one(JLIS.quote) or ""), context=str(one(JLIS.context) or ""))
    # a dependsOn statement that copies a sub-property statement (same doc, s, o, line) is
    # the same claim: count it once
    sub_keys = {(s.doc, s.subject, s.obj, s.line) for s in statements.values() if s.predicate in DEPENDS_SUBPROPERTIES}
    return [s for s in statements.values()
            if not (s.predicate == JLIS.dependsOn and (s.doc, s.subject, s.obj, s.line) in sub_keys)]


def draw_sample(statements: list[Sampled], size: int = 80, seed: int = 2024) -> list[Sampled]:
    def key(s: Sampled) -> str:
        return hashlib.sha1(f"{seed}\x1f{s.iri}".encode("utf-8")).hexdigest()
    return sorted(statements, key=key)[:size]


def load_review(path: Path = PRECISION_REVIEW) -> dict[str, dict]:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): v for k, v in data.items()}


def precision_of(sample: list[Sampled], review: dict[str, dict]) -> tuple[int, int, list[Sampled]]:
    correct = reviewed = 0
    unreviewed = []
    for s in sample:
        verdict = review.get(str(s.iri))
        if verdict is None:
            unreviewed.append(s)
            continue
        reviewed += 1
        correct += bool(verdict.get("correct"))
    return correct, reviewed, unreviewed


def wilson_lower(successes: int, n: int, z: float = 1.96) -> float:
    if n == 0:
        return 0.0
    p = successes / n
    centre = p + z * z / (2 * n)
    margin = z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
    return (centre - margin) / (1 + z * z / n)


# ----------------------------------------------------------------------------- report

def build_dataset(nq: Path | None) -> Dataset:
    if nq is not None:
        from jlis_kg.query import load_dataset
        return load_dataset(nq)
    from jlis_kg.build import run_build
    from jlis_kg.paths import project_paths
    return run_build(project_paths(root=ROOT), write=False).dataset


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nq", type=Path, help="read this built graph instead of building")
    parser.add_argument("--sample", type=int, default=80)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quiet-sample", action="store_true", help="do not print the reviewed sample statements")
    args = parser.parse_args(argv)

    facts = load_gold()
    problems = citation_problems(facts, source_lines())
    dataset = build_dataset(args.nq)
    index = GraphIndex.build(dataset)
    outcomes = [check_fact(index, f) for f in facts]

    print(f"gold facts: {len(facts)}  ({GOLD_FACTS.relative_to(ROOT)})")
    for p in problems:
        print(f"  citation? {p}")
    print("\nRECALL")
    for kind, (found, total) in recall_by_category(outcomes).items():
        print(f"  {kind:<17} {found:>3}/{total:<3} {100 * found / total:5.1f}%")
    found = sum(o.found for o in outcomes)
    print(f"  {'overall':<17} {found:>3}/{len(outcomes):<3} {100 * overall_recall(outcomes):5.1f}%")
    extracted = sum(o.found and not o.reference_only for o in outcomes)
    print(f"  {'overall, document graphs only':<17} {extracted:>3}/{len(outcomes):<3} {100 * extracted / len(outcomes):5.1f}%"
          "  (not counting facts found only in the curated reference graph)")
    ref_only = [o for o in outcomes if o.found and o.reference_only]
    if ref_only:
        print(f"  found only in the reference graph (catalogue), never in a document graph: {len(ref_only)}")
        for o in ref_only:
            print(f"    {describe_fact(o.fact)}")

    misses = [o for o in outcomes if not o.found]
    print(f"\nMISSES ({len(misses)}), by cause")
    by_cause = defaultdict(list)
    for o in misses:
        by_cause[o.cause].append(o)
    for cause, group in sorted(by_cause.items(), key=lambda kv: -len(kv[1])):
        print(f"  [{cause}] {len(group)}")
        for o in group:
            print(f"    {describe_fact(o.fact)}" + (f"  -- {o.detail}" if o.detail else ""))

    statements = relation_statements(dataset)
    sample = draw_sample(statements, args.sample, args.seed)
    review = load_review()
    correct, reviewed, unreviewed = precision_of(sample, review)
    per_pred = Counter(curie_of(s.predicate) for s in statements)
    print(f"\nPRECISION  (relation statements: {len(statements)}; "
          + ", ".join(f"{k} {v}" for k, v in sorted(per_pred.items())) + ")")
    print(f"  sample: {len(sample)} (seed {args.seed}), reviewed {reviewed}, unreviewed {len(unreviewed)}")
    if reviewed:
        print(f"  precision of the reviewed sample: {correct}/{reviewed} = {100 * correct / reviewed:.1f}%")
        wrong_by_pred = Counter(curie_of(s.predicate) for s in sample
                                if str(s.iri) in review and not review[str(s.iri)].get("correct"))
        tot_by_pred = Counter(curie_of(s.predicate) for s in sample if str(s.iri) in review)
        for pred in sorted(tot_by_pred):
            print(f"    {pred:<20} {tot_by_pred[pred] - wrong_by_pred[pred]}/{tot_by_pred[pred]}")
        wrong = [s for s in sample if str(s.iri) in review and not review[str(s.iri)].get("correct")]
        if wrong:
            print("  wrong statements:")
            for s in wrong:
                print(f"    {index.label(s.subject)} {curie_of(s.predicate)} {index.label(s.obj)}"
                      f"  ({s.doc}:{s.line}) -- {review[str(s.iri)].get('reason', '')}")
    current = {str(s.iri): s for s in statements}
    all_reviewed = [k for k in current if k in review]
    if all_reviewed:
        ok = sum(bool(review[k].get("correct")) for k in all_reviewed)
        print(f"  all reviewed statements of this build: {ok}/{len(all_reviewed)} = {100 * ok / len(all_reviewed):.1f}%"
              f"  ({len(current) - len(all_reviewed)} statements of the build not reviewed,"
              f" {len(set(review) - set(current))} reviewed statements no longer in the build)")
        print(f"  95% lower bound (Wilson) of the sample's precision: {100 * wilson_lower(correct, reviewed):.1f}%")
    shown = unreviewed if args.quiet_sample else sample
    if shown:
        print("\n  sampled statements" + (" not yet reviewed" if args.quiet_sample else "") + ":")
    for s in shown:
        verdict = review.get(str(s.iri))
        mark = "  " if verdict is None else ("OK" if verdict.get("correct") else "XX")
        print(f"  {mark} {s.iri}")
        print(f"     {index.label(s.subject)} | {curie_of(s.predicate)} | {index.label(s.obj)}   ({s.doc}:{s.line})")
        print(f"     quote:   {s.quote}")
        if s.context:
            print(f"     context: {s.context}")
    if unreviewed and not args.quiet_sample:
        print(f"\n  {len(unreviewed)} sampled statements are not reviewed in {PRECISION_REVIEW.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
