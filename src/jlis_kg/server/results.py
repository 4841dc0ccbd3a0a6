"""SPARQL 1.1 query results and RDF, serialised from pyoxigraph terms.

The server counts rows before it answers (a result larger than the limit is refused
whole, never cut short without a word), so it serialises collected rows itself rather
than letting pyoxigraph stream them: JSON, XML, CSV and TSV as the W3C
recommendations define them.  Graphs (CONSTRUCT, DESCRIBE, entity pages) go through
``pyoxigraph.serialize``.
"""
from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

from ..namespaces import BASE

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# format name → (media type, kinds of result it can carry)
FORMATS = {
    "json": ("application/sparql-results+json", {"select", "ask"}),
    "xml": ("application/sparql-results+xml", {"select", "ask"}),
    "csv": ("text/csv", {"select", "ask"}),
    "tsv": ("text/tab-separated-values", {"select", "ask"}),
    "turtle": ("text/turtle", {"graph"}),
    "ntriples": ("application/n-triples", {"graph"}),
    "rdfxml": ("application/rdf+xml", {"graph"}),
}
ALIASES = {  # ?format= values and other media types people send
    "srj": "json", "application/json": "json", "sparql-results+json": "json",
    "srx": "xml", "application/xml": "xml", "text/xml": "xml",
    "ttl": "turtle", "text/n3": "turtle", "application/x-turtle": "turtle",
    "nt": "ntriples", "text/plain": "ntriples", "n-triples": "ntriples",
    "rdf": "rdfxml", "xml-rdf": "rdfxml", "text/tab-separated-values": "tsv", "text/csv": "csv",
}
for _name, (_media, _) in FORMATS.items():
    ALIASES.setdefault(_media, _name)
    ALIASES.setdefault(_name, _name)


def term_json(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_value(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def select_bytes(variables: list[str], rows: list, fmt: str) -> bytes:
    """``rows``: tuples of pyoxigraph terms (None where unbound), in ``variables`` order."""
    if fmt == "json":
        bindings = [{v: term_json(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head>\n<results>")
        for row in rows:
            out.append("<result>")
            for v, t in zip(variables, row):
                if t is not None:
                    out.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_value(t) for t in row])
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"{fmt}: not a format for query results")


def _xml_term(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def boolean_bytes(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": bool(value)}).encode("utf-8")
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head/>\n'
                f"<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n").encode("utf-8")
    if fmt in ("csv", "tsv"):  # not defined by the recommendation; what Jena and Oxigraph write
        return (("_askResult" if fmt == "csv" else "?_askResult") + ("\r\n" if fmt == "csv" else "\n")
                + ("true" if value else "false") + ("\r\n" if fmt == "csv" else "\n")).encode("utf-8")
    raise ValueError(f"{fmt}: not a format for query results")


def graph_bytes(triples: list, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    import pyoxigraph as ox

    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                  "rdfxml": ox.RdfFormat.RDF_XML}[fmt]
    if fmt == "ntriples":
        return ox.serialize(triples, format=rdf_format)
    # namespaces whose local names hold "/" (id:system/lgwan) would come out escaped
    # (id:system\/lgwan): those IRIs are written in full, which reads better
    usable = {p: ns for p, ns in (prefixes or {}).items() if not (ns.startswith(BASE) and ns.endswith("/"))}
    return ox.serialize(triples, format=rdf_format, prefixes=usable)


def negotiate(accept: str | None, kind: str, override: str | None = None) -> str | None:
    """The format to answer in: ``override`` (``?format=``) if given, else the best match
    of the Accept header among the formats that can carry ``kind`` (select, ask, graph);
    None when nothing acceptable can be produced."""
    if override:
        name = ALIASES.get(override.strip().lower())
        return name if name and kind in FORMATS[name][1] else None
    default = "json" if kind in ("select", "ask") else "turtle"
    if not accept:
        return default
    choices = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        choices.append((quality, -position, media.lower()))
    for quality, _, media in sorted(choices, reverse=True):
        if quality <= 0:
            continue
        if media in ("*/*", "application/*", "text/*"):
            if media == "*/*" or FORMATS[default][0].startswith(media[:-1]):
                return default
            continue
        name = ALIASES.get(media)
        if name and kind in FORMATS[name][1]:
            return name
    return None
