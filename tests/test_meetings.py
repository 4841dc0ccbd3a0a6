"""Meetings (extract/meetings.py): the 開催状況 tables and the cover pages of meeting materials.

Every expected meeting, date and agenda item is what the source file states at the line given.
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF, XSD

from jlis_kg.extract.events import config_for
from jlis_kg.extract.meetings import agenda_items, cover_meeting, extract_meetings, meeting_tables, statement_meeting
from jlis_kg.extract.mentions import MentionFinder
from jlis_kg.model import Extraction
from jlis_kg.namespaces import ID, JLIS
from jlis_kg.normalise import normalise_text
from jlis_kg.query import named_queries, run_query

from corpus import corpus_document  # noqa: E402  (tests/corpus.py)

ROOT = Path(__file__).resolve().parents[1]




def meetings_of(context, doc_id: str) -> dict[tuple[str, int], object]:
    normalised, structure = corpus_document(doc_id)
    finder = MentionFinder(context.gazetteer, None, doc_id)
    found = meeting_tables(normalised, structure, finder, config_for(context).meetings)
    return {(m.committee, m.fiscal_year if m.per_year else 0, m.session): m for m in found}


def items(meeting) -> list[str]:
    return [text for text, _, _ in meeting.items]


# ───────────────────────── agenda cells ─────────────────────────

def test_html_list_items_are_agenda_items():
    raw = ('<ul style="list-style-type: none"> <li>・ 令和元年度決算</li> <li>・ 通知カード・個人番号カード'
           '関連事務の委任に係る令和2年度交付金の変更について</li> <li>・ 公的個人認証サービス<sup>3</sup>に係る'
           '令和3年度負担金</li> </ul>')
    found = [t for t, _, _ in agenda_items([(1, raw, normalise_text(raw))])]
    assert found == ["令和元年度決算", "通知カード・個人番号カード関連事務の委任に係る令和2年度交付金の変更について",
                     "公的個人認証サービスに係る令和3年度負担金"]


def test_a_bullet_inside_a_word_is_no_new_item():
    raw = "・ 令和元年度決算 ・ 脆弱性診断・ペネトレーションテストの結果について等"
    found = [t for t, _, _ in agenda_items([(7, raw, normalise_text(raw))])]
    assert found == ["令和元年度決算", "脆弱性診断・ペネトレーションテストの結果について等"]


def test_hard_broken_bullets_are_joined():
    # 004_ef74194c5193d994.txt lines 375-381
    lines = [(375, "・令和６年度事業計画 ", "・令和6年度事業計画"),
             (377, "・地方公共団体情報システム機構における個人", "・地方公共団体情報システム機構における個人"),
             (379, "番号カード関係事務に係る年度計画（令和６", "番号カード関係事務に係る年度計画(令和6"),
             (381, "年度） ", "年度)")]
    found = agenda_items(lines)
    assert found == [("令和6年度事業計画", 375, 375),
                     ("地方公共団体情報システム機構における個人番号カード関係事務に係る年度計画(令和6年度)", 377, 381)]


# ───────────────────────── fy2020-report (TSV and HTML tables) ─────────────────────────

def test_fy2020_representatives_council(context, entity):
    found = meetings_of(context, "fy2020-report")
    council = entity("代表者会議")
    sessions = {s: m for (c, _, s), m in found.items() if c == council}
    assert sorted(sessions) == [33, 34, 35, 36, 37]
    assert sessions[33].date.iso() == "2020-04-01" and sessions[33].line == 234
    assert items(sessions[33]) == ["議長の互選", "経営審議委員会委員の任命", "役員の任命同意"]
    assert "通知カード・個人番号カード関連事務及び認証業務関連事務の委任に係る令和2年度交付金の変更について" in items(sessions[35])
    # the row of 第37回 continues on line 240
    assert len(items(sessions[37])) == 9 and items(sessions[37])[-1] == "LGWANに係る令和3年度負担金"
    assert sessions[37].date.iso() == "2021-03-12"


def test_fy2020_management_council_and_internal_committees(context, entity):
    found = meetings_of(context, "fy2020-report")
    council = {s: m for (c, _, s), m in found.items() if c == entity("経営審議委員会")}
    assert sorted(council) == [25, 26, 27, 28, 29]
    assert council[27].date.iso() == "2020-06-22"
    assert items(council[27]) == ["令和元年度決算", "令和2年度6月補正予算"]
    risk = {s: m for (c, fy, s), m in found.items() if c == entity("リスク管理委員会")}
    assert sorted(risk) == [1, 2, 3, 4, 5]
    assert risk[3].per_year and risk[3].id == "meeting/risk-management-fy2020-3"
    assert items(risk[3]) == ["脆弱性情報の共有時における対応について等"]
    security = {s: m for (c, fy, s), m in found.items() if c == entity("情報セキュリティ委員会")}
    assert items(security[3]) == ["事務系LANシステムにおけるセキュリティ対策について等"]  # lines 322-324
    monitoring = {s: m for (c, fy, s), m in found.items() if c == entity("契約監視委員会")}
    assert monitoring[2].date.iso() == "2021-02-03" and len(items(monitoring[2])) == 2


# ───────────────────────── fy2023-report (PDF text) ─────────────────────────

def test_fy2023_representatives_council_across_the_page_break(context, entity):
    found = meetings_of(context, "fy2023-report")
    sessions = {s: m for (c, _, s), m in found.items() if c == entity("代表者会議")}
    assert sorted(sessions) == [47, 48, 49, 50, 51, 52, 53]
    # 第53回 stands under the caption of 第4表 (members of the management council): it
    # continues the representatives' council, whose 第52回 this report lists
    assert sessions[53].date.iso() == "2024-03-27" and sessions[53].line == 457
    # the agenda of 第52回 goes on after footnote 3 (lines 435-455)
    agenda = items(sessions[52])
    assert agenda[:3] == ["令和5年3月補正予算", "令和6年度事業計画",
                          "地方公共団体情報システム機構における個人番号カード関係事務に係る年度計画(令和6年度)"]
    assert "公的個人認証サービスに係る令和6年度負担金" in agenda  # footnote marker 3 removed
    assert agenda[-2:] == ["定款の変更", "業務方法書の変更"] and len(agenda) == 10


def test_fy2023_risk_management_rows_under_a_misplaced_caption(context, entity):
    found = meetings_of(context, "fy2023-report")
    risk = {s: m for (c, fy, s), m in found.items() if c == entity("リスク管理委員会")}
    assert sorted(risk) == [1, 2, 3, 4]
    assert items(risk[3]) == ["個人情報保護細則等の改正等"] and risk[3].line == 581
    security = {s: m for (c, fy, s), m in found.items() if c == entity("情報セキュリティ委員会")}
    assert items(security[3]) == ["J-LISにおけるクラウドサービスの利用状況に関する調査結果等"]
    council = {s: m for (c, _, s), m in found.items() if c == entity("経営審議委員会")}
    assert sorted(council) == [39, 40, 41, 42]
    assert items(council[42])[-1] == "業務方法書の変更"


# ───────────────────────── cover pages ─────────────────────────

def test_cover_page_meetings(context, entity):
    normalised, _ = corpus_document("fy2018-plan")
    finder = MentionFinder(context.gazetteer, None, "fy2018-plan")
    meeting = cover_meeting(normalised, finder, config_for(context).meetings)
    assert (meeting.committee, meeting.session, meeting.date.iso()) == (entity("経営審議委員会"), 17, "2018-03-01")
    assert items(meeting)[:2] == ["平成30年度事業計画(案)", "平成30年度予算(案)"]
    assert items(meeting)[2] == ("報告：日本年金機構の年金被保険者の届出省略に係る照会に対して機構保存"
                                 "本人確認情報を提供する場合の手数料について")
    normalised, structure = corpus_document("fy2020-report")
    facts = extract_meetings(normalised, structure, MentionFinder(context.gazetteer, None, "x"), context, 2020,
                             Extraction("fy2020-report"))
    cover = [f for f in facts if f.subject == "meeting/management-council-30"]
    assert ("jlis:agendaItem", "令和2年度決算") in {(f.predicate, f.obj) for f in cover}
    assert ("dcterms:date", "2021-06-23") in {(f.predicate, f.obj) for f in cover}


def test_agenda_items_concern_what_they_name(context, entity):
    normalised, structure = corpus_document("fy2020-report")
    facts = extract_meetings(normalised, structure, MentionFinder(context.gazetteer, None, "x"), context, 2020,
                             Extraction("fy2020-report"))
    concerns = {(f.subject, f.obj) for f in facts if f.predicate == "jlis:concerns"}
    assert ("meeting/representatives-council-37", entity("LGWAN")) in concerns


# ───────────────────────── the built graph ─────────────────────────

def test_graph_manifest_and_table_meetings_merge(dataset):
    meeting = ID["meeting/management-council-30"]
    assert (ID["document/fy2020-report"], JLIS.presentedAt, meeting) in dataset
    assert set(dataset.objects(meeting, DCTERMS.date)) == {Literal("2021-06-23", datatype=XSD.date)}
    assert Literal("令和2年度決算", lang="ja") in set(dataset.objects(meeting, JLIS.agendaItem))


def test_graph_meetings_are_well_formed(dataset):
    meetings = set(dataset.subjects(RDF.type, JLIS.Meeting))
    assert len(meetings) >= 50
    for meeting in meetings:
        assert len(set(dataset.objects(meeting, DCTERMS.date))) == 1, meeting
        assert len(set(dataset.objects(meeting, JLIS.meetingOf))) == 1, meeting
        for item in dataset.objects(meeting, JLIS.agendaItem):
            assert item.language == "ja" and str(item).strip() == str(item) and not str(item).startswith("・")
    # two fiscal years of 第1回リスク管理委員会 are two meetings
    assert ID["meeting/risk-management-fy2020-1"] in meetings and ID["meeting/risk-management-fy2023-1"] in meetings


def test_query_committee_meetings(dataset):
    query = named_queries(ROOT / "queries")["committee-meetings"]
    variables, rows = run_query(dataset, query, {"committee": "代表者会議", "year": "2023"})
    table = [dict(zip(variables, map(str, row))) for row in rows]
    assert [int(r["session"]) for r in table] == [47, 48, 49, 50, 51, 52, 53]
    assert table[0]["date"] == "2023-04-01" and "議長の互選" in table[0]["agenda"]
    assert table[-1]["sources"] == "fy2023-report:457"
    variables, rows = run_query(dataset, query, {"committee": "内部統制委員会", "year": "2020"})
    assert [str(row[variables.index("date")]) for row in rows] == ["2020-04-30", "2021-03-30"]
    variables, rows = run_query(dataset, query, {"year": "2015"})
    assert [str(row[variables.index("meeting")]).rsplit("/", 1)[-1] for row in rows] == ["management-council-9"]
    # a committee the text only dates, with no numbered table (003 line 489, 004 line 1557)
    variables, rows = run_query(dataset, query, {"committee": "本人確認情報保護委員会"})
    table = [dict(zip(variables, map(str, row))) for row in rows]
    assert [(r["date"], r["fiscalYear"], r["sources"]) for r in table] == [
        ("2021-02", "2020", "fy2020-report:489"), ("2024-02", "2023", "fy2023-report:1557")]


# ───────────────────────── a committee's statement (意見書) ─────────────────────────

def test_a_statement_names_the_meeting_that_discussed_the_document(context, entity):
    # 004 line 6818 「令和６年６月２１日開催の当委員会における意見は、…」, signed (l.6879-6880)
    # 「地方公共団体情報システム機構 経営審議委員会」 / 「委員長 梶田 恵美子」
    normalised, structure = corpus_document("fy2023-report")
    finder = MentionFinder(context.gazetteer, None, "fy2023-report")
    meeting = statement_meeting(normalised, finder, config_for(context).meetings)
    assert (meeting.committee, meeting.session, meeting.date.iso(), meeting.line) == (
        entity("経営審議委員会"), None, "2024-06-21", 6818)
    assert meeting.id == "meeting/management-council-2024-06-21"
    facts = extract_meetings(normalised, structure, finder, context, 2023, Extraction("fy2023-report"))
    mine = {(f.predicate, str(f.obj)) for f in facts if f.subject == meeting.id}
    assert ("jlis:meetingOf", entity("経営審議委員会")) in mine and ("dcterms:date", "2024-06-21") in mine
    assert not any(p == "jlis:sessionNumber" for p, _ in mine)
    presented = [f for f in facts if f.predicate == "jlis:presentedAt"]
    assert [(f.subject, f.obj, f.evidence.line) for f in presented] == [
        ("document/fy2023-report", meeting.id, 6818)]
    # documents without such a statement get none (their cover page names the meeting)
    normalised, _ = corpus_document("fy2020-report")
    assert statement_meeting(normalised, finder, config_for(context).meetings) is None


def test_graph_the_fy2023_report_was_presented_at_the_statement_meeting(dataset):
    meeting = ID["meeting/management-council-2024-06-21"]
    assert (ID["document/fy2023-report"], JLIS.presentedAt, meeting) in dataset
    assert set(dataset.objects(meeting, DCTERMS.date)) == {Literal("2024-06-21", datatype=XSD.date)}
