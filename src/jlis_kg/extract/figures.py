"""Financial tables → RDF Data Cube observations (``qb:Observation``).

One job: read the figures of the financial statements in a document's tables —
budgets (予定貸借対照表, 予定損益計算書, 資金計画), financial statements and
決算報告書, their per-segment (事業別) versions, the summary tables of the 概要
(予算 / 決算 / 差引) and the multi-year 事業別決算額の推移 — and turn every figure
cell into one observation with its evidence (the row's source line and quote).

How a table is read (the rules themselves are data: ``data/reference/figures.yaml``)
    * **Statement**: the caption names it (貸借対照表, 損益計算書, …); a table without a
      caption of its own is recognised by its row labels (資産の部, 流動資産, 資産合計
      … make a balance sheet), and a caption-less table with no such rows by the
      heading it stands under (事業別決算額の推移).  Other tables are not figures
      of a statement and are left alone.
    * **Columns**: each header cell says what its figures are: a figure kind
      (予算 → budget, 決算 → settlement, 差額/差引/増減 → difference, 補正 →
      revised-budget, 金額 → the table's kind: budget in a plan, settlement in a
      report), a fiscal year (H26決算, 28年度, 27年度6月補正), a note (備考), the
      whole agency (合計), the inter-segment eliminations (相殺等) or a business
      segment.  Header text glued together by the PDF (予算額決算額差額備考) is
      split at the cues it holds; a table without a header takes it from the
      label-only rows at its top and the lines just above it (PDF text puts a
      wide header on lines of its own).
    * **Segments**: a header cell names a segment by a catalogue label or alias, or
      by a fuzzy match against every name of every segment (Japanese label,
      aliases, English label): the share of the cell's characters found, in
      order, in the name (OCR garbling such as ``中間サークル…`` or the
      column-wise reading ``本 情 事`` / ``人 報 確 処`` / ``認 理 業`` of a three-line
      header), with a bonus for an abbreviation that starts the name (一般,
      LGWAN).  The cells are assigned by a small dynamic programme: segments
      stand in the catalogue's order (as in every J-LIS statement), each segment
      once, and neighbouring fragments of one name merge into one column.  A
      per-segment table of the summaries names its segment in the heading above
      it (``1 一般事業``); the rows of the multi-year table are segments.
    * **Rows**: the row label is the line item (``jlis:lineItem``); label-only rows
      open a group (資産の部, 流動資産) that a ``…合計`` row closes, and the open
      groups are the line item's group (``jlis:lineItemGroup``).  A row's figures
      are matched to the columns by position when its cells line up with the
      header, else in order (PDF text drops empty cells), and when the table
      states a total (合計 column) the reading whose segments add up to it is
      taken.  A row that fits no reading is skipped and reported.
    * **Unit**: the table's ``(単位：…)``, a ``(円)`` in its header, a unit line
      between the previous table and this one, else the unit of the previous
      financial table of the same part; figures are converted to yen.
    * **Checks**: a ``…合計``/``…計`` row is compared with the sum of the rows it
      closes (or of the rows since the previous total), the 合計 column with the
      sum of the segments less the eliminations; a difference beyond rounding
      (half a unit per figure) is reported as one warning line naming the file,
      the line and the difference.  A table whose columns cannot be recognised
      is reported (file, line) and skipped; the rest of the document loads.

Resources: ``observation/{doc-id}-{hash of table line, row line, column}``,
``dataset/{table kind}`` (one ``qb:DataSet`` per table kind, with
``qb:structure`` the data structure definition declared in the ontology).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..catalogue import Catalogue, match_form, read_reference_yaml
from ..model import DocumentStructure, Evidence, Extraction, Fact, InputError, NormalisedDocument, Table, TableRow
from ..values import find_unit, fiscal_year as parse_fiscal_year, parse_amount, unit_scale

__all__ = ["extract_figures", "SegmentMatcher", "load_figures_config", "FIGURE_DSD", "observation_id"]

FIGURES_FILE = "figures.yaml"
FIGURE_DSD = "dsd/financial-figures"
ROW_SLICE_KEY = "slicekey/table-row"  # declared in the ontology, with FIGURE_DSD
_REFERENCE_CAPTION = re.compile(r"^(?:参考資料|資料|別紙|別添|様式第?)\s*[\d\-‐ー－]*$")
_ROMAN_PREFIX = re.compile(r"^(?:[IVXⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+\s*|\(\d+\)\s*|[\d]+\s+)")
_FOOTNOTE_SUFFIX = re.compile(r"(?:\s+\d{1,2}|※\d{1,2}|(?<=[^\x00-\x7f(（])\d{1,2})$")
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


# ───────────────────────── configuration (data/reference/figures.yaml) ─────────────────────────

@dataclass(frozen=True)
class Statement:
    id: str
    ja: str
    en: str
    caption: tuple[str, ...] = ()
    rows: frozenset = frozenset()
    min_rows: int = 3
    subtract: tuple[re.Pattern, ...] = ()
    line_item: str = ""
    check: bool = True


@dataclass(frozen=True)
class FiguresConfig:
    statements: tuple[Statement, ...]
    presentations: dict
    figure_kinds: tuple[tuple[str, tuple[str, ...]], ...]
    budget_context: tuple[str, ...]
    note_columns: tuple[str, ...]
    label_columns: tuple[str, ...]
    total_columns: tuple[str, ...]
    offset_columns: tuple[str, ...]
    segment_min_score: float
    total_suffixes: tuple[str, ...]
    segment_headers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # segment id → garbled header spellings


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> FiguresConfig:
    raw = read_reference_yaml(Path(path), "figure rules", "statements")
    forms = lambda items: tuple(match_form(str(x)) for x in items or ())  # noqa: E731
    statements = tuple(
        Statement(
            id=str(s["id"]), ja=str(s.get("ja", s["id"])), en=str(s.get("en", s["id"])),
            caption=forms(s.get("caption")), rows=frozenset(forms(s.get("rows"))),
            min_rows=int(s.get("min_rows", 3)),
            subtract=tuple(re.compile(match_form(str(p))) for p in s.get("subtract") or ()),
            line_item=str(s.get("line_item", "")), check=bool(s.get("check", True)),
        )
        for s in raw["statements"]
    )
    return FiguresConfig(
        statements=statements,
        presentations={str(k): (str(v.get("ja", "")), str(v.get("en", ""))) for k, v in (raw.get("presentations") or {}).items()},
        figure_kinds=tuple((str(k["kind"]), forms(k.get("cues"))) for k in raw.get("figure_kinds") or ()),
        budget_context=forms(raw.get("budget_context")),
        note_columns=forms(raw.get("note_columns")),
        label_columns=forms(raw.get("label_columns")),
        total_columns=forms(raw.get("total_columns")),
        offset_columns=forms(raw.get("offset_columns")),
        segment_min_score=float(raw.get("segment_min_score", 0.4)),
        total_suffixes=forms(raw.get("total_suffixes")),
        segment_headers=tuple((str(k), tuple(str(x) for x in v or ()))
                              for k, v in (raw.get("segment_headers") or {}).items()),
    )


def load_figures_config(path: Path) -> FiguresConfig:
    if not path.is_file():
        raise InputError(f"{path}: the figure rules are missing")
    return _load(str(path), path.stat().st_mtime)


# ───────────────────────── segments: catalogue names and fuzzy matching ─────────────────────────

def _lcs(a: str, b: str) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, other in enumerate(b):
            cur.append(prev[j] + 1 if ch == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def similarity(cell: str, name: str) -> float:
    """How well a (garbled) header cell stands for a name: 0 … 1.

    The share of the cell's characters found in order in the name (precision)
    and of the name's characters found in the cell (recall), as their harmonic
    mean; an abbreviation that starts the name (一般 → 一般事業, LGWAN → LGWAN
    Operation Business) scores at least 0.6.  Below 60 % precision the cell is
    mostly something else: 0.
    """
    c, n = match_form(cell), match_form(name)
    if not c or not n:
        return 0.0
    if c == n:
        return 1.0
    common = _lcs(c, n)
    if not common:
        return 0.0
    precision, recall = common / len(c), common / len(n)
    if precision < 0.6:
        return 0.0
    score = 2 * precision * recall / (precision + recall)
    if len(c) >= 2 and n.startswith(c):
        score = max(score, 0.6 + 0.4 * recall)
    return score


class SegmentMatcher:
    """The catalogue's business segments, in catalogue order, and how header text names them."""

    def __init__(self, catalogue: Catalogue, min_score: float = 0.4, headers=()):
        """``headers``: (segment id, garbled header spellings) from figures.yaml, names of the segment too."""
        self.ids: list[str] = []
        self.names: list[tuple[str, ...]] = []
        extra: dict[str, list[str]] = {}
        for segment, spellings in headers:
            extra.setdefault(segment, []).extend(spellings)
        for record in catalogue.entities.values():
            if "jlis:BusinessSegment" in record.types:
                self.ids.append(record.id)
                names = [record.label_ja, *record.aliases]
                if record.label_en:
                    names.append(record.label_en)
                names.extend(record.en_aliases)
                names.extend(extra.pop(record.id, ()))
                self.names.append(tuple(dict.fromkeys(names)))
        if extra:
            raise InputError(f"{FIGURES_FILE}: segment_headers names segments the catalogue does not know: "
                             f"{', '.join(sorted(extra))}")
        self.min_score = min_score
        forms = sorted(((match_form(n), i) for i, names in enumerate(self.names) for n in names[:]),
                       key=lambda x: -len(x[0]))
        self._exact = [(f, i) for f, i in forms if f]

    def score(self, cell: str, index: int) -> float:
        return max((similarity(cell, name) for name in self.names[index]), default=0.0)

    def best(self, cell: str) -> tuple[int | None, float]:
        scores = [(self.score(cell, i), -i) for i in range(len(self.ids))]
        if not scores:
            return None, 0.0
        score, neg = max(scores)
        return (-neg, score) if score >= self.min_score else (None, score)

    def align(self, cells: list[str]) -> list[tuple[int | None, bool]]:
        """Segment index for each cell (None: not a segment) and whether it continues the cell before.

        Dynamic programme over the cells: a cell starts the column of a segment
        that comes after the previous one in catalogue order (scoring its
        similarity), continues the previous cell's segment (a fragment of the
        same garbled name), or is noise.  The assignment with the highest total
        score wins.
        """
        k = len(self.ids)
        table = [[self.score(c, j) if c else 0.0 for j in range(k)] for c in cells]
        # state: last segment index (-1 none); value: (score, back-pointers)
        states: dict[int, tuple[float, list]] = {-1: (0.0, [])}
        for i, cell in enumerate(cells):
            nxt: dict[int, tuple[float, list]] = {}

            def offer(state, value, path):
                if state not in nxt or value > nxt[state][0] + 1e-12:
                    nxt[state] = (value, path)

            for last, (value, path) in states.items():
                offer(last, value, path + [(None, False)])  # noise
                if last >= 0 and cell:
                    s = table[i][last]
                    if s >= self.min_score * 0.5:
                        offer(last, value + s, path + [(last, True)])  # a further fragment
                for j in range(last + 1, k):
                    s = table[i][j]
                    if s >= self.min_score:
                        offer(j, value + s, path + [(j, False)])
            states = nxt
        best = max(states.values(), key=lambda v: v[0])
        path = best[1]
        # A fragment may only continue a segment that a cell right before it holds.
        out: list[tuple[int | None, bool]] = []
        for i, (seg, cont) in enumerate(path):
            if cont and (not out or out[-1][0] != seg):
                cont = False
            out.append((seg, cont))
        return out

    def find_in_text(self, text: str) -> list[tuple[int, int, int]]:
        """Segment names written out in full in ``text`` (match form), left to right."""
        t = match_form(text)
        found, pos = [], 0
        while pos < len(t):
            for form, index in self._exact:
                if t.startswith(form, pos) and len(form) >= 3:
                    found.append((pos, pos + len(form), index))
                    pos += len(form)
                    break
            else:
                pos += 1
        return found


# ───────────────────────── reading a table ─────────────────────────

@dataclass(frozen=True)
class Column:
    role: str  # value | segment | total | offset | note
    kind: str = ""  # value columns: budget | settlement | difference | revised-budget | amount
    year: int | None = None
    segment: str | None = None
    header: str = ""


@dataclass
class Reading:
    table: Table
    statement: Statement
    presentation: str
    columns: list[Column]
    physical: list[int | None] | None  # header cell (after the label column) → column index
    clean: bool  # one header cell per column: cells line up by position
    unit: str
    fiscal_year: int
    default_kind: str
    segment: str | None = None  # the table's segment (from its heading)
    transposed: bool = False
    row_segments: dict[int, str | None] = field(default_factory=dict)  # row line → segment (transposed)
    top_part: int = 0
    extra_rows: list = field(default_factory=list)  # rows recovered from the text above the table


def _form(text: str) -> str:
    return match_form(text or "")


def _clean_label(label: str) -> str:
    text = unicodedata.normalize("NFKC", label).strip()
    text = _CJK_SPACE.sub("", text)
    text = _FOOTNOTE_SUFFIX.sub("", text).strip()
    return text


def _bare_label(label: str) -> str:
    return _ROMAN_PREFIX.sub("", _form(label))


def _number(cell: str, unit: str) -> Decimal | None:
    text = (cell or "").strip()
    if not text or not re.search(r"\d|^[-―—−‐－]$", text):
        return None
    try:
        return parse_amount(text, unit)
    except ValueError:
        return None


def _is_number(cell: str) -> bool:
    return _number(cell, "") is not None


class TableReader:
    def __init__(self, doc: NormalisedDocument, config: FiguresConfig, matcher: SegmentMatcher, fiscal_year: int):
        self.doc = doc
        self.config = config
        self.matcher = matcher
        self.fiscal_year = fiscal_year
        self.era = "令和" if fiscal_year >= 2019 else "平成"

    # ── what kind of table ──

    def statement_of(self, table: Table, trail, above: bool = True) -> Statement | None:
        caption = _form(table.caption)
        if _REFERENCE_CAPTION.match(table.caption.strip()):
            caption = ""
        for statement in self.config.statements:
            if caption and any(cue in caption for cue in statement.caption):
                return statement
        labels = {_bare_label(r.cells[0]) for r in table.rows if r.cells} | \
                 {_bare_label(c) for r in table.rows for c in r.cells[:2] if c and not _is_number(c)}
        for statement in self.config.statements:
            if statement.rows and len(labels & statement.rows) >= statement.min_rows:
                return statement
        if caption or not above:
            return None  # the table's own caption names something else
        title = _form(trail[-1].title) if trail else ""
        for statement in self.config.statements:
            if title and any(cue in title for cue in statement.caption):
                return statement
        return None

    def default_kind(self, table: Table, trail) -> str:
        texts = [_form(table.caption)] + [_form(s.title) for s in trail]
        if any(cue in text for text in texts for cue in self.config.budget_context):
            return "budget"
        return "settlement"

    def trail_segment(self, trail) -> str | None:
        for section in reversed(trail):
            title = _form(section.title)  # without its number (Section.title)
            for form, index in self.matcher._exact:
                if title == form:
                    return self.matcher.ids[index]
        return None

    # ── columns ──

    def _cues_in(self, text: str) -> list[tuple[int, Column]]:
        """Column cues written in ``text`` in order (for header text glued together)."""
        t = _form(text)
        found = []
        for kind, cues in self.config.figure_kinds:
            for cue in cues:
                for m in re.finditer(re.escape(cue), t):
                    found.append((m.start(), m.end(), Column("value", kind=kind, header=cue)))
        for cue in self.config.note_columns:
            for m in re.finditer(re.escape(cue), t):
                found.append((m.start(), m.end(), Column("note", header=cue)))
        found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
        out, end = [], -1
        for start, stop, column in found:
            if start >= end:
                out.append((start, column))
                end = stop
        return out

    def header_column(self, cell: str) -> list[Column] | None:
        """Column(s) a non-segment header cell stands for; None when it may be a segment."""
        form = _form(cell)
        if not form:
            return []
        if form in self.config.total_columns:
            return [Column("total", header=cell)]
        if any(cue in form for cue in self.config.offset_columns):
            return [Column("offset", header=cell)]
        if form in self.config.note_columns:
            return [Column("note", header=cell)]
        year = parse_fiscal_year(form, self.era)
        cues = self._cues_in(form)
        if year is not None:
            kind = next((c.kind for _, c in cues if c.role == "value"), "amount")
            return [Column("value", kind=kind, year=year, header=cell)]
        if cues:
            return [c for _, c in cues]
        return None

    def resolve(self, cells: list[str]) -> tuple[list[Column], list[int | None], bool, int]:
        """Logical columns for header cells; the column of each cell; clean; segments found."""
        fixed = [self.header_column(c) for c in cells]
        seg_cells = [c if f is None else "" for c, f in zip(cells, fixed)]
        aligned = self.matcher.align(seg_cells) if any(seg_cells) else [(None, False)] * len(cells)
        columns: list[Column] = []
        physical: list[int | None] = []
        clean = True
        segments = 0
        for cell, f, (seg, cont) in zip(cells, fixed, aligned):
            if f is not None:
                columns.extend(f)
                physical.append(len(columns) - 1 if len(f) == 1 else None)
                clean = clean and len(f) == 1
                continue
            if seg is None:
                physical.append(None)
                clean = False
                continue
            if cont and columns and columns[-1].role == "segment" and columns[-1].segment == self.matcher.ids[seg]:
                physical.append(len(columns) - 1)
                clean = False
                columns[-1] = replace(columns[-1], header=columns[-1].header + " " + cell)
                continue
            columns.append(Column("segment", segment=self.matcher.ids[seg], header=cell))
            physical.append(len(columns) - 1)
            segments += 1
        return columns, physical, clean, segments

    def resolve_text(self, text: str) -> tuple[list[Column], int]:
        """Columns from header text on lines of its own (segment names written in full)."""
        t = match_form(text)
        marks = [(a, b, Column("segment", segment=self.matcher.ids[i], header=t[a:b]))
                 for a, b, i in self.matcher.find_in_text(t)]
        taken = [(a, b) for a, b, _ in marks]
        for cue in self.config.offset_columns + self.config.total_columns:
            for m in re.finditer(re.escape(cue), t):
                if all(m.end() <= a or m.start() >= b for a, b in taken):
                    role = "offset" if cue in self.config.offset_columns else "total"
                    marks.append((m.start(), m.end(), Column(role, header=cue)))
                    taken.append((m.start(), m.end()))
        for start, column in self._cues_in(t):
            if all(start < a or start >= b for a, b in taken):
                marks.append((start, start + len(column.header), column))
                taken.append((start, start + len(column.header)))
        marks.sort(key=lambda x: x[0])
        columns = [c for _, _, c in marks]
        return columns, sum(1 for c in columns if c.role == "segment")

    def lines_above(self, table: Table, stop_line: int) -> str:
        """Header text on lines of its own just above a table (PDF text), up to its unit/caption."""
        parts = []
        for number in range(table.line - 1, max(stop_line, table.line - 40), -1):
            line = self.doc.line(number)
            if line.role != "content":
                continue
            text = line.text
            if find_unit(text) or re.search(r"財務情報|\d{2,}", text) or len(text) > 30:
                break
            parts.append(text)
        return "".join(reversed(parts))

    def unit_of(self, table: Table, previous_end: int, previous_unit: str) -> str:
        if table.unit:
            return table.unit
        for cell in table.header:
            m = re.search(r"\((千円|百万円|億円|円)\)", unicodedata.normalize("NFKC", cell))
            if m:
                return m.group(1)
        for number in range(table.line - 1, max(previous_end, table.line - 40, 0), -1):
            unit = find_unit(self.doc.line(number).text)
            if unit:
                return unit
        return previous_unit

    def rows_above(self, table: Table, stop_line: int) -> tuple[str, list[TableRow]]:
        """A header line and rows just above a table that the structure stage left as text.

        PDF text: a summary table's first rows, broken by the wrapped text of its
        last column, may not look like a table; they lie between the header line
        (科目 予算 決算 差引 …) and the rows that did.  Returned only when that
        header line is found.
        """
        rows: list[TableRow] = []
        for number in range(table.line - 1, max(stop_line, table.line - 30, 0), -1):
            line = self.doc.line(number)
            if line.role != "content":
                continue
            if find_unit(line.text):
                break
            cues = self._cues_in(line.text)
            if len(cues) >= 2 and not re.search(r"\d", line.text):
                return line.text, rows
            tokens = [unicodedata.normalize("NFKC", t) for t in line.raw.split()]
            first = next((i for i, t in enumerate(tokens) if _is_number(t)), None)
            if not first:
                continue
            last = first
            while last < len(tokens) and _is_number(tokens[last]):
                last += 1
            if last - first >= 2:
                rows.insert(0, TableRow(number, tuple(["".join(tokens[:first])] + tokens[first:last]), number))
        return "", []

    def caption_above(self, table: Table, stop_line: int) -> str:
        """A statement's title on a line of its own above a caption-less table (PDF text)."""
        cues = [cue for statement in self.config.statements for cue in statement.caption]
        for number in range(table.line - 1, max(stop_line, table.line - 40, 0), -1):
            line = self.doc.line(number)
            if line.role != "content" or len(line.text) > 40:
                continue
            form = _form(line.text)
            core = re.sub(r"^[(]?\d+[)]", "", form)
            core = re.sub(r"\([^()]*\)$", "", core)
            # 「(事業別財務情報(貸借対照表関係))」, or a statement's bare title; not the notes
            # to the statements, 「(貸借対照表関係)」.
            numbered = core != form and re.match(r"^[(]?\d+[)]", form)
            if ("財務情報" in form and any(cue in form for cue in cues)) or (numbered and core in cues):
                return line.text
        return ""

    def read(self, table: Table, trail, previous: Reading | None, previous_end: int) -> tuple[Reading | None, str | None]:
        """How to read ``table``, or why it cannot be read (a warning), or (None, None): not figures."""
        statement = self.statement_of(table, trail, above=False)
        if statement is None:
            caption = "" if table.caption else self.caption_above(table, previous_end)
            if caption:
                table = replace(table, caption=caption)
            statement = self.statement_of(table, trail)
        elif statement is not None and not table.caption:
            caption = self.caption_above(table, previous_end)
            if caption and any(cue in _form(caption) for cue in statement.caption):
                table = replace(table, caption=caption)
        top_part = trail[1].line if len(trail) > 1 else 0
        if statement is None:
            return None, None
        numeric_rows = [r for r in table.rows if any(_is_number(c) for c in r.cells[1:])]
        if not numeric_rows:
            return None, None
        same_part = previous is not None and previous.top_part == top_part
        unit = self.unit_of(table, previous_end, previous.unit if same_part else "")
        try:
            unit_scale(unit)
        except ValueError:
            unit = ""
        if not unit:
            return None, f"table {self.name(table, statement)}: no unit (単位) stated; skipped"
        caption_year = parse_fiscal_year(table.caption, self.era) if table.caption else None
        year = caption_year or self.fiscal_year
        default_kind = self.default_kind(table, trail)
        segment = self.trail_segment(trail)
        header = list(table.header)
        cells = header
        if header and (_form(header[0]) in self.config.label_columns or self.header_column(header[0]) is None):
            cells = header[1:]  # the title of the row-label column (科目, 区分, …)
        columns, physical, clean, segments = self.resolve(cells) if cells else ([], [], False, 0)
        if statement.line_item:  # rows are segments, columns are years
            if not any(c.role == "value" for c in columns):
                return None, (f"table {self.name(table, statement)}: columns garbled beyond recognition "
                              f"(header: {' | '.join(header) or 'none'}); skipped")
            return self.read_transposed(table, statement, columns, physical, clean, unit, year, default_kind,
                                        top_part), None
        extra_rows: list[TableRow] = []
        value_columns = [c for c in columns if c.role in ("value", "segment", "total", "offset")]
        if segments < 2 and not value_columns:
            # No header row (PDF text): label-only rows at the top of the table, lines above it.
            top_text = ""
            for row in table.rows:
                if any(_is_number(c) for c in row.cells):
                    break
                top_text += "".join(row.cells)
            above = self.lines_above(table, previous_end)
            text_columns, text_segments = self.resolve_text(above + top_text)
            if text_segments < 2:
                text_columns, text_segments = self.resolve_text(top_text or above)
            if text_segments < 2 and not any(c.role == "value" for c in text_columns):
                header_line, extra_rows = self.rows_above(table, max(previous_end, trail[-1].line if trail else 0))
                text_columns, text_segments = self.resolve_text(header_line)
            if text_segments >= 2 or any(c.role == "value" for c in text_columns):
                columns, physical, clean, segments = text_columns, None, False, text_segments
                value_columns = [c for c in columns if c.role in ("value", "segment", "total", "offset")]
        if not value_columns and previous is not None and same_part and not table.caption \
                and table.line - previous_end <= 25 and not header:
            # A table split by a page break: the rest of the previous table's rows.
            return replace(previous, table=table, physical=None, clean=False, extra_rows=[]), None
        if not value_columns:
            widths = {len([c for c in r.cells[1:] if _is_number(c)]) for r in numeric_rows}
            if widths == {1} and len(header) <= 2:
                columns = [Column("value", kind="amount", header=header[-1] if header else "")]
                physical, clean = [0], bool(header)
            else:
                return None, (f"table {self.name(table, statement)}: columns garbled beyond recognition "
                              f"(header: {' | '.join(header) or 'none'}); skipped")
        if segments >= 2:
            presentation = "segment"
        else:
            kinds = {(c.kind, c.year) for c in columns if c.role == "value"}
            if len(kinds) >= 2:
                presentation = "budget-report" if unit_scale(unit) == 1 else "summary"
            else:
                presentation = "summary" if segment else "statement"
        return Reading(table=table, statement=statement, presentation=presentation, columns=columns,
                       physical=physical, clean=clean, unit=unit, fiscal_year=year, default_kind=default_kind,
                       segment=segment if presentation != "segment" else None, top_part=top_part,
                       extra_rows=extra_rows), None

    def read_transposed(self, table, statement, columns, physical, clean, unit, year, default_kind, top_part) -> Reading:
        labels = [_clean_label(r.cells[0]) if r.cells else "" for r in table.rows]
        totals = [_form(l) in self.config.total_columns for l in labels]
        aligned = self.matcher.align([l if not t else "" for l, t in zip(labels, totals)])
        row_segments = {}
        for row, label, total, (seg, _) in zip(table.rows, labels, totals, aligned):
            if total:
                row_segments[row.line] = None
            elif seg is not None:
                row_segments[row.line] = self.matcher.ids[seg]
        columns = [c if c.role != "value" or c.kind != "amount" else replace(c, kind=default_kind) for c in columns]
        return Reading(table=table, statement=statement, presentation="segment", columns=columns,
                       physical=physical, clean=clean, unit=unit, fiscal_year=year, default_kind=default_kind,
                       transposed=True, row_segments=row_segments, top_part=top_part)

    @staticmethod
    def name(table: Table, statement: Statement) -> str:
        return f"「{table.caption or statement.ja}」"


# ───────────────────────── rows → figures ─────────────────────────

@dataclass
class Cell:
    row: TableRow
    label: str
    column: int  # index into Reading.columns
    amount: Decimal  # yen


def _row_parts(row: TableRow) -> tuple[str, list[str]]:
    cells = list(row.cells)
    if not cells:
        return "", []
    if cells[0].strip() == "" and len(cells) > 1 and cells[1].strip() and not _is_number(cells[1]):
        label, rest = cells[1], cells[2:]
        return _clean_label(label), rest
    if _is_number(cells[0]):
        return "", cells
    label, rest = cells[0], cells[1:]
    # A label repeated in the next cell (PDF text): keep one.
    if rest and not _is_number(rest[0]) and _form(rest[0]) == _form(label):
        rest = rest[1:]
    return _clean_label(label), rest


def _align(reading: Reading, values: list[str], unit: str) -> list[dict[int, Decimal]]:
    """Candidate readings of a row's value cells: {column index: amount}, the likeliest first.

    By position when the header is clean (one header cell per column) and the
    row has as many cells; else in order when the row has exactly one figure
    per column (PDF text drops empty cells); in a per-segment table whose rows
    lost their last (合計) figure, the figures in order for the segments.
    """
    figure_columns = [i for i, c in enumerate(reading.columns) if c.role != "note"]
    candidates = []
    parsed = [_number(v, unit) for v in values]
    if reading.clean and reading.physical is not None and len(values) == len(reading.physical):
        by_column: dict[int, Decimal] = {}
        ok = True
        for amount, column in zip(parsed, reading.physical):
            if amount is None:
                continue
            if column is None or column in by_column:
                ok = False
                break
            by_column[column] = amount
        if ok and by_column:
            candidates.append(by_column)
    numbers = [a for a in parsed if a is not None]
    if len(numbers) == len(figure_columns):
        compact = dict(zip(figure_columns, numbers))
        if compact not in candidates:
            candidates.append(compact)
    elif len(numbers) == len(figure_columns) - 1 and \
            reading.columns[figure_columns[-1]].role == "total" and len(numbers) >= 3:
        # The 合計 figure is missing; unless the last figure is already the sum of the others.
        tolerance = _tolerance(unit, len(numbers))
        if abs(sum(numbers[:-1], Decimal(0)) - numbers[-1]) > tolerance:
            candidates.append(dict(zip(figure_columns[:-1], numbers)))
    return candidates


def _sums_to_total(reading: Reading, figures: dict[int, Decimal], tolerance: Decimal) -> bool | None:
    total = next((i for i, c in enumerate(reading.columns) if c.role == "total"), None)
    parts = [i for i, c in enumerate(reading.columns) if c.role == "segment"]
    if total is None or total not in figures or not parts:
        return None
    # Eliminations reduce the total, whichever sign the document writes them with.
    offsets = sum((abs(figures.get(i, Decimal(0))) for i, c in enumerate(reading.columns) if c.role == "offset"),
                  Decimal(0))
    return abs(sum((figures.get(i, Decimal(0)) for i in parts), Decimal(0)) - offsets - figures[total]) <= tolerance


def _restore_signs(reading: Reading, figures: dict[int, Decimal], tolerance: Decimal) -> dict[int, Decimal] | None:
    """The row with the minus signs the PDF text dropped put back, when that makes it add up.

    The text of a per-segment table loses the △ of a negative figure (a segment's
    loss, a negative 積立金).  When the segments do not add up to the stated 合計,
    every choice of signs for the non-zero segment figures is tried; the reading is
    taken only when exactly one choice (with the fewest negatives) adds up.
    None: no such unique choice (or too many figures to try).
    """
    total = next((i for i, c in enumerate(reading.columns) if c.role == "total"), None)
    parts = [i for i, c in enumerate(reading.columns)
             if c.role == "segment" and figures.get(i, Decimal(0)) > 0]
    if total is None or total not in figures or not parts or len(parts) > 12:
        return None
    offsets = sum((abs(figures.get(i, Decimal(0))) for i, c in enumerate(reading.columns) if c.role == "offset"),
                  Decimal(0))
    fixed = sum((v for i, v in figures.items() if reading.columns[i].role == "segment" and i not in parts),
                Decimal(0))
    target = figures[total] + offsets - fixed
    found: list[int] = []
    for mask in range(1, 1 << len(parts)):
        added = sum((-figures[i] if mask >> k & 1 else figures[i] for k, i in enumerate(parts)), Decimal(0))
        if abs(added - target) <= tolerance:
            found.append(mask)
    if not found:
        return None
    fewest = min(bin(m).count("1") for m in found)
    best = [m for m in found if bin(m).count("1") == fewest]
    if len(best) != 1:
        return None
    out = dict(figures)
    for k, i in enumerate(parts):
        if best[0] >> k & 1:
            out[i] = -figures[i]
    return out


def _tolerance(unit: str, parts: int) -> Decimal:
    scale = unit_scale(unit)
    if scale == 1:
        return Decimal(0)
    return Decimal(scale) * Decimal(parts + 1) / 2


@dataclass
class _Group:
    name: str
    members: list = field(default_factory=list)  # (label, {column: amount}, is a total)
    complete: bool = True


class TotalChecker:
    """The totals a table states, against the sum of their parts (one column at a time).

    A ``X合計`` row (or a value row named like an open heading, as in a cash-flow
    statement) closes the group the heading ``X`` opened, and is compared with
    the group's direct members (sub-groups count by their own totals).  With no
    such group open, ``X合計`` equals a row ``X`` above it (当期変動額 …
    当期変動額合計), or the rows whose names make up its name (負債合計 and
    純資産合計 make 負債純資産合計), or the plain rows since the previous total
    (収益計, 資金収入合計, the 計 of a table).  A group or run with a row that could
    not be read is not checked, and neither are difference columns (差額, 増減:
    the documents write every difference as a positive amount).
    """

    def __init__(self, reading: Reading, config: FiguresConfig, warn):
        self.reading = reading
        self.config = config
        self.warn = warn
        self.stack: list[_Group] = [_Group("")]
        self.run: _Group = _Group("")  # rows since the previous total at the current level

    def open_groups(self) -> list[str]:
        return [g.name for g in self.stack[1:]]

    def _sign(self, label: str) -> int:
        form = _form(label)
        return -1 if any(p.fullmatch(form) for p in self.reading.statement.subtract) else 1

    def skipped(self) -> None:
        for group in self.stack:
            group.complete = False
        self.run.complete = False

    def heading(self, label: str) -> None:
        self.stack.append(_Group(_bare_label(label).removesuffix("の部")))
        self.run = _Group("")

    def row(self, row: TableRow, label: str, figures: dict[int, Decimal]) -> None:
        name = _bare_label(label).removesuffix("の部")
        suffix = next((x for x in self.config.total_suffixes if name.endswith(x) and len(name) > len(x)), None)
        base = name[: -len(suffix)] if suffix else None
        if name in self.config.total_columns:
            base = ""
        index = None
        if base:
            index = next((i for i in range(len(self.stack) - 1, 0, -1) if self.stack[i].name == base), None)
        elif base is None:
            index = next((i for i in range(len(self.stack) - 1, 0, -1) if self.stack[i].name == name), None)
        if index is not None:
            group = self.stack[index]
            if group.complete:
                self.compare(row, label, [(l, f) for l, f, _ in group.members], figures)
            del self.stack[index:]
            self.add(label, figures, True)
            self.run = _Group("")
            return
        if base is None:
            self.add(label, figures, False)
            self.run.members.append((label, figures, False))
            return
        parts = self.parts_of(base)
        if parts is not None and self.run.complete:
            self.compare(row, label, parts, figures)
        self.add(label, figures, True)
        self.run = _Group("")

    def parts_of(self, base: str) -> list | None:
        members = self.run.members
        if base:
            same = [(l, f) for l, f, _ in members if _bare_label(l) == base]
            if same:
                return same[-1:]
            # The totals whose names make up this one's (負債 + 純資産 = 負債純資産).
            level = self.stack[-1].members
            names = [(_bare_label(l), l, f) for l, f, total in level if total]
            for start in range(len(names)):
                chosen, text = [], ""
                for bare, l, f in names[start:]:
                    piece = bare
                    for x in self.config.total_suffixes:
                        if piece.endswith(x):
                            piece = piece[: -len(x)]
                            break
                    text += piece
                    chosen.append((l, f))
                    if text == base and len(chosen) >= 2:
                        return chosen
                    if not base.startswith(text):
                        break
        if members and not any(total for _, _, total in members):
            return [(l, f) for l, f, _ in members]
        return None

    def add(self, label, figures, total) -> None:
        self.stack[-1].members.append((label, figures, total))

    def compare(self, row, label, parts, figures) -> None:
        if not parts or not self.reading.statement.check:
            return
        problems = []
        for column, stated in figures.items():
            if self.reading.columns[column].kind == "difference":
                continue
            values = [(self._sign(l), f[column]) for l, f in parts if column in f]
            if not values:
                continue
            added = sum((s * v for s, v in values), Decimal(0))
            tolerance = _tolerance(self.reading.unit, len(values))
            if abs(added - stated) > tolerance:
                problems.append(f"{self.column_name(column)}stated {_fmt(stated)}, sum of its {len(values)} "
                                f"parts {_fmt(added)}, difference {_fmt(stated - added)} yen")
        if problems:
            self.warn(row.line, f"total {label} disagrees with its parts: " + "; ".join(problems))

    def column_name(self, column: int) -> str:
        col = self.reading.columns[column]
        header = col.segment or col.header
        return f"[{header}] " if header and len(self.reading.columns) > 1 else ""


def _fmt(amount: Decimal) -> str:
    return f"{amount:,}"


# ───────────────────────── the extractor ─────────────────────────

def observation_id(doc_id: str, table_line: int, row_line: int, column: int) -> str:
    key = f"{doc_id}\x1f{table_line}\x1f{row_line}\x1f{column}".encode("utf-8")
    return f"observation/{doc_id}-{hashlib.sha1(key).hexdigest()[:12]}"


def slice_id(doc_id: str, table_line: int, row_line: int, year: int, segment: str | None) -> str:
    key = f"{doc_id}\x1f{table_line}\x1f{row_line}\x1f{year}\x1f{segment or ''}".encode("utf-8")
    return f"slice/{doc_id}-{hashlib.sha1(key).hexdigest()[:12]}"


def dataset_id(reading: Reading) -> str:
    if reading.presentation == "statement" or reading.statement.line_item:
        return f"dataset/{reading.statement.id}"
    return f"dataset/{reading.presentation}-{reading.statement.id}"


def tables_with_trails(structure: DocumentStructure):
    def visit(section, trail):
        trail = trail + (section,)
        for table in section.tables:
            yield table, trail
        for child in section.children:
            yield from visit(child, trail)
    yield from visit(structure.root, ())


def extract_figures(doc: NormalisedDocument, structure: DocumentStructure, finder, context,
                    fiscal_year: int, extraction: Extraction) -> list[Fact]:
    """Every figure of the document's financial tables as a ``qb:Observation`` (see the module docstring)."""
    config = load_figures_config(Path(context.catalogue.path).parent / FIGURES_FILE)
    matcher = SegmentMatcher(context.catalogue, config.segment_min_score, config.segment_headers)
    reader = TableReader(doc, config, matcher, fiscal_year)
    facts: list[Fact] = []
    datasets: set[str] = set()
    previous: Reading | None = None
    previous_end = 0
    ordered = sorted(tables_with_trails(structure), key=lambda x: x[0].line)
    for table, trail in ordered:
        reading, problem = reader.read(table, trail, previous, previous_end)
        if problem:
            extraction.warnings.append(f"{doc.path}:{table.line}: {problem}")
        if reading is not None:
            facts.extend(_observations(doc, reading, config, extraction, datasets))
            previous = reading
        previous_end = max(previous_end, table.end_line)
    return facts


def _observations(doc, reading: Reading, config: FiguresConfig, extraction: Extraction, datasets: set) -> list[Fact]:
    table = reading.table
    facts: list[Fact] = []
    dataset = dataset_id(reading)

    def warn(line: int, message: str) -> None:
        extraction.warnings.append(f"{doc.path}:{line}: {TableReader.name(table, reading.statement)}: {message}")

    unaligned: list[int] = []
    unlabelled: list[int] = []
    signed: list[int] = []
    tolerance = _tolerance(reading.unit, sum(1 for c in reading.columns if c.role != "note"))
    # 1. Every row: a heading (label only), a row of figures, or a row that cannot be read.
    records: list[tuple[TableRow, str, dict[int, Decimal] | None]] = []
    for row in reading.extra_rows + list(table.rows):
        label, values = _row_parts(row)
        if not any(_number(v, reading.unit) is not None for v in values):
            if label:
                records.append((row, label, None))
            continue
        if not label:
            unlabelled.append(row.line)
            records.append((row, label, SKIPPED))
            continue
        if reading.transposed and row.line not in reading.row_segments:
            unaligned.append(row.line)
            records.append((row, label, SKIPPED))
            continue
        candidates = _align(reading, values, reading.unit)
        if not candidates:
            unaligned.append(row.line)
            records.append((row, label, SKIPPED))
            continue
        verdicts = [_sums_to_total(reading, c, tolerance) for c in candidates]
        figures = candidates[0]
        restored = _restore_signs(reading, figures, tolerance) if verdicts[0] is False and True not in verdicts else None
        if verdicts[0] is False and True in verdicts:
            figures = candidates[verdicts.index(True)]
        elif restored is not None:
            figures = restored
            signed.append(row.line)
        elif verdicts[0] is False and reading.statement.check:
            total = next(i for i, c in enumerate(reading.columns) if c.role == "total")
            parts = sum((v for i, v in figures.items() if reading.columns[i].role == "segment"), Decimal(0))
            offsets = sum((abs(v) for i, v in figures.items() if reading.columns[i].role == "offset"), Decimal(0))
            warn(row.line, f"{label} [合計] disagrees with the sum of the segments: stated {_fmt(figures[total])}, "
                           f"sum {_fmt(parts - offsets)}, difference {_fmt(figures[total] - parts + offsets)} yen")
        records.append((row, label, figures))
    # 2. Headings that a later row closes (流動資産 … 流動資産合計) are the groups of the rows between.
    closing = set()
    for _, label, figures in records:
        if figures is not None and figures != SKIPPED:
            name = _bare_label(label)
            closing.add(name)
            for suffix in config.total_suffixes:
                if name.endswith(suffix):
                    closing.add(name[: -len(suffix)])
    checker = TotalChecker(reading, config, warn)
    for row, label, figures in records:
        if figures is None:
            if _bare_label(label).removesuffix("の部") in closing:
                checker.heading(label)
            continue
        if figures == SKIPPED:
            checker.skipped()
            continue
        facts.extend(_row_facts(doc, reading, dataset, row, label, figures, checker.open_groups()))
        checker.row(row, label, figures)
    if unaligned:
        warn(unaligned[0], f"{len(unaligned)} of {len(table.rows)} rows cannot be aligned with the columns "
                           f"(garbled beyond recognition); skipped (lines {_lines(unaligned)})")
    if signed:
        warn(signed[0], f"{len(signed)} rows read with a minus sign the text lost (△), so that the segments add up "
                        f"to the stated 合計 (lines {_lines(signed)})")
    if unlabelled:
        warn(unlabelled[0], f"{len(unlabelled)} rows have figures but no row label (PDF layout); skipped "
                            f"(lines {_lines(unlabelled)})")
    if facts and dataset not in datasets:
        datasets.add(dataset)
        facts.extend(_dataset_facts(doc, reading, dataset, config))
    return facts


SKIPPED: dict = {"skipped": True}


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:8])
    return shown + (", …" if len(lines) > 8 else "")


def _row_facts(doc, reading: Reading, dataset: str, row: TableRow, label: str, figures: dict[int, Decimal],
               groups: list[str]) -> list[Fact]:
    facts = []
    quote = doc.line(row.line).raw.strip()
    caption = reading.table.caption or reading.statement.ja
    unit_note = f"(単位:{reading.unit})"
    group = " > ".join(groups) if groups and not reading.transposed else None
    slices: set[str] = set()
    for index, amount in sorted(figures.items()):
        column = reading.columns[index]
        if column.role in ("note", "offset"):
            continue
        if reading.transposed:
            segment = reading.row_segments.get(row.line)
            line_item = reading.statement.line_item
        else:
            segment = column.segment if column.role == "segment" else reading.segment
            line_item = label
        kind = column.kind if column.role == "value" else reading.default_kind
        if kind == "amount":
            kind = reading.default_kind
        year = int(column.year or reading.fiscal_year)
        node = observation_id(doc.doc_id, reading.table.line, row.line, index)
        context = f"{caption} {unit_note} {label}"
        if column.header:
            context += f" [{column.header}]"
        context += f": {_fmt(amount)} 円"
        ev = Evidence(doc.doc_id, row.line, quote, context, row.end_line or row.line)
        # The dimensions a row's slice fixes: every one but the figure kind.
        fixed = [("jlis:fiscalYear", year, True), ("jlis:lineItem", line_item, True),
                 ("jlis:reportedIn", f"document/{doc.doc_id}", False)]
        if segment:
            fixed.append(("jlis:segment", segment, False))
        if group:
            fixed.append(("jlis:lineItemGroup", group, True))
        # One statement per observation: the measure's, quoting the row; the dimensions
        # are read from the same row and carry no statement of their own.
        facts += [
            Fact(node, "rdf:type", "qb:Observation", ev, statement=False),
            Fact(node, "qb:dataSet", dataset, ev, statement=False),
            Fact(node, "jlis:figureKind", kind, ev, literal=True, statement=False),
            Fact(node, "jlis:amountJPY", amount, ev, literal=True),
        ]
        facts += [Fact(node, p, value, ev, literal=literal, statement=False) for p, value, literal in fixed]
        # The figures of the row that share a fiscal year and segment (a budget, its settlement
        # and their difference) are one qb:Slice with the values it fixes (qb:SliceKey
        # slicekey/table-row), so that a query reaches the rest of a row from one figure in
        # one step and reads the row's line item once.
        row_slice = slice_id(doc.doc_id, reading.table.line, row.line, year, segment)
        facts.append(Fact(row_slice, "qb:observation", node, ev, statement=False))
        if row_slice not in slices:
            slices.add(row_slice)
            facts += [Fact(row_slice, "rdf:type", "qb:Slice", ev, statement=False),
                      Fact(row_slice, "qb:sliceStructure", ROW_SLICE_KEY, ev, statement=False),
                      Fact(dataset, "qb:slice", row_slice, ev, statement=False)]
            facts += [Fact(row_slice, p, value, ev, literal=literal, statement=False) for p, value, literal in fixed]
    return facts


def _dataset_facts(doc, reading: Reading, dataset: str, config: FiguresConfig) -> list[Fact]:
    line = reading.table.line
    ev = Evidence(doc.doc_id, line, doc.line(line).raw.strip() or reading.statement.ja,
                  reading.table.caption or reading.statement.ja, line)
    pre_ja, pre_en = config.presentations.get(reading.presentation, ("", ""))
    if reading.statement.line_item:
        pre_ja = pre_en = ""
    label_ja = f"{pre_ja} {reading.statement.ja}".strip()
    label_en = f"{reading.statement.en} ({pre_en})" if pre_en else reading.statement.en
    return [
        Fact(dataset, "rdf:type", "qb:DataSet", ev),
        Fact(dataset, "qb:structure", FIGURE_DSD, ev),
        Fact(dataset, "skos:prefLabel", label_ja, ev, literal=True, lang="ja"),
        Fact(dataset, "skos:prefLabel", label_en[:1].upper() + label_en[1:], ev, literal=True, lang="en"),
    ]
