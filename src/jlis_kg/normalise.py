"""Text normalisation: raw source lines ─► :class:`~jlis_kg.model.NormalisedDocument`.

One job: turn each physical line of a source file into clean, comparable text,
say what the line *is* (content, blank, page furniture, footnote) and collect
the footnotes.  Nothing here knows about sections, tables or entities.

``normalise_text`` — decisions
    * NFKC (full-width digits, letters and brackets become ASCII, ｶﾀｶﾅ become
      カタカナ), except circled numbers ①…⑳, which NFKC would turn into plain
      digits that then look like headings.  〜 is mapped to ~ like ～.
    * Letter-spaced digits are closed (``令和 3 年 6 月 2 3 日`` → ``令和3年6月23日``,
      ``1 5 : 0 0`` → ``15:00``) only when the run of single digits is followed
      by a non-number (a unit, 」, :, …) or preceded by ``:``.  A run that ends
      the line or is followed by another number is a row of table cells
      (``特別利益 0 0 0``, ``0 0 1,200,000,000``) and is left alone, and numbers
      separated by a space are never glued (``1,234 5,678`` stays two numbers).
    * Letter-spaced capitals are closed (``J - L I S`` → ``J-LIS``, ``F A Q`` → ``FAQ``).
    * Spaces are removed between two CJK characters (``理 事 長`` → ``理事長``),
      between CJK and a digit (``第 30 回`` → ``第30回``) and between CJK and an
      upper-case token such as an acronym (``LGWAN 全国センター`` →
      ``LGWAN全国センター``), because the PDF extraction puts spaces around every
      half-width run and the same name must read the same in every document.
      A space next to a word with lower-case letters is kept
      (``Management System の略``, ``Web サーバ``) for readability.  Other runs of
      white space collapse to one space.
    * A leading enumerator keeps exactly one space after it (``１ 名称`` →
      ``1 名称``, ``（１）事務局`` → ``(1) 事務局``, ``一 基本情報``, and a table
      number: ``第 3 表 令和 2 年度の…`` → ``第3表 令和2年度の…``), so that the
      structure stage still sees the number once CJK spaces are gone.  A number
      followed by a counter (``10 月には``, ``326 名``) or a particle
      (``第8表のとおり``) is no enumerator and is glued: ``10月には``.
    * Markdown: heading hashes, ``**bold**``, HTML tags and horizontal rules are
      dropped; a list bullet ``- ・ x`` becomes ``・x``; a bullet in front of an
      enumerator (``- (4) 総合行政…``) is dropped; any other ``- x`` becomes ``・x``.
      ``<ul><li>a</li><li>b</li></ul>`` becomes ``・a・b``, the same text a plain
      cell ``・ a ・ b`` normalises to.
    * Footnote markers ``¹²³``/``<sup>n</sup>`` are removed.  A tab-separated
      line is normalised cell by cell and keeps its tabs (leading ones too:
      they mark continuation rows).

``normalise_document`` — decisions
    * Roles: ``blank`` (white space, markdown rules), ``page-number``
      (``7/101``, ``- 4 -``; a bare number only when it sits within three lines
      of such a line, because bare numbers elsewhere are table cells or
      footnote markers), ``running-header`` (a short line that recurs next to
      page numbers on at least three pages — learnt from the file, never a
      fixed string), ``footnote`` and ``content``.
    * Footnote bodies are ``<sup>n</sup> text`` or ``¹² text`` (one line each),
      or, in PDF text without such markers, a line ``n text`` (or ``n`` alone
      followed by the text) where *n* is the next footnote number (footnotes
      are numbered through the file: *n* is at most 3 above the last one; the
      first may be any number up to 30) **and** a marker *n* glued to a
      preceding word (``自治体中間サーバー1・``, ``(PIA)4に``) stands on the same
      page.  Pages are rarely marked in the text, so "same page" is read as
      "within 200 lines", before or after: PDF extraction sometimes puts a
      page's footnote block before the end of its running text (004 puts
      footnotes 7 and 8 above a table that holds their markers).  The nearest
      such marker is taken and removed from the content; ``第1表``, ``365名``,
      ``11月``, ``令和5年`` are never touched (counters, 第 and eras are
      excluded, and a number needs a matching body).  When no clean marker
      exists, a marker glued to a following count is accepted
      (004 ``委託者14515 事業者`` → marker 14, ``委託者515事業者``).
      Bare-number bodies continue over the following lines that do not start
      with white space (a new PDF page starts with one) until a line ends a
      sentence; ``…の略。`` does not end one, because abbreviation footnotes go
      on to explain the term.
    * ``Footnote.anchor`` is the run of kanji/katakana/Latin letters just
      before the marker, read across a hard line break (only when the line
      above is a long line without 。, i.e. wrapped text, not a heading).  A
      ``・`` stays inside the run only between katakana (``サプライチェーン・リスク``,
      ``自治体中間サーバー・プラットフォーム``); between kanji it separates list
      items.  If the marker follows ``)``, the anchor is the word inside the
      brackets (``(PIA)4`` → ``PIA``).
"""
from __future__ import annotations

import html
import re
import unicodedata

from .model import Footnote, NormalisedDocument, SourceLine

__all__ = ["normalise_text", "normalise_document", "join_parts", "is_cjk"]

# ───────────────────────── character classes ─────────────────────────

_CJK_RANGES = (
    (0x3000, 0x303F),  # CJK punctuation 、。「」『』【】〔〕〜
    (0x3040, 0x309F),  # hiragana
    (0x30A0, 0x30FF),  # katakana incl. ・ and ー
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x2460, 0x2473),  # ①…⑳
    (0x2190, 0x21FF),  # arrows ⇒ →
    (0x25A0, 0x25FF),  # ■□◆○● (bullets); △▲ are handled as signs below
    (0x203B, 0x203B),  # ※
)
_SIGNS = "△▲"


def is_cjk(ch: str) -> bool:
    """True for Japanese script and full-width punctuation (after NFKC)."""
    if not ch or ch in _SIGNS:
        return False
    o = ord(ch)
    for lo, hi in _CJK_RANGES:
        if lo <= o <= hi:
            return True
    return ch == "~"  # ranges (9月3日~9月17日) are written without spaces


_SUP_RE = re.compile(r"<sup>[^<]{0,12}</sup>|[⁰¹²³⁴⁵⁶⁷⁸⁹]+", re.I)
_LI_RE = re.compile(r"<li[^>]*>(.*?)</li>", re.I | re.S)
_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
_FRAC_RE = re.compile(r"\$\s*\\frac\{([^}]*)\}\{([^}]*)\}\s*(=?)\s*([^$]*)\$")
_CIRCLED = re.compile(r"[\u2460-\u2473]")
_MD_HEADING = re.compile(r"^\s*#{1,6}(?:\s+|$)")
_MD_BULLET = re.compile(r"^\s*(?:[-*+]\s+)+")
_RULE_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")

# Counters and units that may follow a number: "10 月", "326 名", "12 回", "2か所".
# The second set are also the first character of ordinary words (名称, 点検,
# 社会), so they count only when no further kanji or katakana follows.
_COUNTERS = set("年月日時分秒週回件人歳万億兆千百円%倍枚")
_WORD_COUNTERS = set("個台部号表章条項節款社団店者校箇所点頁度期割桁名")
_KANA_COUNTERS = ("か所", "か月", "か国", "ヶ所", "ヶ月", "ヶ国", "カ所", "カ月", "カ国")


def _is_counter(after: str) -> bool:
    """Whether ``after`` (the text right after a number) starts with a counter or unit."""
    if not after:
        return False
    if after[0] in _COUNTERS or after.startswith(_KANA_COUNTERS):
        return True
    if after[0] in _WORD_COUNTERS:
        nxt = after[1:2]
        return not (nxt and ("\u30A0" <= nxt <= "\u30FF" or "\u3400" <= nxt <= "\u9FFF"))
    return False


_KANJI_NUM = "一二三四五六七八九十"
_KATAKANA_ENUM = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"

_ENUM_RE = re.compile(
    r"^(?P<enum>"
    r"第\s*\d{1,2}\s*[章節部編款]"
    r"|第\s*\d{1,3}\s*表"
    r"|\(\s*(?:\d{1,2}|[" + _KATAKANA_ENUM + r"])\s*\)"
    r"|[\u2460-\u2473]"
    r"|[" + _KANJI_NUM + r"]{1,3}(?=\s)"
    r"|[" + _KATAKANA_ENUM + r"](?=\s)"
    r"|\d{1,2}(?=\s)"
    r")\s*(?P<rest>\S.*)$"
)


def _title_start_ok(enum: str, rest: str) -> bool:
    """Whether ``rest`` can be the title after enumerator ``enum``."""
    first = rest[0]
    if first in "のをにはがでとへもや":
        return False  # "第8表のとおり": a particle, the number belongs to the sentence
    if enum[0].isdigit():
        if _is_counter(rest):
            return False  # "326 名", "10 月には": a count, not a numbered title
        if first.isdigit():
            # "1 3センター等の連携強化": a title that begins with a number.
            m = re.match(r"\d{1,2}(.)", rest)
            return bool(m) and is_cjk(m.group(1)) and not _is_counter(rest[m.start(1):])
        return is_cjk(first) or first.isalpha() or first in "(「【"
    if enum[0] in _KANJI_NUM or enum[0] in _KATAKANA_ENUM:
        return is_cjk(first) or first.isalpha() or first in "(「【"
    return True


def _nfkc(s: str) -> str:
    if _CIRCLED.search(s):
        parts = _CIRCLED.split(s)
        marks = _CIRCLED.findall(s)
        out = [unicodedata.normalize("NFKC", parts[0])]
        for mark, part in zip(marks, parts[1:]):
            out.append(mark)
            out.append(unicodedata.normalize("NFKC", part))
        s = "".join(out)
    else:
        s = unicodedata.normalize("NFKC", s)
    return s.replace("〜", "~")


_SPACED_DIGITS = re.compile(r"(?<![\d,.])\d(?: \d)+(?![\d,.])")
_SPACED_CAPS = re.compile(r"(?<![A-Za-z0-9])[A-Z](?:(?: - | -|- | )[A-Z])+(?![A-Za-z0-9])")
_WS = re.compile(r"\s+")
_LATIN_WORD_END = re.compile(r"[A-Za-z0-9\-/&.+]+$")
_LATIN_WORD_START = re.compile(r"[A-Za-z0-9\-/&.+]+")


def _close_spaced_digits(s: str) -> str:
    def repl(m: re.Match) -> str:
        after = s[m.end():]
        if after.startswith(" "):
            after = after[1:]
        before = s[: m.start()]
        if before.endswith(" "):
            before = before[:-1]
        nxt = after[:1]
        prev = before[-1:]
        if (nxt and not nxt.isdigit() and nxt not in "△▲-+,.(") or prev == ":":
            return m.group(0).replace(" ", "")
        return m.group(0)

    return _SPACED_DIGITS.sub(repl, s)


def _upper_word(word: str) -> bool:
    return any(c.isupper() for c in word) and not any(c.islower() for c in word)


def _fix_spaces(s: str) -> str:
    s = _SPACED_CAPS.sub(lambda m: m.group(0).replace(" ", ""), s)
    s = _close_spaced_digits(s)
    out: list[str] = []
    pos = 0
    for m in _WS.finditer(s):
        out.append(s[pos: m.start()])
        pos = m.end()
        a = s[m.start() - 1: m.start()]
        b = s[m.end(): m.end() + 1]
        if not a or not b:
            continue
        ca, cb = is_cjk(a), is_cjk(b)
        if ca and (cb or b.isdigit() or b == "(" or b in _SIGNS):
            remove = True
        elif cb and (a.isdigit() or a == ")"):
            remove = True
        elif a == "(" or b == ")":
            remove = True
        elif a in _SIGNS and b.isdigit():
            remove = True
        elif a.isdigit() and b == "%":
            remove = True
        elif (a == ":" and (b.isdigit() or cb)) or (b == ":" and (a.isdigit() or ca)):
            remove = True
        elif cb:
            # The word before is contiguous, so it can be read from the input.
            lw = _LATIN_WORD_END.search(s, 0, m.start())
            remove = bool(lw and _upper_word(lw.group(0)))
        elif ca:
            rw = _LATIN_WORD_START.match(s, m.end())
            remove = bool(rw and _upper_word(rw.group(0)))
        else:
            remove = False
        if not remove:
            out.append(" ")
    out.append(s[pos:])
    return "".join(out).strip()


def _strip_markup(s: str) -> str:
    s = _SUP_RE.sub("", s)
    if "<" in s:
        if "<li" in s.lower():
            s = _LI_RE.sub(lambda m: "・" + re.sub(r"^\s*[・･▪●○◆■]\s*", "", m.group(1)).strip(), s)
        s = _TAG_RE.sub(" ", s)
    if "&" in s:
        s = html.unescape(s)
    if "\\frac" in s:
        s = _FRAC_RE.sub(lambda m: f"{m.group(1)}/{m.group(2)} {m.group(3)} {m.group(4)}", s)
        s = s.replace("\\%", "%")
    return s


def _normalise_cell(s: str) -> str:
    s = _strip_markup(s)
    s = _nfkc(s)
    if _RULE_RE.match(s):
        return ""
    s = _MD_HEADING.sub("", s)
    s = s.replace("**", "")
    m = _MD_BULLET.match(s)
    if m:
        rest = s[m.end():].lstrip()
        if rest.startswith("・"):
            s = rest
        elif rest and _enumerator_split(rest) is not None:
            s = rest
        elif rest:
            s = "・" + rest
        else:
            s = ""
    s = s.strip()
    if not s:
        return ""
    split = _enumerator_split(s)
    if split is not None:
        enum, rest = split
        return enum + " " + _fix_spaces(rest)
    return _fix_spaces(s)


def _enumerator_split(s: str) -> tuple[str, str] | None:
    m = _ENUM_RE.match(s)
    if not m:
        return None
    enum, rest = m.group("enum"), m.group("rest")
    if not _title_start_ok(enum, rest):
        return None
    return re.sub(r"\s+", "", enum), rest


def normalise_text(s: str) -> str:
    """Normalise one line (or cell) of source text; see the module docstring."""
    if "\t" in s:
        return "\t".join(_normalise_cell(c) for c in s.split("\t"))
    return _normalise_cell(s)


def join_parts(left: str, right: str) -> str:
    """Separator to put between two hard-broken pieces of one paragraph.

    Japanese is written without spaces, so pieces are glued; two Latin words
    or numbers meeting at the break keep a space.
    """
    if left and right and (left[-1].isascii() and left[-1].isalnum()) and (right[0].isascii() and right[0].isalnum()):
        return " "
    return ""


# ───────────────────────── documents ─────────────────────────

_PAGE_RE = re.compile(r"^\s*(?:\d{1,4}\s*/\s*\d{1,4}|[-−―—]\s*\d{1,4}\s*[-−―—])\s*$")
_BARE_NUM_RE = re.compile(r"^\s*\d{1,4}\s*$")
_SUP_BODY_RE = re.compile(r"^\s*(?:<sup>\s*(\d{1,3})\s*</sup>|([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}))\s*(.*)$")
_SUP_MARK_RE = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>|([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})")
_BARE_BODY_RE = re.compile(r"^(\s*)([0-9]{1,3})(?:[ \u3000]+(\S.*?))?\s*$")
# A footnote marker glued to the word it annotates: ASCII digits right after
# kana/kanji/Latin or a closing bracket, not followed by more digits or a counter.
_GLUED_RE = re.compile(
    r"(?<=[\u30A0-\u30FF\u3400-\u4DBF\u4E00-\u9FFFA-Za-z)）」』])(?<![第和成元正治昭注※号])([0-9]{1,3})(?![0-9,.．，])"
)
_GLUED_RUN_RE = re.compile(
    r"(?<=[\u30A0-\u30FF\u3400-\u4DBF\u4E00-\u9FFFA-Za-z)）」』])(?<![第和成元正治昭注※号])([0-9]{4,6})(?![0-9,.．，])"
)
_SUPERSCRIPT_VALUES = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_ANCHOR_RE = re.compile(r"[\u30A0-\u30FF\u3400-\u4DBF\u4E00-\u9FFF々〆A-Za-z・\-]+$")
_WINDOW = 200  # lines: how far a glued marker may stand from its footnote body


def _anchor(before: str) -> str:
    """The term a footnote marker annotates, from the normalised text before it."""
    before = before.rstrip()
    if before.endswith(")"):
        inner = re.search(r"\(([^()]*)\)$", before)
        if inner:
            m = _ANCHOR_RE.search(inner.group(1))
            if m:
                return m.group(0).strip("・-")
    m = _ANCHOR_RE.search(before)
    if not m:
        return ""
    anchor = m.group(0).strip("・-")
    # "サプライチェーン・リスク" is one term, "負担金・公的個人認証サービス" two
    # list items: keep a ・ only between katakana.
    cut = 0
    for k, ch in enumerate(anchor):
        if ch == "・" and not (_is_katakana(anchor[k - 1]) and _is_katakana(anchor[k + 1: k + 2])):
            cut = k + 1
    return anchor[cut:]


def _is_katakana(ch: str) -> bool:
    return bool(ch) and "\u30A0" <= ch <= "\u30FF" and ch != "・"


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(("。", "｡"))


def normalise_document(doc_id: str, path: str, text: str) -> NormalisedDocument:
    """Split ``text`` into lines, give each a role and normalised text, find footnotes."""
    # Lines end at \n only (sources.decode has made every line end so): str.splitlines
    # would also split at form feeds, U+2028, \x85 …, and every line number after one
    # would no longer be a line of the file.
    raws = text.split("\n")
    if raws and raws[-1] == "":
        raws.pop()
    n = len(raws)
    roles = ["content"] * n
    for i, raw in enumerate(raws):
        if not raw.strip() or _RULE_RE.match(raw):
            roles[i] = "blank"
        elif _PAGE_RE.match(unicodedata.normalize("NFKC", raw)):
            roles[i] = "page-number"
    page_lines = [i for i in range(n) if roles[i] == "page-number"]
    for p in page_lines:
        for j in range(max(0, p - 3), min(n, p + 4)):
            if roles[j] == "content" and _BARE_NUM_RE.match(raws[j]):
                # "- 4 -" next to "7/101": a second page number, not a cell.
                neighbours = [k for k in range(max(0, j - 3), min(n, j + 4)) if k != j and roles[k] == "content"]
                if not neighbours or all(_BARE_NUM_RE.match(raws[k]) is None for k in neighbours):
                    roles[j] = "page-number"
    page_lines = [i for i in range(n) if roles[i] == "page-number"]
    _mark_running_headers(raws, roles, page_lines)

    removals: dict[int, list[tuple[int, int]]] = {}
    footnotes = _sup_footnotes(raws, roles)
    if not footnotes:
        footnotes = _bare_footnotes(raws, roles, removals)

    lines = []
    for i, raw in enumerate(raws):
        role = roles[i]
        if role == "content":
            src = raw
            if i in removals:
                for start, end in sorted(removals[i], reverse=True):
                    src = src[:start] + src[end:]
            lines.append(SourceLine(i + 1, raw, normalise_text(src), "content"))
        else:
            lines.append(SourceLine(i + 1, raw, "", role))
    return NormalisedDocument(doc_id, path, tuple(lines), tuple(sorted(footnotes, key=lambda f: f.line)))


def _mark_running_headers(raws: list[str], roles: list[str], page_lines: list[int]) -> None:
    if len(page_lines) < 3:
        return
    n = len(raws)
    seen: dict[str, set[int]] = {}
    where: dict[str, list[int]] = {}
    for pi, p in enumerate(page_lines):
        found = 0
        j = p - 1
        candidates = []
        while j >= 0 and found < 3:
            if roles[j] == "content":
                candidates.append(j)
                found += 1
            elif roles[j] == "page-number":
                break
            j -= 1
        found = 0
        j = p + 1
        while j < n and found < 3:
            if roles[j] == "content":
                candidates.append(j)
                found += 1
            elif roles[j] == "page-number":
                break
            j += 1
        for j in candidates:
            key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raws[j]))
            if 0 < len(key) <= 40:
                seen.setdefault(key, set()).add(pi)
                where.setdefault(key, []).append(j)
    threshold = max(3, len(page_lines) * 3 // 10)
    for key, pages in seen.items():
        if len(pages) >= threshold:
            for j in where[key]:
                roles[j] = "running-header"


def _sup_footnotes(raws: list[str], roles: list[str]) -> list[Footnote]:
    """Footnotes written ``<sup>n</sup> body`` or ``¹² body`` (one line each)."""
    bodies = []
    for i, raw in enumerate(raws):
        if roles[i] != "content":
            continue
        m = _SUP_BODY_RE.match(raw)
        if m and m.group(3).strip():
            marker = (m.group(1) or m.group(2).translate(_SUPERSCRIPT_VALUES)).lstrip("0") or "0"
            bodies.append((i, marker, m.group(3)))
    if not bodies:
        return []
    body_lines = {i for i, _, _ in bodies}
    # Where each marker stands in the running text, in file order.
    marks: dict[str, list[tuple[int, int]]] = {}
    for i, raw in enumerate(raws):
        if roles[i] != "content" or i in body_lines or ("<sup" not in raw.lower() and not re.search("[⁰¹²³⁴⁵⁶⁷⁸⁹]", raw)):
            continue
        for m in _SUP_MARK_RE.finditer(raw):
            marker = (m.group(1) or m.group(2).translate(_SUPERSCRIPT_VALUES)).lstrip("0") or "0"
            marks.setdefault(marker, []).append((i, m.start()))
    out = []
    previous_body: dict[str, int] = {}
    for i, marker, body in bodies:
        roles[i] = "footnote"
        anchor, anchor_line = "", 0
        lower = previous_body.get(marker, -1)
        for li, pos in marks.get(marker, ()):
            if li > lower:
                anchor = _anchor(_text_before(raws, roles, li, pos))
                anchor_line = li + 1
                break
        previous_body[marker] = i
        out.append(Footnote(marker, normalise_text(body), i + 1, i + 1, anchor, anchor_line))
    return out


def _text_before(raws: list[str], roles: list[str], line: int, pos: int, raw: str | None = None) -> str:
    """Normalised text before position ``pos`` of ``line``, across a hard break.

    ``raw`` replaces the line's text when earlier markers were cut out of it
    (``pos`` then counts in the original line, and the cut spans all lie before it).
    """
    if raw is None:
        before = normalise_text(raws[line][:pos])
    else:
        before = normalise_text(raw[: pos - (len(raws[line]) - len(raw))])
    if "\t" in before:
        before = before.rsplit("\t", 1)[-1]
    if before.startswith("・") or _enumerator_split(before + "x") is not None:
        return before  # a bullet or numbered line starts here: nothing to join
    j = line - 1
    while j >= 0 and roles[j] != "content":
        j -= 1
    if j >= 0 and "\t" not in raws[j]:
        prev = normalise_text(raws[j])
        # Only a hard-wrapped line (long, no full stop) continues on this one;
        # a short line above is a heading or a label.
        if len(prev) >= 25 and not _ends_sentence(prev):
            before = prev + join_parts(prev, before) + before
    return before


def _bare_footnotes(raws: list[str], roles: list[str], removals: dict[int, list[tuple[int, int]]]) -> list[Footnote]:
    """Footnotes of PDF text: ``n body`` lines matched with a glued marker ``word n``."""
    n = len(raws)
    glued: dict[str, list[tuple[int, int, int]]] = {}
    glued_prefix: dict[str, list[tuple[int, int, int]]] = {}
    for i, raw in enumerate(raws):
        if roles[i] != "content":
            continue
        for m in _GLUED_RE.finditer(raw):
            if not _is_counter(raw[m.end(): m.end() + 2]):
                glued.setdefault(m.group(1), []).append((i, m.start(), m.end()))
        for m in _GLUED_RUN_RE.finditer(raw):
            # "委託者14515 事業者": marker 14 glued to the count 515; kept
            # apart and used only when no clean marker is found.
            run = m.group(1)
            for k in (1, 2):
                if len(run) > k:
                    glued_prefix.setdefault(run[:k], []).append((i, m.start(), m.start() + k))
    if not glued:
        return []
    out: list[Footnote] = []
    used: set[tuple[int, int]] = set()
    last = 0
    i = 0
    while i < n:
        if roles[i] != "content":
            i += 1
            continue
        m = _BARE_BODY_RE.match(raws[i])
        if not m:
            i += 1
            continue
        number = int(m.group(2))
        # Footnotes are numbered through the file; the first one seen may be
        # any small number (an excerpt, or a file that starts mid-document).
        if not (last < number <= (last + 3 if last else 30)):
            i += 1
            continue
        body_first = m.group(3)
        body_start = i
        first_text_line = i
        if not body_first:
            # The marker on its own line, the text on the next content line.
            j = i + 1
            while j < n and roles[j] == "blank":
                j += 1
            if j >= n or roles[j] != "content" or _BARE_BODY_RE.match(raws[j]):
                i += 1
                continue
            body_first = raws[j].strip()
            first_text_line = j
        if not re.search(r"[A-Za-z\u3040-\u30FF\u3400-\u9FFF]", body_first) or len(body_first) < 4:
            i += 1
            continue
        marker = str(number)
        best = None
        for pool in (glued, glued_prefix):
            for li, s, e in pool.get(marker, ()):
                if (li, s) in used or abs(li - i) > _WINDOW:
                    continue
                dist = abs(li - i) + (0 if li < i else 1)
                if best is None or dist < best[0]:
                    best = (dist, li, s, e)
            if best is not None:
                break
        if best is None:
            i += 1
            continue
        _, li, s, e = best
        used.add((li, s))
        removals.setdefault(li, []).append((s, e))
        parts = [body_first]
        end = first_text_line
        j = first_text_line + 1
        while j < n:
            tail = parts[-1].rstrip()
            # "…の略。" is followed by the explanation of the abbreviation.
            if _ends_sentence(tail) and not tail.endswith("の略。"):
                break
            if roles[j] == "blank":
                j += 1
                continue
            if roles[j] != "content":
                break
            raw = raws[j]
            if raw[:1].isspace():
                break  # a new PDF page starts indented by one space
            nxt = _BARE_BODY_RE.match(raw)
            if nxt and int(nxt.group(2)) == number + 1:
                break
            parts.append(raw.strip())
            end = j
            j += 1
        for k in range(body_start, end + 1):
            if roles[k] == "content":
                roles[k] = "footnote"
        body = ""
        for part in parts:
            piece = normalise_text(part)
            body = body + join_parts(body, piece) + piece if body else piece
        anchor = _anchor(_text_before(raws, roles, li, s, _without(raws[li], removals.get(li, ()), s)))
        out.append(Footnote(marker, body, body_start + 1, end + 1, anchor, li + 1))
        last = number
        i = end + 1
    return out


def _without(raw: str, spans, upto: int) -> str:
    """``raw`` with the removed marker spans that end before ``upto`` cut out."""
    out = raw
    for start, end in sorted(spans, reverse=True):
        if end <= upto:
            out = out[:start] + out[end:]
    return out
