"""Events (extract/events.py with data/reference/events.yaml) on real sentences and documents.

Every expected event is one the source text states, with the document and line it stands on.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from jlis_kg.extract import extract_document
from jlis_kg.extract.events import (config_for, event_id, events_in_sentence, extract_events, find_cues,
                                    load_event_config)
from jlis_kg.extract.mentions import MentionFinder
from jlis_kg.model import Block, Extraction, InputError
from jlis_kg.namespaces import ID, JLIS
from jlis_kg.normalise import normalise_document
from jlis_kg.query import named_queries, run_query
from jlis_kg.structure import build_structure
from jlis_kg.values import parse_date

from corpus import corpus_document as _structured, fiscal_year  # noqa: E402  (tests/corpus.py)

ROOT = Path(__file__).resolve().parents[1]


def sentence_events(context, text: str, fiscal_year: int = 2018):
    """The events of one normalised sentence (the first sentence of ``text``)."""
    finder = MentionFinder(context.gazetteer, None, "excerpt")
    block = Block(text=text, spans=((0, 1),))
    config = config_for(context)
    found = []
    for sentence in finder.sentences(block):
        found += events_in_sentence(sentence, config, fiscal_year)
    return found


def corpus_document(doc_id: str):
    return (*_structured(doc_id), fiscal_year(doc_id))


def summary(events):
    return {(e.type, e.date.iso(), frozenset(e.concerned)) for e in events}




def document_events(context, doc_id: str):
    normalised, structure, fiscal_year = corpus_document(doc_id)
    finder = MentionFinder(context.gazetteer, None, doc_id)
    facts = extract_events(normalised, structure, finder, context, fiscal_year, Extraction(doc_id))
    events = {}
    for fact in facts:
        events.setdefault(fact.subject, []).append(fact)
    return events


def by(facts, predicate):
    return [f.obj for f in facts if f.predicate == predicate]


# ───────────────────────── sentences ─────────────────────────

def test_a_history_sentence_gives_each_system_its_start(context, entity):
    # 002_30edfa049e41c3a0.txt line 9 (fy2018-policy), normalised
    text = ("平成13年4月から総合行政ネットワーク、平成14年8月からは住民基本台帳ネットワークシステムの運用を開始し、"
            "その後、平成25年5月のマイナンバー関連4法の成立を受けて、平成26年4月から公的個人認証サービスの運用開始、"
            "マイナンバー制度の導入に必要なシステムの開発を行い、平成27年10月からマイナンバーの通知、"
            "平成28年1月からマイナンバーカードの発行、平成28年4月からはマイナンバーを活用した情報連携の開始に向けて"
            "自治体中間サーバー・プラットフォームの運用を開始した。")
    found = summary(sentence_events(context, text))
    assert ("operation-start", "2001-04", frozenset({entity("総合行政ネットワーク")})) in found
    assert ("operation-start", "2002-08", frozenset({entity("住民基本台帳ネットワークシステム")})) in found
    assert ("enactment", "2013-05", frozenset({entity("マイナンバー法")})) in found
    assert ("operation-start", "2014-04", frozenset({entity("公的個人認証サービス")})) in found
    assert ("issuance-start", "2016-01", frozenset({entity("マイナンバーカード")})) in found
    assert ("operation-start", "2016-04", frozenset({entity("自治体中間サーバー・プラットフォーム")})) in found
    assert any(t == "notification-start" and d == "2015-10" for t, d, _ in found)
    # the enactment concerns no system named earlier in the sentence
    assert not any(t == "enactment" and entity("総合行政ネットワーク") in c for t, _, c in found)


def test_same_year_dates_and_full_operation(context, entity):
    # fy2018-policy line 9: 同年11月 leans on 平成29年7月
    text = "そして、国及び地方公共団体等による総合運用テスト、本番用副本登録作業等を経て、平成29年7月から情報連携の試行運用、同年11月から本格運用が開始された。"
    found = summary(sentence_events(context, text))
    network = entity("情報提供ネットワークシステム")
    assert ("trial-operation-start", "2017-07", frozenset({network})) in found
    assert ("operation-start", "2017-11", frozenset({network})) in found


def test_designation_under_the_cybersecurity_basic_act(context, entity):
    # 000_636e783586a54437.txt footnote 25 (line 611)
    text = "機構は、平成28年10月に、サイバーセキュリティ基本法第13条に基づく指定法人とされた。"
    (event,) = sentence_events(context, text)
    assert event.type == "designation" and event.date.iso() == "2016-10" and event.date.precision == "month"
    assert set(event.concerned) == {entity("地方公共団体情報システム機構"), entity("サイバーセキュリティ基本法")}


def test_the_2016_card_management_system_failure_is_an_incident_of_that_year(context, entity):
    # fy2018-policy line 15 and fy2016-plan line 479
    (event,) = sentence_events(context, "また、平成28年のカード管理システムの障害等に係る教訓を生かすとともに、"
                                        "昨年の地方公共団体情報システム機構法等の改正の趣旨を踏まえ、組織体制の強化を図る。")
    assert (event.type, event.date.iso(), event.date.precision) == ("incident", "2016", "year")
    assert event.concerned == (entity("カード管理システム"),)
    (earlier,) = sentence_events(context, "また、平成28年1月に発生したカード管理システムの不具合に対する対応結果への反省も踏まえ、"
                                          "緊急時の対応体制を改善した。", fiscal_year=2016)
    assert (earlier.type, earlier.date.iso()) == ("incident", "2016-01")


def test_completion_then_operation_share_the_date(context, entity):
    # 004_ef74194c5193d994.txt line 2369
    found = summary(sentence_events(context, "令和5年7月に附票都道府県サーバの構築が完了し、稼働開始した。", 2023))
    server = frozenset({entity("附票都道府県サーバ")})
    assert found == {("construction-complete", "2023-07", server), ("operation-start", "2023-07", server)}


def test_planned_events(context, entity):
    # 004 line 2885: 次期LGWAN is the fifth generation in the FY2023 report
    text = ("次期LGWAN(第五次LGWAN)について、令和6年10月の運用開始に向け、地方公共団体等による"
            "「次期LGWANに関する検討会」での取りまとめ結果を踏まえ、次期LGWANの仕様を作成した。")
    (event,) = sentence_events(context, text, 2023)
    assert (event.type, event.date.iso(), event.planned) == ("planned-operation-start", "2024-10", True)
    assert event.concerned == (entity("第五次LGWAN"),)
    # 003 line 969: 予定 after the cue
    (later,) = sentence_events(context, "令和3年7月には全ての地方公共団体の移行を完了する予定である。", 2020)
    assert later.type == "planned-migration-complete"
    # a fiscal year an operation starts from: the date is the year it starts in
    (fy,) = sentence_events(context, "平成31年度から本格運用を開始する予定の第四次LGWANへの移行に向けて、接続団体に対する支援を行う。")
    assert (fy.type, fy.date.iso(), fy.fiscal, fy.concerned) == (
        "planned-operation-start", "2019", True, (entity("第四次LGWAN"),))


def test_past_tense_is_not_planned(context):
    # 004 line 1796: 「に向けた」 belongs to the plan's name, after 「改訂された」
    (event,) = sentence_events(context, "令和5年度は、令和5年6月に改訂されたデジタル社会の実現に向けた重点計画、"
                                        "中期目標に基づき策定した中期計画に掲げた取組を実施した。", 2023)
    assert event.type == "revision" and event.date.iso() == "2023-06"
    assert "重点計画" in event.wording


def test_coordinated_dates_of_one_meeting_cue(context, entity):
    # 003 line 497
    found = summary(sentence_events(context, "機構処理事務特定個人情報等の保護に関する事項を調査審議する"
                                             "機構処理事務特定個人情報等保護委員会を、令和2年7月及び令和3年3月に開催した。", 2020))
    committee = frozenset({entity("機構処理事務特定個人情報等保護委員会")})
    assert found == {("meeting", "2020-07", committee), ("meeting", "2021-03", committee)}


def test_dates_that_are_not_event_dates(context):
    # a date in a parenthesis belongs to the noun before it (003 footnote 18): the plan's adoption,
    # no event of the sentence's own verb
    assert [(e.type, e.wording) for e in sentence_events(
        context, "第1次情報セキュリティ基本計画(平成18年2月2日)に基づき、IT障害の未然防止等のため"
                 "政府等から提供される情報について共有する。")] == [("adoption", "第1次情報セキュリティ基本計画")]
    # a version label dates the revision it names (003 line 955): 「令和2年6月版の…改版」
    (event,) = sentence_events(context, "令和2年6月版のデータ標準レイアウト改版に係るテスト及び副本登録作業等が円滑に進められるよう、"
                                        "地方公共団体の支援を行った。", 2020)
    assert (event.type, event.date.iso()) == ("revision", "2020-06") and "データ標準レイアウト" in event.wording
    # stable operation is no operation start
    assert find_cues("システムの安定稼働に取り組む。", load_event_config(ROOT / "data/reference/events.yaml")) == []


def test_bracketed_cabinet_decision_names_the_plan(context):
    # 003 line 909
    text = ("電子証明書の利便性の抜本的向上等の観点から、デジタル・ガバメント実行計画(令和2年12月閣議決定)に盛り込まれた"
            "「国・地方デジタル化指針」に示された電子証明書のスマートフォン搭載について検討を行った。")
    (event,) = sentence_events(context, text, 2020)
    assert event.type == "cabinet-decision" and event.date.iso() == "2020-12"
    assert "デジタル・ガバメント実行計画" in event.wording and event.concerned == ()


# ───────────────────────── whole documents ─────────────────────────

def test_founding_from_the_basic_information_section_and_the_text_is_one_event(context, entity):
    events = document_events(context, "fy2020-report")
    agency = entity("地方公共団体情報システム機構")
    founding = event_id("founding", parse_date("平成26年4月1日"), (agency,))
    facts = events[founding]
    assert by(facts, "dcterms:date") == ["2014-04-01"] * len(by(facts, "dcterms:date"))
    assert {f.datatype for f in facts if f.predicate == "dcterms:date"} == {"xsd:date"}
    lines = {f.evidence.line for f in facts}
    assert {86, 565} <= lines  # 「2 設立年月日 / 平成26年4月1日」 and 「…平成26年4月1日に設立された。」


def test_the_same_event_in_two_documents_has_one_id(context, entity):
    plan, policy = document_events(context, "fy2018-plan"), document_events(context, "fy2018-policy")
    lgwan_start = event_id("operation-start", parse_date("平成13年4月"), (entity("LGWAN"),))
    assert lgwan_start in plan and lgwan_start in policy
    assert {f.evidence.line for f in plan[lgwan_start]} == {112}
    assert {f.evidence.line for f in policy[lgwan_start]} == {9}
    # the quote is the verbatim source line the event stands on
    assert "平成 13 年 4 月から総合行政ネットワーク" in policy[lgwan_start][0].evidence.quote


def test_every_event_has_a_lower_case_type_and_a_date_as_precise_as_the_text(context):
    for doc_id in ("fy2016-plan", "fy2018-plan", "fy2020-report", "fy2023-report"):
        for node, facts in document_events(context, doc_id).items():
            (event_type,) = set(by(facts, "jlis:eventType"))
            assert event_type == event_type.lower() and event_type.isascii(), event_type
            (date,) = set(by(facts, "dcterms:date"))
            (datatype,) = {f.datatype for f in facts if f.predicate == "dcterms:date"}
            assert datatype == {4: "xsd:gYear", 7: "xsd:gYearMonth", 10: "xsd:date"}[len(date)]
            assert any(f.lang == "ja" for f in facts if f.predicate == "skos:prefLabel")


def test_events_of_the_fy2023_report(context, entity):
    events = document_events(context, "fy2023-report")
    found = {(by(f, "jlis:eventType")[0], by(f, "dcterms:date")[0], frozenset(by(f, "jlis:concerns")))
             for f in events.values()}
    assert ("operation-start", "2023-07", frozenset({entity("附票都道府県サーバ")})) in found
    assert ("planned-operation-start", "2024-10", frozenset({entity("第五次LGWAN")})) in found
    assert ("planned-operation-start", "2024-12", frozenset({entity("第五次LGPKI")})) in found
    assert ("operation-start", "2023-12", frozenset({entity("コンビニ交付")})) in found
    assert ("operation-start", "2024-01", frozenset({entity("コンビニ交付")})) in found
    assert ("meeting", "2024-02", frozenset({entity("本人確認情報保護委員会")})) in found


def test_cue_phrases_are_data(tmp_path, context):
    """A new kind of event is a new entry of events.yaml, not code."""
    text = (ROOT / "data/reference/events.yaml").read_text(encoding="utf-8")
    text = text.replace("event_types:\n", "event_types:\n  - type: go-live\n    ja: 本稼働\n    en: go-live\n"
                                          "    cues: [本稼働]\n", 1)
    (tmp_path / "events.yaml").write_text(text, encoding="utf-8")
    config = load_event_config(tmp_path / "events.yaml")
    finder = MentionFinder(context.gazetteer, None, "excerpt")
    (sentence,) = finder.sentences(Block(text="令和5年4月に附票連携システムが本稼働した。", spans=((0, 1),)))
    (event,) = events_in_sentence(sentence, config, 2023)
    assert event.type == "go-live" and event.date.iso() == "2023-04"


def test_a_broken_events_file_is_an_input_error(tmp_path):
    (tmp_path / "events.yaml").write_text("event_types: [{type: Bad Type}]\n", encoding="utf-8")
    with pytest.raises(InputError, match="events.yaml"):
        load_event_config(tmp_path / "events.yaml")
    with pytest.raises(InputError, match="missing"):
        load_event_config(tmp_path / "nowhere.yaml")


def test_events_come_out_of_extract_document(context, entity):
    text = "機構は、平成28年10月に、サイバーセキュリティ基本法第13条に基づく指定法人とされた。\n"
    normalised = normalise_document("excerpt", "excerpt.txt", text)
    extraction = extract_document(normalised, build_structure(normalised), context, 2018)
    assert ("jlis:eventType", "designation") in {(f.predicate, f.obj) for f in extraction.facts}


# ───────────────────────── the built graph ─────────────────────────

def test_graph_events_merge_across_documents_with_evidence(dataset, entity):
    lgwan = ID[entity("LGWAN")]
    (event,) = [e for e in dataset.subjects(JLIS.concerns, lgwan)
                if (e, JLIS.eventType, Literal("operation-start")) in dataset
                and (e, DCTERMS.date, Literal("2001-04", datatype=XSD.gYearMonth)) in dataset]
    documents = {str(dataset.value(st, PROV.wasDerivedFrom)).rsplit("/", 1)[-1]
                 for st in dataset.subjects(RDF.subject, event)}
    assert {"fy2018-plan", "fy2018-policy"} <= documents


def test_graph_every_event_has_one_date_and_one_type(dataset):
    events = set(dataset.subjects(RDF.type, JLIS.Event))
    assert len(events) >= 50
    for event in events:
        assert len(set(dataset.objects(event, DCTERMS.date))) == 1, event
        (event_type,) = set(dataset.objects(event, JLIS.eventType))
        assert str(event_type).replace("-", "").isalpha() and str(event_type) == str(event_type).lower()


def test_query_system_events_in_date_order(dataset):
    query = named_queries(ROOT / "queries")["system-events"]
    variables, rows = run_query(dataset, query, {"system": "カード管理システム"})
    table = [dict(zip(variables, map(str, row))) for row in rows]
    # the failure, and the storage and equipment of the sections on the card system (「…を可能と
    # するため、令和2年7月にストレージの増設」: the card named in the purpose clause is not the subject)
    assert [(r["date"], r["eventType"]) for r in table] == [
        ("2016", "incident"), ("2016-01", "incident"), ("2020-07", "capacity-expansion"),
        ("2023-10", "equipment-renewal")]
    assert "fy2016-plan:479" in table[1]["sources"]
    variables, rows = run_query(dataset, query)
    dates = [str(row[variables.index("date")]) for row in rows]
    assert dates == sorted(dates) and "2001-04" in dates and "2002-08" in dates
    assert run_query(dataset, query, {"system": "LGWAN"})[1], "an alias resolves to the system"


def test_fiscal_year_followers_purpose_clauses_and_vendors(context, entity):
    # 003 line 551: 「平成31年度に設置した…」 is a date (a fiscal-year follower of events.yaml)
    found = summary(sentence_events(context, "平成31年度に設置した最高情報セキュリティ責任者及び情報セキュリティ委員会により、"
                                             "情報セキュリティ管理を行った。", 2020))
    assert ("reorganisation", "2019", frozenset({entity("情報セキュリティ委員会")})) in found
    # 003 line 840: the card is the purpose of the storage expansion, not its subject
    (event,) = sentence_events(context, "累計1.3億枚のマイナンバーカード発行を可能とするため、令和2年7月にストレージの増設を実施した。",
                               2020)
    assert event.type == "capacity-expansion" and entity("マイナンバーカード") not in event.concerned
    # 004 line 3085: 「証明発行サーバ事業者」 are the vendors, not the server
    events = sentence_events(context, "令和6年度からの運用開始に向け、市区町村及び証明発行サーバ事業者に周知を行った。", 2023)
    assert all(entity("証明発行サーバ") not in e.concerned for e in events)


def test_a_plan_announces_what_its_own_year_will_bring(context):
    # 000 line 289: a plan for FY2018 speaks of July 2018 in the non-past: planned
    (event,) = sentence_events(context, "平成30年7月版のデータ標準レイアウト改版に係るテスト及び副本登録作業等が円滑に進められるよう、"
                                        "地方公共団体の支援を行う。", 2018)
    assert event.type == "planned-revision"
    # the same sentence of a report is in the past: done
    (event,) = sentence_events(context, "平成30年7月版のデータ標準レイアウト改版に係るテスト及び副本登録作業等が円滑に進められるよう、"
                                        "地方公共団体の支援を行った。", 2018)
    assert event.type == "revision"


# ───────────────────────── dates without a full year, dated titles, notes ─────────────────────────

def test_last_year_is_the_year_before_the_document_was_written(context, entity):
    # 000 line 118 (fy2018-plan, dated 2018-03-01): 「昨年の…機構法等の改正」 is a 2017 revision
    text = ("また、平成28年のカード管理システムの障害等に係る教訓を生かすとともに、昨年の地方公共団体情報システム機構法等の"
            "改正の趣旨を踏まえ、PDCAサイクルによる内部統制の強化及び人的資源の充実により、組織体制の強化を図るものとする。")
    finder = MentionFinder(context.gazetteer, None, "excerpt")
    (sentence,) = finder.sentences(Block(text=text, spans=((0, 1),)))
    found = summary(events_in_sentence(sentence, config_for(context), 2018, reference_year=2018))
    assert ("revision", "2017", frozenset({entity("地方公共団体情報システム機構法")})) in found
    assert ("incident", "2016", frozenset({entity("カード管理システム")})) in found
    # without the document's date, 昨年 is no date
    assert not any(t == "revision" for t, _, _ in summary(sentence_events(context, text)))
    # the whole document: the manifest dates fy2018-plan 2018-03-01
    events = document_events(context, "fy2018-plan")
    assert any(set(by(f, "jlis:eventType")) == {"revision"} and set(by(f, "dcterms:date")) == {"2017"}
               and entity("地方公共団体情報システム機構法") in by(f, "jlis:concerns") for f in events.values())


def test_a_month_and_day_fall_in_the_fiscal_year_the_sentence_is_about(context):
    # 003 line 828: 「令和2年度においては、5月25日に…への切り替え」
    text = ("令和2年度においては、5月25日に通知カードから個人番号通知書への切り替えを行い、令和2年度中に約33万枚の"
            "通知カード等を、また、約86万枚の個人番号通知書を作成・発送した。")
    events = sentence_events(context, text, 2020)
    (event,) = [e for e in events if e.base.type == "migration"]
    assert (event.type, event.date.iso(), event.date.precision) == ("migration", "2020-05-25", "day")
    assert "個人番号通知書" in event.wording and not event.concerned
    # January of a fiscal year is in the next calendar year
    (january,) = sentence_events(context, "令和2年度は、1月12日に通知カードから個人番号通知書への切り替えを行った。", 2020)
    assert january.date.iso() == "2021-01-12"


def test_a_plan_for_the_topic_fiscal_year(context, entity):
    # 001 line 477 (fy2016-plan): no date near 「設置する」, the sentence is about 平成28年度
    text = ("平成28年度は、引き続き個人番号カードの着実な発行に努めるとともに、平成29年1月に開始する国の行政機関による"
            "情報連携に向けて、関連システムの開発、運用をより安定的に実施できるよう、個人番号関連部署を統合・再編し、"
            "企画部、公的個人認証部、個人番号カード部及び中間サーバー部により構成する個人番号センターを設置する。")
    found = {(e.type, e.date.iso(), e.fiscal, e.concerned) for e in sentence_events(context, text, 2016)}
    assert ("planned-reorganisation", "2016", True, (entity("個人番号センター"),)) in found
    assert ("planned-operation-start", "2017-01", False, (entity("情報提供ネットワークシステム"),)) in found
    # what a report says it did in its year is no dated happening (003 line 1453 area)
    assert not sentence_events(context, "令和2年度は、全国各地で個人番号センターの説明会を開催した。", 2020)


def test_a_title_dated_by_the_bracket_after_it(context, entity):
    # 001 line 467 (footnote 19)
    (event,) = sentence_events(context, "第1次情報セキュリティ基本計画(平成18年2月2日)に基づき、IT障害の未然防止等のため"
                                        "政府等から提供される情報について関係重要インフラ分野で共有する。", 2016)
    assert (event.type, event.date.iso(), event.wording) == ("adoption", "2006-02-02", "第1次情報セキュリティ基本計画")
    # 000 line 1004: the body that issued it stands in the bracket too
    events = sentence_events(context, "日本年金機構が被保険者に係る氏名変更届及び住所変更届の提出を省略(「行政手続コスト」削除の"
                                      "ための基本計画(厚生労働省、平成29年6月))できるよう、照会しようとするものである。")
    assert [(e.type, e.date.iso(), e.wording) for e in events] == [
        ("adoption", "2017-06", "「行政手続コスト」削除のための基本計画")]
    # 000 line 1032: quoted 制度 names are foundings
    text = ("我が国における住民の把握・記録を行う制度は、明治4年の戸籍法制定以降、「寄留制度」(大正3年)「住民登録制度」"
            "(昭和26年)を経て、現在の「住民基本台帳制度」(昭和42年(1967年))に至っている。")
    found = {(e.type, e.date.iso(), e.wording or e.concerned) for e in sentence_events(context, text)}
    assert {("founding", "1914", "寄留制度"), ("founding", "1951", "住民登録制度"),
            ("founding", "1967", "住民基本台帳制度")} <= found
    assert ("adoption", "1871") in {(t, d) for t, d, _ in found}
    # a bracket with more than a date is no dated title: 「(令和2年4月現在、総務省調べ…)」
    assert not sentence_events(context, "LGWAN-ASPの利用団体数は増加した(令和2年4月現在、総務省調べ)。", 2020)


def test_a_bracketed_note_is_said_of_the_previous_sentence_s_subject(context, entity):
    # 000 line 1004: 「日本年金機構が…照会しようとするものである。(平成30年3月より開始予定)」
    events = document_events(context, "fy2018-plan")
    assert any(set(by(f, "jlis:eventType")) == {"planned-operation-start"} and set(by(f, "dcterms:date")) == {"2018-03"}
               and set(by(f, "jlis:concerns")) == {entity("日本年金機構")} for f in events.values())


def test_a_labelled_date_in_a_list_dates_the_cue_above(context):
    # 003 lines 1450-1453: 「…パネルディスカッション及び特別講演を開催した。」 / 「・開催月日：令和 3 年 1 月 12 日（火）～ 13 日（水）」
    events = document_events(context, "fy2020-report")
    held = {by(f, "dcterms:date")[0]: by(f, "skos:prefLabel")[0] for f in events.values()
            if set(by(f, "jlis:eventType")) == {"meeting"}}
    assert "2021-01-12" in held and "地方自治情報化推進フェアオンライン" in held["2021-01-12"]
    assert "2021-01-27" in held and "情報システム展示会" in held["2021-01-27"]


def test_a_system_from_a_date_on_is_its_start(context, entity):
    # 003 line 571: 「令和2年9月からのマイナポイントによる消費活性化策」
    text = ("また、マイナンバーカードは、令和2年9月からのマイナポイントによる消費活性化策での活用や令和3年1月から実施した"
            "マイナンバーカード未取得者へのQRコード付き交付申請書の再送付等による申請者数増加に対応するため、"
            "システム改修や申請受付・発行体制の強化を行った。")
    found = summary(sentence_events(context, text, 2020))
    assert ("operation-start", "2020-09", frozenset({entity("マイナポイント")})) in found
    assert not any(t == "operation-start" and entity("マイナンバーカード") in c for t, _, c in found)


def test_a_start_said_of_its_object_alone(context, entity):
    # 004 line 2556: the start of the integration of the driving licence and the card, not of the card
    (event,) = sentence_events(context, "令和6年度中に運転免許証とマイナンバーカードの一体化を開始するため、関係省庁と調整の上、"
                                        "申請受付・発行システム等の改修及び機器調達等の検討を進めた。", 2023)
    assert (event.type, event.date.iso(), event.concerned) == ("planned-operation-start", "2024", ())
    assert "運転免許証" in event.wording
    # 004 line 2783: starting to build is no start of operation
    events = sentence_events(context, "令和6年10月の運用開始に向け、次期LGWANの構築を開始した。", 2023)
    assert [(e.type, e.date.iso()) for e in events] == [("planned-operation-start", "2024-10")]
    # 001 line 251 area: 「本格運用を開始する」 is one start, not two
    events = sentence_events(context, "平成31年度から本格運用を開始する予定の第四次LGWANへの移行に向けて、接続団体に対する支援を行う。")
    assert len(events) == 1
    # 004 line 2501: the face-authentication card is an entity of its own
    (event,) = sentence_events(context, "また、顔認証マイナンバーカードが令和5年12月より運用開始されたことにともない、"
                                        "パンフレットを更新した。", 2023)
    assert event.concerned == (entity("顔認証マイナンバーカード"),)


def test_the_quoted_object_and_the_agents_of_a_cue(context, entity):
    # 003 line 877: what was sent from November 2019 on is the quoted notice, not the card
    (event,) = sentence_events(context, "令和元年11月より、マイナンバーカードの有効期限が到来する住民に対して、更新時期をお知らせする"
                                        "「有効期限切れ通知」を印刷・発送し、令和2年度は、約740万通の有効期限切れ通知書を発送した。", 2020)
    assert (event.type, event.date.iso(), event.concerned) == ("notification-start", "2019-11", ())
    assert event.wording == "「有効期限切れ通知」を印刷・発送し"
    # 000 line 371 (footnote 16): 内閣官房 and 総務省 adopted the programme; the event is about the programme
    (event,) = sentence_events(context, "平成28年12月に内閣官房、総務省等が策定・公表したワンストップ・カードプロジェクト"
                                        "アクションプログラムのこと。")
    assert (event.type, event.date.iso(), event.concerned) == ("adoption", "2016-12", ())
    assert event.wording.endswith("ワンストップ・カードプロジェクトアクションプログラム")


def test_cue_settings_of_their_own_are_checked(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text("event_types:\n  - type: start\n    cues: [{cue: を開始, colour: red}]\n", encoding="utf-8")
    with pytest.raises(InputError, match="cue of 'start'"):
        load_event_config(path)
    path.write_text("event_types:\n  - type: start\n    cues: [{cue: を開始する, object_only: true, max_distance: 9}]\n",
                    encoding="utf-8")
    config = load_event_config(path)
    (cue,) = find_cues("令和6年度中に一体化を開始する", config)
    assert cue.object_only and cue.max_distance == 9
