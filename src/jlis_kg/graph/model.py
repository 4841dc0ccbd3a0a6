"""What the traversals return: entities, evidence, hops, reaches, rankings, differences.

Frozen dataclasses with ``to_dict()`` for JSON; IRIs are plain strings, relations CURIEs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Evidence:
    """Where a source document states a fact: its id, fiscal year, line and quote."""

    document: str  # document id, the local name of its named graph ("fy2023-report")
    fiscal_year: int | None
    line: int | None  # 1-based line of the source file
    quote: str  # the verbatim source line
    context: str = ""  # the whole sentence, joined across hard line breaks
    file: str = ""  # the source file under data/ ("sources/004_ef74194c5193d994.txt")
    line_end: int | None = None

    def cite(self) -> str:
        """``fy2023-report:1940``, the short form used in tables."""
        return f"{self.document}:{self.line}" if self.line else self.document

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}

    @classmethod
    def from_dict(cls, data: dict) -> "Evidence":
        return cls(**{k: data.get(k) for k in ("document", "fiscal_year", "line", "quote")},
                   context=data.get("context", ""), file=data.get("file", ""),
                   line_end=data.get("line_end"))


@dataclass(frozen=True)
class Entity:
    """A node of the graph: its IRI, labels, kind and the fiscal years it appears in."""

    iri: str
    kind: str  # system | law | duty | org | unit | committee | segment | project | meeting | document …
    label_ja: str
    label_en: str = ""
    type: str = ""  # the most specific rdf:type, as a CURIE ("jlis:Network")
    aliases: tuple[str, ...] = ()
    fiscal_years: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        """``総合行政ネットワーク (Local Government Wide Area Network)``"""
        if self.label_en and self.label_en != self.label_ja:
            return f"{self.label_ja} ({self.label_en})"
        return self.label_ja

    def __str__(self) -> str:
        return self.label

    def to_dict(self) -> dict:
        out = asdict(self)
        out["aliases"] = list(self.aliases)
        out["fiscal_years"] = list(self.fiscal_years)
        return out


@dataclass(frozen=True)
class Hop:
    """One step of a walk: ``source`` to ``target`` over ``relation``.

    The relation is stated in the graph as ``source relation target``, or, when
    ``inverse`` is true, as ``target relation source`` (the walk went against it: a
    whole depends on its part because the graph says ``part jlis:partOf whole``).
    """

    source: str
    relation: str  # the most specific relation ("jlis:deliveredVia" rather than jlis:dependsOn)
    target: str
    source_label: str = ""
    target_label: str = ""
    inverse: bool = False
    relations: tuple[str, ...] = ()  # every relation stated between the two, most specific first
    fiscal_years: tuple[int, ...] = ()
    curated: bool = False  # also (or only) stated by the curated reference catalogue
    evidence: tuple[Evidence, ...] = ()

    def arrow(self) -> str:
        """``LGWAN-ASP —jlis:deliveredVia→ 総合行政ネットワーク`` (or ``←…—`` for an inverse hop)."""
        if self.inverse:
            return f"{self.source_label} ←{self.relation}— {self.target_label}"
        return f"{self.source_label} —{self.relation}→ {self.target_label}"

    def __str__(self) -> str:
        return self.arrow()

    def to_dict(self) -> dict:
        return {
            "source": self.source, "source_label": self.source_label,
            "relation": self.relation, "target": self.target, "target_label": self.target_label,
            "inverse": self.inverse, "relations": list(self.relations),
            "fiscal_years": list(self.fiscal_years), "curated": self.curated,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Reach:
    """An entity reached by a dependency walk, with the chain of hops that reaches it.

    The hops always read in the direction of dependence: for ``dependents(X)`` they go
    from this entity to X, for ``dependencies(X)`` from X to this entity.
    """

    entity: Entity
    depth: int  # number of hops; 1 = direct
    hops: tuple[Hop, ...] = ()

    @property
    def direct(self) -> bool:
        return self.depth == 1

    def __str__(self) -> str:
        return f"{self.entity.label} [{self.depth}]"

    def to_dict(self) -> dict:
        return {"entity": self.entity.to_dict(), "depth": self.depth, "direct": self.direct,
                "hops": [h.to_dict() for h in self.hops]}


@dataclass(frozen=True)
class Criticality:
    """How much of the graph stops if this system stops."""

    entity: Entity
    dependents: tuple[str, ...]  # IRIs of everything that depends on it, directly or not
    direct: tuple[str, ...]  # IRIs of what depends on it directly

    @property
    def score(self) -> int:
        return len(self.dependents)

    def to_dict(self) -> dict:
        return {"entity": self.entity.to_dict(), "dependents": list(self.dependents),
                "direct": list(self.direct), "score": self.score}


@dataclass
class GraphDiff:
    """The change between two fiscal years: nodes and edges added, removed and kept.

    Edges are ``(source, target, relation)`` triples.  ``graph`` is the union of the two
    years' graphs with a ``change`` attribute (``added`` | ``removed`` | ``kept``) on
    every node and edge, ready to be drawn.
    """

    from_year: int
    to_year: int
    added_nodes: list[str] = field(default_factory=list)
    removed_nodes: list[str] = field(default_factory=list)
    kept_nodes: list[str] = field(default_factory=list)
    added_edges: list[tuple[str, str, str]] = field(default_factory=list)
    removed_edges: list[tuple[str, str, str]] = field(default_factory=list)
    kept_edges: list[tuple[str, str, str]] = field(default_factory=list)
    graph: object = None  # networkx.MultiDiGraph

    def summary(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in (
            "added_nodes", "removed_nodes", "kept_nodes", "added_edges", "removed_edges", "kept_edges")}

    def to_dict(self) -> dict:
        out = {"from_year": self.from_year, "to_year": self.to_year, "summary": self.summary()}
        for name in ("added_nodes", "removed_nodes", "kept_nodes"):
            out[name] = list(getattr(self, name))
        for name in ("added_edges", "removed_edges", "kept_edges"):
            out[name] = [list(e) for e in getattr(self, name)]
        return out
