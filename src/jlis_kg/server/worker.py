"""Queries run in worker processes, each with its own read-only handle on the store.

pyoxigraph cannot interrupt a running query, and a thread cannot be killed: a query
that outlives the time limit would go on eating a core and memory.  So every query
runs in a worker process; the server waits for the answer up to the limit and, past
it, kills the worker, answers 503, and starts a fresh one.  Workers also count the
rows of a result before answering: more than the row limit is refused whole.

A job is a dict; the answer is a dict with either ``body`` and ``format`` (or ``data``)
or ``error`` and ``status``.
"""
from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from pathlib import Path


class QueryTimeout(Exception):
    pass


class PoolClosed(Exception):
    pass


# ───────────────────────── inside a worker ─────────────────────────

def _prefixes() -> dict[str, str]:
    from ..namespaces import PREFIXES

    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def _graphs(iris):
    import pyoxigraph as ox

    return [ox.NamedNode(i) for i in iris] if iris else None


def handle(store, job: dict, prefixes: dict[str, str]) -> dict:
    import pyoxigraph as ox

    from . import pages, results

    kind = job["kind"]
    max_rows = job.get("max_rows", 50_000)
    if kind in ("sparql", "rows"):
        try:
            answer = store.query(job["text"], prefixes=prefixes,
                                 default_graph=_graphs(job.get("default_graphs")),
                                 named_graphs=_graphs(job.get("named_graphs")))
        except SyntaxError as exc:
            return {"error": f"malformed SPARQL: {exc}", "status": 400}
        if isinstance(answer, ox.QueryBoolean):
            if kind == "rows":
                return {"boolean": bool(answer)}
            fmt = job.get("format_ask") or "json"
            return {"body": results.boolean_bytes(bool(answer), fmt), "format": fmt, "kind": "ask"}
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = []
            for solution in answer:
                if len(rows) >= max_rows:
                    return _too_large(max_rows)
                rows.append(tuple(solution[i] for i in range(len(variables))))
            if kind == "rows":
                return {"variables": variables, "rows": [[_plain(t) for t in row] for row in rows]}
            fmt = job.get("format_select") or "json"
            return {"body": results.select_bytes(variables, rows, fmt), "format": fmt, "kind": "select",
                    "count": len(rows)}
        triples = []
        for triple in answer:
            if len(triples) >= max_rows:
                return _too_large(max_rows, "triples")
            triples.append(triple)
        if kind == "rows":
            return {"error": "a CONSTRUCT or DESCRIBE query has no rows", "status": 400}
        fmt = job.get("format_graph") or "turtle"
        return {"body": results.graph_bytes(triples, fmt, prefixes), "format": fmt, "kind": "graph",
                "count": len(triples)}
    if kind == "resource":
        data = pages.resource_data(store, job["iri"], prefixes, job.get("limit", 500))
        return {"data": data}
    if kind == "resource-rdf":
        triples = pages.resource_triples(store, job["iri"], prefixes)
        if not triples:
            return {"error": "not found", "status": 404}
        fmt = job.get("format_graph") or "turtle"
        return {"body": results.graph_bytes(triples, fmt, prefixes), "format": fmt, "kind": "graph"}
    if kind == "status":
        return {"data": {"quads": len(store)}}
    if kind == "sleep":  # for the tests of the time limit
        time.sleep(job["seconds"])
        return {"data": {}}
    return {"error": f"unknown job {kind}", "status": 500}


def _too_large(limit: int, what: str = "rows") -> dict:
    return {"error": f"the result has more than {limit:,} {what}, the limit of this endpoint; "
                     f"narrow the query or add LIMIT (and OFFSET to page through it)", "status": 413}


def _plain(term):
    """A pyoxigraph term as plain data that pickles cheaply: (kind, value, lang, datatype)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.language, term.datatype.value)
    return ("literal", str(term), None, None)


def _worker_main(store_dir: str, conn) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(store_dir)
    prefixes = _prefixes()
    conn.send({"ready": True})
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            answer = handle(store, job, prefixes)
        except Exception as exc:  # one bad job must not kill the worker
            answer = {"error": f"{type(exc).__name__}: {exc}", "status": 500}
        try:
            conn.send(answer)
        except (OSError, ValueError):
            return


# ───────────────────────── in the server ─────────────────────────

class _Worker:
    def __init__(self, context, store_dir: str, start_timeout: float):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(store_dir, child), daemon=True,
                                       name="jlis-kg-query-worker")
        self.process.start()
        child.close()
        if not self.conn.poll(start_timeout):
            self.kill()
            raise RuntimeError(f"a query worker did not start within {start_timeout:.0f} s")
        self.conn.recv()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """``workers`` processes on the store at ``store_dir``; ``run(job)`` waits at most
    ``timeout`` seconds for the answer (a busy pool counts against that time too)."""

    def __init__(self, store_dir: Path, workers: int = 2, timeout: float = 30.0, max_rows: int = 50_000,
                 start_timeout: float = 60.0):
        self.store_dir = str(store_dir)
        self.timeout = timeout
        self.max_rows = max_rows
        self.start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._all: list[_Worker] = []
        for _ in range(max(1, workers)):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._context, self.store_dir, self.start_timeout)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.kill()

    def run(self, job: dict, timeout: float | None = None) -> dict:
        if self._closed:
            raise PoolClosed("the server is shutting down")
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        job = {"max_rows": self.max_rows, **job}
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            raise QueryTimeout(f"no query worker became free within the time limit of {limit:g} s") from None
        try:
            worker.conn.send(job)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError, BrokenPipeError):
            self._retire(worker)
            self._replace()
            return {"error": "the query worker stopped unexpectedly", "status": 500}
        # past the deadline: the worker is killed with its query, and replaced (in the background)
        self._retire(worker)
        threading.Thread(target=self._replace, daemon=True).start()
        raise QueryTimeout(f"the query ran longer than the time limit of {limit:g} s and was stopped")

    def _replace(self) -> None:
        if self._closed:
            return
        try:
            self._add()
        except RuntimeError:
            pass

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
