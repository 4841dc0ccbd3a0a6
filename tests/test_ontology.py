"""The ontology (ontology/jlis.ttl) and the SHACL shapes (ontology/shapes.ttl).

The vocabulary is a public contract (DESIGN.md): these tests pin the names researchers
query with, check that every term is documented in English and Japanese, that the shapes
graph is itself valid SHACL, and that the shapes accept a small well-formed dataset and
reject specific, known faults with the right focus node and path.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from pyshacl.entrypoints import meta_validate
from rdflib import OWL, RDF, RDFS, SH, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "jlis.ttl"
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"

JLIS = Namespace("https://w3id.org/jlis-kg/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/jlis-kg/ontology")
ID = Namespace("https://w3id.org/jlis-kg/id/")
JLISH = Namespace("https://w3id.org/jlis-kg/shapes#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
QB = Namespace("http://purl.org/linked-data/cube#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
# A plain Namespace: rdflib's closed XSD namespace warns when pytest probes module globals.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

# ───────────────────────── the public contract ─────────────────────────

CLASSES = [
    "InformationSystem", "Network", "PublicKeyInfrastructure", "Platform", "SystemComponent",
    "Service", "Law", "Duty", "Committee", "Meeting", "Project", "BusinessSegment", "Event",
    "ChangeEvent", "SourceDocument", "Indicator",
]
OBJECT_PROPERTIES = [
    "legalBasis", "supportsDuty", "operatedBy", "responsibleUnit", "dependsOn", "deliveredVia",
    "usesDataFrom", "hostedOn", "partOf", "succeeds", "concerns", "meetingOf", "presentedAt",
    "segment", "indicator", "discoveredIn", "mentions",
]
DATATYPE_PROPERTIES = [
    "lawNumber", "eGovLawId", "sessionNumber", "agendaItem", "fiscalYear", "documentKind",
    "sha256", "fileName", "figureKind", "lineItem", "amountJPY", "value", "unit", "eventType",
    "sourceLine", "sourceLineEnd", "quote", "context", "asOf",
]

SUBCLASSES = [
    (JLIS.Network, JLIS.InformationSystem),
    (JLIS.PublicKeyInfrastructure, JLIS.InformationSystem),
    (JLIS.Platform, JLIS.InformationSystem),
    (JLIS.SystemComponent, JLIS.InformationSystem),
    (JLIS.Service, JLIS.InformationSystem),
    (JLIS.Law, ELI.LegalResource),
    (JLIS.Committee, ORG.OrganizationalUnit),
    (JLIS.Meeting, PROV.Activity),
    (JLIS.ChangeEvent, ORG.ChangeEvent),
    (JLIS.SourceDocument, PROV.Entity),
    (JLIS.SourceDocument, FOAF.Document),
    (JLIS.Indicator, SKOS.Concept),
    (JLIS.BusinessSegment, SKOS.Concept),
]
SUBPROPERTIES = [
    (JLIS.deliveredVia, JLIS.dependsOn),
    (JLIS.usesDataFrom, JLIS.dependsOn),
    (JLIS.hostedOn, JLIS.dependsOn),
    (JLIS.partOf, DCTERMS.isPartOf),
    (JLIS.succeeds, DCTERMS.replaces),
    (JLIS.concerns, DCTERMS.subject),
    (JLIS.meetingOf, PROV.wasAssociatedWith),
    (JLIS.mentions, DCTERMS.references),
    (JLIS.lawNumber, DCTERMS.identifier),
    (JLIS.asOf, DCTERMS.date),
]
RANGES = {
    JLIS.legalBasis: JLIS.Law,
    JLIS.supportsDuty: JLIS.Duty,
    JLIS.operatedBy: ORG.Organization,
    JLIS.responsibleUnit: ORG.OrganizationalUnit,
    JLIS.dependsOn: JLIS.InformationSystem,
    JLIS.deliveredVia: JLIS.Network,
    JLIS.hostedOn: JLIS.Platform,
    JLIS.partOf: JLIS.InformationSystem,
    JLIS.succeeds: JLIS.InformationSystem,
    JLIS.meetingOf: JLIS.Committee,
    JLIS.presentedAt: JLIS.Meeting,
    JLIS.segment: JLIS.BusinessSegment,
    JLIS.indicator: JLIS.Indicator,
    JLIS.discoveredIn: JLIS.SourceDocument,
    JLIS.lawNumber: XSD.string,
    JLIS.eGovLawId: XSD.string,
    JLIS.sessionNumber: XSD.integer,
    JLIS.fiscalYear: XSD.integer,
    JLIS.sha256: XSD.string,
    JLIS.amountJPY: XSD.decimal,
    JLIS.value: XSD.decimal,
    JLIS.sourceLine: XSD.integer,
    JLIS.sourceLineEnd: XSD.integer,
    JLIS.quote: XSD.string,
    JLIS.asOf: XSD.date,
}
# Used on many kinds of subject: a declared domain would retype them by inference.
OPEN_DOMAIN = [
    JLIS.legalBasis, JLIS.responsibleUnit, JLIS.concerns, JLIS.fiscalYear, JLIS.segment,
    JLIS.indicator, JLIS.discoveredIn, JLIS.sourceLine, JLIS.quote, JLIS.context,
]
CUBE_COMPONENTS = {
    QB.DimensionProperty: ["segment", "indicator", "fiscalYear", "figureKind", "lineItem"],
    QB.MeasureProperty: ["amountJPY", "value"],
    QB.AttributeProperty: ["unit"],
}
# Classes (and the two ORG classes, rdf:Statement and qb:Observation) that need a shape.
SHAPED_CLASSES = [
    JLIS.InformationSystem, JLIS.Law, JLIS.Duty, ORG.FormalOrganization, ORG.OrganizationalUnit,
    JLIS.Committee, JLIS.Meeting, JLIS.Project, JLIS.BusinessSegment, JLIS.Event,
    JLIS.SourceDocument, RDF.Statement, QB.Observation,
]
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def jlis_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(JLIS))}


def lang_values(graph: Graph, subject, predicate, lang: str) -> list[Literal]:
    return [o for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language == lang]


# ───────────────────────── the ontology ─────────────────────────

def test_both_files_parse(ontology, shapes):
    assert len(ontology) > 100
    assert len(shapes) > 100


def test_ontology_header(ontology):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert lang_values(ontology, ONTOLOGY_IRI, predicate, "en"), predicate
        assert lang_values(ontology, ONTOLOGY_IRI, predicate, "ja"), predicate
    assert isinstance(ontology.value(ONTOLOGY_IRI, DCTERMS.license), URIRef)
    assert not list(ontology.objects(None, OWL.imports)), "external vocabularies are referenced, not imported"


def test_contract_terms_exist_with_their_kind(ontology):
    for names, kind in ((CLASSES, OWL.Class), (OBJECT_PROPERTIES, OWL.ObjectProperty),
                        (DATATYPE_PROPERTIES, OWL.DatatypeProperty)):
        for name in names:
            assert (JLIS[name], RDF.type, kind) in ontology, f"jlis:{name} must be an {kind.n3()}"


def test_every_jlis_term_is_typed_and_documented(ontology):
    terms = jlis_terms(ontology)
    assert terms >= {JLIS[n] for n in CLASSES + OBJECT_PROPERTIES + DATATYPE_PROPERTIES}
    for term in sorted(terms):
        kinds = [k for k in TERM_TYPES if (term, RDF.type, k) in ontology]
        assert len(kinds) == 1, f"{term} must be exactly one of owl:Class/ObjectProperty/DatatypeProperty, is {kinds}"
        assert len(lang_values(ontology, term, RDFS.label, "en")) == 1, f"{term}: one rdfs:label@en"
        assert len(lang_values(ontology, term, RDFS.label, "ja")) == 1, f"{term}: one rdfs:label@ja"
        assert lang_values(ontology, term, RDFS.comment, "en"), f"{term}: rdfs:comment@en"
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology, f"{term}: rdfs:isDefinedBy"


def test_japanese_labels_are_japanese(ontology):
    for term in jlis_terms(ontology):
        (label,) = lang_values(ontology, term, RDFS.label, "ja")
        assert any(ord(ch) > 0x3000 for ch in str(label)), f"{term}: {label!r} has no Japanese script"


def test_no_dangling_jlis_references(ontology, shapes):
    defined = jlis_terms(ontology)
    for name, graph in (("jlis.ttl", ontology), ("shapes.ttl", shapes)):
        used = {n for t in graph for n in t if isinstance(n, URIRef) and n.startswith(str(JLIS))}
        assert used <= defined, f"{name} uses undefined terms: {sorted(used - defined)}"


@pytest.mark.parametrize("sub,sup", SUBCLASSES, ids=lambda t: t.n3() if hasattr(t, "n3") else str(t))
def test_subclass_axioms(ontology, sub, sup):
    assert (sub, RDFS.subClassOf, sup) in ontology


@pytest.mark.parametrize("sub,sup", SUBPROPERTIES, ids=lambda t: t.n3() if hasattr(t, "n3") else str(t))
def test_subproperty_axioms(ontology, sub, sup):
    assert (sub, RDFS.subPropertyOf, sup) in ontology


def test_ranges(ontology):
    for prop, rng in RANGES.items():
        assert list(ontology.objects(prop, RDFS.range)) == [rng], prop


def test_open_domains(ontology):
    for prop in OPEN_DOMAIN:
        assert ontology.value(prop, RDFS.domain) is None, f"{prop} is used on many classes: no rdfs:domain"


def test_depends_on_is_not_transitive(ontology):
    for prop in (JLIS.dependsOn, JLIS.deliveredVia, JLIS.usesDataFrom, JLIS.hostedOn, JLIS.partOf):
        assert (prop, RDF.type, OWL.TransitiveProperty) not in ontology


def test_datatype_properties_have_xsd_or_langstring_ranges(ontology):
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        if not str(prop).startswith(str(JLIS)):
            continue
        for rng in ontology.objects(prop, RDFS.range):
            assert str(rng).startswith(str(XSD)) or rng == RDF.langString, (prop, rng)


def test_data_cube_components(ontology):
    for kind, names in CUBE_COMPONENTS.items():
        for name in names:
            assert (JLIS[name], RDF.type, kind) in ontology, f"jlis:{name} must be a {kind.n3()}"


# ───────────────────────── the shapes graph ─────────────────────────

def test_shapes_graph_is_valid_shacl(shapes):
    conforms, _, text = meta_validate(shapes)
    assert conforms, text


def test_meta_validation_catches_a_broken_shape(shapes):
    """The SHACL-SHACL check has teeth: a shape with a non-integer sh:minCount fails."""
    broken = Graph()
    for triple in shapes:
        broken.add(triple)
    bad = BNode()
    broken.add((JLISH.LawShape, SH.property, bad))
    broken.add((bad, SH.path, JLIS.lawNumber))
    broken.add((bad, SH.minCount, Literal("one")))
    conforms, _, _ = meta_validate(broken)
    assert not conforms


def test_every_listed_class_has_a_node_shape(shapes):
    targeted = set(shapes.objects(None, SH.targetClass))
    assert set(SHAPED_CLASSES) <= targeted, sorted(set(SHAPED_CLASSES) - targeted)


def test_every_shape_is_named_and_has_a_message(shapes):
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    for ns in node_shapes:
        property_shapes.update(shapes.objects(ns, SH.property))
    assert len(node_shapes) >= len(SHAPED_CLASSES)
    for shape in node_shapes | property_shapes:
        assert lang_values(shapes, shape, SH.name, "en"), f"{shape}: sh:name@en"
        assert lang_values(shapes, shape, SH.message, "en"), f"{shape}: sh:message@en"
    # Nested shapes inside sh:or are not reported alone, but still carry a name.
    for shape in shapes.subjects(SH.path, None):
        assert lang_values(shapes, shape, SH.name, "en"), f"{shape}: sh:name@en"


def test_fiscal_years_are_bounded_everywhere(shapes):
    fiscal_shapes = list(shapes.subjects(SH.path, JLIS.fiscalYear))
    assert len(fiscal_shapes) >= 4
    for shape in fiscal_shapes:
        assert shapes.value(shape, SH.datatype) == XSD.integer
        assert shapes.value(shape, SH.minInclusive).toPython() == 1960
        assert shapes.value(shape, SH.maxInclusive).toPython() == 2100


def test_event_date_accepts_three_datatypes(shapes):
    (date_shape,) = [s for s in shapes.subjects(SH.path, DCTERMS.date)
                     if (JLISH.EventShape, SH.property, s) in shapes]
    branches = Collection(shapes, shapes.value(date_shape, SH["or"]))
    assert {shapes.value(b, SH.datatype) for b in branches} == {XSD.date, XSD.gYearMonth, XSD.gYear}


# ───────────────────────── behaviour on data ─────────────────────────

PREFIXES = """
@prefix jlis:    <https://w3id.org/jlis-kg/ontology#> .
@prefix id:      <https://w3id.org/jlis-kg/id/> .
@prefix graph:   <https://w3id.org/jlis-kg/graph/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix qb:      <http://purl.org/linked-data/cube#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

GOOD_DATA = PREFIXES + """
id:org\\/jlis a org:FormalOrganization ;
    skos:prefLabel "地方公共団体情報システム機構"@ja ,
        "Japan Agency for Local Authority Information Systems"@en ;
    skos:altLabel "J-LIS"@en ;
    org:hasUnit id:unit\\/juki-center .

id:unit\\/juki-center a org:OrganizationalUnit ;
    skos:prefLabel "住民基本台帳ネットワークシステム全国センター"@ja ;
    org:unitOf id:org\\/jlis .

id:committee\\/management-council a jlis:Committee ;
    skos:prefLabel "経営審議委員会"@ja ;
    org:unitOf id:org\\/jlis .

id:law\\/juki-ho a jlis:Law ;
    skos:prefLabel "住民基本台帳法"@ja ;
    skos:altLabel "住基法"@ja ;
    jlis:lawNumber "昭和四十二年法律第八十一号" ;
    jlis:eGovLawId "342AC0000000081" .

id:law\\/mynumber-act a jlis:Law ;
    skos:prefLabel "行政手続における特定の個人を識別するための番号の利用等に関する法律"@ja ;
    jlis:lawNumber "平成二十五年法律第二十七号" ;
    jlis:eGovLawId "425AC0000000027" .

id:duty\\/identity-information a jlis:Duty ;
    skos:prefLabel "本人確認情報処理事務"@ja ;
    jlis:legalBasis id:law\\/juki-ho ;
    jlis:responsibleUnit id:unit\\/juki-center .

id:system\\/juki-net a jlis:Network ;
    skos:prefLabel "住民基本台帳ネットワークシステム"@ja , "Basic Resident Registers Network"@en ;
    skos:altLabel "住基ネット"@ja ;
    rdfs:label "住民基本台帳ネットワークシステム"@ja ;
    jlis:legalBasis id:law\\/juki-ho ;
    jlis:supportsDuty id:duty\\/identity-information ;
    jlis:operatedBy id:org\\/jlis ;
    jlis:responsibleUnit id:unit\\/juki-center .

id:system\\/national-server a jlis:SystemComponent ;
    skos:prefLabel "全国サーバ"@ja ;
    jlis:partOf id:system\\/juki-net ;
    jlis:operatedBy id:unit\\/juki-center .

id:system\\/lgwan a jlis:Network ;
    skos:prefLabel "総合行政ネットワーク"@ja ;
    skos:altLabel "LGWAN"@en .

id:system\\/lgwan-4 a jlis:Network ;
    skos:prefLabel "第四次LGWAN"@ja ;
    jlis:succeeds id:system\\/lgwan .

id:system\\/platform a jlis:Platform ;
    skos:prefLabel "中間サーバー・プラットフォーム"@ja .

id:system\\/intermediate-server a jlis:InformationSystem ;
    skos:prefLabel "自治体中間サーバー"@ja ;
    jlis:legalBasis id:law\\/mynumber-act ;
    jlis:deliveredVia id:system\\/lgwan ;
    jlis:hostedOn id:system\\/platform ;
    jlis:usesDataFrom id:system\\/national-server ;
    jlis:dependsOn id:system\\/juki-net ;
    jlis:discoveredIn id:document\\/fy2018-plan .

id:meeting\\/management-council-17 a jlis:Meeting ;
    jlis:meetingOf id:committee\\/management-council ;
    jlis:sessionNumber 17 ;
    dcterms:date "2018-03-01"^^xsd:date ;
    jlis:agendaItem "平成30年度事業計画（案）について"@ja ;
    jlis:concerns id:system\\/lgwan-4 .

id:document\\/fy2018-plan a jlis:SourceDocument ;
    dcterms:title "第17回経営審議委員会資料"@ja ;
    dcterms:date "2018-03-01"^^xsd:date ;
    jlis:fiscalYear 2018 ;
    jlis:documentKind "meeting-materials" , "business-plan" ;
    jlis:fileName "sources/000_636e783586a54437.txt" ;
    jlis:sha256 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" ;
    jlis:presentedAt id:meeting\\/management-council-17 .

graph:fy2018-plan jlis:fiscalYear 2018 ;
    jlis:asOf "2018-04-01"^^xsd:date ;
    dcterms:date "2018-04-01"^^xsd:date ;
    prov:wasDerivedFrom id:document\\/fy2018-plan .

id:statement\\/good a rdf:Statement ;
    rdf:subject id:system\\/intermediate-server ;
    rdf:predicate jlis:deliveredVia ;
    rdf:object id:system\\/lgwan ;
    prov:wasDerivedFrom id:document\\/fy2018-plan ;
    jlis:sourceLine 120 ;
    jlis:sourceLineEnd 121 ;
    jlis:quote "中間サーバーはLGWANを経由して" ;
    jlis:context "中間サーバーはLGWANを経由して情報提供ネットワークシステムに接続する。" .

[] a rdf:Statement ;
    rdf:subject id:meeting\\/management-council-17 ;
    rdf:predicate jlis:sessionNumber ;
    rdf:object 17 ;
    prov:wasDerivedFrom id:document\\/fy2018-plan ;
    jlis:sourceLine 1 ;
    jlis:quote "第17回経営審議委員会" .

id:event\\/juki-net-start a jlis:Event ;
    dcterms:date "2002-08"^^xsd:gYearMonth ;
    jlis:eventType "operation-start" ;
    jlis:concerns id:system\\/juki-net .

id:event\\/jlis-founding a jlis:Event ;
    dcterms:date "2014-04-01"^^xsd:date ;
    jlis:eventType "founding" ;
    jlis:concerns id:org\\/jlis .

id:event\\/act-enacted a jlis:Event ;
    dcterms:date "2013"^^xsd:gYear ;
    jlis:eventType "enactment" ;
    jlis:concerns id:law\\/mynumber-act .

id:project\\/lgwan-4-migration a jlis:Project ;
    skos:prefLabel "第四次LGWANへの移行"@ja ;
    jlis:fiscalYear 2018 ;
    jlis:concerns id:system\\/lgwan-4 ;
    jlis:responsibleUnit id:unit\\/juki-center .

id:segment\\/identity-information a jlis:BusinessSegment ;
    skos:prefLabel "本人確認情報処理事業"@ja .

id:indicator\\/cards-issued a jlis:Indicator ;
    skos:prefLabel "個人番号カード交付枚数"@ja .

id:observation\\/settlement-2020 a qb:Observation ;
    jlis:fiscalYear 2020 ;
    jlis:segment id:segment\\/identity-information ;
    jlis:lineItem "経常費用" ;
    jlis:figureKind "settlement" ;
    jlis:amountJPY "1234567000"^^xsd:decimal .

id:observation\\/cards-2023 a qb:Observation ;
    jlis:fiscalYear 2023 ;
    jlis:indicator id:indicator\\/cards-issued ;
    jlis:figureKind "count" ;
    jlis:value "1000000"^^xsd:decimal ;
    jlis:unit "枚" .
"""

# The four faults the brief names, each on its own focus node.
BAD_ADDITIONS = PREFIXES + """
id:system\\/bad a jlis:InformationSystem ;
    skos:prefLabel "根拠が事務のシステム"@ja ;
    jlis:legalBasis id:duty\\/identity-information .

id:statement\\/bad a rdf:Statement ;
    rdf:subject id:system\\/juki-net ;
    rdf:predicate jlis:operatedBy ;
    rdf:object id:org\\/jlis ;
    prov:wasDerivedFrom id:document\\/fy2018-plan ;
    jlis:sourceLine 42 .

id:event\\/bad a jlis:Event ;
    dcterms:date "2016-13-45"^^xsd:date ;
    jlis:eventType "migration" .

id:law\\/bad a jlis:Law ;
    skos:prefLabel "算用数字の法令番号の法律"@ja ;
    jlis:lawNumber "平成25年法律第27号" .
"""


def data_graph(*turtle: str) -> Graph:
    graph = Graph()
    for text in turtle:
        graph.parse(data=text, format="turtle")
    return graph


def run_shapes(data: Graph, ontology: Graph | None, shapes: Graph, inference: str = "none"):
    conforms, report, text = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference=inference,
        allow_warnings=False, allow_infos=False,
    )
    return conforms, report, text


def failures(report: Graph) -> set[tuple]:
    """(focus node, result path) for every validation result; for a node-level result
    (no path, e.g. an observation's sh:or) the source shape stands in for the path."""
    return {
        (report.value(r, SH.focusNode),
         report.value(r, SH.resultPath) or report.value(r, SH.sourceShape))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


def messages(report: Graph) -> list[str]:
    return [str(m) for m in report.objects(None, SH.resultMessage)]


def test_good_graph_conforms(ontology, shapes):
    conforms, _, text = validate(
        data_graph(GOOD_DATA), shacl_graph=shapes, ont_graph=ontology, inference="none",
        meta_shacl=True,
    )
    assert conforms, text


def test_bad_graph_fails_on_exactly_the_faulty_nodes(ontology, shapes):
    conforms, report, text = run_shapes(data_graph(GOOD_DATA, BAD_ADDITIONS), ontology, shapes)
    assert not conforms
    assert failures(report) == {
        (ID["system/bad"], JLIS.legalBasis),
        (ID["statement/bad"], JLIS.quote),
        (ID["event/bad"], DCTERMS.date),
        (ID["law/bad"], JLIS.lawNumber),
    }, text
    # The messages are the shapes' own English sentences, not pySHACL's generic ones.
    assert "jlis:legalBasis must point at a jlis:Law." in messages(report)
    assert any(m.startswith("An evidence statement needs exactly one non-empty jlis:quote") for m in messages(report))


# Each case: Turtle added to the good graph → the (focus, path) results expected; a
# node-level result (an observation's sh:or) names its shape instead of a path.
MUTATIONS = {
    "system without a Japanese label": (
        'id:system\\/x a jlis:InformationSystem ; skos:prefLabel "X system"@en .',
        {(ID["system/x"], SKOS.prefLabel)}),
    "system with two Japanese labels": (
        'id:system\\/x a jlis:InformationSystem ; skos:prefLabel "甲"@ja , "乙"@ja .',
        {(ID["system/x"], SKOS.prefLabel)}),
    "system with an untagged label": (
        'id:system\\/x a jlis:InformationSystem ; skos:prefLabel "甲"@ja , "plain" .',
        {(ID["system/x"], SKOS.prefLabel)}),
    "subclass instance reached through the ontology": (
        'id:system\\/x a jlis:Network .',
        {(ID["system/x"], SKOS.prefLabel)}),
    "operator that is not an organisation": (
        'id:system\\/lgwan jlis:operatedBy id:law\\/juki-ho .',
        {(ID["system/lgwan"], JLIS.operatedBy)}),
    "dependency on a law": (
        'id:system\\/lgwan jlis:dependsOn id:law\\/juki-ho .',
        {(ID["system/lgwan"], JLIS.dependsOn)}),
    "component part of a unit": (
        'id:system\\/national-server jlis:partOf id:unit\\/juki-center .',
        {(ID["system/national-server"], JLIS.partOf)}),
    "duty supported is a law": (
        'id:system\\/lgwan jlis:supportsDuty id:law\\/juki-ho .',
        {(ID["system/lgwan"], JLIS.supportsDuty)}),
    "responsible unit is a formal organisation": (
        'id:project\\/lgwan-4-migration jlis:responsibleUnit id:org\\/jlis .',
        {(ID["project/lgwan-4-migration"], JLIS.responsibleUnit)}),
    "unit of a law": (
        'id:unit\\/juki-center org:unitOf id:law\\/juki-ho .',
        {(ID["unit/juki-center"], ORG.unitOf)}),
    "committee without label": (
        'id:committee\\/x a jlis:Committee .',
        {(ID["committee/x"], SKOS.prefLabel)}),
    "meeting without committee": (
        'id:meeting\\/x a jlis:Meeting ; jlis:sessionNumber 3 .',
        {(ID["meeting/x"], JLIS.meetingOf)}),
    "meeting of a unit that is not a committee": (
        'id:meeting\\/x a jlis:Meeting ; jlis:meetingOf id:unit\\/juki-center .',
        {(ID["meeting/x"], JLIS.meetingOf)}),
    "session number zero": (
        'id:meeting\\/management-council-17 jlis:sessionNumber 0 .',
        {(ID["meeting/management-council-17"], JLIS.sessionNumber)}),
    "untagged agenda item": (
        'id:meeting\\/management-council-17 jlis:agendaItem "報告事項" .',
        {(ID["meeting/management-council-17"], JLIS.agendaItem)}),
    "malformed year-month": (
        'id:event\\/x a jlis:Event ; dcterms:date "2016-4"^^xsd:gYearMonth ; jlis:eventType "incident" .',
        {(ID["event/x"], DCTERMS.date)}),
    "date as a plain string": (
        'id:event\\/x a jlis:Event ; dcterms:date "平成28年4月" ; jlis:eventType "incident" .',
        {(ID["event/x"], DCTERMS.date)}),
    "event without type": (
        'id:event\\/x a jlis:Event ; dcterms:date "2016"^^xsd:gYear .',
        {(ID["event/x"], JLIS.eventType)}),
    "event without date": (
        'id:event\\/x a jlis:Event ; jlis:eventType "incident" .',
        {(ID["event/x"], DCTERMS.date)}),
    "short e-Gov law ID": (
        'id:law\\/juki-ho jlis:eGovLawId "342AC000000008" .',
        {(ID["law/juki-ho"], JLIS.eGovLawId)}),
    "two law numbers": (
        'id:law\\/juki-ho jlis:lawNumber "昭和四十二年法律第八十二号" .',
        {(ID["law/juki-ho"], JLIS.lawNumber)}),
    "upper-case hash": (
        'id:document\\/x a jlis:SourceDocument ; dcterms:title "t" ; jlis:fiscalYear 2020 ; '
        'jlis:fileName "f.txt" ; jlis:sha256 "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08" .',
        {(ID["document/x"], JLIS.sha256)}),
    "document without file name or title": (
        'id:document\\/x a jlis:SourceDocument ; jlis:fiscalYear 2020 ; '
        'jlis:sha256 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" .',
        {(ID["document/x"], JLIS.fileName), (ID["document/x"], DCTERMS.title)}),
    "statement derived from a non-document": (
        'id:statement\\/good prov:wasDerivedFrom id:system\\/lgwan .',
        {(ID["statement/good"], PROV.wasDerivedFrom)}),
    "statement line zero": (
        'id:statement\\/x a rdf:Statement ; rdf:subject id:system\\/lgwan ; rdf:predicate rdfs:label ; '
        'rdf:object "LGWAN" ; prov:wasDerivedFrom id:document\\/fy2018-plan ; jlis:sourceLine 0 ; jlis:quote "LGWAN" .',
        {(ID["statement/x"], JLIS.sourceLine)}),
    "statement end line before start line": (
        'id:statement\\/x a rdf:Statement ; rdf:subject id:system\\/lgwan ; rdf:predicate rdfs:label ; '
        'rdf:object "LGWAN" ; prov:wasDerivedFrom id:document\\/fy2018-plan ; jlis:sourceLine 9 ; '
        'jlis:sourceLineEnd 8 ; jlis:quote "LGWAN" .',
        {(ID["statement/x"], JLIS.sourceLine)}),
    "statement with empty quote and literal subject": (
        'id:statement\\/x a rdf:Statement ; rdf:subject "LGWAN" ; rdf:predicate rdfs:label ; '
        'rdf:object "LGWAN" ; prov:wasDerivedFrom id:document\\/fy2018-plan ; jlis:sourceLine 9 ; jlis:quote "" .',
        {(ID["statement/x"], JLIS.quote), (ID["statement/x"], RDF.subject)}),
    "observation value without unit": (
        'id:observation\\/x a qb:Observation ; jlis:fiscalYear 2020 ; jlis:lineItem "件数" ; '
        'jlis:figureKind "count" ; jlis:value "5"^^xsd:decimal .',
        {(ID["observation/x"], JLISH.ObservationMeasureShape)}),
    "observation without any breakdown dimension": (
        'id:observation\\/x a qb:Observation ; jlis:fiscalYear 2020 ; jlis:figureKind "budget" ; '
        'jlis:amountJPY "5"^^xsd:decimal .',
        {(ID["observation/x"], JLISH.ObservationShape)}),
    "observation with neither breakdown nor measure": (
        'id:observation\\/x a qb:Observation ; jlis:fiscalYear 2020 ; jlis:figureKind "budget" .',
        {(ID["observation/x"], JLISH.ObservationShape), (ID["observation/x"], JLISH.ObservationMeasureShape)}),
    "observation amount typed integer": (
        'id:observation\\/x a qb:Observation ; jlis:fiscalYear 2020 ; jlis:lineItem "人件費" ; '
        'jlis:figureKind "budget" ; jlis:amountJPY 5 .',
        {(ID["observation/x"], JLIS.amountJPY), (ID["observation/x"], JLISH.ObservationMeasureShape)}),
    "observation without fiscal year or figure kind": (
        'id:observation\\/x a qb:Observation ; jlis:lineItem "人件費" ; jlis:amountJPY "5"^^xsd:decimal .',
        {(ID["observation/x"], JLIS.fiscalYear), (ID["observation/x"], JLIS.figureKind)}),
    "observation segment that is not a segment": (
        'id:observation\\/settlement-2020 jlis:segment id:indicator\\/cards-issued .',
        {(ID["observation/settlement-2020"], JLIS.segment)}),
    "project fiscal year out of range": (
        'id:project\\/lgwan-4-migration jlis:fiscalYear 1959 .',
        {(ID["project/lgwan-4-migration"], JLIS.fiscalYear)}),
    "snapshot graph fiscal year as a string": (
        'graph:fy2018-plan jlis:fiscalYear "2018" .',
        {(URIRef("https://w3id.org/jlis-kg/graph/fy2018-plan"), JLIS.fiscalYear)}),
    "snapshot as-of that is not a date": (
        'graph:fy2018-plan jlis:asOf "2018-04-01T00:00:00"^^xsd:dateTime .',
        {(URIRef("https://w3id.org/jlis-kg/graph/fy2018-plan"), JLIS.asOf)}),
    "discovered in something that is not a document": (
        'id:system\\/lgwan jlis:discoveredIn id:meeting\\/management-council-17 .',
        {(ID["system/lgwan"], JLIS.discoveredIn)}),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_mutation_is_reported_at_its_node(ontology, shapes, name):
    addition, expected = MUTATIONS[name]
    conforms, report, text = run_shapes(data_graph(GOOD_DATA, PREFIXES + addition), ontology, shapes)
    assert not conforms, name
    assert failures(report) == expected, text


def test_subclass_triples_are_needed_without_the_ontology(ontology, shapes):
    """Documents the note in shapes.ttl: pySHACL follows rdfs:subClassOf only in the data
    graph, so without ont_graph (or the subclass triples in the data) sh:class
    org:Organization rejects an org:FormalOrganization, and sh:targetClass
    jlis:InformationSystem misses an instance typed only jlis:Network."""
    data = data_graph(GOOD_DATA, PREFIXES + """
        id:system\\/operated a jlis:InformationSystem ; skos:prefLabel "運営されるシステム"@ja ;
            jlis:operatedBy id:org\\/jlis .
        id:system\\/unlabelled-network a jlis:Network .
    """)
    conforms, report, _ = run_shapes(data, None, shapes)
    assert not conforms
    without = failures(report)
    assert (ID["system/operated"], JLIS.operatedBy) in without
    assert not any(focus == ID["system/unlabelled-network"] for focus, _ in without)

    conforms, report, _ = run_shapes(data, ontology, shapes)
    assert failures(report) == {(ID["system/unlabelled-network"], SKOS.prefLabel)}


def test_rdfs_inference_would_mask_range_violations(ontology, shapes):
    """Documents the note in shapes.ttl: with RDFS inference the range of jlis:legalBasis
    makes any object a jlis:Law, so the build must validate with inference='none'."""
    data = data_graph(GOOD_DATA, PREFIXES + "id:system\\/lgwan jlis:legalBasis id:duty\\/identity-information .")
    conforms, _, _ = run_shapes(data, ontology, shapes, inference="none")
    assert not conforms
    conforms, _, _ = run_shapes(data, ontology, shapes, inference="rdfs")
    assert conforms
