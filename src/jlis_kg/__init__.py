"""jlis-kg: a knowledge graph of J-LIS's information systems, built from its own documents.

Pipeline (one module per stage, plain data between them, see ``model.py``):
``sources`` → ``normalise`` → ``structure`` → ``extract`` → ``assemble`` → ``validate``;
``build`` runs them all, ``cli`` is the ``jlis-kg`` command, ``query`` runs SPARQL.
"""
__version__ = "0.1.0"
