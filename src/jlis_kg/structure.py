"""Document structure: :class:`NormalisedDocument` ─► :class:`DocumentStructure`.

One job: find the section tree, the paragraphs and list items (blocks) and the
tables of a normalised document.  It reads only ``SourceLine``s whose role is
``content``; footnote bodies, page furniture and blank lines never become
headings, blocks or table rows (they may sit *inside* a paragraph or table,
which simply continues after them).

Headings
    Numbering styles, from the outside in as the documents usually nest them:
    ``chapter`` (第1章), ``kanji`` (一, 十二), ``arabic`` (1, １), ``paren``
    ((1), （１）), ``paren-katakana`` ((ア)), ``katakana`` (ア, イ) and ``markdown``
    (``#`` without a number).  A numbered line is a heading only when it is
    short (at most 40 characters once bracketed asides are left out) and has
    no 。 outside brackets; otherwise it is a numbered list item.  A heading
    whose brackets are still open at the end of the line (PDF text) takes the
    next short line as the rest of its title.  Consecutive numbered lines of
    one style with no text between them (``ア 定款の変更`` / ``イ 業務方法書の…``,
    an agenda ``1 開会`` / ``2 議事``) are list items, not headings; circled
    numbers (①) are always items.  Table-of-contents lines are tables (they
    are tab separated here), never headings.  A title must start with a
    letter, kana/kanji or an opening bracket (``(1):令和5年`` is a table cell),
    and a list in a style that is not open yet must start at one of its first
    three numbers (``ス テム(PMS))への`` is broken table text, not item 13).

    Depth comes from a stack of open numbering styles, not from the
    inconsistent ``#`` counts of the markdown files:

    * a style that is not open nests under the innermost open section;
    * a style that is open closes back to the level where that style was
      opened: to the open section whose number is one less (``(2)`` after
      ``(1)``), else to the innermost section of that style; a number 1 of an
      open style starts a new, deeper list (``1 本人確認情報処理事務等`` then
      ``1 住民基本台帳ネットワークシステム等の運営``), but only once: with two
      levels of a style open, a further 1 is a sibling of the inner one;
    * a heading that repeats the open section's number and title (a heading
      repeated at the top of a page) continues that section;
    * a heading listed in the document's table of contents goes to the
      outermost open level of its style — the contents list the top level;
    * ``ニ`` where a kanji ``二`` is due (OCR) is read as kanji.

    A plain line that names one of the documents bound into a file
    (``平成30年度事業計画(案)``, ``令和2年度決算の概要``: era, 年度, and a
    document kind) is read as a ``#`` heading, so that each bound document
    gets its own top-level section.

    ``#`` counts matter only for headings without a number: ``#`` (one hash)
    starts a new top-level part; ``##``… close earlier unnumbered headings
    with as many or more hashes and otherwise nest under the current numbered
    context.  A numbered heading whose style is not open also closes
    unnumbered headings with as many or more hashes than its own.

Blocks
    A paragraph continues onto the next content line (across blank lines,
    footnotes and page numbers) when its last line does not end a sentence
    (。) and either ends with kana/、/an open bracket or is at least 30
    characters long (a hard-wrapped line of PDF text), and the next line is
    plain text — not a heading, bullet, numbered item, table or caption.
    Bullets (``・``) and numbered items are ``kind="item"`` and continue the same
    way; headings are ``kind="heading"`` blocks at the start of their section.
    ``Block.spans`` maps offsets in the joined text to source lines.

Tables
    ``tsv`` (tab-separated rows; a row starting with a tab whose only cell is
    text continues the row above — into the same column, or into the last
    filled cell when it is a further ``・`` item; a new header row after a
    gap starts a new table), ``markdown`` (pipe tables), ``html``
    (``<table>``) and ``spaced`` (PDF text, best effort: meeting rows
    ``第47回 令和5年4月1日 ・議長の互選`` with their continuation lines, and runs
    of at least three ``label number number…`` rows, with section labels such
    as ``資産の部`` between them; their columns are split on the raw line's
    spaces, because normalisation glues ``資産 764,799`` together).  The
    caption is the nearest ``第N表`` or short title line above (skipping
    ``(単位：…)``, ``(…現在)``, ``[…示すもの]`` and ``様式第N号`` lines; for
    ``spaced`` tables only ``第N表`` and statement titles count, and the title
    may stand just below, as in PDF financial statements).  When nothing is
    found there, a ``第N表`` line up to 60 lines above in the same section is
    taken without being consumed (PDF text may put one table between another
    one's caption and rows).  The unit comes from ``(単位：…)`` near the
    caption.  The first row is the header when it has no numeric cell.  Rows
    with more cells than the header are kept and listed in ``problems``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Block, DocumentStructure, NormalisedDocument, Section, Table, TableRow
from .normalise import is_cjk, join_parts, normalise_text
from .values import find_unit

__all__ = ["build_structure"]

_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_HEADING_PATTERNS = (
    ("chapter", re.compile(r"^(第(\d{1,2})章)\s*(.*)$")),
    ("paren", re.compile(r"^(\((\d{1,2})\))\s*(.+)$")),
    ("paren-katakana", re.compile(r"^(\(([" + _KATAKANA + r"])\))\s*(.+)$")),
    ("kanji", re.compile(r"^(([一二三四五六七八九十]{1,3}))[ 、](.+)$")),
    ("katakana", re.compile(r"^(([" + _KATAKANA + r"])) (.+)$")),
    ("arabic", re.compile(r"^((\d{1,2})) (.+)$")),
    ("circled", re.compile(r"^(([" + _CIRCLED + r"]))\s*(.+)$")),
)
_BRACKETED = re.compile(r"\([^()]*\)|「[^「」]*」|【[^【】]*】|『[^『』]*』")
_BULLETS = ("・", "●", "○", "◆", "◇", "■", "□", "▪", "◎")
_CAPTION_RE = re.compile(r"第\s*\d+\s*表")
_NUMERIC_CELL = re.compile(r"^[△▲\-−]?\(?[△▲]?\d[\d,]*(?:\.\d+)?\)?(?:%|円|千円|百万円)?$|^[-―—−‐]$")
_NUM_TOKEN = re.compile(r"^[△▲\-−]?\(?[△▲]?\d[\d,]*(?:\.\d+)?\)?%?$|^[-―—]$")
_MEETING_ROW = re.compile(r"^(第\d{1,3}回)\s*((?:令和|平成|昭和)(?:元|\d{1,2})年\d{1,2}月\d{1,2}日)\s*(.*)$")
_DATE_NOTE = re.compile(r"^[(\[〔［].{0,40}(?:現在|まで|時点)[)\]〕］]?$")
_DESCRIPTION = re.compile(r"^[\[〔［【].*[\]〕］】]$")
_STATEMENT = re.compile(r"(?:表|書|書類|計算書|計画|明細書)$")
_SENTENCE_END = ("。", "｡", "！", "？")
_PART_TITLE = re.compile(r"^(?:平成|令和)(?:元|\d{1,2})年度.{0,20}(?:事業計画|方針|予算|決算|報告書|概要)(?:\(案\))?$")
# Lines between a caption and its table that are neither: form numbers and
# the column words of a one-column statement.
_FURNITURE = re.compile(r"^(?:様式第\d+号|科目|金額|区分|\(参考\))$")


def _kanji_value(s: str) -> int:
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS.get(ones, 0) if ones else 0)
    return _KANJI_DIGITS.get(s, 0)


@dataclass
class _Heading:
    style: str
    number: str
    value: int
    title: str
    hashes: int
    numbered: bool


def _parse_heading(text: str, raw: str) -> _Heading | None:
    stripped = raw.lstrip()
    hashes = len(stripped) - len(stripped.lstrip("#")) if stripped.startswith("#") else 0
    for style, pattern in _HEADING_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        number, key, title = m.group(1), m.group(2), m.group(3).strip()
        if not title and style != "chapter":
            continue
        if title and not (is_cjk(title[0]) or title[0].isalpha() or title[0] in "「(【『\"'" or re.match(r"\d+[^\d\s,.]", title)):
            continue  # "(1):令和5年" is a table cell, "95 ―" a number
        if style in ("arabic", "paren", "chapter"):
            value = int(key)
        elif style == "kanji":
            value = _kanji_value(key)
        elif style in ("katakana", "paren-katakana"):
            value = _KATAKANA.index(key) + 1
        else:
            value = _CIRCLED.index(key) + 1
        if value < 1:
            continue
        return _Heading(style, number, value, title, hashes, True)
    if hashes and text:
        return _Heading("markdown", "", 0, text, hashes, False)
    if _PART_TITLE.match(text):
        # "平成30年度事業計画(案)": the title page of one document bound into the file.
        return _Heading("markdown", "", 0, text, 1, False)
    return None


def _short_title(title: str) -> bool:
    bare = title
    for _ in range(3):
        bare = _BRACKETED.sub("", bare)
    return len(bare) <= 40 and "。" not in bare and not bare.endswith(("、", ","))


def _unbalanced(s: str) -> bool:
    return s.count("(") > s.count(")") or s.count("「") > s.count("」")


def _is_numeric(cell: str) -> bool:
    return bool(_NUMERIC_CELL.match(cell.replace(" ", "")))


# ───────────────────────── per-line analysis ─────────────────────────


@dataclass
class _L:
    number: int
    raw: str
    text: str
    kind: str = "text"  # text | tsv | pipe | html | heading | item | bullet
    heading: _Heading | None = None
    extra: list[int] = field(default_factory=list)  # further lines of a wrapped heading
    consumed: bool = False
    claimed: bool = False  # a caption that a table further down already uses


def _analyse(doc: NormalisedDocument) -> list[_L]:
    lines = [_L(l.number, l.raw, l.text) for l in doc.lines if l.role == "content" and (l.text or "\t" in l.raw)]
    i = 0
    in_html = False
    while i < len(lines):
        ln = lines[i]
        low = ln.raw.lower()
        if in_html or "<table" in low:
            ln.kind = "html"
            in_html = "</table>" not in low
            i += 1
            continue
        if "\t" in ln.raw:
            ln.kind = "tsv"
        elif re.match(r"^\s*(?:-\s+)?\|.*\|\s*$", ln.raw):
            ln.kind = "pipe"
        elif ln.text.startswith(_BULLETS) and not ln.raw.lstrip().startswith("#"):
            ln.kind = "bullet"
        else:
            h = _parse_heading(ln.text, ln.raw)
            if h is not None:
                ln.heading = h
                if h.numbered and _unbalanced(h.title) and i + 1 < len(lines):
                    nxt = lines[i + 1]
                    joined = h.title + nxt.text
                    if len(nxt.text) <= 30 and "\t" not in nxt.raw and not _unbalanced(joined):
                        h.title = joined
                        ln.extra.append(i + 1)
                        nxt.consumed = True
                if h.style == "circled" or (h.numbered and not h.hashes and not _short_title(h.title)):
                    ln.kind = "item"
                else:
                    ln.kind = "heading"
        i += 1 + len(ln.extra)
    _mark_list_runs(lines)
    return lines


def _mark_list_runs(lines: list[_L]) -> None:
    """Numbered lines of one style in a row, with no text between, are a list."""
    last: dict[str, int] = {}
    for i, ln in enumerate(lines):
        if ln.consumed:
            continue
        h = ln.heading
        if h is None or not h.numbered or ln.kind not in ("heading", "item"):
            last = {}
            continue
        if h.hashes:
            last = {}
            continue
        prev = last.get(h.style)
        if prev is not None and lines[prev].heading.value == h.value - 1:
            lines[prev].kind = "item"
            ln.kind = "item"
        last[h.style] = i


# ───────────────────────── tables ─────────────────────────


@dataclass
class _TableSpan:
    first: int  # index into the analysed lines where the table (or its caption) starts
    table: Table
    indices: list[int]
    toc: bool = False  # a table of contents: rows end with page numbers


def _lookback_caption(lines: list[_L], start: int, strict: bool = False) -> tuple[str, str, list[int]]:
    """Caption, unit and the line indices they use, from the lines above ``start``.

    ``strict`` (PDF tables) accepts only ``第N表`` and statement titles, since
    the line above a PDF table is as often the end of another table.
    """
    caption, unit, used = "", "", []
    j = start - 1
    steps = 0
    while j >= 0 and steps < 6:
        ln = lines[j]
        if ln.consumed or ln.kind in ("tsv", "pipe", "html", "bullet", "item"):
            break
        t = ln.text
        if ln.kind == "heading":
            # "## 予定貸借対照表", "(1) 貸借対照表 (令和3年3月31日現在)": the heading names the table.
            core = re.sub(r"\s*\([^()]*\)$", "", ln.heading.title)
            if not caption and (_STATEMENT.search(core) or _CAPTION_RE.search(core)):
                caption = core
            break
        u = find_unit(t)
        if _FURNITURE.match(t):
            used.append(j)
        elif u and len(t) <= 30:
            unit = unit or u
            used.append(j)
        elif _DATE_NOTE.match(t) or _DESCRIPTION.match(t):
            used.append(j)
        elif _CAPTION_RE.search(t) and len(t) <= 80 and "。" not in t:
            caption = t
            used.append(j)
            break
        elif len(t) <= 40 and not t.endswith(_SENTENCE_END) and (not strict or _STATEMENT.search(t)):
            caption = t
            used.append(j)
            break
        else:
            break
        j -= 1
        steps += 1
    return caption, unit, used


def _tables(lines: list[_L]) -> list[_TableSpan]:
    spans: list[_TableSpan] = []
    n = len(lines)
    i = 0
    while i < n:
        ln = lines[i]
        if ln.consumed:
            i += 1
            continue
        if ln.kind == "tsv":
            j = i + 1
            numeric_seen = any(_is_numeric(c) for c in _cells(ln) if c)
            while j < n and lines[j].kind == "tsv" and not lines[j].consumed:
                if lines[j].number - lines[j - 1].number > 1 and numeric_seen and _new_header(lines[j]):
                    break
                numeric_seen = numeric_seen or any(_is_numeric(c) for c in _cells(lines[j]) if c)
                j += 1
            spans.append(_tsv_table(lines, list(range(i, j))))
            i = j
        elif ln.kind == "pipe":
            j = i + 1
            while j < n and lines[j].kind == "pipe":
                j += 1
            spans.append(_pipe_table(lines, list(range(i, j))))
            i = j
        elif ln.kind == "html":
            j = i + 1
            while j < n and lines[j].kind == "html" and "<table" not in lines[j].raw.lower():
                j += 1
            spans.append(_html_table(lines, list(range(i, j))))
            i = j
        else:
            span = _spaced_table(lines, i)
            if span is None:
                i += 1
            else:
                spans.append(span)
                i = max(span.indices) + 1
        if spans:
            # Consumed at once, so that the next table's caption search stops here.
            for k in spans[-1].indices:
                lines[k].consumed = True
    return spans


def _cells(ln: _L) -> list[str]:
    return ln.text.split("\t")


def _new_header(row: _L) -> bool:
    cells = [c for c in _cells(row) if c]
    return len(cells) >= 2 and not any(_is_numeric(c) for c in cells)


def _finish(lines, indices, rows, header, source_format, caption_after=False, toc=False) -> _TableSpan:
    """Caption, unit, problems and line range around the rows of one table."""
    start = indices[0]
    caption, unit, used = _lookback_caption(lines, start, strict=source_format == "spaced")
    used = [u for u in used if not lines[u].consumed]
    far_line = 0
    if not caption:
        # PDF text may put another table between a caption and its rows.
        for j in range(start - 1, max(-1, start - 60), -1):
            ln = lines[j]
            if ln.kind == "heading":
                break
            if _CAPTION_RE.match(ln.text) and not ln.consumed and not ln.claimed:
                if len(ln.text) <= 60 and "。" not in ln.text:
                    caption, far_line = ln.text, ln.number
                    ln.claimed = True
                break
    if not caption and caption_after:
        last = max(indices)
        for j in range(last + 1, min(len(lines), last + 5)):
            ln = lines[j]
            if ln.consumed or ln.kind in ("heading", "tsv", "pipe"):
                break
            if _CAPTION_RE.search(ln.text) or (_STATEMENT.search(ln.text) and len(ln.text) <= 30):
                caption = ln.text
                used.append(j)
                for k in range(j + 1, min(len(lines), j + 3)):
                    if _DATE_NOTE.match(lines[k].text) or find_unit(lines[k].text):
                        used.append(k)
                    else:
                        break
                break
    all_idx = sorted(set(indices) | set(used))
    width = len(header)
    problems = []
    for r, row in enumerate(rows, 1):
        filled = len(row.cells)
        while filled and not row.cells[filled - 1]:
            filled -= 1
        if width and filled > width:
            problems.append(f"row {r} (line {row.line}) has {filled} cells, header has {width}")
    first_line = min([lines[k].number for k in all_idx] + ([far_line] if far_line else []))
    last_line = max(max(lines[k].number for k in all_idx), max((r.end_line for r in rows), default=0))
    table = Table(
        line=first_line,
        end_line=last_line,
        caption=caption,
        unit=unit,
        header=tuple(header),
        rows=tuple(rows),
        source_format=source_format,
        problems=tuple(problems),
    )
    return _TableSpan(all_idx[0], table, all_idx, toc)


def _tsv_table(lines: list[_L], indices: list[int]) -> _TableSpan:
    raw_rows: list[list] = []  # [cells, line, end_line]
    for k in indices:
        ln = lines[k]
        cells = _cells(ln)
        if all(re.fullmatch(r"-*", c.replace(" ", "")) for c in cells):
            continue  # "--\t---": a rule, not a row
        filled = [x for x, c in enumerate(cells) if c]
        if raw_rows and ln.raw.startswith("\t") and filled:
            prev = raw_rows[-1][0]
            numeric = any(_is_numeric(cells[x]) for x in filled)
            if len(raw_rows) == 1 and not numeric and not any(_is_numeric(c) for c in prev if c):
                # A header wrapped onto a second line: glue cell by cell.
                for x in filled:
                    while len(prev) <= x:
                        prev.append("")
                    prev[x] = prev[x] + join_parts(prev[x], cells[x]) + cells[x]
                raw_rows[-1][2] = ln.number
                continue
            if len(filled) == 1 and not numeric:
                x = filled[0]
                text = cells[x]
                prev_filled = [y for y, c in enumerate(prev) if c]
                if prev_filled:
                    target = None
                    if text.startswith(_BULLETS):
                        target = prev_filled[-1]
                    elif x < len(prev) and prev[x] and not prev[x].endswith((")", "」", "。")) and not prev[x][-1:].isdigit():
                        target = x
                    elif x >= len(prev) and not prev[prev_filled[-1]].endswith(("。",)):
                        target = prev_filled[-1]
                    if target is not None:
                        prev[target] = prev[target] + join_parts(prev[target], text) + text
                        raw_rows[-1][2] = ln.number
                        continue
        raw_rows.append([list(cells), ln.number, ln.number])
    header: list[str] = []
    body = raw_rows
    is_toc = False
    if raw_rows:
        last_cells = [next((c for c in reversed(r[0]) if c), "") for r in raw_rows]
        is_toc = sum(1 for c in last_cells if c.isdigit()) >= max(2, len(raw_rows) * 0.6) and all(
            len([c for c in r[0] if c]) <= 3 for r in raw_rows
        )
        first = [c for c in raw_rows[0][0] if c]
        if not is_toc and first and not any(_is_numeric(c) for c in first):
            header = raw_rows[0][0]
            body = raw_rows[1:]
    while header and not header[-1]:
        header = header[:-1]
    rows = []
    for cells, line, end in body:
        keep = max(len(header), max((x + 1 for x, c in enumerate(cells) if c), default=0))
        rows.append(TableRow(line, tuple(cells[:keep]), end))
    return _finish(lines, indices, rows, header, "tsv", toc=is_toc)


def _pipe_cells(raw: str) -> list[str]:
    s = raw.strip()
    s = re.sub(r"^-\s+", "", s).strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [normalise_text(c) for c in s.split("|")]


def _pipe_table(lines: list[_L], indices: list[int]) -> _TableSpan:
    rows_cells = []
    for k in indices:
        cells = _pipe_cells(lines[k].raw)
        if all(re.fullmatch(r":?-*:?", c.replace(" ", "")) for c in cells) and any(cells):
            continue  # |---|---|
        rows_cells.append((cells, lines[k].number))
    header: list[str] = []
    if rows_cells:
        header = rows_cells[0][0]
        rows_cells = rows_cells[1:]
    rows = [TableRow(line, tuple(cells), line) for cells, line in rows_cells]
    return _finish(lines, indices, rows, header, "markdown")


def _html_table(lines: list[_L], indices: list[int]) -> _TableSpan:
    html = "\n".join(lines[k].raw for k in indices)
    starts = {}
    offset = 0
    for k in indices:
        starts[offset] = lines[k].number
        offset += len(lines[k].raw) + 1
    offsets = sorted(starts)

    def line_of(pos: int) -> int:
        number = starts[offsets[0]]
        for o in offsets:
            if o > pos:
                break
            number = starts[o]
        return number

    header: list[str] = []
    rows = []
    for m in re.finditer(r"<tr[^>]*>(.*?)</tr>", html, re.S | re.I):
        cells = [normalise_text(re.sub(r"\s+", " ", c)) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", m.group(1), re.S | re.I)]
        if not header and not rows and re.search(r"<th", m.group(1), re.I):
            header = cells
            continue
        rows.append(TableRow(line_of(m.start()), tuple(cells), line_of(m.end())))
    return _finish(lines, indices, rows, header, "html")


def _numeric_row(raw: str) -> list[str] | None:
    """``label n n n [reason]`` → cells, or None when the line is not such a row.

    Read from the raw line: normalisation glues a label to the number after
    it (``資産 764,799`` → ``資産764,799``), while the raw spacing still
    separates the columns.
    """
    tokens = [normalise_text(t) for t in raw.split()]
    tokens = [t for t in tokens if t]
    first = next((x for x, t in enumerate(tokens) if _NUM_TOKEN.match(t)), None)
    if first is None:
        return None
    x = first
    while x < len(tokens) and _NUM_TOKEN.match(tokens[x]):
        x += 1
    trailing = tokens[x:]
    if trailing and not trailing[0].startswith(("・", "(", "▪")):
        return None
    label = normalise_text(" ".join(tokens[:first]))
    if len(label) > 40 or label.endswith(_SENTENCE_END):
        return None
    cells = [label] + tokens[first:x]
    if trailing:
        cells.append(normalise_text(" ".join(trailing)))
    return cells


def _meeting_continuation(cell: str, prev_piece: str, cur: _L) -> bool:
    """Whether ``cur`` continues the agenda cell of the meeting row above."""
    if cur.text.startswith(_BULLETS):
        return True
    if len(cur.raw.split()) > 1 or _CAPTION_RE.search(cur.text) or len(cur.text) > 30:
        return False
    # A wrapped agenda item: the piece above was a full line or left a bracket open.
    return _unbalanced(cell) or len(prev_piece) >= 20


def _header_tokens(ln: _L) -> list[str] | None:
    tokens = ln.raw.split()
    if not tokens or "。" in ln.text or any(_is_numeric(t) for t in tokens):
        return None
    if len(tokens) > 1 and all(len(t) == 1 for t in tokens):
        tokens = ["".join(tokens)]  # "金　　　　額": one letter-spaced word
    if len(tokens) == 1 and len(tokens[0]) <= 6:
        return [normalise_text(tokens[0])]
    if 2 <= len(tokens) <= 12 and all(len(t) <= 12 for t in tokens):
        return [normalise_text(t) for t in tokens]
    return None


def _spaced_table(lines: list[_L], i: int) -> _TableSpan | None:
    ln = lines[i]
    if ln.kind not in ("text",) or "\t" in ln.raw:
        return None
    n = len(lines)
    m = _MEETING_ROW.match(ln.text)
    if m:
        rows: list[list] = []
        j = i
        indices = []
        while j < n:
            cur = lines[j]
            if cur.consumed or cur.kind in ("heading", "tsv", "pipe", "html"):
                break
            mm = _MEETING_ROW.match(cur.text)
            if mm:
                rows.append([[mm.group(1), mm.group(2), mm.group(3)], cur.number, cur.number])
                prev_piece = mm.group(3)
            elif rows and _meeting_continuation(rows[-1][0][2], prev_piece, cur):
                last = rows[-1][0]
                last[2] = last[2] + join_parts(last[2], cur.text) + cur.text
                rows[-1][2] = cur.number
            else:
                break
            if not mm:
                prev_piece = cur.text
            indices.append(j)
            j += 1
        header: list[str] = []
        if i > 0 and not lines[i - 1].consumed and lines[i - 1].kind == "text":
            tokens = _header_tokens(lines[i - 1])
            if tokens:
                header = tokens
                indices.insert(0, i - 1)
        table_rows = [TableRow(line, tuple(cells), end) for cells, line, end in rows]
        return _finish(lines, indices, table_rows, header, "spaced")
    cells = _numeric_row(ln.raw)
    if cells is None:
        return None
    rows = []
    indices = []
    j = i
    numeric_rows = 0
    last_numeric = i
    while j < n:
        cur = lines[j]
        if cur.consumed or cur.kind not in ("text",):
            break
        cells = _numeric_row(cur.raw)
        if cells is not None:
            rows.append((cells, cur.number))
            numeric_rows += 1
            last_numeric = j
        elif (
            j - last_numeric <= 6  # a long run of labels is no longer this table (and keeps the scan linear)
            and len(cur.text) <= 25
            and not cur.text.endswith(_SENTENCE_END)
            and not _CAPTION_RE.search(cur.text)
            and not find_unit(cur.text)
        ):
            rows.append(([cur.text], cur.number))
        else:
            break
        indices.append(j)
        j += 1
    if numeric_rows < 3:
        return None
    keep = [(c, l) for c, l in rows if l <= lines[last_numeric].number]
    indices = [k for k in indices if k <= last_numeric]
    # Section labels just above the first number row ("資産の部", "流動資産").
    header: list[str] = []
    k = i - 1
    lead = []
    while k >= 0 and not lines[k].consumed and lines[k].kind == "text" and i - k <= 4:
        t = lines[k].text
        tokens = _header_tokens(lines[k])
        if tokens and (len(tokens) > 1 or t == "金額"):
            header = tokens
            indices.insert(0, k)
            break
        if len(t) <= 15 and not t.endswith(_SENTENCE_END) and not find_unit(t) and not _CAPTION_RE.search(t) and not _DATE_NOTE.match(t):
            lead.insert(0, ([t], lines[k].number))
            indices.insert(0, k)
            k -= 1
            continue
        break
    keep = lead + keep
    width = max(len(c) for c, _ in keep)
    if header and len(header) == width - 1:
        header = [""] + header
    table_rows = [TableRow(line, tuple(c), line) for c, line in keep]
    return _finish(lines, sorted(indices), table_rows, header, "spaced", caption_after=True)


def _toc_entries(spans: list[_TableSpan]) -> set:
    entries = set()
    for span in spans:
        if not span.toc:
            continue
        t = span.table
        rows = [r.cells for r in t.rows] + ([t.header] if t.header else [])
        for cells in rows:
            filled = [c for c in cells if c]
            if len(filled) < 2 or not filled[-1].isdigit():
                continue
            if filled[0].isdigit() and len(filled) >= 3:
                entries.add(("arabic", int(filled[0]), _key(filled[1])))
                continue
            h = _parse_heading(filled[0], "")
            if h is not None and h.numbered:
                entries.add((h.style, h.value, _key(h.title)))
    return entries


def _key(title: str) -> str:
    return re.sub(r"\s+", "", title)


# ───────────────────────── sections ─────────────────────────


@dataclass
class _Sec:
    title: str
    number: str
    style: str
    value: int
    hashes: int
    numbered: bool
    line: int
    level: int
    blocks: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    children: list = field(default_factory=list)


class _Tree:
    def __init__(self, toc: set):
        self.root = _Sec("", "", "root", 0, 0, True, 1, 0)
        self.stack: list[_Sec] = [self.root]
        self.toc = toc

    @property
    def current(self) -> _Sec:
        return self.stack[-1]

    def _push(self, h: _Heading, line: int) -> _Sec:
        parent = self.stack[-1]
        sec = _Sec(h.title, h.number, h.style, h.value, h.hashes, h.numbered, line, len(self.stack))
        parent.children.append(sec)
        self.stack.append(sec)
        return sec

    def _cut_unnumbered(self, hashes: int) -> None:
        cut = None
        for i in range(len(self.stack) - 1, 0, -1):
            e = self.stack[i]
            if e.numbered:
                continue
            if e.hashes >= hashes:
                cut = i
            else:
                break
        if cut is not None:
            del self.stack[cut:]

    def accepts(self, h: _Heading) -> bool:
        """A list in a style not yet open starts at its first numbers.

        ``ス テム(PMS))への`` or ``(4) 総合サイト…`` in the middle of PDF table
        text is no new heading level.
        """
        if not h.numbered or h.hashes or h.style == "chapter" or h.value <= 3:
            return True
        if h.style == "katakana" and h.number == "ニ":
            return True
        return any(e.style == h.style for e in self.stack)

    def place(self, h: _Heading, line: int) -> _Sec:
        if not h.numbered:
            if h.hashes <= 1:
                del self.stack[1:]
            else:
                self._cut_unnumbered(h.hashes)
            return self._push(h, line)
        if h.style == "katakana" and h.number == "ニ":
            kanji = [e for e in self.stack if e.style == "kanji"]
            kata = [e for e in self.stack if e.style == "katakana" and e.value == h.value - 1]
            if kanji and not kata:
                h = _Heading("kanji", "二", 2, h.title, h.hashes, True)
        same = [i for i in range(1, len(self.stack)) if self.stack[i].style == h.style]
        if not same:
            if h.hashes:
                self._cut_unnumbered(h.hashes)
            return self._push(h, line)
        for i in reversed(same):
            e = self.stack[i]
            if e.value == h.value and _key(e.title) == _key(h.title):
                del self.stack[i + 1:]
                return e
        if (h.style, h.value, _key(h.title)) in self.toc:
            target = same[0]
        else:
            seq = [i for i in reversed(same) if self.stack[i].value == h.value - 1]
            if seq:
                target = seq[0]
            elif h.value == 1 and len(same) < 2:
                # A list that starts again at 1 inside an open item nests; a
                # third level of one style is more likely a sibling list.
                return self._push(h, line)
            else:
                target = same[-1]
        del self.stack[target:]
        return self._push(h, line)


def _block(parts: list[tuple[str, int]], kind: str) -> Block:
    text = ""
    spans = []
    for piece, number in parts:
        if text:
            text += join_parts(text, piece)
        spans.append((len(text), number))
        text += piece
    return Block(text, tuple(spans), kind)


def _continues(prev_text: str, nxt: _L) -> bool:
    if nxt.consumed or nxt.kind != "text" or _CAPTION_RE.match(nxt.text):
        return False
    t = prev_text.rstrip()
    if not t or t.endswith(_SENTENCE_END):
        return False
    last = t[-1]
    open_end = ("\u3040" <= last <= "\u309f") or last in "、,(「『【・"
    return open_end or len(t) >= 30


def _freeze(sec: _Sec, end_of: dict[int, int]) -> Section:
    return Section(
        title=sec.title,
        number=sec.number,
        style=sec.style,
        level=sec.level,
        line=sec.line,
        end_line=end_of[id(sec)],
        blocks=tuple(sec.blocks),
        tables=tuple(sec.tables),
        children=tuple(_freeze(c, end_of) for c in sec.children),
    )


def build_structure(doc: NormalisedDocument) -> DocumentStructure:
    """The section tree, blocks and tables of ``doc``; see the module docstring."""
    lines = _analyse(doc)
    # TSV tables first: their tables of contents tell which headings are top level.
    spans = _tables(lines)
    toc = _toc_entries(spans)
    tree = _Tree(toc)
    if not doc.lines:
        tree.root.line = 0
    by_first = {span.first: span for span in spans}
    n = len(lines)
    i = 0
    while i < n:
        ln = lines[i]
        if i in by_first:
            span = by_first[i]
            tree.current.tables.append(span.table)
            i += 1
            continue
        if ln.consumed:
            i += 1
            continue
        if ln.kind == "heading" and tree.accepts(ln.heading):
            sec = tree.place(ln.heading, ln.number)
            parts = [(ln.text, ln.number)] + [(lines[k].text, lines[k].number) for k in ln.extra]
            sec.blocks.append(_block(parts, "heading"))
            i += 1 + len(ln.extra)
            continue
        kind = "item" if ln.kind in ("bullet", "item") else "paragraph"
        parts = [(ln.text, ln.number)]
        j = i + 1
        while j < n and j not in by_first and _continues(parts[-1][0], lines[j]):
            parts.append((lines[j].text, lines[j].number))
            j += 1
        tree.current.blocks.append(_block(parts, kind))
        i = j
    end_of = _end_lines(tree.root, doc)
    return DocumentStructure(doc.doc_id, _freeze(tree.root, end_of), doc.footnotes)


def _end_lines(root: _Sec, doc: NormalisedDocument) -> dict[int, int]:
    """Last line of every section: up to the next heading outside it, blanks trimmed."""
    order: list[tuple[_Sec, int]] = []  # pre-order with subtree size

    def walk(sec: _Sec) -> int:
        pos = len(order)
        order.append((sec, 0))
        size = 1
        for child in sec.children:
            size += walk(child)
        order[pos] = (sec, size)
        return size

    walk(root)
    total = len(doc.lines)
    end_of: dict[int, int] = {}
    for pos, (sec, size) in enumerate(order):
        nxt = pos + size
        end = order[nxt][0].line - 1 if nxt < len(order) else total
        while end > sec.line and doc.lines[end - 1].role == "blank":
            end -= 1
        end_of[id(sec)] = max(end, min(sec.line, total)) if total else 0
    if not total:
        end_of[id(root)] = 0
    return end_of
