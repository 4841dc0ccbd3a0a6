"""The whole built graph: provenance, named graphs, and facts the documents state."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS

from jlis_kg.namespaces import GRAPH, ID, JLIS

ROOT = Path(__file__).resolve().parents[1]


def iri(entity_id: str) -> URIRef:
    return ID[entity_id]


def in_graph(dataset, doc_id: str, triple) -> bool:
    return triple in dataset.graph(GRAPH[doc_id])


def test_every_quote_stands_at_its_source_line(dataset):
    files = {}
    for document in dataset.subjects(RDF.type, JLIS.SourceDocument):
        name = str(dataset.value(document, JLIS.fileName))
        files[document] = (ROOT / "data" / name).read_text(encoding="utf-8").split("\n")
    checked = 0
    for statement in dataset.subjects(RDF.type, RDF.Statement):
        lines = files[dataset.value(statement, PROV.wasDerivedFrom)]
        line = int(dataset.value(statement, JLIS.sourceLine))
        quote = str(dataset.value(statement, JLIS.quote))
        assert quote and quote in lines[line - 1], (statement, line, quote)
        checked += 1
    assert checked > 1000


def test_every_extracted_triple_has_evidence_in_its_own_graph(dataset):
    skip = {RDF.type, SKOS.prefLabel, JLIS.fiscalYear, DCTERMS.date, PROV.wasDerivedFrom}
    for context in dataset.graphs():
        name = str(context.identifier)
        if not name.startswith(str(GRAPH)) or name == str(GRAPH["reference"]):
            continue
        documented = {(s, p, o) for st in context.subjects(RDF.type, RDF.Statement)
                      for s, p, o in [(context.value(st, RDF.subject), context.value(st, RDF.predicate),
                                       context.value(st, RDF.object))]}
        for s, p, o in context:
            if p in (JLIS.dependsOn, JLIS.legalBasis, JLIS.partOf, JLIS.responsibleUnit, JLIS.supportsDuty,
                     JLIS.deliveredVia, ORG.unitOf, JLIS.concerns, JLIS.mentions):
                assert (s, p, o) in documented, (name, s, p, o)


def test_document_graphs_carry_their_time_and_source(dataset):
    expected = {"fy2016-plan": 2016, "fy2018-plan": 2018, "fy2018-policy": 2018,
                "fy2020-report": 2020, "fy2023-report": 2023}
    for doc_id, year in expected.items():
        graph = dataset.graph(GRAPH[doc_id])
        assert graph.value(GRAPH[doc_id], JLIS.fiscalYear).toPython() == year
        assert graph.value(GRAPH[doc_id], DCTERMS.date) is not None
        source = graph.value(GRAPH[doc_id], PROV.wasDerivedFrom)
        assert (source, RDF.type, JLIS.SourceDocument) in graph
        assert len(str(graph.value(source, JLIS.sha256))) == 64


def test_meetings_the_documents_were_presented_at(dataset):
    document = ID["document/fy2020-report"]
    meeting = dataset.value(document, JLIS.presentedAt)
    assert dataset.value(meeting, JLIS.sessionNumber).toPython() == 30
    assert str(dataset.value(meeting, DCTERMS.date)) == "2021-06-23"
    assert (meeting, JLIS.meetingOf, None) in dataset


@pytest.mark.parametrize("name", [
    "住民基本台帳ネットワークシステム", "全国サーバ", "附票連携システム", "公的個人認証サービス", "総合行政ネットワーク",
    "LGWAN-ASP", "地方公共団体組織認証基盤", "自治体中間サーバー", "自治体中間サーバー・プラットフォーム",
    "情報提供ネットワークシステム", "カード管理システム", "証明書交付センター", "マイナポータル",
])
def test_named_systems_are_information_systems(dataset, entity, name):
    assert (iri(entity(name)), RDF.type, JLIS.InformationSystem) in dataset


@pytest.mark.parametrize("variant, canonical", [
    ("住基ネット", "住民基本台帳ネットワークシステム"),
    ("LGWAN", "総合行政ネットワーク"),
    ("JPKI", "公的個人認証サービス"),
    ("中間サーバー", "自治体中間サーバー"),
    ("マイナンバー法", "行政手続における特定の個人を識別するための番号の利用等に関する法律"),
    ("住基全国センター", "住民基本台帳ネットワークシステム全国センター"),
])
def test_spellings_merge_into_one_entity_with_alt_labels(dataset, entity, variant, canonical):
    node = iri(entity(canonical))
    assert entity(variant) == entity(canonical)
    labels = {str(o) for o in dataset.objects(node, SKOS.altLabel)} | {str(o) for o in dataset.objects(node, SKOS.prefLabel)}
    assert variant in labels


def test_laws_carry_law_numbers_and_egov_ids(dataset, entity):
    juki = iri(entity("住民基本台帳法"))
    assert str(dataset.value(juki, JLIS.lawNumber)) == "昭和四十二年法律第八十一号"
    assert str(dataset.value(juki, JLIS.eGovLawId)) == "342AC0000000081"


def test_duties_rest_on_their_laws(dataset, entity):
    assert (iri(entity("本人確認情報処理事務")), JLIS.legalBasis, iri(entity("住民基本台帳法"))) in dataset
    assert (iri(entity("認証事務")), JLIS.legalBasis, iri(entity("公的個人認証法"))) in dataset


def test_responsible_units_are_dated_by_their_snapshot(dataset, entity):
    triple = (iri(entity("附票連携システム")), JLIS.responsibleUnit, iri(entity("住基全国センター")))
    assert in_graph(dataset, "fy2023-report", triple)
    # 附票連携システム is not in the FY2020 organisation section
    assert not in_graph(dataset, "fy2020-report", triple)
    lgwan = (iri(entity("LGWAN")), JLIS.responsibleUnit, iri(entity("LGWAN全国センター")))
    assert in_graph(dataset, "fy2020-report", lgwan) and in_graph(dataset, "fy2023-report", lgwan)


def test_unit_hierarchy_per_snapshot(dataset, entity):
    for doc_id in ("fy2020-report", "fy2023-report"):
        assert in_graph(dataset, doc_id, (iri(entity("情報化支援戦略部")), ORG.unitOf, iri(entity("事務局"))))
        assert in_graph(dataset, doc_id, (iri(entity("事務局")), ORG.unitOf, iri(entity("機構"))))
        assert in_graph(dataset, doc_id, (iri(entity("機構")), ORG.hasUnit, iri(entity("監査室"))))
    assert in_graph(dataset, "fy2023-report", (iri(entity("個人番号センター運用管理本部")), ORG.unitOf, iri(entity("機構"))))


def test_lgwan_dependents_with_evidence(dataset, entity):
    lgwan = iri(entity("LGWAN"))
    platform = iri(entity("自治体中間サーバー・プラットフォーム"))
    dependents = {row[0] for row in dataset.query(
        "SELECT ?s WHERE { ?s jlis:dependsOn+ ?lgwan }", initNs={"jlis": JLIS}, initBindings={"lgwan": lgwan})}
    assert platform in dependents and iri(entity("LGWAN-ASP")) in dependents
    statements = list(dataset.subjects(RDF.subject, platform))
    quotes = [str(dataset.value(st, JLIS.quote)) for st in statements
              if dataset.value(st, RDF.predicate) == JLIS.deliveredVia]
    assert any("LGWAN-ASP" in q for q in quotes)


def test_projects_have_a_fiscal_year_and_the_systems_they_concern(dataset, entity):
    rows = list(dataset.query("""
        SELECT ?p ?label WHERE { ?p a jlis:Project ; jlis:fiscalYear 2020 ; skos:prefLabel ?label ;
                                    jlis:concerns ?s . }""",
                              initNs={"jlis": JLIS, "skos": SKOS}, initBindings={"s": iri(entity("LGPKI"))}))
    labels = {str(label) for _, label in rows}
    assert any("LGPKI" in label for label in labels), labels


def test_agency_purpose_is_not_confused_with_other_bodies(dataset, entity):
    # 「国立病院機構」 names another body; 「機構」 alone is J-LIS
    assert entity("機構") == entity("地方公共団体情報システム機構")
    assert (iri(entity("地方公共団体情報システム機構")), RDF.type, ORG.FormalOrganization) in dataset
    assert Literal("地方公共団体情報システム機構", lang="ja") in set(
        dataset.objects(iri(entity("J-LIS")), SKOS.prefLabel))
