"""Plain data passed between the pipeline stages.

    read (sources.py) ─► normalise.py ─► structure.py ─► extract/ ─► assemble.py

Every stage takes and returns these frozen dataclasses, so a stage can be tested
alone on a few lines of text.  Line numbers are always 1-based lines of the
source file as it lies in ``data/``.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class InputError(Exception):
    """Bad input that the user must fix: the message is one line naming the file."""


# ───────────────────────── normalise ─────────────────────────

@dataclass(frozen=True)
class SourceLine:
    """One physical line of a source file."""

    number: int  # 1-based line number in the source file
    raw: str  # verbatim text as decoded, without the line terminator
    text: str  # normalised text; "" unless role is "content"
    role: str = "content"  # content | blank | page-number | running-header | footnote


@dataclass(frozen=True)
class Footnote:
    """A footnote body, kept as the definition of the word it annotates."""

    marker: str  # "1", "25", … as it appears
    text: str  # normalised footnote body (continuation lines joined)
    line: int  # first line of the body
    end_line: int
    anchor: str = ""  # the term the marker was glued to, when known ("自治体中間サーバー")
    anchor_line: int = 0  # line where the marker stood in the running text


@dataclass(frozen=True)
class NormalisedDocument:
    doc_id: str
    path: str
    lines: tuple[SourceLine, ...]
    footnotes: tuple[Footnote, ...] = ()

    def line(self, number: int) -> SourceLine:
        return self.lines[number - 1]


# ───────────────────────── structure ─────────────────────────

@dataclass(frozen=True)
class Block:
    """A logical unit of running text: a paragraph, a list item or a heading.

    ``text`` joins the hard-broken source lines it was built from; ``spans``
    says which source line each character range came from, so a match in the
    text can be traced to a line.
    """

    text: str
    spans: tuple[tuple[int, int], ...]  # (start offset in text, source line), ascending
    kind: str = "paragraph"  # paragraph | item | heading

    @property
    def first_line(self) -> int:
        return self.spans[0][1]

    @property
    def last_line(self) -> int:
        return self.spans[-1][1]

    def line_at(self, offset: int) -> int:
        line = self.spans[0][1]
        for start, number in self.spans:
            if start > offset:
                break
            line = number
        return line


@dataclass(frozen=True)
class TableRow:
    line: int  # source line of the row (first line if the row was wrapped)
    cells: tuple[str, ...]  # normalised cell texts
    end_line: int = 0


@dataclass(frozen=True)
class Table:
    line: int  # first source line of the table (its caption if it has one)
    end_line: int
    caption: str  # "第3表 令和2年度の代表者会議の開催状況", "平成30年度 予定貸借対照表", or ""
    unit: str  # "千円", "百万円", "億円", "円", or "" when the table does not say
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    source_format: str = "tsv"  # tsv | markdown | html | spaced
    problems: tuple[str, ...] = ()  # e.g. "row 12 has 3 cells, header has 5"


@dataclass(frozen=True)
class Section:
    title: str  # heading text without its number ("組織及び主な担当業務")
    number: str  # "8", "(1)", "ア", "第1章", "一", "" for the root
    style: str  # chapter | kanji | arabic | paren | katakana | markdown | root
    level: int  # depth in the tree, root = 0
    line: int  # heading line
    end_line: int  # last line that belongs to the section (children included)
    blocks: tuple[Block, ...] = ()  # the section's own text, not its children's
    tables: tuple[Table, ...] = ()
    children: tuple["Section", ...] = ()

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class DocumentStructure:
    doc_id: str
    root: Section
    footnotes: tuple[Footnote, ...] = ()

    def sections(self):
        return self.root.walk()

    def blocks(self):
        """Every block in document order, with the chain of sections above it."""
        def visit(section, trail):
            trail = trail + (section,)
            for block in section.blocks:
                yield block, trail
            for child in section.children:
                yield from visit(child, trail)
        yield from visit(self.root, ())

    def tables(self):
        for section in self.sections():
            for table in section.tables:
                yield table, section


# ───────────────────────── extract ─────────────────────────

@dataclass(frozen=True)
class Evidence:
    doc_id: str
    line: int  # the source line the fact stands at
    quote: str  # verbatim text of that source line (stripped); always a substring of it
    context: str = ""  # the whole normalised sentence or table row, for readers
    end_line: int = 0


@dataclass(frozen=True)
class Mention:
    entity: str  # catalogue id, e.g. "system/juki-net"
    surface: str  # text as it stood in the normalised block
    start: int  # offsets in Block.text
    end: int


@dataclass(frozen=True)
class Fact:
    """One extracted triple with its evidence.

    ``subject`` is an entity id ("system/lgwan"); ``predicate`` a CURIE
    ("jlis:dependsOn"); ``obj`` an entity id, or a Python literal when
    ``literal`` is true (str, int, Decimal, datetime.date).
    """

    subject: str
    predicate: str
    obj: object
    evidence: Evidence
    literal: bool = False
    lang: str | None = None
    datatype: str | None = None  # CURIE such as "xsd:gYear"; None = inferred from the value
    # False for the supporting triples of a resource whose main fact carries the evidence
    # (an observation's dimensions and type: its measure's statement quotes the row).
    statement: bool = True


@dataclass(frozen=True)
class EntityRecord:
    """An entity the build knows of: from the catalogue, or discovered in a document."""

    id: str  # "{kind}/{slug}"
    types: tuple[str, ...]  # CURIEs: ("jlis:InformationSystem",)
    label_ja: str
    label_en: str = ""
    aliases: tuple[str, ...] = ()
    en_aliases: tuple[str, ...] = ()
    discovered_in: str = ""  # doc id when the entity was discovered rather than curated
    properties: tuple[tuple[str, object], ...] = ()  # extra curated literals/links (CURIE, value)
    source: str = ""  # where the curated facts come from


@dataclass
class Extraction:
    """What the extractors found in one document."""

    doc_id: str
    facts: list[Fact] = field(default_factory=list)
    entities: dict[str, EntityRecord] = field(default_factory=dict)  # discovered or newly defined
    warnings: list[str] = field(default_factory=list)
