"""The curated reference catalogue: entities, their labels and aliases.

``data/reference/catalogue.yaml`` names every entity the project knows before
reading a document (systems, laws, duties, organisations, units, committees,
business segments), with Japanese and English labels, every alias and spelling
variant, and a few curated links, each with the source it comes from.  This
module loads it into ``EntityRecord``s and builds the ``Gazetteer`` the
extractors use to find mentions.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import EntityRecord, InputError

KIND_TYPES: dict[str, tuple[str, ...]] = {
    "system": ("jlis:InformationSystem",),
    "law": ("jlis:Law",),
    "duty": ("jlis:Duty",),
    "organization": ("org:FormalOrganization",),
    "unit": ("org:OrganizationalUnit",),
    "committee": ("jlis:Committee",),
    "segment": ("jlis:BusinessSegment",),
}
SYSTEM_SUBTYPES = {
    "network": "jlis:Network",
    "pki": "jlis:PublicKeyInfrastructure",
    "platform": "jlis:Platform",
    "component": "jlis:SystemComponent",
    "service": "jlis:Service",
}
# Curated links a catalogue entry may carry, and the property each one asserts.
LINK_KEYS = {
    "part_of": "jlis:partOf",
    "unit_of": "org:unitOf",
    "succeeds": "jlis:succeeds",
    "legal_basis": "jlis:legalBasis",
    "operated_by": "jlis:operatedBy",
    "depends_on": "jlis:dependsOn",
}
LITERAL_KEYS = {"law_number": "jlis:lawNumber", "egov_law_id": "jlis:eGovLawId"}
ID_PATTERN = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9-]*$")

_DASHES = str.maketrans({"‐": "-", "‑": "-", "−": "-", "–": "-", "ｰ": "ー"})


def match_form(text: str) -> str:
    """The form in which names are compared: NFKC, no white space, one kind of hyphen."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_DASHES))


def kind_of(entity_id: str) -> str:
    return entity_id.split("/", 1)[0]


@dataclass
class Catalogue:
    entities: dict[str, EntityRecord]
    links: list[tuple[str, str, str, str]]  # (subject, property CURIE, object, source)
    path: Path
    sources: dict[str, str] = field(default_factory=dict)

    def get(self, entity_id: str) -> EntityRecord | None:
        return self.entities.get(entity_id)


def read_reference_yaml(path: Path, what: str, key: str | None = None) -> dict:
    """The mapping a file of ``data/reference`` holds; an InputError, one line naming the file,
    if it is missing, unreadable, not YAML, or (given ``key``) has no top-level ``key:`` list."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: the {what} file is missing")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: cannot read the {what}: not valid YAML ({first})") from None
    if not isinstance(content, dict) or (key is not None and not isinstance(content.get(key), list)):
        raise InputError(f"{path}: expected a top-level '{key}:' list" if key else f"{path}: expected a mapping")
    return content


def load_catalogue(path: Path) -> Catalogue:
    content = read_reference_yaml(path, "reference catalogue", "entities")
    entities: dict[str, EntityRecord] = {}
    links: list[tuple[str, str, str, str]] = []
    for index, raw in enumerate(content["entities"]):
        where = f"{path}: entity #{index + 1}"
        if not isinstance(raw, dict) or "id" not in raw or "ja" not in raw:
            raise InputError(f"{where}: needs at least 'id' and 'ja'")
        entity_id = str(raw["id"])
        kind = raw.get("kind") or kind_of(entity_id)
        if not ID_PATTERN.match(entity_id) or kind not in KIND_TYPES:
            raise InputError(f"{where}: bad id '{entity_id}' or kind '{kind}'")
        if entity_id in entities:
            raise InputError(f"{where}: id '{entity_id}' appears twice")
        types = KIND_TYPES[kind]
        if raw.get("subtype") in SYSTEM_SUBTYPES:
            types = types + (SYSTEM_SUBTYPES[raw["subtype"]],)
        properties = tuple((LITERAL_KEYS[k], str(raw[k])) for k in LITERAL_KEYS if raw.get(k))
        source = str(raw.get("source", ""))
        entities[entity_id] = EntityRecord(
            id=entity_id,
            types=types,
            label_ja=str(raw["ja"]),
            label_en=str(raw.get("en", "")),
            aliases=tuple(str(a) for a in raw.get("aliases") or ()),
            en_aliases=tuple(str(a) for a in raw.get("en_aliases") or ()),
            properties=properties,
            source=source,
        )
        for key, prop in LINK_KEYS.items():
            targets = raw.get(key) or []
            for target in targets if isinstance(targets, list) else [targets]:
                links.append((entity_id, prop, str(target), source))
    for subject, prop, target, _ in links:
        if target not in entities:
            raise InputError(f"{path}: '{subject}' links ({prop}) to unknown entity '{target}'")
    return Catalogue(entities=entities, links=links, path=path,
                     sources={str(k): str(v) for k, v in (content.get("sources") or {}).items()})


def surface_forms(record: EntityRecord) -> list[str]:
    return [record.label_ja, *record.aliases, *([record.label_en] if record.label_en else []), *record.en_aliases]


_LATIN = re.compile(r"[A-Za-z0-9]")

class Gazetteer:
    """Finds the longest known name at each position of a text.

    Names are compared in ``match_form``; a Latin name ("LGWAN") only matches
    where it is not part of a longer Latin word.  Documents can add names of
    their own (the 以下「…」という definitions) with ``add``.

    The search is one compiled alternation of every name, longest first, which
    Python's regex engine runs leftmost-first: measured against a per-position
    bucket scan in ``benchmarks/build.py``, it is the faster of the two.
    """

    def __init__(self, names: dict[str, str] | None = None):
        self._names: dict[str, str] = {}
        self._regex: re.Pattern | None = None
        for name, entity in (names or {}).items():
            self.add(name, entity)

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue) -> "Gazetteer":
        gazetteer = cls()
        for record in catalogue.entities.values():
            for name in surface_forms(record):
                gazetteer.add(name, record.id)
        return gazetteer

    def copy(self) -> "Gazetteer":
        clone = Gazetteer()
        clone._names = dict(self._names)
        clone._regex = self._regex
        return clone

    def add(self, name: str, entity: str) -> None:
        form = match_form(name)
        if len(form) < 2 or form in self._names:
            # First claim wins: the catalogue is loaded first, so a document's own
            # definition never steals a curated name.
            return
        self._names[form] = entity
        self._regex = None

    def lookup(self, name: str) -> str | None:
        return self._names.get(match_form(name))

    def _compiled(self) -> re.Pattern:
        if self._regex is None:
            # Plain literals only: look-arounds would cost the engine its fast
            # first-character scan (measured: 20x slower); Latin word boundaries are
            # checked after the match instead.
            alternatives = [re.escape(f) for f in sorted(self._names, key=lambda f: (-len(f), f))]
            self._regex = re.compile("|".join(alternatives) or r"(?!)")
        return self._regex

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """All non-overlapping mentions in ``text``: (start, end, surface, entity), leftmost-longest."""
        squeezed, offsets = _squeeze(text)
        regex = self._compiled()
        found = []
        position = 0
        while True:
            match = regex.search(squeezed, position)
            if match is None:
                return found
            start, end = match.span()
            if not _latin_boundary(squeezed, start, end):
                # "LGWAN" inside "LGWANX": try a shorter name here, else move on
                shorter = self._shorter_match(squeezed, start, end)
                if shorter is None:
                    position = start + 1
                    continue
                end = shorter
            start_orig, end_orig = offsets[start], offsets[end - 1] + 1
            found.append((start_orig, end_orig, text[start_orig:end_orig], self._names[squeezed[start:end]]))
            position = end

    def _shorter_match(self, text: str, start: int, end: int) -> int | None:
        for stop in range(end - 1, start + 1, -1):
            if text[start:stop] in self._names and _latin_boundary(text, start, stop):
                return stop
        return None


def _latin_boundary(text: str, start: int, end: int) -> bool:
    if _LATIN.match(text[start]) and start > 0 and _LATIN.match(text[start - 1]):
        return False
    if _LATIN.match(text[end - 1]) and end < len(text) and _LATIN.match(text[end]):
        return False
    return True


_SPACE_RUNS = re.compile(r"\S+")


def _squeeze(text: str) -> tuple[str, list[int]]:
    """``match_form`` of a text, with the offset in ``text`` of every kept character."""
    folded = text.translate(_DASHES)
    if unicodedata.is_normalized("NFKC", folded):
        chunks, offsets = [], []
        for run in _SPACE_RUNS.finditer(folded):
            chunks.append(run.group(0))
            offsets.extend(range(run.start(), run.end()))
        return "".join(chunks), offsets
    chars: list[str] = []
    offsets = []
    for index, ch in enumerate(text):
        for sub in unicodedata.normalize("NFKC", ch).translate(_DASHES):
            if not sub.isspace():
                chars.append(sub)
                offsets.append(index)
    return "".join(chars), offsets
