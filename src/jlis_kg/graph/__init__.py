"""Walk the graph in Python: a networkx projection, dependencies, impact, paths, change.

``load()`` reads the built dataset (``build/jlis.nq``); entities are named by IRI, by
id, or by any label or alias, Japanese or English::

    >>> import jlis_kg
    >>> kg = jlis_kg.load()                     # build/ of this checkout: run `jlis-kg build` first
    >>> lgwan = kg.entity("LGWAN")
    >>> lgwan.label_ja, lgwan.label_en, lgwan.kind
    ('総合行政ネットワーク', 'Local Government Wide Area Network', 'system')
    >>> kg.entity("住基ネット").iri
    'https://w3id.org/jlis-kg/id/system/juki-net'

The projection is a networkx ``MultiDiGraph`` keyed by IRI, one edge per relation,
each with its fiscal years and evidence; a year, relations and kinds can be chosen::

    >>> graph = kg.to_networkx()
    >>> graph.nodes[lgwan.iri]["fiscal_years"]
    [2016, 2018, 2020, 2023]
    >>> edge = graph.edges["https://w3id.org/jlis-kg/id/system/lgwan-asp", lgwan.iri, "jlis:deliveredVia"]
    >>> edge["evidence"][0]["document"], edge["evidence"][0]["line"]
    ('fy2016-plan', 237)
    >>> systems = kg.to_networkx(fiscal_year=2023, relations=["dependsOn", "partOf"], kinds=["system"])
    >>> {data["kind"] for _, data in systems.nodes(data=True)}
    {'system'}

Impact: what stops working if LGWAN fails, each with the chain of dependencies that
reaches LGWAN and, for every hop, the document, line and quote that state it::

    >>> impact = kg.dependents("LGWAN")
    >>> platform = next(r for r in impact if r.entity.label_ja == "自治体中間サーバー・プラットフォーム")
    >>> for hop in platform.hops:
    ...     print(hop)
    自治体中間サーバー・プラットフォーム —jlis:deliveredVia→ LGWAN-ASP
    LGWAN-ASP —jlis:deliveredVia→ 総合行政ネットワーク
    >>> platform.hops[0].evidence[0].cite()
    'fy2016-plan:231'
    >>> "LGWAN-ASP" in platform.hops[0].evidence[0].quote
    True

What a system needs, how two entities are related, which systems matter most, and
what changed between two fiscal years::

    >>> "総合行政ネットワーク" in {r.entity.label_ja for r in kg.dependencies("自治体中間サーバー")}
    True
    >>> route = kg.path("住基ネット", "中間サーバー")
    >>> route[0].source_label, route[-1].target_label
    ('住民基本台帳ネットワークシステム', '地方公共団体情報連携中間サーバーシステム')
    >>> kg.critical_systems(top=1)[0].entity.label_ja
    '総合行政ネットワーク'
    >>> change = kg.diff(2020, 2023, kinds=["unit"])
    >>> change.summary()["removed_nodes"] > 0 and change.summary()["added_nodes"] > 0
    True

The RDF itself stays at hand: ``kg.store`` (pyoxigraph, fast SPARQL) and ``kg.dataset``
(an rdflib ``Dataset``, parsed on first use).
"""
from .knowledge import KnowledgeGraph, UnknownEntity, load
from .model import Criticality, Entity, Evidence, GraphDiff, Hop, Reach

__all__ = ["KnowledgeGraph", "UnknownEntity", "load", "Criticality", "Entity", "Evidence",
           "GraphDiff", "Hop", "Reach"]
