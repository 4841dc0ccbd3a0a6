"""The embedded Oxigraph store: written by the build, atomically and deterministically,
and answering every named query exactly as rdflib's own engine does.

"Exactly" has two documented exceptions, both where SPARQL leaves the engine free or
rdflib departs from the recommendation: the order of rows that tie on ORDER BY (rows are
compared as multisets; the ORDER BY columns are compared in order), and the order of the
values inside a GROUP_CONCAT (compared as sorted lists), whose language tag Oxigraph
keeps when all values share it, as the recommendation's CONCAT says, and rdflib drops.
"""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from jlis_kg.cli import cli
from jlis_kg.model import InputError
from jlis_kg.namespaces import ID, JLIS
from jlis_kg.query import AskVariables, NamedQuery, find_query, named_queries, run_query
from jlis_kg.store import (MARKER, STORE_LINK, OxigraphEngine, ensure_store, query_form, store_is_current,
                           store_path, term_sparql, with_prefixes, with_values, write_store)

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
INJECTION = 'LGWAN" } ; DROP ALL ; #'

# A value for each parameter name the named queries use (a label, an alias, a year …);
# a query's own "# Example:" line wins.
PARAM_VALUES = {
    "system": "LGWAN", "subject": "自治体中間サーバー・プラットフォーム", "object": "LGWAN",
    "predicate": str(JLIS.dependsOn), "committee": "代表者会議", "year": "2023", "from": "2018", "to": "2020",
    "aspect": "unit", "organization": "経営審議委員会", "role": "委員長", "post": "経営審議委員会委員長",
    "segment": "公的個人認証サービス事業", "unit": "総合行政ネットワーク全国センター", "present": "2016",
    "absent": "2020", "indicator": "マイナンバーカード累積発行枚数",
}


# ───────────────────────── helpers ─────────────────────────

def parameter_cases(query: NamedQuery) -> list[dict[str, str]]:
    """No parameters; the example; each parameter alone; all of them together — each with
    the query's required parameters added."""
    example = query.example
    values = {name: example.get(name, PARAM_VALUES.get(name)) for name, _ in query.params}
    values = {k: v for k, v in values.items() if v is not None}
    required = {name: values[name] for name in query.required}
    cases = [required]
    if example and example not in cases:
        cases.append(example)
    for name, value in values.items():
        if {**required, name: value} not in cases:
            cases.append({**required, name: value})
    if len(values) > 1 and values not in cases:
        cases.append(values)
    return cases


GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\(\s*(?:DISTINCT\s+)?[^;]*?(?:;\s*separator\s*=\s*(\"[^\"]*\"|'[^']*'))?\s*\)\s+AS\s+\?(\w+)",
    re.IGNORECASE | re.DOTALL)


def concat_columns(text: str) -> dict[str, str]:
    return {m.group(2): (m.group(1)[1:-1] if m.group(1) else " ") for m in GROUP_CONCAT.finditer(text)}


def canonical(text: str, variables, rows):
    """Rows as a sorted list; GROUP_CONCAT values as sorted lists of their parts."""
    concat = concat_columns(text)

    def cell(variable, term):
        if variable in concat and term is not None:
            separator = concat[variable]
            parts = str(term).split(separator) if separator else list(str(term))
            return ("group_concat", tuple(sorted(parts)))
        return term

    out = [tuple(cell(v, t) for v, t in zip(variables, row)) for row in rows]
    return sorted(out, key=repr)


def order_columns(text: str, variables) -> list[str]:
    """The ORDER BY keys that are plain projected variables, up to the first that is not."""
    match = re.search(r"ORDER\s+BY\s+(.*?)\s*(?:LIMIT|OFFSET|$)", _strip_comments(text), re.IGNORECASE | re.DOTALL)
    if not match:
        return []
    keys = []
    for token in match.group(1).split():
        if token.startswith("?") and token[1:] in variables:
            keys.append(token[1:])
        else:
            break
    return keys


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def ordered_keys(text, variables, rows, keys):
    concat = concat_columns(text)
    index = [variables.index(k) for k in keys if k not in concat]
    return [tuple(row[i] for i in index) for row in rows]


# ───────────────────────── fixtures ─────────────────────────

@pytest.fixture(scope="module")
def engine(build_dir):
    return OxigraphEngine.open(build_dir)


@pytest.fixture(scope="module")
def queries():
    return named_queries(QUERIES)


def nq_quads(path: Path) -> set:
    return set(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


# ───────────────────────── the store on disk ─────────────────────────

def test_the_build_writes_the_store_beside_its_other_outputs(build_dir):
    link = build_dir / STORE_LINK
    assert link.is_symlink(), "build/oxigraph is a link to the published store"
    target = store_path(build_dir)
    marker = json.loads((target / MARKER).read_text())
    assert marker["source"] == "jlis.nq" and marker["layout"] >= 1
    assert store_is_current(build_dir)


def test_the_store_holds_exactly_jlis_nq_and_their_merge_as_default_graph(build_dir):
    expected = nq_quads(build_dir / "jlis.nq")
    store = ox.Store.read_only(str(store_path(build_dir)))
    named = set(q for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
    default = set(q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert named == expected
    assert default == {q.triple for q in expected}
    summary = json.loads((build_dir / "summary.json").read_text())
    assert len(default) == summary["distinct_triples"]
    assert len(named) == summary["quads"]


def test_the_same_jlis_nq_gives_the_same_store(build_dir, tmp_path):
    copy = tmp_path / "build"
    copy.mkdir()
    (copy / "jlis.nq").write_bytes((build_dir / "jlis.nq").read_bytes())
    first = write_store(copy)
    assert first.name == store_path(build_dir).name, "the store is named by the digest of jlis.nq"
    dump_a = ox.Store.read_only(str(first)).dump(format=ox.RdfFormat.N_QUADS)
    dump_b = ox.Store.read_only(str(store_path(build_dir))).dump(format=ox.RdfFormat.N_QUADS)
    assert sorted(dump_a.splitlines()) == sorted(dump_b.splitlines())
    # writing again from an unchanged file loads nothing and publishes the same store
    again = write_store(copy)
    assert again == first


def small_nq(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_a_new_jlis_nq_is_published_and_the_old_store_kept_once(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    small_nq(build / "jlis.nq", '<urn:x:a> <urn:x:p> "one" <urn:x:g> .\n')
    first = write_store(build)
    assert store_is_current(build)
    small_nq(build / "jlis.nq", '<urn:x:a> <urn:x:p> "two" <urn:x:g> .\n')
    assert not store_is_current(build), "a changed jlis.nq makes the store stale"
    second = ensure_store(build, quiet=True)
    assert second != first and store_path(build) == second
    assert first.is_dir(), "the store published before stays for servers still running on it"
    small_nq(build / "jlis.nq", '<urn:x:a> <urn:x:p> "three" <urn:x:g> .\n')
    third = write_store(build)
    assert not first.exists() and second.is_dir() and third.is_dir()
    values = [q.object.value for q in ox.Store.read_only(str(store_path(build)))]
    assert values == ["three", "three"]  # the named graph, and the default graph (their merge)


def test_a_failed_load_leaves_the_published_store_usable(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    small_nq(build / "jlis.nq", '<urn:x:a> <urn:x:p> "good" <urn:x:g> .\n')
    good = write_store(build)
    small_nq(build / "jlis.nq", '<urn:x:a> <urn:x:p> "broken <urn:x:g> .\n')
    with pytest.raises(InputError, match="jlis.nq: cannot load into Oxigraph"):
        write_store(build)
    assert store_path(build) == good
    assert [q.object.value for q in ox.Store.read_only(str(good))] == ["good", "good"]
    assert not [p for p in build.iterdir() if ".partial-" in p.name], "no half-loaded store is left"


def test_a_killed_store_load_leaves_the_previous_store_whole(build_dir, tmp_path):
    """A build killed while it loads the store: the link still points at the previous
    store, which opens and answers; the next build removes the leftover."""
    build = tmp_path / "build"
    build.mkdir()
    small_nq(build / "jlis.nq", '<urn:x:a> <urn:x:p> "previous" <urn:x:g> .\n')
    previous = write_store(build)
    (build / "jlis.nq").write_bytes((build_dir / "jlis.nq").read_bytes())  # a big one: loading takes a while
    child = subprocess.Popen([sys.executable, "-c", "import sys; from pathlib import Path; "
                              "from jlis_kg.store import write_store; write_store(Path(sys.argv[1]))", str(build)])
    deadline = time.time() + 60
    while not [p for p in build.iterdir() if ".partial-" in p.name]:
        assert time.time() < deadline and child.poll() is None, "the load did not start"
        time.sleep(0.02)
    time.sleep(0.3)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    assert store_path(build) == previous
    assert [q.object.value for q in ox.Store.read_only(str(previous))] == ["previous", "previous"]
    assert [p for p in build.iterdir() if ".partial-" in p.name], "the killed load left its partial directory"
    write_store(build)  # the next build cleans up after the dead one
    assert not [p for p in build.iterdir() if ".partial-" in p.name]
    assert store_is_current(build)


def test_query_loads_the_store_when_build_has_only_jlis_nq(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    small_nq(build / "jlis.nq", f'<{ID["system/lgwan-asp"]}> <{JLIS.dependsOn}> <{ID["system/lgwan"]}> <urn:x:g> .\n')
    engine = OxigraphEngine.open(build)
    query = NamedQuery("q", Path("q.rq"), "SELECT ?s WHERE { ?s jlis:dependsOn id:system\\/lgwan }", "", ())
    assert run_query(engine, query) == (["s"], [(ID["system/lgwan-asp"],)])
    assert (build / STORE_LINK).is_symlink()


# ───────────────────────── the same answers as rdflib ─────────────────────────

def test_there_are_named_queries_to_compare(queries):
    assert len(queries) >= 18


def test_every_named_query_gives_rdflibs_answer_on_oxigraph(dataset, engine, queries):
    """Every named query, without parameters, with its example, with each parameter
    alone and with all of them: the same variables and the same rows on both engines."""
    compared, failures = 0, []
    for name, query in queries.items():
        for params in parameter_cases(query):
            variables, rows = run_query(dataset, query, params)
            ox_variables, ox_rows = run_query(engine, query, params)
            compared += 1
            label = f"{name} {params}"
            if list(variables) != list(ox_variables):
                failures.append(f"{label}: variables {variables} != {ox_variables}")
                continue
            if canonical(query.text, variables, rows) != canonical(query.text, ox_variables, ox_rows):
                failures.append(f"{label}: rdflib {len(rows)} rows, oxigraph {len(ox_rows)} rows differ")
                continue
            keys = order_columns(query.text, variables)
            if keys and ordered_keys(query.text, variables, rows, keys) != ordered_keys(query.text, variables, ox_rows, keys):
                failures.append(f"{label}: ORDER BY {keys} orders the rows differently")
    assert not failures, "\n".join(failures)
    assert compared >= 2 * len(queries)


def test_parameters_bind_everywhere_as_initbindings_do(dataset, engine):
    """A default in a sub-query (BIND(COALESCE(?p, …))), BOUND() and a UNION branch see
    the parameter on both engines."""
    text = """SELECT ?y ?inner ?bound ?branch WHERE {
      { SELECT ?inner WHERE { BIND(COALESCE(?year, 1999) AS ?inner) } }
      BIND(BOUND(?year) AS ?bound)
      { BIND(COALESCE(?year, 1) AS ?branch) } UNION { BIND(COALESCE(?year, 2) AS ?branch) }
      BIND(?year AS ?y)
    }"""
    query = NamedQuery("t", Path("t.rq"), text, "", (("year", ""),))
    for params in ({}, {"year": "2020"}):
        expected = canonical(text, *run_query(dataset, query, params))
        assert canonical(text, *run_query(engine, query, params)) == expected
    rows = run_query(engine, query, {"year": "2020"})[1]
    assert {row[1] for row in rows} == {Literal(2020)} and {row[3] for row in rows} == {Literal(2020)}


# ───────────────────────── parameters never become query text ─────────────────────────

@pytest.mark.parametrize("name,param", [("dependents", "system"), ("evidence", "subject"),
                                        ("legal-basis", "system"), ("unit-responsibilities", "unit")])
def test_an_injection_is_a_string_that_matches_nothing(engine, queries, name, param):
    before = len(engine.store)
    variables, rows = run_query(engine, queries[name], {param: INJECTION})
    assert rows == []
    assert len(engine.store) == before
    assert run_query(engine, queries["dependents"], {"system": "LGWAN"})[1], "the graph is still whole"


def test_the_bound_text_carries_the_value_as_one_escaped_literal(engine, queries):
    text = engine.prepare(queries["dependents"], {"system": INJECTION})
    assert 'VALUES (?system) { ("LGWAN\\" } ; DROP ALL ; #") }' in text
    assert query_form(text) == "SELECT"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_text_round_trips_as_a_literal(value):
    """Whatever the text — quotes, backslashes, \\u escapes, braces, #, line breaks — the
    query gets back exactly that string, and nothing else happens."""
    store = ox.Store()
    text = with_values("SELECT ?x ?n WHERE { BIND(STRLEN(?x) AS ?n) }", {"x": Literal(value)})
    rows = list(store.query(text))
    assert len(rows) == 1
    assert rows[0]["x"].value == value
    assert int(rows[0]["n"].value) == len(value)
    assert len(store) == 0


@pytest.mark.parametrize("iri", ["http://example.org/a> } ; DROP ALL ; #", "http://example.org/a b",
                                 'http://example.org/"', "not an iri", "http://example.org/{x}"])
def test_an_iri_that_sparql_cannot_carry_is_refused(iri):
    with pytest.raises(InputError, match="not an absolute IRI"):
        term_sparql(URIRef(iri))


def test_a_parameter_that_looks_like_an_iri_but_is_not_one_is_refused(engine, queries):
    with pytest.raises(InputError, match="not an absolute IRI"):
        run_query(engine, queries["dependents"], {"system": "http://example.org/a> } ; DROP ALL ; #"})


# ───────────────────────── the VALUES rewriting ─────────────────────────

def test_values_go_to_the_top_group_and_every_group_that_mentions_the_variable():
    text = ('SELECT ?a WHERE { ?a ?p "{ not a group }" . # a comment with { braces }\n'
            '  VALUES ?p { <urn:x:p> <urn:x:q> }\n'
            '  OPTIONAL { ?a <urn:x:r> ?x } { SELECT ?b WHERE { ?b <urn:x:s> ?x } } }')
    out = with_values(text, {"x": Literal("v")})
    assert out.count('VALUES (?x) { ("v") }') == 3  # top, OPTIONAL, the sub-query's WHERE
    assert 'VALUES ?p { <urn:x:p> <urn:x:q> }' in out and '"{ not a group }"' in out
    assert "# a comment with { braces }" in out
    list(ox.Store().query(out))  # still SPARQL


def test_a_where_that_is_only_a_subquery_is_wrapped():
    text = "SELECT ?x ?b WHERE { SELECT ?b WHERE { BIND(1 AS ?b) } }"
    out = with_values(text, {"x": Literal(7)})
    rows = list(ox.Store().query(out))
    assert rows[0]["x"] == ox.Literal("7", datatype=ox.NamedNode(str(XSD.integer)))


def test_prefixes_are_added_only_where_used_and_not_declared():
    text = "PREFIX jlis: <urn:own#>\nSELECT ?s WHERE { ?s jlis:p ?o ; skos:prefLabel ?l }"
    out = with_prefixes(text)
    assert "PREFIX skos:" in out and out.count("PREFIX jlis:") == 1
    assert out.count("\n") == text.count("\n") + 1, "one line added: error positions move by one line"


# ───────────────────────── the engine behind `jlis-kg query` ─────────────────────────

@pytest.mark.parametrize("text", ["DROP ALL", "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
                                  "DELETE WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"])
def test_anything_but_select_or_ask_is_refused(engine, tmp_path, text):
    path = tmp_path / "q.rq"
    path.write_text(text + "\n", encoding="utf-8")
    before = len(engine.store)
    with pytest.raises(InputError, match="only SELECT and ASK"):
        run_query(engine, find_query(str(path), QUERIES))
    assert len(engine.store) == before


def test_a_malformed_query_names_the_file(engine, tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("SELECT ?x WHERE { ?x jlis:dependsOn \n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run_query(engine, find_query(str(path), QUERIES))
    assert str(path) in str(caught.value) and "malformed SPARQL" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_ask(engine, dataset):
    query = NamedQuery("ask", Path("ask.rq"), "ASK { id:system\\/lgwan-asp jlis:deliveredVia id:system\\/lgwan }", "", ())
    variables, rows = run_query(engine, query)
    assert isinstance(variables, AskVariables) and rows == [(Literal(True),)]
    assert run_query(dataset, query) == (variables, rows)


def test_resolution_agrees_with_rdflib(engine, dataset):
    from jlis_kg.query import resolve_entity

    for value in ["LGWAN", "ＬＧＷＡＮ", " LGWAN ", "system/lgwan", "住基ネット", "Juki-Net", "総合行政ネットワーク全国センター",
                  "経営審議委員会", "委員長", "存在しないシステム", str(ID["system/lgwan"])]:
        assert engine.resolve_entity(value) == resolve_entity(dataset, value), value


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_the_command_gives_the_same_output_on_both_engines(build_dir, fmt):
    runner = CliRunner()
    outputs = []
    for engine_name in ("oxigraph", "rdflib"):
        result = runner.invoke(cli, ["--build-dir", str(build_dir), "query", "legal-basis", "--param", "system=住基ネット",
                                     "--format", fmt, "--engine", engine_name], obj={}, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    assert "住民基本台帳法" in outputs[0]
