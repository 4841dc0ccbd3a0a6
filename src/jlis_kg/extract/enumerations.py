"""Legal bases given "respectively": a list of laws paired with the numbered items that follow.

「住基法、公的個人認証法及びマイナンバー法に基づき、次の1～3の委員会を運営する。」
is followed by three numbered headings, one committee each.  When the sentence
names as many laws as it announces items, and the next that many headings each
name exactly one committee, system or duty, the n-th law is the legal basis of
the n-th item.  Where the counts differ (four laws for three committees) nothing
is asserted: the pairing would be a guess.  The announcing phrase is the
``respective_enumeration`` pattern of relation_cues.yaml.
"""
from __future__ import annotations

import re

from ..catalogue import kind_of
from ..model import Evidence, Fact
from .mentions import MentionFinder

ITEM_KINDS = {"committee", "system", "duty"}


def extract_respective_legal_bases(doc, structure, finder: MentionFinder, context) -> list[Fact]:
    from . import heading_block

    pattern = context.cues.extra.get("respective_enumeration")
    if not pattern:
        return []
    announce = re.compile(pattern)
    headings = sorted((s for s in structure.sections() if s.level > 0), key=lambda s: s.line)
    facts: list[Fact] = []
    for block, _ in structure.blocks():
        for sentence in finder.sentences(block):
            match = announce.search(sentence.text)
            if not match:
                continue
            laws = [m for m in sentence.mentions if kind_of(m.entity) == "law" and m.end <= match.start("count")]
            count = int(match.group("last")) - int(match.group("first")) + 1
            if len(laws) != count:
                continue
            line = block.line_at(sentence.offset + match.start())
            following = [h for h in headings if h.line > line][:count]
            items = []
            for heading in following:
                named = {m.entity for m in finder.find(heading_block(heading)) if kind_of(m.entity) in ITEM_KINDS}
                items.append(named.pop() if len(named) == 1 else None)
            if len(items) != count or None in items:
                continue
            for law, item, heading in zip(laws, items, following):
                ev = Evidence(doc.doc_id, line, doc.line(line).raw.strip(),
                              f"{sentence.text.strip()} › {heading.title}", heading.line)
                facts.append(Fact(item, "jlis:legalBasis", law.entity, ev))
    return facts
