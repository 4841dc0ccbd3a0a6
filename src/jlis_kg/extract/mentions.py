"""Find the entities a sentence names.

Three sources of names, in this order of trust:
1. the catalogue (and anything added to the document's gazetteer so far);
2. the document's own definitions, 「…（以下「X」という。）」: X becomes an alias of
   the entity named just before the parenthesis, for this document only;
3. discovery: a compound noun ending in a system word (…システム, …ネットワーク,
   …基盤) that the catalogue does not know becomes a new entity, marked as
   discovered in this document.

Discovered ids are a hash of the name's match form, so the same new name found
in two documents (or two builds) gets the same IRI.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..catalogue import Gazetteer, kind_of, match_form
from ..model import Block, EntityRecord, Mention

DEFINITION = re.compile(r"[（(]\s*以下[、,]?\s*[「『]([^」』]{1,40})[」』]\s*(?:と)?(?:いう|称する)[。.]?\s*[）)]")
# Characters a Japanese compound noun is made of (kanji, katakana, Latin, digits, joiners).
NOUN_CHARS = r"[\u4e00-\u9fff\u3005\u30a0-\u30ffA-Za-z0-9・\-]"
DISCOVERED_TYPES = {
    "system": ("jlis:InformationSystem",),
    "unit": ("org:OrganizationalUnit",),
    "committee": ("jlis:Committee",),
    "law": ("jlis:Law",),
    "duty": ("jlis:Duty",),
}


def discovered_id(kind: str, name: str) -> str:
    digest = hashlib.sha1(match_form(name).encode("utf-8")).hexdigest()[:10]
    return f"{kind}/x-{digest}"


@dataclass(frozen=True)
class Sentence:
    text: str
    block: Block
    offset: int  # where the sentence starts in block.text
    mentions: tuple[Mention, ...]  # offsets relative to the sentence


OPENERS, CLOSERS = "（(「『【", "）)」』】"


def split_sentences(block: Block) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; a 。 inside brackets (「…という。」) does not end a sentence."""
    parts = []
    start = depth = 0
    text = block.text
    for index, ch in enumerate(text):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        elif ch in "。．" and depth == 0:
            if text[start:index + 1].strip():
                parts.append((start, text[start:index + 1]))
            start = index + 1
    if text[start:].strip():
        parts.append((start, text[start:]))
    return parts


class NameDiscovery:
    """Turns unknown compound nouns into discovered entities, by their suffix."""

    def __init__(self, suffixes, generic_words, stop_prefixes, stop_suffixes=(), min_stem: int = 4):
        self.suffixes = tuple(sorted(suffixes, key=len, reverse=True))
        self.stop_suffixes = tuple(stop_suffixes)
        self.min_stem = min_stem
        suffix_alt = "|".join(map(re.escape, self.suffixes))
        # A name starts after a particle, punctuation or the start of the text, so
        # it takes the whole compound noun: 「新たな⟨XYZ連携システム⟩を」.
        self.pattern = re.compile(rf"(?<!{NOUN_CHARS})({NOUN_CHARS}{{2,30}}?(?:{suffix_alt}))(?!{NOUN_CHARS})")
        self.generic = {match_form(w) for w in generic_words}
        self.stop_prefixes = tuple(sorted(stop_prefixes, key=len, reverse=True))

    def candidates(self, masked_text: str):
        for match in self.pattern.finditer(masked_text):
            name = match.group(1).strip("・-")
            if match_form(name) in self.generic or name.startswith(self.stop_prefixes):
                continue
            if name.endswith(self.stop_suffixes) or re.match(r"[0-9０-９]|(令和|平成|昭和)", name):
                continue
            suffix = next((x for x in self.suffixes if name.endswith(x)), "")
            if len(name) - len(suffix) < self.min_stem or re.fullmatch(r"[0-9A-Za-z\-・]+", name):
                continue
            yield match.start(1), match.start(1) + len(name), name


MASK = "■"
GLUED_DIGITS = re.compile(r"(?<=[\u30a0-\u30ff\u4e00-\u9fff])[0-9]{1,2}(?=[・\u30a0-\u30ff\u4e00-\u9fff])")


class MentionFinder:
    """Per-document mention finding: the catalogue gazetteer plus the document's own names."""

    def __init__(self, gazetteer: Gazetteer, discovery: NameDiscovery | None, doc_id: str):
        self.gazetteer = gazetteer.copy()
        self.discovery = discovery
        self.doc_id = doc_id
        self.discovered: dict[str, EntityRecord] = {}
        self.definitions: list[tuple[str, str, Block, int]] = []  # (entity, alias, block, offset)

    def _discover(self, kind: str, name: str) -> str:
        entity = self.gazetteer.lookup(name)
        if entity:
            return entity
        entity = discovered_id(kind, name)
        self.discovered.setdefault(entity, EntityRecord(
            id=entity, types=DISCOVERED_TYPES[kind], label_ja=name, discovered_in=self.doc_id))
        self.gazetteer.add(name, entity)
        return entity

    def read_definitions(self, block: Block) -> None:
        """Learn the 以下「X」という aliases a block defines, before mentions are searched.

        The defined term is the name just before the parenthesis.  Where the
        document abbreviates a name the catalogue already knows (「…の自動交付
        （以下「コンビニ交付」という。）」), the phrase it abbreviates becomes an
        alias of that entity instead.
        """
        for match in DEFINITION.finditer(block.text):
            alias = self._clean_alias(match.group(1).strip())
            if len(match_form(alias)) < 2:
                continue  # 「法」, 「本」: a local shorthand, not a name
            before = block.text[:match.start()]
            tail = before[-60:]
            found = self.gazetteer.find(tail)
            entity = None
            if found and found[-1][1] == len(tail):
                entity = found[-1][3]
            elif self.gazetteer.lookup(alias):
                entity = self.gazetteer.lookup(alias)
                phrase = re.split(r"[、。,「」（）()]", before)[-1].strip()
                if 4 <= len(phrase) <= 40:
                    self.gazetteer.add(phrase, entity)
                    self.definitions.append((entity, phrase, block, match.start() - len(phrase)))
                continue
            else:
                noun = re.search(rf"{NOUN_CHARS}{{2,40}}$", before)
                kind = _kind_by_suffix(noun.group(0)) if noun else None
                entity = self._discover(kind, noun.group(0)) if kind else None
            if entity:
                self.gazetteer.add(alias, entity)
                self.definitions.append((entity, alias, block, match.start(1)))

    def _clean_alias(self, alias: str) -> str:
        """Drop a footnote number left glued inside a defined term (「自治体中間サーバー1・プラットフォーム」)."""
        without = GLUED_DIGITS.sub("", alias)
        if without != alias and self.gazetteer.lookup(without):
            return without
        return alias

    def find(self, block: Block) -> list[Mention]:
        text = block.text
        hits = self.gazetteer.find(text)
        if self.discovery:
            masked = list(text)
            for start, end, _, _ in hits:
                masked[start:end] = MASK * (end - start)
            masked_text = "".join(masked)
            new = []
            for start, end, name in self.discovery.candidates(masked_text):
                if start > 0 and masked_text[start - 1] == MASK:
                    continue  # a known name followed by more words: not a name of its own
                kind = _kind_by_suffix(name) or "system"
                entity = self._discover(kind, name)
                new.append((start, end, text[start:end], entity))
            hits = sorted(hits + new)
        return [Mention(entity=e, surface=s, start=a, end=b) for a, b, s, e in hits]

    def sentences(self, block: Block) -> list[Sentence]:
        mentions = self.find(block)
        result = []
        for offset, text in split_sentences(block):
            end = offset + len(text)
            inside = tuple(
                Mention(m.entity, m.surface, m.start - offset, m.end - offset)
                for m in mentions if offset <= m.start and m.end <= end)
            result.append(Sentence(text=text, block=block, offset=offset, mentions=inside))
        return result


_SUFFIX_KINDS = (
    (re.compile(r"(システム|ネットワーク|サーバー?|基盤|プラットフォーム|クラウド)$"), "system"),
    (re.compile(r"(委員会|会議)$"), "committee"),
    (re.compile(r"(法律|法)$"), "law"),
    (re.compile(r"事務$"), "duty"),
    (re.compile(r"(本部|センター|部|室|課)$"), "unit"),
)


def _kind_by_suffix(name: str) -> str | None:
    for pattern, kind in _SUFFIX_KINDS:
        if pattern.search(name):
            return kind
    return None


def entity_kind(entity_id: str) -> str:
    return kind_of(entity_id)
