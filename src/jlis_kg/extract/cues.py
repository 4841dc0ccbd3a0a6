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

from ..catalogue import read_reference_yaml
from ..model import InputError, Mention
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
    keep_parentheses: bool = False  # match against the sentence with its parentheticals
    section_subject: bool = False  # the subject is the system the section heading names
    constraint: str = ""  # a named check on each (subject, object) pair, see CONSTRAINTS


def _token(codes: list[str]) -> str:
    return rf"⟦(?:{'|'.join(codes)})#\d+⟧"


def compile_pattern(pattern: str, needs_subject: bool = True) -> tuple[re.Pattern, list[str], list[str]]:
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
    if not objects or (needs_subject and not subjects):
        raise ValueError("a pattern needs a {subj:…} and an {obj:…} (or subject: section and an {obj:…})")
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
    content = read_reference_yaml(path, "relation cues")
    rules = []
    subject_groups, object_groups = {}, {}
    for raw in content.get("rules") or []:
        section_subject = raw.get("subject") == "section"
        constraint = str(raw.get("constraint", ""))
        try:
            regex, subjects, objects = compile_pattern(raw["pattern"], needs_subject=not section_subject)
            if constraint and constraint not in CONSTRAINTS:
                raise ValueError(f"unknown constraint '{constraint}' (known: {', '.join(CONSTRAINTS)})")
        except (KeyError, ValueError, re.error) as exc:
            raise InputError(f"{path}: rule '{raw.get('name', '?')}': {exc}") from None
        rule = CueRule(raw["name"], raw["property"], regex, tuple(subjects + objects), raw.get("example", ""),
                       keep_parentheses=raw.get("parentheses") == "keep", section_subject=section_subject,
                       constraint=constraint)
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


def tokenise(sentence: Sentence, keep_parentheses: bool = False) -> tuple[str, list[int]]:
    """The sentence with mentions as tokens (parentheticals removed unless kept)."""
    out = []
    position = 0
    for index, mention in enumerate(sentence.mentions):
        out.append(sentence.text[position:mention.start])
        out.append(f"⟦{KIND_CODES.get(entity_kind(mention.entity), 'SYS')}#{index}⟧")
        position = mention.end
    out.append(sentence.text[position:])
    tokenised = "".join(out)
    while not keep_parentheses:
        stripped = PARENTHETICAL.sub("", tokenised)
        if stripped == tokenised:
            break
        tokenised = stripped
    return tokenised, []


TOKEN_INDEX = re.compile(r"#(\d+)⟧")


def unit_rank(name: str, ranks) -> int | None:
    """How deep a unit's kind sits (センター 0, 部 1, 課 2 …) by the suffix of its name."""
    for depth, suffixes in enumerate(ranks):
        if name.endswith(tuple(suffixes)):
            return depth
    return None


def _child_ranks_below_parent(subject: Mention, obj: Mention, config: "CueConfig") -> bool:
    ranks = config.extra.get("unit_rank_suffixes", ())
    child, parent = unit_rank(subject.surface, ranks), unit_rank(obj.surface, ranks)
    return child is not None and parent is not None and child > parent


CONSTRAINTS = {"unit-rank": _child_ranks_below_parent}


def match_rules(sentence: Sentence, config: CueConfig, section_subject: Mention | None = None):
    """Yield (rule, subject mention, object mention) for every cue match in a sentence.

    ``section_subject`` is the system the enclosing section's heading names, the
    implicit topic of a sentence that has none of its own; rules marked
    ``subject: section`` use it.
    """
    if not sentence.mentions:
        return
    forms = {}
    for rule in config.rules:
        if rule.section_subject and section_subject is None:
            continue
        if not rule.section_subject and len(sentence.mentions) < 2:
            continue
        if rule.keep_parentheses not in forms:
            forms[rule.keep_parentheses] = tokenise(sentence, rule.keep_parentheses)[0]
        check = CONSTRAINTS.get(rule.constraint)
        for match in rule.regex.finditer(forms[rule.keep_parentheses]):
            objects = [sentence.mentions[int(i)] for g in config.object_groups[rule.name]
                       for i in TOKEN_INDEX.findall(match.group(g) or "")]
            if rule.section_subject:
                subjects = [section_subject]
            else:
                subjects = [sentence.mentions[int(i)] for g in config.subject_groups[rule.name]
                            for i in TOKEN_INDEX.findall(match.group(g) or "")]
            for subject in subjects:
                for obj in objects:
                    if subject.entity != obj.entity and (check is None or check(subject, obj, config)):
                        yield rule, subject, obj
