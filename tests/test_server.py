"""``jlis-kg serve`` over real HTTP: the SPARQL 1.1 Protocol, named queries, limits,
dereferenceable IRIs.  Each server is started as the command a person runs, on
127.0.0.1 and a free port, and stopped by the test."""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from jlis_kg.namespaces import ID, JLIS
from jlis_kg.query import named_queries, run_query
from jlis_kg.server.child import start_server, stop_process
from jlis_kg.store import OxigraphEngine
from test_store import INJECTION, QUERIES, canonical, parameter_cases

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "src" / "jlis_kg" / "server" / "assets"


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None,
         timeout: float = 60):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def get_query(base: str, text: str, accept: str = "application/sparql-results+json", **extra):
    params = urllib.parse.urlencode({"query": text, **extra})
    return http(f"{base}/sparql?{params}", headers={"Accept": accept})


def post_form(base: str, fields: dict, accept: str = "application/sparql-results+json"):
    return http(f"{base}/sparql", data=urllib.parse.urlencode(fields).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})


def rows_of(body: bytes, fmt=ox.QueryResultsFormat.JSON):
    if fmt == ox.QueryResultsFormat.CSV:  # CSV carries only lexical forms: (variables, rows of strings)
        import csv
        import io

        table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        return table[0], [tuple(row) for row in table[1:]]
    results = ox.parse_query_results(body, format=fmt)
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    variables = [v.value for v in results.variables]
    return variables, [tuple(solution[v] for v in variables) for solution in results]


def count(base: str) -> int:
    status, _, body = get_query(base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 200, body
    return int(rows_of(body)[1][0][0].value)


# ───────────────────────── fixtures ─────────────────────────

@pytest.fixture(scope="module")
def limited(build_dir):
    """A server with a one-second time limit and a hundred-row limit."""
    process, base = start_server(build_dir, "--timeout", "1", "--max-rows", "100", "--workers", "1", cwd=ROOT)
    yield base
    stop_process(process)


@pytest.fixture(scope="module")
def engine(build_dir):
    return OxigraphEngine.open(build_dir)


# ───────────────────────── the protocol ─────────────────────────

LAWS = 'SELECT ?law ?label WHERE { ?law a jlis:Law ; skos:prefLabel ?label . FILTER(lang(?label) = "ja") } ORDER BY ?label'


def test_get_and_both_kinds_of_post_give_the_same_json(server):
    answers = [get_query(server, LAWS), post_form(server, {"query": LAWS}),
               http(f"{server}/sparql", data=LAWS.encode(), headers={
                   "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})]
    for status, headers, body in answers:
        assert status == 200, body
        assert headers["Content-Type"].startswith("application/sparql-results+json")
    assert answers[0][2] == answers[1][2] == answers[2][2]
    variables, rows = rows_of(answers[0][2])
    assert variables == ["law", "label"]
    assert ox.Literal("住民基本台帳法", language="ja") in {r[1] for r in rows}


@pytest.mark.parametrize("accept,fmt", [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_select_results_in_every_format_parse_back_to_the_same_rows(server, accept, fmt):
    text = ("SELECT ?s ?label ?line WHERE { ?st rdf:subject ?s ; jlis:sourceLine ?line ; jlis:quote ?label } "
            "ORDER BY ?st LIMIT 50")
    status, headers, body = get_query(server, text, accept)
    assert status == 200 and headers["Content-Type"].startswith(accept), body[:200]
    expected = rows_of(get_query(server, text)[2])
    if fmt == ox.QueryResultsFormat.CSV:  # CSV carries no types, only the lexical forms
        assert rows_of(body, fmt) == (expected[0], [tuple(t.value for t in row) for row in expected[1]])
    else:
        assert rows_of(body, fmt) == expected


def test_the_quotes_with_tabs_quotes_and_line_breaks_survive_every_format(server):
    text = 'SELECT ?x WHERE { VALUES ?x { "a\\tb \\"c\\" d\\ne, f" } }'
    expected = rows_of(get_query(server, text)[2])
    for accept, fmt in (("application/sparql-results+xml", ox.QueryResultsFormat.XML),
                        ("text/tab-separated-values", ox.QueryResultsFormat.TSV)):
        assert rows_of(get_query(server, text, accept)[2], fmt) == expected
    csv_rows = rows_of(get_query(server, text, "text/csv")[2], ox.QueryResultsFormat.CSV)
    assert csv_rows == (["x"], [('a\tb "c" d\ne, f',)])


@pytest.mark.parametrize("accept,fmt", [("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                                        ("application/sparql-results+xml", ox.QueryResultsFormat.XML)])
def test_ask(server, accept, fmt):
    for text, answer in (("ASK { id:system\\/lgwan-asp jlis:deliveredVia id:system\\/lgwan }", True),
                         ("ASK { id:system\\/lgwan jlis:deliveredVia id:system\\/lgwan-asp }", False)):
        status, _, body = get_query(server, text, accept)
        assert status == 200 and rows_of(body, fmt) is answer


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES)])
def test_construct_comes_as_turtle_or_n_triples(server, accept, fmt):
    text = "CONSTRUCT { ?a jlis:dependsOn ?b } WHERE { ?a jlis:dependsOn ?b }"
    status, headers, body = get_query(server, text, accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    triples = [quad.triple for quad in ox.parse(body, format=fmt)]
    assert ox.Triple(ox.NamedNode(str(ID["system/lgwan-asp"])), ox.NamedNode(str(JLIS.dependsOn)),
                     ox.NamedNode(str(ID["system/lgwan"]))) in triples
    assert len(triples) == len(set(triples)), "the default graph is a set of triples: no duplicates"


def test_format_parameter_and_not_acceptable(server):
    status, headers, _ = get_query(server, LAWS, "*/*", format="csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, _, body = get_query(server, LAWS, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, _ = get_query(server, "CONSTRUCT WHERE { ?s a jlis:Law }", "text/csv")
    assert status == 406


def test_graph_sees_each_document_and_the_default_graph_is_their_union(server, build_dir):
    summary = json.loads((build_dir / "summary.json").read_text())
    status, _, body = get_query(server, "SELECT ?g WHERE { GRAPH ?g { } } ORDER BY ?g")
    assert [r[0].value for r in rows_of(body)[1]] == summary["named_graphs"]
    status, _, body = get_query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(rows_of(body)[1][0][0].value) == summary["distinct_triples"]
    assert count(server) == summary["quads"]


def test_default_and_named_graph_uri_of_the_protocol(server):
    graph = "https://w3id.org/jlis-kg/graph/reference"
    status, _, body = get_query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": graph})
    in_reference = int(rows_of(body)[1][0][0].value)
    status, _, body = get_query(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert in_reference == int(rows_of(body)[1][0][0].value) > 0


@pytest.mark.parametrize("request_kind", ["update-form", "sparql-update", "query-drop", "query-insert"])
def test_updates_are_refused_and_change_nothing(server, request_kind):
    before = count(server)
    if request_kind == "update-form":
        status, _, body = post_form(server, {"update": "DROP ALL"})
    elif request_kind == "sparql-update":
        status, _, body = http(f"{server}/sparql", data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    elif request_kind == "query-drop":
        status, _, body = get_query(server, "DROP ALL")
    else:
        status, _, body = post_form(server, {"query": "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"})
    assert status == 403
    assert b"read-only" in body and b"Update" in body
    assert count(server) == before


def test_a_malformed_query_is_a_400_with_the_reason(server):
    status, _, body = get_query(server, "SELECT ?x WHERE { ?x jlis:dependsOn ")
    assert status == 400 and b"malformed SPARQL" in body


def test_other_methods_are_refused(server):
    for method in ("PUT", "DELETE", "PATCH"):
        status, _, _ = http(f"{server}/sparql", data=b"", method=method)
        assert status == 405


# ───────────────────────── limits ─────────────────────────

def test_a_query_over_the_time_limit_is_stopped_and_the_server_goes_on(limited):
    started = time.time()
    status, _, body = get_query(limited, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }")
    took = time.time() - started
    assert status == 503 and b"time limit" in body
    assert took < 10, f"the limit is one second; the answer took {took:.1f} s"
    deadline = time.time() + 30  # the killed worker is replaced
    while True:
        status, _, body = get_query(limited, "ASK { ?s ?p ?o }")
        if status == 200 or time.time() > deadline:
            break
        time.sleep(0.2)
    assert status == 200 and rows_of(body) is True


def test_a_result_over_the_row_limit_is_refused_whole(limited):
    status, _, body = get_query(limited, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413 and b"more than 100 rows" in body and b"LIMIT" in body
    status, _, body = get_query(limited, "SELECT * WHERE { ?s ?p ?o } LIMIT 100")
    assert status == 200 and len(rows_of(body)[1]) == 100
    status, _, body = get_query(limited, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert status == 413 and b"triples" in body


# ───────────────────────── named queries ─────────────────────────

def test_the_named_queries_are_listed(server):
    status, _, body = http(f"{server}/queries")
    listed = {q["name"]: q for q in json.loads(body)}
    assert set(listed) == set(named_queries(QUERIES))
    assert listed["dependents"]["params"][0]["name"] == "system"
    assert listed["dependents"]["question"].endswith("?")
    assert listed["dependents"]["example"] == {"system": "LGWAN"}


def test_every_named_query_over_http_gives_the_embedded_answer(server, engine):
    failures = []
    for name, query in named_queries(QUERIES).items():
        for params in parameter_cases(query):
            url = f"{server}/queries/{urllib.parse.quote(name)}?{urllib.parse.urlencode(params)}"
            status, _, body = http(url, headers={"Accept": "application/sparql-results+json"})
            if status != 200:
                failures.append(f"{name} {params}: HTTP {status} {body[:200]!r}")
                continue
            answer = json.loads(body)
            variables, rows = run_query(engine, query, params)
            if "boolean" in answer:
                ok = rows == [(answer["boolean"],)]
            else:
                from jlis_kg.push import json_term

                http_rows = [tuple(json_term(b.get(v)) for v in variables) for b in answer["results"]["bindings"]]
                ok = answer["head"]["vars"] == list(variables) and \
                    canonical(query.text, variables, http_rows) == canonical(query.text, variables, rows)
            if not ok:
                failures.append(f"{name} {params}: differs from the embedded store")
    assert not failures, "\n".join(failures)


def test_the_text_of_a_named_query_has_its_parameters_bound(server):
    status, headers, body = http(f"{server}/queries/dependents.rq?system=LGWAN")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-query")
    assert "VALUES (?system) { (<https://w3id.org/jlis-kg/id/system/lgwan>) }" in text
    assert text.startswith("PREFIX jlis: <https://w3id.org/jlis-kg/ontology#>\n")
    status, _, body = get_query(server, text)  # and it runs as it is, here or on any endpoint
    assert status == 200 and len(rows_of(body)[1]) == 5


def test_an_injected_parameter_matches_nothing_and_harms_nothing(server):
    before = count(server)
    for name, param in (("dependents", "system"), ("evidence", "subject"), ("legal-basis", "system")):
        url = f"{server}/queries/{name}?{urllib.parse.urlencode({param: INJECTION})}"
        status, _, body = http(url)
        assert status == 200, body
        assert json.loads(body)["results"]["bindings"] == []
    assert count(server) == before
    status, _, body = http(f"{server}/queries/dependents?system=LGWAN")
    assert len(json.loads(body)["results"]["bindings"]) == 5


def test_unknown_named_query_and_parameter(server):
    assert http(f"{server}/queries/no-such-query")[0] == 404
    status, _, body = http(f"{server}/queries/dependents?colour=red")
    assert status == 400 and b"unknown parameter 'colour'" in body


# ───────────────────────── dereferenceable IRIs ─────────────────────────

def test_an_entity_answers_html_to_a_browser_and_turtle_to_a_machine(server):
    status, headers, body = http(f"{server}/id/system/lgwan-asp",
                                 headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Accept" in headers["Vary"] and 'rel="alternate"; type="text/turtle"' in headers["Link"]
    page = body.decode()
    assert "<h1>LGWAN-ASP</h1>" in page and "Evidence" in page and "sources/" in page
    status, headers, body = http(f"{server}/id/system/lgwan-asp", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    asp, lgwan = ID["system/lgwan-asp"], ID["system/lgwan"]
    assert (asp, JLIS.deliveredVia, lgwan) in graph
    quotes = [str(q) for st in graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"), asp)
              for q in graph.objects(st, JLIS.quote)]
    assert any("LGWAN-ASP" in q for q in quotes), "the evidence statements come with the resource"
    assert http(f"{server}/id/system/lgwan-asp.ttl")[2] == body
    status, headers, body = http(f"{server}/id/system/lgwan-asp.nt")
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")


def test_a_named_graph_and_a_document_dereference(server):
    status, _, body = http(f"{server}/graph/fy2020-report")
    assert status == 200 and b"2020" in body and b"quads in this graph" in body
    status, _, body = http(f"{server}/id/document/fy2020-report")
    assert status == 200 and b"sources/003_b8494e4f247fe3eb.txt" in body


def test_an_unknown_iri_is_404(server):
    for accept in ("text/html", "text/turtle"):
        status, _, _ = http(f"{server}/id/system/no-such-system", headers={"Accept": accept})
        assert status == 404
    assert http(f"{server}/id/<script>")[0] == 404


def test_the_ontology(server):
    status, headers, body = http(f"{server}/ontology", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert (JLIS.InformationSystem, None, None) in Graph().parse(data=body, format="turtle")


# ───────────────────────── the page, its assets, and who may ask ─────────────────────────

def test_the_query_page_uses_only_its_own_assets(server):
    status, headers, body = http(f"{server}/", headers={"Accept": "text/html"})
    page = body.decode()
    assert status == 200 and "default-src 'self'" in headers["Content-Security-Policy"]
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/assets/yasgui.min.js" in references and "/assets/yasgui.min.css" in references
    assert not [r for r in references if r.startswith(("http:", "https:", "//"))]
    for name in ("yasgui.min.js", "yasgui.min.css", "jlis-query.js", "jlis.css"):
        status, headers, body = http(f"{server}/assets/{name}")
        assert status == 200 and body == (ASSETS / name).read_bytes()
    assert http(f"{server}/assets/../app.py")[0] == 404


def test_the_vendored_assets_come_with_their_licence():
    licence = (ASSETS / "LICENSE-yasgui.txt").read_text()
    assert "MIT License" in licence and "@zazuko/yasgui 4.6.2" in licence
    import hashlib

    for name in ("yasgui.min.js", "yasgui.min.css"):
        digest = hashlib.sha256((ASSETS / name).read_bytes()).hexdigest()
        assert digest in licence, f"{name} is not the file the licence note describes"
    assert (ASSETS / "THIRD-PARTY-yasgui.txt").is_file()


def test_the_assets_are_package_data():
    text = (ROOT / "pyproject.toml").read_text()
    assert '"jlis_kg.server"' in text and "assets/*" in text


def test_a_foreign_host_header_is_refused(server):
    status, _, body = http(f"{server}/sparql?query=ASK%7B%7D", headers={"Host": "attacker.example"})
    assert status == 403 and b"loopback" in body
    port = server.rsplit(":", 1)[1]
    assert http(f"{server}/status", headers={"Host": f"localhost:{port}"})[0] == 200


def test_it_binds_to_loopback_unless_told_otherwise(server):
    from jlis_kg.server import serve_command

    host = next(p for p in serve_command.params if p.name == "host")
    assert host.default == "127.0.0.1"
    status, _, body = http(f"{server}/status")
    info = json.loads(body)
    assert info["read_only"] is True and info["store"]["quads"] > 0
