"""Extract facts, each with its evidence, from one structured document.

``extract_document`` runs the extractors in order over a ``DocumentStructure``:

- definitions and mentions (``mentions.py``): which entities each sentence names;
- relations from cue phrases (``cues.py`` with ``data/reference/relation_cues.yaml``);
- the organisation section: units, their hierarchy and what they are responsible for
  (``organisation.py``);
- duties and the systems that serve them, from the section layout (``duties.py``);
- legal bases given "respectively" to the numbered items that follow (``enumerations.py``);
- projects: the numbered work items of plans and reports (``projects.py``).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import Catalogue, Gazetteer, kind_of
from ..model import Block, DocumentStructure, Evidence, Extraction, Fact, Mention, NormalisedDocument
from .cues import CueConfig, match_rules
from .mentions import MentionFinder, NameDiscovery


@dataclass(frozen=True)
class ExtractionContext:
    catalogue: Catalogue
    gazetteer: Gazetteer
    cues: CueConfig
    agency: str  # catalogue id of J-LIS itself


def evidence(doc: NormalisedDocument, block: Block, start: int, end: int, context: str) -> Evidence:
    line = block.line_at(start)
    end_line = block.line_at(max(start, end - 1))
    return Evidence(doc_id=doc.doc_id, line=line, quote=doc.line(line).raw.strip(),
                    context=context.strip(), end_line=max(line, end_line))


def heading_block(section) -> Block:
    return Block(text=section.title, spans=((0, section.line),), kind="heading")


def document_entity(doc_id: str) -> str:
    return f"document/{doc_id}"


def extract_document(doc: NormalisedDocument, structure: DocumentStructure,
                     context: ExtractionContext, fiscal_year: int) -> Extraction:
    from .duties import extract_duty_support
    from .enumerations import extract_respective_legal_bases
    from .events import extract_events
    from .figures import extract_figures
    from .indicators import extract_indicators
    from .meetings import extract_meetings
    from .organisation import extract_organisation
    from .people import extract_people
    from .projects import extract_projects

    cues = context.cues
    discovery = NameDiscovery(cues.system_name_suffixes, cues.generic_system_words, cues.system_name_stop_prefixes,
                              cues.extra.get("system_name_stop_suffixes", ()),
                              int(cues.extra.get("system_name_min_stem", 4)))
    finder = MentionFinder(context.gazetteer, discovery, doc.doc_id)
    extraction = Extraction(doc_id=doc.doc_id)
    facts = extraction.facts
    first_mention: dict[str, Evidence] = {}

    section_blocks = list(structure.blocks())
    blocks = [block for block, _ in section_blocks]
    blocks += [heading_block(s) for s in structure.sections() if s.level > 0]
    blocks += [footnote_block(f) for f in structure.footnotes]
    for block in blocks:
        finder.read_definitions(block)
    topics = {id(block): section_topic(trail[-1], finder) for block, trail in section_blocks}

    for block in blocks:
        for sentence in finder.sentences(block):
            for mention in sentence.mentions:
                if mention.entity not in first_mention:
                    first_mention[mention.entity] = evidence(
                        doc, block, sentence.offset + mention.start, sentence.offset + mention.end, sentence.text)
            facts.extend(cue_facts(doc, block, sentence, cues, topics.get(id(block))))

    for entity, alias, block, offset in finder.definitions:
        ev = evidence(doc, block, offset, offset + len(alias), block.text)
        facts.append(Fact(entity, "skos:altLabel", alias, ev, literal=True, lang="ja"))

    for table, _ in structure.tables():
        for row in table.rows:
            row_block = Block(text=" ".join(row.cells), spans=((0, row.line),), kind="row")
            for sentence in finder.sentences(row_block):
                for mention in sentence.mentions:
                    if mention.entity not in first_mention:
                        first_mention[mention.entity] = Evidence(
                            doc.doc_id, row.line, doc.line(row.line).raw.strip(), row_block.text, row.line)
                facts.extend(cue_facts(doc, row_block, sentence, cues, None))

    facts.extend(extract_organisation(doc, structure, finder, context))
    facts.extend(extract_duty_support(doc, structure, finder, context))
    facts.extend(extract_respective_legal_bases(doc, structure, finder, context))
    # (extractors: figures and indicators)
    facts.extend(extract_figures(doc, structure, finder, context, fiscal_year, extraction))
    facts.extend(extract_indicators(doc, structure, finder, context, fiscal_year, extraction))
    # (extractors: events, meetings and people)
    facts.extend(extract_events(doc, structure, finder, context, fiscal_year, extraction))
    facts.extend(extract_meetings(doc, structure, finder, context, fiscal_year, extraction))
    facts.extend(extract_people(doc, structure, finder, context, fiscal_year, extraction))
    facts.extend(extract_projects(doc, structure, finder, context, fiscal_year, extraction))

    for entity, ev in sorted(first_mention.items()):
        facts.append(Fact(document_entity(doc.doc_id), "jlis:mentions", entity, ev))
    extraction.entities.update(finder.discovered)
    return extraction


def section_topic(section, finder) -> Mention | None:
    """The one system a section heading names: the implicit subject of its sentences."""
    systems = {m.entity: m for m in finder.find(heading_block(section)) if kind_of(m.entity) == "system"}
    if len(systems) != 1:
        return None
    mention = next(iter(systems.values()))
    return Mention(mention.entity, mention.surface, -1, -1)


def cue_facts(doc, block: Block, sentence, cues: CueConfig, topic: Mention | None) -> list[Fact]:
    facts = []
    for rule, subject, obj in match_rules(sentence, cues, topic):
        # The line of the later of the two names is where the cue phrase ends; a
        # section topic stands in the heading, so the object's line is used then.
        named = [m for m in (subject, obj) if m.start >= 0]
        start = sentence.offset + max(m.start for m in named)
        end = sentence.offset + max(m.end for m in named)
        facts.append(Fact(subject.entity, rule.property, obj.entity, evidence(doc, block, start, end, sentence.text)))
    return facts


def footnote_block(footnote) -> Block:
    """A footnote as a sentence about the term it annotates: 「⟨anchor⟩は、⟨body⟩」."""
    prefix = f"{footnote.anchor}は、" if footnote.anchor else ""
    return Block(text=prefix + footnote.text, spans=((0, footnote.line),), kind="footnote")
