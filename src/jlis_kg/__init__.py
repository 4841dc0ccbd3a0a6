"""jlis-kg: a knowledge graph of J-LIS's information systems, built from its own documents.

Pipeline (one module per stage, plain data between them, see ``model.py``):
``sources`` → ``normalise`` → ``structure`` → ``extract`` → ``assemble`` → ``validate``;
``build`` runs them all, ``cli`` is the ``jlis-kg`` command, ``query`` runs SPARQL.
"""
__version__ = "0.1.0"


def __getattr__(name: str):
    """``jlis_kg.load`` and ``jlis_kg.KnowledgeGraph`` (see ``graph``), imported on first use
    so that the command line does not load networkx when it does not need it."""
    if name in ("load", "KnowledgeGraph"):
        from . import graph

        return getattr(graph, name)
    raise AttributeError(f"module 'jlis_kg' has no attribute '{name}'")
