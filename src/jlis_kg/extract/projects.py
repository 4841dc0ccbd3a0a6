"""Projects: the numbered work items of the plans and reports.

A numbered section is a project when its title reads as a piece of work (it
names a system, or holds one of the work words of ``relation_cues.yaml``
``project_title_words``) and it lies outside the organisation, meeting and
financial parts.  Each project gets the document's fiscal year, the systems its
title and its own text name (``jlis:concerns``), and the project it is a part of.
Project IRIs are ``project/fy{year}-{hash of the title}``: the plan and the
policy of one year that list the same item give one project.
"""
from __future__ import annotations

import hashlib

from ..catalogue import kind_of, match_form
from ..model import Evidence, Fact, Section
from .mentions import MentionFinder
from .organisation import _is_organisation_section

NUMBERED_STYLES = {"arabic", "paren", "kanji", "katakana"}
CONCERN_KINDS = {"system"}


def project_id(fiscal_year: int, title: str) -> str:
    return f"project/fy{fiscal_year}-{hashlib.sha1(match_form(title).encode('utf-8')).hexdigest()[:10]}"


def extract_projects(doc, structure, finder: MentionFinder, context, fiscal_year: int, extraction) -> list[Fact]:
    from . import evidence, heading_block

    cues = context.cues
    words = cues_list(cues, "project_title_words")
    excluded = {match_form(t) for t in cues_list(cues, "project_excluded_titles")}
    facts: list[Fact] = []

    def is_project(section: Section) -> bool:
        if section.style not in NUMBERED_STYLES or section.tables and not section.blocks:
            return False
        title = section.title
        if match_form(title) in excluded or len(title) < 4 or "。" in title:
            return False
        names_system = any(kind_of(m.entity) == "system" for m in finder.find(heading_block(section)))
        return names_system or any(word in title for word in words)

    def visit(section: Section, parent_project: str | None) -> None:
        if _is_organisation_section(section, cues.organisation_sections) or \
                any(word in section.title for word in cues_list(cues, "non_project_sections")):
            return
        current = parent_project
        if section.level > 0 and is_project(section):
            project = project_id(fiscal_year, section.title)
            ev = Evidence(doc.doc_id, section.line, doc.line(section.line).raw.strip(), section.title, section.line)
            facts.append(Fact(project, "rdf:type", "jlis:Project", ev))
            facts.append(Fact(project, "skos:prefLabel", section.title, ev, literal=True, lang="ja"))
            facts.append(Fact(project, "jlis:fiscalYear", fiscal_year, ev, literal=True))
            if parent_project:
                facts.append(Fact(project, "dcterms:isPartOf", parent_project, ev))
            concerned = set()
            for mention in finder.find(heading_block(section)):
                if kind_of(mention.entity) in CONCERN_KINDS and mention.entity not in concerned:
                    concerned.add(mention.entity)
                    facts.append(Fact(project, "jlis:concerns", mention.entity, ev))
            for block in section.blocks:
                for sentence in finder.sentences(block):
                    for mention in sentence.mentions:
                        if kind_of(mention.entity) in CONCERN_KINDS and mention.entity not in concerned:
                            concerned.add(mention.entity)
                            start = sentence.offset + mention.start
                            facts.append(Fact(project, "jlis:concerns", mention.entity,
                                              evidence(doc, block, start, start + len(mention.surface), sentence.text)))
            current = project
        for child in section.children:
            visit(child, current)

    visit(structure.root, None)
    return facts


def cues_list(cues, key: str) -> tuple[str, ...]:
    return tuple(getattr(cues, "extra", {}).get(key, ()))
