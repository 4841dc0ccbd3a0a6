"""Named SPARQL queries, parameters and result formats.

A named query is ``queries/{name}.rq``.  Its header comment says what it answers
and which parameters it takes:

    # Question: What are the legal bases of each information system?
    # Param: system  an information system (label, alias or IRI); optional

A parameter is bound as an RDF term through initial bindings, never pasted into
the query text, so a value such as ``LGWAN" } ; DROP ALL ; #`` is only ever a
string that matches nothing.  Labels and aliases are resolved to IRIs first
(``resolve_entity``); a value that names no entity stays a plain literal.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate

from .catalogue import match_form
from .model import InputError
from .namespaces import JLIS, PREFIXES, REFERENCE_GRAPH
from .store import expand_escaped_names, iri_or_id

HEADER = re.compile(r"^#\s*(Question|Param|Example)\s*:\s*(.*)$", re.IGNORECASE)
EXAMPLE_PARAM = re.compile(r"--param\s+(\w+)=(\S+)")
# "# Param: year  the fiscal year; default 2020": a value bound when the parameter is not given
# ("optional (default: all)" describes what an unbound parameter means, and binds nothing).
DEFAULT_VALUE = re.compile(r";\s*default\s+(\S+)\s*$", re.IGNORECASE)
# Values that stand for a fiscal year of the graph's source documents (its snapshots), read
# when the query runs, so that a named query's default means the same on a corpus of other
# years: the index into the documents' distinct fiscal years, ascending.
DOCUMENT_YEARS = {"earliest-document-year": 0, "second-latest-document-year": -2, "latest-document-year": -1}
DOCUMENT_YEARS_QUERY = (f"SELECT DISTINCT ?year WHERE {{ ?document a <{JLIS}SourceDocument> ; "
                        f"<{JLIS}fiscalYear> ?year }}")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    text: str
    question: str
    params: tuple[tuple[str, str], ...]  # (name, description)
    example: dict = field(default_factory=dict, hash=False)  # the parameters of its "# Example:" line

    @property
    def required(self) -> tuple[str, ...]:
        """The parameters whose description ends in ``required``: the query means nothing
        without them (``evidence`` without a subject is every statement of the graph)."""
        return tuple(name for name, description in self.params
                     if re.search(r"\brequired\W*$", description, re.IGNORECASE))

    @property
    def defaults(self) -> dict[str, str]:
        """The values of the parameters whose description ends in ``; default VALUE``, bound
        like a given value when the parameter is not given: the query can then use the
        parameter in a triple pattern, where a store looks it up by index, instead of
        ``COALESCE(?year, 2020)`` in a filter, which it tests on every candidate.  VALUE may
        be a ``DOCUMENT_YEARS`` keyword, resolved by ``bind_params`` against the graph."""
        return {name: found.group(1) for name, description in self.params
                if (found := DEFAULT_VALUE.search(description))}


def parse_query_file(path: Path, name: str | None = None) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: query file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: query file is not UTF-8 text") from None
    question, params, example = "", [], {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = HEADER.match(line)
        if match and match.group(1).lower() == "question":
            question = match.group(2).strip()
        elif match and match.group(1).lower() == "param":
            param, _, description = match.group(2).strip().partition(" ")
            params.append((param, description.strip()))
        elif match and match.group(1).lower() == "example" and not example:
            example = dict(EXAMPLE_PARAM.findall(match.group(2)))
    return NamedQuery(name or path.stem, path, text, question, tuple(params), example)


def named_queries(directory: Path) -> dict[str, NamedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(directory.glob("*.rq"))}


def find_query(spec: str, directory: Path, stdin_text: str | None = None) -> NamedQuery:
    """The query a name, a file or ``-`` stands for, checked (``prepare``) before any graph is
    loaded, so that a malformed query is reported at once."""
    if spec == "-":
        found = NamedQuery("-", Path("<stdin>"), stdin_text or "", "", ())
    elif Path(spec).suffix == ".rq" or Path(spec).exists():
        found = parse_query_file(Path(spec))
    elif spec in (known := named_queries(directory)):
        found = known[spec]
    else:
        raise InputError(f"{spec}: no such query file or named query (see `jlis-kg query --list`)")
    prepare(found)
    return found


def load_dataset(path: Path) -> Dataset:
    if not path.is_file():
        raise InputError(f"{path}: no built graph; run `jlis-kg build` first")
    dataset = Dataset(default_union=True)
    try:
        dataset.parse(path, format="nquads" if path.suffix == ".nq" else "trig")
    except Exception as exc:  # parser errors come in several types
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: cannot read the built graph ({first})") from None
    return dataset


def resolve_entity(dataset: Dataset, value: str) -> URIRef | None:
    """An entity IRI from an IRI, an id (``system/lgwan``), a label or an alias."""
    if not isinstance(dataset, Dataset):  # an engine (store.SparqlEngine): it resolves the same way
        return dataset.resolve_entity(value)
    iri, value = iri_or_id(value, lambda candidate: (candidate, None, None) in dataset)
    if iri is not None:
        return iri
    # A name can label several things: 「総合行政ネットワーク」 is the system and also the heading of
    # a work item (a jlis:Project) in every year's plan.  The curated catalogue's entity wins (its
    # labels are in the reference graph), then a preferred label over an alias, then the smaller IRI.
    wanted = match_form(value)
    candidates = []
    for rank, prop in enumerate((SKOS.prefLabel, SKOS.altLabel, RDFS.label)):
        for subject, _, label, graph in dataset.quads((None, prop, None, None)):
            if isinstance(subject, URIRef) and match_form(str(label)) == wanted:
                curated = getattr(graph, "identifier", graph) == REFERENCE_GRAPH
                candidates.append((not curated, rank, str(subject)))
    return URIRef(min(candidates)[2]) if candidates else None


def document_years(dataset: Dataset) -> list[int]:
    """The distinct fiscal years of the source documents, ascending."""
    if not isinstance(dataset, Dataset):  # an engine (store.SparqlEngine) reads and keeps them itself
        return dataset.document_years()
    return years_of(row[0] for row in dataset.query(DOCUMENT_YEARS_QUERY))


def years_of(terms) -> list[int]:
    """The integer years among ``terms`` (an ``xsd:gYear`` or an integer), distinct, ascending."""
    found = set()
    for term in terms:
        match = re.match(r"-?[0-9]+", str(term)) if term is not None else None
        if match:
            found.add(int(match.group(0)))
    return sorted(found)


def document_year(query: NamedQuery, dataset: Dataset, name: str, keyword: str) -> str:
    """The fiscal year a ``DOCUMENT_YEARS`` keyword stands for in this graph; with one
    document year, every keyword is that year."""
    years = document_years(dataset)
    if not years:
        raise InputError(f"{query.path}: parameter '{name}' is the {keyword.replace('-', ' ')}, but the "
                         f"graph has no source document with a fiscal year (--param {name}=…)")
    index = DOCUMENT_YEARS[keyword]
    return str(years[max(index, -len(years))])


def bind_params(query: NamedQuery, dataset: Dataset, raw: dict[str, str]) -> dict:
    declared = {name for name, _ in query.params}
    for name in raw:
        if declared and name not in declared:
            raise InputError(f"{query.path}: unknown parameter '{name}' (takes: {', '.join(sorted(declared))})")
    missing = [name for name in query.required if name not in raw]
    if missing:
        given = " ".join(f"--param {name}=…" for name in missing)
        raise InputError(f"{query.path}: parameter{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(repr(m) for m in missing)} required ({given})")
    bindings = {}
    for name, value in {**query.defaults, **raw}.items():
        if (keyword := value.strip().lower()) in DOCUMENT_YEARS:
            value = document_year(query, dataset, name, keyword)
        if re.fullmatch(r"-?[0-9]+", value.strip()):
            bindings[name] = Literal(int(value), datatype=XSD.integer)
            continue
        entity = resolve_entity(dataset, value)
        bindings[name] = entity if entity is not None else Literal(value)
    return bindings


class AskVariables(list):
    """``["ask"]``, the variables of an ASK query's result, marked so that a formatter can
    tell it from a SELECT that happens to project one variable named ``ask``."""


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def prepare(query: NamedQuery):
    """The parsed query; InputError naming its file if it is malformed or not a SELECT or ASK."""
    try:
        # rdflib keeps the backslash of id:system\/lgwan in the IRI: such names are written out first
        prepared = prepareQuery(expand_escaped_names(query.text), initNs={k: v for k, v in PREFIXES.items()})
    except Exception as exc:  # pyparsing's ParseException and friends
        if _is_update(query.text):
            raise InputError(f"{query.path}: a SPARQL UPDATE; only SELECT and ASK queries can be run here") from None
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{query.path}: malformed SPARQL ({first})") from None
    if prepared.algebra.name not in ("SelectQuery", "AskQuery"):
        raise InputError(f"{query.path}: only SELECT and ASK queries can be run here")
    return prepared


def run_query(dataset: Dataset, query: NamedQuery, params: dict[str, str] | None = None):
    """Run a query on the union of the named graphs; returns (variables, rows).

    ``dataset`` is an rdflib Dataset (rdflib's engine, parameters as initBindings) or an
    engine of ``store.py`` — the embedded Oxigraph store, or a SPARQL endpoint
    (``push.RemoteEngine``) — which binds the same terms as VALUES and answers alike."""
    if not isinstance(dataset, Dataset):
        return dataset.run_query(query, params)
    prepared = prepare(query)
    bindings = bind_params(query, dataset, params or {})
    result = dataset.query(prepared, initBindings=bindings)
    if result.type == "ASK":
        return AskVariables(["ask"]), [(Literal(bool(result.askAnswer)),)]
    variables = [str(v) for v in result.vars]
    return variables, [tuple(row) for row in result]


def term_text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, namespace in PREFIXES.items():
            if text.startswith(str(namespace)) and prefix in ("id", "jlis"):
                return f"{prefix}:{text[len(str(namespace)):]}"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(variables, rows, max_width: int = 60) -> str:
    cells = [[term_text(t) for t in row] for row in rows]
    clipped = [[c if _width(c) <= max_width else c[: max_width // 2 - 1] + "…" for c in row] for row in cells]
    widths = [max([_width(v)] + [_width(r[i]) for r in clipped]) for i, v in enumerate(variables)]
    lines = [" │ ".join(_pad(v, w) for v, w in zip(variables, widths)).rstrip(),
             "─┼─".join("─" * w for w in widths)]
    lines += [" │ ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in clipped]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def format_csv(variables, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow(["" if t is None else str(t) for t in row])
    return buffer.getvalue()


def _json_term(term):
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def format_json(variables, rows) -> str:
    """SPARQL 1.1 Query Results JSON (an ASK result is ``{"head": {}, "boolean": …}``)."""
    if isinstance(variables, AskVariables):
        return json.dumps({"head": {}, "boolean": bool(rows[0][0].toPython())}, indent=2)
    bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=2)


FORMATTERS = {"table": format_table, "csv": format_csv, "json": format_json}
