"""Load on ``jlis-kg serve``: concurrent clients running the named queries, and a query
that overruns the time limit, against a real server on a free loopback port.

    python benchmarks/load.py [--clients 4] [--seconds 20] [--timeout 2] [--workers 2]
                              [--build-dir DIR] [--json out.json]

It starts ``jlis-kg serve --port 0`` as a person would (a child process, stopped at the
end), then runs ``--clients`` client threads for ``--seconds`` seconds.  Each client
sends the named queries one after the other (``GET /queries/NAME?params``, with the
parameters of the query's ``# Example:`` line), each client starting at another query.
One more client sends, again and again, a query that cannot finish within the server's
time limit (a three-way cross product of the whole graph): the server must answer it
503 after about ``--timeout`` seconds, kill the worker that ran it and start another,
while the named queries go on being answered.

It prints the throughput, the p50 and p99 latency and the error count of the named
queries — over the whole run and over the moments when the slow query was running —,
per query the count and median, and how each slow query ended.  An error is anything
but HTTP 200 for a named query (or a request that failed), and anything but 503 for the
slow one.  Both the number of clients and the duration are bounded (at most 32 clients,
600 seconds).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jlis_kg.paths import project_paths  # noqa: E402
from jlis_kg.query import named_queries  # noqa: E402
from jlis_kg.server import child  # noqa: E402

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
MAX_CLIENTS, MAX_SECONDS = 32, 600


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def start_server(build_dir: Path, timeout: float, workers: int, max_rows: int) -> tuple[subprocess.Popen, str]:
    try:
        return child.start_server(build_dir, "--timeout", str(timeout), "--workers", str(workers),
                                  "--max-rows", str(max_rows), cwd=ROOT)
    except RuntimeError as exc:
        sys.exit(f"error: {exc}")


def request(url: str, timeout: float) -> tuple[int, float]:
    """(HTTP status or 0 when the request failed, seconds)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(
                url, headers={"Accept": "application/sparql-results+json"}), timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    except (urllib.error.URLError, OSError):
        status = 0
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=4, help=f"concurrent clients (default 4, at most {MAX_CLIENTS})")
    parser.add_argument("--seconds", type=float, default=20.0, help=f"duration (default 20, at most {MAX_SECONDS})")
    parser.add_argument("--timeout", type=float, default=2.0, help="the server's time limit per query (default 2 s)")
    parser.add_argument("--workers", type=int, default=2, help="the server's query worker processes (default 2)")
    parser.add_argument("--max-rows", type=int, default=50_000, help="the server's result-size limit")
    parser.add_argument("--no-slow", action="store_true", help="leave out the query that overruns the time limit")
    parser.add_argument("--build-dir", type=Path, help="the build to serve (default: build/ of the checkout)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.seconds <= MAX_SECONDS:
        sys.exit(f"error: --clients must be 1…{MAX_CLIENTS} and --seconds 0…{MAX_SECONDS}")

    paths = project_paths(root=ROOT, build=args.build_dir)
    if not (paths.build / "jlis.nq").is_file():
        sys.exit(f"error: {paths.build / 'jlis.nq'}: no build; run `jlis-kg build` first")
    queries = named_queries(paths.queries)
    targets = []
    for name, query in queries.items():
        params = query.example
        targets.append((name, f"/queries/{urllib.parse.quote(name)}" +
                        (f"?{urllib.parse.urlencode(params)}" if params else "")))

    process, base = start_server(paths.build, args.timeout, args.workers, args.max_rows)
    try:
        # one request of each first: the server resolves labels once, the OS caches the store
        for _, path in targets:
            request(base + path, 60)
        records: list[tuple[str, int, float, float]] = []  # (query, status, seconds, finished at)
        slow_runs: list[tuple[int, float, float, float]] = []  # (status, seconds, started, finished)
        lock = threading.Lock()
        started = time.monotonic()
        stop_at = started + args.seconds

        def client(offset: int) -> None:
            i = offset
            while time.monotonic() < stop_at:
                name, path = targets[i % len(targets)]
                status, seconds = request(base + path, args.timeout * 4 + 30)
                with lock:
                    records.append((name, status, seconds, time.monotonic()))
                i += 1

        def slow_client() -> None:
            url = f"{base}/sparql?{urllib.parse.urlencode({'query': SLOW_QUERY})}"
            while time.monotonic() < stop_at:
                begun = time.monotonic()
                status, seconds = request(url, args.timeout * 4 + 30)
                with lock:
                    slow_runs.append((status, seconds, begun, time.monotonic()))
                time.sleep(0.5)  # let the pool start its fresh worker, as a client that retries would

        threads = [threading.Thread(target=client, args=(k * max(1, len(targets) // args.clients),), daemon=True)
                   for k in range(args.clients)]
        if not args.no_slow:
            threads.append(threading.Thread(target=slow_client, daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        child.stop_process(process)

    ok = [r for r in records if r[1] == 200]
    errors = [r for r in records if r[1] != 200]
    latencies = [r[2] * 1000 for r in ok]

    def during_slow(record) -> bool:
        finished, seconds = record[3], record[2]
        begun = finished - seconds
        return any(s_begun <= begun and finished <= s_end for _, _, s_begun, s_end in slow_runs)

    overlapped = [r[2] * 1000 for r in ok if during_slow(r)]
    print(f"jlis-kg serve on {base}: {args.workers} query workers, time limit {args.timeout:g} s; "
          f"{args.clients} clients for {elapsed:.1f} s over {len(targets)} named queries"
          + ("" if args.no_slow else ", and one client sending a query that overruns the limit"))
    print()
    print(f"{'named queries':<36} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    print(f"{'  whole run':<36} {len(records):>8} {len(records) / elapsed:>7.1f} {percentile(latencies, .5):>8.1f} "
          f"{percentile(latencies, .99):>8.1f} {len(errors):>7}")
    if not args.no_slow:
        print(f"{'  while the slow query was running':<36} {len(overlapped):>8} {'':>7} "
              f"{percentile(overlapped, .5):>8.1f} {percentile(overlapped, .99):>8.1f}")
    print()
    print(f"{'query':<30} {'requests':>8} {'p50 ms':>8} {'max ms':>8} {'errors':>7}")
    for name, _ in targets:
        mine = [r for r in records if r[0] == name]
        times = [r[2] * 1000 for r in mine if r[1] == 200]
        print(f"{name:<30} {len(mine):>8} {percentile(times, .5):>8.1f} {max(times, default=float('nan')):>8.1f} "
              f"{sum(1 for r in mine if r[1] != 200):>7}")
    if not args.no_slow:
        print()
        cut = [s for s in slow_runs if s[0] == 503]
        print(f"slow query ({SLOW_QUERY}):")
        print(f"  sent {len(slow_runs)} times; answered 503 (stopped at the time limit) {len(cut)} times; "
              f"other answers: {[s[0] for s in slow_runs if s[0] != 503] or 'none'}")
        if cut:
            print(f"  answer after {min(s[1] for s in cut):.2f}–{max(s[1] for s in cut):.2f} s "
                  f"(limit {args.timeout:g} s)")
    if errors:
        kinds: dict[int, int] = {}
        for r in errors:
            kinds[r[1]] = kinds.get(r[1], 0) + 1
        print(f"\nerrors by status (0: no answer): {kinds}")
    if args.json:
        args.json.write_text(json.dumps({
            "clients": args.clients, "seconds": elapsed, "workers": args.workers, "timeout": args.timeout,
            "requests": len(records), "throughput": len(records) / elapsed, "errors": len(errors),
            "p50_ms": percentile(latencies, .5), "p99_ms": percentile(latencies, .99),
            "p50_ms_during_slow": percentile(overlapped, .5), "p99_ms_during_slow": percentile(overlapped, .99),
            "slow": [{"status": s[0], "seconds": s[1]} for s in slow_runs],
        }, indent=2))
    sys.exit(1 if errors or (not args.no_slow and any(s[0] != 503 for s in slow_runs)) else 0)


if __name__ == "__main__":
    main()
