"""Build time, triples and peak memory at 1×, 10× and 100× the source text.

    python benchmarks/scale.py [--sizes 1,10,100] [--keep DIR] [--no-validate]

Each corpus is made from the project's own five documents: copy ``j`` (``j = 0`` is
the original) of every document is *re-dated* — every 和暦 and 西暦 year in the text,
its fiscal year, as-of and meeting dates move by ``offset(j)`` years (0, +1, −1, +2,
−2 …, re-rendered in the era of the new year, so 平成28年 − 30 years is 昭和61年) — and
*re-numbered* (a new document id ``{id}-c{j}``, meeting sessions ``第N回`` + 100·j), so
the extractors do real work on every copy rather than meeting a byte-identical file
(which the build refuses).  The corpus goes into a temporary project with its own
manifest, a copy of ``data/reference``, ``ontology`` and ``queries``.

Every size is built in a fresh child process (the whole pipeline, files and store
written to the project's ``build/``) so that its peak memory is its own.  Peak memory
is the kernel's peak resident set size (``resource.getrusage(...).ru_maxrss``): of the
build process, and separately the largest of its worker processes (a corpus of 8
documents or more is processed in a pool); tracemalloc would miss what pyoxigraph
allocates in Rust.
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

ERAS = (("明治", 1868), ("大正", 1912), ("昭和", 1926), ("平成", 1989), ("令和", 2019))
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_WAREKI_YEAR = re.compile(r"(明治|大正|昭和|平成|令和)(\s*)(元|[0-9０-９](?: ?[0-9０-９])?)(\s*)(?=年)")
_WEST_YEAR = re.compile(r"(?<![0-9０-９,.])((?:19|20)[0-9]{2})(?=\s*年)")
_SESSION = re.compile(r"第(\s*)([0-9０-９]{1,3})(\s*)回")


def offset(j: int) -> int:
    """0, +1, −1, +2, −2, …: copy j's shift in years."""
    return 0 if j == 0 else ((j + 1) // 2) * (1 if j % 2 else -1)


def era_year(year: int) -> str:
    for name, start in reversed(ERAS):
        if year >= start:
            n = year - start + 1
            return f"{name}{'元' if n == 1 else n}"
    return str(year)


def redate(text: str, shift: int, session_shift: int) -> str:
    if shift == 0 and session_shift == 0:
        return text

    def wareki(m: re.Match) -> str:
        era, _, digits, _ = m.groups()
        n = 1 if digits == "元" else int(digits.translate(_FULLWIDTH).replace(" ", ""))
        base = dict(ERAS)[era] - 1
        return era_year(base + n + shift)

    text = _WAREKI_YEAR.sub(wareki, text)
    text = _WEST_YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    if session_shift:
        text = _SESSION.sub(lambda m: f"第{int(m.group(2).translate(_FULLWIDTH)) + session_shift}回", text)
    return text


def shift_date(value, years: int):
    if value is None:
        return None
    import datetime as dt
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28).isoformat()


def make_corpus(dest: Path, copies: int) -> float:
    """A project at ``dest`` with ``copies`` re-dated copies of every document; returns MB of text."""
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, dest / name)
    (dest / "data" / "sources").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "reference", dest / "data" / "reference")
    manifest = yaml.safe_load((ROOT / "data" / "manifest.yaml").read_text(encoding="utf-8"))
    entries, total = [], 0
    for j in range(copies):
        shift = offset(j)
        for raw in manifest["documents"]:
            entry = dict(raw)
            text = (ROOT / "data" / raw["file"]).read_text(encoding="utf-8")
            text = redate(text, shift, 100 * j)
            name = Path(raw["file"]).name if j == 0 else f"{Path(raw['file']).stem}-c{j}.txt"
            (dest / "data" / "sources" / name).write_text(text, encoding="utf-8")
            total += len(text.encode("utf-8"))
            entry["file"] = f"sources/{name}"
            if j:
                entry["id"] = f"{raw['id']}-c{j}"
                entry["title"] = redate(raw["title"], shift, 100 * j)
                entry["fiscal_year"] = raw["fiscal_year"] + shift
                if raw.get("derived_from"):
                    entry["derived_from"] = f"{raw['derived_from']}-c{j}"
                if raw.get("meeting"):
                    meeting = dict(raw["meeting"])
                    meeting["session"] = meeting["session"] + 100 * j
                    meeting["date"] = shift_date(meeting.get("date"), shift)
                    entry["meeting"] = meeting
            for key in ("as_of", "date"):
                if entry.get(key) is not None:
                    entry[key] = shift_date(entry[key], shift)
            entries.append(entry)
    (dest / "data" / "manifest.yaml").write_text(
        yaml.safe_dump({"documents": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return total / 1e6


def child(project: Path, validate: bool) -> None:
    """Build ``project`` in this process and print one JSON line of measurements."""
    from jlis_kg.build import run_build
    from jlis_kg.paths import project_paths

    start = time.perf_counter()
    result = run_build(project_paths(root=project), validate=validate)
    total = time.perf_counter() - start
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    validation = result.summary.get("validation") or {}
    print("RESULT " + json.dumps({
        "timings": result.timings, "total": total, "quads": result.summary["quads"],
        "documents": result.summary["documents"], "source_bytes": result.source_bytes,
        "peak_rss": me, "worker_peak_rss": workers, "conforms": validation.get("conforms"),
        "violations": validation.get("violations")}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--keep", type=Path, help="make the corpora under this directory and keep them")
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, not args.no_validate)
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    base = args.keep or Path(tempfile.mkdtemp(prefix="jlis-scale-"))
    rows = []
    stages: list[str] = []
    for size in sizes:
        project = base / f"x{size}"
        if project.exists():
            shutil.rmtree(project)
        make_corpus(project, size)
        command = [sys.executable, __file__, "--child", str(project)] + (["--no-validate"] if args.no_validate else [])
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - started
        line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
        if done.returncode != 0 or line is None:
            print(f"{size}x: build failed (exit {done.returncode})\n{done.stderr[-3000:]}", file=sys.stderr)
            sys.exit(1)
        measured = json.loads(line[len("RESULT "):])
        measured.update(size=size, megabytes=measured["source_bytes"] / 1e6, wall=wall)
        rows.append(measured)
        stages += [s for s in measured["timings"] if s not in stages]
        print(f"{size}x done: {measured['documents']} documents, {measured['megabytes']:.1f} MB, "
              f"{measured['total']:.0f} s", file=sys.stderr, flush=True)
        if not args.keep:
            shutil.rmtree(project)

    head = f"{'size':>5} {'docs':>5} {'MB':>6} " + " ".join(f"{s:>9}" for s in stages) + \
        f" {'total s':>8} {'s/MB':>6} {'quads':>10} {'peak RSS':>9} {'workers':>8}  SHACL"
    print("stage times in seconds (with a pool of workers, the per-document stages — normalise, structure, extract,\n"
          "assemble, serialise — are summed over the workers; total is wall-clock); peak RSS = ru_maxrss of the\n"
          "build process, workers = the largest of its worker processes")
    print(head)
    for r in rows:
        cells = " ".join(f"{r['timings'].get(s, 0.0):>9.1f}" for s in stages)
        shacl = "—" if r["conforms"] is None else ("conforms" if r["conforms"] else f"{r['violations']} violations")
        print(f"{r['size']:>4}x {r['documents']:>5} {r['megabytes']:>6.1f} {cells} {r['total']:>8.1f} "
              f"{r['total'] / r['megabytes']:>6.1f} {r['quads']:>10,} {r['peak_rss'] / 2**30:>7.2f}Gi "
              f"{r['worker_peak_rss'] / 2**30:>6.2f}Gi  {shacl}")
    for previous, r in zip(rows, rows[1:]):
        per_mb = r["total"] / r["megabytes"], previous["total"] / previous["megabytes"]
        marginal = (r["total"] - previous["total"]) / (r["megabytes"] - previous["megabytes"])
        print(f"time per MB, {r['size']}x vs {previous['size']}x: {per_mb[0] / per_mb[1] - 1:+.0%}; "
              f"each MB from {previous['size']}x to {r['size']}x took {marginal:.1f} s")
    for r in rows:
        if r["size"] >= 100:
            print(f"{r['size']}x: {r['total']:.0f} s (target under 600 s: {'met' if r['total'] < 600 else 'NOT met'}), "
                  f"peak {max(r['peak_rss'], r['worker_peak_rss']) / 2**30:.2f} GiB "
                  f"(target under 4 GiB: {'met' if max(r['peak_rss'], r['worker_peak_rss']) < 4 * 2**30 else 'NOT met'})")
    print(f"corpora under {base}" if args.keep else "")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
