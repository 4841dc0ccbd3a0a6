"""External stores: ``jlis-kg push`` into a real Oxigraph server over the Graph Store
Protocol, and ``jlis-kg query --endpoint`` against it.

The server is the ``oxigraph`` binary from PyPI (a test dependency), started on
127.0.0.1 and a free port in a temporary directory, and stopped by the test.  Every
named query must give over HTTP what it gives on the embedded store."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from jlis_kg.cli import cli
from jlis_kg.model import InputError
from jlis_kg.push import RemoteEngine, push
from jlis_kg.query import named_queries, run_query
from jlis_kg.server.child import stop_process
from jlis_kg.store import OxigraphEngine
from test_server import http
from test_store import INJECTION, QUERIES, canonical, parameter_cases

OXIGRAPH = shutil.which("oxigraph") or (str(Path(sys.executable).parent / "oxigraph")
                                        if (Path(sys.executable).parent / "oxigraph").exists() else None)

pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph server is not installed (pip install oxigraph)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OxigraphServer:
    def __init__(self, location: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location),
                                         "--bind", f"127.0.0.1:{self.port}", "--timeout-s", "60"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while True:
            try:
                status, _, _ = http(f"{self.base}/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"},
                                    timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("the Oxigraph server did not start")
            time.sleep(0.1)

    @property
    def store(self) -> str:
        return f"{self.base}/store"

    @property
    def query(self) -> str:
        return f"{self.base}/query"

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-server"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pushed(oxigraph, build_dir):
    records = push(build_dir / "jlis.nq", oxigraph.store)
    return records


@pytest.fixture(scope="module")
def remote(oxigraph, pushed):
    return RemoteEngine(oxigraph.query)


@pytest.fixture(scope="module")
def engine(build_dir):
    return OxigraphEngine.open(build_dir)


def graph_counts(engine) -> dict[str, int]:
    _, rows = engine.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {str(g): int(n) for g, n in rows}


def expected_counts(build_dir) -> Counter:
    return Counter(q.graph_name.value for q in ox.parse(path=str(build_dir / "jlis.nq"), format=ox.RdfFormat.N_QUADS))


# ───────────────────────── push ─────────────────────────

def test_push_puts_every_named_graph_and_the_union(pushed, remote, build_dir):
    summary = json.loads((build_dir / "summary.json").read_text())
    graphs = [r["graph"] for r in pushed]
    assert graphs[:-1] == summary["named_graphs"] and graphs[-1].startswith("(default graph")
    assert all(r["status"] in (200, 201, 204) for r in pushed)
    assert graph_counts(remote) == dict(expected_counts(build_dir))
    _, rows = remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(rows[0][0]) == summary["distinct_triples"]


def test_a_second_push_replaces_each_graph_whole(oxigraph, pushed, remote, build_dir):
    # something stale in a graph of ours, and a graph we do not know: ours is replaced, the other kept
    stale = "https://w3id.org/jlis-kg/graph/fy2020-report"
    other = "urn:x-test:someone-elses-graph"
    for graph in (stale, other):
        status, _, _ = http(f"{oxigraph.store}?graph={urllib.parse.quote(graph, safe='')}", method="POST",
                            data=b"<urn:x:a> <urn:x:b> <urn:x:c> .\n", headers={"Content-Type": "application/n-triples"})
        assert status in (200, 201, 204)
    push(build_dir / "jlis.nq", oxigraph.store)
    counts = graph_counts(remote)
    assert counts.pop(other) == 1
    assert counts == dict(expected_counts(build_dir)), "a repeated push leaves exactly the build's graphs"


def test_the_push_command(oxigraph, pushed, build_dir):
    result = CliRunner().invoke(cli, ["--build-dir", str(build_dir), "push", "--endpoint", oxigraph.store],
                                obj={}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "graph/reference" in result.output and "HTTP 204" in result.output
    assert f"pushed {len(pushed)} graphs" in result.output


def test_push_to_nowhere_is_one_line_of_error(build_dir):
    with pytest.raises(InputError, match="cannot reach the Graph Store"):
        push(build_dir / "jlis.nq", f"http://127.0.0.1:{free_port()}/store", timeout=5)
    with pytest.raises(InputError, match="not an http"):
        push(build_dir / "jlis.nq", "ftp://example.org/store")


# ───────────────────────── the same answers over HTTP ─────────────────────────

def test_every_named_query_gives_the_same_answer_on_the_oxigraph_server(remote, engine):
    failures = []
    compared = 0
    for name, query in named_queries(QUERIES).items():
        for params in parameter_cases(query):
            variables, rows = run_query(engine, query, params)
            http_variables, http_rows = run_query(remote, query, params)
            compared += 1
            if list(variables) != list(http_variables) or \
                    canonical(query.text, variables, rows) != canonical(query.text, http_variables, http_rows):
                failures.append(f"{name} {params}: embedded {len(rows)} rows, server {len(http_rows)} rows")
    assert not failures, "\n".join(failures)
    assert compared >= 2 * len(named_queries(QUERIES))


def test_the_query_command_with_endpoint_prints_what_the_embedded_store_prints(remote, oxigraph, build_dir):
    runner = CliRunner()
    outputs = []
    for extra in ([], ["--endpoint", oxigraph.query]):
        result = runner.invoke(cli, ["--build-dir", str(build_dir), "query", "dependents", "--param", "system=LGWAN",
                                     "--format", "csv", *extra], obj={}, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1] and "LGWAN-ASP" in outputs[0]


def test_an_injection_over_http_matches_nothing_and_harms_nothing(remote, build_dir):
    before = graph_counts(remote)
    queries = named_queries(QUERIES)
    for name, param in (("dependents", "system"), ("evidence", "subject"), ("legal-basis", "system")):
        assert run_query(remote, queries[name], {param: INJECTION})[1] == []
    assert graph_counts(remote) == before


def test_an_endpoint_that_is_not_there(build_dir):
    engine = RemoteEngine(f"http://127.0.0.1:{free_port()}/query", timeout=5)
    with pytest.raises(InputError, match="cannot reach the endpoint"):
        run_query(engine, named_queries(QUERIES)["documents"])
