"""Writing the dataset graph by graph: ``jlis.nq`` and ``jlis.trig`` without holding them.

The build never has the whole dataset in memory (rdflib takes ~3 KB a quad, and a
hundred times the corpus is ~12 million quads).  Each named graph — the reference
graph, one graph per document, the changes graph — is serialised as soon as it is
assembled, into a *run* in a work directory: its N-Quads lines sorted and unique, and
its TriG block.  At the end the runs are merged:

- ``jlis.nq``: a k-way merge of the sorted runs (``heapq.merge``), so the file is the
  sorted set of lines whatever the order the graphs were made in;
- ``jlis.trig``: the prefixes, then each graph's block in the order of the graph IRIs.

Both are byte-identical to what sorting the whole dataset at once would give, and
identical from one run to the next (rdflib's own TriG writer orders graphs by hash).
"""
from __future__ import annotations

import heapq
import re
import shutil
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral  # how rdflib's N-Quads writer writes a literal

from .namespaces import PREFIXES

MERGE_FAN_IN = 64  # runs merged at once: open files stay far under the usual limit of 1024


@dataclass
class GraphText:
    """One named graph, serialised: its sorted unique N-Quads lines and its TriG block."""
    name: str
    nquads: list[str]
    trig: str


_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NAMESPACES = sorted(((p, str(n)) for p, n in PREFIXES.items() if p not in ("id", "graph")),
                     key=lambda item: -len(item[1]))


def _compact(term) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, namespace in _NAMESPACES:
            if text.startswith(namespace) and _LOCAL_NAME.match(text[len(namespace):]):
                return f"{prefix}:{text[len(namespace):]}"
    return term.n3()


def trig_header() -> str:
    return "\n".join([f"@prefix {p}: <{n}> ." for p, n in sorted(_NAMESPACES)] + ["", ""])


def _trig_block(name: str, triples) -> str:
    out = [f"<{name}> {{"]
    previous = None
    for s, p, o in sorted(set(triples)):
        if s != previous:
            if previous is not None:
                out[-1] += " ."
            out.append(f"  {s} {p} {o}")
            previous = s
        else:
            out[-1] += " ;"
            out.append(f"      {p} {o}")
    if previous is not None:
        out[-1] += " ."
    out += ["}", ""]
    return "\n".join(out)


class GraphCollector:
    """Where the assembler's ``dataset.graph(iri).add(triple)`` goes in the build: each named
    graph's triples in a plain set.  An rdflib ``Dataset`` indexes every triple three ways
    as it is added, which the build, serialising each graph once, never uses."""

    def __init__(self):
        self.graphs: dict[URIRef, CollectedGraph] = {}

    def graph(self, identifier) -> "CollectedGraph":
        identifier = URIRef(identifier)
        if identifier not in self.graphs:
            self.graphs[identifier] = CollectedGraph(identifier)
        return self.graphs[identifier]


class CollectedGraph:
    def __init__(self, identifier: URIRef):
        self.identifier = identifier
        self.triples: set = set()

    def add(self, triple) -> None:
        self.triples.add(triple)


def graph_texts(graphs: GraphCollector | Dataset) -> list[GraphText]:
    """Every named graph as N-Quads lines (as rdflib's N-Quads writer writes them) and a
    TriG block, in the order of the graph IRIs."""
    if isinstance(graphs, Dataset):
        collected = GraphCollector()
        for s, p, o, g in graphs.quads((None, None, None, None)):
            collected.graph(g.identifier if hasattr(g, "identifier") else g).add((s, p, o))
        graphs = collected
    out = []
    for name in sorted(graphs.graphs, key=str):
        graph = graphs.graphs[name]
        # each term written once per graph (a subject has tens of triples): the forms are
        # those of rdflib's N-Quads writer (_nq_row) and of its n3()
        nq_form: dict = {}
        trig_form: dict = {}
        for term in {t for triple in graph.triples for t in triple}:
            nq_form[term] = _quoteLiteral(term) if isinstance(term, Literal) else term.n3()
            trig_form[term] = _compact(term)
        suffix = f" {name.n3()} ."
        lines = sorted({f"{nq_form[s]} {nq_form[p]} {nq_form[o]}{suffix}" for s, p, o in graph.triples})
        block = _trig_block(str(name), [(nq_form[s], trig_form[p], trig_form[o])
                                        for s, p, o in graph.triples])
        out.append(GraphText(str(name), lines, block))
    return out


class GraphRuns:
    """The serialised graphs of one build, kept as files in ``directory`` until merged."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._nquads: list[Path] = []
        self._trig: dict[str, Path] = {}

    def add(self, graphs: list[GraphText]) -> None:
        for graph in graphs:
            if graph.name in self._trig:
                raise ValueError(f"graph <{graph.name}> serialised twice")
            number = len(self._nquads)
            nquads = self.directory / f"{number:06d}.nq"
            nquads.write_text("".join(line + "\n" for line in graph.nquads), encoding="utf-8")
            trig = self.directory / f"{number:06d}.trig"
            trig.write_text(graph.trig, encoding="utf-8")
            self._nquads.append(nquads)
            self._trig[graph.name] = trig

    def write_nquads(self, destination: Path) -> None:
        """The merged, sorted, unique lines of every run, into ``destination``."""
        runs = list(self._nquads)
        level = 0
        while len(runs) > MERGE_FAN_IN:
            merged = []
            for start in range(0, len(runs), MERGE_FAN_IN):
                target = self.directory / f"merge-{level}-{start:06d}.nq"
                _merge(runs[start:start + MERGE_FAN_IN], target)
                merged.append(target)
            runs, level = merged, level + 1
        _merge(runs, destination)

    def write_trig(self, destination: Path) -> None:
        with open(destination, "w", encoding="utf-8", newline="\n") as out:
            out.write(trig_header())
            for number, name in enumerate(sorted(self._trig)):
                if number:
                    out.write("\n")  # a blank line between graphs
                with open(self._trig[name], encoding="utf-8") as block:
                    shutil.copyfileobj(block, out)

    @property
    def graph_names(self) -> list[str]:
        return sorted(self._trig)


def _merge(runs: list[Path], destination: Path) -> None:
    with ExitStack() as stack, open(destination, "w", encoding="utf-8", newline="\n") as out:
        files = [stack.enter_context(open(run, encoding="utf-8", newline="\n")) for run in runs]
        previous = None
        for line in heapq.merge(*files):
            if line != previous:
                out.write(line)
                previous = line
