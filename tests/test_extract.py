"""The extractors on real sentences of the source documents, with the real catalogue and cues.

Entities are looked up by name through the catalogue's gazetteer, so these tests
check the extraction, not the slugs the catalogue happens to use.
"""
from __future__ import annotations

import pytest

from jlis_kg.extract import extract_document
from jlis_kg.normalise import normalise_document
from jlis_kg.structure import build_structure


def run(context, text: str, doc_id: str = "excerpt", fiscal_year: int = 2023):
    normalised = normalise_document(doc_id, f"{doc_id}.txt", text)
    structure = build_structure(normalised)
    return normalised, extract_document(normalised, structure, context, fiscal_year)


def triples(extraction, predicate):
    return {(f.subject, f.obj) for f in extraction.facts if f.predicate == predicate}


def test_law_based_duties_get_their_own_law(context, entity):
    # 001_b4d6b1e6e0ba13ff.txt line 44
    text = ("住民基本台帳法に基づく本人確認情報処理事務及び行政手続における特定の個人を識別するための番号の"
            "利用等に関する法律に基づく個人番号とすべき番号の生成等に係る事務を、セキュリティの確保を図りつつ"
            "適正かつ効率的に行う。\n")
    _, extraction = run(context, text)
    found = triples(extraction, "jlis:legalBasis")
    assert (entity("本人確認情報処理事務"), entity("住民基本台帳法")) in found
    assert (entity("個人番号とすべき番号の生成等に係る事務"),
            entity("行政手続における特定の個人を識別するための番号の利用等に関する法律")) in found
    # the cue binds each duty to the law just before it, not to both
    assert (entity("本人確認情報処理事務"),
            entity("行政手続における特定の個人を識別するための番号の利用等に関する法律")) not in found


def test_constituent_servers_are_part_of_each_listed_system(context, entity):
    # 000_636e783586a54437.txt: 本人確認情報処理事務 section
    text = ("住民基本台帳ネットワークシステム、個人番号付番システム及び符号生成に係る住民票コード提供システムを"
            "構成する全国サーバの管理・運用を行う。\n")
    _, extraction = run(context, text)
    found = triples(extraction, "jlis:partOf")
    server = entity("全国サーバ")
    assert (server, entity("住民基本台帳ネットワークシステム")) in found
    assert (server, entity("個人番号付番システム")) in found


def test_platform_offered_as_lgwan_asp_service_is_delivered_via_it(context, entity):
    # 003_b8494e4f247fe3eb.txt: 自治体中間サーバー・プラットフォームの運営
    text = ("地方公共団体情報連携中間サーバーシステム<sup>7</sup>（以下「自治体中間サーバー」という。）を共同化・集約化した"
            "自治体中間サーバー・プラットフォームを LGWAN-ASP<sup>8</sup>サービスとして地方公共団体に提供する。\n"
            "<sup>8</sup> ASP はアプリケーションソフトの機能をネットワーク経由で顧客に提供する事業者のこと。"
            "LGWAN-ASP は、LGWAN を介して顧客である地方公共団体の職員に各種行政事務サービスに係る"
            "アプリケーションソフトの機能を提供する。\n")
    _, extraction = run(context, text)
    delivered = triples(extraction, "jlis:deliveredVia")
    platform = entity("自治体中間サーバー・プラットフォーム")
    assert (platform, entity("LGWAN-ASP")) in delivered
    assert (entity("LGWAN-ASP"), entity("LGWAN")) in delivered
    assert (entity("自治体中間サーバー"), platform) in triples(extraction, "jlis:hostedOn")


def test_document_definitions_become_aliases(context, entity):
    text = "総合行政ネットワーク全国センター（以下「LGWAN 全国センター」という。）は、LGWAN 全国センターとして運営する。\n"
    _, extraction = run(context, text)
    aliases = {(f.subject, f.obj) for f in extraction.facts if f.predicate == "skos:altLabel"}
    # the alias is recorded as the normalised text reads it (no space between LGWAN and CJK)
    assert (entity("総合行政ネットワーク全国センター"), "LGWAN全国センター") in aliases


def test_unknown_system_names_are_discovered_and_related(context, entity):
    text = "新たに構築する広域防災連携システムは、LGWAN を介して地方公共団体に情報を提供する。\n"
    _, extraction = run(context, text)
    discovered = {r.label_ja: r for r in extraction.entities.values()}
    assert "広域防災連携システム" in discovered
    record = discovered["広域防災連携システム"]
    assert record.discovered_in == "excerpt" and "jlis:InformationSystem" in record.types
    assert (record.id, entity("LGWAN")) in triples(extraction, "jlis:deliveredVia")


def test_generic_phrases_are_not_discovered(context):
    text = "地方公共団体の情報システムと既存システムの関連システムを各種システムと接続する。\n"
    _, extraction = run(context, text)
    assert not extraction.entities


def test_every_quote_stands_at_its_source_line(context):
    text = ("\n第２章 事業\n\n１ 総合行政ネットワーク\n\nLGWAN-ASP は、LGWAN を介して\n\n顧客である地方公共団体に"
            "提供する。住民基本台帳法に基\n\nづく本人確認情報処理事務を行う。\n")
    normalised, extraction = run(context, text)
    assert extraction.facts
    lines = text.split("\n")
    for fact in extraction.facts:
        assert fact.evidence.quote and fact.evidence.quote in lines[fact.evidence.line - 1]


@pytest.mark.parametrize("sentence, expected", [
    ("住民基本台帳ネットワークシステム", "住基ネット"),
    ("個人番号カード", "マイナンバーカード"),
    ("中間サーバ", "自治体中間サーバー"),
])
def test_spelling_variants_merge(entity, sentence, expected):
    assert entity(sentence) == entity(expected)
