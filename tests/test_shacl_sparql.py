"""The SHACL→SPARQL validator (jlis_kg.shacl_sparql) against its oracle, pySHACL.

pySHACL runs with ``inference="none"`` and ``ont_graph=<ontology>`` on the union of the
named graphs, as jlis_kg.validate does; the compiled validator runs on a pyoxigraph
Store holding the same quads.  Both must report the same multiset of
(focus node, result path, source constraint component, severity, value node) — and
the same source shape and message.  Faults are injected for every constraint component
ontology/shapes.ttl uses.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, SKOS, XSD

from jlis_kg.shacl_sparql import (SUPPORTED_COMPONENTS, UnsupportedShapeError, compile_shapes, load_store,
                                  validate_store)
from jlis_kg.store import to_oxigraph, to_rdflib

ROOT = Path(__file__).resolve().parents[1]
JLIS = Namespace("https://w3id.org/jlis-kg/ontology#")
ID = Namespace("https://w3id.org/jlis-kg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PROV = Namespace("http://www.w3.org/ns/prov#")
FAULTS = URIRef("https://w3id.org/jlis-kg/graph/test-faults")
REF = URIRef("https://w3id.org/jlis-kg/graph/reference")


@pytest.fixture(scope="module")
def shapes():
    return Graph().parse(ROOT / "ontology" / "shapes.ttl")


@pytest.fixture(scope="module")
def ontology():
    return Graph().parse(ROOT / "ontology" / "jlis.ttl")


# ───────────────────────── the two validators ─────────────────────────

def _report_keys(report: Graph) -> Counter:
    keys = Counter()
    # top-level results only (pySHACL nests sh:node failures' inner results under sh:detail)
    for r in report.objects(None, SH.result):
        keys[(report.value(r, SH.focusNode), report.value(r, SH.resultPath),
              report.value(r, SH.sourceConstraintComponent), report.value(r, SH.resultSeverity),
              report.value(r, SH.value), report.value(r, SH.sourceShape),
              tuple(sorted(str(m) for m in report.objects(r, SH.resultMessage))))] += 1
    return keys


def oracle(quads, shapes, ontology) -> Counter:
    data = Graph()
    for s, p, o, _ in quads:
        data.add((s, p, o))
    _, report, _ = shacl_validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                  allow_warnings=True, inplace=True)
    return _report_keys(report)


def store_of(quads) -> ox.Store:
    store = ox.Store()
    store.extend([ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(g)))
                  for s, p, o, g in quads])
    return store


def compiled(quads, shapes, ontology):
    result = validate_store(store_of(quads), shapes, ontology)
    keys = Counter((r.focus, r.path, r.component, r.severity, r.value, r.shape, tuple(sorted(map(str, r.messages))))
                   for r in result.results)
    return keys, result


def _show(keys) -> str:
    return "\n".join(f"{n}× {k[:5]}" for k, n in sorted(keys.items(), key=str))


def assert_same(quads, shapes, ontology, messages=True):
    expected = oracle(quads, shapes, ontology)
    got, result = compiled(quads, shapes, ontology)
    if not messages:  # without sh:message, each engine words its own default message
        expected = Counter({k[:6]: n for k, n in expected.items()})
        got = Counter({k[:6]: n for k, n in got.items()})
    assert got == expected, (f"only pySHACL:\n{_show(expected - got)}\nonly compiled:\n{_show(got - expected)}")
    assert result.conforms == (not expected)
    assert result.violations == sum(n for k, n in expected.items() if k[3] == SH.Violation)
    assert result.warnings == sum(n for k, n in expected.items() if k[3] != SH.Violation)
    return expected, result


# ───────────────────────── data ─────────────────────────

@pytest.fixture(scope="module")
def real_quads(build_dir):
    store = load_store(build_dir / "jlis.nq")
    return [tuple(to_rdflib(t) for t in (q.subject, q.predicate, q.object, q.graph_name)) for q in store]


@pytest.fixture(scope="module")
def sample(real_quads):
    """A few nodes of every targeted class, with all their quads and their objects' types."""
    targeted = {JLIS.InformationSystem, JLIS.Network, JLIS.Platform, JLIS.Service, JLIS.SystemComponent,
                JLIS.PublicKeyInfrastructure, JLIS.Law, JLIS.Duty, ORG.FormalOrganization,
                ORG.OrganizationalUnit, JLIS.Committee, JLIS.Meeting, JLIS.Project, JLIS.BusinessSegment,
                JLIS.Indicator, JLIS.Event, JLIS.SourceDocument, RDF.Statement, QB.Observation, QB.DataSet,
                FOAF.Person, ORG.Role, ORG.Post, ORG.Membership, JLIS.ChangeEvent}
    by_class: dict = {}
    for s, p, o, _ in real_quads:
        if p == RDF.type and o in targeted:
            by_class.setdefault(o, set()).add(s)
    chosen = set()
    for nodes in by_class.values():
        chosen |= set(sorted(nodes, key=str)[:4])
    chosen |= {s for s, p, _, _ in real_quads if p in (JLIS.asOf, JLIS.purpose, JLIS.discoveredIn)}
    own = [q for q in real_quads if q[0] in chosen]
    pointed = {q[2] for q in own if isinstance(q[2], URIRef)} - chosen
    borrowed = [q for q in real_quads if q[0] in pointed and q[1] == RDF.type]
    return own + borrowed


def first(quads, cls):
    return sorted({s for s, p, o, _ in quads if p == RDF.type and o == cls}, key=str)[0]


def drop(quads, s, p):
    return [q for q in quads if not (q[0] == s and q[1] == p)]


def set_value(quads, s, p, value, graph=FAULTS):
    return drop(quads, s, p) + [(s, p, value, graph)]


def objects(quads, s, p):
    return [q[2] for q in quads if q[0] == s and q[1] == p]


# Each fault: (name, function(quads) → (quads, focus, expected component)).
def _statement(q):
    return first(q, RDF.Statement)


FAULT_CASES = {
    "missing quote (minCount)":
        lambda q: (drop(q, _statement(q), JLIS.quote), _statement(q), SH.MinCountConstraintComponent),
    "two quotes (maxCount)":
        lambda q: (q + [(_statement(q), JLIS.quote, Literal("もう一つの引用"), FAULTS)], _statement(q),
                   SH.MaxCountConstraintComponent),
    "quote tagged @ja (datatype xsd:string)":
        lambda q: (set_value(q, _statement(q), JLIS.quote, Literal("引用", lang="ja")), _statement(q),
                   SH.DatatypeConstraintComponent),
    "ill-typed integer line (datatype, minInclusive, lessThanOrEquals)":
        lambda q: (set_value(q, _statement(q), JLIS.sourceLine, Literal("abc", datatype=XSD.integer)),
                   _statement(q), SH.DatatypeConstraintComponent),
    "line 0 (minInclusive)":
        lambda q: (set_value(q, _statement(q), JLIS.sourceLine, Literal(0)), _statement(q),
                   SH.MinInclusiveConstraintComponent),
    "line after its end (lessThanOrEquals)":
        lambda q: (set_value(set_value(q, _statement(q), JLIS.sourceLine, Literal(12)), _statement(q),
                             JLIS.sourceLineEnd, Literal(10)), _statement(q),
                   SH.LessThanOrEqualsConstraintComponent),
    "subject a literal (nodeKind)":
        lambda q: (set_value(q, _statement(q), RDF.subject, Literal("not an IRI")), _statement(q),
                   SH.NodeKindConstraintComponent),
    "evidence from a law (class)":
        lambda q: (set_value(q, _statement(q), PROV.wasDerivedFrom, first(q, JLIS.Law)), _statement(q),
                   SH.ClassConstraintComponent),
    "blank-node law (node-level nodeKind)":
        lambda q: (q + [(BNode("lawx"), RDF.type, JLIS.Law, FAULTS),
                        (BNode("lawx"), SKOS.prefLabel, Literal("法", lang="ja"), FAULTS)],
                   BNode("lawx"), SH.NodeKindConstraintComponent),
    "dependsOn a law (class, subclass-aware target)":
        lambda q: (q + [(first(q, JLIS.Network), JLIS.dependsOn, first(q, JLIS.Law), FAULTS)],
                   first(q, JLIS.Network), SH.ClassConstraintComponent),
    "law number in Arabic digits (pattern)":
        lambda q: (set_value(q, first(q, JLIS.Law), JLIS.lawNumber, Literal("平成25年法律第27号")),
                   first(q, JLIS.Law), SH.PatternConstraintComponent),
    "bad e-Gov id and a second one (pattern, maxCount)":
        lambda q: (q + [(first(q, JLIS.Law), JLIS.eGovLawId, Literal("425ac0000000027"), FAULTS)],
                   first(q, JLIS.Law), SH.MaxCountConstraintComponent),
    "two Japanese labels in two graphs (uniqueLang, qualifiedMaxCount)":
        lambda q: (q + [(first(q, JLIS.Law), SKOS.prefLabel, Literal("別名の法", lang="ja"), FAULTS)],
                   first(q, JLIS.Law), SH.UniqueLangConstraintComponent),
    "English label only (qualifiedMinCount)":
        lambda q: (set_value(q, first(q, JLIS.Duty), SKOS.prefLabel, Literal("a duty", lang="en")),
                   first(q, JLIS.Duty), SH.QualifiedMinCountConstraintComponent),
    "untagged label (datatype rdf:langString, qualifiedMinCount)":
        lambda q: (set_value(q, first(q, JLIS.Committee), SKOS.prefLabel, Literal("委員会")),
                   first(q, JLIS.Committee), SH.DatatypeConstraintComponent),
    "agenda item in English (languageIn)":
        lambda q: (q + [(first(q, JLIS.Meeting), JLIS.agendaItem, Literal("agenda", lang="en"), FAULTS)],
                   first(q, JLIS.Meeting), SH.LanguageInConstraintComponent),
    "empty agenda item (minLength)":
        lambda q: (q + [(first(q, JLIS.Meeting), JLIS.agendaItem, Literal("", lang="ja"), FAULTS)],
                   first(q, JLIS.Meeting), SH.MinLengthConstraintComponent),
    "ill-formed meeting date (datatype xsd:date)":
        lambda q: (set_value(q, first(q, JLIS.Meeting), DCTERMS.date, Literal("2020-02-30", datatype=XSD.date)),
                   first(q, JLIS.Meeting), SH.DatatypeConstraintComponent),
    "session number 0 and a string fiscal year (minInclusive, datatype)":
        lambda q: (set_value(set_value(q, first(q, JLIS.Meeting), JLIS.sessionNumber, Literal(0)),
                             first(q, JLIS.Meeting), JLIS.fiscalYear, Literal("2020")),
                   first(q, JLIS.Meeting), SH.MinInclusiveConstraintComponent),
    "fiscal year 2200 (maxInclusive, targetSubjectsOf)":
        lambda q: (set_value(q, first(q, JLIS.Project), JLIS.fiscalYear, Literal(2200)),
                   first(q, JLIS.Project), SH.MaxInclusiveConstraintComponent),
    "fiscal year on an untyped node (targetSubjectsOf)":
        lambda q: (q + [(ID["thing/x"], JLIS.fiscalYear, Literal(1900), FAULTS)],
                   ID["thing/x"], SH.MinInclusiveConstraintComponent),
    "event date as a bad gYearMonth (or on a property)":
        lambda q: (set_value(q, first(q, JLIS.Event), DCTERMS.date, Literal("2016-13", datatype=XSD.gYearMonth)),
                   first(q, JLIS.Event), SH.OrConstraintComponent),
    "observation without dimensions or measure (node-level or)":
        lambda q: (drop(drop(drop(drop(drop(q, first(q, QB.Observation), JLIS.segment), first(q, QB.Observation),
                                        JLIS.indicator), first(q, QB.Observation), JLIS.lineItem),
                             first(q, QB.Observation), JLIS.amountJPY), first(q, QB.Observation), JLIS.value),
                   first(q, QB.Observation), SH.OrConstraintComponent),
    "change kind outside the list (in)":
        lambda q: (set_value(q, first(q, JLIS.ChangeEvent), JLIS.changeKind, Literal("deleted")),
                   first(q, JLIS.ChangeEvent), SH.InConstraintComponent),
    "change backwards in time (lessThan)":
        lambda q: (set_value(q, first(q, JLIS.ChangeEvent), JLIS.fromFiscalYear, Literal(2100)),
                   first(q, JLIS.ChangeEvent), SH.LessThanConstraintComponent),
    "change without evidence (node-level or of minCounts)":
        lambda q: (drop(drop(q, first(q, JLIS.ChangeEvent), JLIS.evidenceBefore), first(q, JLIS.ChangeEvent),
                        JLIS.evidenceAfter), first(q, JLIS.ChangeEvent), SH.OrConstraintComponent),
    "empty document title (minLength) and missing sha256 (minCount)":
        lambda q: (drop(set_value(q, first(q, JLIS.SourceDocument), DCTERMS.title, Literal("")),
                        first(q, JLIS.SourceDocument), JLIS.sha256),
                   first(q, JLIS.SourceDocument), SH.MinLengthConstraintComponent),
    "operated by a committee (subclass-aware sh:class, no violation) and by a person (violation)":
        lambda q: (q + [(first(q, JLIS.Network), JLIS.operatedBy, first(q, JLIS.Committee), FAULTS),
                        (first(q, JLIS.Network), JLIS.operatedBy, first(q, FOAF.Person), FAULTS)],
                   first(q, JLIS.Network), SH.ClassConstraintComponent),
}

COMPONENTS_USED = {
    SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent, SH.DatatypeConstraintComponent,
    SH.NodeKindConstraintComponent, SH.ClassConstraintComponent, SH.PatternConstraintComponent,
    SH.InConstraintComponent, SH.LanguageInConstraintComponent, SH.UniqueLangConstraintComponent,
    SH.MinInclusiveConstraintComponent, SH.MaxInclusiveConstraintComponent, SH.MinLengthConstraintComponent,
    SH.LessThanConstraintComponent, SH.LessThanOrEqualsConstraintComponent, SH.OrConstraintComponent,
    SH.QualifiedMinCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent,
}


# ───────────────────────── tests ─────────────────────────

def test_every_component_of_the_shapes_is_compiled_and_faulted(shapes, ontology):
    queries = compile_shapes(shapes, ontology)
    assert {q.component for q in queries} == COMPONENTS_USED
    assert {str(c) for c in COMPONENTS_USED} <= set(SUPPORTED_COMPONENTS)
    for query in queries:  # every query parses
        ox.Store().query(query.sparql, use_default_graph_as_union=True)


def test_the_real_build_conforms_in_both(real_quads, shapes, ontology):
    result = validate_store(store_of(real_quads), shapes, ontology)
    assert result.conforms and not result.results, result.report_text[:3000]
    assert result.report_text == "Validation Report\nConforms: True\n"


def test_sample_is_the_same_for_both(sample, shapes, ontology):
    assert_same(sample, shapes, ontology)


@pytest.mark.parametrize("name", sorted(FAULT_CASES))
def test_injected_fault(name, sample, shapes, ontology):
    quads, focus, component = FAULT_CASES[name](list(sample))
    expected, result = assert_same(quads, shapes, ontology)
    assert any(k[0] == focus and k[2] == component for k in expected), \
        f"the fault was not detected by pySHACL:\n{_show(expected)}"
    assert not result.conforms and "Constraint Violation in" in result.report_text


def test_all_faults_at_once_on_the_real_build(real_quads, shapes, ontology):
    """Every fault injected into the whole built graph; oracle: pySHACL as jlis_kg.validate runs it."""
    from jlis_kg.validate import validate_triples
    quads = list(real_quads)
    seen = set()
    for name in sorted(FAULT_CASES):
        faulty, focus, component = FAULT_CASES[name](quads)
        if focus in seen or isinstance(focus, BNode):  # one fault per node keeps them independent;
            continue                                   # the oracle renames blank nodes
        seen.add(focus)
        quads = faulty
    expected = validate_triples(((s, p, o) for s, p, o, _ in quads), ROOT / "ontology" / "shapes.ttl",
                                ROOT / "ontology" / "jlis.ttl")
    keys, result = compiled(quads, shapes, ontology)
    def strip(k):  # the oracle parsed its own shapes graph: blank-node shapes have other ids
        return k[:5] + (k[5] if isinstance(k[5], URIRef) else None, k[6])
    assert Counter(map(strip, keys.elements())) == Counter(map(strip, _report_keys(expected.report_graph).elements()))
    assert (result.violations, result.warnings) == (expected.violations, expected.warnings)
    assert result.report_text == expected.report_text


def test_the_union_counts_a_triple_in_two_graphs_once(sample, shapes, ontology):
    law = first(sample, JLIS.Law)
    number = objects(sample, law, JLIS.lawNumber)[0]
    quads = sample + [(law, JLIS.lawNumber, number, FAULTS), (law, JLIS.lawNumber, number, REF)]
    expected, result = assert_same(quads, shapes, ontology)
    assert not [r for r in result.results if r.focus == law and r.component == SH.MaxCountConstraintComponent]


def test_report_graph_and_text(sample, shapes, ontology):
    quads, focus, _ = FAULT_CASES["missing quote (minCount)"](list(sample))
    result = validate_store(store_of(quads), shapes, ontology)
    assert (None, SH.conforms, Literal(False)) in result.report_graph
    assert len(list(result.report_graph.subjects(RDF.type, SH.ValidationResult))) == len(result.results)
    assert [r.component for r in result.results if r.focus == focus] == [SH.MinCountConstraintComponent]
    assert ("Constraint Violation in MinCountConstraintComponent "
            "(http://www.w3.org/ns/shacl#MinCountConstraintComponent):") in result.report_text
    assert "\tResult Path: jlis:quote" in result.report_text or "\tResult Path: <" in result.report_text
    again = validate_store(store_of(list(reversed(quads))), shapes, ontology)
    assert again.report_text == result.report_text


# ───────────────────────── what is refused ─────────────────────────

UNSUPPORTED = {
    "sh:sparql": """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:sparql [ sh:select "SELECT $this WHERE { }" ] .""",
    "complex path": """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ] .""",
    "sh:closed": """ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .""",
    "sh:equals": """ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .""",
    "nested qualified shape": """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:or ( [ sh:path ex:p ; sh:qualifiedValueShape [ sh:datatype xsd:string ] ; sh:qualifiedMinCount 1 ] ) .""",
    "unreached shape with sh:disjoint": """ex:S a sh:PropertyShape ; sh:path ex:p ; sh:disjoint ex:q .""",
    "sh:target": """ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this {}" ] .""",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_feature_is_a_compile_error(name, ontology):
    text = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> . "
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + UNSUPPORTED[name])
    with pytest.raises(UnsupportedShapeError, match="not support|only predicate paths|nested"):
        compile_shapes(Graph().parse(data=text, format="turtle"), ontology)


# ───────────────────────── supported beyond shapes.ttl ─────────────────────────

EXTRA_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:A a sh:NodeShape ; sh:targetNode ex:a1 , ex:a2 ; sh:targetObjectsOf ex:link ;
    sh:property [ sh:path ex:n ; sh:maxLength 3 ; sh:minExclusive 0 ; sh:maxExclusive 10 ] ;
    sh:property [ sh:path ex:tag ; sh:hasValue "x" ] ;
    sh:property [ sh:path ex:k ; sh:minCount 2 ; sh:maxCount 3 ; sh:severity sh:Warning ] ;
    sh:property [ sh:path ex:v ; sh:xone ( [ sh:datatype xsd:integer ] [ sh:minInclusive 5 ] ) ] ;
    sh:property [ sh:path ex:w ; sh:not [ sh:datatype xsd:string ] ; sh:and ( [ sh:nodeKind sh:Literal ] [ sh:minLength 2 ] ) ] ;
    sh:property [ sh:path ex:r ; sh:node ex:B ; sh:pattern "^A" ; sh:flags "i" ] .
ex:B a sh:NodeShape ; sh:property [ sh:path ex:n ; sh:minCount 1 ; sh:maxCount 1 ] .
"""
EXTRA_DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a1 ex:n 5 , "abcd" , 10 , 0 ; ex:tag "y" ; ex:k 1 ; ex:v 7 , 3 , 2.5 , "z" ; ex:w "ab" , 12 , "a"@en , ex:iri ;
      ex:r ex:Ab , ex:bad , ex:aok .
ex:Ab ex:n 1 . ex:bad ex:n 1 , 2 . ex:aok ex:n 3 .
ex:a2 ex:tag "x" ; ex:k 1 , 2 , 3 , 4 .
ex:z ex:link ex:a3 .
"""


def test_components_beyond_the_shapes_file(ontology):
    shapes = Graph().parse(data=EXTRA_SHAPES, format="turtle")
    data = Graph().parse(data=EXTRA_DATA, format="turtle")
    quads = [(s, p, o, FAULTS) for s, p, o in data]
    expected, result = assert_same(quads, shapes, ontology, messages=False)
    assert {k[2] for k in expected} >= {SH.MaxLengthConstraintComponent, SH.MinExclusiveConstraintComponent,
                                        SH.MaxExclusiveConstraintComponent, SH.HasValueConstraintComponent,
                                        SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent,
                                        SH.XoneConstraintComponent, SH.NotConstraintComponent,
                                        SH.AndConstraintComponent, SH.NodeConstraintComponent,
                                        SH.PatternConstraintComponent}
    assert result.warnings > 0
