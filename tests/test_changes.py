"""Changes between snapshots (changes.py), `jlis-kg diff` and `jlis-kg timeline`.

The graph tests run on the real build of the whole corpus; the unit tests on small
datasets written here, so that each rule (coverage, moves, deltas) is seen alone.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal
from rdflib.namespace import ORG, PROV, RDF, XSD

from jlis_kg.changes import CHANGES_GRAPH, Snapshots, add_changes, compute_changes, text_difference
from jlis_kg.cli import cli
from jlis_kg.diff import diff_report, figure_deltas
from jlis_kg.extract.people import person_id
from jlis_kg.model import InputError
from jlis_kg.namespaces import GRAPH, ID, JLIS, QB
from jlis_kg.query import named_queries, run_query
from jlis_kg.timeline import timeline

ROOT = Path(__file__).resolve().parents[1]


# ───────────────────────── small datasets ─────────────────────────

def snapshot(dataset: Dataset, doc: str, year: int, triples, line: int = 1):
    """A document graph of ``year`` holding ``triples``, each with an evidence statement."""
    g = dataset.graph(GRAPH[doc])
    g.add((GRAPH[doc], JLIS.fiscalYear, Literal(year, datatype=XSD.integer)))
    document = ID[f"document/{doc}"]
    g.add((document, RDF.type, JLIS.SourceDocument))
    for index, (s, p, o) in enumerate(triples):
        g.add((s, p, o))
        st = ID[f"statement/{doc}-{index}"]
        for prop, value in ((RDF.subject, s), (RDF.predicate, p), (RDF.object, o)):
            g.add((st, prop, value))
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, PROV.wasDerivedFrom, document))
        g.add((st, JLIS.sourceLine, Literal(line + index, datatype=XSD.integer)))
        g.add((st, JLIS.quote, Literal(f"line {line + index}")))
    return g


AGENCY, CENTER, NEW_HQ = ID["org/j-lis"], ID["unit/center"], ID["unit/new-hq"]
DEPT_A, DEPT_B, SYSTEM = ID["unit/dept-a"], ID["unit/dept-b"], ID["system/x"]
AUDIT, OFFICE = ID["unit/audit"], ID["unit/office"]


@pytest.fixture()
def small():
    dataset = Dataset()
    dataset.graph(GRAPH["reference"]).add((AGENCY, RDF.type, ORG.FormalOrganization))
    units = [(u, ORG.unitOf, AGENCY) for u in (CENTER, DEPT_A, DEPT_B, AUDIT, OFFICE)]
    snapshot(dataset, "plan", 2018, [(ID["document/plan"], JLIS.mentions, SYSTEM)])  # no organisation chart
    snapshot(dataset, "r2020", 2020, units + [(SYSTEM, JLIS.responsibleUnit, CENTER),
                                              (ID["document/r2020"], JLIS.mentions, SYSTEM),
                                              (ID["document/r2020"], JLIS.mentions, DEPT_B)])
    snapshot(dataset, "r2023", 2023, [(CENTER, ORG.unitOf, AGENCY), (NEW_HQ, ORG.unitOf, AGENCY),
                                      (AUDIT, ORG.unitOf, AGENCY), (OFFICE, ORG.unitOf, AGENCY),
                                      (DEPT_A, ORG.unitOf, CENTER), (SYSTEM, JLIS.responsibleUnit, NEW_HQ),
                                      (ID["document/r2023"], JLIS.mentions, SYSTEM),
                                      (ID["document/r2023"], JLIS.mentions, DEPT_B)])
    return dataset


def test_units_added_moved_and_still_named(small):
    changes = {(c.aspect, c.kind, c.subject) for c in compute_changes(small, 2020, 2023)}
    assert ("unit", "added", NEW_HQ) in changes
    assert ("unit", "moved", DEPT_A) in changes
    # DEPT_B is still named in FY2023, only not placed: no change
    assert not any(s == DEPT_B and a == "unit" for a, _, s in changes)
    assert ("responsibility", "moved", SYSTEM) in changes


def test_a_year_without_an_organisation_chart_compares_no_units(small):
    assert not [c for c in compute_changes(small, 2018, 2020) if c.aspect in ("unit", "responsibility")]


def test_change_events_carry_evidence_on_each_side(small):
    assert add_changes(small) > 0
    graph = small.graph(CHANGES_GRAPH)
    (moved,) = [c for c in graph.subjects(JLIS.changeKind, Literal("moved"))
                if (c, JLIS.changedEntity, SYSTEM) in graph]
    assert graph.value(moved, JLIS.previousValue) == CENTER and graph.value(moved, JLIS.newValue) == NEW_HQ
    before, after = graph.value(moved, JLIS.evidenceBefore), graph.value(moved, JLIS.evidenceAfter)
    assert (before, RDF.predicate, JLIS.responsibleUnit) in small.graph(GRAPH["r2020"])
    assert (after, RDF.predicate, JLIS.responsibleUnit) in small.graph(GRAPH["r2023"])
    assert graph.value(moved, JLIS.fromFiscalYear).toPython() == 2020


def test_figures_are_matched_by_their_dimensions():
    dataset = Dataset()
    for year, amount, doc in ((2020, "100", "a"), (2023, "150", "b"), (2023, "7", "b")):
        g = dataset.graph(GRAPH[doc])
        g.add((GRAPH[doc], JLIS.fiscalYear, Literal(year, datatype=XSD.integer)))
        obs = ID[f"observation/{doc}-{amount}"]
        g.add((obs, RDF.type, QB.Observation))
        g.add((obs, JLIS.fiscalYear, Literal(year, datatype=XSD.integer)))
        g.add((obs, JLIS.figureKind, Literal("settlement")))
        g.add((obs, JLIS.lineItem, Literal("経常費用" if amount != "7" else "人件費")))
        g.add((obs, JLIS.amountJPY, Literal(amount, datatype=XSD.decimal)))
        g.add((obs, JLIS.reportedIn, ID[f"document/{doc}"]))
    (row,) = figure_deltas(dataset, 2020, 2023, Snapshots(dataset))
    assert row["dimensions"]["jlis:lineItem"] == "経常費用"
    assert (row["from"]["value"], row["to"]["value"], row["delta"], row["delta_percent"]) == ("100", "150", "50", "50.0")


def test_text_difference():
    deleted, inserted = text_difference("地方公共団体が運営する", "国及び地方公共団体が運営する")
    assert deleted == [] and inserted == ["国及び"]


# ───────────────────────── the built graph ─────────────────────────

def change_events(dataset, aspect=None, kind=None, entity=None):
    out = []
    for change, _, _, g in dataset.quads((None, RDF.type, JLIS.ChangeEvent, CHANGES_GRAPH)):
        if aspect and (change, JLIS.changeAspect, Literal(aspect)) not in dataset:
            continue
        if kind and (change, JLIS.changeKind, Literal(kind)) not in dataset:
            continue
        if entity and (change, JLIS.changedEntity, entity) not in dataset:
            continue
        out.append(change)
    return out


def test_graph_the_new_unit_of_fy2023(dataset, entity):
    hq = ID[entity("個人番号センター運用管理本部")]
    (change,) = change_events(dataset, "unit", "added", hq)
    assert dataset.value(change, JLIS.fromFiscalYear).toPython() == 2020
    assert dataset.value(change, JLIS.toFiscalYear).toPython() == 2023
    assert dataset.value(change, JLIS.newValue) == ID[entity("地方公共団体情報システム機構")]
    statement = dataset.value(change, JLIS.evidenceAfter)
    assert dataset.value(statement, JLIS.sourceLine).toPython() == 187
    assert "個人番号センター運用管理本部" in str(dataset.value(statement, JLIS.quote))
    assert (change, ORG.resultingOrganization, hq) in dataset


def test_graph_the_purpose_statement_changed(dataset, entity):
    (change,) = change_events(dataset, "purpose", "changed")
    before, after = str(dataset.value(change, JLIS.previousText)), str(dataset.value(change, JLIS.newText))
    assert before.startswith("地方公共団体が共同して運営する組織") and after.startswith("国及び地方公共団体が共同して運営する組織")
    lines = {str(dataset.value(s, PROV.wasDerivedFrom)).rsplit("/", 1)[-1]: dataset.value(s, JLIS.sourceLine).toPython()
             for p in (JLIS.evidenceBefore, JLIS.evidenceAfter) for s in dataset.objects(change, p)}
    assert lines == {"fy2020-report": 90, "fy2023-report": 21}


def test_graph_a_responsibility_moved_to_the_new_unit(dataset, entity):
    system = ID[entity("個人番号カード発行管理システム")]
    (change,) = change_events(dataset, "responsibility", "moved", system)
    assert set(dataset.objects(change, JLIS.previousValue)) == {ID[entity("個人番号センター")]}
    assert set(dataset.objects(change, JLIS.newValue)) == {ID[entity("個人番号センター運用管理本部")]}


def test_graph_changes_only_between_consecutive_years(dataset):
    pairs = {(dataset.value(c, JLIS.fromFiscalYear).toPython(), dataset.value(c, JLIS.toFiscalYear).toPython())
             for c in change_events(dataset)}
    assert pairs <= {(2016, 2018), (2018, 2020), (2020, 2023)}
    # the plans describe no organisation chart: no unit change before FY2020
    assert not [c for c in change_events(dataset, "unit") if dataset.value(c, JLIS.fromFiscalYear).toPython() < 2020]


def test_query_changes_between_years(dataset):
    query = named_queries(ROOT / "queries")["changes-between-years"]
    variables, rows = run_query(dataset, query, {"aspect": "unit"})
    table = [dict(zip(variables, map(str, row))) for row in rows]
    added = [r for r in table if r["kind"] == "added"]
    assert [r["entityLabel"] for r in added] == ["個人番号センター運用管理本部"]
    assert added[0]["evidenceAfter"] == "fy2023-report:187"
    variables, rows = run_query(dataset, query, {"aspect": "purpose"})
    (row,) = [dict(zip(variables, map(str, r))) for r in rows]
    assert row["evidenceBefore"] == "fy2020-report:90" and row["evidenceAfter"] == "fy2023-report:21"
    variables, rows = run_query(dataset, query, {"from": "2018", "to": "2020", "aspect": "entity"})
    assert rows and all(str(r[variables.index("kind")]) in ("added", "removed") for r in rows)


# ───────────────────────── the commands ─────────────────────────

def invoke(build_dir, *args):
    return CliRunner().invoke(cli, ["--build-dir", str(build_dir), *args], obj={},
                              env={"JLIS_KG_HOME": str(ROOT)})


def test_diff_names_the_new_unit_and_the_purpose_change(build_dir):
    result = invoke(build_dir, "diff", "--from", "2020", "--to", "2023")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "個人番号センター運用管理本部" in out and "fy2023-report:187" in out
    assert "+ 「国及び」" in out and "fy2020-report:90" in out and "fy2023-report:21" in out
    assert "個人番号カード発行管理システム" in out  # a responsibility that moved


def test_diff_json(build_dir):
    result = invoke(build_dir, "diff", "--from", "2020", "--to", "2023", "--json")
    assert result.exit_code == 0, result.output[:500]
    report = json.loads(result.output)
    assert (report["from"], report["to"]) == (2020, 2023)
    units = [c for c in report["changes"] if c["aspect"] == "unit" and c["kind"] == "added"]
    assert units[0]["subject"]["label"] == "個人番号センター運用管理本部"
    assert units[0]["evidence_after"][0]["document"] == "fy2023-report"
    assert units[0]["evidence_after"][0]["line"] == 187
    (purpose,) = [c for c in report["changes"] if c["aspect"] == "purpose"]
    assert "国及び" in purpose["inserted_text"]
    assert isinstance(report["figures"], list)


def test_diff_of_any_two_years_and_a_missing_one(dataset):
    report = diff_report(dataset, 2016, 2023)
    assert report["snapshots"] == {"2016": ["fy2016-plan"], "2023": ["fy2023-report"]}
    with pytest.raises(InputError, match="2019"):
        diff_report(dataset, 2019, 2023)


def test_timeline_of_a_system_by_alias(build_dir):
    result = invoke(build_dir, "timeline", "LGWAN")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("総合行政ネットワーク")
    assert "2001-04" in out and "operation-start" in out and "fy2018-plan:112" in out
    assert "第37回代表者会議" in out  # its agenda names LGWAN


def test_timeline_json_of_a_committee_in_english(build_dir):
    result = invoke(build_dir, "timeline", "Management Council", "--json")
    assert result.exit_code == 0, result.output[:500]
    report = json.loads(result.output)
    assert report["entity"]["label"] == "経営審議委員会"
    meetings = [i for y in report["years"] for i in y["items"] if i["item"] == "meeting"]
    assert {"第9回経営審議委員会", "第30回経営審議委員会", "第42回経営審議委員会"} <= {m["label"] for m in meetings}
    (ninth,) = [m for m in meetings if m["label"] == "第9回経営審議委員会"]
    assert ninth["when"] == "2016-02-25" and ninth["sources"][0]["document"] == "fy2016-plan"


def test_timeline_of_a_person(dataset):
    report = timeline(dataset, ID[person_id("大山永昭")])
    years = {y["year"] for y in report["years"]}
    assert years == {2020, 2023}
    labels = {i["label"] for y in report["years"] for i in y["items"]}
    assert "org:holds 経営審議委員会委員長" in labels


def test_timeline_of_an_unknown_name(build_dir):
    result = invoke(build_dir, "timeline", "存在しないシステム")
    assert isinstance(result.exception, InputError)


def test_stats_counts_documents_not_the_changes_graph(build_dir):
    result = invoke(build_dir, "stats", "--json")
    assert result.exit_code == 0, result.output[:300]
    assert json.loads(result.output)["documents"] == 5
    assert str(GRAPH["changes"]) in json.loads(result.output)["named_graphs"]


def test_changes_graph_is_not_a_snapshot(dataset):
    assert CHANGES_GRAPH not in {g for graphs in Snapshots(dataset).graphs.values() for g in graphs}
    assert (CHANGES_GRAPH, PROV.wasDerivedFrom, GRAPH["fy2020-report"]) in dataset
