"""People and posts (extract/people.py): officers, council members, their roles, and the purpose.

fy2020-report's tables are TSV; fy2023-report's are letter-spaced PDF text with no column
separators.  Every expected name, post and role is what the source file states.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import FOAF, ORG, RDF

from jlis_kg.extract.events import config_for
from jlis_kg.extract.mentions import MentionFinder
from jlis_kg.extract.people import extract_people, parse_name, people_tables, person_id, table_rows
from jlis_kg.model import Extraction
from jlis_kg.namespaces import ID, JLIS
from jlis_kg.query import named_queries, run_query

from corpus import corpus_document  # noqa: E402  (tests/corpus.py)

ROOT = Path(__file__).resolve().parents[1]




def rows_of(context, doc_id: str) -> dict[str, list]:
    """{organisation id: rows} of the document's officer and member tables."""
    normalised, structure = corpus_document(doc_id)
    finder = MentionFinder(context.gazetteer, None, doc_id)
    config = config_for(context).people
    headings = {s.line for s in structure.sections() if s.level > 0}
    out = {}
    for table in people_tables(normalised, finder, context, config):
        out.setdefault(table.organisation, []).extend(table_rows(normalised, table, headings, config))
    return out


def who(rows, role_ja: str) -> list[str]:
    return [r.name for r in rows if r.role.ja == role_ja]


# ───────────────────────── names in letter-spaced text ─────────────────────────

@pytest.mark.parametrize("raw,expected", [
    ("椎橋  章 夫 ", ("椎橋", "章夫", "")),
    ("手 塚  悟", ("手塚", "悟", "")),
    ("小 泉  健", ("小泉", "健", "")),
    ("楠   正 憲 デジタル庁統括官", ("楠", "正憲", "デジタル庁統括官")),
    ("上原 哲太郎 立命館大学情報理工学部教授", ("上原", "哲太郎", "立命館大学情報理工学部教授")),
    ("知野 恵子  ジャーナリスト", ("知野", "恵子", "ジャーナリスト")),
    ("平井  伸 治 鳥取県知事 議長", ("平井", "伸治", "鳥取県知事 議長")),
    ("吉本 和彦", ("吉本", "和彦", "")),
    ("岩﨑  尚 子 早稲田大学電子政府・自治体研究所教授", ("岩﨑", "尚子", "早稲田大学電子政府・自治体研究所教授")),
])
def test_names_are_read_off_letter_spaced_text(raw, expected):
    assert parse_name(raw) == expected


@pytest.mark.parametrize("raw", ["東京大学大学院法学政治学研究科", "教授", "京都岡本記念病院 副院長 委員長代理",
                                 "（株）あわえ代表取締役、サイファー・テック（株）", "代表取締役 "])
def test_continuation_lines_are_no_names(raw):
    assert parse_name(raw) is None


# ───────────────────────── fy2020-report (TSV) ─────────────────────────

def test_fy2020_officers(context, entity):
    rows = rows_of(context, "fy2020-report")[entity("地方公共団体情報システム機構")]
    assert len(rows) == 11
    assert who(rows, "理事長") == ["吉本 和彦"] and rows[0].line == 103
    assert who(rows, "副理事長") == ["篠原 俊博"]
    assert who(rows, "理事") == ["菅原 泰治", "五十嵐 得郎", "上遠野 博之"]
    assert who(rows, "理事(非常勤)") == ["志波 幸男", "後藤 省二", "工藤 早苗", "手塚 悟"]
    assert who(rows, "監事") == ["半田 徹也"] and who(rows, "監事(非常勤)") == ["稲垣 隆一"]


def test_fy2020_council_members_with_their_roles(context, entity):
    tables = rows_of(context, "fy2020-report")
    representatives = tables[entity("代表者会議")]
    assert who(representatives, "議長") == ["飯泉 嘉門"]
    assert who(representatives, "議長代理") == ["辻 宏康", "荒木 泰臣"]
    chair = representatives[0]
    assert (chair.category, chair.position) == ("地方公共団体の代表者", "徳島県知事")
    assert representatives[-1].category == "学識経験者"  # the 区分 cell is empty below its first row
    management = tables[entity("経営審議委員会")]
    assert len(management) == 7
    assert who(management, "委員長") == ["大山 永昭"] and who(management, "委員長代理") == ["北岡 有喜"]
    assert who(management, "委員")[0] == "牛尾 陽子"


# ───────────────────────── fy2023-report (letter-spaced PDF text) ─────────────────────────

def test_fy2023_officers(context, entity):
    rows = rows_of(context, "fy2023-report")[entity("地方公共団体情報システム機構")]
    assert len(rows) == 11
    assert who(rows, "理事長") == ["椎橋 章夫"] and rows[0].line == 77
    assert who(rows, "副理事長") == ["菅原 泰治"]
    assert who(rows, "理事(非常勤)") == ["上杉 卓志", "崎山 雅子", "浅見 良雄", "手塚 悟"]
    assert who(rows, "監事") == ["小泉 健"] and who(rows, "監事(非常勤)") == ["稲垣 隆一"]


def test_fy2023_representatives_council(context, entity):
    rows = rows_of(context, "fy2023-report")[entity("代表者会議")]
    assert len(rows) == 9
    categories = [r.category for r in rows]
    # 「地方公共団」/「体の代表者」 is one category broken over two lines (333, 335)
    assert categories == ["国の代表者"] * 3 + ["地方公共団体の代表者"] * 3 + ["学識経験者"] * 3
    assert who(rows, "議長") == ["平井 伸治"] and who(rows, "議長代理") == ["池田 宜永", "吉田 隆行"]
    by_name = {r.name: r for r in rows}
    assert by_name["楠 正憲"].position == "デジタル庁統括官"
    # the position goes on on the next lines (349-352)
    assert by_name["宍戸 常寿"].position == "東京大学大学院法学政治学研究科教授"


def test_fy2023_management_council(context, entity):
    rows = rows_of(context, "fy2023-report")[entity("経営審議委員会")]
    assert [r.name for r in rows] == ["岩﨑 尚子", "大山 永昭", "梶田 恵美子", "北岡 有喜", "能條 嘉幸",
                                      "知野 恵子", "吉田 基晴"]
    assert who(rows, "委員長") == ["大山 永昭"]
    # the role ends the continuation line 473: 「京都岡本記念病院 副院長 委員長代理」
    assert who(rows, "委員長代理") == ["北岡 有喜"]
    kitaoka = rows[3]
    assert kitaoka.position.endswith("京都岡本記念病院副院長") and kitaoka.end_line == 473


def test_the_same_person_in_two_years_is_one_person(context, entity):
    fy2020 = {r.name: r.id for rows in rows_of(context, "fy2020-report").values() for r in rows}
    fy2023 = {r.name: r.id for rows in rows_of(context, "fy2023-report").values() for r in rows}
    for name in ("手塚 悟", "稲垣 隆一", "菅原 泰治", "大山 永昭", "清原 慶子"):
        assert fy2020[name] == fy2023[name] == person_id(name.replace(" ", ""))


def test_purpose_statement(context, entity):
    for doc_id, start, line in (("fy2020-report", "地方公共団体が共同して運営する組織として", 90),
                                ("fy2023-report", "国及び地方公共団体が共同して運営する組織として", 21)):
        normalised, structure = corpus_document(doc_id)
        facts = extract_people(normalised, structure, MentionFinder(context.gazetteer, None, doc_id), context,
                               2020, Extraction(doc_id))
        (purpose,) = [f for f in facts if f.predicate == "jlis:purpose"]
        assert purpose.subject == entity("地方公共団体情報システム機構") and purpose.lang == "ja"
        assert purpose.obj.startswith(start) and purpose.evidence.line == line
        assert "住民の福祉の増進に寄与すること" in purpose.obj


def test_plans_have_no_people(context):
    normalised, structure = corpus_document("fy2016-plan")
    facts = extract_people(normalised, structure, MentionFinder(context.gazetteer, None, "p"), context, 2016,
                           Extraction("fy2016-plan"))
    assert facts == []


# ───────────────────────── the built graph ─────────────────────────

def test_graph_posts_memberships_and_snapshots(dataset):
    post = ID["post/management-council-chair"]
    assert (post, RDF.type, ORG.Post) in dataset
    assert dataset.value(post, ORG.postIn) == ID["committee/management-council"]
    holders = {(str(g).rsplit("/", 1)[-1], str(dataset.value(p, FOAF.name))) for _, _, p, g in
               dataset.quads((post, ORG.heldBy, None, None))}
    assert holders == {("fy2020-report", "大山 永昭"), ("fy2023-report", "大山 永昭")}
    memberships = set(dataset.subjects(RDF.type, ORG.Membership))
    assert len(memberships) >= 40
    for membership in memberships:
        assert len(set(dataset.objects(membership, ORG.member))) == 1
        assert len(set(dataset.objects(membership, ORG.organization))) == 1


def test_query_post_holders(dataset):
    query = named_queries(ROOT / "queries")["post-holders"]
    variables, rows = run_query(dataset, query, {"organization": "経営審議委員会", "role": "委員長"})
    table = [dict(zip(variables, map(str, row))) for row in rows]
    assert [(r["fiscalYear"], r["name"]) for r in table] == [("2020", "大山 永昭"), ("2023", "大山 永昭")]
    assert table[0]["source"] == "fy2020-report:262" and table[1]["source"] == "fy2023-report:466"
    variables, rows = run_query(dataset, query, {"post": "地方公共団体情報システム機構理事長"})
    assert [(str(r[0]), str(r[variables.index("name")])) for r in rows] == [("2020", "吉本 和彦"), ("2023", "椎橋 章夫")]
    variables, rows = run_query(dataset, query, {"role": "議長"})
    assert {(str(r[0]), str(r[variables.index("positionTitle")])) for r in rows} == {
        ("2020", "徳島県知事"), ("2023", "鳥取県知事")}


def test_graph_purpose_in_each_report(dataset):
    agency = ID["org/j-lis"]
    texts = {str(g).rsplit("/", 1)[-1]: str(o) for _, _, o, g in dataset.quads((agency, JLIS.purpose, None, None))}
    assert set(texts) == {"fy2020-report", "fy2023-report"}
    assert texts["fy2023-report"].startswith("国及び")
    assert all(isinstance(o, Literal) and o.language == "ja" for o in dataset.objects(agency, JLIS.purpose))

