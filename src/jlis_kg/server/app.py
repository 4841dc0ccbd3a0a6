"""The WSGI application of ``jlis-kg serve``.

    /                    the query page: YASGUI (shipped with the package) and the named queries
    /sparql              SPARQL 1.1 Protocol, read-only: GET ?query=…, POST form or
                         application/sparql-query; results as JSON, XML, CSV, TSV (SELECT, ASK)
                         or Turtle, N-Triples, RDF/XML (CONSTRUCT, DESCRIBE), by Accept or ?format=
    /queries             the named queries (JSON)
    /queries/NAME        a named query run, its parameters from the URL (?system=LGWAN)
    /queries/NAME.rq     the query text with those parameters bound (what the page runs)
    /id/…, /graph/…      the project's IRIs, dereferenced: HTML or Turtle by content
                         negotiation (or .ttl / .nt / .html at the end of the path)
    /ontology            the ontology (Turtle)
    /status              store, limits and versions (JSON)

The default graph is the union (RDF merge) of the named graphs; ``GRAPH`` sees each
document's graph.  The project's prefixes are predeclared.  Updates are refused with
403.  Each query runs in a worker process under a time limit and a row limit
(``worker.QueryPool``).  Bound to loopback, the server answers only requests whose
``Host`` is a loopback name, so a web page elsewhere cannot reach it through DNS
rebinding.
"""
from __future__ import annotations

import json
import re
import time
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, quote

from rdflib import BNode, Literal, URIRef

from ..model import InputError
from ..namespaces import BASE, PREFIXES
from ..store import SparqlEngine, query_form, with_prefixes
from . import pages, results
from .worker import PoolClosed, QueryPool, QueryTimeout

MAX_BODY = 1 << 20  # bytes of a POSTed query
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
ASSET_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".txt": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8",
               ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
PREFIX_MAP = {p: str(ns) for p, ns in PREFIXES.items()}


class HTTPError(Exception):
    def __init__(self, status: int, message: str, html: bool = False):
        super().__init__(message)
        self.status = status
        self.message = message
        self.html = html


class PoolEngine(SparqlEngine):
    """Entity resolution for named queries, through the worker pool."""

    name = "oxigraph-server"

    def __init__(self, pool: QueryPool):
        super().__init__()
        self.pool = pool

    def _rows(self, text: str) -> dict:
        answer = self.pool.run({"kind": "rows", "text": text})
        if "error" in answer:
            raise HTTPError(answer.get("status", 500), answer["error"])
        return answer

    def select(self, text: str):
        answer = self._rows(text)
        return answer["variables"], [tuple(_rdflib(t) for t in row) for row in answer["rows"]]

    def ask(self, text: str) -> bool:
        return bool(self._rows(text)["boolean"])


def _rdflib(plain):
    if plain is None:
        return None
    kind, value, lang, datatype = plain
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if lang:
        return Literal(value, lang=lang)
    if datatype and not datatype.endswith("#string"):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


class App:
    def __init__(self, pool: QueryPool, queries_dir: Path, ontology: Path | None = None,
                 loopback_only: bool = True, store_info: dict | None = None):
        self.pool = pool
        self.queries_dir = Path(queries_dir)
        self.ontology = ontology
        self.loopback_only = loopback_only
        self.store_info = store_info or {}
        self.engine = PoolEngine(pool)
        self._assets = {p.name for p in resources.files("jlis_kg.server").joinpath("assets").iterdir()
                        if p.is_file()}

    # ── plumbing ──
    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET").upper()
        try:
            self._check_host(environ)
            status, headers, body = self.route(method, environ)
        except HTTPError as exc:
            status, headers, body = self._error(exc, environ)
        except (QueryTimeout, PoolClosed) as exc:
            status, headers, body = self._error(HTTPError(503, str(exc)), environ)
        except InputError as exc:
            status, headers, body = self._error(HTTPError(400, str(exc)), environ)
        headers = list(headers) + [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
        if not any(h[0] == "Content-Length" for h in headers):
            headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [b""] if method == "HEAD" else [body]

    def _check_host(self, environ) -> None:
        if not self.loopback_only:
            return
        host = environ.get("HTTP_HOST", "")
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if name.lower() not in LOOPBACK_HOSTS:
            raise HTTPError(403, f"Host '{host}' refused: this server answers on loopback names only "
                                 f"(127.0.0.1, localhost, [::1]); start it with --host to serve other names")

    def _error(self, exc: HTTPError, environ):
        accept = environ.get("HTTP_ACCEPT", "")
        if exc.html or (accept.startswith("text/html") and environ.get("PATH_INFO", "/") != "/sparql"):
            body = pages.render_error(f"{exc.status} {HTTPStatus(exc.status).phrase}", exc.message).encode("utf-8")
            return exc.status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Security-Policy", CSP)], body
        return exc.status, [("Content-Type", "text/plain; charset=utf-8")], (exc.message + "\n").encode("utf-8")

    def route(self, method: str, environ):
        path = environ.get("PATH_INFO", "/") or "/"
        if method not in ("GET", "HEAD", "POST"):
            raise HTTPError(405, f"{method} is not supported: this endpoint is read-only (GET, HEAD, POST)")
        if path == "/sparql":
            return self.sparql(method, environ)
        if method == "POST":
            raise HTTPError(405, "POST is only for /sparql")
        if path in ("/", "/index.html"):
            return self._html(pages.render_index(self._query_list()))
        if path == "/queries":
            return 200, [("Content-Type", "application/json; charset=utf-8")], json.dumps(
                self._query_list(), ensure_ascii=False, indent=1).encode("utf-8")
        if path.startswith("/queries/"):
            return self.named(path[len("/queries/"):], environ)
        if path.startswith(("/id/", "/graph/")):
            return self.resource(path, environ)
        if path in ("/ontology", "/ontology.ttl"):
            return self.ontology_doc(environ)
        if path.startswith("/assets/"):
            return self.asset(path[len("/assets/"):])
        if path == "/status":
            return 200, [("Content-Type", "application/json")], json.dumps(self._status()).encode("utf-8")
        if path == "/favicon.ico":
            return 204, [], b""
        raise HTTPError(404, f"{path}: no such page (the query page is /, the endpoint /sparql)", html=True)

    def _html(self, text: str, status: int = 200, extra=()):
        return status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Security-Policy", CSP),
                        *extra], text.encode("utf-8")

    # ── SPARQL protocol ──
    def sparql(self, method: str, environ):
        params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        text = None
        if method == "POST":
            content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            body = self._body(environ)
            if content_type == "application/sparql-update" or (
                    content_type == "application/x-www-form-urlencoded" and "update" in parse_qs(body.decode("utf-8", "replace"))):
                raise HTTPError(403, "this endpoint is read-only: SPARQL Update is refused")
            if content_type == "application/x-www-form-urlencoded":
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                for key, values in form.items():
                    params.setdefault(key, []).extend(values)
            elif content_type == "application/sparql-query":
                text = body.decode("utf-8", "replace")
            else:
                raise HTTPError(415, "POST a query as application/sparql-query or as the form field "
                                     "'query' (application/x-www-form-urlencoded)")
        if "update" in params:
            raise HTTPError(403, "this endpoint is read-only: SPARQL Update is refused")
        if text is None:
            values = params.get("query")
            if not values:
                if "text/html" in environ.get("HTTP_ACCEPT", ""):
                    return 303, [("Location", "/"), ("Content-Type", "text/plain")], b"the query page is at /\n"
                raise HTTPError(400, "no query: send ?query=… (GET) or POST one (SPARQL 1.1 Protocol)")
            if len(values) > 1:
                raise HTTPError(400, "more than one 'query' parameter")
            text = values[0]
        form = query_form(text)
        if form == "UPDATE":
            raise HTTPError(403, "this endpoint is read-only: SPARQL Update (INSERT, DELETE, DROP, LOAD, CLEAR, …) "
                                 "is refused")
        job = {"kind": "sparql", "text": text,
               "default_graphs": params.get("default-graph-uri") or None,
               "named_graphs": params.get("named-graph-uri") or None}
        return self._run(job, form, environ, params.get("format", [None])[0])

    def _body(self, environ) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise HTTPError(400, "bad Content-Length") from None
        if length > MAX_BODY:
            raise HTTPError(413, f"the request body is larger than {MAX_BODY:,} bytes")
        return environ["wsgi.input"].read(length) if length else b""

    def _run(self, job: dict, form: str, environ, override: str | None):
        accept = environ.get("HTTP_ACCEPT")
        kinds = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
        kind = kinds.get(form)
        if kind is None:  # let Oxigraph say what is wrong with it
            kind = "select"
        fmt = results.negotiate(accept, kind, override)
        if fmt is None:
            offered = ", ".join(m for m, k in results.FORMATS.values() if kind in k)
            raise HTTPError(406, f"cannot answer in any of: {accept or override}; this query's results come as {offered}")
        job.update(format_select=fmt, format_ask=fmt, format_graph=fmt)
        started = time.perf_counter()
        answer = self.pool.run(job)
        if "error" in answer:
            raise HTTPError(answer.get("status", 500), answer["error"])
        media = results.FORMATS[answer["format"]][0]
        headers = [("Content-Type", f"{media}; charset=utf-8"), ("Vary", "Accept"),
                   ("X-Query-Time-Ms", f"{1000 * (time.perf_counter() - started):.1f}")]
        if "count" in answer:
            headers.append(("X-Result-Count", str(answer["count"])))
        return 200, headers, answer["body"]

    # ── named queries ──
    def _queries(self):
        from ..query import named_queries

        return named_queries(self.queries_dir)

    def _query_list(self) -> list[dict]:
        out = []
        for name, query in self._queries().items():
            out.append({"name": name, "question": query.question,
                        "params": [{"name": p, "description": d} for p, d in query.params],
                        "example": query.example, "text": query.text})
        return out

    def named(self, rest: str, environ):
        as_text = rest.endswith(".rq")
        name = rest[:-3] if as_text else rest
        query = self._queries().get(name)
        if query is None:
            raise HTTPError(404, f"{name}: no such named query (see /queries)")
        raw = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=False)
        override = raw.pop("format", [None])[0]
        params = {}
        for key, values in raw.items():
            if len(values) > 1:
                raise HTTPError(400, f"parameter '{key}' given more than once")
            if values[0].strip():
                params[key] = values[0]
        bound = self.engine.prepare(query, params)
        if as_text:
            text = with_prefixes(bound, readable=True)
            return 200, [("Content-Type", "application/sparql-query; charset=utf-8")], text.encode("utf-8")
        form = query_form(bound)
        if form not in ("SELECT", "ASK"):
            raise HTTPError(400, f"{name}: only SELECT and ASK queries can be run here")
        return self._run({"kind": "sparql", "text": bound}, form, environ, override)

    # ── dereferenceable IRIs ──
    def resource(self, path: str, environ):
        suffix = None
        for ext, fmt in ((".ttl", "turtle"), (".nt", "ntriples"), (".html", "html")):
            if path.endswith(ext):
                path, suffix = path[: -len(ext)], fmt
                break
        if not re.fullmatch(r"/(id|graph)/[A-Za-z0-9._~%/\-]+", path):
            raise HTTPError(404, f"{path}: not an IRI of this graph", html=True)
        iri = BASE + path[1:]
        accept = environ.get("HTTP_ACCEPT", "")
        fmt = suffix or _negotiate_resource(accept)
        if fmt is None:
            raise HTTPError(406, "a resource comes as text/html, text/turtle or application/n-triples")
        link = [("Link", f'<{quote(path)}.ttl>; rel="alternate"; type="text/turtle"'), ("Vary", "Accept")]
        if fmt == "html":
            answer = self.pool.run({"kind": "resource", "iri": iri})
            if "error" in answer:
                raise HTTPError(answer.get("status", 500), answer["error"], html=True)
            data = answer["data"]
            if not data.get("found"):
                raise HTTPError(404, f"{iri}: the graph says nothing about this IRI", html=True)
            return self._html(pages.render_resource(data, PREFIX_MAP, f"{path}.ttl"), extra=link)
        answer = self.pool.run({"kind": "resource-rdf", "iri": iri, "format_graph": fmt})
        if "error" in answer:
            raise HTTPError(answer.get("status", 500),
                            f"{iri}: the graph says nothing about this IRI" if answer.get("status") == 404 else answer["error"])
        return 200, [("Content-Type", f"{results.FORMATS[fmt][0]}; charset=utf-8"), *link], answer["body"]

    def ontology_doc(self, environ):
        if self.ontology is None or not self.ontology.is_file():
            raise HTTPError(404, "the ontology is not in this build", html=True)
        text = self.ontology.read_bytes()
        if _negotiate_resource(environ.get("HTTP_ACCEPT", "")) == "html":
            body = ('<!doctype html><meta charset="utf-8"><title>jlis-kg ontology</title>'
                    '<link rel="stylesheet" href="/assets/jlis.css"><main><h1>jlis-kg ontology</h1>'
                    f'<pre>{pages._e(text.decode("utf-8"))}</pre></main>')
            return self._html(body)
        return 200, [("Content-Type", "text/turtle; charset=utf-8"), ("Vary", "Accept")], text

    def asset(self, name: str):
        if name not in self._assets:
            raise HTTPError(404, f"{name}: no such asset")
        data = resources.files("jlis_kg.server").joinpath("assets", name).read_bytes()
        kind = ASSET_TYPES.get(Path(name).suffix, "application/octet-stream")
        return 200, [("Content-Type", kind), ("Cache-Control", "public, max-age=3600")], data

    def _status(self) -> dict:
        return {"store": self.store_info, "timeout_seconds": self.pool.timeout, "max_rows": self.pool.max_rows,
                "named_queries": len(self._queries()), "read_only": True, "default_graph": "union of the named graphs"}


def _negotiate_resource(accept: str) -> str | None:
    if not accept:
        return "html"
    best, best_q = None, -1.0
    for position, part in enumerate(accept.split(",")):
        media, *rest = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in rest:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        name = {"text/html": "html", "application/xhtml+xml": "html", "text/turtle": "turtle",
                "application/x-turtle": "turtle", "application/n-triples": "ntriples",
                "text/plain": "ntriples", "*/*": "html", "text/*": "html"}.get(media.lower())
        if name and quality > best_q:
            best, best_q = name, quality
    return best if best_q > 0 else None
