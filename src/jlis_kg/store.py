"""The embedded store: an on-disk Oxigraph database built from ``build/jlis.nq``.

``jlis-kg build`` writes ``build/oxigraph``, and ``jlis-kg query`` and ``jlis-kg serve``
run there: SPARQL over the union of the named graphs (a query that says ``GRAPH`` sees
each graph on its own), at pyoxigraph's speed.  rdflib stays the API for parsing,
serialising and pySHACL; ``--engine rdflib`` runs the same queries on rdflib's own
engine for comparison.

The store on disk
    ``build/oxigraph`` is a symbolic link to ``build/oxigraph-{digest}``, a directory
    loaded from ``jlis.nq`` alone (``digest`` = the first 16 hex digits of its SHA-256), so
    the same ``jlis.nq`` always gives a store with the same contents.  A new store is
    loaded into a temporary directory, renamed, and published by replacing the link in
    one atomic step: an interrupted build leaves the previous store in place and usable.
    The store last published before stays on disk (a server started on it keeps working
    until restarted); older ones are removed.

Parameters
    A named query's parameters are RDF terms (``query.bind_params``: an IRI, a label or
    alias resolved to its IRI, an integer, else a plain literal).  Engines that take query
    text only — Oxigraph, and any SPARQL endpoint over HTTP — get them as ``VALUES``
    blocks (``with_values``): one at the start of the query's top-level group and one at
    the start of every nested group that mentions the variable, so that a parameter is
    bound everywhere, inside sub-queries, ``UNION`` branches and ``BIND(COALESCE(?p, …))``
    defaults too, exactly as rdflib's ``initBindings`` bind it.  (pyoxigraph's own
    ``substitutions`` refuse a variable that the query does not project, and are not seen
    by ``BOUND``.)  A term is written by ``term_sparql`` — every literal escaped, every
    IRI checked — never the user's text itself, so ``LGWAN" } ; DROP ALL ; #`` is a string
    that matches nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from .catalogue import match_form
from .model import InputError
from .namespaces import ID, PREFIXES, REFERENCE_GRAPH
from .paths import fsync_dir, pid_alive

STORE_LINK = "oxigraph"
STORE_PREFIX = "oxigraph-"
MARKER = "jlis-store.json"
LAYOUT = 1  # what a store holds (named graphs + their merge as the default graph); bump when it changes
LABEL_PROPERTIES = (SKOS.prefLabel, SKOS.altLabel, RDFS.label)  # in the order resolve_entity tries them


# ───────────────────────── SPARQL text: tokens, prefixes, VALUES ─────────────────────────

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '''(?:[^'\\]|\\.|'(?!''))*'''
              | "(?:[^"\\\n\r]|\\.)*" | '(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\U0010FFFF]+)
  | (?P<word>[A-Za-z0-9_\u00B7\u00C0-\U0010FFFF][A-Za-z0-9_:.%\\\-\u00B7\u00C0-\U0010FFFF]*|:[A-Za-z0-9_:.%\\\-\u00B7\u00C0-\U0010FFFF]*)
  | (?P<punct>.)
""", re.VERBOSE | re.DOTALL)

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "ADD", "MOVE", "COPY", "WITH"}
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The tokens of a SPARQL text, white space and comments left out.

    Only what the rewriting below needs is told apart: strings, IRIs, variables, words
    (keywords, prefixed names, numbers) and single punctuation characters.  Strings,
    IRIs and comments are never looked into, so braces or keywords inside them count
    for nothing."""
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, match.group(), match.start(), match.end()))
    return out


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE, UPDATE, or "" when the text has none of them."""
    for token in tokens(text):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_KEYWORDS:
            return "UPDATE"
    return ""


def declared_prefixes(text: str) -> set[str]:
    found = set()
    toks = tokens(text)
    for before, after in zip(toks, toks[1:]):
        if before.kind == "word" and before.text.upper() == "PREFIX" and after.text.endswith(":"):
            found.add(after.text[:-1])
    return found


def used_prefixes(text: str) -> set[str]:
    return {t.text.split(":", 1)[0] for t in tokens(text) if t.kind == "word" and ":" in t.text}


def with_prefixes(text: str, prefixes: dict | None = None, readable: bool = False) -> str:
    """The query with ``PREFIX`` declarations for the project's prefixes it uses and does
    not declare itself: on one line (line numbers in error messages move by one), or
    with ``readable`` one per line, for a person to read."""
    prefixes = PREFIXES if prefixes is None else prefixes
    declared = declared_prefixes(text)
    used = used_prefixes(text)
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in prefixes.items() if p not in declared and p in used]
    if not missing:
        return text
    return ("\n".join(missing) if readable else " ".join(missing)) + "\n" + text


_ESCAPED_PNAME = re.compile(r"""(?<![\w:?$\\])(?P<prefix>(?:[^\W\d_][\w.\-]*)?):(?P<local>(?:[\w\-:%.]|\\[_~.\-!$&'()*+,;=/?#@%])*\\[_~.\-!$&'()*+,;=/?#@%](?:[\w\-:%.]|\\[_~.\-!$&'()*+,;=/?#@%])*)""")


def expand_escaped_names(text: str, prefixes: dict | None = None) -> str:
    r"""The query with every prefixed name whose local part has a backslash escape
    (``id:system\/lgwan``, as SPARQL's PN_LOCAL_ESC allows) written as a full IRI.

    rdflib's parser keeps the backslash in the IRI (``…/system\/lgwan``), so such a
    name matches nothing there while Oxigraph reads it right; this gives rdflib the IRI
    the recommendation means.  Strings, IRIs and comments are left alone."""
    if "\\" not in text:
        return text
    known = {p: str(ns) for p, ns in (PREFIXES if prefixes is None else prefixes).items()}
    toks = tokens(text)
    for before, middle, after in zip(toks, toks[1:], toks[2:]):
        if before.kind == "word" and before.text.upper() == "PREFIX" and middle.text.endswith(":") \
                and after.kind == "iri":
            known[middle.text[:-1]] = after.text[1:-1]
    skip = [(m.start(), m.end()) for m in _TOKEN.finditer(text) if m.lastgroup in ("string", "iri", "comment")]
    out, last = [], 0
    for match in _ESCAPED_PNAME.finditer(text):
        if any(start <= match.start() < end for start, end in skip) or match.group("prefix") not in known:
            continue
        local = match.group("local")
        trailing = len(local) - len(local.rstrip("."))  # a name never ends with an unescaped "."
        if trailing and local[: len(local) - trailing].endswith("\\"):
            trailing -= 1
        body = local[: len(local) - trailing] if trailing else local
        iri = known[match.group("prefix")] + re.sub(r"\\(.)", r"\1", body)
        out.append(text[last:match.start()])
        out.append(f"<{iri}>")
        last = match.start() + len(match.group("prefix")) + 1 + len(body)
    out.append(text[last:])
    return "".join(out)


_IRI_OK = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^<>"{}|^`\\\x00-\x20]*$')
_LANG_OK = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _iri(value: str) -> str:
    if not _IRI_OK.match(value):
        raise InputError(f"<{value}>: not an absolute IRI that SPARQL can carry")
    return f"<{value}>"


def term_sparql(term) -> str:
    """An RDF term as SPARQL text: an IRI checked, a literal escaped (``"``, ``\\``, line
    breaks …).  The only way a parameter's value gets into query text."""
    if isinstance(term, URIRef):
        return _iri(str(term))
    if isinstance(term, Literal):
        body = '"' + "".join(_ESCAPES.get(ch, ch) for ch in str(term)) + '"'
        if term.language:
            if not _LANG_OK.match(term.language):
                raise InputError(f"@{term.language}: not a language tag")
            return f"{body}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{body}^^{_iri(str(term.datatype))}"
        return body
    raise InputError(f"{term!r}: only IRIs and literals can be bound to a parameter")


def _groups(toks: list[Token]) -> list[tuple[int, int, bool]]:
    """(open index, close index, wraps a sub-select) of every group graph pattern:
    every ``{`` except the data block of ``VALUES`` and the template of ``CONSTRUCT``
    (and of ``INSERT``/``DELETE``)."""
    stack, groups = [], []
    after_values = False
    for i, token in enumerate(toks):
        if token.kind == "word" and token.text.upper() == "VALUES":
            after_values = True
            continue
        if token.text == "{" and token.kind == "punct":
            previous = toks[i - 1].text.upper() if i else ""
            if after_values:
                kind = "data"
                after_values = False
            elif previous in ("CONSTRUCT", "DATA", "INSERT", "DELETE"):
                kind = "template"
            else:
                kind = "group"
            stack.append((i, kind))
        elif token.text == "}" and token.kind == "punct" and stack:
            opened, kind = stack.pop()
            if kind == "group":
                first = toks[opened + 1] if opened + 1 < len(toks) else None
                subselect = first is not None and first.kind == "word" and first.text.upper() == "SELECT"
                groups.append((opened, i, subselect))
    return groups


def _values_block(names: list[str], bindings: dict) -> str:
    row = " ".join(term_sparql(bindings[n]) for n in names)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}"


def with_values(text: str, bindings: dict) -> str:
    """The query with its parameters bound by ``VALUES`` blocks (see the module's notes).

    ``bindings`` maps variable names to rdflib terms.  The query's top-level group gets
    every parameter; a nested group (a ``UNION`` branch, an ``OPTIONAL``, ``EXISTS``, a
    sub-query's ``WHERE``) gets the ones it mentions.  A group that only wraps a
    sub-query gets no block of its own (it cannot hold one), except the top-level group,
    which is then wrapped: ``{ VALUES … { SELECT … } }``."""
    if not bindings:
        return text
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z0-9_\u00B7\u00C0-\U0010FFFF]+", name):
            raise InputError(f"{name}: not a SPARQL variable name")
    toks = tokens(text)
    groups = sorted(_groups(toks))
    if not groups:
        raise InputError("the query has no WHERE clause to bind parameters in")
    top = groups[0]  # the first group that is not a template: the WHERE of the query
    inserts: list[tuple[int, str]] = []  # (character offset, text)
    for opened, closed, subselect in groups:
        if (opened, closed, subselect) == top:
            names = list(bindings)
        else:
            mentioned = {toks[j].text[1:] for j in range(opened + 1, closed) if toks[j].kind == "var"}
            names = [n for n in bindings if n in mentioned]
        if not names:
            continue
        block = _values_block(names, bindings)
        if subselect:
            if (opened, closed, subselect) != top:
                continue  # the sub-query's own WHERE group gets the block
            inserts.append((toks[opened].end, f" {block} {{"))
            inserts.append((toks[closed].start, "} "))
        else:
            inserts.append((toks[opened].end, f" {block} "))
    out = text
    for offset, insert in sorted(inserts, key=lambda item: item[0], reverse=True):
        out = out[:offset] + insert + out[offset:]
    return out


# ───────────────────────── terms ─────────────────────────

_XSD_STRING = str(XSD.string)
_RDF_LANG = str(RDF.langString)


_DATATYPES: dict[str, URIRef] = {}


def _datatype(iri: str) -> URIRef:
    """The datatype IRI as a URIRef, made once: a result has a few datatypes on many literals,
    and rdflib checks every IRI it makes."""
    found = _DATATYPES.get(iri)
    if found is None:
        found = URIRef(iri)
        if len(_DATATYPES) < 256:  # the graph's datatypes are few; a stray query's are not kept
            _DATATYPES[iri] = found
    return found


def to_rdflib(term, cache: dict | None = None):
    """A pyoxigraph term as the rdflib term rdflib's own engine would give
    (``xsd:string`` literals plain, lexical forms normalised as rdflib does)."""
    if term is None:
        return None
    if cache is not None:
        hit = cache.get(term)
        if hit is not None:
            return hit
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        out = URIRef(term.value)
    elif isinstance(term, ox.Literal):
        if term.language:
            out = Literal(term.value, lang=term.language)
        else:
            datatype = term.datatype.value
            out = Literal(term.value, datatype=None if datatype in (_XSD_STRING, _RDF_LANG) else _datatype(datatype))
    elif isinstance(term, ox.BlankNode):
        out = BNode(term.value)
    else:  # a quoted triple (RDF-star): not in this graph
        out = Literal(str(term))
    if cache is not None:
        cache[term] = out
    return out


def to_oxigraph(term):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def iri_or_id(value: str, exists) -> tuple[URIRef | None, str]:
    """The entity a parameter names by IRI (``<…>`` or bare) or by id (``system/lgwan``, if
    ``exists(iri)``), else None; and the value stripped, to look up as a label or alias."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if value.startswith(("http://", "https://")):
        return URIRef(value), value
    if re.fullmatch(r"[a-z]+/[a-z0-9-]+", value) and exists(URIRef(ID + value)):
        return URIRef(ID + value), value
    return None, value


class OxigraphQuads:
    """rdflib's ``Dataset.quads(pattern)`` over a pyoxigraph store, in rdflib terms (the
    graph as its IRI, None for the default graph): code written against a Dataset reads a
    store that holds far more quads in far less memory."""

    def __init__(self, store):
        self.store = store
        self._cache: dict = {}

    def quads(self, pattern):
        import pyoxigraph as ox

        s, p, o, g = (None if term is None else to_oxigraph(term) for term in pattern)
        cache = self._cache
        for quad in self.store.quads_for_pattern(s, p, o, g):
            graph = quad.graph_name
            yield (to_rdflib(quad.subject, cache), to_rdflib(quad.predicate, cache), to_rdflib(quad.object, cache),
                   None if isinstance(graph, ox.DefaultGraph) else to_rdflib(graph, cache))


# ───────────────────────── engines ─────────────────────────

class SparqlEngine:
    """What ``query.run_query`` needs of an engine other than rdflib: entity resolution
    and the execution of a named query with its parameters.  Subclasses run SPARQL text:
    ``select(text)`` → (variable names, rows of rdflib terms); ``ask(text)`` → bool."""

    name = "sparql"

    def __init__(self):
        self._labels: dict[str, URIRef] | None = None
        self._document_years: list[int] | None = None

    # the two methods a subclass provides
    def select(self, text: str) -> tuple[list[str], list[tuple]]:
        raise NotImplementedError

    def ask(self, text: str) -> bool:
        raise NotImplementedError

    # entity resolution: the same answers as query.resolve_entity on an rdflib Dataset
    def _label_index(self) -> dict[str, URIRef]:
        """match_form(label) → the entity ``query.resolve_entity`` picks for it: the curated
        catalogue's entity first (its label is in the reference graph), then a preferred
        label over an alias over an rdfs:label, then the smaller IRI."""
        if self._labels is None:
            props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
            _, rows = self.select(f"SELECT DISTINCT ?s ?p ?l ?g WHERE {{ VALUES ?p {{ {props} }} "
                                  f"GRAPH ?g {{ ?s ?p ?l }} FILTER(isIRI(?s)) }}")
            ranks = {str(p): rank for rank, p in enumerate(LABEL_PROPERTIES)}
            best: dict[str, tuple] = {}
            for subject, prop, label, graph in rows:
                key = match_form(str(label))
                candidate = (str(graph) != str(REFERENCE_GRAPH), ranks[str(prop)], str(subject))
                if key not in best or candidate < best[key]:
                    best[key] = candidate
            self._labels = {key: URIRef(candidate[2]) for key, candidate in best.items()}
        return self._labels

    def document_years(self) -> list[int]:
        """``query.document_years``, read once: the graph an engine answers from does not change."""
        if self._document_years is None:
            from .query import DOCUMENT_YEARS_QUERY, years_of

            self._document_years = years_of(row[0] for row in self.select(DOCUMENT_YEARS_QUERY)[1])
        return self._document_years

    def resolve_entity(self, value: str) -> URIRef | None:
        iri, value = iri_or_id(value, lambda candidate: self.ask(f"ASK {{ {term_sparql(candidate)} ?p ?o }}"))
        return iri if iri is not None else self._label_index().get(match_form(value))

    def prepare(self, query, params: dict[str, str] | None = None) -> str:
        """The text this engine runs for a named query: its parameters bound (VALUES)."""
        from .query import bind_params

        bindings = bind_params(query, self, params or {})
        try:
            return with_values(query.text, bindings)
        except InputError as exc:
            raise InputError(f"{query.path}: {exc}") from None

    def run_query(self, query, params: dict[str, str] | None = None):
        """``query.run_query`` on this engine: (variables, rows of rdflib terms)."""
        from .query import AskVariables

        form = query_form(query.text)
        if form == "UPDATE":
            raise InputError(f"{query.path}: a SPARQL UPDATE; only SELECT and ASK queries can be run here")
        if form in ("CONSTRUCT", "DESCRIBE"):
            raise InputError(f"{query.path}: only SELECT and ASK queries can be run here")
        text = self.prepare(query, params)
        try:
            if form == "ASK":
                return AskVariables(["ask"]), [(Literal(self.ask(text)),)]
            return self.select(text)
        except SyntaxError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"{query.path}: malformed SPARQL ({first})") from None


class OxigraphEngine(SparqlEngine):
    """Named queries on a pyoxigraph ``Store``: the union of the named graphs is the
    default graph, the project's prefixes are predeclared."""

    name = "oxigraph"

    def __init__(self, store, path: Path | None = None):
        super().__init__()
        self.store = store
        self.path = path
        self._prefixes = {p: str(ns) for p, ns in PREFIXES.items()}

    @classmethod
    def open(cls, build_dir: Path) -> "OxigraphEngine":
        """The store of ``build_dir``, (re)loaded first if ``jlis.nq`` is newer."""
        import pyoxigraph as ox

        path = ensure_store(Path(build_dir))
        return cls(ox.Store.read_only(str(path)), path)

    def execute(self, text: str):
        """pyoxigraph's result for any query text (SELECT, ASK, CONSTRUCT, DESCRIBE)."""
        return self.store.query(text, prefixes=self._prefixes)

    def select(self, text: str):
        result = self.execute(text)
        names = [v.value for v in result.variables]
        cache: dict = {}
        rows = [tuple(to_rdflib(solution[i], cache) for i in range(len(names))) for solution in result]
        return names, rows

    def ask(self, text: str) -> bool:
        return bool(self.execute(text))


# ───────────────────────── writing the store ─────────────────────────

def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _marker(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_store(build_dir: Path, nquads: Path | None = None) -> Path:
    """Load ``jlis.nq`` into an Oxigraph store and publish it as ``build_dir/oxigraph``
    (:func:`load_store_dir`, then :func:`publish_store`); returns the store's directory."""
    final = load_store_dir(build_dir, nquads)
    publish_store(build_dir, final)
    return final


def load_store_dir(build_dir: Path, nquads: Path | None = None) -> Path:
    """The store of ``jlis.nq`` in ``build_dir/oxigraph-{digest}``, loaded unless it is there
    already; not yet published.

    Loading happens in a temporary directory renamed into place once the store is whole.
    ``nquads`` is the file to load when it is not ``build_dir/jlis.nq`` itself: the build
    loads its staged ``.jlis.nq.partial-PID`` before it renames it into place (a rename
    keeps the size and modification time the marker records, so the store is then current)."""
    import pyoxigraph as ox

    build_dir = Path(build_dir)
    source = Path(nquads) if nquads is not None else build_dir / "jlis.nq"
    shown = build_dir / "jlis.nq"  # what the store is the store of, whatever file it is loaded from
    if not source.is_file():
        raise InputError(f"{shown}: no built graph; run `jlis-kg build` first")
    stat = source.stat()
    digest = file_digest(source)
    final = build_dir / f"{STORE_PREFIX}{digest[:16]}"
    marker = _marker(final) if final.is_dir() else None
    if not (marker is None or marker.get("sha256") != digest or marker.get("layout") != LAYOUT
            or _minor(marker.get("pyoxigraph", "")) != _minor(_pyoxigraph_version())):
        _touch_marker(final, marker, stat)
        return final
    partial = build_dir / f".{STORE_PREFIX}{digest[:16]}.partial-{os.getpid()}"
    union = build_dir / f".{STORE_PREFIX}union.nt.partial-{os.getpid()}"
    if partial.exists():
        shutil.rmtree(partial)
    try:
        store = ox.Store(str(partial))
        try:
            store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
            # the default graph: the RDF merge of every graph (a set of triples), loaded from
            # the same lines without their graph names (Rust parses them, not Python)
            write_union_triples(source, union)
            store.bulk_load(path=str(union), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        except SyntaxError as exc:
            raise InputError(f"{shown}: cannot load into Oxigraph ({str(exc).splitlines()[0]})") from None
        store.optimize()
        store.flush()
        quads = len(store)
        del store
        (partial / MARKER).write_text(json.dumps({
            "layout": LAYOUT, "sha256": digest, "source": shown.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "quads": quads, "pyoxigraph": _pyoxigraph_version(),
        }, indent=2) + "\n", encoding="utf-8")
        if final.exists():  # a store without its marker: a leftover, never published
            shutil.rmtree(final)
        os.rename(partial, final)
    finally:
        union.unlink(missing_ok=True)
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    return final


def triple_of(line: str) -> str:
    """The ``s p o`` of an N-Quads line (its graph name and final `` .`` cut off): the
    subject and predicate hold no space, the object is an IRI, a blank node or a literal
    whose quotes are escaped inside."""
    subject, predicate, rest = line.split(" ", 2)
    if rest.startswith('"'):
        end = 1
        while True:
            end = rest.index('"', end)
            backslashes = len(rest[:end]) - len(rest[:end].rstrip("\\"))
            if backslashes % 2 == 0:
                break
            end += 1
        space = rest.find(" ", end)
    else:
        space = rest.find(" ")
    return f"{subject} {predicate} {rest[:space]}"


def write_union_triples(nquads: Path, target: Path) -> None:
    """The triples of every graph of ``nquads`` as N-Triples (a sorted file gives each once)."""
    previous = None
    with open(nquads, encoding="utf-8", newline="\n") as lines, open(target, "w", encoding="utf-8", newline="\n") as out:
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            triple = triple_of(line.strip())
            if triple != previous:
                out.write(triple + " .\n")
                previous = triple


def _touch_marker(directory: Path, marker: dict, stat) -> None:
    if marker.get("size") == stat.st_size and marker.get("mtime_ns") == stat.st_mtime_ns:
        return
    marker.update(size=stat.st_size, mtime_ns=stat.st_mtime_ns)
    temporary = directory / f".{MARKER}.partial-{os.getpid()}"
    temporary.write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, directory / MARKER)


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _pyoxigraph_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pyoxigraph")
    except PackageNotFoundError:
        return "unknown"


def publish_store(build_dir: Path, final: Path) -> None:
    """Point ``build_dir/oxigraph`` at ``final`` (atomically), keep the store published
    before it, remove older ones and leftovers of interrupted builds."""
    link = build_dir / STORE_LINK
    previous = None
    if link.is_symlink():
        previous = build_dir / os.readlink(link)
    elif link.exists():  # a plain directory where the link belongs: move it aside
        aside = build_dir / f".{STORE_LINK}.replaced-{os.getpid()}"
        os.rename(link, aside)
        previous = aside
    if previous is None or previous.resolve() != final.resolve():
        temporary = build_dir / f".{STORE_LINK}.link-{os.getpid()}"
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        os.symlink(final.name, temporary)
        os.replace(temporary, link)
        fsync_dir(build_dir)
    keep = {final.resolve()}
    if previous is not None and previous.exists():
        keep.add(previous.resolve())
    for entry in build_dir.iterdir():
        name = entry.name
        if entry.is_symlink() or not entry.is_dir():
            continue
        if name.startswith(STORE_PREFIX) or name.startswith(f".{STORE_LINK}.replaced-"):
            if entry.resolve() not in keep:
                shutil.rmtree(entry, ignore_errors=True)
        elif name.startswith(f".{STORE_PREFIX}") and ".partial-" in name:
            pid = name.rsplit("-", 1)[-1]
            if pid.isdigit() and not pid_alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)


def store_path(build_dir: Path) -> Path | None:
    """The published store of ``build_dir`` if it is there and whole, else None."""
    link = Path(build_dir) / STORE_LINK
    if not link.exists():
        return None
    target = link.resolve()
    return target if _marker(target) is not None else None


def store_is_current(build_dir: Path) -> bool:
    """Whether the published store was loaded from the present ``jlis.nq``."""
    build_dir = Path(build_dir)
    source = build_dir / "jlis.nq"
    target = store_path(build_dir)
    if target is None or not source.is_file():
        return False
    marker = _marker(target)
    if marker.get("layout") != LAYOUT or _minor(marker.get("pyoxigraph", "")) != _minor(_pyoxigraph_version()):
        return False  # another layout, or written by another pyoxigraph: load it again
    stat = source.stat()
    if marker.get("size") == stat.st_size and marker.get("mtime_ns") == stat.st_mtime_ns:
        return True
    return marker.get("size") == stat.st_size and marker.get("sha256") == file_digest(source)


def ensure_store(build_dir: Path, quiet: bool = False) -> Path:
    """The store of ``build_dir``, loaded from ``jlis.nq`` first when it is missing or
    older (a ``build/`` from before the store existed, or a copied ``jlis.nq``)."""
    build_dir = Path(build_dir)
    if not (build_dir / "jlis.nq").is_file():
        raise InputError(f"{build_dir / 'jlis.nq'}: no built graph; run `jlis-kg build` first")
    if store_is_current(build_dir):
        return store_path(build_dir)
    if not quiet:
        print(f"loading {build_dir / 'jlis.nq'} into the Oxigraph store {build_dir / STORE_LINK} …", file=sys.stderr)
    return write_store(build_dir)


def store_quads(build_dir: Path) -> Iterable:
    """Every quad of the published store (for tests and checks)."""
    import pyoxigraph as ox

    return iter(ox.Store.read_only(str(ensure_store(build_dir, quiet=True))))
