"""The named queries of queries/, each run on the real graph of the whole corpus.

Every assertion is a fact the source documents (data/sources) or the law state, with the
line it stands on, not whatever the query happens to return.  Where the graph misses a
fact the documents state, the test is marked xfail(strict=True) with the reason, so that
it starts failing (XPASS) the day the extraction is fixed and the mark can go.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Literal
from rdflib.namespace import XSD

from jlis_kg.catalogue import Gazetteer, load_catalogue, match_form
from jlis_kg.cli import cli
from jlis_kg.model import InputError
from jlis_kg.namespaces import ID, JLIS
from jlis_kg.query import (DOCUMENT_YEARS, FORMATTERS, NamedQuery, _width, bind_params, find_query, load_dataset,
                           named_queries, parse_query_file, resolve_entity, run_query)

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
DATA = ROOT / "data"
QUERY_NAMES = sorted(p.stem for p in QUERIES.glob("*.rq"))
# The named queries tested here, one test each; queries added with a feature are tested with it.
CORE_QUERIES = [
    "committees", "dependencies", "dependents", "dependents-of-lgwan", "discovered-entities", "documents",
    "duties", "evidence", "laws", "legal-basis", "projects-by-system", "system-components",
    "system-operators", "system-timeline", "systems-new-between-years", "unit-hierarchy",
    "unit-responsibilities", "units-only-in-year",
]

# Labels used throughout (skos:prefLabel@ja of the catalogue).
LGWAN = "総合行政ネットワーク"
LGWAN_ASP = "LGWAN-ASP"
PLATFORM = "自治体中間サーバー・プラットフォーム"
JUKI_NET = "住民基本台帳ネットワークシステム"
FUHYO = "附票連携システム"
JUKI_LAW = "住民基本台帳法"
JPKI_ACT = "電子署名等に係る地方公共団体情報システム機構の認証業務に関する法律"
MY_NUMBER_ACT = "行政手続における特定の個人を識別するための番号の利用等に関する法律"
J_LIS_ACT = "地方公共団体情報システム機構法"
AGENCY = "地方公共団体情報システム機構"
JUKI_CENTER = "住民基本台帳ネットワークシステム全国センター"
LGWAN_CENTER = "総合行政ネットワーク全国センター"
MY_NUMBER_CENTER = "個人番号センター"
SECRETARIAT = "事務局"
ICT_CENTER = "ICTイノベーションセンター"


# ───────────────────────── helpers ─────────────────────────

def run(dataset, name: str, **params) -> list[dict[str, str | None]]:
    """Rows of a named query as dicts of plain strings (None where unbound)."""
    query = named_queries(QUERIES)[name]
    variables, rows = run_query(dataset, query, {k: str(v) for k, v in params.items()})
    return [{v: (None if t is None else str(t)) for v, t in zip(variables, row)} for row in rows]


def column(rows, name: str) -> set[str]:
    return {row[name] for row in rows}


def pairs(rows, a: str, b: str) -> set[tuple[str, str]]:
    return {(row[a], row[b]) for row in rows}


def source_lines(file: str) -> list[str]:
    """Lines of a source file as named by jlis:fileName (``sources/…``), 1-based by index+1."""
    return (DATA / file).read_text(encoding="utf-8").split("\n")


def source_text(file: str) -> str:
    return match_form((DATA / file).read_text(encoding="utf-8"))


def manifest() -> dict[str, dict]:
    content = yaml.safe_load((DATA / "manifest.yaml").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in content["documents"]}


def quad_count(dataset) -> int:
    return sum(1 for _ in dataset.quads((None, None, None, None)))


def iri(entity_id: str) -> str:
    return str(ID[entity_id])


# ───────────────────────── the query files ─────────────────────────

def test_the_eighteen_core_queries_are_there():
    assert len(CORE_QUERIES) == 18
    assert set(CORE_QUERIES) <= set(QUERY_NAMES)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_file_has_a_question_header(name):
    path = QUERIES / f"{name}.rq"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert re.match(r"^# Question: \S.*\?$", first), first
    query = parse_query_file(path)
    assert query.question and query.question.endswith("?")


OPTIONAL_ONLY = [name for name in CORE_QUERIES
                 if not any("required" in description for _, description in named_queries(QUERIES)[name].params)]


@pytest.mark.parametrize("name", OPTIONAL_ONLY)
def test_every_named_query_runs_without_parameters(dataset, name):
    """Optional parameters left out leave their variables unbound; nothing may fail."""
    variables, rows = run_query(dataset, named_queries(QUERIES)[name])
    assert variables


@pytest.mark.parametrize("name", CORE_QUERIES)
def test_every_core_query_has_its_own_test(name):
    test = f"test_query_{name.replace('-', '_')}"
    assert callable(globals().get(test)), f"queries/{name}.rq has no {test} in tests/test_queries.py"


@pytest.mark.parametrize("name", sorted(set(QUERY_NAMES) - set(CORE_QUERIES)))
def test_every_other_named_query_is_run_by_some_test(name):
    others = [p for p in Path(__file__).parent.glob("test_*.py") if p.name != Path(__file__).name]
    assert any(f'"{name}"' in p.read_text(encoding="utf-8") for p in others), \
        f"queries/{name}.rq is not run by any test in tests/"


def test_query_list_names_every_query_with_its_question():
    result = CliRunner().invoke(cli, ["query", "--list"], obj={}, env={"JLIS_KG_HOME": str(ROOT)})
    assert result.exit_code == 0, result.output
    listed = {}
    for line in result.output.splitlines():
        name, _, rest = line.partition(" ")
        listed[name] = rest.strip()
    assert set(listed) == set(QUERY_NAMES)
    for name, query in named_queries(QUERIES).items():
        assert listed[name].startswith(query.question)
        for param, _ in query.params:
            assert param in listed[name]


# ───────────────────────── one test per named query ─────────────────────────

def test_query_committees(dataset):
    rows = run(dataset, "committees")
    by_label = {row["committeeLabel"]: row for row in rows}
    assert len(by_label) == len(rows), "one row per committee"
    # 003:134 / 004:123 「代表者会議及び経営審議委員会に係る事務の総合調整」 under 情報化支援戦略部;
    # both bodies are set up by the J-LIS Act (地方公共団体情報システム機構法).
    for body in ("代表者会議", "経営審議委員会"):
        assert "情報化支援戦略部" in by_label[body]["units"].split(" / ")
        assert J_LIS_ACT in by_label[body]["legalBases"].split(" / ")
    # 003:156 / 004:168 「本人確認情報保護委員会の運営」 under 住基全国センター (住民基本台帳法 sets it up)
    protection = by_label["本人確認情報保護委員会"]
    assert JUKI_CENTER in protection["units"].split(" / ")
    assert JUKI_LAW in protection["legalBases"].split(" / ")
    # 003:164 / 004:175 「認証業務情報保護委員会の運営」 under 個人番号センター (公的個人認証法)
    certification = by_label["認証業務情報保護委員会"]
    assert MY_NUMBER_CENTER in certification["units"].split(" / ")
    assert JPKI_ACT in certification["legalBases"].split(" / ")
    # a committee nothing is known about still gets its row, with the lists unbound
    assert any(row["legalBases"] is None and row["units"] is None for row in rows)


def test_query_dependencies(dataset):
    rows = run(dataset, "dependencies", system=PLATFORM)
    hops = {(row["fromLabel"], row["relation"], row["toLabel"]) for row in rows}
    # 003:955 「自治体中間サーバー・プラットフォームを LGWAN-ASP サービスとして…提供」
    assert (PLATFORM, str(JLIS.deliveredVia), LGWAN_ASP) in hops
    assert (PLATFORM, str(JLIS.dependsOn), LGWAN_ASP) in hops
    # …and, one hop further, LGWAN-ASP over LGWAN (001:237 「LGWAN-ASP は、LGWAN を介して…」)
    assert (LGWAN_ASP, str(JLIS.deliveredVia), LGWAN) in hops
    # dependencies go one way: LGWAN-ASP does not depend on the platform
    rows = run(dataset, "dependencies", system=LGWAN_ASP)
    assert column(rows, "fromLabel") == {LGWAN_ASP}
    assert PLATFORM not in column(rows, "toLabel")


def test_query_dependents_of_lgwan(dataset):
    rows = run(dataset, "dependents-of-lgwan")
    hops = pairs(rows, "systemLabel", "nextLabel")
    assert (LGWAN_ASP, LGWAN) in hops  # 001:237 「LGWAN-ASP は、LGWAN を介して…」
    assert (PLATFORM, LGWAN_ASP) in hops  # 003:955, 004:2734 「…を LGWAN-ASP サービスとして…提供」
    # 003:997 / 004:2863 「LGWANを利用して、国の府省が地方公共団体に提供しているサービス(国税電子申告・納税システム等)」
    assert ("国税電子申告・納税システム", LGWAN) in hops
    assert LGWAN not in column(rows, "systemLabel")
    # every hop leads towards LGWAN: its target is LGWAN or itself a dependent
    dependents = column(rows, "systemLabel")
    for row in rows:
        assert row["nextLabel"] == LGWAN or row["nextLabel"] in dependents, row
        assert row["relation"] in {str(JLIS[p]) for p in ("deliveredVia", "usesDataFrom", "hostedOn", "dependsOn")}


def test_query_dependents(dataset):
    rows = run(dataset, "dependents", system="LGWAN")
    direct = {row["dependentLabel"]: row["direct"] for row in rows}
    assert direct[LGWAN_ASP] == "true"
    assert direct[PLATFORM] == "false"  # through LGWAN-ASP
    assert LGWAN not in direct
    rows = run(dataset, "dependents", system=LGWAN_ASP)
    assert {row["dependentLabel"]: row["direct"] for row in rows}[PLATFORM] == "true"
    # 004:2732 「自治体中間サーバーシステムを共同化・集約化した自治体中間サーバー・プラットフォーム」:
    # the shared 中間サーバー run on the platform; LGWAN-ASP does not depend on it
    rows = run(dataset, "dependents", system=PLATFORM)
    assert "地方公共団体情報連携中間サーバーシステム" in column(rows, "dependentLabel")
    assert LGWAN_ASP not in column(rows, "dependentLabel")


def test_query_discovered_entities(dataset):
    gazetteer = Gazetteer.from_catalogue(load_catalogue(DATA / "reference" / "catalogue.yaml"))
    rows = run(dataset, "discovered-entities")
    assert rows, "the corpus names systems the catalogue does not list"
    documents = {str(ID["document/" + doc_id]): entry["file"] for doc_id, entry in manifest().items()}
    for row in rows:
        # a discovered name stands in the text of the document it was discovered in …
        assert row["document"] in documents, row
        assert match_form(row["label"]) in source_text(documents[row["document"]]), row
        # … and is not one the curated catalogue knows
        assert gazetteer.lookup(row["label"]) is None, row
        assert row["entity"].startswith(str(ID))
    assert "LGWAN" not in column(rows, "label") and LGWAN not in column(rows, "label")


def test_query_documents(dataset):
    rows = run(dataset, "documents")
    entries = manifest()
    assert len(rows) == len(entries) == 5
    by_id = {row["document"].rsplit("/", 1)[-1]: row for row in rows}
    assert set(by_id) == set(entries)
    for doc_id, entry in entries.items():
        row = by_id[doc_id]
        assert int(row["fiscalYear"]) == entry["fiscal_year"]
        assert row["file"] == entry["file"]
        assert row["asOf"] == str(entry["as_of"])
        assert row["title"] == entry["title"]
    # 003:4-6 「第 30 回 経営審議委員会 令和 3 年 6 月 2 3 日」
    assert by_id["fy2020-report"]["meetingLabel"] == "第30回経営審議委員会"
    assert by_id["fy2020-report"]["meetingDate"] == "2021-06-23"
    assert by_id["fy2016-plan"]["meetingLabel"] == "第9回経営審議委員会"
    assert by_id["fy2016-plan"]["meetingDate"] == "2016-02-25"
    # 004's closing 意見書: 「令和６年６月２１日開催の当委員会における意見は…」, signed by the 経営審議委員会
    assert by_id["fy2023-report"]["meetingLabel"] == "令和6年6月21日開催の経営審議委員会"
    assert by_id["fy2023-report"]["meetingDate"] == "2024-06-21"
    assert [int(row["fiscalYear"]) for row in rows] == sorted(int(row["fiscalYear"]) for row in rows)


def test_query_duties(dataset):
    rows = run(dataset, "duties")
    by_label = {row["dutyLabel"]: row for row in rows}
    assert len(by_label) == len(rows), "one row per duty"
    # 001:113 「住民基本台帳法に基づく本人確認情報処理事務…」, served by 住基ネット (001:115 ff.)
    assert by_label["本人確認情報処理事務"]["laws"] == JUKI_LAW
    assert JUKI_NET in by_label["本人確認情報処理事務"]["systems"].split(" / ")
    # 001:113 「…番号の利用等に関する法律に基づく個人番号とすべき番号の生成等に係る事務」
    assert by_label["個人番号とすべき番号の生成等に係る事務"]["laws"] == MY_NUMBER_ACT
    # 001:50 「…認証業務に関する法律に基づく認証事務等」
    assert by_label["認証事務"]["laws"] == JPKI_ACT


def test_query_duties_certification_served_by_jpki(dataset):
    rows = run(dataset, "duties")
    systems = {row["dutyLabel"]: row["systems"] or "" for row in rows}["認証事務"]
    assert "公的個人認証サービス" in systems.split(" / ")


def test_query_evidence(dataset):
    rows = run(dataset, "evidence", subject=PLATFORM, predicate=str(JLIS.deliveredVia), object=LGWAN_ASP)
    assert rows
    for row in rows:
        assert row["predicate"] == str(JLIS.deliveredVia)
        assert row["objectLabel"] == LGWAN_ASP
        lines = source_lines(row["file"])
        line = int(row["line"])
        assert 1 <= line <= len(lines)
        # the quote is the source line, verbatim (surrounding white space aside)
        assert row["quote"] == lines[line - 1].strip(), (row["file"], line)
        assert "LGWAN-ASP" in row["quote"]
    found = {(row["file"], int(row["line"])) for row in rows}
    assert ("sources/003_b8494e4f247fe3eb.txt", 955) in found
    assert ("sources/004_ef74194c5193d994.txt", 2734) in found
    # the document IRI and the file name agree with the manifest
    files = {str(ID["document/" + k]): v["file"] for k, v in manifest().items()}
    assert all(files[row["document"]] == row["file"] for row in rows)
    # no object given: every relation of the subject, each with its evidence
    predicates = column(run(dataset, "evidence", subject=PLATFORM), "predicate")
    assert {str(JLIS.deliveredVia), str(JLIS.dependsOn)} <= predicates


def test_query_laws(dataset):
    rows = run(dataset, "laws")
    by_label = {row["lawLabel"]: row for row in rows}
    assert by_label[JUKI_LAW]["lawNumber"] == "昭和四十二年法律第八十一号"
    assert by_label[JUKI_LAW]["eGovLawId"] == "342AC0000000081"
    assert by_label[MY_NUMBER_ACT]["lawNumber"] == "平成二十五年法律第二十七号"
    assert by_label[MY_NUMBER_ACT]["eGovLawId"] == "425AC0000000027"
    assert by_label[JPKI_ACT]["lawNumber"] == "平成十四年法律第百五十三号"
    assert by_label[J_LIS_ACT]["lawNumber"] == "平成二十五年法律第二十九号"
    for row in rows:
        if row["eGovLawId"] is not None:
            assert re.fullmatch(r"[0-9]{3}[A-Z]{2}[0-9A-Z]{10}", row["eGovLawId"]), row
    # 住基ネット, 本人確認情報処理事務 and 本人確認情報保護委員会 all rest on 住民基本台帳法
    assert int(by_label[JUKI_LAW]["restingOnIt"]) >= 3
    counts = [int(row["restingOnIt"]) for row in rows]
    assert counts == sorted(counts, reverse=True)


def test_query_legal_basis(dataset):
    rows = run(dataset, "legal-basis", system="住基ネット")
    assert column(rows, "system") == {iri("system/juki-net")}
    assert column(rows, "systemLabel") == {JUKI_NET}
    assert JUKI_LAW in column(rows, "lawLabel")
    assert {row["lawNumber"] for row in rows if row["lawLabel"] == JUKI_LAW} == {"昭和四十二年法律第八十一号"}
    # 001:113 「住民基本台帳法に基づく本人確認情報処理事務」: the law reaches 住基ネット through its duty
    assert "duty: 本人確認情報処理事務" in column(rows, "via") or "direct" in column(rows, "via")
    # all systems: 公的個人認証サービス rests on the 公的個人認証法 (001:50)
    everything = run(dataset, "legal-basis")
    assert ("公的個人認証サービス", JPKI_ACT) in pairs(everything, "systemLabel", "lawLabel")
    assert ("全国サーバ", JUKI_LAW) in pairs(everything, "systemLabel", "lawLabel")


def test_query_projects_by_system(dataset):
    rows = run(dataset, "projects-by-system", system="LGWAN")
    assert column(rows, "systemLabel") == {LGWAN}
    # 「総合行政ネットワークの運営管理」 is a numbered item of every year's plan or report:
    # 001:243, 000:305, 002:202, 003:975, 004:2787
    years = {int(row["fiscalYear"]) for row in rows if row["projectLabel"] == "総合行政ネットワークの運営管理"}
    assert years == {2016, 2018, 2020, 2023}
    # 004:2883 「（４）次期 LGWAN の構築」
    assert (2023, "次期LGWANの構築") in {(int(r["fiscalYear"]), r["projectLabel"]) for r in rows}
    assert [int(r["fiscalYear"]) for r in rows] == sorted(int(r["fiscalYear"]) for r in rows)


def test_query_system_components(dataset):
    rows = run(dataset, "system-components")
    part_of = {(r["partLabel"], r["wholeLabel"]) for r in rows if r["relation"] == str(JLIS.partOf)}
    succeeds = {(r["partLabel"], r["wholeLabel"]) for r in rows if r["relation"] == str(JLIS.succeeds)}
    # 001:119 「住民基本台帳ネットワークシステム及び個人番号付番システムを構成する全国サーバ」
    assert ("全国サーバ", JUKI_NET) in part_of
    assert ("全国サーバ", "個人番号付番システム") in part_of
    # 004:2885 「次期 LGWAN（第五次 LGWAN）」 after 004:2777 「第四次総合行政ネットワーク(LGWAN)」
    assert ("第五次LGWAN", "第四次LGWAN") in succeeds
    assert all(part != whole for part, whole in part_of | succeeds)


def test_query_system_operators(dataset):
    rows = run(dataset, "system-operators")
    operated = pairs(rows, "systemLabel", "operatorLabel")
    assert (JUKI_NET, AGENCY) in operated
    assert (LGWAN, AGENCY) in operated
    # 003:181 / 004:189 LGWAN全国センター: 「総合行政ネットワーク…の総合的な企画、整備、運営」
    assert (LGWAN, LGWAN_CENTER) in operated
    rows = run(dataset, "system-operators", system="LGWAN")
    assert column(rows, "systemLabel") == {LGWAN}
    assert {AGENCY, LGWAN_CENTER} <= column(rows, "operatorLabel")


def test_query_system_timeline(dataset):
    # 附票連携システム is named only in the FY2023 report (004:154 and three more lines)
    rows = run(dataset, "system-timeline", system=FUHYO)
    assert {int(r["fiscalYear"]) for r in rows} == {2023}
    assert column(rows, "systemLabel") == {FUHYO}
    # 住基ネット is named in every document
    rows = run(dataset, "system-timeline", system="住基ネット")
    assert {int(r["fiscalYear"]) for r in rows} == {2016, 2018, 2020, 2023}
    assert all(int(r["statements"]) >= 1 for r in rows)  # e.g. jlis:supportsDuty each year


def test_query_systems_new_between_years(dataset):
    rows = run(dataset, "systems-new-between-years")  # default: in FY2023, not in FY2016 (the latest, earliest documents)
    labels = column(rows, "systemLabel")
    assert FUHYO in labels
    assert JUKI_NET not in labels and LGWAN not in labels  # named in both years
    file = manifest()["fy2023-report"]["file"]
    lines = source_lines(file)
    for row in rows:
        if row["systemLabel"] == FUHYO:
            assert row["quote"] == lines[int(row["line"]) - 1].strip()
            assert "附票連携システム" in row["quote"]
    # integer parameters: in FY2020 and not in FY2016.  個人番号カード発行管理システム is first
    # named in 003:170; 附票連携システム is not named in the FY2020 report at all.
    rows = run(dataset, "systems-new-between-years", to=2020, **{"from": 2016})
    labels = column(rows, "systemLabel")
    assert "個人番号カード発行管理システム" in labels
    assert FUHYO not in labels and JUKI_NET not in labels


def test_query_unit_hierarchy(dataset):
    for year in (2020, 2023):
        rows = run(dataset, "unit-hierarchy", year=year)
        assert {int(r["fiscalYear"]) for r in rows} == {year}
        nested = pairs(rows, "unitLabel", "parentLabel")
        # 003:125-143 / 004:112-137 「（１）事務局 ア 情報化支援戦略部 イ 管理部 ウ 教育研修部」
        for dept in ("情報化支援戦略部", "管理部", "教育研修部"):
            assert (dept, SECRETARIAT) in nested, (year, dept)
        # 003:177-183 / 004:197-216 「ICT イノベーションセンター ア 研究開発部 イ 情報処理部」
        assert ("研究開発部", ICT_CENTER) in nested
        assert ("情報処理部", ICT_CENTER) in nested
        for unit in (SECRETARIAT, JUKI_CENTER, MY_NUMBER_CENTER, LGWAN_CENTER, ICT_CENTER, "監査室"):
            assert (unit, AGENCY) in nested, (year, unit)
    # 004:186 「（４）個人番号センター運用管理本部」 is new in FY2023
    assert ("個人番号センター運用管理本部", AGENCY) in pairs(run(dataset, "unit-hierarchy", year=2023),
                                                        "unitLabel", "parentLabel")
    # 001:477 「企画部、公的個人認証部、個人番号カード部及び中間サーバー部により構成する個人番号センター」
    nested = pairs(run(dataset, "unit-hierarchy", year=2016), "unitLabel", "parentLabel")
    assert {("公的個人認証部", MY_NUMBER_CENTER), ("個人番号カード部", MY_NUMBER_CENTER),
            ("中間サーバー部", MY_NUMBER_CENTER)} <= nested
    # 003:466-467 「個人番号センター 個人番号カード部」「個人番号センター 公的個人認証部」 (FY2020)
    nested = pairs(run(dataset, "unit-hierarchy", year=2020), "unitLabel", "parentLabel")
    assert {("公的個人認証部", MY_NUMBER_CENTER), ("個人番号カード部", MY_NUMBER_CENTER)} <= nested


def test_query_unit_responsibilities(dataset):
    rows = run(dataset, "unit-responsibilities", year=2023)
    assert {int(r["fiscalYear"]) for r in rows} == {2023}
    duties = pairs(rows, "unitLabel", "thingLabel")
    # 004:154 「住民基本台帳ネットワークシステム及び附票連携システムの総合的な企画、開発及び改修」
    assert (JUKI_CENTER, JUKI_NET) in duties
    assert (JUKI_CENTER, FUHYO) in duties
    # 004:189 「総合行政ネットワーク（LGWAN）等の総合的な企画、整備、運営及び普及促進」
    assert (LGWAN_CENTER, LGWAN) in duties
    # 004:202-204 研究開発部: 「証明書交付センターシステムの運用及び管理」「自治体基盤クラウドシステムの…」
    assert ("研究開発部", "自治体基盤クラウドシステム") in duties
    # FY2020: 附票連携システム was not yet among 住基全国センター's tasks (003:151)
    rows_2020 = run(dataset, "unit-responsibilities", year=2020)
    assert (JUKI_CENTER, JUKI_NET) in pairs(rows_2020, "unitLabel", "thingLabel")
    assert (JUKI_CENTER, FUHYO) not in pairs(rows_2020, "unitLabel", "thingLabel")
    # a unit named by the abbreviation the documents define (003:148 以下「住基全国センター」という)
    rows = run(dataset, "unit-responsibilities", unit="住基全国センター", year=2023)
    assert column(rows, "unitLabel") == {JUKI_CENTER}
    assert {JUKI_NET, FUHYO} <= column(rows, "thingLabel")


def test_query_units_only_in_year(dataset):
    # The organisation sections of FY2020 (003:123-203) and FY2023 (004:110-270) list the same units,
    # except the FY2023 one adds 個人番号センター運用管理本部 (004:186).
    rows = run(dataset, "units-only-in-year")  # default: in FY2020, not in FY2023 (the second-latest, latest documents)
    gone = column(rows, "unitLabel")
    for unit in (SECRETARIAT, "情報化支援戦略部", "管理部", "教育研修部", JUKI_CENTER, MY_NUMBER_CENTER,
                 LGWAN_CENTER, ICT_CENTER, "研究開発部", "情報処理部", "システム統括室", "監査室"):
        assert unit not in gone
    assert "個人番号センター運用管理本部" not in gone
    rows = run(dataset, "units-only-in-year", present=2023, absent=2020)
    assert "個人番号センター運用管理本部" in column(rows, "unitLabel")
    assert (("個人番号センター運用管理本部", AGENCY) in pairs(rows, "unitLabel", "parentLabel"))
    assert SECRETARIAT not in column(rows, "unitLabel")
    # 001:477 sets up 個人番号センター with 企画部, 公的個人認証部, 個人番号カード部 and 中間サーバー部;
    # the FY2020 report still names three of them: 003:466-467 「個人番号センター 個人番号カード部」
    # 「個人番号センター 公的個人認証部」, 003:379 / 003:464 中間サーバー部 (then under LGWAN全国センター)
    rows = run(dataset, "units-only-in-year", present=2016, absent=2020)
    assert {"公的個人認証部", "個人番号カード部", "中間サーバー部"}.isdisjoint(column(rows, "unitLabel"))




# ───────────────────────── parameters ─────────────────────────

INJECTION = 'LGWAN" } ; DROP ALL ; #'


@pytest.fixture(scope="module")
def quads_before(dataset):
    return quad_count(dataset)


@pytest.mark.parametrize("name,param", [("dependents", "system"), ("evidence", "subject"),
                                        ("legal-basis", "system"), ("unit-responsibilities", "unit")])
def test_a_parameter_is_bound_as_a_term_never_pasted_into_the_query(dataset, quads_before, name, param):
    query = named_queries(QUERIES)[name]
    bound = bind_params(query, dataset, {param: INJECTION})
    assert bound == {param: Literal(INJECTION)}
    assert run(dataset, name, **{param: INJECTION}) == []
    assert quad_count(dataset) == quads_before
    assert run(dataset, "dependents", system="LGWAN"), "the graph is still whole"


@pytest.mark.parametrize("value", [
    "LGWAN",  # Japanese alias (the documents' own abbreviation)
    "総合行政ネットワーク",  # Japanese label
    "Local Government Wide Area Network",  # English label
    "ＬＧＷＡＮ",  # full-width, as in some PDFs
    " LGWAN ",
    "system/lgwan",  # id
    str(ID["system/lgwan"]),  # IRI
    f"<{ID['system/lgwan']}>",
])
def test_labels_aliases_and_iris_all_resolve(dataset, value):
    assert resolve_entity(dataset, value) == ID["system/lgwan"]
    rows = run(dataset, "dependents", system=value)
    assert LGWAN_ASP in column(rows, "dependentLabel")


def test_a_label_shared_with_a_work_item_resolves_to_the_catalogued_entity(dataset):
    # 「総合行政ネットワーク」 is the system's name and the heading of a work item of every year (001:241 ff.)
    assert resolve_entity(dataset, LGWAN) == ID["system/lgwan"]
    rows = run(dataset, "legal-basis", system=LGWAN) + run(dataset, "system-operators", system=LGWAN)
    assert column(rows, "system") == {iri("system/lgwan")}


@pytest.mark.parametrize("value", ["住基ネット", "Juki-Net", JUKI_NET, "Resident Registry Network System"])
def test_aliases_of_juki_net_resolve(dataset, value):
    assert resolve_entity(dataset, value) == ID["system/juki-net"]


def test_an_unknown_name_stays_a_literal(dataset):
    assert resolve_entity(dataset, "存在しないシステム") is None
    assert run(dataset, "dependents", system="存在しないシステム") == []


def test_an_integer_parameter_is_an_xsd_integer(dataset):
    query = named_queries(QUERIES)["unit-hierarchy"]
    bound = bind_params(query, dataset, {"year": "2020"})
    assert bound["year"] == Literal(2020, datatype=XSD.integer)
    rows = run(dataset, "unit-hierarchy", year=2020)
    assert rows and {r["fiscalYear"] for r in rows} == {"2020"}
    assert run(dataset, "unit-hierarchy", year=1999) == []


def test_an_undeclared_parameter_is_refused(dataset):
    with pytest.raises(InputError, match="unknown parameter 'colour'"):
        run(dataset, "dependents", colour="red")


def write_query(tmp_path: Path, name: str, text: str) -> NamedQuery:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_query_file(path)


def test_a_malformed_query_file_is_an_input_error_naming_the_file(dataset, tmp_path):
    query = write_query(tmp_path, "broken.rq", "# Question: broken?\nSELECT ?x WHERE { ?x jlis:dependsOn \n")
    with pytest.raises(InputError) as caught:
        run_query(dataset, query)
    message = str(caught.value)
    assert str(tmp_path / "broken.rq") in message and "malformed SPARQL" in message
    assert "\n" not in message
    # find_query checks the text before any graph is loaded (the command reports it at once)
    with pytest.raises(InputError, match="malformed SPARQL"):
        find_query(str(tmp_path / "broken.rq"), QUERIES)


@pytest.mark.parametrize("text", [
    "DROP ALL",
    "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_anything_but_select_or_ask_is_refused(dataset, quads_before, tmp_path, text):
    query = write_query(tmp_path, "update.rq", text + "\n")
    with pytest.raises(InputError, match=re.escape(str(tmp_path / "update.rq"))) as caught:
        run_query(dataset, query)
    assert "only SELECT and ASK" in str(caught.value)
    with pytest.raises(InputError, match="only SELECT and ASK"):
        find_query(str(tmp_path / "update.rq"), QUERIES)
    assert quad_count(dataset) == quads_before


def test_an_ask_query_answers_true_or_false(dataset, tmp_path):
    query = write_query(tmp_path, "ask.rq", f"ASK {{ <{ID['system/lgwan-asp']}> jlis:deliveredVia <{ID['system/lgwan']}> }}\n")
    assert run_query(dataset, query) == (["ask"], [(Literal(True),)])


def test_an_unknown_query_name_is_an_input_error():
    with pytest.raises(InputError, match="no-such-query"):
        find_query("no-such-query", QUERIES)


# ───────────────────────── formats ─────────────────────────

@pytest.fixture(scope="module")
def documents_result(dataset):
    return run_query(dataset, named_queries(QUERIES)["documents"])


def test_table_format_aligns_wide_characters(documents_result):
    variables, rows = documents_result
    text = FORMATTERS["table"](variables, rows)
    lines = text.splitlines()
    assert lines[0].split(" │ ")[0].strip() == "document"
    assert [c.strip() for c in lines[0].split(" │ ")] == variables
    assert set(lines[1]) <= {"─", "┼"}
    assert lines[-1] == f"({len(rows)} rows)"
    assert len(lines) == len(rows) + 3
    # every column separator sits at the same display column on every line (全角 counts 2)
    def separators(line):
        return [_width(line[:i]) for i, ch in enumerate(line) if ch in "│┼"]
    expected = separators(lines[1])
    for line in lines[2:-1] + [lines[0]]:
        assert separators(line) == expected, line
    assert "id:document/fy2020-report" in text  # IRIs shortened to CURIEs


def test_csv_format(documents_result):
    variables, rows = documents_result
    parsed = list(csv.reader(io.StringIO(FORMATTERS["csv"](variables, rows))))
    assert parsed[0] == variables
    assert len(parsed) == len(rows) + 1
    by_file = {r[variables.index("file")]: dict(zip(variables, r)) for r in parsed[1:]}
    row = by_file["sources/003_b8494e4f247fe3eb.txt"]
    assert row["document"] == str(ID["document/fy2020-report"])  # full IRIs in CSV
    assert row["fiscalYear"] == "2020"


def test_csv_and_json_leave_unbound_variables_empty(dataset, tmp_path):
    query = write_query(tmp_path, "unbound.rq", "SELECT ?document ?nothing WHERE { ?document a jlis:SourceDocument "
                        "OPTIONAL { ?document jlis:noSuchProperty ?nothing } }\n")
    variables, rows = run_query(dataset, query)
    parsed = list(csv.reader(io.StringIO(FORMATTERS["csv"](variables, rows))))
    assert len(parsed) == 6 and all(row[1] == "" for row in parsed[1:])  # unbound → empty cell
    bindings = json.loads(FORMATTERS["json"](variables, rows))["results"]["bindings"]
    # unbound variables are left out of a binding, not written as null
    assert len(bindings) == 5 and all(set(b) == {"document"} for b in bindings)


def test_json_format_is_sparql_results_json(documents_result):
    variables, rows = documents_result
    result = json.loads(FORMATTERS["json"](variables, rows))
    assert set(result) == {"head", "results"}
    assert result["head"]["vars"] == variables
    bindings = result["results"]["bindings"]
    assert len(bindings) == len(rows)
    by_doc = {b["document"]["value"]: b for b in bindings}
    fy2020 = by_doc[str(ID["document/fy2020-report"])]
    assert fy2020["document"] == {"type": "uri", "value": str(ID["document/fy2020-report"])}
    assert fy2020["fiscalYear"] == {"type": "literal", "value": "2020", "datatype": str(XSD.integer)}
    assert fy2020["meetingDate"]["datatype"] == str(XSD.date)
    assert fy2020["title"]["xml:lang"] == "ja"
    assert fy2020["file"] == {"type": "literal", "value": "sources/003_b8494e4f247fe3eb.txt"}
    for binding in bindings:
        assert set(binding) <= set(variables)
        for term in binding.values():
            assert term["type"] in {"uri", "literal", "bnode"}
            assert not ("xml:lang" in term and "datatype" in term)


def test_json_format_of_an_ask_query(dataset, tmp_path):
    query = write_query(tmp_path, "ask.rq", f"ASK {{ <{ID['system/lgwan']}> jlis:deliveredVia <{ID['system/lgwan-asp']}> }}\n")
    variables, rows = run_query(dataset, query)
    assert json.loads(FORMATTERS["json"](variables, rows)) == {"head": {}, "boolean": False}
    # a SELECT that projects one variable named ?ask is still a SELECT
    query = write_query(tmp_path, "select.rq", 'SELECT ?ask WHERE { BIND(true AS ?ask) }\n')
    result = json.loads(FORMATTERS["json"](*run_query(dataset, query)))
    assert result["head"]["vars"] == ["ask"] and result["results"]["bindings"][0]["ask"]["value"] == "true"


def test_a_declared_default_is_bound_when_the_parameter_is_not_given(dataset, build_dir, tmp_path):
    """``; default VALUE`` at the end of a parameter's description binds VALUE like a given value,
    on rdflib and on the embedded store; ``(default: all)`` only says what unbound means."""
    from jlis_kg.store import OxigraphEngine

    query = write_query(tmp_path, "defaults.rq", "# Param: year  a fiscal year; default 2020\n"
                                                 "# Param: kind  optional (default: every kind)\n"
                                                 "SELECT ?year ?kind WHERE { }\n")
    assert query.defaults == {"year": "2020"}
    engine = OxigraphEngine.open(build_dir)
    for on in (dataset, engine):
        assert run_query(on, query)[1] == [(Literal(2020, datatype=XSD.integer), None)]
        assert run_query(on, query, {"year": "2023"})[1] == [(Literal(2023, datatype=XSD.integer), None)]
    assert named_queries(QUERIES)["committee-meetings"].defaults == {}


DOCUMENT_YEAR_QUERY = ("# Param: first   earliest; default earliest-document-year\n"
                       "# Param: before  the year before the last; default second-latest-document-year\n"
                       "# Param: last    latest; default latest-document-year\n"
                       "SELECT ?first ?before ?last WHERE { }\n")


def documents_of_years(*years: int) -> str:
    """N-Quads of source documents of these fiscal years, each in its own graph, as the build writes them."""
    lines = []
    for n, year in enumerate(years):
        document, graph = f"<{ID[f'document/doc{n}']}>", f"<https://w3id.org/jlis-kg/graph/doc{n}>"
        lines.append(f"{document} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{JLIS.SourceDocument}> {graph} .")
        lines.append(f'{document} <{JLIS.fiscalYear}> "{year}"^^<http://www.w3.org/2001/XMLSchema#integer> {graph} .')
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("years,expected", [((2031, 2035, 2033, 2035), (2031, 2033, 2035)),
                                            ((2040,), (2040, 2040, 2040))])
def test_a_document_year_default_is_read_from_the_graph(tmp_path, years, expected):
    """``; default latest-document-year`` (and earliest-, second-latest-) is a fiscal year of the
    graph's source documents, on rdflib and on the embedded store alike: years no query names."""
    from jlis_kg.store import OxigraphEngine

    (tmp_path / "jlis.nq").write_text(documents_of_years(*years), encoding="utf-8")
    query = write_query(tmp_path, "years.rq", DOCUMENT_YEAR_QUERY)
    for on in (load_dataset(tmp_path / "jlis.nq"), OxigraphEngine.open(tmp_path)):
        assert run_query(on, query)[1] == [tuple(Literal(year, datatype=XSD.integer) for year in expected)]
        # a given value wins; the keywords can be given too
        given = run_query(on, query, {"first": "1999", "last": "earliest-document-year"})[1]
        assert given == [(Literal(1999, datatype=XSD.integer), Literal(expected[1], datatype=XSD.integer),
                          Literal(expected[0], datatype=XSD.integer))]


def test_a_document_year_default_without_documents_is_a_clear_error(tmp_path):
    (tmp_path / "graph.nq").write_text(f"<{ID['system/x']}> <{JLIS.fiscalYear}> \"2020\" <https://w3id.org/jlis-kg/graph/x> .\n",
                                       encoding="utf-8")
    query = write_query(tmp_path, "years.rq", DOCUMENT_YEAR_QUERY)
    with pytest.raises(InputError, match=r"years\.rq: parameter 'first' is the earliest document year, "
                                         r"but the graph has no source document with a fiscal year \(--param first=…\)"):
        run_query(load_dataset(tmp_path / "graph.nq"), query)


def test_the_named_queries_default_to_the_years_of_the_documents(dataset):
    """The year defaults of the named queries are document years, never years of this corpus
    written into a query: on this graph (documents of FY2016, 2018, 2020, 2023) they are the
    same as the years given explicitly."""
    queries = named_queries(QUERIES)
    for query in queries.values():
        for name, value in query.defaults.items():
            assert value in DOCUMENT_YEARS, f"{query.name}: '{name}' defaults to {value}, a year of this corpus"
    assert queries["changes-between-years"].defaults == {"from": "second-latest-document-year", "to": "latest-document-year"}
    assert run(dataset, "budget-vs-settlement") == run(dataset, "budget-vs-settlement", year=2023)
    assert run(dataset, "units-only-in-year") == run(dataset, "units-only-in-year", present=2020, absent=2023)
    assert run(dataset, "systems-new-between-years") == run(dataset, "systems-new-between-years", **{"from": 2016, "to": 2023})


@pytest.mark.parametrize("name,param", [("evidence", "subject"), ("dependents", "system"),
                                        ("dependencies", "system")])
def test_a_query_refuses_to_run_without_its_required_parameter(dataset, name, param):
    query = named_queries(QUERIES)[name]
    assert query.required == (param,), "optional parameters are not required"
    with pytest.raises(InputError, match=rf"{name}\.rq: parameter '{param}' required \(--param {param}=…\)"):
        run_query(dataset, query)
