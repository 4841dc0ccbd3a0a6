"""External triple stores: push the graph over the Graph Store Protocol, query over HTTP.

``jlis-kg push --endpoint URL`` sends every named graph of ``build/jlis.nq`` with an
HTTP ``PUT URL?graph=IRI`` (SPARQL 1.1 Graph Store HTTP Protocol): the server replaces
that graph as a whole, so a push can be repeated and leaves the same data.  It then
PUTs the union of the graphs (their RDF merge, each triple once) as the default graph,
so that a query without ``GRAPH`` sees everything, as on the embedded store, without
relying on a server option (Oxigraph's ``--union-default-graph`` counts a triple once
per graph that holds it).  ``--no-default-graph`` leaves the default graph alone.

``jlis-kg query NAME --endpoint URL`` runs the named queries on any SPARQL 1.1 endpoint
(``RemoteEngine``): the project's prefixes are prepended, parameters are bound as
``VALUES`` (``store.with_values``), queries are sent as a form POST (which every server
takes; Virtuoso hangs on ``application/sparql-query``) asking for JSON results.

Standard library only (``urllib``): basic and digest authentication for servers that
want a login to write (Fuseki, Virtuoso), the password from ``JLIS_KG_PASSWORD``.
"""
from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import click
from rdflib import BNode, Literal, URIRef

from .model import InputError
from .store import SparqlEngine, with_prefixes

USER_AGENT = "jlis-kg"


def _opener(url: str, user: str | None, password: str | None):
    handlers = []
    if user:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, user, password or "")
        handlers += [urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)]
    return urllib.request.build_opener(*handlers)


def _server_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read().decode("utf-8", "replace").strip()
    except Exception:
        body = ""
    first = body.splitlines()[0][:300] if body else exc.reason
    return f"HTTP {exc.code}: {first}"


# ───────────────────────── querying an endpoint ─────────────────────────

class RemoteEngine(SparqlEngine):
    """Named queries on a SPARQL 1.1 endpoint over HTTP."""

    name = "endpoint"

    def __init__(self, url: str, timeout: float = 120.0, user: str | None = None, password: str | None = None):
        super().__init__()
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InputError(f"{url}: not an http(s) URL of a SPARQL endpoint")
        self.url = url
        self.timeout = timeout
        self._open = _opener(url, user, password).open

    def _request(self, text: str) -> dict:
        data = urllib.parse.urlencode({"query": with_prefixes(text)}).encode("utf-8")
        request = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Accept": "application/sparql-results+json", "User-Agent": USER_AGENT})
        try:
            with self._open(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            message = _server_message(exc)
            if exc.code == 400:
                raise SyntaxError(message) from None
            raise InputError(f"{self.url}: {message}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InputError(f"{self.url}: cannot reach the endpoint ({reason})") from None
        try:
            return json.loads(body)
        except ValueError:
            raise InputError(f"{self.url}: the answer is not SPARQL JSON results") from None

    def select(self, text: str):
        answer = self._request(text)
        variables = answer.get("head", {}).get("vars", [])
        rows = [tuple(json_term(binding.get(v)) for v in variables)
                for binding in answer.get("results", {}).get("bindings", [])]
        return variables, rows

    def ask(self, text: str) -> bool:
        return bool(self._request(text).get("boolean"))


def json_term(value: dict | None):
    """A term of SPARQL JSON results as rdflib gives it (``xsd:string`` plain)."""
    if value is None:
        return None
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    lang = value.get("xml:lang")
    if lang:
        return Literal(value["value"], lang=lang)
    datatype = value.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value["value"], datatype=URIRef(datatype))
    return Literal(value["value"])


# ───────────────────────── pushing ─────────────────────────

def graphs_of(nquads: Path) -> dict[str, list]:
    """The triples of each named graph of an N-Quads file (pyoxigraph terms)."""
    import pyoxigraph as ox

    graphs: dict[str, list] = defaultdict(list)
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        graphs[name].append(quad.triple)
    return graphs


def push(nquads: Path, endpoint: str, *, default_graph: bool = True, content_type: str = "application/n-triples",
         user: str | None = None, password: str | None = None, timeout: float = 600.0, log=None) -> list[dict]:
    """PUT every named graph (and the union as the default graph) to a Graph Store.

    Returns one record per request: graph, triples, seconds, HTTP status."""
    import pyoxigraph as ox

    parsed = urllib.parse.urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(f"{endpoint}: not an http(s) URL of a Graph Store endpoint")
    if not Path(nquads).is_file():
        raise InputError(f"{nquads}: no built graph; run `jlis-kg build` first")
    opener = _opener(endpoint, user, password)
    graphs = graphs_of(Path(nquads))
    separator = "&" if parsed.query else "?"
    rdf_format = ox.RdfFormat.N_TRIPLES
    plan = [(name, triples) for name, triples in sorted(graphs.items()) if name]
    if default_graph:
        merged = list(dict.fromkeys(t for _, triples in sorted(graphs.items()) for t in triples))
        plan.append(("", merged))
    done = []
    for name, triples in plan:
        target = endpoint + separator + ("graph=" + urllib.parse.quote(name, safe="") if name else "default")
        body = ox.serialize(triples, format=rdf_format)
        request = urllib.request.Request(target, data=body, method="PUT", headers={
            "Content-Type": f"{content_type}; charset=utf-8" if content_type.startswith("text/") else content_type,
            "User-Agent": USER_AGENT})
        started = time.perf_counter()
        try:
            with opener.open(request, timeout=timeout) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            raise InputError(f"{target}: {_server_message(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise InputError(f"{endpoint}: cannot reach the Graph Store ({getattr(exc, 'reason', exc)})") from None
        record = {"graph": name or "(default graph: union of the named graphs)", "triples": len(triples),
                  "seconds": time.perf_counter() - started, "status": status}
        done.append(record)
        if log:
            log(record)
    return done


@click.command("push")
@click.option("--endpoint", required=True,
              help="Graph Store Protocol URL: Oxigraph …/store, Fuseki …/DATASET/data, Virtuoso …/sparql-graph-crud-auth.")
@click.option("--no-default-graph", is_flag=True, help="Do not replace the default graph with the union of the graphs.")
@click.option("--content-type", type=click.Choice(["application/n-triples", "text/turtle"]),
              default="application/n-triples", show_default=True,
              help="Media type to send the graphs as (N-Triples is also Turtle: use text/turtle for servers "
                   "that do not know application/n-triples).")
@click.option("--user", help="User name for servers that want a login to write (password: $JLIS_KG_PASSWORD).")
@click.option("--timeout", default=600.0, show_default=True, type=float, help="Seconds to wait for one graph.")
@click.pass_context
def push_command(ctx, endpoint, no_default_graph, content_type, user, timeout):
    """Load every named graph into a triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

    Each graph is replaced as a whole (HTTP PUT), so pushing again is safe."""
    from .paths import project_paths

    paths = project_paths(data=ctx.obj.get("data"), build=ctx.obj.get("build"))
    password = os.environ.get("JLIS_KG_PASSWORD")
    if user and password is None:
        password = click.prompt("password", hide_input=True, err=True)

    def log(record):
        click.echo(f"  {record['graph']:<50} {record['triples']:>8,} triples  {record['seconds']:6.2f} s  "
                   f"HTTP {record['status']}")

    parsed = urllib.parse.urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(f"{endpoint}: not an http(s) URL of a Graph Store endpoint")
    click.echo(f"pushing {paths.build / 'jlis.nq'} to {endpoint}")
    records = push(paths.build / "jlis.nq", endpoint, default_graph=not no_default_graph,
                   content_type=content_type, user=user, password=password, timeout=timeout, log=log)
    total = sum(r["triples"] for r in records)
    click.echo(f"pushed {len(records)} graphs, {total:,} triples")
    sys.stdout.flush()
