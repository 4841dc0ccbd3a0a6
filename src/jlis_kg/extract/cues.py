"""The relation cue engine: patterns over sentences whose names are tokens.

A sentence such as 「住民基本台帳法に基づく本人確認情報処理事務」 becomes
``⟦LAW#0⟧に基づく⟦DUTY#1⟧``; the rules of ``data/reference/relation_cues.yaml``
are regular expressions over that form (see the file's header for the
pattern language).  Keeping the cues as data lets a new phrasing be added
without touching code, and keeps every rule's example next to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..model import InputError
from .mentions import Sentence, entity_kind

KIND_CODES = {  # id prefix (kind) → token code
    "system": "SYS", "law": "LAW", "duty": "DUTY", "org": "ORG", "organization": "ORG",
    "unit": "UNIT", "committee": "COMM", "segment": "SEG",
}
ALL_CODES = sorted(set(KIND_CODES.values()))
LIST_JOINERS = r"(?:、|,|及び|並びに|ならびに|及|と|や|・|又は|または|若しくは)"
PLACEHOLDER = re.compile(r"\{(?:(gap|any)(?::(\d+))?|(\w+):([A-Z|]+)(\+?))\}")
# A parenthetical remark — a definition 「(以下「X」という。)」, an abbreviation 「(LGWAN)」,
# examples 「(地方税電子申告等)」 — is left out before matching, so that it does not
# break a phrase such as 「A(以下「B」という。)を構成するC」.
PARENTHETICAL = re.compile(r"[（(][^（()）]*[)）]")


@dataclass(frozen=True)
class CueRule:
    name: str
    property: str
    regex: re.Pattern
    roles: tuple[str, ...]  # group names of the subject tokens, then of the object tokens
    example: str


def _token(codes: list[str]) -> str:
    return rf"⟦(?:{'|'.join(codes)})#\d+⟧"


def compile_pattern(pattern: str) -> tuple[re.Pattern, list[str], list[str]]:
    subjects: list[str] = []
    objects: list[str] = []
    pieces = []
    position = 0
    for index, match in enumerate(PLACEHOLDER.finditer(pattern)):
        pieces.append(pattern[position:match.start()])
        position = match.end()
        if match.group(1) == "gap":
            pieces.append(rf"[^⟦。]{{0,{match.group(2) or 24}}}?")
            continue
        if match.group(1) == "any":  # may step over other names
            pieces.append(rf"[^。]{{0,{match.group(2) or 24}}}?")
            continue
        role, kinds, many = match.group(3), match.group(4).split("|"), match.group(5)
        codes = ALL_CODES if "ANY" in kinds else kinds
        unknown = set(codes) - set(ALL_CODES)
        if unknown:
            raise ValueError(f"unknown kind(s) {', '.join(sorted(unknown))}")
        token = _token(codes)
        body = rf"{token}(?:{LIST_JOINERS}{token})*" if many else token
        group = f"{role}_{index}"
        pieces.append(f"(?P<{group}>{body})")
        if role == "subj":
            subjects.append(group)
        elif role == "obj":
            objects.append(group)
        else:
            raise ValueError(f"role must be subj or obj, not '{role}'")
    pieces.append(pattern[position:])
    if not subjects or not objects:
        raise ValueError("a pattern needs a {subj:…} and an {obj:…}")
    return re.compile("".join(pieces)), subjects, objects


@dataclass(frozen=True)
class CueConfig:
    rules: tuple[CueRule, ...]
    subject_groups: dict
    object_groups: dict
    organisation_sections: tuple[str, ...]
    operation_verbs: tuple[str, ...]
    generic_system_words: tuple[str, ...]
    system_name_suffixes: tuple[str, ...]
    system_name_stop_prefixes: tuple[str, ...]
    extra: dict  # further word lists other extractors read (project_title_words, …)


def load_cues(path: Path) -> CueConfig:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: cannot read relation cues ({first})") from None
    rules = []
    subject_groups, object_groups = {}, {}
    for raw in content.get("rules") or []:
        try:
            regex, subjects, objects = compile_pattern(raw["pattern"])
        except (KeyError, ValueError, re.error) as exc:
            raise InputError(f"{path}: rule '{raw.get('name', '?')}': {exc}") from None
        rule = CueRule(raw["name"], raw["property"], regex, tuple(subjects + objects), raw.get("example", ""))
        subject_groups[rule.name] = subjects
        object_groups[rule.name] = objects
        rules.append(rule)
    return CueConfig(
        rules=tuple(rules),
        subject_groups=subject_groups,
        object_groups=object_groups,
        organisation_sections=tuple(content.get("organisation_sections") or ()),
        operation_verbs=tuple(content.get("operation_verbs") or ()),
        generic_system_words=tuple(content.get("generic_system_words") or ()),
        system_name_suffixes=tuple(content.get("system_name_suffixes") or ()),
        system_name_stop_prefixes=tuple(content.get("system_name_stop_prefixes") or ()),
        extra={k: v for k, v in content.items() if k != "rules"},
    )


def tokenise(sentence: Sentence) -> tuple[str, list[int]]:
    """The sentence with mentions as tokens, and each token's start in the tokenised text."""
    out = []
    position = 0
    for index, mention in enumerate(sentence.mentions):
        out.append(sentence.text[position:mention.start])
        out.append(f"⟦{KIND_CODES.get(entity_kind(mention.entity), 'SYS')}#{index}⟧")
        position = mention.end
    out.append(sentence.text[position:])
    tokenised = "".join(out)
    while True:
        stripped = PARENTHETICAL.sub("", tokenised)
        if stripped == tokenised:
            return tokenised, []
        tokenised = stripped


TOKEN_INDEX = re.compile(r"#(\d+)⟧")


def match_rules(sentence: Sentence, config: CueConfig):
    """Yield (rule, subject mention, object mention) for every cue match in a sentence."""
    if len(sentence.mentions) < 2:
        return
    tokenised, _ = tokenise(sentence)
    for rule in config.rules:
        for match in rule.regex.finditer(tokenised):
            subjects = [int(i) for g in config.subject_groups[rule.name] for i in TOKEN_INDEX.findall(match.group(g) or "")]
            objects = [int(i) for g in config.object_groups[rule.name] for i in TOKEN_INDEX.findall(match.group(g) or "")]
            for s in subjects:
                for o in objects:
                    subject, obj = sentence.mentions[s], sentence.mentions[o]
                    if subject.entity != obj.entity:
                        yield rule, subject, obj
