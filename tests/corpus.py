"""The real documents of data/, normalised and structured once per test session."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jlis_kg.normalise import normalise_document
from jlis_kg.sources import read_corpus
from jlis_kg.structure import build_structure

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=None)
def corpus_document(doc_id: str):
    """(NormalisedDocument, DocumentStructure) of the manifest's document ``doc_id``."""
    for document in read_corpus(ROOT / "data"):
        if document.entry.id == doc_id:
            normalised = normalise_document(doc_id, document.entry.file, document.text)
            return normalised, build_structure(normalised)
    raise KeyError(doc_id)


@lru_cache(maxsize=None)
def fiscal_year(doc_id: str) -> int:
    """The fiscal year the manifest gives the document ``doc_id``."""
    for document in read_corpus(ROOT / "data"):
        if document.entry.id == doc_id:
            return document.entry.fiscal_year
    raise KeyError(doc_id)
