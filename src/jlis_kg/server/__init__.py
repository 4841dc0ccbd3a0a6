"""``jlis-kg serve``: a read-only SPARQL endpoint, a query page and dereferenceable IRIs.

Standard library only: a WSGI application (``app.App``) served by ``wsgiref`` with one
thread per request.  Nothing else is needed for a tool that one researcher runs on
their own machine, and being WSGI the same application runs under any WSGI server
(gunicorn, waitress, uWSGI) behind a reverse proxy where it must serve more people.
Queries run in worker processes (``worker.QueryPool``) so that a time limit can stop
them.  The query page is YASGUI (``@zazuko/yasgui``, MIT), vendored under ``assets/``
with its licence: the page loads nothing from any other host.
"""
from __future__ import annotations

import ipaddress
import signal
import socket
import sys
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import click

DEFAULT_PORT = 8765  # not 8890 (Virtuoso), 3030 (Fuseki), 7878 (Oxigraph) or 7001 (QLever)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class IPv6ThreadingWSGIServer(ThreadingWSGIServer):
    address_family = socket.AF_INET6


class Handler(WSGIRequestHandler):
    quiet = False

    def log_message(self, format, *args):  # noqa: A002  (the name http.server uses)
        if not self.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_server(build_dir: Path, queries_dir: Path, ontology: Path | None = None, host: str = "127.0.0.1",
                  port: int = DEFAULT_PORT, workers: int = 2, timeout: float = 30.0, max_rows: int = 50_000,
                  quiet: bool = False):
    """The HTTP server (not yet serving) and its query pool; the caller closes both."""
    from ..model import InputError
    from ..store import MARKER, ensure_store
    from .app import App
    from .worker import QueryPool
    import json

    store_dir = ensure_store(build_dir)
    info = json.loads((store_dir / MARKER).read_text(encoding="utf-8"))
    info["path"] = str(store_dir)
    pool = QueryPool(store_dir, workers=workers, timeout=timeout, max_rows=max_rows)
    try:
        app = App(pool, queries_dir, ontology=ontology, loopback_only=is_loopback(host), store_info=info)
        handler = type("QuietHandler" if quiet else "LoggingHandler", (Handler,), {"quiet": quiet})
        server_class = IPv6ThreadingWSGIServer if ":" in host.strip("[]") else ThreadingWSGIServer
        try:
            server = make_server(host.strip("[]"), port, app, server_class=server_class, handler_class=handler)
        except OSError as exc:  # the port is taken, the address is not this machine's, …
            raise InputError(f"{host}:{port}: cannot listen there ({exc.strerror or exc}); "
                             f"choose another --port (0: any free port) or --host") from None
    except BaseException:
        pool.close()
        raise
    return server, pool


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback makes the endpoint reachable from other machines.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port (0: any free port).")
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Time limit of one query, in seconds.")
@click.option("--max-rows", default=50_000, show_default=True, type=int,
              help="Largest result (rows, or triples) the endpoint returns; a larger one is refused.")
@click.option("--workers", default=2, show_default=True, type=int, help="Query worker processes.")
@click.option("--quiet", is_flag=True, help="Do not log requests.")
@click.pass_context
def serve_command(ctx, host, port, timeout, max_rows, workers, quiet):
    """Serve the graph: SPARQL endpoint (/sparql), query page (/), entity pages (/id/…)."""
    from ..paths import project_paths

    paths = project_paths(data=ctx.obj.get("data"), build=ctx.obj.get("build"))
    if not is_loopback(host):
        click.echo(f"warning: binding to {host}: the endpoint is reachable from other machines", err=True)
    server, pool = create_server(paths.build, paths.queries, paths.build / "ontology.ttl", host=host, port=port,
                                 workers=workers, timeout=timeout, max_rows=max_rows, quiet=quiet)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(f"serving http://{shown}:{bound_port}/  (SPARQL endpoint http://{shown}:{bound_port}/sparql; "
               f"time limit {timeout:g} s, at most {max_rows:,} rows; Ctrl-C stops)", err=False)
    sys.stdout.flush()

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()
        click.echo("stopped", err=True)
