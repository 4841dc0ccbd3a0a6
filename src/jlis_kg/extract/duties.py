"""Which systems serve which statutory duty, from the shape of the plans and reports.

Plans and reports give each duty of the agency a section of its own
(「一 本人確認情報処理事務等」), and the headings below it name the systems that
carry the duty out (「1 住民基本台帳ネットワークシステム等の運営」,
「(1) 全国サーバの運用・監視」).  A system named in a heading up to
``duty_section_depth`` levels below a heading that names exactly one duty, and
followed by a word of running it (``duty_section_verbs``: 運用, 運営, 監視 …), is
taken to support that duty (``jlis:supportsDuty``), with the sub-heading's line
as evidence.
"""
from __future__ import annotations

from ..catalogue import kind_of
from ..model import Evidence, Fact, Section
from .mentions import MentionFinder


def extract_duty_support(doc, structure, finder: MentionFinder, context) -> list[Fact]:
    from . import heading_block

    depth = int(context.cues.extra.get("duty_section_depth", 2))
    verbs = tuple(context.cues.extra.get("duty_section_verbs", ()))
    facts: list[Fact] = []

    def names(section: Section, kind: str, run_by_verb: bool = False) -> list[str]:
        found = []
        title = section.title
        for mention in finder.find(heading_block(section)):
            if kind_of(mention.entity) != kind or mention.entity in found:
                continue
            if run_by_verb and not any(verb in title[mention.end:mention.end + 8] for verb in verbs):
                continue
            found.append(mention.entity)
        return found

    def below(section: Section, levels: int):
        for child in section.children:
            yield child
            if levels > 1:
                yield from below(child, levels - 1)

    for section in structure.sections():
        if section.level == 0:
            continue
        duties = names(section, "duty")
        if len(duties) != 1:
            continue
        for sub in below(section, depth):
            for system in names(sub, "system", run_by_verb=True):
                ev = Evidence(doc.doc_id, sub.line, doc.line(sub.line).raw.strip(),
                              f"{section.title} › {sub.title}", sub.line)
                facts.append(Fact(system, "jlis:supportsDuty", duties[0], ev))
    return facts
