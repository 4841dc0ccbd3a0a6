"""Financial tables → qb:Observation (src/jlis_kg/extract/figures.py), checked against the texts.

The expected figures are in tests/gold/figures.yaml, transcribed by reading
data/sources/003_b8494e4f247fe3eb.txt (not from the extractor's output).  The extractor
is run on the real texts, on excerpts of them, and on doctored copies (a wrong total, a
garbled header, a re-dated table) to show what it reports and that it holds no fact about
the five documents in code.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from rdflib import Literal, URIRef

from jlis_kg.catalogue import match_form
from jlis_kg.extract.figures import SegmentMatcher, extract_figures, load_figures_config
from jlis_kg.model import Extraction
from jlis_kg.namespaces import ID, JLIS
from jlis_kg.normalise import normalise_document
from jlis_kg.query import named_queries, run_query
from jlis_kg.store import OxigraphEngine
from jlis_kg.structure import build_structure
from jlis_kg.values import unit_scale

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources"
GOLD = yaml.safe_load((ROOT / "tests" / "gold" / "figures.yaml").read_text(encoding="utf-8"))
FY2020 = "003_b8494e4f247fe3eb.txt"
FY2016 = "001_b4d6b1e6e0ba13ff.txt"
FY2018 = "000_636e783586a54437.txt"


def lines_of(name: str) -> list[str]:
    return (SOURCES / name).read_text(encoding="utf-8").split("\n")


def excerpt(name: str, first: int, last: int) -> str:
    """Lines first..last (1-based, inclusive) of a source file."""
    return "\n".join(lines_of(name)[first - 1:last]) + "\n"


def extract(context, text: str, fiscal_year: int, path: str = "sources/test.txt", doc_id: str = "test-doc"):
    """Observations {(line, segment, fiscal year, line item, kind): amount} and warnings of a text."""
    doc = normalise_document(doc_id, path, text)
    extraction = Extraction(doc_id=doc_id)
    facts = extract_figures(doc, build_structure(doc), None, context, fiscal_year, extraction)
    nodes: dict[str, dict] = {}
    for fact in facts:
        nodes.setdefault(fact.subject, {})[fact.predicate] = fact.obj
        if fact.predicate == "jlis:amountJPY":
            nodes[fact.subject]["line"] = fact.evidence.line
    cells = {}
    for node in nodes.values():
        if "jlis:amountJPY" in node:
            key = (node["line"], node.get("jlis:segment"), node["jlis:fiscalYear"], node["jlis:lineItem"],
                   node["jlis:figureKind"])
            cells[key] = node["jlis:amountJPY"]
    return cells, extraction.warnings, facts


def yen(amount, unit: str) -> Decimal:
    return (Decimal(str(amount)) * unit_scale(unit)).quantize(Decimal(1))


@pytest.fixture(scope="session")
def engine(build_dir):
    return OxigraphEngine.open(build_dir)


def run(engine, name: str, **params):
    query = named_queries(ROOT / "queries")[name]
    variables, rows = run_query(engine, query, {k: str(v) for k, v in params.items()})
    return [{v: (None if t is None else t) for v, t in zip(variables, row)} for row in rows]


# ───────────────────────── the full graph against the gold figures ─────────────────────────

def test_every_cell_of_the_expense_history_is_in_the_graph(dataset):
    gold = GOLD["expense_history"]
    expected = {}
    for row in gold["rows"]:
        for year, amount in zip(gold["years"], row["amounts"]):
            if amount is not None:
                expected[(row["segment"], year)] = (yen(amount, gold["unit"]), row["line"])
    found = {}
    q = """
    SELECT ?segment ?fy ?amount ?line WHERE {
      ?obs qb:dataSet <https://w3id.org/jlis-kg/id/dataset/expense-history> ;
           jlis:fiscalYear ?fy ; jlis:amountJPY ?amount ; jlis:figureKind "settlement" ;
           jlis:reportedIn <https://w3id.org/jlis-kg/id/document/fy2020-report> .
      OPTIONAL { ?obs jlis:segment ?segment }
      ?st rdf:subject ?obs ; rdf:predicate jlis:amountJPY ; jlis:sourceLine ?line .
    }"""
    for segment, fy, amount, line in dataset.query(q, initNs={"jlis": JLIS, "qb": URIRef("http://purl.org/linked-data/cube#"),
                                                              "rdf": URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#")}):
        key = (str(segment).removeprefix(str(ID)) if segment is not None else None, int(fy))
        assert key not in found, f"two figures for {key}"
        found[key] = (Decimal(str(amount)), int(line))
    matched = {k for k in expected if found.get(k) == expected[k]}
    assert len(expected) == 57  # 7 segments × 7 years, デジタル基盤 FY2020, 計 × 7
    assert matched == set(expected), {k: (expected[k], found.get(k)) for k in set(expected) - matched}
    assert set(found) == set(expected), f"figures the table does not hold: {set(found) - set(expected)}"


def test_fy2020_settlement_per_segment_matches_its_tables(dataset):
    rows = GOLD["settlement_2020"]
    q = """
    SELECT ?amount WHERE {
      ?obs qb:dataSet ?ds ; jlis:fiscalYear 2020 ; jlis:figureKind "settlement" ; jlis:lineItem ?item ;
           jlis:reportedIn <https://w3id.org/jlis-kg/id/document/fy2020-report> ; jlis:amountJPY ?amount .
      OPTIONAL { ?obs jlis:segment ?seg }
      FILTER(COALESCE(?seg = ?segment, !BOUND(?seg) && !BOUND(?segment)))
      ?st rdf:subject ?obs ; rdf:predicate jlis:amountJPY ; jlis:sourceLine ?line .
    }"""
    ns = {"jlis": JLIS, "qb": URIRef("http://purl.org/linked-data/cube#"),
          "rdf": URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#")}
    wrong = []
    for row in rows:
        bindings = {"ds": ID[f"dataset/{row['dataset']}"], "item": Literal(row["item"]), "line": Literal(row["line"])}
        if row["segment"]:
            bindings["segment"] = ID[row["segment"]]
        got = [Decimal(str(r[0])) for r in dataset.query(q, initNs=ns, initBindings=bindings)]
        if got != [yen(row["amount"], row["unit"])]:
            wrong.append((row, got))
    assert not wrong, wrong
    assert len(rows) >= 30


def test_every_observation_has_one_statement_and_its_dimensions(dataset):
    q = """
    SELECT (COUNT(DISTINCT ?obs) AS ?n) (COUNT(?st) AS ?statements) WHERE {
      ?obs qb:dataSet ?ds ; jlis:amountJPY ?a ; jlis:fiscalYear ?fy ; jlis:figureKind ?k ; jlis:lineItem ?i ;
           jlis:reportedIn ?doc .
      ?st rdf:subject ?obs .
    }"""
    ns = {"jlis": JLIS, "qb": URIRef("http://purl.org/linked-data/cube#"),
          "rdf": URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#")}
    n, statements = next(iter(dataset.query(q, initNs=ns)))
    assert int(n) > 3000
    assert int(statements) == int(n)


# ───────────────────────── segments: garbled headers ─────────────────────────

def test_garbled_segment_headers_map_to_their_segments(context):
    config = load_figures_config(ROOT / "data" / "reference" / "figures.yaml")
    matcher = SegmentMatcher(context.catalogue, config.segment_min_score, config.segment_headers)
    header = [c for c in lines_of(FY2018)[766].split("\t")[1:-1]]  # 000:767, without 科目 and 合計
    assert "中間サークル共同化・集約化等事業" in header and "本 情 報 確 認 業" in header
    got = [matcher.ids[i] if i is not None else None for i, _ in matcher.align(header)]
    assert got == ["segment/general", "segment/resident-identity-processing", "segment/jpki",
                   "segment/my-number-card", "segment/intermediate-server", "segment/lgwan",
                   "segment/resident-identity-related"]  # the last header reads 本人確認情報処理事業: 関連事業 by position


def test_the_garbled_spellings_are_data_not_code(context):
    config = load_figures_config(ROOT / "data" / "reference" / "figures.yaml")
    spellings = dict(config.segment_headers)
    assert "能 率 不 運" in spellings["segment/lgwan"]  # 003:2214, no fuzzy match would find it
    with_data = SegmentMatcher(context.catalogue, config.segment_min_score, config.segment_headers)
    without = SegmentMatcher(context.catalogue, config.segment_min_score)
    assert with_data.ids[with_data.best("能 率 不 運")[0]] == "segment/lgwan"
    assert without.best("能 率 不 運")[0] is None
    code = (ROOT / "src" / "jlis_kg" / "extract" / "figures.py").read_text(encoding="utf-8")
    code = re.sub(r'""".*?"""', "", code, flags=re.S)  # docstrings may quote examples
    code = re.sub(r"#.*", "", code)
    for segment, forms in config.segment_headers:
        for form in forms:
            assert form not in code and match_form(form) not in code, form


def test_a_table_headed_by_garbled_names_loads_by_segment(context):
    # 000:762-820, the FY2018 per-segment balance sheet headed 「本 情 報 確 認 業」「中間サークル…」
    cells, warnings, _ = extract(context, excerpt(FY2018, 762, 820), 2018)
    row = 770 - 761  # 現金及び預金, line 9 of the excerpt
    assert cells[(row, "segment/resident-identity-processing", 2018, "現金及び預金", "budget")] == 4_736_431_000
    assert cells[(row, "segment/intermediate-server", 2018, "現金及び預金", "budget")] == 3_864_538_000
    assert cells[(row, "segment/resident-identity-related", 2018, "現金及び預金", "budget")] == 176_196_000
    assert cells[(row, None, 2018, "現金及び預金", "budget")] == 17_496_370_000


# ───────────────────────── totals ─────────────────────────

def test_lost_minus_signs_are_restored_where_the_segments_must_add_up(context):
    # 001:779 資金収支差額: the text prints every figure unsigned; only one choice of signs
    # adds up to the stated 12,926,659 (千円), and it is the one 収入合計 − 支出合計 gives.
    cells, warnings, _ = extract(context, excerpt(FY2016, 724, 781), 2016)
    row = 779 - 723
    assert cells[(row, "segment/general", 2016, "資金収支差額", "budget")] == 318_087_000
    assert cells[(row, "segment/resident-identity-processing", 2016, "資金収支差額", "budget")] == -35_403_000
    assert cells[(row, "segment/intermediate-server", 2016, "資金収支差額", "budget")] == -8_028_237_000
    assert any("minus sign" in w and f":{row}:" in w for w in warnings), warnings


def test_the_documents_own_disagreeing_total_is_reported(context):
    # 003:2185 他事業勘定: the 合計 column says 0, the segments add up to 2,315,328,668 yen.
    cells, warnings, _ = extract(context, excerpt(FY2020, 1, 2206), 2020, path=f"sources/{FY2020}")
    assert any(w.startswith(f"sources/{FY2020}:2185:") and "disagrees" in w for w in warnings), warnings


def test_a_doctored_total_is_reported_with_file_and_line(context):
    text = "(単位:千円)\n\n" + excerpt(FY2016, 665, 722)  # the FY2016 per-segment balance sheet
    assert "流動資産合計\t4,064,132" in text
    doctored = text.replace("流動資産合計\t4,064,132", "流動資産合計\t4,164,132")
    _, clean, _ = extract(context, text, 2016, path="sources/plan.txt")
    assert not [w for w in clean if "流動資産合計" in w], clean
    _, warnings, _ = extract(context, doctored, 2016, path="sources/plan.txt")
    line = 673 - 665 + 1 + 2
    hits = [w for w in warnings if w.startswith(f"sources/plan.txt:{line}:") and "流動資産合計" in w]
    assert hits, warnings
    assert "100,000,000" in hits[0]  # the difference, in yen


def test_a_doctored_total_of_the_expense_history_is_reported(context):
    text = excerpt(FY2020, 2531, 2547)
    doctored = text.replace("計\t185.7", "計\t195.7")
    _, clean, _ = extract(context, text, 2020)
    assert not clean, clean
    _, warnings, _ = extract(context, doctored, 2020, path="sources/x.txt")
    assert any(w.startswith("sources/x.txt:16:") and "disagrees" in w for w in warnings), warnings


# ───────────────────────── garbled tables ─────────────────────────

def test_a_table_garbled_beyond_recognition_is_reported_and_the_rest_loads(context):
    lines = lines_of(FY2020)
    header = 2537  # the header row of 事業別決算額の推移: \tH26決算\tH27決算 …
    assert lines[header - 1].startswith("\tH26決算")
    lines[header - 1] = "\t" + "\t".join(["#@", "%%", "&*", "??", "!!", "~~", "^^"])
    cells, warnings, _ = extract(context, "\n".join(lines), 2020, path="sources/doctored.txt")
    # Reported at the table (its caption 参考資料 1-1, line 2533, or its header), with the file.
    hits = [w for w in warnings if re.match(r"sources/doctored\.txt:(253[1-7]): table .*garbled beyond recognition", w)]
    assert len(hits) == 1, warnings
    assert not [k for k in cells if 2537 <= k[0] <= 2546], "no figure read from the garbled table"
    # The other tables of the document still load.
    assert cells[(2231, "segment/general", 2020, "事業費", "settlement")] == 6_321_850_794
    assert cells[(2655, "segment/general", 2020, "営業収益", "settlement")] == 6_330_000_000


def test_rows_that_fit_no_column_are_reported_by_line(context):
    # 003:2216-2228: the first rows of the per-segment income statement scatter their
    # figures over 15 cells; they are skipped and named, the rows after them load.
    cells, warnings, _ = extract(context, excerpt(FY2020, 1, 2260), 2020, path=f"sources/{FY2020}")
    assert any(w.startswith(f"sources/{FY2020}:2216:") and "cannot be aligned" in w for w in warnings)
    assert not [k for k in cells if 2216 <= k[0] <= 2228]
    assert cells[(2233, "segment/my-number-card", 2020, "営業費用合計", "settlement")] == 48_220_097_249


# ───────────────────────── a document the extractor has never seen ─────────────────────────

def test_a_redated_and_edited_table_of_a_new_document(context):
    text = excerpt(FY2020, 2531, 2547)
    years = dict(zip(["H26", "H27", "H28", "H29", "H30", "R元", "R2"], ["R2", "R3", "R4", "R5", "R6", "R7", "R8"]))
    text = re.sub(r"(H26|H27|H28|H29|H30|R元|R2)決算", lambda m: years[m.group(1)] + "決算", text)
    text = text.replace("LGWAN\t19.2", "LGWAN\t29.2").replace("計\t185.7", "計\t195.7")
    text = text.replace("(単位：億円)", "(単位：百万円)")
    cells, warnings, _ = extract(context, "令和8年度 事業報告\n\n" + text, 2026, doc_id="fy2026-report")
    assert not warnings, warnings
    assert cells[(15, "segment/lgwan", 2020, "費用(損益計算書費用ベース)", "settlement")] == 29_200_000
    assert cells[(10, "segment/general", 2026, "費用(損益計算書費用ベース)", "settlement")] == 65_500_000
    assert len(cells) == 57


def test_a_segment_table_in_a_new_document(context):
    # The FY2016 per-segment balance sheet, re-dated to FY2031 and with one figure changed.
    text = excerpt(FY2016, 664, 722).replace("現金及び預金\t3,141,526", "現金及び預金\t3,141,527") \
        .replace("預金\t3,141,527", "預金\t3,141,527").replace("流動資産合計\t4,064,132", "流動資産合計\t4,064,133")
    cells, warnings, _ = extract(context, "令和13年度 予算\n\n予定貸借対照表\n\n(単位:千円)\n\n" + text, 2031,
                                 doc_id="fy2031-plan")
    line = 668 - 663 + 6
    assert cells[(line, "segment/general", 2031, "現金及び預金", "budget")] == 3_141_527_000
    assert cells[(line, "segment/intermediate-server", 2031, "現金及び預金", "budget")] == 3_677_475_000


# ───────────────────────── named queries ─────────────────────────

def test_query_segment_expenses(engine):
    rows = run(engine, "segment-expenses", segment="公的個人認証サービス事業")
    by_year = {int(r["fiscalYear"]): Decimal(str(r["amountJPY"])) for r in rows}
    gold = GOLD["expense_history"]
    jpki = next(r for r in gold["rows"] if r["segment"] == "segment/jpki")
    for year, amount in zip(gold["years"], jpki["amounts"]):
        assert by_year[year] == yen(amount, "億円")
    # FY2023 from the FY2023 report's summary income statement: 営業費用 + 営業外費用 (百万円).
    assert 2023 in by_year and by_year[2023] > by_year[2020]
    assert all(str(r["file"]).startswith("sources/") and r["quote"] for r in rows)
    everything = run(engine, "segment-expenses")
    assert len({(str(r["segment"]), int(r["fiscalYear"])) for r in everything}) == len(everything)
    assert {int(r["fiscalYear"]) for r in everything} >= set(range(2014, 2021)) | {2023}


def test_query_segment_growth(engine):
    rows = run(engine, "segment-growth", **{"from": 2014, "to": 2020})
    assert str(rows[0]["segment"]) == str(ID["segment/my-number-card"])  # 47.5 → 482.4 億円
    assert Decimal(str(rows[0]["growthJPY"])) == yen(482.4 - 47.5, "億円")
    assert [int(r["fromLine"]) for r in rows[:1]] == [2541]
    lgwan = next(r for r in rows if str(r["segment"]) == str(ID["segment/lgwan"]))
    assert Decimal(str(lgwan["growthJPY"])) == yen(Decimal("15.9") - Decimal("19.2"), "億円")  # it shrank
    later = run(engine, "segment-growth", **{"from": 2019, "to": 2023})
    assert {int(r["toYear"]) for r in later} == {2023} and len(later) >= 7


def test_query_budget_vs_settlement(engine):
    rows = run(engine, "budget-vs-settlement", segment="一般事業", year=2020)
    by_item = {str(r["lineItem"]): r for r in rows}
    assert Decimal(str(by_item["営業収益"]["budgetJPY"])) == 6_878_000_000  # 003:2655
    assert Decimal(str(by_item["営業収益"]["settlementJPY"])) == 6_330_000_000
    assert Decimal(str(by_item["営業利益"]["settlementJPY"])) == -208_000_000  # 003:2657 △208
    assert int(by_item["営業収益"]["line"]) == 2655


def test_the_figures_of_a_table_row_are_one_slice(engine):
    """Every figure of a financial table is in exactly one qb:Slice, its table row: the figures of
    a slice come from one line of one document, and a 決算報告書 row holds its budget, settlement
    and difference."""
    _, rows = engine.select("""
        SELECT ?slice ?o ?kind ?line ?doc WHERE {
          ?slice a qb:Slice ; qb:observation ?o .
          ?o jlis:figureKind ?kind .
          ?st rdf:subject ?o ; rdf:predicate jlis:amountJPY ; jlis:sourceLine ?line ; prov:wasDerivedFrom ?doc .
        }""")
    assert len(rows) > 3000
    slices_of = {}
    where = {}
    kinds = {}
    for slice_, observation, kind, line, doc in rows:
        slices_of.setdefault(observation, set()).add(slice_)
        where.setdefault(slice_, set()).add((doc, int(line)))
        kinds.setdefault(slice_, set()).add(str(kind))
    assert all(len(found) == 1 for found in slices_of.values())
    assert all(len(places) == 1 for places in where.values())
    _, amounts = engine.select("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a qb:Observation ; jlis:amountJPY ?a }")
    assert len(slices_of) == int(amounts[0][0]), "every figure of a table is in a row"
    assert sum(1 for k in kinds.values() if {"budget", "settlement", "difference"} <= k) >= 200


def test_a_row_slice_fixes_the_dimensions_its_figures_share(engine):
    """A qb:Slice of a table row carries the fiscal year, segment, line item, group and document
    of its figures (slicekey/table-row), holds at most one figure of each kind, and is a
    qb:slice of the data set its figures belong to."""
    mismatched = engine.select("""
        SELECT (COUNT(*) AS ?n) WHERE {
          ?slice a qb:Slice ; qb:observation ?o .
          VALUES ?p { jlis:fiscalYear jlis:segment jlis:lineItem jlis:lineItemGroup jlis:reportedIn }
          { ?o ?p ?v FILTER NOT EXISTS { ?slice ?p ?v } } UNION { ?slice ?p ?v FILTER NOT EXISTS { ?o ?p ?v } }
        }""")[1]
    assert int(mismatched[0][0]) == 0
    doubled = engine.select("""
        SELECT (COUNT(*) AS ?n) WHERE {
          ?slice qb:observation ?a , ?b . FILTER(?a != ?b)
          ?a jlis:figureKind ?kind . ?b jlis:figureKind ?kind .
        }""")[1]
    assert int(doubled[0][0]) == 0
    astray = engine.select("""
        SELECT (COUNT(*) AS ?n) WHERE {
          ?slice qb:observation ?o . ?o qb:dataSet ?dataset .
          FILTER NOT EXISTS { ?dataset qb:slice ?slice }
        }""")[1]
    assert int(astray[0][0]) == 0
    # 003:2655, the 一般事業 column of the FY2020 損益計算書 summary: 営業収益 6,878 / 6,330 (百万円)
    _, rows = engine.select("""
        SELECT ?kind ?amount ?key WHERE {
          ?slice jlis:fiscalYear 2020 ; jlis:segment id:segment\\/general ; jlis:lineItem "営業収益" ;
                 qb:sliceStructure ?key ; qb:observation ?o .
          ?o jlis:figureKind ?kind ; jlis:amountJPY ?amount .
          ?st rdf:subject ?o ; jlis:sourceLine 2655 .
        }""")
    amounts = {str(kind): Decimal(str(amount)) for kind, amount, _ in rows}
    assert amounts["budget"] == 6_878_000_000 and amounts["settlement"] == 6_330_000_000
    assert {str(key) for _, _, key in rows} == {str(ID["slicekey/table-row"])}
