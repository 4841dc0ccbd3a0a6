"""Changes between snapshots: what appears, disappears, moves or changes between two fiscal years.

A snapshot is the union of the named graphs of one fiscal year's documents (the graph
IRI carries ``jlis:fiscalYear``).  Two snapshots are compared aspect by aspect:

==============  =========================  ==========================================
aspect          property                   what is compared
==============  =========================  ==========================================
unit            ``org:unitOf``             each unit's parents: added, removed, moved
responsibility  ``jlis:responsibleUnit``   each system's (committee's) units: added,
                                           removed, moved
entity          ``jlis:mentions``          the entities the year's documents name
relation        ``jlis:dependsOn`` …       each relation triple: added, removed
post            ``org:heldBy``             each post's holders: added, removed, changed
purpose         ``jlis:purpose``           the agency's purpose statement: changed
==============  =========================  ==========================================

An aspect is compared only between years whose documents cover it — an organisation
chart (at least ``MIN_TOP_UNITS`` units directly under an organisation) for units, at
least one triple of the property for the others — so that a plan that describes no
organisation does not make every unit "disappear".  Each year is compared with the
previous year that covers the aspect.

:func:`add_changes` (called by the build right after assembling) writes one
``jlis:ChangeEvent`` per change into the named graph ``graph/changes``, with the
``rdf:Statement``s of both snapshots as its evidence (``jlis:evidenceBefore`` /
``jlis:evidenceAfter``).  :func:`compute_changes` compares any two fiscal years and is
what ``jlis-kg diff`` uses.
"""
from __future__ import annotations

import difflib
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from .namespaces import GRAPH, ID, JLIS, PREFIXES, REFERENCE_GRAPH, entity_iri

CHANGES_GRAPH = GRAPH["changes"]
MIN_TOP_UNITS = 3
MAX_EVIDENCE = 3  # statements per side and change
RELATION_PROPERTIES = tuple(JLIS[name] for name in (
    "dependsOn", "deliveredVia", "usesDataFrom", "hostedOn", "partOf", "succeeds", "operatedBy",
    "legalBasis", "supportsDuty",
))
# Entity kinds (the id's first path segment) whose appearing or disappearing is a change
# worth a ChangeEvent in graph/changes; `jlis-kg diff` lists every kind.
CHANGE_ENTITY_KINDS = ("system", "unit", "committee", "duty", "law")
KIND_JA = {"added": "追加", "removed": "削除", "moved": "移動", "changed": "変更"}
ASPECT_JA = {"unit": "部署", "responsibility": "担当", "entity": "実体", "relation": "関係", "post": "役職",
             "purpose": "目的"}


@dataclass
class Change:
    kind: str  # added | removed | moved | changed
    aspect: str  # unit | responsibility | entity | relation | post | purpose
    subject: URIRef
    prop: URIRef
    from_year: int
    to_year: int
    before: tuple = ()  # values in the earlier snapshot (IRIs or literals)
    after: tuple = ()
    evidence_before: list[URIRef] = field(default_factory=list)
    evidence_after: list[URIRef] = field(default_factory=list)

    @property
    def id(self) -> str:
        key = "\x1f".join([self.kind, self.aspect, str(self.subject), str(self.prop),
                           *sorted(map(str, self.before)), "|", *sorted(map(str, self.after))])
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        return f"change/fy{self.from_year}-fy{self.to_year}-{self.aspect}-{digest}"


class Snapshots:
    """The triples of each fiscal year's named graphs that changes are computed from.

    ``dataset`` is anything with rdflib's ``Dataset.quads(pattern)``: a Dataset, or
    (in the build) ``store.OxigraphQuads`` over the projection of :func:`projection_lines`."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.graphs: dict[int, list[URIRef]] = defaultdict(list)
        for g, _, year, context in dataset.quads((None, JLIS.fiscalYear, None, None)):
            if g == context and isinstance(year, Literal) and g not in (REFERENCE_GRAPH, CHANGES_GRAPH):
                self.graphs[int(year.toPython())].append(g)
        for graphs in self.graphs.values():
            graphs.sort()
        self._triples: dict[tuple[int, URIRef], set] = {}
        self._statements: dict[tuple, list[URIRef]] | None = None
        self._labels: dict = {}

    @property
    def years(self) -> list[int]:
        return sorted(self.graphs)

    def triples(self, year: int, prop: URIRef) -> set[tuple]:
        key = (year, prop)
        if key not in self._triples:
            found = set()
            for graph in self.graphs.get(year, ()):
                for s, _, o, _ in self.dataset.quads((None, prop, None, graph)):
                    found.add((s, o))
            self._triples[key] = found
        return self._triples[key]

    def statements(self, year: int, s, p, o) -> list[URIRef]:
        if self._statements is None:
            parts: dict[tuple, dict] = defaultdict(dict)
            for role, prop in (("s", RDF.subject), ("p", RDF.predicate), ("o", RDF.object)):
                for st, _, value, graph in self.dataset.quads((None, prop, None, None)):
                    parts[(graph, st)][role] = value
            index: dict[tuple, list[URIRef]] = defaultdict(list)
            for (graph, st), spo in parts.items():
                if len(spo) == 3:
                    index[(graph, spo["s"], spo["p"], spo["o"])].append(st)
            self._statements = index
        out = []
        for graph in self.graphs.get(year, ()):
            out.extend(sorted(self._statements.get((graph, s, p, o), ())))
        return out[:MAX_EVIDENCE]

    def is_organisation(self, node) -> bool:
        return any(True for _ in self.dataset.quads((node, RDF.type, ORG.FormalOrganization, None)))

    def label(self, node, lang: str = "ja") -> str:
        key = (node, lang)
        if key not in self._labels:
            text = None
            if isinstance(node, URIRef):
                for prop in (SKOS.prefLabel, RDFS.label):
                    for _, _, value, _ in self.dataset.quads((node, prop, None, None)):
                        if isinstance(value, Literal) and value.language == lang:
                            text = str(value) if text is None else min(text, str(value))
                    if text:
                        break
            self._labels[key] = text or short_id(node)
        return self._labels[key]


def short_id(node) -> str:
    text = str(node)
    return text[len(str(ID)):] if text.startswith(str(ID)) else text


def kind_of_node(node) -> str:
    return short_id(node).split("/", 1)[0] if isinstance(node, URIRef) else ""


# ───────────────────────── what changes are computed from ─────────────────────────

# what the aspects compare (see the table above)
COMPARED_PROPERTIES = frozenset({ORG.unitOf, JLIS.responsibleUnit, JLIS.mentions, ORG.heldBy, JLIS.purpose,
                                 *RELATION_PROPERTIES})


def projection_lines(nquads: list[str]) -> list[str]:
    """The N-Quads lines of one graph that :class:`Snapshots` reads: the graph's fiscal year,
    the compared properties and the statements about them, labels, and which nodes are
    organisations.  The build keeps only these (~4% of the quads) to compute graph/changes,
    so it never needs every document's graph at once."""
    compared = {f"<{p}>" for p in COMPARED_PROPERTIES}
    kept_props = compared | {f"<{p}>" for p in (JLIS.fiscalYear, SKOS.prefLabel, RDFS.label)}
    statement_parts = {f"<{p}>" for p in (RDF.subject, RDF.predicate, RDF.object)}
    rdf_type, organisation = f"<{RDF.type}>", f"<{ORG.FormalOrganization}>"
    split = [line.split(" ", 2) for line in nquads]
    statements = {s for s, p, rest in split if p == f"<{RDF.predicate}>" and rest.split(" ", 1)[0] in compared}
    return [line for line, (s, p, rest) in zip(nquads, split)
            if p in kept_props or (p in statement_parts and s in statements)
            or (p == rdf_type and rest.startswith(organisation + " "))]


# ───────────────────────── comparing two snapshots ─────────────────────────

def _covers(snapshots: Snapshots, year: int, aspect: str, prop: URIRef) -> bool:
    triples = snapshots.triples(year, prop)
    if aspect == "unit":
        top = {s for s, o in triples if snapshots.is_organisation(o)}
        return len(top) >= MIN_TOP_UNITS
    return bool(triples)


def _grouped(triples) -> dict:
    grouped = defaultdict(set)
    for s, o in triples:
        grouped[s].add(o)
    return grouped


def _compare_values(snapshots, aspect, prop, a, b, from_year, to_year, move_kind="moved") -> list[Change]:
    before, after = _grouped(snapshots.triples(a, prop)), _grouped(snapshots.triples(b, prop))
    changes = []
    for subject in sorted(set(before) | set(after)):
        old, new = before.get(subject, set()), after.get(subject, set())
        if old == new:
            continue
        if not old:
            kind = "added"
        elif not new:
            kind = "removed"
        else:
            kind = move_kind
        if aspect == "unit" and kind in ("added", "removed") and _mentioned(snapshots, a if kind == "added" else b, subject):
            # A unit the other year still names, only without saying where it sits, has not
            # appeared or disappeared: the document just does not place it.
            continue
        change = Change(kind, aspect, subject, prop, from_year, to_year, tuple(sorted(old)), tuple(sorted(new)))
        for value in sorted(old):
            change.evidence_before += snapshots.statements(a, subject, prop, value)
        for value in sorted(new):
            change.evidence_after += snapshots.statements(b, subject, prop, value)
        change.evidence_before = change.evidence_before[:MAX_EVIDENCE]
        change.evidence_after = change.evidence_after[:MAX_EVIDENCE]
        changes.append(change)
    return changes


def _mentioned(snapshots: Snapshots, year: int, entity) -> bool:
    return any(o == entity for _, o in snapshots.triples(year, JLIS.mentions))


def _compare_entities(snapshots, a, b, kinds) -> list[Change]:
    def mentioned(year):
        found = defaultdict(list)
        for doc, entity in sorted(snapshots.triples(year, JLIS.mentions)):
            if kinds is None or kind_of_node(entity) in kinds:
                found[entity].append(doc)
        return found

    before, after = mentioned(a), mentioned(b)
    changes = []
    for entity in sorted(set(before) ^ set(after)):
        if entity in after:
            change = Change("added", "entity", entity, JLIS.mentions, a, b)
            for doc in after[entity]:
                change.evidence_after += snapshots.statements(b, doc, JLIS.mentions, entity)
        else:
            change = Change("removed", "entity", entity, JLIS.mentions, a, b)
            for doc in before[entity]:
                change.evidence_before += snapshots.statements(a, doc, JLIS.mentions, entity)
        change.evidence_before = change.evidence_before[:MAX_EVIDENCE]
        change.evidence_after = change.evidence_after[:MAX_EVIDENCE]
        changes.append(change)
    return changes


def _compare_relations(snapshots, a, b) -> list[Change]:
    changes = []
    for prop in RELATION_PROPERTIES:
        if not (_covers(snapshots, a, "relation", prop) and _covers(snapshots, b, "relation", prop)):
            continue
        before, after = snapshots.triples(a, prop), snapshots.triples(b, prop)
        for s, o in sorted(before ^ after):
            if (s, o) in after:
                change = Change("added", "relation", s, prop, a, b, (), (o,))
                change.evidence_after = snapshots.statements(b, s, prop, o)
            else:
                change = Change("removed", "relation", s, prop, a, b, (o,), ())
                change.evidence_before = snapshots.statements(a, s, prop, o)
            changes.append(change)
    return changes


def _compare_purpose(snapshots, a, b) -> list[Change]:
    before, after = _grouped(snapshots.triples(a, JLIS.purpose)), _grouped(snapshots.triples(b, JLIS.purpose))
    changes = []
    for subject in sorted(set(before) & set(after)):
        old, new = sorted(before[subject], key=str), sorted(after[subject], key=str)
        if {_plain(t) for t in old} == {_plain(t) for t in new}:
            continue
        change = Change("changed", "purpose", subject, JLIS.purpose, a, b, tuple(old), tuple(new))
        for text in old:
            change.evidence_before += snapshots.statements(a, subject, JLIS.purpose, text)
        for text in new:
            change.evidence_after += snapshots.statements(b, subject, JLIS.purpose, text)
        changes.append(change)
    return changes


def _plain(text) -> str:
    return "".join(str(text).split()).rstrip("。")


def compute_changes(dataset_or_snapshots, from_year: int, to_year: int,
                    entity_kinds: tuple[str, ...] | None = None) -> list[Change]:
    """Every change between the snapshots of two fiscal years (``entity_kinds`` None: every kind)."""
    snapshots = dataset_or_snapshots if isinstance(dataset_or_snapshots, Snapshots) \
        else Snapshots(dataset_or_snapshots)
    a, b = from_year, to_year
    changes: list[Change] = []
    for aspect, prop in (("unit", ORG.unitOf), ("responsibility", JLIS.responsibleUnit)):
        if _covers(snapshots, a, aspect, prop) and _covers(snapshots, b, aspect, prop):
            changes += _compare_values(snapshots, aspect, prop, a, b, a, b)
    changes += _compare_entities(snapshots, a, b, entity_kinds)
    changes += _compare_relations(snapshots, a, b)
    if _covers(snapshots, a, "post", ORG.heldBy) and _covers(snapshots, b, "post", ORG.heldBy):
        changes += _compare_values(snapshots, "post", ORG.heldBy, a, b, a, b, move_kind="changed")
    changes += _compare_purpose(snapshots, a, b)
    return changes


def consecutive_changes(snapshots: Snapshots, entity_kinds=CHANGE_ENTITY_KINDS) -> list[Change]:
    """Changes between each fiscal year and the previous one that covers the same aspect."""
    years = snapshots.years
    changes: list[Change] = []
    for a, b in zip(years, years[1:]):
        for change in compute_changes(snapshots, a, b, entity_kinds):
            if change.aspect in ("entity", "relation", "purpose"):
                changes.append(change)
    # Units, responsibilities and posts: compare the years that cover each aspect.
    for aspect, prop in (("unit", ORG.unitOf), ("responsibility", JLIS.responsibleUnit), ("post", ORG.heldBy)):
        covering = [y for y in years if _covers(snapshots, y, aspect, prop)]
        for a, b in zip(covering, covering[1:]):
            kind = "changed" if aspect == "post" else "moved"
            changes += _compare_values(snapshots, aspect, prop, a, b, a, b, move_kind=kind)
    return changes


# ───────────────────────── writing graph/changes ─────────────────────────

def text_difference(old: str, new: str) -> tuple[list[str], list[str]]:
    """(deleted pieces, inserted pieces) between two wordings, character by character."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    deleted, inserted = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            deleted.append(old[i1:i2])
        if op in ("insert", "replace"):
            inserted.append(new[j1:j2])
    return deleted, inserted


def describe(change: Change, snapshots: Snapshots, lang: str = "ja") -> str:
    """A one-line description: 「令和2年度→令和5年度 部署 追加: 個人番号センター運用管理本部 (地方公共団体…の下)」."""
    subject = snapshots.label(change.subject, lang)
    values_before = ", ".join(_value_text(v, snapshots, lang) for v in change.before)
    values_after = ", ".join(_value_text(v, snapshots, lang) for v in change.after)
    prop = short_prop(change.prop)
    if change.aspect == "purpose":
        deleted, inserted = text_difference(str(change.before[0]), str(change.after[0]))
        meaningful = lambda piece: piece.strip(" 。、")  # noqa: E731
        detail = "; ".join([f"-「{d}」" for d in deleted if meaningful(d)] +
                           [f"+「{i}」" for i in inserted if meaningful(i)])
    elif change.kind == "added":
        detail = values_after
    elif change.kind == "removed":
        detail = values_before
    else:
        detail = f"{values_before} → {values_after}"
    if lang == "en":
        head = f"FY{change.from_year}→FY{change.to_year} {change.aspect} {change.kind}: {subject}"
    else:
        head = f"{change.from_year}→{change.to_year}年度 {ASPECT_JA.get(change.aspect, change.aspect)}" \
               f"{KIND_JA.get(change.kind, change.kind)}: {subject}"
    return f"{head} ({prop} {detail})" if detail else f"{head} ({prop})"


def _value_text(value, snapshots, lang) -> str:
    if isinstance(value, URIRef):
        return snapshots.label(value, lang)
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def short_prop(prop) -> str:
    text = str(prop)
    for prefix, namespace in PREFIXES.items():
        if prefix not in ("id", "graph") and text.startswith(str(namespace)) and len(text) > len(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)):]}"
    return text


def add_changes(dataset: Dataset, snapshots: Snapshots | None = None) -> int:
    """Compute the changes between consecutive fiscal years into graph/changes of ``dataset``;
    returns their number.  ``snapshots``: where to read the years from, if not ``dataset``
    itself (the build reads a projection, see :func:`projection_lines`)."""
    snapshots = snapshots or Snapshots(dataset)
    changes = consecutive_changes(snapshots)
    graph = dataset.graph(CHANGES_GRAPH)
    graph.add((CHANGES_GRAPH, RDF.type, PROV.Entity))
    graph.add((CHANGES_GRAPH, DCTERMS.title, Literal("jlis-kg changes between fiscal years", lang="en")))
    graph.add((CHANGES_GRAPH, DCTERMS.title, Literal("年度間の変更", lang="ja")))
    for year in snapshots.years:
        for snapshot in snapshots.graphs[year]:
            graph.add((CHANGES_GRAPH, PROV.wasDerivedFrom, snapshot))
    for change in changes:
        node = entity_iri(change.id)
        graph.add((node, RDF.type, JLIS.ChangeEvent))
        graph.add((node, JLIS.changeKind, Literal(change.kind)))
        graph.add((node, JLIS.changeAspect, Literal(change.aspect)))
        graph.add((node, JLIS.fromFiscalYear, Literal(change.from_year, datatype=XSD.integer)))
        graph.add((node, JLIS.toFiscalYear, Literal(change.to_year, datatype=XSD.integer)))
        graph.add((node, JLIS.changedEntity, change.subject))
        graph.add((node, JLIS.changedProperty, change.prop))
        graph.add((node, RDFS.label, Literal(describe(change, snapshots, "ja"), lang="ja")))
        graph.add((node, RDFS.label, Literal(describe(change, snapshots, "en"), lang="en")))
        for year in (change.from_year, change.to_year):
            for snapshot in snapshots.graphs[year]:
                graph.add((node, PROV.used, snapshot))
        text_values = change.aspect == "purpose"
        for value in change.before:
            graph.add((node, JLIS.previousText if text_values else JLIS.previousValue, value))
        for value in change.after:
            graph.add((node, JLIS.newText if text_values else JLIS.newValue, value))
        if change.aspect == "unit":
            if change.kind == "added":
                graph.add((node, ORG.resultingOrganization, change.subject))
            elif change.kind == "removed":
                graph.add((node, ORG.originalOrganization, change.subject))
        for statement in change.evidence_before:
            graph.add((node, JLIS.evidenceBefore, statement))
        for statement in change.evidence_after:
            graph.add((node, JLIS.evidenceAfter, statement))
    return len(changes)
