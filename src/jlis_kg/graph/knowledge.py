"""``KnowledgeGraph``: the built dataset, its networkx projection and the traversals.

``load()`` reads ``build/jlis.nq`` (or ``.trig``) into a pyoxigraph store — a tenth
of a second where rdflib needs seconds — and keeps rdflib as the API for whoever wants
a ``Dataset`` (``kg.dataset``, parsed on first use).  The projection is built once,
from the quads, and each call to ``to_networkx`` returns a filtered copy.
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from ..catalogue import match_form
from ..model import InputError
from . import traversal
from .model import Criticality, Entity, Evidence, GraphDiff, Hop, Reach
from .projection import DocumentInfo, Projection, kind_rank, project
from .vocab import (DEFAULT_DEPENDENCY_RELATIONS, DEPENDS_ON, HIDDEN_KINDS, HIDDEN_TYPES, ID_PREFIX, KIND_LABELS,
                    TERM_LABELS, curie,
                    expand, kind_of, normalise_relations)

FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}
YearSpec = int | Iterable[int] | None


class UnknownEntity(InputError):
    """A name that is no entity's IRI, label or alias (or one that several share)."""


def _years(fiscal_year: YearSpec) -> frozenset[int] | None:
    if fiscal_year is None:
        return None
    if isinstance(fiscal_year, (int, str)):
        return frozenset({int(fiscal_year)})
    return frozenset(int(y) for y in fiscal_year)


class KnowledgeGraph:
    """The J-LIS knowledge graph as built: RDF dataset, networkx projection, traversals.

    Entities are named by IRI, by id (``system/lgwan``), or by any label or alias in
    Japanese or English (``LGWAN``, ``総合行政ネットワーク``, ``住基ネット``).
    """

    def __init__(self, store: ox.Store, source: Path | None = None, ontology: Path | None = None):
        self.store = store
        self.source = source
        self.ontology_path = ontology
        self._cache: dict = {}  # filtered graphs, dependency views, walk graphs: read-only

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {self.source or 'in memory'}: {len(self.store)} quads>"

    # ───────────────────────── the RDF side ─────────────────────────

    @cached_property
    def dataset(self):
        """The dataset as an rdflib ``Dataset`` (union default graph), parsed on first use."""
        from ..query import load_dataset

        if self.source is not None:
            return load_dataset(self.source)
        from rdflib import Dataset

        dataset = Dataset(default_union=True)
        dataset.parse(data=self.store.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
        return dataset

    @cached_property
    def _ontology(self) -> ox.Store:
        store = ox.Store()
        if self.ontology_path is not None and self.ontology_path.is_file():
            store.load(path=str(self.ontology_path), format=ox.RdfFormat.TURTLE)
        return store

    @cached_property
    def dependency_relations(self) -> frozenset[str]:
        """``jlis:dependsOn`` and its sub-properties (from the ontology when at hand)."""
        found = {curie(row["p"].value) for row in self._ontology.query(
            "SELECT ?p WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>* "
            f"<{expand(DEPENDS_ON)}> }}")}
        return frozenset(found | DEFAULT_DEPENDENCY_RELATIONS)

    def term_label(self, name: str) -> tuple[str, str]:
        """(Japanese, English) label of an ontology term (a relation or class CURIE)."""
        ja = en = ""
        for row in self._ontology.query(
                f"SELECT ?l WHERE {{ <{expand(name)}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"):
            lang = row["l"].language
            if lang == "en":
                en = en or row["l"].value
            elif lang == "ja":
                ja = ja or row["l"].value
        fallback = TERM_LABELS.get(curie(expand(name)))
        if fallback and not (ja or en):
            return fallback
        local = name.rsplit(":", 1)[-1].rsplit("#", 1)[-1]
        return ja or en or local, en or local

    def kind_label(self, kind: str) -> tuple[str, str]:
        """(Japanese, English) name of a kind of entity: from ``vocab.KIND_LABELS``, else
        the ontology's label of the class most of its entities have."""
        if kind in KIND_LABELS:
            return KIND_LABELS[kind]
        types = Counter(d["type"] for _, d in self._projection.graph.nodes(data=True) if d["kind"] == kind and d["type"])
        if types:
            ja, en = self.term_label(types.most_common(1)[0][0])
            return ja, en.lower() if en[:1].isupper() and en[1:2].islower() else en
        return kind, kind

    # ───────────────────────── the projection ─────────────────────────

    @cached_property
    def _projection(self) -> Projection:
        return project(self.store)

    @property
    def fiscal_years(self) -> list[int]:
        """The fiscal years the documents are about, in order."""
        return self._projection.fiscal_years

    @property
    def documents(self) -> dict[str, DocumentInfo]:
        """The source documents, by id (the local name of their named graph)."""
        return dict(self._projection.documents)

    @property
    def relations(self) -> list[str]:
        """Every relation between two entities in the graph, as CURIEs."""
        return sorted({k for _, _, k in self._projection.graph.edges(keys=True)})

    def to_networkx(self, fiscal_year: YearSpec = None, relations: Iterable[str] | str | None = None,
                    kinds: Iterable[str] | str | None = None) -> nx.MultiDiGraph:
        """The graph as a networkx ``MultiDiGraph`` (a fresh copy; change it at will).

        - ``fiscal_year``: one year or several; ``None`` for every year.  A node is kept
          if a document of that year mentions it or states a fact about it; an edge if a
          document of that year states it, or if it is curated (reference data, which
          has no year) and both its ends are kept.  Edge evidence is then the evidence of
          that year's documents.
        - ``relations``: CURIEs, local names or IRIs (``dependsOn``, ``org:unitOf``);
          ``None`` for every relation.
        - ``kinds``: entity kinds (``system``, ``law``, ``duty``, ``org``, ``unit``,
          ``committee``, ``segment``, ``project``, ``meeting``, ``event``, ``person`` …,
          ``document``); ``None`` for every kind but the sources and the figures behind
          the graph (``document``, ``statement``, Data Cube ``observation``, ``dataset``
          and ``dsd``), which are there when asked for by name.

        Nodes are IRIs with ``label_ja``, ``label_en``, ``kind``, ``type``, ``types``,
        ``aliases``, ``fiscal_years``, ``documents`` and ``curated``; edges are keyed by
        relation and carry ``relation``, ``fiscal_years``, ``documents``, ``curated`` and
        ``evidence`` (dicts with ``document``, ``fiscal_year``, ``line``, ``quote``,
        ``context``, ``file``).
        """
        return _copy_graph(self._selected(fiscal_year, relations, kinds))

    def _selected(self, fiscal_year: YearSpec = None, relations=None, kinds=None) -> nx.MultiDiGraph:
        """``to_networkx`` without the copy, cached: for the traversals, which only read."""
        if isinstance(kinds, str):
            kinds = [k for k in kinds.replace(",", " ").split() if k]
        if isinstance(relations, str):
            relations = [r for r in relations.replace(",", " ").split() if r]
        key = (_years(fiscal_year), frozenset(relations) if relations is not None else None,
               frozenset(kinds) if kinds is not None else None)
        cached = self._cache.get(("graph", key))
        if cached is None:
            cached = self._cache[("graph", key)] = self._select(fiscal_year, relations, kinds)
        return cached

    def _select(self, fiscal_year: YearSpec, relations, kinds) -> nx.MultiDiGraph:
        full = self._projection.graph
        years = _years(fiscal_year)
        if years is not None:
            unknown = years - set(self.fiscal_years)
            if unknown:
                raise InputError(f"fiscal year {', '.join(map(str, sorted(unknown)))}: no document of that "
                                 f"year (years: {', '.join(map(str, self.fiscal_years))})")
        wanted_relations = normalise_relations(relations, self.relations)
        wanted_kinds = frozenset(kinds) if kinds is not None else None

        def keep_node(data) -> bool:
            if wanted_kinds is None:
                if data["kind"] in HIDDEN_KINDS or HIDDEN_TYPES.intersection(data["types"]):
                    return False
            elif data["kind"] not in wanted_kinds:
                return False
            return years is None or bool(years & set(data["fiscal_years"]))

        out = nx.MultiDiGraph()
        out.graph.update(full.graph)
        if years is not None:
            out.graph["selected_fiscal_years"] = sorted(years)
        for node, data in full.nodes(data=True):
            if keep_node(data):
                out.add_node(node, **_copy(data))
        for u, v, key, data in full.edges(keys=True, data=True):
            if u not in out or v not in out:
                continue
            if wanted_relations is not None and key not in wanted_relations:
                continue
            attrs = _copy(data)
            if years is not None:
                if not (years & set(data["fiscal_years"]) or data["curated"]):
                    continue
                attrs["evidence"] = [e for e in data["evidence"] if e.get("fiscal_year") in years]
            out.add_edge(u, v, key=key, **attrs)
        return out

    # ───────────────────────── entities ─────────────────────────

    @cached_property
    def _label_index(self) -> dict[str, list[tuple[int, str]]]:
        index: dict[str, list[tuple[int, str]]] = {}
        for iri, labels in self._projection.labels.items():
            for rank, text in labels:
                index.setdefault(match_form(text), []).append((rank, iri))
        return index

    def resolve(self, name: str) -> str:
        """The IRI an IRI, id, CURIE (``id:system/lgwan``), label or alias names.

        Labels are compared in NFKC with white space removed.  A preferred label wins
        over an alias; between entities of different kinds a system wins over a project
        that happens to carry the same title.  Raises ``UnknownEntity``.
        """
        graph = self._projection.graph
        text = name.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        for candidate in (text, expand(text), ID_PREFIX + text):
            if candidate in graph:
                return candidate
        hits = self._label_index.get(match_form(text), [])
        if hits:
            best = min(rank for rank, _ in hits)
            iris = sorted({iri for rank, iri in hits if rank == best},
                          key=lambda i: (kind_rank(kind_of(i)), i))
            top_kind = kind_of(iris[0])
            same = [i for i in iris if kind_of(i) == top_kind]
            if len(same) == 1:
                return same[0]
            listed = ", ".join(f"{graph.nodes[i]['label_ja']} <{i}>" for i in same[:6])
            raise UnknownEntity(f"{name}: several entities carry this name ({listed}); give the IRI")
        wanted = match_form(text).lower()
        close = sorted({graph.nodes[i]["label_ja"] for key, hits in self._label_index.items()
                        if wanted and wanted in key.lower() for _, i in hits},
                       key=lambda t: (len(t), t))[:5]
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        raise UnknownEntity(f"{name}: no entity has this IRI, label or alias{hint}")

    def entity(self, name: str) -> Entity:
        """The entity a name stands for (see ``resolve``)."""
        return traversal.entity_of(self._projection.graph, self.resolve(name))

    def entities(self, kind: str | None = None) -> list[Entity]:
        """Every entity (of one kind), by Japanese label."""
        graph = self._projection.graph
        return sorted((traversal.entity_of(graph, n) for n, d in graph.nodes(data=True)
                       if kind is None or d["kind"] == kind), key=lambda e: (e.label_ja, e.iri))

    def evidence(self, subject: str, relation: str, obj: str) -> list[Evidence]:
        """Where the documents state ``subject relation obj``."""
        s, o = self.resolve(subject), self.resolve(obj)
        (rel,) = normalise_relations([relation], self.relations)
        data = self._projection.graph.get_edge_data(s, o, key=rel)
        return [Evidence.from_dict(e) for e in data["evidence"]] if data else []

    # ───────────────────────── traversals ─────────────────────────

    def _view(self, fiscal_year: YearSpec, parts: bool) -> tuple[nx.MultiDiGraph, nx.DiGraph]:
        key = ("view", _years(fiscal_year), parts)
        if key not in self._cache:
            # Dependencies link systems only: the whole projection serves when no year is asked.
            graph = self._projection.graph if fiscal_year is None else self._selected(fiscal_year)
            self._cache[key] = (graph, traversal.dependency_view(graph, self.dependency_relations, parts=parts))
        return self._cache[key]

    def dependencies(self, entity: str, transitive: bool = True, fiscal_year: YearSpec = None,
                     parts: bool = False) -> list[Reach]:
        """What ``entity`` cannot work without, nearest first, each with its chain of hops.

        Only the dependencies the documents state (``jlis:dependsOn`` and its
        sub-properties).  ``parts=True`` also counts a whole as depending on its parts
        (``jlis:partOf`` walked backwards: 住基ネット needs its 全国サーバ), an inference
        the documents do not state.  ``transitive=False`` keeps the direct ones only.
        """
        graph, view = self._view(fiscal_year, parts)
        return traversal.reach(graph, view, self.resolve(entity), dependents=False,
                               transitive=transitive, family=self.dependency_relations)

    def dependents(self, entity: str, transitive: bool = True, fiscal_year: YearSpec = None,
                   parts: bool = False) -> list[Reach]:
        """What stops working if ``entity`` fails: everything that depends on it.

        Each ``Reach`` carries the chain of hops from the dependent to ``entity``, every
        hop with the document, line and quote that state it.  ``parts=True``: a failing
        part also impairs the whole it belongs to (see ``dependencies``).
        """
        graph, view = self._view(fiscal_year, parts)
        return traversal.reach(graph, view, self.resolve(entity), dependents=True,
                               transitive=transitive, family=self.dependency_relations)

    def impact(self, entity: str, **options) -> list[Reach]:
        """Another name for ``dependents``: the impact of ``entity`` failing."""
        return self.dependents(entity, **options)

    def path(self, a: str, b: str, relations: Iterable[str] | str | None = None,
             fiscal_year: YearSpec = None, directed: bool = False) -> list[Hop] | None:
        """The cheapest chain of relations from ``a`` to ``b``, each hop with its evidence.

        Structural relations (dependencies, parts, generations) are cheap, duties and
        laws dearer, units and operators dearer still, and a project that concerns both
        ends dearest (``vocab.RELATION_COST``), so the path says how two systems are
        related rather than that J-LIS runs both.  ``directed=False`` (the default)
        lets a hop walk a relation backwards (``Hop.inverse``).  ``None`` if there is
        no path, ``[]`` if ``a`` and ``b`` are one entity.
        """
        source, target = self.resolve(a), self.resolve(b)
        graph = self._selected(fiscal_year, relations)
        key = ("walk", id(graph), directed)
        if key not in self._cache:
            self._cache[key] = traversal.walk_graph(graph, directed)
        return traversal.shortest_path(graph, self._cache[key], source, target, directed=directed,
                                       family=self.dependency_relations)

    def critical_systems(self, top: int | None = 10, fiscal_year: YearSpec = None,
                         parts: bool = False) -> list[Criticality]:
        """The systems most others depend on (directly or not), most critical first.

        Ranked by the number of dependents, then of direct dependents.  With
        ``parts=True`` a component inherits the dependents of its whole, which ranks
        small parts (a security gateway of LGWAN) above the systems people know.
        """
        graph, view = self._view(fiscal_year, parts)
        ranking = traversal.critical(graph, view, kinds=frozenset({"system"}))
        return ranking if top is None else ranking[:top]

    def diff(self, from_year: int, to_year: int, relations: Iterable[str] | str | None = None,
             kinds: Iterable[str] | str | None = None) -> GraphDiff:
        """What changed between two fiscal years' graphs (see ``to_networkx`` for a year's graph)."""
        before = self._selected(from_year, relations, kinds)
        after = self._selected(to_year, relations, kinds)
        return traversal.difference(before, after, int(from_year), int(to_year))


def _copy(data: dict) -> dict:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in data.items()}


def _copy_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attribute lists are new lists too, so the caller may change anything."""
    out = nx.MultiDiGraph()
    out.graph.update(_copy(graph.graph))
    out.add_nodes_from((n, _copy(d)) for n, d in graph.nodes(data=True))
    out.add_edges_from((u, v, k, _copy(d)) for u, v, k, d in graph.edges(keys=True, data=True))
    return out


def _find_source(path: Path) -> Path:
    if path.is_dir():
        for name in ("jlis.nq", "jlis.trig"):
            if (path / name).is_file():
                return path / name
        raise InputError(f"{path}: no built graph (jlis.nq or jlis.trig); run `jlis-kg build` first")
    if path.is_file():
        if path.suffix not in FORMATS:
            raise InputError(f"{path}: expected an N-Quads (.nq) or TriG (.trig) file")
        return path
    raise InputError(f"{path}: no built graph; run `jlis-kg build` first")


def load(path: str | os.PathLike = "build", ontology: str | os.PathLike | None = None) -> KnowledgeGraph:
    """Load the built graph: a build directory (``jlis.nq`` or ``jlis.trig``) or one such file.

    The default, ``build``, is looked for in the current directory and then in the
    jlis-kg checkout around it.  The ontology (for relation labels and the
    sub-properties of ``jlis:dependsOn``) is ``ontology.ttl`` next to the graph, written
    by the build, unless given.
    """
    given = Path(path)
    if str(path) == "build" and not given.exists():
        from ..paths import project_paths

        try:
            given = project_paths().build
        except InputError:
            pass
    source = _find_source(given)
    store = ox.Store()
    try:
        store.bulk_load(path=str(source), format=FORMATS[source.suffix])
    except (SyntaxError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{source}: cannot read the built graph ({first})") from None
    if ontology is None:
        candidate = source.parent / "ontology.ttl"
        if not candidate.is_file():
            from ..paths import project_paths

            try:
                candidate = project_paths().ontology
            except InputError:
                candidate = None
        ontology = candidate
    return KnowledgeGraph(store, source=source.resolve(), ontology=Path(ontology) if ontology else None)
