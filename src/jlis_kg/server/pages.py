"""Dereferenceable IRIs: what the graph says about one resource, as HTML or RDF.

``resource_data`` and ``resource_triples`` run in a query worker and read the store by
triple pattern (``quads_for_pattern``), never by query text, so an IRI taken from a URL
can only ever be an IRI.  ``render_resource`` turns the data into the HTML page:
labels, types, relations both ways (each linked to its own page), the fiscal years of
the documents the resource appears in, and the evidence — the document, line and
quote of every statement about it.
"""
from __future__ import annotations

import html
import string
from collections import defaultdict
from importlib import resources
from urllib.parse import quote

from ..namespaces import BASE
from .results import term_json

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
JLIS = BASE + "ontology#"
LABELS = (SKOS + "prefLabel", SKOS + "altLabel", RDFS + "label", FOAF + "name", DCT + "title")
EVIDENCE_LINKS = (RDF + "subject", RDF + "object")


def asset_text(name: str) -> str:
    return resources.files("jlis_kg.server").joinpath("assets", name).read_text(encoding="utf-8")


# ───────────────────────── in a worker: reading the store ─────────────────────────

def _node(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)  # raises ValueError on anything that is not an IRI


def _label_of(store, term, cache: dict) -> str | None:
    """The Japanese skos:prefLabel of an IRI (else any prefLabel, rdfs:label, name, title)."""
    import pyoxigraph as ox

    if not isinstance(term, ox.NamedNode):
        return None
    if term in cache:
        return cache[term]
    best, rank = None, 99
    default = ox.DefaultGraph()
    for position, prop in enumerate(LABELS):
        if prop == SKOS + "altLabel":
            continue
        for quad in store.quads_for_pattern(term, ox.NamedNode(prop), None, default):
            label = quad.object
            score = position * 2 + (0 if getattr(label, "language", None) == "ja" else 1)
            if score < rank:
                best, rank = label.value, score
        if best is not None and rank <= position * 2:
            break
    cache[term] = best
    return best


def resource_data(store, iri: str, prefixes: dict[str, str], limit: int = 500) -> dict:
    import pyoxigraph as ox

    try:
        node = _node(iri)
    except ValueError:
        return {"iri": iri, "found": False}
    default = ox.DefaultGraph()
    labels_cache: dict = {}
    labels, types, outgoing = [], [], []
    for quad in store.quads_for_pattern(node, None, None, default):
        p, o = quad.predicate.value, quad.object
        if p in LABELS and isinstance(o, ox.Literal):
            labels.append({"property": p, "value": o.value, "lang": o.language})
        elif p == RDF + "type":
            types.append(o.value)
        else:
            outgoing.append({"property": p, "object": term_json(o), "label": _label_of(store, o, labels_cache)})
    incoming = []
    statements = []
    for quad in store.quads_for_pattern(None, None, node, default):
        p = quad.predicate.value
        if p in EVIDENCE_LINKS:
            statements.append((quad.subject, "subject" if p == RDF + "subject" else "object"))
            continue
        incoming.append({"subject": term_json(quad.subject), "property": p,
                         "label": _label_of(store, quad.subject, labels_cache)})
    graph_quads = sum(1 for _ in store.quads_for_pattern(None, None, None, node)) if store.contains_named_graph(node) else 0
    if not (labels or types or outgoing or incoming or statements or graph_quads):
        return {"iri": iri, "found": False}

    # the documents (named graphs) the resource appears in, and their fiscal years
    graphs = set()
    for pattern in ((node, None, None, None), (None, None, node, None)):
        for quad in store.quads_for_pattern(*pattern):
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                graphs.add(quad.graph_name)
    years = []
    for graph in graphs:
        year = next(iter(store.quads_for_pattern(graph, ox.NamedNode(JLIS + "fiscalYear"), None, default)), None)
        source = next(iter(store.quads_for_pattern(graph, ox.NamedNode(PROV + "wasDerivedFrom"), None, default)), None)
        years.append({"graph": graph.value, "year": int(year.object.value) if year else None,
                      "document": source.object.value if source else None,
                      "documentLabel": _label_of(store, source.object, labels_cache) if source else None})
    years.sort(key=lambda y: (y["year"] is None, y["year"] or 0, y["graph"]))

    evidence = []
    for statement, role in statements:
        values = defaultdict(list)
        for quad in store.quads_for_pattern(statement, None, None, default):
            values[quad.predicate.value].append(quad.object)

        def one(prop):
            found = values.get(prop)
            return found[0] if found else None

        subject, predicate, obj = one(RDF + "subject"), one(RDF + "predicate"), one(RDF + "object")
        document = one(PROV + "wasDerivedFrom")
        line = one(JLIS + "sourceLine")
        file_name = None
        if document is not None:
            hit = next(iter(store.quads_for_pattern(document, ox.NamedNode(JLIS + "fileName"), None, default)), None)
            file_name = hit.object.value if hit else None
        other = obj if role == "subject" else subject
        evidence.append({
            "statement": statement.value, "role": role,
            "subject": term_json(subject) if subject else None, "predicate": predicate.value if predicate else None,
            "object": term_json(obj) if obj else None,
            "other": term_json(other) if other else None, "otherLabel": _label_of(store, other, labels_cache),
            "document": document.value if document else None, "file": file_name,
            "line": int(line.value) if line is not None else None,
            "quote": one(JLIS + "quote").value if one(JLIS + "quote") else None,
            "context": one(JLIS + "context").value if one(JLIS + "context") else None,
        })
    evidence.sort(key=lambda e: (e["predicate"] or "", e["file"] or "", e["line"] or 0, e["statement"]))
    outgoing.sort(key=lambda r: (r["property"], r["label"] or r["object"]["value"]))
    incoming.sort(key=lambda r: (r["property"], r["label"] or r["subject"]["value"]))
    labels.sort(key=lambda r: (LABELS.index(r["property"]), r["lang"] != "ja", r["lang"] or "", r["value"]))
    return {
        "iri": iri, "found": True, "labels": labels, "types": sorted(types),
        "outgoing": outgoing[:limit], "outgoingTotal": len(outgoing),
        "incoming": incoming[:limit], "incomingTotal": len(incoming),
        "years": years, "graphQuads": graph_quads,
        "evidence": evidence[:limit], "evidenceTotal": len(evidence),
    }


def resource_triples(store, iri: str, prefixes: dict[str, str]) -> list:
    """The RDF behind the page: the resource's own triples, the triples that point at it,
    and every evidence statement about it (the union of the graphs, no duplicates)."""
    import pyoxigraph as ox

    try:
        node = _node(iri)
    except ValueError:
        return []
    default = ox.DefaultGraph()
    triples = [q.triple for q in store.quads_for_pattern(node, None, None, default)]
    statements = []
    for quad in store.quads_for_pattern(None, None, node, default):
        if quad.predicate.value in EVIDENCE_LINKS:
            statements.append(quad.subject)
        else:
            triples.append(quad.triple)
    for statement in statements:
        triples.extend(q.triple for q in store.quads_for_pattern(statement, None, None, default))
    return triples


# ───────────────────────── in the server: HTML ─────────────────────────

def curie(iri: str, prefixes: dict[str, str]) -> str:
    best = None
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(prefixes[best])):
            best = prefix
    return f"{best}:{iri[len(prefixes[best]):]}" if best else iri


def local_path(iri: str) -> str | None:
    """The server path that dereferences an IRI of the project (``/id/…``), else None."""
    if iri.startswith(BASE):
        rest = iri[len(BASE):]
        if rest.startswith(("id/", "graph/")):
            return "/" + quote(rest, safe="/-._~")
        if rest.startswith("ontology"):
            return "/ontology"
    return None


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def link(iri: str, text: str | None, prefixes: dict[str, str]) -> str:
    shown = text or curie(iri, prefixes)
    path = local_path(iri)
    title = f' title="{_e(iri)}"'
    if path:
        return f'<a href="{_e(path)}"{title}>{_e(shown)}</a>'
    return f'<a class="external" href="{_e(iri)}" rel="nofollow"{title}>{_e(shown)}</a>'


def term_html(term: dict | None, label: str | None, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return link(term["value"], label, prefixes)
    if term["type"] == "bnode":
        return f"_:{_e(term['value'])}"
    suffix = ""
    if term.get("xml:lang"):
        suffix = f' <span class="lang">@{_e(term["xml:lang"])}</span>'
    elif term.get("datatype"):
        suffix = f' <span class="datatype">{_e(curie(term["datatype"], prefixes))}</span>'
    return f'<span class="literal">{_e(term["value"])}</span>{suffix}'


def render_resource(data: dict, prefixes: dict[str, str], turtle_path: str) -> str:
    iri = data["iri"]
    labels = data["labels"]
    pref = [l for l in labels if l["property"] == SKOS + "prefLabel"] or labels
    title = next((l["value"] for l in pref if l["lang"] == "ja"), None) or (pref[0]["value"] if pref else curie(iri, prefixes))
    english = next((l["value"] for l in pref if l["lang"] == "en" and l["value"] != title), None)

    def section(heading: str, body: str, count: int | None = None, shown: int | None = None, anchor: str = "") -> str:
        note = ""
        if count is not None and shown is not None and count > shown:
            note = f' <span class="note">({shown} of {count} shown; the rest through <a href="/sparql">SPARQL</a>)</span>'
        elif count is not None:
            note = f' <span class="count">{count}</span>'
        return f'<section id="{anchor}"><h2>{_e(heading)}{note}</h2>\n{body}\n</section>'

    parts = []
    if labels:
        rows = "".join(f"<tr><td>{_e(curie(l['property'], prefixes))}</td><td>{_e(l['value'])}</td>"
                       f"<td class=\"lang\">{_e(l['lang'] or '')}</td></tr>" for l in labels)
        parts.append(section("Labels", f'<table class="labels">{rows}</table>', anchor="labels"))
    if data["types"]:
        items = " ".join(f'<li>{link(t, None, prefixes)}</li>' for t in data["types"])
        parts.append(section("Types", f'<ul class="types">{items}</ul>', anchor="types"))
    dated = [y for y in data["years"] if y["year"] is not None]
    undated = [y for y in data["years"] if y["year"] is None]
    if dated or undated:
        rows = "".join(
            f"<tr><td>{_e(y['year'])}</td>"
            f"<td>{link(y['document'], y['documentLabel'], prefixes) if y['document'] else ''}</td>"
            f"<td>{link(y['graph'], None, prefixes)}</td></tr>" for y in dated)
        table = (f'<table class="years"><tr><th>fiscal year</th><th>document</th><th>named graph</th></tr>{rows}</table>'
                 if dated else "<p>No document of a fiscal year speaks of it.</p>")
        also = (f'<p class="also">Also in: {", ".join(link(y["graph"], None, prefixes) for y in undated)}</p>'
                if undated else "")
        parts.append(section("Fiscal years (documents it appears in)", table + also, anchor="years"))
    if data["outgoing"]:
        rows = "".join(f"<tr><td>{link(r['property'], None, prefixes)}</td>"
                       f"<td>{term_html(r['object'], r['label'], prefixes)}</td></tr>" for r in data["outgoing"])
        parts.append(section("Relations from it", f'<table class="relations out">{rows}</table>',
                             data["outgoingTotal"], len(data["outgoing"]), anchor="outgoing"))
    if data["incoming"]:
        rows = "".join(f"<tr><td>{term_html(r['subject'], r['label'], prefixes)}</td>"
                       f"<td>{link(r['property'], None, prefixes)}</td></tr>" for r in data["incoming"])
        parts.append(section("Relations to it", f'<table class="relations in">{rows}</table>',
                             data["incomingTotal"], len(data["incoming"]), anchor="incoming"))
    if data["evidence"]:
        rows = []
        for ev in data["evidence"]:
            subject = "this" if ev["role"] == "subject" else term_html(ev["other"], ev["otherLabel"], prefixes)
            obj = "this" if ev["role"] == "object" else term_html(ev["other"], ev["otherLabel"], prefixes)
            doc = link(ev["document"], ev["file"], prefixes) if ev["document"] else ""
            context = f' title="{_e(ev["context"])}"' if ev.get("context") else ""
            rows.append(
                f'<tr class="evidence"><td>{subject}</td><td>{link(ev["predicate"], None, prefixes) if ev["predicate"] else ""}</td>'
                f'<td>{obj}</td><td class="doc">{doc}</td><td class="line">{_e(ev["line"])}</td>'
                f'<td class="quote"{context}><q>{_e(ev["quote"])}</q></td></tr>')
        table = ('<table class="evidence"><tr><th>subject</th><th>property</th><th>object</th>'
                 '<th>document</th><th>line</th><th>quote</th></tr>' + "".join(rows) + "</table>")
        parts.append(section("Evidence", table, data["evidenceTotal"], len(data["evidence"]), anchor="evidence"))
    if data.get("graphQuads"):
        parts.append(section("Named graph", f"<p>{data['graphQuads']:,} quads in this graph.</p>", anchor="graph"))

    template = string.Template(asset_text("resource.html"))
    return template.substitute(
        title=_e(title), english=f'<p class="english">{_e(english)}</p>' if english else "",
        iri=_e(iri), turtle=_e(turtle_path), body="\n".join(parts))


def render_index(queries: list[dict]) -> str:
    items = []
    for query in queries:
        fields = "".join(
            f'<label>{_e(p["name"])} <span>{_e(p["description"])}</span>'
            f'<input name="{_e(p["name"])}" value="{_e(query["example"].get(p["name"], ""))}" autocomplete="off"></label>'
            for p in query["params"])
        items.append(
            f'<details class="named-query" data-query="{_e(query["name"])}"><summary>{_e(query["name"])}</summary>'
            f'<p class="question">{_e(query["question"])}</p><form>{fields}'
            f'<button type="submit">Run</button> <a href="/queries/{_e(query["name"])}.rq">text</a>'
            f'<p class="error" hidden></p></form></details>')
    template = string.Template(asset_text("index.html"))
    return template.substitute(count=len(queries), queries="\n".join(items))


def render_error(status: str, message: str) -> str:
    template = string.Template(asset_text("error.html"))
    return template.substitute(status=_e(status), message=_e(message))
