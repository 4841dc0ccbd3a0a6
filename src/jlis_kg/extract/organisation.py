"""Units, their hierarchy and their responsibilities, from the organisation section.

The annual reports describe the agency in a section titled like 「組織及び主な担当業務」
(the titles are listed in relation_cues.yaml): a heading per unit, nested headings
for its sub-units, and bullets for the work each unit does.  This gives, for the
document's snapshot:

- ``org:unitOf`` / ``org:hasUnit`` from the nesting (top-level units belong to J-LIS);
- ``jlis:responsibleUnit`` from every system or committee a unit's bullet names;
- ``jlis:operatedBy`` the unit (and the agency) where that bullet speaks of operating it
  (the operation verbs of relation_cues.yaml).
"""
from __future__ import annotations

import re

from ..catalogue import kind_of, match_form
from ..model import Evidence, Fact, Section
from .mentions import DEFINITION, MentionFinder, _kind_by_suffix

RESPONSIBLE_KINDS = {"system", "committee"}


def _is_organisation_section(section: Section, titles) -> bool:
    title = match_form(section.title)
    return any(match_form(t) in title for t in titles)


def _unit_name(title: str) -> str:
    name = DEFINITION.sub("", title)
    name = re.sub(r"[（(].*$", "", name)  # an unclosed definition cut by a line break
    return name.strip(" 　・-")


def extract_organisation(doc, structure, finder: MentionFinder, context) -> list[Fact]:
    from . import evidence, heading_block

    facts: list[Fact] = []
    verbs = context.cues.operation_verbs

    def heading_evidence(section: Section) -> Evidence:
        return Evidence(doc.doc_id, section.line, doc.line(section.line).raw.strip(), section.title, section.line)

    def unit_of_heading(section: Section) -> str | None:
        name = _unit_name(section.title)
        if len(name) < 2:
            return None
        entity = finder.gazetteer.lookup(name)
        if entity is None:
            found = finder.gazetteer.find(name)
            if len(found) == 1 and found[0][0] == 0 and found[0][1] == len(name):
                entity = found[0][3]
        if entity is None and _kind_by_suffix(name) == "unit":
            entity = finder._discover("unit", name)
        if entity is None or kind_of(entity) not in {"unit", "committee"}:
            return None
        return entity

    def visit(section: Section, parent: str) -> None:
        unit = unit_of_heading(section)
        if unit is None:
            return
        ev = heading_evidence(section)
        facts.append(Fact(unit, "org:unitOf", parent, ev))
        facts.append(Fact(parent, "org:hasUnit", unit, ev))
        for block in section.blocks:
            operates = any(verb in block.text for verb in verbs)
            for sentence in finder.sentences(block):
                for mention in sentence.mentions:
                    if kind_of(mention.entity) not in RESPONSIBLE_KINDS:
                        continue
                    start = sentence.offset + mention.start
                    ev = evidence(doc, block, start, sentence.offset + mention.end, block.text)
                    facts.append(Fact(mention.entity, "jlis:responsibleUnit", unit, ev))
                    if operates and kind_of(mention.entity) == "system":
                        facts.append(Fact(mention.entity, "jlis:operatedBy", unit, ev))
                        facts.append(Fact(mention.entity, "jlis:operatedBy", context.agency, ev))
        for child in section.children:
            visit(child, unit)

    for section in structure.sections():
        if section.level > 0 and _is_organisation_section(section, context.cues.organisation_sections):
            finder.read_definitions(heading_block(section))
            for child in section.children:
                finder.read_definitions(heading_block(child))
                visit(child, context.agency)
    return facts
